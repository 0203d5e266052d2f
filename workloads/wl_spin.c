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
 * CPU.  Counters (wl_counters.c) go into END.  Thread setup, the drain
 * loop and END are wl_threads.c's, as for rtlat.
 */
#include "workloads/wl.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workloads/ring.h"

#define RING_CAP (1u << 16)   /* per ring; drained every 5 ms */
#define WORK_ROUNDS 16

struct spin_meas {
	const struct wl_opts *o;
	unsigned cpu;
	struct ring tput, noise;
	_Atomic int *stop;
	uint64_t windows, skipped, noise_n, sink;
	uint32_t max_units, max_noise;
};

struct spin {
	struct wl_threads thr;    /* out, threads, counters, status */
	const struct wl_opts *o;
	struct spin_meas *m;
	struct wl_stage *st;      /* [2n] */
	struct wl_result *res;    /* [2n] */
	uint32_t *scratch;
	unsigned n;
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
static void measure(void *arg)
{
	struct spin_meas *m = arg;
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
	free(s->scratch);
	wl_threads_free(&s->thr);
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
	s->scratch = malloc(WL_FRAME_VALUES * sizeof(uint32_t));
	if (!s->st || !s->res || !s->scratch)
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
		m->cpu = s->o->cpus.cpu[i];
		m->stop = &s->thr.stop;
	}
	return 0;
}

/* A thread without its policy/priority. */
static void prio_event(struct wl_threads *thr, unsigned i)
{
	const struct wl_opts *o = thr->o;
	const struct wl_thread *th = &thr->th[i];

	wl_event(&thr->out, i, th->fail_kind, (uint32_t)th->fail_err,
		 "CPU %u: asked for %s priority %d, got %s priority %d%s%s",
		 th->cpu, wl_sched_name(o->policy), o->priority,
		 wl_sched_name(th->policy_got), th->prio_got,
		 th->fail_err ? ": " : "",
		 th->fail_err ? strerror(th->fail_err) : "");
}

static void drain_ring(struct spin *s, struct ring *r, unsigned series,
		       unsigned cpu, uint64_t now)
{
	struct wl_out *out = &s->thr.out;
	uint64_t first, lost;
	uint32_t n;

	while ((n = ring_pop_run(r, s->scratch, WL_FRAME_VALUES, &first,
				 &lost)) > 0) {
		if (lost) {
			wl_stage_flush(out, &s->st[series], series);
			wl_event(out, series, WIRE_EV_RING_OVERFLOW,
				 lost > UINT32_MAX ? UINT32_MAX : (uint32_t)lost,
				 "CPU %u: %llu values lost before %llu: ring "
				 "full", cpu, (unsigned long long)lost,
				 (unsigned long long)first);
		}
		wl_stage_put(out, &s->st[series], series, first, s->scratch,
			     n);
	}
	wl_stage_tick(out, &s->st[series], series, now);
}

static void drain(void *ctx)
{
	struct spin *s = ctx;
	uint64_t now = wl_now_ns();

	for (unsigned i = 0; i < s->n; i++) {
		drain_ring(s, &s->m[i].tput, i, s->m[i].cpu, now);
		drain_ring(s, &s->m[i].noise, s->n + i, s->m[i].cpu, now);
	}
}

/* After wl_threads_run(): the last frames and the totals. */
static void finish(struct spin *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct spin_meas *m = &s->m[i];
		struct wl_result *rt = &s->res[i], *rn = &s->res[s->n + i];

		rt->policy = rn->policy = s->thr.th[i].policy_got;
		rt->priority = rn->priority = s->thr.th[i].prio_got;
		wl_stage_flush(&s->thr.out, &s->st[i], i);
		wl_stage_flush(&s->thr.out, &s->st[s->n + i], s->n + i);
		rt->count = s->st[i].delivered;
		rt->dropped = ring_dropped(&m->tput);
		rt->overruns = m->skipped;
		rt->max = m->max_units;
		rn->count = s->st[s->n + i].delivered;
		rn->dropped = ring_dropped(&m->noise);
		rn->max = m->max_noise;
	}
}

static const struct wl_threads_ops spin_ops = {
	.thread_name = "spin thread",
	.fault_effect = "noise",
	.measure = measure,
	.drain = drain,
	.prio_event = prio_event,
};

int wl_run_spin(const struct wl_opts *o)
{
	struct spin s = { .o = o, .n = o->cpus.n };
	struct wl_series_desc sd[2 * CPULIST_MAX];
	struct wl_kv kv;
	int rc;

	wl_threads_init(&s.thr, o, &spin_ops, &s);
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
	if (wl_threads_hello(&s.thr, &kv))
		return WL_EXIT_ERROR;
	if (wl_threads_prepare(&s.thr))
		goto end;
	if ((rc = alloc_all(&s)) ||
	    (rc = wl_threads_alloc(&s.thr, s.m, sizeof(*s.m)))) {
		wl_event(&s.thr.out, WIRE_NO_SERIES, WIRE_EV_ERROR,
			 (uint32_t)-rc, "cannot allocate: %s", strerror(-rc));
		s.thr.failed = 1;
		goto end;
	}
	wl_threads_run(&s.thr);
	finish(&s);
end:
	wl_kv_init(&kv);
	wl_threads_end(&s.thr, s.res, s.res ? 2 * s.n : 0, &kv);
	wl_kv_free(&kv);
	free_all(&s);
	return wl_threads_exit(&s.thr);
}
