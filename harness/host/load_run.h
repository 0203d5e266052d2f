/*
 * load_run.h - running a case's background load: stress-ng started from an
 * argv (never a shell string) in its own process group before the workload,
 * stopped after it on every path.
 *
 *   plan time   load_plan_case(): placement CPUs resolved against this host
 *               (or, inside, against the environment's CPUs), skip reasons
 *               (no stress-ng, a guest image that cannot carry it)
 *   run time    host side: load_start() -> load_settle() -> workload ...
 *               -> load_stop();
 *               inside (lxc, kvm, xen): load_inside_prepare() adds
 *               `--load-settle-s N --load ARG...` to the workload's argv
 *               (and stress-ng to a guest's image); isolat-wl starts the
 *               load where it runs itself - in the container's namespaces
 *               and cgroup, or in the guest - lets it settle, measures,
 *               stops it (SIGTERM, then SIGKILL to its process group) and
 *               reports it in HELLO (load.inside.*) and END (load.exit,
 *               load.metrics.N); load_inside_finish() stores those as the
 *               host path's load.exit / load.metrics facts.
 *
 * Placement (scenario keys, see scenario.h):
 *   load_cpus = housekeeping  online host CPUs that are not measured
 *               measured      the measured CPUs (host CPUs of the same
 *                             numbers for guests, as counters.h reads them)
 *               all           every online host CPU
 *               CPULIST       exactly those (must be online)
 *   load_side = host | inside: inside is the environment's own side; for
 *               bare that is the host.  Inside, load_cpus names the CPUs
 *               the environment has (env_ops.inside_cpus): the container's
 *               cpuset (host CPU numbers) or the guest's vCPUs (vCPU
 *               numbers); housekeeping = those not measured.
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

#include "harness/host/load.h"
#include "harness/util.h"
#include "workloads/cpulist.h"
#include "workloads/loadargv.h"

struct ingest;
struct plan_case;
struct load_run;

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
 * the CPUs available (online host CPUs, or inside an environment its
 * CPUs; avail_what names them in messages: "online on this host").
 * 0, or -EINVAL with "what; expected" in why.
 */
int load_resolve_cpus(const char *spec, const struct cpulist *measured,
		      const struct cpulist *avail, const char *avail_what,
		      struct cpulist *out, char *why, size_t whysz);

/*
 * Plan time, for a case whose load field is set: resolve its placement
 * into c->load_cpus and fill c->skip_reason when the load cannot run here.
 * -EINVAL (the scenario is wrong on this host: "FILE:LINE: ..." in err).
 */
int load_plan_case(struct plan_case *c, const char *scn_path,
		   const struct cpulist *online, char *err, size_t errsz);


/* The case's load runs inside its environment (not bare, not none). */
int load_runs_inside(const struct plan_case *pc);
/* Seconds an inside load settles before the workload's HELLO (0 when
 * the load is not inside): added to the harness's HELLO deadline. */
unsigned load_inside_settle_s(const struct plan_case *pc);

/* What load_inside_prepare() hands on; lives as long as the case. */
struct load_inside {
	struct load_cmd cmd;
	char settle[16];
	char program[512];           /* host stress-ng, for a guest image */
	const char *programs[2];     /* {program, NULL} */
};

/*
 * For a load that runs inside (nothing otherwise): build stress-ng's argv
 * (temp path /tmp inside), record the placement facts (load.argv,
 * load.cpus, load.side, load.settle_s, load.instances), append
 * "--load-settle-s N --load ARG ..." to argv (*argc entries, at most max
 * with the NULL) and, for a guest, set *programs to carry stress-ng in its
 * image.  0 or -errno with the reason in err.
 */
int load_inside_prepare(const struct plan_case *pc, struct load_inside *li,
			char **argv, unsigned *argc, unsigned max,
			const char *const **programs, fact_fn fact,
			void *ctx, char *err, size_t errsz);

/*
 * After the case: the workload's END keys end.load.exit and
 * end.load.metrics.N as the facts load.exit and load.metrics (lines
 * joined), as the host path stores them.  in may be NULL.
 */
void load_inside_finish(const struct plan_case *pc, const struct ingest *in,
			fact_fn fact, void *ctx);

/*
 * Start the case's load on the host (nothing for none or a load inside:
 * *out stays NULL, returns 0).  stress-ng gets PR_SET_PDEATHSIG SIGKILL
 * (its stressors die with it) and, as root, a proc record in j (may be
 * NULL): a harness killed with -9 leaves none running past `isolat
 * restore` or the next run.  Records the placement facts.  0 or -errno
 * with the reason in err (*out may then be set: load_stop it).
 */
struct journal;
int load_start(const struct plan_case *pc, const char *workdir,
	       struct journal *j, fact_fn fact, void *ctx,
	       struct load_run **out, char *err, size_t errsz);

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
