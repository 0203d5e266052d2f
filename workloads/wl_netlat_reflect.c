/*
 * wl_netlat_reflect.c - netlat's reflector (isolat-wl netlat --role
 * reflector): the far end of the round trip, started by the harness in
 * the peer's network namespace (harness/net/net_case.c).
 *
 * Pinned to its one CPU at the scenario's policy and priority, memory
 * locked; it stamps each datagram (CLOCK_MONOTONIC receive and send time,
 * for the one-way times) and sends it back.  It writes "ready" on its
 * output once bound, so the harness starts the initiator only then, and
 * ends on SIGTERM/SIGINT (a signalfd beside the socket).
 */
#include "workloads/wl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NETLAT_MAGIC 0x4e4c4154u

struct netlat_pkt {
	uint32_t magic;
	uint32_t pad;
	uint64_t seq;
	uint64_t t_send;
	uint64_t t_rx;
	uint64_t t_tx;
};

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int fail(const char *what, int e)
{
	fprintf(stderr, "isolat-wl netlat reflector: %s: %s\n", what,
		strerror(e));
	return WL_EXIT_ERROR;
}

static int place(const struct wl_opts *o)
{
	struct sched_param sp = {.sched_priority = o->priority};
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(o->cpus.cpu[0], &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	if (sched_setscheduler(0, o->policy, &sp) < 0)
		return -errno;
	/* Page faults would show up as latency; not fatal. */
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		fprintf(stderr, "isolat-wl netlat reflector: mlockall: %s\n",
			strerror(errno));
	return 0;
}

static int reflect_loop(int fd, int sfd)
{
	struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN},
				{.fd = sfd, .events = POLLIN}};
	uint64_t n = 0;

	for (;;) {
		struct netlat_pkt p;
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t r;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return fail("poll", errno);
		if (pfd[1].revents)
			break;
		while ((r = recvfrom(fd, &p, sizeof(p), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl)) > 0) {
			if (r != (ssize_t)sizeof(p) || p.magic != NETLAT_MAGIC)
				continue;
			p.t_rx = mono_ns();
			p.t_tx = mono_ns();
			sendto(fd, &p, sizeof(p), 0, (struct sockaddr *)&from,
			       fl);
			n++;
			fl = sizeof(from);
		}
	}
	fprintf(stderr, "isolat-wl netlat reflector: %llu replies sent\n",
		(unsigned long long)n);
	return WL_EXIT_OK;
}

int wl_netlat_reflect(const struct wl_opts *o)
{
	struct sockaddr_in local;
	int fd, sfd, rc;

	if (o->net_netns) {
		char path[128];
		int nfd;

		if (strncmp(o->net_netns, "isolat-", 7) ||
		    strchr(o->net_netns, '/'))
			return fail(o->net_netns, EINVAL);
		snprintf(path, sizeof(path), "/run/netns/%s", o->net_netns);
		nfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nfd < 0 || setns(nfd, CLONE_NEWNET) < 0)
			return fail(path, errno);
		close(nfd);
	}
	if (wl_netlat_addr(o->net_bind, &local) < 0)
		return fail("--bind: expected A.B.C.D:PORT", EINVAL);
	if ((rc = place(o)) < 0)
		return fail("CPU / priority", -rc);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0)
		return fail(o->net_bind, errno);
	sfd = signalfd(-1, &o->stop_sigs, SFD_CLOEXEC);
	if (sfd < 0)
		return fail("signalfd", errno);
	if (write(o->out_fd, "ready\n", 6) != 6)
		return fail("writing ready", errno);
	rc = reflect_loop(fd, sfd);
	close(fd);
	close(sfd);
	return rc;
}
