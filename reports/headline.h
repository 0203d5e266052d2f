/*
 * headline.h - the first table of `report` and `show`: how much worse is
 * each environment than bare, and what each isolation profile buys back.
 *
 * Per workload x load, one row per environment x profile with the worst
 * CPU's p50, p99, p99.9 and max (over all CPUs and repetitions of the
 * cases that share those four names), each beside its ratio and delta
 * against bare with the same profile, workload and load, and, for a
 * profile other than "none", its change against the same environment's
 * "none".  Emulated rows are shown and marked, and never put in a ratio
 * with a real row (nor with each other: their numbers are not latencies
 * of anything real).
 *
 * Computed from the stored summaries only: no sample is read, so the
 * table costs nothing on a run of any size.
 */
#ifndef ISOLAT_HEADLINE_H
#define ISOLAT_HEADLINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reports/query.h"

enum { HL_P50, HL_P99, HL_P999, HL_MAX, HL_NVALS };

struct hl_row {
	const char *workload, *load, *environment, *profile; /* run's text */
	int emulated;
	int group;                 /* workload x load, in first appearance */
	uint32_t v[HL_NVALS];      /* ns, worst CPU */
	uint64_t min_count;        /* fewest samples of a CPU */
	int bare;                  /* row index of its bare reference, -1 */
	int none;                  /* row index of its profile "none", -1 */
};

struct headline {
	struct hl_row *rows;       /* sorted: group, bare first, profile */
	size_t nrows;
	int ngroups;
};

/* 0 or -ENOMEM.  A run with no latency summaries gives nrows 0. */
int headline_build(const struct q_run *r, struct headline *h);
void headline_free(struct headline *h);

/* Whether the row's p99.9 rests on enough samples (10 / (1 - p)). */
int headline_p999_ok(const struct hl_row *row);

/* `show`: aligned text.  Nothing when there are no rows. */
void headline_text(const struct q_run *r, FILE *out);
/* `report`: <h2 id="headline"> and one table per group. */
void headline_html(const struct q_run *r, FILE *out);

/* `compare`: the same rows for up to 8 runs, each against run A (the
 * first) with the same environment, profile, workload and load; mark[k]
 * is run k's mark (HTML: its line style and letter, never a colour, which
 * means environment); the environment beside it has its colour. */
void headline_compare_html(const struct q_run *runs, size_t n,
			   const char *const *mark, FILE *f);

#endif
