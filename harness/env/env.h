/*
 * env.h - environment backends: where a workload runs.
 *
 * One backend per folder (harness/env/bare/, lxc/, kvm/, xen/, test/),
 * each a `const struct env_ops`, listed once in envs.def; what guest
 * backends share is in harness/env/guest/.  Nothing outside harness/env/
 * knows a backend by name (tests/e2e/names.sh checks): it asks
 * env_ops.flags.  The run loop calls, for every case,
 *
 *   probe -> prepare -> start -> (run loop reads stream_fd / log_fd)
 *         -> wait (or stop, then wait) -> cleanup
 *
 * cleanup runs on every path once prepare was called, and must be safe to
 * call after a partial prepare/start.  A backend that cannot run here stays
 * in the table; probe() says why (`isolat envs`).
 *
 * Adding an environment (the test environment was added exactly so: its
 * folder, one line, test_runloop.c):
 *   1. make harness/env/NAME/ with env_NAME.c defining
 *      `const struct env_ops env_NAME_ops`: every required callback
 *      (env_check_ops() rejects a missing one) and its flags (enum
 *      env_flag: what the rest of isolat may assume of it; ENV_GUEST
 *      needs guest_cpus, and then harness/env/guest/ has the vCPUs, the
 *      kernel, the command line and the image);
 *   2. add X(NAME, "#colour", 0) to harness/env/envs.def (its colour in
 *      every figure);
 *   3. add a test that lands samples from it (tests/e2e/NAME.sh, SKIP
 *      with the reason where the host lacks it; or a unit test).
 * Only when it needs them: its host changes as journal kinds in its folder
 * (struct journal_kind_ops, one line each in journal_kinds.def), its
 * scenario keys (harness/scenario/).  docs/internals.md has the map.
 */
#ifndef ISOLAT_ENV_H
#define ISOLAT_ENV_H

#include <stddef.h>
#include <sys/types.h>

#include "harness/util.h"

struct cpulist;
struct journal;
struct net_topo;
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

	/* A netlat case's network path (harness/net/net.h), NULL for other
	 * workloads: lxc hands its if_a to the container, kvm its tap. */
	const struct net_topo *net;
	/* Another environment of the same case runs beside this one (netlat's
	 * reflector in a container, harness/net/net_case.c): share what both
	 * draw from the host (lxc: the real-time budget) instead of taking
	 * all of it. */
	int beside;

	void *priv;     /* the backend's own state */
};

/*
 * What an environment is, as far as code outside harness/env/ needs to
 * know: it asks these flags, never the name.
 */
enum env_flag {
	/* A guest with its own kernel: its CPUs are vCPUs (guest_cpus is
	 * required), it boots the profile's guest command line and says in
	 * its HELLO whether that kernel applied it. */
	ENV_GUEST = 1u << 0,
	/* The workload shares the host's kernel (bare, a container). */
	ENV_HOST_KERNEL = 1u << 1,
	/* The workload is a plain process of the host, in the host's own
	 * namespaces and cgroup: "inside" is the host (a load inside is a
	 * load on the host), the host's tracefs is the one it runs
	 * against, and a cgroup v2 partition made for it can hold it. */
	ENV_HOST_PROCESS = 1u << 2,
	/* The backend makes the workload's cgroup itself (liblxc), outside
	 * any cpuset partition host tuning could make. */
	ENV_OWN_CGROUP = 1u << 3,
	/* The host's programs (e.g. /usr/bin/cyclictest) are reachable from
	 * inside: bare and lxc (host /usr bound in); not guests, whose
	 * image holds the static workload and only what
	 * env_case.guest_programs names (a load's stress-ng). */
	ENV_HOST_PROGRAMS = 1u << 4,
	/* Not offered to users: `isolat envs` lists it only with --all, and
	 * env_names() leaves it out (the test environment). */
	ENV_HIDDEN = 1u << 5,
};

struct env_ops {
	const char *name;
	const char *describe;
	unsigned flags; /* enum env_flag */
	/* Where netlat's initiator end lives here: enum net_end + 1
	 * (harness/net/net.h); 0: netlat cannot run here. */
	int netlat_end;
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

#define X(n, colour, reference) extern const struct env_ops env_##n##_ops;
#include "harness/env/envs.def"
#undef X

/* NULL-terminated table, in envs.def order. */
extern const struct env_ops *const env_table[];

const struct env_ops *env_find(const char *name);
/* "bare, lxc, ..." for messages. */
const char *env_names(void);
/* Has e every flag of f? */
static inline int env_is(const struct env_ops *e, unsigned f)
{
	return (e->flags & f) == f;
}

/* 0 if every callback is present (guest_cpus too for ENV_GUEST);
 * -EINVAL naming the missing one. */
int env_check_ops(const struct env_ops *ops, char *why, size_t whysz);

#endif
