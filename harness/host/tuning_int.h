/*
 * tuning_int.h - what the files of host tuning share (tuning.c: the knobs
 * and the case's journal; tuning_cpuset.c: cpuset isolation, cgroup v1
 * and v2).  Not for the rest of the harness: that uses tuning.h.
 */
#ifndef ISOLAT_TUNING_INT_H
#define ISOLAT_TUNING_INT_H

#include <stddef.h>

#include "harness/host/tuning.h"
#include "workloads/cpulist.h"

/* Case fact key = printf(fmt, ...), through t->fact. */
void tuning_fact(struct tuning *t, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Set path (as the journal names it; t->j.root is prefixed) to v for
 * knob: read the original, journal, write.  Returns 0 (also when it
 * already was v: nothing journaled), or -errno with err set.  *orig_out
 * gets the original when given.
 */
int tuning_set_file(struct tuning *t, const char *knob, const char *path,
		    const char *v, char *orig_out, size_t origsz, char *err,
		    size_t errsz);

/*
 * cpuset_isolate = yes: cgroup v1 cpusets, or a cgroup v2 partition (then
 * t->join names the partition's cgroup.procs for tuning_enter).  hk: the
 * online CPUs that are not measured.  0 or -errno with err set.
 */
int tuning_cpuset_isolate(struct tuning *t, const struct plan_case *pc,
			  const struct cpulist *hk, char *err, size_t errsz);

/* Parse a cgroup v2 cpuset.cpus.partition read-back: 0 when it is the
 * valid partition want ("isolated", "root"), -EINVAL otherwise. */
int tuning_partition_valid(const char *readback, const char *want);

#endif
