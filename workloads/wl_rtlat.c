/*
 * wl_rtlat.c - the rtlat workload: isolat's own cyclictest.
 *
 * One measuring thread per measured CPU, pinned, with the requested policy
 * and priority, sleeping on absolute CLOCK_MONOTONIC deadlines; latency =
 * actual wake-up - intended wake-up, pushed into a per-thread SPSC ring
 * (ring.h).  The main thread, pinned on the housekeeping CPU, drains the
 * rings every few milliseconds and writes frames (wl_writer.c).
 *
 * Setup happens in two phases so that nothing is measured unless every
 * thread got its CPU and priority: each thread sets itself up and reports,
 * the main thread checks all reports, then says "go" or "abort".  A thread
 * that could not get its priority is an error (PRIO_FAILED, END
 * status=error, exit 1), never a quiet SCHED_OTHER measurement.
 *
 * --trace-threshold-us (cyclictest -b): a latency above it writes '0' to
 * tracefs tracing_on (fd opened before measuring; that one write() on the
 * rare break path is the only extra syscall), and every thread stops.  END
 * says trace_stop=yes, trace_stop_cpu, trace_stop_latency_ns; the harness
 * (harness/trace.c) stores the frozen ring.  Counters (wl_counters.c) are
 * sent in END as for spin.
 */
#include "workloads/wl.h"

#include <errno.h>
#include <fcntl.h>
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

#define NSEC_PER_SEC 1000000000LL
#define DRAIN_NS 5000000L            /* main thread drains every 5 ms */
#define THREAD_STACK (512 * 1024)    /* locked by mlockall: keep it small */
#define STACK_PREFAULT (128 * 1024)
#define RING_MIN (1u << 16)          /* 65 s at the default 1 kHz */
#define RING_MAX (1u << 24)

enum { GO_WAIT, GO_RUN, GO_ABORT };

struct meas {
	const struct wl_opts *o;
	unsigned idx, cpu;
	struct ring ring;
	_Atomic int *go;
	_Atomic int *stop;
	_Atomic unsigned *ready;
	_Atomic unsigned *running;
	struct wl_counters *ctr;
	_Atomic pid_t tid;
	int trace_fd;           /* tracefs tracing_on, or -1 */
	uint32_t trace_ns;      /* 0: no threshold */
	_Atomic int *trace_hit; /* first thread over the threshold sets it */
	uint32_t trace_lat;     /* that latency (valid when trace_stopper) */
	int trace_stopper;
	/* Written by the thread before it counts itself ready. */
	unsigned fail_kind;     /* 0, or the WIRE_EV_* of what failed */
	int fail_err;
	int policy_got, prio_got;
	/* Written by the thread before it stops running. */
	uint64_t loops_done, overruns;
	uint32_t max;
};

struct rtlat {
	const struct wl_opts *o;
	struct wl_out out;
	struct meas *m;
	struct wl_stage *st;
	struct wl_result *res;
	uint32_t *scratch;
	pthread_t *tid;
	unsigned n, started;
	_Atomic int go, stop;
	_Atomic unsigned ready, running;
	int dma_fd, trace_fd;
	_Atomic int trace_hit;
	struct wl_counters ctr;
	int failed, interrupted;
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

/* Touch the stack now so the first wake-ups do not take page faults. */
__attribute__((noinline)) static void prefault_stack(void)
{
	volatile char buf[STACK_PREFAULT];

	memset((char *)buf, 0, sizeof(buf));
}

/*
 * The measuring loop.  Only clock_nanosleep and clock_gettime are called
 * here: no allocation, no lock, no stdio, no other syscall.
 */
static void measure(struct meas *m)
{
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

static void *meas_thread(void *arg)
{
	struct meas *m = arg;
	const struct wl_opts *o = m->o;
	struct sched_param sp = { .sched_priority = o->priority };
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
	/* Read back what this thread really has. */
	m->policy_got = sched_getscheduler(0);
	m->prio_got = sched_getparam(0, &sp) == 0 ? sp.sched_priority : -1;
	if (!m->fail_kind &&
	    (m->policy_got != o->policy || m->prio_got != o->priority))
		m->fail_kind = WIRE_EV_PRIO_FAILED;
	prefault_stack();

	atomic_fetch_add(m->ready, 1);
	while ((go = atomic_load(m->go)) == GO_WAIT) {
		struct timespec ts = { 0, 50000 };

		nanosleep(&ts, NULL);
	}
	if (go == GO_RUN) {
		struct rusage ru0, ru1;

		getrusage(RUSAGE_THREAD, &ru0);
		measure(m);
		getrusage(RUSAGE_THREAD, &ru1);
		wl_counters_ctxsw(m->ctr, m->idx, &ru0, &ru1);
	}
	atomic_fetch_sub(m->running, 1);
	return NULL;
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
	free(t->tid);
	free(t->scratch);
	if (t->dma_fd >= 0)
		close(t->dma_fd);
	if (t->trace_fd >= 0)
		close(t->trace_fd);
	wl_counters_free(&t->ctr);
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
	t->tid = calloc(t->n, sizeof(*t->tid));
	t->scratch = malloc(WL_FRAME_VALUES * sizeof(uint32_t));
	if (!t->m || !t->st || !t->res || !t->tid || !t->scratch)
		return -ENOMEM;
	for (unsigned i = 0; i < t->n; i++) {
		struct meas *m = &t->m[i];
		int rc = ring_init(&m->ring, ring_size(t->o->interval_us));

		if (rc || (rc = wl_stage_init(&t->st[i])))
			return rc;
		m->o = t->o;
		m->idx = i;
		m->cpu = t->o->cpus.cpu[i];
		m->go = &t->go;
		m->stop = &t->stop;
		m->ready = &t->ready;
		m->running = &t->running;
		m->ctr = &t->ctr;
		m->trace_fd = t->trace_fd;
		m->trace_hit = &t->trace_hit;
		m->trace_ns = t->o->trace_threshold_us > UINT32_MAX / 1000
				      ? UINT32_MAX
				      : (uint32_t)(t->o->trace_threshold_us * 1000);
		t->res[i].policy = t->res[i].priority = -1;
	}
	return 0;
}

/* Memory locked and C-states held shallow, as cyclictest does; either
 * failing is a warning (the numbers are worse, not wrong). */
static void tune_process(struct rtlat *t)
{
	int32_t zero = 0;

	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		wl_event(&t->out, WIRE_NO_SERIES, WIRE_EV_MLOCK_FAILED,
			 (uint32_t)errno, "mlockall: %s; page faults may "
			 "show up as latency", strerror(errno));
	t->dma_fd = open("/dev/cpu_dma_latency", O_RDWR | O_CLOEXEC);
	if (t->dma_fd < 0 || write(t->dma_fd, &zero, sizeof(zero)) !=
			     (ssize_t)sizeof(zero)) {
		int e = errno;

		wl_event(&t->out, WIRE_NO_SERIES, WIRE_EV_DMA_LATENCY_FAILED,
			 (uint32_t)e, "/dev/cpu_dma_latency: %s; deep C-states "
			 "may add wake-up latency", strerror(e));
		if (t->dma_fd >= 0)
			close(t->dma_fd);
		t->dma_fd = -1;
	}
}

static int start_threads(struct rtlat *t)
{
	pthread_attr_t attr;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	atomic_store(&t->running, t->n);
	for (t->started = 0; t->started < t->n; t->started++) {
		rc = pthread_create(&t->tid[t->started], &attr, meas_thread,
				    &t->m[t->started]);
		if (rc) {
			atomic_fetch_sub(&t->running, t->n - t->started);
			wl_event(&t->out, t->started, WIRE_EV_ERROR,
				 (uint32_t)rc, "cannot start the measuring "
				 "thread for CPU %u: %s",
				 t->m[t->started].cpu, strerror(rc));
			pthread_attr_destroy(&attr);
			return -rc;
		}
	}
	pthread_attr_destroy(&attr);
	return 0;
}

/* Wait until every started thread has reported; then go or abort. */
static void check_setup(struct rtlat *t)
{
	const struct wl_opts *o = t->o;

	while (atomic_load(&t->ready) < t->started) {
		struct timespec ts = { 0, 100000 };

		nanosleep(&ts, NULL);
	}
	for (unsigned i = 0; i < t->started; i++) {
		const struct meas *m = &t->m[i];

		t->res[i].policy = m->policy_got;
		t->res[i].priority = m->prio_got;
		if (m->fail_kind == WIRE_EV_AFFINITY_FAILED)
			wl_event(&t->out, i, m->fail_kind, (uint32_t)m->fail_err,
				 "cannot pin the measuring thread to CPU %u: %s",
				 m->cpu, strerror(m->fail_err));
		else if (m->fail_kind && m->fail_err)
			wl_event(&t->out, i, m->fail_kind, (uint32_t)m->fail_err,
				 "CPU %u: cannot set %s priority %d: %s (needs "
				 "root or CAP_SYS_NICE, and RT runtime in this "
				 "cgroup: cpu.rt_runtime_us)", m->cpu,
				 wl_sched_name(o->policy), o->priority,
				 strerror(m->fail_err));
		else if (m->fail_kind)
			wl_event(&t->out, i, m->fail_kind, 0,
				 "CPU %u: asked for %s priority %d, got %s "
				 "priority %d", m->cpu,
				 wl_sched_name(o->policy), o->priority,
				 wl_sched_name(m->policy_got), m->prio_got);
		if (m->fail_kind)
			t->failed = 1;
		else
			wl_counters_thread(&t->ctr, i, atomic_load(&m->tid));
	}
	if (t->started < t->n)
		t->failed = 1;
	atomic_store(&t->go, t->failed ? GO_ABORT : GO_RUN);
}

/* Move everything the rings hold into frames. */
static void drain(struct rtlat *t)
{
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
				wl_stage_flush(&t->out, &t->st[i], i);
				wl_event(&t->out, i, WIRE_EV_RING_OVERFLOW,
					 lost > UINT32_MAX ? UINT32_MAX
							   : (uint32_t)lost,
					 "CPU %u: %llu samples lost before "
					 "sample %llu: ring of %llu full, the "
					 "writer could not keep up", t->m[i].cpu,
					 (unsigned long long)lost,
					 (unsigned long long)first,
					 (unsigned long long)ring_capacity(r));
			}
			wl_stage_put(&t->out, &t->st[i], i, first, t->scratch,
				     n);
		}
		wl_stage_tick(&t->out, &t->st[i], i, now);
	}
}

/* Drain until every measuring thread has finished or a signal stops us. */
static void run_loop(struct rtlat *t)
{
	const struct timespec tick = { 0, DRAIN_NS };

	while (atomic_load(&t->running) > 0) {
		int sig = sigtimedwait(&t->o->stop_sigs, NULL, &tick);

		if (sig > 0 && !t->interrupted) {
			fprintf(stderr, "isolat-wl: %s: stopping\n",
				strsignal(sig));
			t->interrupted = 1;
			atomic_store(&t->stop, 1);
		}
		drain(t);
		if (t->out.err)
			atomic_store(&t->stop, 1);
	}
}

static void finish(struct rtlat *t)
{
	for (unsigned i = 0; i < t->started; i++)
		pthread_join(t->tid[i], NULL);
	drain(t);
	for (unsigned i = 0; i < t->n; i++) {
		struct meas *m = &t->m[i];
		uint64_t tail = ring_trailing_lost(&m->ring);

		wl_stage_flush(&t->out, &t->st[i], i);
		if (tail)
			wl_event(&t->out, i, WIRE_EV_RING_OVERFLOW,
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
		wl_event(&t->out, WIRE_NO_SERIES, WIRE_EV_WARNING,
			 (uint32_t)errno, "trace unavailable: cannot open "
			 "tracing_on (%s); a latency above %llu us still "
			 "stops the run", strerror(errno),
			 (unsigned long long)t->o->trace_threshold_us);
}

/* END keys beyond the per-series totals: trace stop, counters. */
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
	if (t->ctr.thr)
		wl_counters_end(&t->ctr, kv);
}

int wl_run_rtlat(const struct wl_opts *o)
{
	struct rtlat t = { .o = o, .n = o->cpus.n, .dma_fd = -1,
			   .trace_fd = -1 };
	struct wl_kv hello;
	const char *status;
	int rc;

	t.out.fd = o->out_fd;
	wl_kv_init(&hello);
	wl_facts_hello(&hello, o);
	rc = wl_kv_send(&t.out, WIRE_HELLO, &hello);
	wl_kv_free(&hello);
	if (rc) {
		fprintf(stderr, "isolat-wl: cannot send HELLO: %s\n",
			strerror(-rc));
		return WL_EXIT_ERROR;
	}
	if (wl_pin_housekeeping(&t.out, o)) {
		t.failed = 1;
		goto end;
	}
	tune_process(&t);
	open_trace(&t);
	if ((rc = alloc_all(&t)) || (rc = wl_counters_begin(&t.ctr, o))) {
		wl_event(&t.out, WIRE_NO_SERIES, WIRE_EV_ERROR, (uint32_t)-rc,
			 "cannot allocate rings: %s", strerror(-rc));
		t.failed = 1;
		goto end;
	}
	if (start_threads(&t))
		t.failed = 1;
	check_setup(&t);
	run_loop(&t);
	finish(&t);
end:
	if (t.out.err) {
		free_all(&t);
		return WL_EXIT_ERROR; /* nobody is reading: no END possible */
	}
	status = t.failed ? "error" : t.interrupted ? "interrupted" : "ok";
	wl_kv_init(&hello);
	end_extras(&t, &hello);
	wl_send_end_kv(&t.out, status, t.res, t.res ? t.n : 0, &hello);
	wl_kv_free(&hello);
	free_all(&t);
	if (t.out.err || t.failed)
		return WL_EXIT_ERROR;
	return t.interrupted ? WL_EXIT_INTERRUPTED : WL_EXIT_OK;
}
