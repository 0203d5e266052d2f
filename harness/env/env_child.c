/*
 * env_child.c - see env_child.h.
 */
#include "harness/env/env_child.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/env/env.h"
#include "harness/run/proc.h"

int env_child_prepare(struct env_case *ec, char *err, size_t errsz)
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

int env_child_start(struct env_case *ec, const struct proc_spec *spec,
		    char *err, size_t errsz)
{
	struct proc *p = ec->priv;
	int rc = proc_spawn(p, spec);

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

int env_child_wait(struct env_case *ec, int timeout_ms, int *status)
{
	struct proc *p = ec->priv;
	int rc = proc_wait(p, timeout_ms);

	if (rc == 0)
		*status = p->status;
	return rc;
}

void env_child_interrupt(struct env_case *ec)
{
	struct proc *p = ec->priv;

	if (p && p->pid > 0 && !p->reaped)
		kill(-p->pid, SIGTERM);
}

void env_child_stop(struct env_case *ec, int grace_ms)
{
	if (ec->priv)
		proc_stop(ec->priv, grace_ms);
}

void env_child_cleanup(struct env_case *ec, int grace_ms)
{
	struct proc *p = ec->priv;

	if (!p)
		return;
	proc_stop(p, grace_ms);
	proc_close(p);
	free(p);
	ec->priv = NULL;
	ec->stream_fd = ec->log_fd = -1;
}
