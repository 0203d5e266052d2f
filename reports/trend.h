/*
 * trend.h - nightly trends: for one host (fingerprint) and scenario, a
 * series per case x CPU x metric over runs (nights), and the change
 * points in each, found with E-divisive means and a t test between
 * segments (the method of Apache Otava / Hunter, from MongoDB's
 * signal-processing work).  docs/trend.md is the user's reference.
 *
 * Change points (trend_detect): binary segmentation.  In a segment, the
 * split tau that maximises the energy statistic (E-divisive means, alpha
 * = 1: (m n / (m + n)) (2 E|X - Y| - E|X - X'| - E|Y - Y'|)) is the
 * candidate; it is kept when a two-sided Welch t test between the two
 * sides gives p < alpha (default 0.001) and the means differ by at least
 * min_change (default 5%) of the earlier one; both sides are then split
 * again.  At the end each point is tested again against its neighbours'
 * segments and dropped when it no longer passes (Hunter's second pass).
 * Segments are at least TREND_MIN_SEG runs long.
 *
 * The value of a metric in a run: every series of the case on that CPU
 * pooled (repetitions), the nearest-rank quantile (or max).
 */
#ifndef ISOLAT_TREND_H
#define ISOLAT_TREND_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/store.h"

#define TREND_MIN_SEG 3
#define TREND_ALPHA 0.001
#define TREND_MIN_CHANGE 0.05
#define TREND_NMETRICS 4

/* The metrics of a trend: p50, p99, p999, max (gate_metric values). */
extern const int trend_metric[TREND_NMETRICS];

struct trend_cp {
	size_t at;          /* index of the first point after the change */
	double before, after; /* segment means */
	double p;           /* Welch t test, two-sided */
};

/*
 * Change points of x[0..n) (NAN values are skipped: at refers to x's
 * indexes).  *cps malloc'd, sorted by at.  0 or -ENOMEM.
 */
int trend_detect(const double *x, size_t n, double alpha, double min_change,
		 struct trend_cp **cps, size_t *ncps);

/* Welch's two-sided t test between a[0..na) and b[0..nb). */
double trend_welch_p(const double *a, size_t na, const double *b, size_t nb);

struct trend_run {
	int64_t id;
	char uuid[37], started_at[32], tool_version[64], kernel[128];
	char *cmdline;        /* malloc'd, may be NULL */
	char *changed;        /* what differs from the run before (malloc'd;
				 NULL for the first run) */
};

struct trend_series {
	char key[200];
	int cpu, metric;      /* metric: enum gate_metric */
	int emulated;
	double *v;            /* nruns values, NAN where the run lacks it */
	struct trend_cp *cps;
	size_t ncps;
};

struct trend_opts {
	const char *host;     /* fingerprint, hostname or NULL (the only) */
	const char *scenario; /* name or NULL (the only one) */
	long last;            /* the last N runs, 0: all */
	const char *since;    /* runs started on or after, "YYYY-MM-DD" */
	double alpha, min_change;
};

struct trend_result {
	char fingerprint[80], hostname[80], scenario[80];
	struct trend_run *runs;
	size_t nruns;
	struct trend_series *series;
	size_t nseries;
};

/* Load the runs, build the series and find their change points.  0 or
 * -errno with err set (-ENOENT: no such host / scenario / no runs;
 * -EINVAL: more than one and none chosen, err lists them). */
int trend_build(struct store *st, const struct trend_opts *o,
		struct trend_result *res, char *err, size_t errsz);
void trend_result_free(struct trend_result *res);

/* The newest change point over all series: its run index, or -1. */
long trend_newest(const struct trend_result *res, int *regression);

/* Text for a terminal / log. */
int trend_write_text(const struct trend_result *res, FILE *f);
/* index.html and one SVG per metric into dir (created). */
int trend_write_html(const struct trend_result *res, const char *dir,
		     char *err, size_t errsz);

/*
 * An SVG line chart: nl lines of n points (NAN: gap), vertical marks at
 * the given x indexes.  w x h pixels; small (no axes text) when h < 80.
 */
int trend_svg(FILE *f, int w, int h, const double *const *lines, size_t nl,
	      size_t n, const size_t *marks, size_t nmarks, const char *title,
	      const char *const *legend);

/* SQL (trend_query.c). */
struct trend_pick {
	char fingerprint[80], hostname[80], scenario[80];
};
/* Distinct (host, scenario) pairs with finished runs; *out malloc'd. */
int trend_query_pairs(struct store *st, struct trend_pick **out, size_t *n);
/* Run ids of a host and scenario, oldest first, after filters. */
int trend_query_runs(struct store *st, const char *fingerprint,
		     const char *scenario, long last, const char *since,
		     int64_t **ids, size_t *n);

#endif
