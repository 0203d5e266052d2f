/*
 * proc.c - see proc.h.
 */
#include "harness/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *const child_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"LANG=C",
	NULL,
};

int proc_start(struct proc *p, const char *path, char *const argv[])
{
	int out[2] = {-1, -1}, err[2] = {-1, -1}, rc;
	sigset_t all, old;
	pid_t pid;

	memset(p, 0, sizeof(*p));
	p->out_fd = p->err_fd = -1;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		rc = -errno;
		goto fail;
	}
	/* Block signals across fork so the child cannot run our handlers
	 * before it has reset them. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0) {
		struct sigaction dfl = {.sa_handler = SIG_DFL};

		for (int s = 1; s < NSIG; s++)
			sigaction(s, &dfl, NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		setpgid(0, 0);
		if (dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
			_exit(127);
		execve(path, argv, child_env);
		/* stderr is the pipe: the parent stores this as the log. */
		dprintf(2, "isolat: cannot execute %s: %s\n", path,
			strerror(errno));
		_exit(127);
	}
	rc = pid < 0 ? -errno : 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (rc < 0)
		goto fail;
	/* Also from the parent: no race with the child's own setpgid. */
	setpgid(pid, pid);
	close(out[1]);
	close(err[1]);
	p->pid = pid;
	p->out_fd = out[0];
	p->err_fd = err[0];
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	return rc;
}

int proc_wait(struct proc *p, int timeout_ms)
{
	struct timespec nap = {0, 5 * 1000 * 1000};
	int waited = 0;

	if (p->reaped || p->pid <= 0)
		return 0;
	for (;;) {
		pid_t r = waitpid(p->pid, &p->status,
				  timeout_ms < 0 ? 0 : WNOHANG);

		if (r == p->pid) {
			p->reaped = 1;
			return 0;
		}
		if (r < 0 && errno != EINTR) {
			p->reaped = 1; /* not our child any more */
			p->status = 0;
			return -errno;
		}
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return -ETIMEDOUT;
		if (r == 0) {
			nanosleep(&nap, NULL);
			waited += 5;
		}
	}
}

void proc_stop(struct proc *p, int grace_ms)
{
	if (p->pid <= 0 || p->reaped)
		return;
	kill(-p->pid, SIGTERM);
	if (proc_wait(p, grace_ms) == 0) {
		kill(-p->pid, SIGKILL); /* anything it left in its group */
		return;
	}
	kill(-p->pid, SIGKILL);
	proc_wait(p, -1);
}

void proc_close(struct proc *p)
{
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	p->out_fd = p->err_fd = -1;
}
