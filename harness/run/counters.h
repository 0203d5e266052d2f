/*
 * counters.h - the host's side of "what interrupted the measured CPUs":
 * /proc/interrupts and /proc/softirqs snapshotted by the harness before the
 * workload starts and after it ended, stored as counters rows with side
 * "host" for the case's measured CPUs (for kvm/xen cases: the host CPUs of
 * the same numbers, whatever runs there).  Also brackets the case with
 * trace.h when it has trace_threshold_us and runs on the host (bare).
 *
 * The workload's own view (side "workload", guest side for guests) comes
 * in its END frame; see workloads/wl_counters.c and collectors/ingest.c.
 */
#ifndef ISOLAT_COUNTERS_H
#define ISOLAT_COUNTERS_H

#include <stdint.h>

#include "collectors/store.h"
#include "harness/host/journal.h"
#include "harness/run/plan.h"

struct case_counters;

/* Before the workload starts.  NULL only when out of memory; an
 * unreadable /proc file is recorded at the end, not an error.  j: the
 * case's tuning journal, where trace.h journals its tracefs changes (the
 * run loop's tuning_undo() replays them). */
struct case_counters *case_counters_begin(const struct plan_case *pc,
					  struct journal *j);

/* After the workload ended, on every path that called begin (NULL is a
 * no-op): store deltas and the trace facts, stop the ring, free cc.
 * Returns 0 or the store's -errno. */
int case_counters_end(struct case_counters *cc, struct store *st,
		      int64_t case_id);

#endif
