/*
 * wl.h - internals of the static workload binary isolat-wl, shared by its
 * files:
 *
 *   wl_main.c        options, validation, dispatch, exit codes
 *   wl_rtlat.c       rtlat: isolat's own cyclictest-style measuring threads
 *   wl_cyclictest.c  the rt-tests cyclictest adapter
 *   wl_writer.c      output: frame staging, events, HELLO/END text
 *   wl_facts.c       HELLO facts about the system
 *   wl_spawn.c       fork + execv of helper programs (cyclictest)
 *   wl_spin.c        spin: throughput per window and OS-noise gaps
 *   wl_netlat.c      netlat: UDP round trip, the initiator
 *   wl_netlat_reflect.c  netlat's reflector (the far end)
 *   wl_threads.c     what rtlat and spin share around their measuring
 *                    loops: thread setup, start barrier, drain loop, END
 *   wl_counters.c    END counters: IRQ/softirq deltas, ctxsw, perf events
 *   irqstat.c        /proc/interrupts + /proc/softirqs parsing (shared
 *                    with the harness)
 *   wl_guest.c       guest mode: PID 1 of a KVM/Xen guest's initramfs
 *   wl_guest_net.c   its network end for netlat (isolat.net=)
 *   wl_load.c        a background load (stress-ng) started before the
 *                    measurement where the workload runs (--load)
 *   loadargv.c       the load argv check (shared with the harness)
 *
 * Adding a workload: write wl_NAME.c with `int wl_run_NAME(const struct
 * wl_opts *)` returning an enum wl_exit and add its line to
 * workloads/workloads.def (isolat-wl and the harness both read it); it
 * must speak wire.h and send HELLO first and END last, whatever goes
 * wrong.
 */
#ifndef ISOLAT_WL_H
#define ISOLAT_WL_H

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "workloads/cpulist.h"
#include "workloads/irqstat.h"
#include "workloads/loadargv.h"
#include "workloads/wire.h"

#ifndef ISOLAT_VERSION
#define ISOLAT_VERSION "unknown"
#endif

/* Exit statuses of isolat-wl. */
enum wl_exit {
	WL_EXIT_OK = 0,
	WL_EXIT_ERROR = 1,       /* ran, but the measurement is not valid */
	WL_EXIT_USAGE = 2,       /* bad options; nothing was sent */
	WL_EXIT_INTERRUPTED = 130,
};

/* Values per SAMPLES frame (64 KiB of payload). */
#define WL_FRAME_VALUES 16384u
/* A staged frame is sent at the latest after this long. */
#define WL_FLUSH_NS 100000000ull

struct wl_opts {
	const char *workload;       /* "rtlat", "cyclictest" */
	struct cpulist cpus;        /* measured CPUs; series i = cpus.cpu[i] */
	unsigned housekeeping;      /* writer + main thread live here */
	int policy;                 /* SCHED_FIFO / SCHED_RR / SCHED_OTHER */
	int priority;
	uint64_t interval_us;
	uint64_t loops;             /* 0 = until SIGINT/SIGTERM */
	uint64_t duration_s;        /* 0 = not given (loops was) */
	int out_fd;
	const char *cyclictest;     /* NULL: search the usual places */
	uint64_t noise_threshold_ns; /* spin: a clock gap above it is noise */
	uint64_t trace_threshold_us; /* rtlat: 0 = off; above it, stop the
				      * kernel's ftrace ring and the run */
	cpu_set_t orig_affinity;    /* as started; given back to children */
	/* SIGINT/SIGTERM/SIGHUP, blocked in every thread by wl_main.c (with
	 * SIGPIPE); a workload collects them with sigtimedwait()/signalfd
	 * and stops cleanly with END status=interrupted. */
	sigset_t stop_sigs;
	sigset_t orig_sigmask;      /* as started; given back to children */
	/* A load started before measuring (--load); NULL: none.  The
	 * workloads put it in HELLO and stop it just before END. */
	struct wl_load *load;
	/* netlat (wl_netlat.c) */
	const char *net_peer;        /* initiator: A.B.C.D:PORT to ping */
	const char *net_bind;        /* local A.B.C.D:PORT (reflector: must) */
	const char *net_netns;       /* isolat-* namespace to enter, or NULL */
	uint64_t net_reply_timeout_us;
	int net_same_clock;          /* one-way series too */
	int net_reflector;           /* --role reflector */
};

/* What END reports per series. */
struct wl_result {
	uint64_t count;      /* values delivered in SAMPLES frames */
	uint64_t dropped;    /* values measured but lost */
	uint64_t overruns;   /* intervals skipped because a wake-up was late */
	uint32_t max;
	int policy;          /* obtained, -1 if unknown */
	int priority;        /* obtained, -1 if unknown */
};

/* --- wl_writer.c ------------------------------------------------------ */

/* The output stream.  After the first write error every write is skipped
 * and err keeps it (the collector is gone; nobody can read an END). */
struct wl_out {
	int fd;
	int err;
};

/* One series' frame being filled. */
struct wl_stage {
	uint32_t *vals;      /* WL_FRAME_VALUES */
	uint32_t n;
	uint64_t first;      /* sequence number of vals[0] */
	uint64_t since_ns;   /* CLOCK_MONOTONIC when vals[0] was staged */
	uint64_t delivered;
};

/* A growable "key=value\n" text for HELLO and END. */
struct wl_kv {
	char *buf;
	size_t len, cap;
	int err;             /* -ENOMEM, sticky */
};

uint64_t wl_now_ns(void);
const char *wl_policy_name(int policy);   /* "fifo", "rr", "other" */
const char *wl_sched_name(int policy);    /* "SCHED_FIFO", ... */

int wl_stage_init(struct wl_stage *st);
void wl_stage_free(struct wl_stage *st);
/* Append values with sequence numbers first..first+n-1; a sequence jump
 * sends the staged frame first, so every frame is contiguous. */
int wl_stage_put(struct wl_out *out, struct wl_stage *st, unsigned series,
		 uint64_t first, const uint32_t *v, uint32_t n);
int wl_stage_flush(struct wl_out *out, struct wl_stage *st, unsigned series);
/* Flush if the staged values are older than WL_FLUSH_NS. */
int wl_stage_tick(struct wl_out *out, struct wl_stage *st, unsigned series,
		  uint64_t now_ns);

/* Send an EVENT and echo it on stderr for the person watching. */
__attribute__((format(printf, 5, 6)))
int wl_event(struct wl_out *out, unsigned series, unsigned kind,
	     uint32_t code, const char *fmt, ...);

void wl_kv_init(struct wl_kv *kv);
void wl_kv_free(struct wl_kv *kv);
/* Values are sanitized: control characters (newlines) become blanks. */
__attribute__((format(printf, 3, 4)))
void wl_kv_add(struct wl_kv *kv, const char *key, const char *fmt, ...);
int wl_kv_send(struct wl_out *out, unsigned type, struct wl_kv *kv);

/* END with status and the per-series totals; res may be NULL (n = 0). */
int wl_send_end(struct wl_out *out, const char *status,
		const struct wl_result *res, unsigned n);
/* The same plus the lines of extra (counters); extra may be NULL. */
int wl_send_end_kv(struct wl_out *out, const char *status,
		   const struct wl_result *res, unsigned n,
		   const struct wl_kv *extra);

/* --- wl_facts.c ------------------------------------------------------- */

/* The HELLO keys every workload sends (everything but its own extras). */
void wl_facts_hello(struct wl_kv *kv, const struct wl_opts *o);

/* What one series measures (HELLO series.I.cpu/unit/kind). */
struct wl_series_desc {
	unsigned cpu;
	const char *unit;   /* "ns" | "ops" */
	const char *kind;   /* "latency" | "throughput" | "noise" */
};
/* Like wl_facts_hello() with explicit series (spin: two per CPU). */
void wl_facts_hello_series(struct wl_kv *kv, const struct wl_opts *o,
			   const struct wl_series_desc *sd, unsigned n);

/* --- wl_counters.c ---------------------------------------------------- */

#define WL_PERF_N 3 /* cycles, instructions, cache-misses */

struct wl_thread_counters {
	int perf_fd[WL_PERF_N];
	int perf_err[WL_PERF_N];   /* errno of perf_event_open, 0 */
	int have_ctxsw;
	uint64_t vcsw, ivcsw;
};

struct wl_counters {
	const struct wl_opts *o;
	unsigned n;
	struct wl_thread_counters *thr;  /* [n], series order */
	struct irqstat irq0, sirq0;      /* before measuring */
	int irq_err, sirq_err;
};

/* Snapshot /proc/interrupts and /proc/softirqs; 0 or -ENOMEM (an
 * unreadable file is reported in END, not an error). */
int wl_counters_begin(struct wl_counters *c, const struct wl_opts *o);
void wl_counters_thread(struct wl_counters *c, unsigned idx, pid_t tid);
void wl_counters_ctxsw(struct wl_counters *c, unsigned idx,
		       const struct rusage *before, const struct rusage *after);
/* Append the counter.* / irqdesc.* END keys (see wl_counters.c). */
void wl_counters_end(struct wl_counters *c, struct wl_kv *kv);
void wl_counters_free(struct wl_counters *c);

/* --- wl_main.c -------------------------------------------------------- */

/* Move the calling (main) thread to the housekeeping CPU; on failure send
 * an AFFINITY_FAILED event and return -errno. */
int wl_pin_housekeeping(struct wl_out *out, const struct wl_opts *o);

/* --- wl_threads.c ---------------------------------------------------- */

/*
 * One measuring thread per measured CPU, as rtlat and spin run them.  The
 * lifecycle, in the workload's wl_run_NAME():
 *
 *   wl_threads_init     fill in o, ops, ctx
 *   wl_threads_hello    send HELLO (nothing else is possible if it fails)
 *   wl_threads_prepare  main thread to the housekeeping CPU, mlockall
 *   wl_threads_alloc    thread table, counters snapshot (after the
 *                       workload's own rings, which the threads use)
 *   wl_threads_run      start the threads; each pins itself, takes the
 *                       policy/priority and reports; all go only if all
 *                       got them; drain every 5 ms until they end or a
 *                       stop signal comes; join; drain the rest
 *   wl_threads_end      END: status, the workload's totals, its extra
 *                       keys, counters
 *   wl_threads_free, wl_threads_exit
 */
struct wl_threads;

/* What the shared code needs to know of one workload. */
struct wl_threads_ops {
	const char *thread_name;    /* in events: "measuring thread" */
	const char *fault_effect;   /* mlockall failed: page faults may show
				     * up as this ("latency", "noise") */
	int prefault_stack;         /* touch the stack before measuring */
	/* The measuring loop, in the pinned RT thread: clock reads and
	 * ring pushes only (see the workload's file). */
	void (*measure)(void *thread_arg);
	/* Main thread: the rings into frames (ctx is wl_threads.ctx). */
	void (*drain)(void *ctx);
	/* The EVENT for a thread that did not get its policy/priority. */
	void (*prio_event)(struct wl_threads *t, unsigned idx);
};

enum { WL_GO_WAIT, WL_GO_RUN, WL_GO_ABORT };

/* One thread's setup, written by it before it counts itself ready. */
struct wl_thread {
	struct wl_threads *t;
	void *arg;                  /* the workload's per-thread state */
	unsigned idx, cpu;
	_Atomic pid_t tid;
	unsigned fail_kind;         /* 0, or the WIRE_EV_* of what failed */
	int fail_err;
	int policy_got, prio_got;   /* -1 until the thread has run */
};

struct wl_threads {
	const struct wl_opts *o;
	const struct wl_threads_ops *ops;
	void *ctx;
	struct wl_out out;
	struct wl_counters ctr;
	struct wl_thread *th;       /* [n], series order */
	pthread_t *tid;
	unsigned n, started;
	_Atomic int go, stop;       /* stop: the loops read it */
	_Atomic unsigned ready, running;
	int failed, interrupted;
};

void wl_threads_init(struct wl_threads *t, const struct wl_opts *o,
		     const struct wl_threads_ops *ops, void *ctx);
/* Send hello (freed here); 0, or -errno with the reason on stderr. */
int wl_threads_hello(struct wl_threads *t, struct wl_kv *hello);
/* Pin the main thread (failure: failed set, -1) and lock memory (failure:
 * an event, the run goes on). */
int wl_threads_prepare(struct wl_threads *t);
/* args[i]: the workload's state of thread i.  0 or -ENOMEM. */
int wl_threads_alloc(struct wl_threads *t, void *args, size_t arg_size);
void wl_threads_run(struct wl_threads *t);
/* END with res[n] and the keys of extra (counters are added to it); not
 * sent when the output is broken. */
void wl_threads_end(struct wl_threads *t, const struct wl_result *res,
		    unsigned n, struct wl_kv *extra);
void wl_threads_free(struct wl_threads *t);
/* enum wl_exit of the run. */
int wl_threads_exit(const struct wl_threads *t);

/* --- wl_spawn.c ------------------------------------------------------- */

/* fork + execv(path, argv) with the original affinity and signal mask;
 * *out_r / *err_r get pipe read ends (err_r NULL: stderr into out_r).
 * Returns the pid or -errno. */
pid_t wl_spawn(const struct wl_opts *o, const char *path, char *const argv[],
	       int *out_r, int *err_r);
/* waitpid() retrying EINTR: the wait status, or -1. */
int wl_wait_child(pid_t pid);
/* Run to completion (5 s without output kills it), output merged into
 * buf (NUL-terminated, truncated to size).  Returns the wait status. */
int wl_capture(const struct wl_opts *o, const char *path, char *const argv[],
	       char *buf, size_t size);

/* --- wl_load.c -------------------------------------------------------- */

struct wl_load {
	char *argv[LOAD_ARGV_MAX + 1]; /* from --load, NULL-terminated */
	unsigned argc;
	unsigned settle_s;
	char path[64];              /* LOAD_PROGRAM where it was found */
	pid_t pid;                  /* also its process group */
	pid_t parent;               /* isolat-wl, for the child's check */
	int out_fd;                 /* memfd: its stdout and stderr */
	int reaped, status, stopped;
};

/* One --load argument (kept, not copied); -E2BIG past LOAD_ARGV_MAX. */
int wl_load_add_arg(struct wl_load *l, char *arg);
/* load_argv_check() and the program found here; 0 or -errno + why. */
int wl_load_check(struct wl_load *l, char *why, size_t whysz);
/* Fork + execve it; 0 or -errno. */
int wl_load_start(struct wl_load *l, const struct wl_opts *o);
/* Wait settle_s: 0, -EINTR (a stop signal) or -ECHILD (it ended). */
int wl_load_settle(struct wl_load *l, const struct wl_opts *o);
/* HELLO keys load.inside.* (argv, settle_s, pid, pidns, cgroup, cpus). */
void wl_load_hello(const struct wl_load *l, struct wl_kv *kv);
/* Stop and reap it, END keys into kv (NULL: none); NULL l or a second
 * call: nothing. */
void wl_load_stop(struct wl_load *l, struct wl_kv *kv);

/* --- wl_guest.c ------------------------------------------------------- */

/* What the guest reads of /isolat/args (one argument a line): at most
 * WL_GUEST_ARGS_BYTES - 1 bytes and WL_GUEST_ARGS_MAX lines (room for
 * argv[0], --out-fd N and the NULL).  More is refused on both sides
 * (harness/env/guest/guest_image.c writing it, wl_guest.c reading it), never cut. */
#define WL_GUEST_ARGS_BYTES 8192
#define WL_GUEST_ARGS_MAX (WL_ARGV_MAX - 4)

/* PID 1 of a guest: mounts, modules, channel, workload, power off.  Never
 * returns. */
__attribute__((noreturn)) int wl_guest_main(void);
/* wl_guest_net.c: isolat.net=A.B.C.D/NN onto the first device not lo. */
void wl_guest_net_up(void);

/* --- workloads -------------------------------------------------------- */

int wl_run_rtlat(const struct wl_opts *o);
int wl_run_cyclictest(const struct wl_opts *o);
int wl_run_spin(const struct wl_opts *o);
int wl_run_netlat(const struct wl_opts *o);
/* wl_netlat_reflect.c: the far end (--role reflector). */
int wl_netlat_reflect(const struct wl_opts *o);
struct sockaddr_in;
/* "A.B.C.D:PORT"; 0 or -EINVAL. */
int wl_netlat_addr(const char *s, struct sockaddr_in *sa);

#endif
