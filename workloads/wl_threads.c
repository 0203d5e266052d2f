/*
 * wl_threads.c - the scaffolding around rtlat's and spin's measuring loops
 * (see wl.h for the lifecycle).
 *
 * Setup happens in two phases so that nothing is measured unless every
 * thread got its CPU and priority: each thread sets itself up and reports,
 * the main thread checks all reports, then says "go" or "abort".  A thread
 * that could not get its priority is an error (PRIO_FAILED, END
 * status=error, exit 1), never a quiet SCHED_OTHER measurement.
 *
 * The main thread stays on the housekeeping CPU, drains the workload's
 * rings every DRAIN_NS and collects the stop signals with sigtimedwait().
 */
#include "workloads/wl.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define DRAIN_NS 5000000L            /* main thread drains every 5 ms */
#define THREAD_STACK (512 * 1024)    /* locked by mlockall: keep it small */
#define STACK_PREFAULT (128 * 1024)

void wl_threads_init(struct wl_threads *t, const struct wl_opts *o,
		     const struct wl_threads_ops *ops, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->o = o;
	t->ops = ops;
	t->ctx = ctx;
	t->n = o->cpus.n;
	t->out.fd = o->out_fd;
}

int wl_threads_hello(struct wl_threads *t, struct wl_kv *hello)
{
	int rc = wl_kv_send(&t->out, WIRE_HELLO, hello);

	wl_kv_free(hello);
	if (rc)
		fprintf(stderr, "isolat-wl: cannot send HELLO: %s\n",
			strerror(-rc));
	return rc;
}

int wl_threads_prepare(struct wl_threads *t)
{
	if (wl_pin_housekeeping(&t->out, t->o)) {
		t->failed = 1;
		return -1;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		wl_event(&t->out, WIRE_NO_SERIES, WIRE_EV_MLOCK_FAILED,
			 (uint32_t)errno, "mlockall: %s; page faults may "
			 "show up as %s", strerror(errno),
			 t->ops->fault_effect);
	return 0;
}

int wl_threads_alloc(struct wl_threads *t, void *args, size_t arg_size)
{
	t->th = calloc(t->n, sizeof(*t->th));
	t->tid = calloc(t->n, sizeof(*t->tid));
	if (!t->th || !t->tid)
		return -ENOMEM;
	for (unsigned i = 0; i < t->n; i++) {
		struct wl_thread *th = &t->th[i];

		th->t = t;
		th->arg = (char *)args + i * arg_size;
		th->idx = i;
		th->cpu = t->o->cpus.cpu[i];
		th->policy_got = th->prio_got = -1;
	}
	return wl_counters_begin(&t->ctr, t->o);
}

void wl_threads_free(struct wl_threads *t)
{
	free(t->th);
	free(t->tid);
	t->th = NULL;
	t->tid = NULL;
	wl_counters_free(&t->ctr);
}

/* Touch the stack now so the first wake-ups do not take page faults. */
__attribute__((noinline)) static void prefault_stack(void)
{
	volatile char buf[STACK_PREFAULT];

	memset((char *)buf, 0, sizeof(buf));
}

static void *thread_main(void *arg)
{
	struct wl_thread *th = arg;
	struct wl_threads *t = th->t;
	const struct wl_opts *o = t->o;
	struct sched_param sp = { .sched_priority = o->priority };
	sigset_t all;
	cpu_set_t set;
	int rc, go;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	atomic_store(&th->tid, (pid_t)syscall(SYS_gettid));
	CPU_ZERO(&set);
	CPU_SET(th->cpu, &set);
	rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (rc) {
		th->fail_kind = WIRE_EV_AFFINITY_FAILED;
		th->fail_err = rc;
	} else if ((rc = pthread_setschedparam(pthread_self(), o->policy,
					       &sp))) {
		th->fail_kind = WIRE_EV_PRIO_FAILED;
		th->fail_err = rc;
	}
	/* Read back what this thread really has. */
	th->policy_got = sched_getscheduler(0);
	th->prio_got = sched_getparam(0, &sp) == 0 ? sp.sched_priority : -1;
	if (!th->fail_kind &&
	    (th->policy_got != o->policy || th->prio_got != o->priority))
		th->fail_kind = WIRE_EV_PRIO_FAILED;
	if (t->ops->prefault_stack)
		prefault_stack();

	atomic_fetch_add(&t->ready, 1);
	while ((go = atomic_load(&t->go)) == WL_GO_WAIT) {
		struct timespec ts = { 0, 50000 };

		nanosleep(&ts, NULL);
	}
	if (go == WL_GO_RUN) {
		struct rusage ru0, ru1;

		getrusage(RUSAGE_THREAD, &ru0);
		t->ops->measure(th->arg);
		getrusage(RUSAGE_THREAD, &ru1);
		wl_counters_ctxsw(&t->ctr, th->idx, &ru0, &ru1);
	}
	atomic_fetch_sub(&t->running, 1);
	return NULL;
}

static int start_threads(struct wl_threads *t)
{
	pthread_attr_t attr;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	atomic_store(&t->running, t->n);
	for (t->started = 0; t->started < t->n; t->started++) {
		rc = pthread_create(&t->tid[t->started], &attr, thread_main,
				    &t->th[t->started]);
		if (rc) {
			atomic_fetch_sub(&t->running, t->n - t->started);
			wl_event(&t->out, t->started, WIRE_EV_ERROR,
				 (uint32_t)rc, "cannot start the %s for CPU "
				 "%u: %s", t->ops->thread_name,
				 t->th[t->started].cpu, strerror(rc));
			pthread_attr_destroy(&attr);
			return -rc;
		}
	}
	pthread_attr_destroy(&attr);
	return 0;
}

/* Wait until every started thread has reported; then go or abort. */
static void check_setup(struct wl_threads *t)
{
	while (atomic_load(&t->ready) < t->started) {
		struct timespec ts = { 0, 100000 };

		nanosleep(&ts, NULL);
	}
	for (unsigned i = 0; i < t->started; i++) {
		const struct wl_thread *th = &t->th[i];

		if (th->fail_kind == WIRE_EV_AFFINITY_FAILED)
			wl_event(&t->out, i, th->fail_kind,
				 (uint32_t)th->fail_err, "cannot pin the %s "
				 "to CPU %u: %s", t->ops->thread_name,
				 th->cpu, strerror(th->fail_err));
		else if (th->fail_kind)
			t->ops->prio_event(t, i);
		if (th->fail_kind)
			t->failed = 1;
		else
			wl_counters_thread(&t->ctr, i, atomic_load(&th->tid));
	}
	if (t->started < t->n)
		t->failed = 1;
	atomic_store(&t->go, t->failed ? WL_GO_ABORT : WL_GO_RUN);
}

/* Drain until every measuring thread has finished or a signal stops us. */
static void run_loop(struct wl_threads *t)
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
		t->ops->drain(t->ctx);
		if (t->out.err)
			atomic_store(&t->stop, 1);
	}
}

void wl_threads_run(struct wl_threads *t)
{
	if (start_threads(t))
		t->failed = 1;
	check_setup(t);
	run_loop(t);
	for (unsigned i = 0; i < t->started; i++)
		pthread_join(t->tid[i], NULL);
	t->ops->drain(t->ctx);
}

void wl_threads_end(struct wl_threads *t, const struct wl_result *res,
		    unsigned n, struct wl_kv *extra)
{
	const char *status;

	/* The measurement is over: the load stops before END reports it. */
	wl_load_stop(t->o->load, t->out.err ? NULL : extra);
	if (t->out.err)
		return; /* nobody is reading: no END possible */
	status = t->failed ? "error" : t->interrupted ? "interrupted" : "ok";
	if (t->ctr.thr)
		wl_counters_end(&t->ctr, extra);
	wl_send_end_kv(&t->out, status, res, n, extra);
}

int wl_threads_exit(const struct wl_threads *t)
{
	if (t->out.err || t->failed)
		return WL_EXIT_ERROR;
	return t->interrupted ? WL_EXIT_INTERRUPTED : WL_EXIT_OK;
}
