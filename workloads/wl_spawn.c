/*
 * wl_spawn.c - starting other programs from isolat-wl (today: rt-tests
 * cyclictest) safely: fork + execv with an argv, never a shell; stdin
 * from /dev/null; stdout/stderr into pipes; and the CPU affinity and
 * signal mask isolat-wl itself started with, not the housekeeping pinning
 * and blocked signals of its main thread.
 */
#include "workloads/wl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Child side of a spawn: stdin from /dev/null, stdout and stderr into
 * the pipes, the affinity and signal mask isolat-wl started with. */
static void child_exec(const struct wl_opts *o, const char *path,
		       char *const argv[], int out_w, int err_w)
{
	int null = open("/dev/null", O_RDONLY);

	if (null >= 0)
		dup2(null, STDIN_FILENO);
	dup2(out_w, STDOUT_FILENO);
	dup2(err_w, STDERR_FILENO);
	sched_setaffinity(0, sizeof(o->orig_affinity), &o->orig_affinity);
	sigprocmask(SIG_SETMASK, &o->orig_sigmask, NULL);
	execv(path, argv);
	dprintf(STDERR_FILENO, "cannot execute %s: %s\n", path,
		strerror(errno));
	_exit(127);
}

/* fork + execv; *out_r / *err_r get the read ends (err_r NULL: merged). */
pid_t wl_spawn(const struct wl_opts *o, const char *path,
		   char *const argv[], int *out_r, int *err_r)
{
	int op[2], ep[2] = { -1, -1 };
	pid_t pid;

	if (pipe2(op, O_CLOEXEC))
		return -errno;
	if (err_r && pipe2(ep, O_CLOEXEC)) {
		int e = errno;

		close(op[0]);
		close(op[1]);
		return -e;
	}
	pid = fork();
	if (pid == 0)
		child_exec(o, path, argv, op[1], err_r ? ep[1] : op[1]);
	close(op[1]);
	if (err_r)
		close(ep[1]);
	if (pid < 0) {
		int e = errno;

		close(op[0]);
		if (err_r)
			close(ep[0]);
		return -e;
	}
	*out_r = op[0];
	if (err_r)
		*err_r = ep[0];
	return pid;
}

int wl_wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

int wl_capture(const struct wl_opts *o, const char *path, char *const argv[],
	       char *buf, size_t size)
{
	size_t len = 0;
	int fd;
	pid_t pid = wl_spawn(o, path, argv, &fd, NULL);

	if (!size)
		return -EINVAL;
	buf[0] = '\0';
	if (pid < 0)
		return (int)pid;
	while (len < size - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 5000) <= 0) {
			kill(pid, SIGKILL); /* a query must never hang us */
			break;
		}
		r = read(fd, buf + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	close(fd);
	return wl_wait_child(pid);
}
