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
 * stdout and stderr on pipes, stdin as the harness has it.
 * Returns 0 or -errno.
 */
int proc_start(struct proc *p, const char *path, char *const argv[]);

/* What a child's fd 0..PROC_NFD-1 becomes. */
enum proc_fd {
	PROC_FD_KEEP,   /* what the harness has there */
	PROC_FD_NULL,   /* /dev/null, read-only */
	PROC_FD_OUT,    /* a pipe the parent reads from p->out_fd */
	PROC_FD_ERR,    /* a pipe the parent reads from p->err_fd */
};
#define PROC_NFD 4

/* A child, for proc_spawn(); zero is the default of every field. */
struct proc_spec {
	const char *path;        /* execve(path, argv, PATH + LANG=C) ... */
	char *const *argv;
	void (*run)(void *arg);  /* ... or, if set, run(arg) (no exec) */
	void *arg;
	unsigned char fd[PROC_NFD]; /* enum proc_fd; a pipe is made only
				     * for an end some fd names */
	int close_from;          /* > 0: close every fd from it up */
	int pdeathsig;           /* > 0: sent to it when the harness (the
				  * thread that forked it) dies; a harness
				  * already gone: it exits at once */
	int setup_exit;          /* _exit status if its setup fails
				  * (0: 127, "cannot execute") */
};

/*
 * fork a child: every signal blocked across the fork, the child's
 * handlers reset and mask restored, its own process group, fds as spec
 * says, then exec or run.  p's pipes are set as spec names them, the
 * others -1.  Returns 0 or -errno.
 */
int proc_spawn(struct proc *p, const struct proc_spec *spec);

/* Wait up to timeout_ms (-1 forever) for it to exit: 0 or -ETIMEDOUT. */
int proc_wait(struct proc *p, int timeout_ms);

/* SIGTERM to its group, then SIGKILL after grace_ms; reaps.  Idempotent. */
void proc_stop(struct proc *p, int grace_ms);

/* Close the pipes. */
void proc_close(struct proc *p);

#endif
