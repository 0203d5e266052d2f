/*
 * wl_netlat.c - the netlat workload: UDP round trip across a network path.
 *
 * Two roles of one program:
 *
 *   initiator (the measured end, streams the wire format): one measuring
 *     thread on the one measured CPU, pinned, at the scenario's policy and
 *     priority, wakes on absolute CLOCK_MONOTONIC deadlines every
 *     interval_us like rtlat, sends one datagram and waits for its reply
 *     (at most --reply-timeout-us).  Series 0 is the round-trip time in ns.
 *     With --same-clock (both ends read one CLOCK_MONOTONIC: bare and lxc
 *     on one host) series 1 and 2 are the one-way times out and back,
 *     from the reflector's receive and send stamps in the reply.
 *   reflector (--role reflector, started by the harness in the peer's
 *     network namespace, harness/net/): pinned, same policy/priority,
 *     stamps and returns each datagram; sends nothing on the stream.
 *
 * A reply that does not come within the timeout is lost; one that comes
 * after it (an older sequence number) is late.  Both are counted by the
 * measuring thread and sent as events with the count by the drain loop -
 * never silent gaps.  Kernel receive timestamps (SO_TIMESTAMPING,
 * software) are used where the socket gives them: the time from the
 * kernel's receive to the initiator's wake-up is reported in END
 * (rx_wake_*), and HELLO says timestamping=software or none.
 *
 * --netns NAME moves the process into /run/netns/NAME first (isolat-*
 * names only: the harness made it).
 */
#include "workloads/wl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "workloads/ring.h"

#define NSEC_PER_SEC 1000000000LL
#define NETLAT_MAGIC 0x4e4c4154u /* "NLAT" */
#define NETLAT_RING (1u << 18)
#define NETLAT_SERIES_MAX 3

/* One datagram, both ways; stamps are CLOCK_MONOTONIC ns. */
struct netlat_pkt {
	uint32_t magic;
	uint32_t pad;
	uint64_t seq;
	uint64_t t_send;   /* initiator, before send */
	uint64_t t_rx;     /* reflector, after receive */
	uint64_t t_tx;     /* reflector, before send */
};

struct nmeas {
	const struct wl_opts *o;
	int fd;
	int tstamp;             /* SO_TIMESTAMPING is on */
	unsigned nseries;
	struct ring ring[NETLAT_SERIES_MAX];
	_Atomic int *stop;
	_Atomic uint64_t lost, late;
	/* Written by the thread before it stops running. */
	uint64_t loops_done, overruns, wake_sum, wake_n;
	uint32_t max[3], wake_max; /* per series: rtt, out, back */
};

struct netlat {
	struct wl_threads thr;
	const struct wl_opts *o;
	struct nmeas *m;
	struct wl_stage st[NETLAT_SERIES_MAX];
	struct wl_result res[NETLAT_SERIES_MAX];
	uint32_t *scratch;
	uint64_t lost_said, late_said;
};

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * NSEC_PER_SEC + (uint64_t)t.tv_nsec;
}

static uint64_t real_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * NSEC_PER_SEC + (uint64_t)t.tv_nsec;
}

static uint32_t clamp32(int64_t v)
{
	return v <= 0 ? 0 : v >= UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* "A.B.C.D:PORT" into sa; 0 or -EINVAL. */
int wl_netlat_addr(const char *s, struct sockaddr_in *sa)
{
	char host[32];
	const char *colon = s ? strrchr(s, ':') : NULL;
	char *end;
	unsigned long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	port = strtoul(colon + 1, &end, 10);
	if (*end || !colon[1] || port == 0 || port > 65535 ||
	    inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -EINVAL;
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

/* Into /run/netns/NAME (made by the harness); 0 or -errno. */
static int enter_netns(const char *name)
{
	char path[128];
	int fd, rc = 0;

	if (!name)
		return 0;
	if (strncmp(name, "isolat-", 7) || strchr(name, '/') ||
	    strlen(name) > 64)
		return -EINVAL;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int open_socket(const struct wl_opts *o, int *tstamp, char *why,
		       size_t whysz)
{
	struct sockaddr_in local, peer;
	int fd, flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;

	if (wl_netlat_addr(o->net_peer, &peer) < 0) {
		snprintf(why, whysz, "--peer '%s': expected A.B.C.D:PORT",
			 o->net_peer ? o->net_peer : "");
		return -EINVAL;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, whysz, "socket: %s", strerror(errno));
		return -errno;
	}
	if (o->net_bind && (wl_netlat_addr(o->net_bind, &local) < 0 ||
			    bind(fd, (struct sockaddr *)&local,
				 sizeof(local)) < 0)) {
		snprintf(why, whysz, "bind %s: %s", o->net_bind,
			 strerror(errno ? errno : EINVAL));
		close(fd);
		return -EINVAL;
	}
	if (connect(fd, (struct sockaddr *)&peer, sizeof(peer)) < 0) {
		snprintf(why, whysz, "connect %s: %s", o->net_peer,
			 strerror(errno));
		close(fd);
		return -EIO;
	}
	*tstamp = setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags,
			     sizeof(flags)) == 0;
	return fd;
}

/* Receive one datagram; *kts = the kernel's software receive stamp
 * (CLOCK_REALTIME ns) or 0.  Bytes, or -1. */
static ssize_t recv_pkt(int fd, struct netlat_pkt *p, uint64_t *kts)
{
	char ctl[256];
	struct iovec iov = {.iov_base = p, .iov_len = sizeof(*p)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

	*kts = 0;
	if (n <= 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SO_TIMESTAMPING) {
			struct timespec ts[3];

			memcpy(ts, CMSG_DATA(c), sizeof(ts));
			*kts = (uint64_t)ts[0].tv_sec * NSEC_PER_SEC +
			       (uint64_t)ts[0].tv_nsec;
		}
	return n;
}

/* Wait for the reply to seq until deadline (CLOCK_MONOTONIC ns): 0 with
 * *p filled, -ETIMEDOUT.  Older replies are late and counted. */
static int await_reply(struct nmeas *m, uint64_t seq, uint64_t deadline,
		       struct netlat_pkt *p, uint64_t *kts)
{
	for (;;) {
		uint64_t now = mono_ns();
		struct pollfd pfd = {.fd = m->fd, .events = POLLIN};
		int ms;

		if (now >= deadline)
			return -ETIMEDOUT;
		ms = (int)((deadline - now + 999999) / 1000000);
		if (poll(&pfd, 1, ms) <= 0)
			continue;
		while (recv_pkt(m->fd, p, kts) == (ssize_t)sizeof(*p)) {
			if (p->magic != NETLAT_MAGIC)
				continue;
			if (p->seq == seq)
				return 0;
			atomic_fetch_add_explicit(&m->late, 1,
						  memory_order_relaxed);
		}
	}
}

/*
 * The measuring loop: sleep to the deadline, send, wait for the reply,
 * push.  The syscalls here are the measurement (send, poll, recvmsg) and
 * the clock; no allocation, no lock, no stdio.
 */
static void measure(void *arg)
{
	struct nmeas *m = arg;
	const uint64_t interval = m->o->interval_us * 1000;
	const uint64_t timeout = m->o->net_reply_timeout_us * 1000;
	const uint64_t loops = m->o->loops;
	struct netlat_pkt p = {.magic = NETLAT_MAGIC};
	struct timespec next;
	uint64_t i, overruns = 0, dl = mono_ns() + interval;
	uint32_t max[3] = { 0 };

	for (i = 0; (loops == 0 || i < loops) &&
		    !atomic_load_explicit(m->stop, memory_order_relaxed);
	     i++) {
		uint64_t t0, t1, kts, t1r;
		struct netlat_pkt r;

		next.tv_sec = (time_t)(dl / NSEC_PER_SEC);
		next.tv_nsec = (long)(dl % NSEC_PER_SEC);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		p.seq = i;
		p.t_send = t0 = mono_ns();
		if (send(m->fd, &p, sizeof(p), 0) != (ssize_t)sizeof(p) ||
		    await_reply(m, i, t0 + timeout, &r, &kts) < 0) {
			atomic_fetch_add_explicit(&m->lost, 1,
						  memory_order_relaxed);
		} else {
			t1 = mono_ns();
			if (kts && m->tstamp) {
				t1r = real_ns();
				if (t1r > kts) {
					uint32_t w = clamp32((int64_t)(t1r - kts));

					m->wake_sum += w;
					m->wake_n++;
					if (w > m->wake_max)
						m->wake_max = w;
				}
			}
			uint32_t v = clamp32((int64_t)(t1 - t0));

			ring_push(&m->ring[0], v);
			if (v > max[0])
				max[0] = v;
			if (m->nseries == 3) {
				uint32_t out = clamp32((int64_t)(r.t_rx - t0));
				uint32_t back = clamp32((int64_t)(t1 - r.t_tx));

				ring_push(&m->ring[1], out);
				ring_push(&m->ring[2], back);
				if (out > max[1])
					max[1] = out;
				if (back > max[2])
					max[2] = back;
			}
		}
		dl += interval;
		/* Missed whole periods (a long wait): skip them. */
		for (uint64_t now = mono_ns(); now > dl; dl += interval)
			overruns++;
	}
	m->loops_done = i;
	m->overruns = overruns;
	memcpy(m->max, max, sizeof(m->max));
}

static void say_counts(struct netlat *t)
{
	uint64_t lost = atomic_load(&t->m->lost), late = atomic_load(&t->m->late);

	if (lost > t->lost_said) {
		wl_event(&t->thr.out, 0, WIRE_EV_NET_LOST,
			 clamp32((int64_t)(lost - t->lost_said)),
			 "%llu replies lost (no reply within %llu us; %llu "
			 "in all)", (unsigned long long)(lost - t->lost_said),
			 (unsigned long long)t->o->net_reply_timeout_us,
			 (unsigned long long)lost);
		t->lost_said = lost;
	}
	if (late > t->late_said) {
		wl_event(&t->thr.out, 0, WIRE_EV_NET_LATE,
			 clamp32((int64_t)(late - t->late_said)),
			 "%llu replies late (after their timeout; %llu in "
			 "all)", (unsigned long long)(late - t->late_said),
			 (unsigned long long)late);
		t->late_said = late;
	}
}

static void drain(void *ctx)
{
	struct netlat *t = ctx;
	struct wl_out *out = &t->thr.out;
	uint64_t now = wl_now_ns();

	for (unsigned s = 0; s < t->m->nseries; s++) {
		struct ring *r = &t->m->ring[s];
		uint64_t first, lost;
		uint32_t n;

		while ((n = ring_pop_run(r, t->scratch, WL_FRAME_VALUES,
					 &first, &lost)) > 0) {
			if (lost) {
				wl_stage_flush(out, &t->st[s], s);
				wl_event(out, s, WIRE_EV_RING_OVERFLOW,
					 clamp32((int64_t)lost), "series %u: "
					 "%llu samples lost: ring full", s,
					 (unsigned long long)lost);
			}
			wl_stage_put(out, &t->st[s], s, first, t->scratch, n);
		}
		wl_stage_tick(out, &t->st[s], s, now);
	}
	say_counts(t);
}

static void prio_event(struct wl_threads *thr, unsigned i)
{
	const struct wl_thread *th = &thr->th[i];

	wl_event(&thr->out, i, th->fail_kind, (uint32_t)th->fail_err,
		 "CPU %u: cannot get %s priority %d (got %s %d): %s",
		 th->cpu, wl_sched_name(thr->o->policy), thr->o->priority,
		 wl_sched_name(th->policy_got), th->prio_got,
		 th->fail_err ? strerror(th->fail_err) : "refused");
}

static const struct wl_threads_ops netlat_ops = {
	.thread_name = "netlat initiator thread",
	.fault_effect = "latency",
	.prefault_stack = 1,
	.measure = measure,
	.drain = drain,
	.prio_event = prio_event,
};

static void finish(struct netlat *t)
{
	struct nmeas *m = t->m;

	drain(t);
	for (unsigned s = 0; s < m->nseries; s++) {
		wl_stage_flush(&t->thr.out, &t->st[s], s);
		t->res[s].count = t->st[s].delivered;
		t->res[s].dropped = ring_dropped(&m->ring[s]);
		t->res[s].policy = t->thr.th[0].policy_got;
		t->res[s].priority = t->thr.th[0].prio_got;
		t->res[s].max = m->max[s];
	}
	t->res[0].overruns = m->overruns;
}

static void end_extras(struct netlat *t, struct wl_kv *kv)
{
	struct nmeas *m = t->m;

	if (!m)
		return;
	wl_kv_add(kv, "netlat.sent", "%llu", (unsigned long long)m->loops_done);
	wl_kv_add(kv, "netlat.lost", "%llu",
		  (unsigned long long)atomic_load(&m->lost));
	wl_kv_add(kv, "netlat.late", "%llu",
		  (unsigned long long)atomic_load(&m->late));
	if (m->wake_n) {
		wl_kv_add(kv, "netlat.rx_wake_avg_ns", "%llu",
			  (unsigned long long)(m->wake_sum / m->wake_n));
		wl_kv_add(kv, "netlat.rx_wake_max_ns", "%u", m->wake_max);
	}
}

static int setup(struct netlat *t, char *why, size_t whysz)
{
	struct nmeas *m;
	void *p = NULL;
	int rc;

	if (posix_memalign(&p, 64, sizeof(*t->m)))
		return -ENOMEM;
	memset(p, 0, sizeof(*t->m));
	t->m = m = p;
	m->fd = -1;
	m->o = t->o;
	m->stop = &t->thr.stop;
	m->nseries = t->o->net_same_clock ? 3 : 1;
	t->scratch = malloc(WL_FRAME_VALUES * sizeof(uint32_t));
	if (!t->scratch)
		return -ENOMEM;
	for (unsigned s = 0; s < m->nseries; s++) {
		if ((rc = ring_init(&m->ring[s], NETLAT_RING)) ||
		    (rc = wl_stage_init(&t->st[s])))
			return rc;
		t->res[s].policy = t->res[s].priority = -1;
	}
	rc = open_socket(t->o, &m->tstamp, why, whysz);
	if (rc < 0)
		return rc;
	m->fd = rc;
	return 0;
}

static void free_all(struct netlat *t)
{
	if (t->m) {
		for (unsigned s = 0; s < t->m->nseries; s++) {
			ring_free(&t->m->ring[s]);
			wl_stage_free(&t->st[s]);
		}
		if (t->m->fd >= 0)
			close(t->m->fd);
	}
	free(t->m);
	free(t->scratch);
	wl_threads_free(&t->thr);
}

static void hello(struct netlat *t, struct wl_kv *kv)
{
	const struct wl_opts *o = t->o;
	struct wl_series_desc sd[NETLAT_SERIES_MAX] = {
		{o->cpus.cpu[0], "ns", "latency"},
		{o->cpus.cpu[0], "ns", "oneway"},
		{o->cpus.cpu[0], "ns", "oneway"},
	};

	wl_facts_hello_series(kv, o, sd, o->net_same_clock ? 3 : 1);
	wl_kv_add(kv, "netlat.peer", "%s", o->net_peer ? o->net_peer : "");
	wl_kv_add(kv, "netlat.netns", "%s", o->net_netns ? o->net_netns
							 : "(as started)");
	wl_kv_add(kv, "netlat.reply_timeout_us", "%llu",
		  (unsigned long long)o->net_reply_timeout_us);
	wl_kv_add(kv, "netlat.series", "%s", o->net_same_clock
		  ? "0 rtt, 1 one-way out, 2 one-way back" : "0 rtt");
	wl_kv_add(kv, "netlat.timestamping", "%s",
		  t->m && t->m->tstamp ? "software" : "none");
}

int wl_run_netlat(const struct wl_opts *o)
{
	struct netlat t = {.o = o};
	struct wl_kv kv;
	char why[256] = "";
	int rc, nrc;

	if (o->net_reflector)
		return wl_netlat_reflect(o);
	wl_threads_init(&t.thr, o, &netlat_ops, &t);
	nrc = enter_netns(o->net_netns);
	if (nrc < 0)
		snprintf(why, sizeof(why), "cannot enter network namespace "
			 "%s: %s", o->net_netns, strerror(-nrc));
	else if ((nrc = setup(&t, why, sizeof(why))) < 0 && !why[0])
		snprintf(why, sizeof(why), "%s", strerror(-nrc));
	wl_kv_init(&kv);
	hello(&t, &kv);
	if (wl_threads_hello(&t.thr, &kv))
		return free_all(&t), WL_EXIT_ERROR;
	if (nrc < 0) {
		wl_event(&t.thr.out, WIRE_NO_SERIES, WIRE_EV_ERROR,
			 (uint32_t)-nrc, "%s", why);
		t.thr.failed = 1;
		goto end;
	}
	if (wl_threads_prepare(&t.thr))
		goto end;
	if ((rc = wl_threads_alloc(&t.thr, t.m, sizeof(*t.m)))) {
		wl_event(&t.thr.out, WIRE_NO_SERIES, WIRE_EV_ERROR,
			 (uint32_t)-rc, "cannot allocate: %s", strerror(-rc));
		t.thr.failed = 1;
		goto end;
	}
	wl_threads_run(&t.thr);
	finish(&t);
end:
	wl_kv_init(&kv);
	end_extras(&t, &kv);
	wl_threads_end(&t.thr, t.res, t.m && t.thr.th ? t.m->nseries : 0, &kv);
	wl_kv_free(&kv);
	free_all(&t);
	return wl_threads_exit(&t.thr);
}
