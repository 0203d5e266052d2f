/*
 * tuning.h - the host side of an isolation profile.
 *
 * Run-time knobs (irq_affinity, workqueue_cpumask, timer_migration,
 * sched_rt_runtime_us, governor, thp, kthread_priority, cpuset_isolate;
 * dma_latency is held by the workload) are applied by the run loop before
 * a case and undone after it.  Every change goes through journal.h first,
 * so a crash leaves a journal that `isolat restore` replays.  The same
 * journal takes trace.h's tracefs changes for the case (after the knobs'),
 * so tuning_undo() undoes those first.
 *
 * Boot-time knobs (isolcpus, nohz_full, rcu_nocbs, irqaffinity,
 * skew_tick) cannot be applied by a harness: they are requirements,
 * checked at plan time against /proc/cmdline and sysfs; a case whose
 * profile needs one the host lacks is skipped with the reason.
 *
 * What was applied (and what was refused) becomes case facts tune.KNOB...
 */
#ifndef ISOLAT_TUNING_H
#define ISOLAT_TUNING_H

#include <stddef.h>

#include "harness/journal.h"
#include "harness/scenario.h"

struct plan_case;

/* Scenario parsing: unset values for a new [profile NAME]. */
void tuning_profile_defaults(struct scn_profile *p);
/*
 * One host key of a [profile NAME] section: 1 when taken, 0 with why set
 * when the value is wrong, 0 with why empty when key is not a tuning key.
 */
int tuning_profile_key(struct scn_profile *p, const char *key,
		       const char *v, char *why, size_t whysz);
/* The tuning keys, for "expected: ..." messages. */
const char *tuning_profile_keys(void);

/*
 * Boot-time requirements of p against the host under root ("/" or a fake
 * tree): 0 when met (or none), 1 with why set when not.
 */
int tuning_boot_check(const struct scn_profile *p, const char *root,
		      char *why, size_t whysz);

typedef int (*tuning_fact_fn)(void *ctx, const char *key, const char *value);

struct tuning {
	struct journal j;
	tuning_fact_fn fact;
	void *ctx;
	unsigned undone, undo_failed;
	int write_failed; /* the last set_file failed at the write itself */
	/* cgroup v2 cpuset_isolate: the partition's cgroup.procs, where the
	 * workload must be born ("" when none), and while the harness is
	 * in there, the cgroup.procs it came from. */
	char join[512];
	char back[1024];
};

/*
 * Apply the run-time knobs of pc's profile (none: nothing happens, no
 * journal).  journal_path: JOURNAL_DEFAULT normally.  Returns 0, or
 * -errno with err set when a knob could not be applied (the case must
 * then not be measured; call tuning_undo all the same).
 */
int tuning_apply(struct tuning *t, const struct plan_case *pc,
		 const char *journal_path, tuning_fact_fn fact, void *ctx,
		 char *err, size_t errsz);

/*
 * cgroup v2 cpuset_isolate only (else a no-op returning 0): move the
 * harness into the case's partition, so the workload it starts now is
 * born there - the CPUs of an isolated partition are taken from every
 * task outside it, so a workload started outside could not pin to them.
 * The harness is single-threaded here (the chunk writer starts after).
 * tuning_leave() moves it back right after the start; both are journaled
 * nowhere: a harness that dies in between leaves nothing of its own.
 * 0 or -errno with err set.
 */
int tuning_enter(struct tuning *t, char *err, size_t errsz);
int tuning_leave(struct tuning *t, char *err, size_t errsz);

/* Undo what tuning_apply changed (reverse order) and remove the journal.
 * Safe to call when nothing was applied.  0 or -errno with err set. */
int tuning_undo(struct tuning *t, char *err, size_t errsz);

#endif
