/*
 * interrupts.h - "what interrupted CPU N during this case": the counters
 * table (schema 3, collectors/store.h) ranked per case, side and CPU, for
 * `isolat show` and the report.
 *
 * A source is an IRQ row of /proc/interrupts ("LOC", "IRQ 24 virtio0") or
 * a softirq ("softirq TIMER"); ranked by its delta over the case, largest
 * first.  Context switches and perf events of the measuring threads follow
 * on their own line; "unsupported" where the machine could not count.
 */
#ifndef ISOLAT_INTERRUPTS_H
#define ISOLAT_INTERRUPTS_H

#include <stdint.h>
#include <stdio.h>

#include "collectors/store.h"
#include "reports/query.h"

#define INTERRUPTS_TOP 8 /* sources listed per CPU */

/* One text line per (case, side, CPU) with counters.  0 or -EIO. */
int interrupts_show(struct store *st, const struct q_run *r, FILE *out);

/* The same as one line of text for one case/side/CPU (the report's table
 * cell); buf empty when there is nothing.  0 or -EIO. */
int interrupts_line(struct store *st, int64_t case_id, const char *side,
		    int cpu, char *buf, size_t size);

/* Sum of irq.* and softirq.* deltas of a case/side/CPU; -1 if none. */
int64_t interrupts_total(struct store *st, int64_t case_id, const char *side,
			 int cpu);

#endif
