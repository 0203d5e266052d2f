/*
 * proc.c - see proc.h.
 */
#include "harness/run/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *const child_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"LANG=C",
	NULL,
};

static void close_pair(int fds[2])
{
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	fds[0] = fds[1] = -1;
}

/* In the child after fork: never returns. */
__attribute__((noreturn)) static void child(const struct proc_spec *spec,
					    const sigset_t *old, int null_fd,
					    const int out[2], const int err[2],
					    pid_t parent)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	int fail = spec->setup_exit ? spec->setup_exit : 127;

	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL);
	sigprocmask(SIG_SETMASK, old, NULL);
	/* Own group: a ^C reaches the harness only, which then stops the
	 * child in order, and stopping the group stops all it started. */
	setpgid(0, 0);
	/* A harness that died before the prctl would never send it. */
	if (spec->pdeathsig > 0 &&
	    (prctl(PR_SET_PDEATHSIG, spec->pdeathsig) < 0 ||
	     getppid() != parent))
		_exit(fail);
	for (int fd = 0; fd < PROC_NFD; fd++) {
		int from = spec->fd[fd] == PROC_FD_NULL ? null_fd
			 : spec->fd[fd] == PROC_FD_OUT ? out[1]
			 : spec->fd[fd] == PROC_FD_ERR ? err[1] : -1;

		if (spec->fd[fd] != PROC_FD_KEEP && dup2(from, fd) < 0)
			_exit(fail);
	}
	if (spec->close_from > 0)
		close_range((unsigned)spec->close_from, ~0u, 0);
	if (spec->run) {
		spec->run(spec->arg);
		_exit(fail);
	}
	execve(spec->path, spec->argv, child_env);
	/* stderr is the pipe: the parent stores this as the log. */
	dprintf(2, "isolat: cannot execute %s: %s\n", spec->path,
		strerror(errno));
	_exit(127);
}

int proc_spawn(struct proc *p, const struct proc_spec *spec)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1}, null_fd = -1, rc = 0;
	int want[PROC_FD_ERR + 1] = {0};
	sigset_t all, old;
	pid_t pid, parent;

	memset(p, 0, sizeof(*p));
	p->out_fd = p->err_fd = -1;
	for (int fd = 0; fd < PROC_NFD; fd++)
		if (spec->fd[fd] <= PROC_FD_ERR)
			want[spec->fd[fd]] = 1;
	if ((want[PROC_FD_OUT] && pipe2(out, O_CLOEXEC) < 0) ||
	    (want[PROC_FD_ERR] && pipe2(err, O_CLOEXEC) < 0) ||
	    (want[PROC_FD_NULL] &&
	     (null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)) {
		rc = -errno;
		goto out;
	}
	/* Block signals across fork so the child cannot run our handlers
	 * before it has reset them. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	parent = getpid();
	pid = fork();
	if (pid == 0)
		child(spec, &old, null_fd, out, err, parent);
	if (pid < 0)
		rc = -errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (rc < 0)
		goto out;
	/* Also from the parent: no race with the child's own setpgid. */
	setpgid(pid, pid);
	p->pid = pid;
	p->out_fd = out[0];
	p->err_fd = err[0];
	out[0] = err[0] = -1;
out:
	close_pair(out);
	close_pair(err);
	if (null_fd >= 0)
		close(null_fd);
	return rc;
}

int proc_start(struct proc *p, const char *path, char *const argv[])
{
	const struct proc_spec spec = {
		.path = path,
		.argv = argv,
		.fd = {PROC_FD_KEEP, PROC_FD_OUT, PROC_FD_ERR},
	};

	return proc_spawn(p, &spec);
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
