/*
 * trace.h - ftrace on threshold (cyclictest -b semantics) for host-side
 * cases.
 *
 * Before the case (trace_begin): find tracefs (/sys/kernel/tracing, else
 * /sys/kernel/debug/tracing; an existing but empty /sys/kernel/tracing is
 * mounted and unmounted again afterwards), journal the original value of
 * every file it writes, then: tracing_on=0, current_tracer=nop, the ring
 * cleared, events sched_switch, sched_wakeup, the irq handler and softirq
 * events and the local timer (where the kernel has them) enabled,
 * tracing_on=1.  The cheap nop tracer plus
 * scheduling and interrupt events is what cyclictest -b users look at
 * first: who ran on the CPU and which interrupt fired before the late
 * wake-up; the function tracer would itself add latency.
 *
 * The workload (rtlat --trace-threshold-us) writes '0' to tracing_on when a
 * latency exceeds the threshold and stops, freezing the ring at that point.
 *
 * After the case (trace_end): whether the ring was stopped, and the tail of
 * the trace text (TRACE_KEEP bytes) go to the case as facts trace_stopped
 * (yes|no) and trace; then every journaled value is written back, in
 * reverse order, on every path.  No tracefs: fact trace = "trace
 * unavailable: <reason>", never an error.
 */
#ifndef ISOLAT_TRACE_H
#define ISOLAT_TRACE_H

#include <stddef.h>

#define TRACE_KEEP (1u << 20) /* last 1 MiB of the trace text */
#define TRACE_JOURNAL_MAX 16

struct trace_ctx {
	char dir[256];         /* tracefs root, "" when unavailable */
	int mounted;           /* we mounted it: unmount at the end */
	char why[400];         /* why unavailable */
	unsigned n;            /* journal entries */
	struct {
		char file[96];     /* relative to dir */
		char orig[64];
	} journal[TRACE_JOURNAL_MAX];
};

/* Set tracefs up; returns 0, or -errno with t->why set (nothing to undo
 * then beyond trace_end()). */
int trace_begin(struct trace_ctx *t);

/* Facts for the case through fact(ctx, key, value); restores tracefs.
 * Returns fact's first error. */
typedef int (*trace_fact_fn)(void *ctx, const char *key, const char *value);
int trace_end(struct trace_ctx *t, trace_fact_fn fact, void *ctx);

#endif
