/*
 * wl_spin.c - the spin workload: throughput and OS noise (oslat / osnoise
 * semantics) on every measured CPU.
 *
 * One busy thread per measured CPU, pinned, with the requested policy and
 * priority (same two-phase setup as rtlat: nothing is measured unless every
 * thread got its CPU and priority).  The thread repeats a fixed work unit
 * (a short xorshift chain, ~tens of ns) and reads CLOCK_MONOTONIC (vDSO)
 * after each one:
 *
 *   - throughput: units completed per window (--interval-us, default
 *     1000 us); one sample per window, sequence = window index.  A gap that
 *     swallows whole windows yields 0 for each of them (no work was done).
 *     --loops / --duration-s count windows.
 *   - noise: whenever two consecutive clock reads are further apart than
 *     --noise-threshold-ns (default 1000), the gap length in ns is one
 *     noise sample (it includes one work unit, a few tens of ns);
 *     sequence = noise event index.
 *
 * Series: i = throughput of CPU cpus[i] (unit ops, kind throughput),
 * n + i = noise of CPU cpus[i] (unit ns, kind noise).  The loop makes no
 * syscall besides the vDSO clock read, allocates nothing and pushes into
 * two SPSC rings (ring.h) that the main thread drains on the housekeeping
 * CPU.  Counters (wl_counters.c) go into END.
 */
#include "workloads/wl.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "workloads/ring.h"

#define DRAIN_NS 5000000L
#define THREAD_STACK (512 * 1024)
#define RING_CAP (1u << 16)   /* per ring; drained every 5 ms */
#define WORK_ROUNDS 16

enum { GO_WAIT, GO_RUN, GO_ABORT };

struct spin_meas {
	const struct wl_opts *o;
	struct wl_counters *ctr;
	unsigned idx, cpu;
	struct ring tput, noise;
	_Atomic int *go, *stop;
	_Atomic unsigned *ready, *running;
	_Atomic pid_t tid;
	unsigned fail_kind;
	int fail_err, policy_got, prio_got;
	uint64_t windows, skipped, noise_n, sink;
	uint32_t max_units, max_noise;
};

struct spin {
	const struct wl_opts *o;
	struct wl_out out;
	struct wl_counters ctr;
	struct spin_meas *m;
	struct wl_stage *st;      /* [2n] */
	struct wl_result *res;    /* [2n] */
	uint32_t *scratch;
	pthread_t *tid;
	unsigned n, started;
	_Atomic int go, stop;
	_Atomic unsigned ready, running;
	int failed, interrupted;
};

static inline uint64_t clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The fixed unit of work: a dependent chain the compiler cannot fold. */
static inline uint64_t work_unit(uint64_t x)
{
	for (int i = 0; i < WORK_ROUNDS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

/* The measuring loop: work, read the clock, push.  Nothing else. */
static void measure(struct spin_meas *m)
{
	const uint64_t win = m->o->interval_us * 1000ull;
	const uint64_t thr = m->o->noise_threshold_ns, loops = m->o->loops;
	uint64_t x = 0x9e3779b97f4a7c15ull ^ m->cpu, units = 0, w = 0;
	uint64_t skipped = 0, noise_n = 0;
	uint32_t max_units = 0, max_noise = 0;
	uint64_t prev = clock_ns(), wend = prev + win;

	while (loops == 0 || w < loops) {
		uint64_t t, gap;

		x = work_unit(x);
		units++;
		t = clock_ns();
		gap = t - prev;
		prev = t;
		if (gap > thr) {
			uint32_t v = gap > UINT32_MAX ? UINT32_MAX
						      : (uint32_t)gap;

			ring_push(&m->noise, v);
			noise_n++;
			if (v > max_noise)
				max_noise = v;
		}
		if (t < wend)
			continue;
		{
			uint32_t u = units > UINT32_MAX ? UINT32_MAX
							: (uint32_t)units;

			ring_push(&m->tput, u);
			if (u > max_units)
				max_units = u;
		}
		units = 0;
		w++;
		wend += win;
		/* Windows that passed entirely inside one gap did no work. */
		while (t >= wend && (loops == 0 || w < loops)) {
			ring_push(&m->tput, 0);
			skipped++;
			w++;
			wend += win;
		}
		if (atomic_load_explicit(m->stop, memory_order_relaxed))
			break;
	}
	m->windows = w;
	m->skipped = skipped;
	m->noise_n = noise_n;
	m->max_units = max_units;
	m->max_noise = max_noise;
	m->sink = x;
}

static void *meas_thread(void *arg)
{
	struct spin_meas *m = arg;
	const struct wl_opts *o = m->o;
	struct sched_param sp = { .sched_priority = o->priority };
	struct rusage ru0, ru1;
	sigset_t all;
	cpu_set_t set;
	int rc, go;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	atomic_store(&m->tid, (pid_t)syscall(SYS_gettid));
	CPU_ZERO(&set);
	CPU_SET(m->cpu, &set);
	rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (rc) {
		m->fail_kind = WIRE_EV_AFFINITY_FAILED;
		m->fail_err = rc;
	} else if ((rc = pthread_setschedparam(pthread_self(), o->policy,
					       &sp))) {
		m->fail_kind = WIRE_EV_PRIO_FAILED;
		m->fail_err = rc;
	}
	m->policy_got = sched_getscheduler(0);
	m->prio_got = sched_getparam(0, &sp) == 0 ? sp.sched_priority : -1;
	if (!m->fail_kind &&
	    (m->policy_got != o->policy || m->prio_got != o->priority))
		m->fail_kind = WIRE_EV_PRIO_FAILED;
	atomic_fetch_add(m->ready, 1);
	while ((go = atomic_load(m->go)) == GO_WAIT) {
		struct timespec ts = { 0, 50000 };

		nanosleep(&ts, NULL);
	}
	if (go == GO_RUN) {
		getrusage(RUSAGE_THREAD, &ru0);
		measure(m);
		getrusage(RUSAGE_THREAD, &ru1);
		wl_counters_ctxsw(m->ctr, m->idx, &ru0, &ru1);
	}
	atomic_fetch_sub(m->running, 1);
	return NULL;
}

static void free_all(struct spin *s)
{
	for (unsigned i = 0; s->m && i < s->n; i++) {
		ring_free(&s->m[i].tput);
		ring_free(&s->m[i].noise);
	}
	for (unsigned i = 0; s->st && i < 2 * s->n; i++)
		wl_stage_free(&s->st[i]);
	free(s->m);
	free(s->st);
	free(s->res);
	free(s->tid);
	free(s->scratch);
	wl_counters_free(&s->ctr);
}

static int alloc_all(struct spin *s)
{
	void *p = NULL;

	if (posix_memalign(&p, 64, s->n * sizeof(*s->m)))
		return -ENOMEM;
	memset(p, 0, s->n * sizeof(*s->m));
	s->m = p;
	s->st = calloc(2 * s->n, sizeof(*s->st));
	s->res = calloc(2 * s->n, sizeof(*s->res));
	s->tid = calloc(s->n, sizeof(*s->tid));
	s->scratch = malloc(WL_FRAME_VALUES * sizeof(uint32_t));
	if (!s->st || !s->res || !s->tid || !s->scratch)
		return -ENOMEM;
	for (unsigned i = 0; i < 2 * s->n; i++) {
		int rc = wl_stage_init(&s->st[i]);

		if (rc)
			return rc;
		s->res[i].policy = s->res[i].priority = -1;
	}
	for (unsigned i = 0; i < s->n; i++) {
		struct spin_meas *m = &s->m[i];
		int rc = ring_init(&m->tput, RING_CAP);

		if (rc || (rc = ring_init(&m->noise, RING_CAP)))
			return rc;
		m->o = s->o;
		m->ctr = &s->ctr;
		m->idx = i;
		m->cpu = s->o->cpus.cpu[i];
		m->go = &s->go;
		m->stop = &s->stop;
		m->ready = &s->ready;
		m->running = &s->running;
	}
	return 0;
}

static int start_threads(struct spin *s)
{
	pthread_attr_t attr;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	atomic_store(&s->running, s->n);
	for (s->started = 0; s->started < s->n; s->started++) {
		rc = pthread_create(&s->tid[s->started], &attr, meas_thread,
				    &s->m[s->started]);
		if (rc) {
			atomic_fetch_sub(&s->running, s->n - s->started);
			wl_event(&s->out, s->started, WIRE_EV_ERROR,
				 (uint32_t)rc, "cannot start the spin thread "
				 "for CPU %u: %s", s->m[s->started].cpu,
				 strerror(rc));
			pthread_attr_destroy(&attr);
			return -rc;
		}
	}
	pthread_attr_destroy(&attr);
	return 0;
}

/* Every thread reported: check, start its perf counters, go or abort. */
static void check_setup(struct spin *s)
{
	const struct wl_opts *o = s->o;

	while (atomic_load(&s->ready) < s->started) {
		struct timespec ts = { 0, 100000 };

		nanosleep(&ts, NULL);
	}
	for (unsigned i = 0; i < s->started; i++) {
		const struct spin_meas *m = &s->m[i];

		s->res[i].policy = s->res[s->n + i].policy = m->policy_got;
		s->res[i].priority = s->res[s->n + i].priority = m->prio_got;
		if (m->fail_kind == WIRE_EV_AFFINITY_FAILED)
			wl_event(&s->out, i, m->fail_kind, (uint32_t)m->fail_err,
				 "cannot pin the spin thread to CPU %u: %s",
				 m->cpu, strerror(m->fail_err));
		else if (m->fail_kind)
			wl_event(&s->out, i, m->fail_kind,
				 (uint32_t)m->fail_err, "CPU %u: asked for %s "
				 "priority %d, got %s priority %d%s%s", m->cpu,
				 wl_sched_name(o->policy), o->priority,
				 wl_sched_name(m->policy_got), m->prio_got,
				 m->fail_err ? ": " : "",
				 m->fail_err ? strerror(m->fail_err) : "");
		if (m->fail_kind)
			s->failed = 1;
		else
			wl_counters_thread(&s->ctr, i, atomic_load(&m->tid));
	}
	if (s->started < s->n)
		s->failed = 1;
	atomic_store(&s->go, s->failed ? GO_ABORT : GO_RUN);
}

static void drain_ring(struct spin *s, struct ring *r, unsigned series,
		       unsigned cpu, uint64_t now)
{
	uint64_t first, lost;
	uint32_t n;

	while ((n = ring_pop_run(r, s->scratch, WL_FRAME_VALUES, &first,
				 &lost)) > 0) {
		if (lost) {
			wl_stage_flush(&s->out, &s->st[series], series);
			wl_event(&s->out, series, WIRE_EV_RING_OVERFLOW,
				 lost > UINT32_MAX ? UINT32_MAX : (uint32_t)lost,
				 "CPU %u: %llu values lost before %llu: ring "
				 "full", cpu, (unsigned long long)lost,
				 (unsigned long long)first);
		}
		wl_stage_put(&s->out, &s->st[series], series, first,
			     s->scratch, n);
	}
	wl_stage_tick(&s->out, &s->st[series], series, now);
}

static void drain(struct spin *s)
{
	uint64_t now = wl_now_ns();

	for (unsigned i = 0; i < s->n; i++) {
		drain_ring(s, &s->m[i].tput, i, s->m[i].cpu, now);
		drain_ring(s, &s->m[i].noise, s->n + i, s->m[i].cpu, now);
	}
}

static void run_loop(struct spin *s)
{
	const struct timespec tick = { 0, DRAIN_NS };

	while (atomic_load(&s->running) > 0) {
		int sig = sigtimedwait(&s->o->stop_sigs, NULL, &tick);

		if (sig > 0 && !s->interrupted) {
			fprintf(stderr, "isolat-wl: %s: stopping\n",
				strsignal(sig));
			s->interrupted = 1;
			atomic_store(&s->stop, 1);
		}
		drain(s);
		if (s->out.err)
			atomic_store(&s->stop, 1);
	}
}

static void finish(struct spin *s)
{
	for (unsigned i = 0; i < s->started; i++)
		pthread_join(s->tid[i], NULL);
	drain(s);
	for (unsigned i = 0; i < s->n; i++) {
		struct spin_meas *m = &s->m[i];
		struct wl_result *rt = &s->res[i], *rn = &s->res[s->n + i];

		wl_stage_flush(&s->out, &s->st[i], i);
		wl_stage_flush(&s->out, &s->st[s->n + i], s->n + i);
		rt->count = s->st[i].delivered;
		rt->dropped = ring_dropped(&m->tput);
		rt->overruns = m->skipped;
		rt->max = m->max_units;
		rn->count = s->st[s->n + i].delivered;
		rn->dropped = ring_dropped(&m->noise);
		rn->max = m->max_noise;
	}
}

int wl_run_spin(const struct wl_opts *o)
{
	struct spin s = { .o = o, .n = o->cpus.n };
	struct wl_series_desc sd[2 * CPULIST_MAX];
	struct wl_kv kv;
	const char *status;
	int rc;

	s.out.fd = o->out_fd;
	for (unsigned i = 0; i < s.n; i++) {
		sd[i] = (struct wl_series_desc){ o->cpus.cpu[i], "ops",
						 "throughput" };
		sd[s.n + i] = (struct wl_series_desc){ o->cpus.cpu[i], "ns",
						       "noise" };
	}
	wl_kv_init(&kv);
	wl_facts_hello_series(&kv, o, sd, 2 * s.n);
	wl_kv_add(&kv, "window_us", "%llu",
		  (unsigned long long)o->interval_us);
	wl_kv_add(&kv, "noise_threshold_ns", "%llu",
		  (unsigned long long)o->noise_threshold_ns);
	wl_kv_add(&kv, "work_unit", "xorshift64 x %d", WORK_ROUNDS);
	rc = wl_kv_send(&s.out, WIRE_HELLO, &kv);
	wl_kv_free(&kv);
	if (rc) {
		fprintf(stderr, "isolat-wl: cannot send HELLO: %s\n",
			strerror(-rc));
		return WL_EXIT_ERROR;
	}
	if (wl_pin_housekeeping(&s.out, o)) {
		s.failed = 1;
		goto end;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		wl_event(&s.out, WIRE_NO_SERIES, WIRE_EV_MLOCK_FAILED,
			 (uint32_t)errno, "mlockall: %s; page faults may show "
			 "up as noise", strerror(errno));
	if ((rc = alloc_all(&s)) || (rc = wl_counters_begin(&s.ctr, o))) {
		wl_event(&s.out, WIRE_NO_SERIES, WIRE_EV_ERROR, (uint32_t)-rc,
			 "cannot allocate: %s", strerror(-rc));
		s.failed = 1;
		goto end;
	}
	if (start_threads(&s))
		s.failed = 1;
	check_setup(&s);
	run_loop(&s);
	finish(&s);
end:
	if (s.out.err) {
		free_all(&s);
		return WL_EXIT_ERROR;
	}
	status = s.failed ? "error" : s.interrupted ? "interrupted" : "ok";
	wl_kv_init(&kv);
	if (s.ctr.thr)
		wl_counters_end(&s.ctr, &kv);
	wl_send_end_kv(&s.out, status, s.res, s.res ? 2 * s.n : 0, &kv);
	wl_kv_free(&kv);
	free_all(&s);
	if (s.out.err || s.failed)
		return WL_EXIT_ERROR;
	return s.interrupted ? WL_EXIT_INTERRUPTED : WL_EXIT_OK;
}
