/*
 * env.h - environment backends: where a workload runs.
 *
 * One backend per file (env_bare.c, later env_lxc.c, env_kvm.c, env_xen.c),
 * each a `const struct env_ops`, listed once in envs.def.  The run loop
 * knows no backend by name: it calls, for every case,
 *
 *   probe -> prepare -> start -> (run loop reads stream_fd / log_fd)
 *         -> wait (or stop, then wait) -> cleanup
 *
 * cleanup runs on every path once prepare was called, and must be safe to
 * call after a partial prepare/start.  A backend that cannot run here stays
 * in the table; probe() says why (`isolat envs`).
 *
 * Adding an environment:
 *   1. write harness/env_NAME.c defining `const struct env_ops env_NAME_ops`
 *      with every callback (env_check_ops() rejects a missing one);
 *   2. add X(NAME) to harness/env/envs.def;
 *   3. add an end-to-end test under tests/e2e/ that lands samples from it.
 */
#ifndef ISOLAT_ENV_H
#define ISOLAT_ENV_H

#include <stddef.h>
#include <sys/types.h>

#include "harness/util.h"

struct cpulist;
struct journal;
struct plan_case;
struct scenario;
struct scn_params;

/*
 * What one plan learned of one environment.  The planning callbacks
 * (probe_scenario, probe_case, host_cpus) take it, so what a backend asks
 * the host (Xen: `xl info`, its cpupools, its schedulers) is asked once
 * per plan and kept in priv - not in statics that outlive the plan - and
 * what the user should hear goes in note, which the command prints.
 * plan_free() calls free_priv(priv).
 */
struct env_plan {
	void *priv;
	void (*free_priv)(void *priv);
	char note[512];
};

struct env_case {
	/* Set by the run loop before prepare. */
	const struct plan_case *pc;
	const char *wl_path;     /* host path of the static isolat-wl */
	char *const *wl_argv;    /* its argv (argv[0] = "isolat-wl") */
	const char *workdir;     /* private temp dir of this case */
	/* Host programs a guest image must carry (the stress-ng of a load
	 * run inside, harness/host/load_run.h); NULL: none. */
	const char *const *guest_programs;
	/* Record a fact about the case (what was applied, ids, logs). */
	fact_fn fact;
	void *fact_ctx;
	/* The case's host tuning journal (journal.h): a backend that changes
	 * the host outside its own processes (Xen: cpupools, dom0 pinning)
	 * appends a record before each change; the run loop replays it,
	 * newest first, after cleanup, and `isolat restore` after a crash. */
	struct journal *journal;

	/* Set by start(). */
	int stream_fd;  /* wire-format stream from the workload */
	int log_fd;     /* human-readable output (stderr, console); -1 none */
	int emulated;   /* results are from an emulated machine (TCG) */

	void *priv;     /* the backend's own state */
};

struct env_ops {
	const char *name;
	const char *describe;
	/* The host's programs (e.g. /usr/bin/cyclictest) are reachable from
	 * inside: true for bare and lxc (host /usr bound in), false for
	 * guests, whose image holds the static workload and only what
	 * env_case.guest_programs names (a load's stress-ng). */
	int host_programs;
	/* 0 when usable here; else negative errno and a reason in why.  A
	 * ready backend may still leave a note in why (e.g. the version it
	 * found), which `isolat envs` shows instead of describe. */
	int (*probe)(char *why, size_t whysz);
	int (*prepare)(struct env_case *ec, char *err, size_t errsz);
	int (*start)(struct env_case *ec, char *err, size_t errsz);
	/* Reap the workload: 0 and *status (wait(2) status) when it ended
	 * within timeout_ms, -ETIMEDOUT otherwise. */
	int (*wait)(struct env_case *ec, int timeout_ms, int *status);
	/* Optional.  Ask the workload to end soon (SIGTERM to it), without
	 * waiting: it then drains and sends END, which the run loop still
	 * reads before it calls stop(). */
	void (*interrupt)(struct env_case *ec);
	/* Make it end now (timeout, SIGINT).  Idempotent. */
	void (*stop)(struct env_case *ec);
	/* Release everything prepare/start made.  Idempotent. */
	void (*cleanup)(struct env_case *ec);
	/* Optional.  Check a scenario's settings for this backend against
	 * this host (a guest kernel that must exist, ...); planning calls it
	 * instead of probe() when present.  -EINVAL: the scenario is wrong
	 * here, why is "FILE:LINE: what; expected" and planning fails; any
	 * other negative errno: not ready, the cases are skipped with why. */
	int (*probe_scenario)(struct env_plan *ep, const struct scenario *scn,
			      char *why, size_t whysz);
	/* Optional.  Check one case's effective parameters (its profile's
	 * overrides applied) against this host, once the environment is
	 * ready: 0, or a negative errno that skips the case with why. */
	int (*probe_case)(struct env_plan *ep, const struct plan_case *c,
			  char *why, size_t whysz);
	/* Optional.  The CPUs a workload sees in this environment when they
	 * are not the host's (a guest's vCPUs): planning checks cpus and
	 * picks the default housekeeping CPU among them. */
	void (*guest_cpus)(const struct scn_params *p, struct cpulist *out);
	/* Optional.  The host CPUs the measured CPUs of a case run on, when
	 * they are not cpus themselves (a guest: where its measured vCPUs
	 * are pinned), for host tuning, loads and counters.  Checks the
	 * backend's placement keys against online (the host's CPUs): -EINVAL
	 * with "FILE:LINE: what; expected" in err.  Absent: cpus. */
	int (*host_cpus)(struct env_plan *ep, const struct scn_params *p,
			 const char *scn_path,
			 const struct cpulist *online, struct cpulist *out,
			 char *err, size_t errsz);
	/* Optional.  The CPUs a load started inside may use, when they are
	 * fewer than the environment's (lxc: the container's cpuset);
	 * load_side = inside resolves load_cpus against them.  Without it:
	 * guest_cpus, else the host's online CPUs. */
	void (*inside_cpus)(const struct scn_params *p, struct cpulist *out);
	/* Optional.  Host metadata only this backend can read (Xen: `xl
	 * info` from a dom0), handed to set(ctx, key, value); stored with
	 * the run's host metadata.  Quiet and cheap where it does not apply. */
	void (*host_meta)(fact_fn set, void *ctx);
};

#define X(n) extern const struct env_ops env_##n##_ops;
#include "harness/env/envs.def"
#undef X

/* NULL-terminated table, in envs.def order. */
extern const struct env_ops *const env_table[];

const struct env_ops *env_find(const char *name);
/* "bare, lxc, ..." for messages. */
const char *env_names(void);
/* 0 if every callback is present; -EINVAL naming the missing one. */
int env_check_ops(const struct env_ops *ops, char *why, size_t whysz);

#endif
