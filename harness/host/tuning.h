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
 * skew_tick) cannot be applied to the host by a harness: there they are
 * requirements, checked at plan time against /proc/cmdline and sysfs; a
 * case whose profile needs one the host lacks is skipped with the reason.
 * In a guest environment they go on the guest kernel's command line
 * instead, and are verified from what the guest reports (below).
 *
 * What was applied (and what was refused) becomes case facts tune.KNOB...
 */
#ifndef ISOLAT_TUNING_H
#define ISOLAT_TUNING_H

#include <stddef.h>

#include "harness/host/journal.h"
#include "harness/scenario/scenario.h"
#include "harness/util.h"

struct plan_case;

/* Scenario parsing: unset values for a new [profile NAME]. */
void tuning_profile_defaults(struct scn_profile *p);
/*
 * One host key of a [profile NAME] section: 0 when taken, -EINVAL with
 * why set when the value is wrong, -ENOENT when key is not a tuning key.
 */
int tuning_profile_key(struct scn_profile *p, const char *key,
		       const char *v, char *why, size_t whysz);
/* The tuning keys, for "expected: ..." messages. */
const char *tuning_profile_keys(void);
/* fn for each tuning key (section "profile"), as scenario_key_iter. */
int tuning_profile_key_iter(scenario_key_fn fn, void *arg);

/*
 * Boot-time requirements of p against the host under root ("/" or a fake
 * tree): 0 when met (or none), -EOPNOTSUPP with why set when not (the
 * case is skipped: this host cannot give it).
 */
int tuning_boot_check(const struct scn_profile *p, const char *root,
		      char *why, size_t whysz);

/*
 * In a guest (kvm, xen) the boot keys are the guest kernel's: isolat
 * boots it per case with them on its command line, and the CPU lists
 * are vCPU numbers.
 *
 * tuning_guest_boot_args: append p's isolcpus=, nohz_full=, rcu_nocbs=,
 * irqaffinity=, skew_tick= to cmdline (NUL-terminated, size bytes), each
 * unless cmdline already has it with the same CPUs.  0; -EINVAL when
 * cmdline has it with other CPUs or holds '--'; -ENOSPC.  why may be NULL.
 */
int tuning_guest_boot_args(const struct scn_profile *p, char *cmdline,
			   size_t size, char *why, size_t whysz);
/*
 * Plan time, guest case: -EOPNOTSUPP with why when a boot key names a
 * vCPU >= nvcpus (the case is skipped: the profile's lists may be meant
 * for a host environment of the same scenario), -EINVAL with why when a
 * key contradicts guest_cmdline (the scenario's and the profile's), else 0.
 */
int tuning_guest_boot_plan(const struct scn_profile *p, unsigned nvcpus,
			   const char *guest_cmdline, char *why, size_t whysz);
/*
 * Plan and run time: does every CPU of cpus offer governor gov (its
 * cpufreq/scaling_available_governors under root)?  0 when each does or
 * has no cpufreq (nothing to set: the case says "not applicable"), -EINVAL
 * with why naming the CPU and what it offers.
 */
int tuning_governor_plan(const char *root, const struct cpulist *cpus,
			 const char *gov, char *why, size_t whysz);
/*
 * Run time: did the guest kernel apply them?  Its HELLO's cmdline,
 * isolated, nohz_full (NULL: not reported).  isolcpus and nohz_full are
 * checked against what the kernel reports, the others against the command
 * line it booted with.  0 when applied, -EOPNOTSUPP with why when not.
 */
int tuning_guest_boot_verify(const struct scn_profile *p,
			     const char *cmdline, const char *isolated,
			     const char *nohz_full, char *why, size_t whysz);

struct tuning {
	struct journal j;
	fact_fn fact;
	void *ctx;
	unsigned undone, undo_failed;
	unsigned tuned; /* records of host tuning replayed (not a case's
			 * load, work directory or container) */
	int write_failed; /* the last set_file failed at the write itself */
	/* cgroup v2 cpuset_isolate: the partition's cgroup.procs, where the
	 * workload must be born ("" when none), and while the harness is
	 * in there, the cgroup.procs it came from. */
	char join[512];
	char back[1024];
};

/* Set up t's journal (journal_path) before anything is journaled, so
 * that what a case makes before its tuning (its work directory) goes
 * into the journal tuning_apply then uses and tuning_undo replays. */
void tuning_begin(struct tuning *t, const char *journal_path);

/*
 * Apply the run-time knobs of pc's profile (none: nothing happens, no
 * journal).  journal_path: JOURNAL_DEFAULT normally.  Returns 0, or
 * -errno with err set when a knob could not be applied (the case must
 * then not be measured; call tuning_undo all the same).
 */
int tuning_apply(struct tuning *t, const struct plan_case *pc,
		 const char *journal_path, fact_fn fact, void *ctx,
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
