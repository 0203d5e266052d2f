/*
 * wl_load.c - a background load started by isolat-wl itself, so that it
 * runs where the workload runs: in the container's namespaces and cgroup
 * (a tenant like the workload), or in the guest (harness/host/load_run.h,
 * load_side = inside).
 *
 *   --load ARG (repeated)  the stress-ng argv, checked with
 *                          load_argv_check() (loadargv.h), argv[0]
 *                          resolved in load_program_dirs
 *   --load-settle-s N      how long it runs before the measurement
 *
 * Started in its own process group, stdin /dev/null, stdout and stderr
 * into a memfd (nothing to drain while measuring, nothing left on any
 * file system), with the affinity and signal mask isolat-wl started with
 * (its --taskset places it), and SIGKILL should isolat-wl die.  After
 * the settle time HELLO carries load.inside.* (argv as executed, pid,
 * pidns, cgroup, allowed CPUs); the measurement's end stops it - SIGTERM
 * to the group, so stress-ng prints its metrics, SIGKILL after
 * WL_LOAD_STOP_MS - and END carries load.exit and load.metrics.N (one
 * line of its output each).
 */
#include "workloads/wl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_LOAD_STOP_MS 5000
#define WL_LOAD_OUT_KEEP 8192   /* tail of stress-ng's output reported */
#define WL_LOAD_LINES_MAX 64

int wl_load_add_arg(struct wl_load *l, char *arg)
{
	if (l->argc >= LOAD_ARGV_MAX)
		return -E2BIG;
	l->argv[l->argc++] = arg;
	l->argv[l->argc] = NULL;
	return 0;
}

int wl_load_check(struct wl_load *l, char *why, size_t whysz)
{
	int rc = load_argv_check(l->argv, l->argc, why, whysz);

	if (rc < 0)
		return rc;
	for (unsigned i = 0; load_program_dirs[i]; i++) {
		snprintf(l->path, sizeof(l->path), "%s/%s",
			 load_program_dirs[i], LOAD_PROGRAM);
		if (access(l->path, X_OK) == 0)
			return 0;
	}
	snprintf(why, whysz, "%s not found in /usr/bin, /usr/local/bin, /bin "
		 "or /usr/sbin here", LOAD_PROGRAM);
	l->path[0] = '\0';
	return -ENOENT;
}

/* Child: own group, output into the memfd, as isolat-wl started. */
static __attribute__((noreturn)) void load_child(const struct wl_load *l,
						 const struct wl_opts *o)
{
	extern char **environ;
	int null = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	/* Nothing may outlive isolat-wl (a killed workload, a crash); if it
	 * died before the prctl, the signal would never come. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != l->parent)
		_exit(127);
	if (null >= 0)
		dup2(null, STDIN_FILENO);
	dup2(l->out_fd, STDOUT_FILENO);
	dup2(l->out_fd, STDERR_FILENO);
	sched_setaffinity(0, sizeof(o->orig_affinity), &o->orig_affinity);
	sigprocmask(SIG_SETMASK, &o->orig_sigmask, NULL);
	execve(l->path, l->argv, environ);
	dprintf(STDERR_FILENO, "cannot execute %s: %s\n", l->path,
		strerror(errno));
	_exit(127);
}

int wl_load_start(struct wl_load *l, const struct wl_opts *o)
{
	l->out_fd = memfd_create("isolat-load", MFD_CLOEXEC);
	if (l->out_fd < 0)
		return -errno;
	l->parent = getpid();
	l->pid = fork();
	if (l->pid == 0)
		load_child(l, o);
	if (l->pid < 0) {
		int e = errno;

		close(l->out_fd);
		l->out_fd = -1;
		return -e;
	}
	/* Also here: the group exists before anyone signals it. */
	setpgid(l->pid, l->pid);
	return 0;
}

/* The last WL_LOAD_OUT_KEEP bytes of its output, NUL-terminated. */
static void load_output(const struct wl_load *l, char *buf, size_t size)
{
	off_t end = l->out_fd >= 0 ? lseek(l->out_fd, 0, SEEK_END) : -1;
	off_t from = end > (off_t)size - 1 ? end - ((off_t)size - 1) : 0;
	ssize_t n = end > 0 ? pread(l->out_fd, buf, size - 1, from) : 0;

	buf[n > 0 ? n : 0] = '\0';
}

/*
 * Reap the load once it has ended (flags: WNOHANG or 0).  Its stressors
 * are killed while the leader is still a zombie: until it is reaped its
 * PID stays reserved as the group ID, so kill(-pid) cannot reach a group
 * that later reused the number.
 */
static int reap(struct wl_load *l, int flags)
{
	siginfo_t si;
	int st;
	pid_t r;

	if (l->reaped)
		return 1;
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)l->pid, &si, WEXITED | WNOWAIT | flags) < 0)
		if (errno != EINTR)
			return 0;
	if (si.si_pid != l->pid)
		return 0; /* WNOHANG: still running */
	kill(-l->pid, SIGKILL);
	while ((r = waitpid(l->pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r == l->pid) {
		l->reaped = 1;
		l->status = st;
		return 1;
	}
	return 0;
}

int wl_load_settle(struct wl_load *l, const struct wl_opts *o)
{
	uint64_t until = wl_now_ns() + (uint64_t)l->settle_s * 1000000000ull;
	char out[1024];

	/* At least one look: a stress-ng that rejects its arguments ends at
	 * once, and a measurement without its load must not pass. */
	do {
		struct timespec ts = {0, 100 * 1000000L};
		siginfo_t si;

		if (sigtimedwait(&o->stop_sigs, &si, &ts) > 0) {
			fprintf(stderr, "isolat-wl: signal %d while the load "
				"settled\n", si.si_signo);
			return -EINTR;
		}
		if (reap(l, WNOHANG)) {
			load_output(l, out, sizeof(out));
			fprintf(stderr, "isolat-wl: load: %s ended before the "
				"measurement (wait status 0x%x): %s\n",
				l->path, l->status, out);
			return -ECHILD;
		}
	} while (wl_now_ns() < until);
	return 0;
}

void wl_load_hello(const struct wl_load *l, struct wl_kv *kv)
{
	char buf[4096], path[64];
	size_t len = 0;
	cpu_set_t set;
	ssize_t n;

	len += (size_t)snprintf(buf, sizeof(buf), "%s", l->path);
	for (unsigned i = 1; i < l->argc && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s",
					l->argv[i]);
	wl_kv_add(kv, "load.inside.argv", "%s", buf);
	wl_kv_add(kv, "load.inside.settle_s", "%u", l->settle_s);
	wl_kv_add(kv, "load.inside.pid", "%ld", (long)l->pid);
	snprintf(path, sizeof(path), "/proc/%ld/ns/pid", (long)l->pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		wl_kv_add(kv, "load.inside.pidns", "%s", buf);
	}
	/* The same first line the HELLO "cgroup" fact holds: equal when
	 * the load is the container's tenant like the workload. */
	snprintf(path, sizeof(path), "/proc/%ld/cgroup", (long)l->pid);
	{
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			wl_kv_add(kv, "load.inside.cgroup", "%s", buf);
		}
	}
	/* stress-ng applied --taskset by now: where it may run. */
	if (sched_getaffinity(l->pid, sizeof(set), &set) == 0) {
		struct cpulist cl = {0};

		for (unsigned c = 0; c < CPULIST_MAX && c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cl.cpu[cl.n++] = (unsigned short)c;
		if (cpulist_format(&cl, buf, sizeof(buf)) == 0)
			wl_kv_add(kv, "load.inside.cpus", "%s", buf);
	}
}

void wl_load_stop(struct wl_load *l, struct wl_kv *kv)
{
	static char out[WL_LOAD_OUT_KEEP + 1];
	char key[64];
	unsigned nl = 0;

	if (!l || l->pid <= 0 || l->stopped)
		return;
	l->stopped = 1;
	if (!l->reaped) {
		kill(-l->pid, SIGTERM);
		for (int ms = 0; ms < WL_LOAD_STOP_MS && !reap(l, WNOHANG);
		     ms += 20)
			poll(NULL, 0, 20);
		if (!l->reaped) {
			kill(-l->pid, SIGKILL);
			reap(l, 0);
		}
	}
	if (kv) {
		if (WIFEXITED(l->status))
			wl_kv_add(kv, "load.exit", "exit status %d",
				  WEXITSTATUS(l->status));
		else if (WIFSIGNALED(l->status))
			wl_kv_add(kv, "load.exit", "killed by signal %d",
				  WTERMSIG(l->status));
		load_output(l, out, sizeof(out));
		for (char *s = out, *e; *s && nl < WL_LOAD_LINES_MAX;
		     s = e + 1) {
			e = strchr(s, '\n');
			if (!e)
				e = s + strlen(s) - 1;
			else
				*e = '\0';
			snprintf(key, sizeof(key), "load.metrics.%u", nl++);
			wl_kv_add(kv, key, "%s", s);
			if (!e[1])
				break;
		}
	}
	close(l->out_fd);
	l->out_fd = -1;
}
