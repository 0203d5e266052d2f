/*
 * env_bare.c - the `bare` environment: the workload as a child process of
 * the harness, on the host itself.  The reference every other environment
 * is compared with.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/env/env.h"
#include "harness/run/proc.h"

static int bare_probe(char *why, size_t whysz)
{
	(void)why;
	(void)whysz;
	return 0;
}

static int bare_prepare(struct env_case *ec, char *err, size_t errsz)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	p->out_fd = p->err_fd = -1;
	ec->priv = p;
	return 0;
}

static int bare_start(struct env_case *ec, char *err, size_t errsz)
{
	struct proc *p = ec->priv;
	/* A workload outliving a killed harness would measure for nobody,
	 * and keep a cgroup v2 partition of cpuset_isolate busy so that
	 * `isolat restore` could not remove it. */
	const struct proc_spec spec = {
		.path = ec->wl_path,
		.argv = ec->wl_argv,
		.fd = {PROC_FD_KEEP, PROC_FD_OUT, PROC_FD_ERR},
		.pdeathsig = SIGKILL,
	};
	int rc = proc_spawn(p, &spec);

	if (rc < 0) {
		snprintf(err, errsz, "cannot start %s: %s", ec->wl_path,
			 strerror(-rc));
		return rc;
	}
	ec->stream_fd = p->out_fd;
	ec->log_fd = p->err_fd;
	ec->emulated = 0;
	return 0;
}

static int bare_wait(struct env_case *ec, int timeout_ms, int *status)
{
	struct proc *p = ec->priv;
	int rc = proc_wait(p, timeout_ms);

	if (rc == 0)
		*status = p->status;
	return rc;
}

static void bare_interrupt(struct env_case *ec)
{
	struct proc *p = ec->priv;

	if (p && p->pid > 0 && !p->reaped)
		kill(-p->pid, SIGTERM);
}

static void bare_stop(struct env_case *ec)
{
	if (ec->priv)
		proc_stop(ec->priv, 2000);
}

static void bare_cleanup(struct env_case *ec)
{
	struct proc *p = ec->priv;

	if (!p)
		return;
	proc_stop(p, 2000);
	proc_close(p);
	free(p);
	ec->priv = NULL;
	ec->stream_fd = ec->log_fd = -1;
}

const struct env_ops env_bare_ops = {
	.name = "bare",
	.flags = ENV_HOST_KERNEL | ENV_HOST_PROCESS | ENV_HOST_PROGRAMS,
	.describe = "the workload as a process on the host itself",
	.probe = bare_probe,
	.prepare = bare_prepare,
	.start = bare_start,
	.wait = bare_wait,
	.interrupt = bare_interrupt,
	.stop = bare_stop,
	.cleanup = bare_cleanup,
};
