/*
 * wl_rtlat.c - the rtlat workload: isolat's own cyclictest.
 *
 * One measuring thread per measured CPU, pinned, with the requested policy
 * and priority, sleeping on absolute CLOCK_MONOTONIC deadlines; latency =
 * actual wake-up - intended wake-up, pushed into a per-thread SPSC ring
 * (ring.h).  The main thread, pinned on the housekeeping CPU, drains the
 * rings every few milliseconds and writes frames (wl_writer.c).  Thread
 * setup (two phases: nothing is measured unless every thread got its CPU
 * and priority), the drain loop and END are wl_threads.c's.
 *
 * --trace-threshold-us (cyclictest -b): a latency above it writes '0' to
 * tracefs tracing_on (fd opened before measuring; that one write() on the
 * rare break path is the only extra syscall), and every thread stops.  END
 * says trace_stop=yes, trace_stop_cpu, trace_stop_latency_ns; the harness
 * (harness/host/trace.c) stores the frozen ring.  Counters (wl_counters.c) are
 * sent in END as for spin.
 *
 * Min means what cyclictest's means when cyclictest keeps its main thread
 * off the measured CPU (--mainaffinity=HK, as wl_cyclictest.c runs it):
 * the fastest single wake-up of an otherwise idle CPU.  The clock is read
 * as cyclictest reads it (clock_gettime right after clock_nanosleep
 * returns), SCHED_FIFO tasks get no timer slack, the first wake-up is an
 * ordinary sample, and the drain thread runs on the housekeeping CPU.  A
 * standalone `cyclictest -a1` without --mainaffinity leaves its own main
 * thread on CPU 1: its wake-ups sometimes coincide with the timer, the CPU
 * is then already awake, and those few samples set a lower Min (measured:
 * docs/reports.md, "Min").
 */
#include "workloads/wl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workloads/ring.h"

#define NSEC_PER_SEC 1000000000LL
#define RING_MIN (1u << 16)          /* 65 s at the default 1 kHz */
#define RING_MAX (1u << 24)

struct meas {
	const struct wl_opts *o;
	unsigned cpu;
	struct ring ring;
	_Atomic int *stop;
	int trace_fd;           /* tracefs tracing_on, or -1 */
	uint32_t trace_ns;      /* 0: no threshold */
	_Atomic int *trace_hit; /* first thread over the threshold sets it */
	uint32_t trace_lat;     /* that latency (valid when trace_stopper) */
	int trace_stopper;
	/* Written by the thread before it stops running. */
	uint64_t loops_done, overruns;
	uint32_t max;
};

struct rtlat {
	struct wl_threads thr;     /* out, threads, counters, status */
	const struct wl_opts *o;
	struct meas *m;
	struct wl_stage *st;
	struct wl_result *res;
	uint32_t *scratch;
	unsigned n;
	int dma_fd, trace_fd;
	_Atomic int trace_hit;
};

/* int64_t, not long: a 60 s interval overflows a 32-bit long. */
static inline void ts_add_ns(struct timespec *t, int64_t ns)
{
	t->tv_sec += (time_t)(ns / NSEC_PER_SEC);
	t->tv_nsec += (long)(ns % NSEC_PER_SEC);
	if (t->tv_nsec >= NSEC_PER_SEC) {
		t->tv_nsec -= NSEC_PER_SEC;
		t->tv_sec++;
	}
}

static inline int64_t ts_diff_ns(const struct timespec *a,
				 const struct timespec *b)
{
	return (int64_t)(a->tv_sec - b->tv_sec) * NSEC_PER_SEC +
	       (a->tv_nsec - b->tv_nsec);
}

/*
 * The measuring loop.  Only clock_nanosleep and clock_gettime are called
 * here: no allocation, no lock, no stdio, no other syscall.
 */
static void measure(void *arg)
{
	struct meas *m = arg;
	const int64_t interval = (int64_t)m->o->interval_us * 1000;
	const uint64_t loops = m->o->loops;
	struct timespec next, now;
	uint64_t i, overruns = 0;
	uint32_t max = 0;

	clock_gettime(CLOCK_MONOTONIC, &next);
	ts_add_ns(&next, interval);
	for (i = 0; (loops == 0 || i < loops) &&
		    !atomic_load_explicit(m->stop, memory_order_relaxed);
	     i++) {
		int64_t lat;
		uint32_t v;

		/* Every signal is blocked; EINTR only under a debugger. */
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		clock_gettime(CLOCK_MONOTONIC, &now);
		lat = ts_diff_ns(&now, &next);
		v = lat <= 0 ? 0 : lat >= UINT32_MAX ? UINT32_MAX
						     : (uint32_t)lat;
		ring_push(&m->ring, v);
		if (v > max)
			max = v;
		if (m->trace_ns && v > m->trace_ns) {
			int expect = 0;

			/* Freeze the kernel's ring at this event. */
			if (atomic_compare_exchange_strong(m->trace_hit,
							   &expect, 1)) {
				if (m->trace_fd >= 0 &&
				    write(m->trace_fd, "0", 1) != 1)
					m->trace_fd = -1;
				m->trace_stopper = 1;
				m->trace_lat = v;
			}
			atomic_store_explicit(m->stop, 1,
					      memory_order_relaxed);
			i++;
			break;
		}
		ts_add_ns(&next, interval);
		/* Missed whole periods: skip them as cyclictest does. */
		while (ts_diff_ns(&now, &next) > 0) {
			ts_add_ns(&next, interval);
			overruns++;
		}
	}
	m->loops_done = i;
	m->overruns = overruns;
	m->max = max;
}

static void free_all(struct rtlat *t)
{
	for (unsigned i = 0; t->m && i < t->n; i++) {
		ring_free(&t->m[i].ring);
		if (t->st)
			wl_stage_free(&t->st[i]);
	}
	free(t->m);
	free(t->st);
	free(t->res);
	free(t->scratch);
	if (t->dma_fd >= 0)
		close(t->dma_fd);
	if (t->trace_fd >= 0)
		close(t->trace_fd);
	wl_threads_free(&t->thr);
}

/* Ring size: at least RING_MIN and two seconds of samples. */
static uint64_t ring_size(uint64_t interval_us)
{
	uint64_t want = 2 * 1000000 / interval_us, cap = RING_MIN;

	while (cap < want && cap < RING_MAX)
		cap <<= 1;
	return cap;
}

static int alloc_all(struct rtlat *t)
{
	void *p = NULL;

	/* struct ring is cache-line aligned: calloc() only promises 16. */
	if (posix_memalign(&p, 64, t->n * sizeof(*t->m)))
		return -ENOMEM;
	memset(p, 0, t->n * sizeof(*t->m));
	t->m = p;
	t->st = calloc(t->n, sizeof(*t->st));
	t->res = calloc(t->n, sizeof(*t->res));
	t->scratch = malloc(WL_FRAME_VALUES * sizeof(uint32_t));
	if (!t->m || !t->st || !t->res || !t->scratch)
		return -ENOMEM;
	for (unsigned i = 0; i < t->n; i++) {
		struct meas *m = &t->m[i];
		int rc = ring_init(&m->ring, ring_size(t->o->interval_us));

		if (rc || (rc = wl_stage_init(&t->st[i])))
			return rc;
		m->o = t->o;
		m->cpu = t->o->cpus.cpu[i];
		m->stop = &t->thr.stop;
		m->trace_fd = t->trace_fd;
		m->trace_hit = &t->trace_hit;
		m->trace_ns = t->o->trace_threshold_us > UINT32_MAX / 1000
				      ? UINT32_MAX
				      : (uint32_t)(t->o->trace_threshold_us * 1000);
		t->res[i].policy = t->res[i].priority = -1;
	}
	return 0;
}

/* C-states held shallow, as cyclictest does (memory is locked by
 * wl_threads_prepare()); failing is a warning (the numbers are worse, not
 * wrong). */
static void tune_process(struct rtlat *t)
{
	int32_t zero = 0;

	t->dma_fd = open("/dev/cpu_dma_latency", O_RDWR | O_CLOEXEC);
	if (t->dma_fd < 0 || write(t->dma_fd, &zero, sizeof(zero)) !=
			     (ssize_t)sizeof(zero)) {
		int e = errno;

		wl_event(&t->thr.out, WIRE_NO_SERIES, WIRE_EV_DMA_LATENCY_FAILED,
			 (uint32_t)e, "/dev/cpu_dma_latency: %s; deep C-states "
			 "may add wake-up latency", strerror(e));
		if (t->dma_fd >= 0)
			close(t->dma_fd);
		t->dma_fd = -1;
	}
}

/* A thread without its policy/priority: why, as far as we know. */
static void prio_event(struct wl_threads *thr, unsigned i)
{
	const struct wl_opts *o = thr->o;
	const struct wl_thread *th = &thr->th[i];

	if (th->fail_err)
		wl_event(&thr->out, i, th->fail_kind, (uint32_t)th->fail_err,
			 "CPU %u: cannot set %s priority %d: %s (needs "
			 "root or CAP_SYS_NICE, and RT runtime in this "
			 "cgroup: cpu.rt_runtime_us)", th->cpu,
			 wl_sched_name(o->policy), o->priority,
			 strerror(th->fail_err));
	else
		wl_event(&thr->out, i, th->fail_kind, 0,
			 "CPU %u: asked for %s priority %d, got %s "
			 "priority %d", th->cpu,
			 wl_sched_name(o->policy), o->priority,
			 wl_sched_name(th->policy_got), th->prio_got);
}

/* Move everything the rings hold into frames. */
static void drain(void *ctx)
{
	struct rtlat *t = ctx;
	struct wl_out *out = &t->thr.out;
	uint64_t now = wl_now_ns();

	for (unsigned i = 0; i < t->n; i++) {
		struct ring *r = &t->m[i].ring;
		uint64_t first, lost;
		uint32_t n;

		while ((n = ring_pop_run(r, t->scratch, WL_FRAME_VALUES,
					 &first, &lost)) > 0) {
			if (lost) {
				/* The event sits between the frame before
				 * the gap and the one after it. */
				wl_stage_flush(out, &t->st[i], i);
				wl_event(out, i, WIRE_EV_RING_OVERFLOW,
					 lost > UINT32_MAX ? UINT32_MAX
							   : (uint32_t)lost,
					 "CPU %u: %llu samples lost before "
					 "sample %llu: ring of %llu full, the "
					 "writer could not keep up", t->m[i].cpu,
					 (unsigned long long)lost,
					 (unsigned long long)first,
					 (unsigned long long)ring_capacity(r));
			}
			wl_stage_put(out, &t->st[i], i, first, t->scratch, n);
		}
		wl_stage_tick(out, &t->st[i], i, now);
	}
}

/* After wl_threads_run(): the last frames and the totals. */
static void finish(struct rtlat *t)
{
	for (unsigned i = 0; i < t->n; i++) {
		struct meas *m = &t->m[i];
		uint64_t tail = ring_trailing_lost(&m->ring);

		t->res[i].policy = t->thr.th[i].policy_got;
		t->res[i].priority = t->thr.th[i].prio_got;
		wl_stage_flush(&t->thr.out, &t->st[i], i);
		if (tail)
			wl_event(&t->thr.out, i, WIRE_EV_RING_OVERFLOW,
				 tail > UINT32_MAX ? UINT32_MAX : (uint32_t)tail,
				 "CPU %u: last %llu samples lost: ring full "
				 "at the end", m->cpu, (unsigned long long)tail);
		t->res[i].count = t->st[i].delivered;
		t->res[i].dropped = ring_dropped(&m->ring);
		t->res[i].overruns = m->overruns;
		t->res[i].max = m->max;
	}
}

/* tracefs tracing_on, opened now so the break path needs one write(). */
static void open_trace(struct rtlat *t)
{
	static const char *const paths[] = {
		"/sys/kernel/tracing/tracing_on",
		"/sys/kernel/debug/tracing/tracing_on",
	};

	if (!t->o->trace_threshold_us)
		return;
	for (unsigned i = 0; i < 2 && t->trace_fd < 0; i++)
		t->trace_fd = open(paths[i], O_WRONLY | O_CLOEXEC);
	if (t->trace_fd < 0)
		wl_event(&t->thr.out, WIRE_NO_SERIES, WIRE_EV_WARNING,
			 (uint32_t)errno, "trace unavailable: cannot open "
			 "tracing_on (%s); a latency above %llu us still "
			 "stops the run", strerror(errno),
			 (unsigned long long)t->o->trace_threshold_us);
}

/* END keys beyond the per-series totals: trace stop. */
static void end_extras(struct rtlat *t, struct wl_kv *kv)
{
	if (t->o->trace_threshold_us) {
		int hit = atomic_load(&t->trace_hit);

		wl_kv_add(kv, "trace_stop", "%s", hit ? "yes" : "no");
		for (unsigned i = 0; hit && t->m && i < t->n; i++)
			if (t->m[i].trace_stopper) {
				wl_kv_add(kv, "trace_stop_cpu", "%u",
					  t->m[i].cpu);
				wl_kv_add(kv, "trace_stop_latency_ns", "%u",
					  t->m[i].trace_lat);
				wl_kv_add(kv, "trace_stop_tracefs", "%s",
					  t->m[i].trace_fd >= 0 ? "stopped"
							       : "unavailable");
			}
	}
}

static const struct wl_threads_ops rtlat_ops = {
	.thread_name = "measuring thread",
	.fault_effect = "latency",
	.prefault_stack = 1,
	.measure = measure,
	.drain = drain,
	.prio_event = prio_event,
};

int wl_run_rtlat(const struct wl_opts *o)
{
	struct rtlat t = { .o = o, .n = o->cpus.n, .dma_fd = -1,
			   .trace_fd = -1 };
	struct wl_kv kv;
	int rc;

	wl_threads_init(&t.thr, o, &rtlat_ops, &t);
	wl_kv_init(&kv);
	wl_facts_hello(&kv, o);
	if (wl_threads_hello(&t.thr, &kv))
		return WL_EXIT_ERROR;
	if (wl_threads_prepare(&t.thr))
		goto end;
	tune_process(&t);
	open_trace(&t);
	if ((rc = alloc_all(&t)) ||
	    (rc = wl_threads_alloc(&t.thr, t.m, sizeof(*t.m)))) {
		wl_event(&t.thr.out, WIRE_NO_SERIES, WIRE_EV_ERROR,
			 (uint32_t)-rc, "cannot allocate rings: %s",
			 strerror(-rc));
		t.thr.failed = 1;
		goto end;
	}
	wl_threads_run(&t.thr);
	finish(&t);
end:
	wl_kv_init(&kv);
	end_extras(&t, &kv);
	wl_threads_end(&t.thr, t.res, t.res ? t.n : 0, &kv);
	wl_kv_free(&kv);
	free_all(&t);
	return wl_threads_exit(&t.thr);
}
