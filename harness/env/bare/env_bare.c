/*
 * env_bare.c - the `bare` environment: the workload as a child process of
 * the harness, on the host itself.  The reference every other environment
 * is compared with.
 */
#include <signal.h>
#include <stdio.h>

#include "harness/env/env.h"
#include "harness/net/net.h"
#include "harness/env/env_child.h"
#include "harness/run/proc.h"

static int bare_probe(char *why, size_t whysz)
{
	(void)why;
	(void)whysz;
	return 0;
}

static int bare_start(struct env_case *ec, char *err, size_t errsz)
{
	/* A workload outliving a killed harness would measure for nobody,
	 * and keep a cgroup v2 partition of cpuset_isolate busy so that
	 * `isolat restore` could not remove it. */
	const struct proc_spec spec = {
		.path = ec->wl_path,
		.argv = ec->wl_argv,
		.fd = {PROC_FD_KEEP, PROC_FD_OUT, PROC_FD_ERR},
		.pdeathsig = SIGKILL,
	};

	return env_child_start(ec, &spec, err, errsz);
}

static void bare_stop(struct env_case *ec)
{
	env_child_stop(ec, 2000);
}

static void bare_cleanup(struct env_case *ec)
{
	env_child_cleanup(ec, 2000);
}

const struct env_ops env_bare_ops = {
	.name = "bare",
	.flags = ENV_HOST_KERNEL | ENV_HOST_PROCESS | ENV_HOST_PROGRAMS,
	.netlat_end = 1 + NET_END_NS,
	.describe = "the workload as a process on the host itself",
	.probe = bare_probe,
	.prepare = env_child_prepare,
	.start = bare_start,
	.wait = env_child_wait,
	.interrupt = env_child_interrupt,
	.stop = bare_stop,
	.cleanup = bare_cleanup,
};
