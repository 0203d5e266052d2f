/*
 * load_run.h - running a case's background load: stress-ng started from an
 * argv (never a shell string) in its own process group before the workload,
 * stopped after it on every path.
 *
 *   plan time   load_plan_case(): placement CPUs resolved against this host,
 *               skip reasons (no stress-ng, load_side = inside elsewhere
 *               than bare)
 *   run time    load_start() -> load_settle() -> workload ... -> load_stop()
 *
 * Placement (scenario keys, see scenario.h):
 *   load_cpus = housekeeping  online host CPUs that are not measured
 *               measured      the measured CPUs (host CPUs of the same
 *                             numbers for guests, as counters.h reads them)
 *               all           every online host CPU
 *               CPULIST       exactly those (must be online)
 *   load_side = host | inside: inside is the environment's own side; for
 *               bare that is the host; lxc/kvm/xen cases are skipped.
 *   load_instances: per stressor; default one per placement CPU.
 *
 * Facts stored with the case: load.argv (joined by spaces for display),
 * load.cpus, load.side, load.settle_s, load.instances, then load.exit and
 * load.metrics (stress-ng's --metrics-brief, which it writes to stderr).
 */
#ifndef ISOLAT_LOAD_RUN_H
#define ISOLAT_LOAD_RUN_H

#include <signal.h>
#include <stddef.h>

#include "harness/load.h"
#include "workloads/cpulist.h"

struct plan_case;
struct load_run;

#define LOAD_ARGV_MAX 48

/* stress-ng's argv; the strings live in buf. */
struct load_cmd {
	char *argv[LOAD_ARGV_MAX];
	char buf[4096];
};

/*
 * Build the argv: one stressor per part with instances each, extras from
 * loads.def, --taskset cpus, --timeout timeout_s (a bound should the
 * harness die without stopping it), --metrics-brief, --temp-path tmpdir.
 * 0, or -EINVAL (none) / -ENOSPC with the reason in err.
 */
int load_cmd_build(struct load_cmd *cmd, const struct load_spec *ls,
		   const struct cpulist *cpus, unsigned instances,
		   unsigned timeout_s, const char *tmpdir, char *err,
		   size_t errsz);
/* The argv joined by single spaces, for display and the load.argv fact. */
void load_cmd_text(const struct load_cmd *cmd, char *out, size_t size);

/*
 * Resolve load_cpus = (housekeeping | measured | all | CPULIST) against
 * the online host CPUs.  0, or -EINVAL with "what; expected" in why.
 */
int load_resolve_cpus(const char *spec, const struct cpulist *measured,
		      const struct cpulist *online, struct cpulist *out,
		      char *why, size_t whysz);

/*
 * Plan time, for a case whose load field is set: resolve its placement
 * into c->load_cpus and fill c->skip_reason when the load cannot run here.
 * -EINVAL (the scenario is wrong on this host: "FILE:LINE: ..." in err).
 */
int load_plan_case(struct plan_case *c, const char *scn_path,
		   const struct cpulist *online, char *err, size_t errsz);

typedef int (*load_fact_fn)(void *ctx, const char *key, const char *value);

/*
 * Start the case's load (nothing for none: *out stays NULL, returns 0).
 * Records the placement facts.  0 or -errno with the reason in err.
 */
int load_start(const struct plan_case *pc, const char *workdir,
	       load_fact_fn fact, void *ctx, struct load_run **out,
	       char *err, size_t errsz);

/*
 * Let the load run load_settle_s before measuring; returns early with
 * -EINTR when *stop becomes non-zero, and -ECHILD when stress-ng ended on
 * its own (its output in err).  NULL ld: 0 at once.
 */
int load_settle(struct load_run *ld, const volatile sig_atomic_t *stop,
		char *err, size_t errsz);

/*
 * SIGTERM to its process group, its output read until it closes, SIGKILL
 * to the group after a bound; records load.exit and load.metrics and
 * frees ld.  NULL is a no-op.
 */
void load_stop(struct load_run *ld);

#endif
