/*
 * trace.h - ftrace on threshold (cyclictest -b semantics) for host-side
 * cases.
 *
 * Before the case (trace_begin): find tracefs (/sys/kernel/tracing, else
 * /sys/kernel/debug/tracing; an existing but empty /sys/kernel/tracing is
 * mounted, journaled as a mount record), append the original value of
 * every file it writes to the case's tuning journal (journal.h, the one
 * tuning.c opened for the case) before writing it, then: tracing_on=0,
 * current_tracer=nop, the ring
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
 * (yes|no) and trace.  Restoring is not trace.c's job: the records are in
 * the tuning journal after tuning's own, so tuning_undo() (after the
 * environment's cleanup) writes them back first, unmounts what was
 * mounted, then undoes the profile's knobs; after a crash `isolat restore`
 * does the same from the file.  The ring's contents (cleared at the start)
 * are data, not a setting, and are not put back.  Nor is the ring's
 * size when this case was the first to enable tracing since boot: the
 * kernel expands its ring then and cannot shrink it back to the boot
 * state; a kept record in the journal and the fact trace_ring say so.  No tracefs: fact trace
 * = "trace unavailable: <reason>", never an error.
 */
#ifndef ISOLAT_TRACE_H
#define ISOLAT_TRACE_H

#include <stddef.h>

#include "harness/host/journal.h"
#include "harness/util.h"

#define TRACE_KEEP (1u << 20) /* last 1 MiB of the trace text */

struct trace_ctx {
	char dir[256];         /* tracefs root, "" when unavailable */
	char root[256];        /* "" normally; a fake tree's prefix in tests */
	int mounted;           /* we mounted it (journaled) */
	unsigned changed;      /* records appended to the journal */
	char why[400];         /* why unavailable */
	char ring[128];        /* buffer_size_kb's boot state when this
				* case expanded the ring, else "" */
};

/* Set tracefs up, every change journaled in j first (j->root prefixes
 * every path: a fake tree in tests, where nothing is mounted).  Returns
 * 0, or -errno with t->why set; what was changed before a failure is in
 * j all the same. */
int trace_begin(struct trace_ctx *t, struct journal *j);

/* Facts for the case through fact(ctx, key, value); stops the ring
 * (tracing_on's original comes back from the journal).  Returns fact's
 * first error. */
int trace_end(struct trace_ctx *t, fact_fn fact, void *ctx);

#endif
