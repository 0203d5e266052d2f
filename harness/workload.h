/*
 * workload.h - what is measured: the table of workloads.
 *
 * A workload is a subcommand of the static isolat-wl binary (workloads/);
 * the harness only knows its name, how to check it can run here and how to
 * turn a case's parameters into isolat-wl's argv.  Listed once, for
 * isolat-wl and the harness both, in workloads/workloads.def.
 *
 * Adding a workload: implement `isolat-wl NAME` in workloads/ (speaking
 * workloads/wire.h, wl_run_NAME), add X(NAME, flags, "description", needs,
 * package) to workloads/workloads.def, and a test that lands its samples.
 * Code outside workloads/ asks the flags, never the name.
 */
#ifndef ISOLAT_WORKLOAD_H
#define ISOLAT_WORKLOAD_H

#include <stddef.h>

#include "workloads/wl_flags.h"

struct workload_ops {
	const char *name;
	const char *describe;
	/* An external program the workload runs on the host, or NULL. */
	const char *needs;
	const char *needs_package;
	unsigned flags; /* enum wl_flag (workloads/wl_flags.h) */
};

extern const struct workload_ops workload_table[];
extern const unsigned workload_count;

const struct workload_ops *workload_find(const char *name);
const char *workload_names(void);
/* 0 when it can run on this host, else -ENOENT with the reason. */
int workload_probe(const struct workload_ops *w, char *why, size_t whysz);

#endif
