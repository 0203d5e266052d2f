/*
 * irqstat.h - /proc/interrupts and /proc/softirqs: parse a snapshot and
 * compute per-CPU deltas between two snapshots.
 *
 * Shared by the workload (isolat-wl, static: it snapshots inside its own
 * environment, so a guest reports the guest's view) and the harness (the
 * host's view of every case), hence it lives with the workload sources and
 * uses nothing but libc.
 *
 * Both files have the same shape: a header of "CPU<n>" columns (online
 * CPUs only, so column != CPU number once a CPU is offline), then one row
 * per source: "NAME: count count ... [description]".  Rows with fewer
 * counts than columns (x86 ERR:, MIS:) are system-wide, not per CPU, and
 * are skipped.  Only the columns of the CPUs asked for are kept, so a
 * snapshot of a 256-CPU board for one measured CPU stays small.
 */
#ifndef ISOLAT_IRQSTAT_H
#define ISOLAT_IRQSTAT_H

#include <stddef.h>
#include <stdint.h>

#include "workloads/cpulist.h"

#define IRQSTAT_NAME_MAX 32
#define IRQSTAT_DESC_MAX 64
/* Bounded read: /proc/interrupts of a large board is a few hundred KiB. */
#define IRQSTAT_FILE_MAX (4u << 20)

struct irqstat_row {
	char name[IRQSTAT_NAME_MAX];  /* "24", "LOC", "NET_RX" */
	char desc[IRQSTAT_DESC_MAX];  /* "IO-APIC 5-edge ACPI:Ged", or "" */
};

struct irqstat {
	unsigned ncpu;            /* CPUs of interest */
	unsigned short *cpu;      /* [ncpu] their numbers */
	unsigned char *present;   /* [ncpu] 1: the CPU has a column */
	unsigned nrows, cap;
	struct irqstat_row *rows; /* [nrows] */
	uint64_t *count;          /* [nrows * ncpu], row-major */
};

/*
 * Parse text (NUL-terminated) keeping the columns of the CPUs in want.
 * Returns 0, -EINVAL (no CPU header) or -ENOMEM; out is reset first and
 * must be freed with irqstat_free() in every case.
 */
int irqstat_parse(const char *text, const struct cpulist *want,
		  struct irqstat *out);
/* Read path (at most IRQSTAT_FILE_MAX) and parse it.  0 or -errno. */
int irqstat_read(const char *path, const struct cpulist *want,
		 struct irqstat *out);
void irqstat_free(struct irqstat *s);

/*
 * For every row of after and every CPU of interest present in both
 * snapshots, call fn with the increase since before.  A row missing from
 * before (an IRQ registered meanwhile) counts from 0; a count that went
 * down wrapped its 32-bit kernel counter.  Rows only in before are gone
 * and skipped.  Stops at and returns fn's first non-zero return.
 */
typedef int (*irqstat_delta_fn)(void *ctx, const struct irqstat_row *row,
				unsigned cpu, uint64_t delta);
int irqstat_delta(const struct irqstat *before, const struct irqstat *after,
		  irqstat_delta_fn fn, void *ctx);

/* Counter-name-safe copy of a row name: [A-Za-z0-9_-], others '_'. */
void irqstat_key_name(const char *name, char *buf, size_t size);

#endif
