/*
 * compare.h - match cases across runs, and the comparison report.
 *
 * Matching (used by `isolat compare` and `isolat gate`): two cases match
 * when environment, profile, workload and load are equal; the repetition
 * is ignored, so every repetition of a case is pooled on its side.  Series
 * match by CPU.  A group is one (case key, CPU) with, per run, the series
 * that belong to it.  Emulated and real cases are kept in one group but
 * flagged, so a writer can refuse to compare them and say why.
 *
 * compare_render(st, ids, n, outdir) writes into outdir:
 *   index.html                     runs (each marked by its letter and
 *                                  a grey line of its dash), the delta
 *                                  table (p50, p99, p99.99 - "n<N" where
 *                                  the samples cannot support it, as in
 *                                  every table - max, dropped, each run against
 *                                  the first, with a shift mark per
 *                                  row: per-second p99 up or down, two
 *                                  one-sided Mann-Whitney U), the plots
 *   gNNN-{hist,pct,maxsec}.{gp,dat,svg,png}
 *                                  per group: histograms, latency versus
 *                                  percentile and max per second of every
 *                                  run overlaid, in the environment's
 *                                  colour (rpt_env_colour), run k in
 *                                  dash k (A solid, B dashed...); a
 *                                  percentile curve stops at log10(n)
 *                                  nines with a step to its max (as in
 *                                  report_data.c); emulated sides are
 *                                  marked EMULATED in rows, headings,
 *                                  titles and legends
 * A "board comparison" is the same report over runs from several hosts
 * (after `isolat merge`): the legend names run, host and environment.
 */
#ifndef ISOLAT_COMPARE_H
#define ISOLAT_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/stats.h"
#include "collectors/store.h"
#include "reports/query.h"

#define CMP_MAX_RUNS 8

struct cmp_side {
	int64_t *series;     /* series ids (all repetitions) */
	size_t nseries;
	uint64_t dropped;    /* summed over those series */
	uint32_t interval_us;
	int present;         /* the case exists in this run */
	int emulated;        /* some matching case ran emulated */
	const char *status;  /* of the last matching case (borrowed) */
	const char *reason;
	const char *unit;
	const char *params;  /* of the first matching case (borrowed) */
};

struct cmp_group {
	char key[200];       /* "env.profile.workload.load" */
	int cpu;             /* -1: case-level (no series at all) */
	struct cmp_side side[CMP_MAX_RUNS];
};

/* The match key of a case ("env.profile.workload.load") into buf. */
void cmp_case_key(const struct q_case *c, char *buf, size_t size);

/* Groups over runs[0..nruns), in first-seen order.  0 or -ENOMEM. */
int cmp_match(const struct q_run *runs, size_t nruns,
	      struct cmp_group **out, size_t *ngroups);
void cmp_groups_free(struct cmp_group *g, size_t n);

/* The parameters that differ between two cases' params JSON objects
 * (flat: strings and numbers), "key a -> b" joined by "; " into out,
 * leaving out what names the case or run (scenario, repetition).  out
 * empty when they agree or neither is recorded; when one is missing or
 * not such an object, out says so.  Returns how many differ (1 then). */
int cmp_params_diff(const char *a, const char *b, char *out, size_t size);

/* The pooled samples of one side: every series, in order, into *vals
 * (malloc'd); lens[i] = samples of series i (malloc'd, nseries long).
 * 0, -ENOMEM, -EINVAL (corrupt chunk) or -EIO. */
int cmp_side_samples(struct store *st, const struct cmp_side *s,
		     uint32_t **vals, size_t *n, size_t **lens);

/* Any run referenced by ids; 0 or -errno with err set. */
int compare_render(struct store *st, const int64_t *ids, size_t n,
		   const char *outdir, char *err, size_t errsz);

#endif
