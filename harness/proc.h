/*
 * proc.h - process supervision: start a program from an argv (never a
 * shell string), with its stdout and stderr on pipes, in its own process
 * group so that stopping it stops everything it started.
 */
#ifndef ISOLAT_PROC_H
#define ISOLAT_PROC_H

#include <sys/types.h>

struct proc {
	pid_t pid;      /* 0 when not running / reaped */
	int out_fd;     /* read end of the child's stdout, -1 if closed */
	int err_fd;     /* read end of the child's stderr, -1 if closed */
	int status;     /* wait(2) status once reaped */
	int reaped;
};

/*
 * Start path with argv and a minimal fixed environment (PATH and LANG=C
 * only: nothing from the caller's environment leaks into a root child).
 * Returns 0 or -errno.
 */
int proc_start(struct proc *p, const char *path, char *const argv[]);

/* Wait up to timeout_ms (-1 forever) for it to exit: 0 or -ETIMEDOUT. */
int proc_wait(struct proc *p, int timeout_ms);

/* SIGTERM to its group, then SIGKILL after grace_ms; reaps.  Idempotent. */
void proc_stop(struct proc *p, int grace_ms);

/* Close the pipes. */
void proc_close(struct proc *p);

#endif
