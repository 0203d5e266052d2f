/*
 * gate.h - the regression gate: limits, rules, the across-run noise test,
 * the verdict per case x CPU x metric, and its JUnit XML / Markdown
 * writers.  docs/gate.md is the user's reference.
 *
 * The independent unit is a run, or a repetition of a case inside a run:
 * samples inside one run are not independent evidence about the next run
 * (the host's state drifts between runs), so no test is made on blocks
 * of one run.  Each unit gives one value per metric.  A candidate metric
 * fails when any of these holds:
 *
 *   1. a LIMIT (absolute ceiling, --limit max=100us, [gate] limit = ...)
 *      is exceeded by the worst candidate unit: whatever any test says;
 *   2. a worst-case metric (max, over: samples above the over latency,
 *      run: longest run of consecutive samples above it, dropped) breaks
 *      its RULE: candidate > baseline x (1 + r) + d, the candidate's and
 *      the baseline's worst units (single events, no distribution test);
 *   3. a distribution metric (p50 .. p9999) is over its margin (+r% and /
 *      or +d, both must be exceeded, against the baseline units'
 *      geometric mean) AND outside the baseline units' own spread: a
 *      one-sided Welch-style t test on log values (candidate mean vs the
 *      baseline units, standard error s_b * sqrt(1/k + 1/m)) gives
 *      p < alpha.  With one baseline unit the spread is unknown: the
 *      metric is reported, not gated (limits and rules still are).  With
 *      alpha off (--alpha off), the margin alone decides.
 *
 * Emulated cases are shown but not gated unless the policy says gate.
 *
 * Thresholds come from the [gate] section of the candidate run's stored
 * scenario text (parsed here, see gate_ini.c; the scenario parser only
 * has to accept the section), then the command line overrides.  Without
 * either, GATE_DEFAULTS apply.
 */
#ifndef ISOLAT_GATE_H
#define ISOLAT_GATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/store.h"

#define GATE_MAX_BASE 32   /* baseline runs at most */
#define GATE_MIN_BLOCKS 30
#define GATE_MIN_BLOCK_LEN 50
#define GATE_ALPHA 0.01
/* What is gated when neither the scenario nor the command line says. */
#define GATE_DEFAULTS "p99=+10%", "max=+50%"

struct gate_opts;

enum gate_metric {
	GM_P50, GM_P90, GM_P99, GM_P999, GM_P9999, GM_MAX, GM_DROPPED,
	GM_OVER,             /* samples above the over latency */
	GM_RUN,              /* longest run of consecutive such samples */
	GM_N,
};
/* max, dropped, over, run: gated by rule, never by a test. */
int gate_metric_worst(enum gate_metric m);
extern const char *const gate_metric_name[GM_N];
/* The quantile of a metric (1.0 for max); 0 for dropped. */
double gate_metric_p(enum gate_metric m);
/* -1 when name is not a metric. */
int gate_metric_find(const char *name);

struct gate_limit {
	int has_rel, has_abs;
	double rel;          /* fraction: +10% -> 0.10 */
	double abs_ns;       /* absolute, ns (or the unit of the series) */
	int abs_bare;        /* the absolute limit was written without unit */
};

struct gate_thresholds {
	struct gate_limit m[GM_N]; /* neither flag set: not gated */
	int has_ceil[GM_N];        /* an absolute limit (--limit) */
	double ceil[GM_N];         /* ns, or a count for dropped/over/run */
	double over_ns;            /* the over latency; 0: over/run unused */
};

/*
 * Parse a threshold value: one or two limits separated by ',' or spaces,
 * each "+N%", "+Nus", "+Nns", "+Nms" or a bare "+N" (the series unit, for
 * dropped a count); the '+' is optional.  "off": not gated (reported
 * only).  0 or -EINVAL with err set.
 */
int gate_limit_parse(const char *value, struct gate_limit *out, char *err,
		     size_t errsz);
/* The same for metric m, whose kind decides the units: a latency (p50 ..
 * max) needs one on a non-zero absolute limit (a bare +50 would silently
 * mean 50 ns), a count (dropped, over, run) takes none. */
int gate_metric_limit_parse(int m, const char *value, struct gate_limit *out,
			    char *err, size_t errsz);
/* "metric=value" (the --threshold form); sets th->m[metric]. */
int gate_threshold_arg(struct gate_thresholds *th, const char *arg,
		       char *err, size_t errsz);
/*
 * fn(name, type, doc, arg) for every key of a scenario's [gate] section
 * (`isolat check --keys`, the man page test).  Stops at fn's first
 * non-zero return and returns it; else 0.
 */
typedef int (*gate_key_fn)(const char *name, const char *type,
			   const char *doc, void *arg);
int gate_key_iter(gate_key_fn fn, void *arg);

/*
 * The [gate] section of a scenario text (other sections ignored), into th
 * (keys found replace th's entries) and *alpha (key "alpha"; alpha may be
 * NULL).  Errors name "<origin>:LINE: ...".  0, -EINVAL or -ENOMEM.
 * *found receives 1 when [gate] has at least one key.
 */
int gate_thresholds_ini(const char *text, const char *origin,
			struct gate_thresholds *th, double *alpha, int *found,
			char *err, size_t errsz);
/*
 * "metric=value" (the --limit form): an absolute ceiling.  p50 .. max:
 * a latency ("100us"); dropped: a count; over and run: "LAT:COUNT" (at
 * most COUNT samples, or COUNT in a row, above LAT), which also sets the
 * over latency (one per gate: a second, different one is refused).
 */
int gate_limit_arg(struct gate_thresholds *th, const char *arg, char *err,
		   size_t errsz);
/* A latency "50us", "2ms", "800ns", "800" (ns) into *ns; 0 or -EINVAL. */
int gate_latency_parse(const char *s, double *ns);
/* "off" -> 0 (no test), else a level in (0, 0.5).  0 or -EINVAL. */
int gate_alpha_parse(const char *s, double *alpha);

/*
 * The options a run is gated with when nothing else is said: alpha, the
 * emulated policy show, and the run's stored [gate] section, else
 * GATE_DEFAULTS.  origin names the run in messages.  0, -EINVAL (a bad
 * [gate]: err names "<uuid> scenario:LINE"), -ENOMEM or -EIO.
 */
int gate_opts_for_run(struct store *st, int64_t run_id, const char *uuid,
		      struct gate_opts *o, char *err, size_t errsz);

/* Render a limit for messages ("+10%", "+50us", "+10% and +5us"). */
void gate_limit_fmt(const struct gate_limit *l, char *buf, size_t size);

/*
 * One-sided Mann-Whitney U: p-value for "b is stochastically greater than
 * a".  Normal approximation, tie and continuity corrected; 1.0 when either
 * sample is empty or everything ties.  a and b are sorted in place.
 */
double gate_mwu_greater(double *a, size_t na, double *b, size_t nb);

/* Per-block values of metric m over samples: blen samples per block (the
 * last, partial block is kept when >= blen / 2).  out has room for
 * n / blen + 1 values; returns how many were written, or -ENOMEM. */
long gate_block_values(const uint32_t *samples, size_t n, size_t blen,
		       enum gate_metric m, double *out);
/* Block length for a series of n samples at interval_us. */
size_t gate_block_len(size_t n, uint32_t interval_us);

/*
 * Student's t: P(T > t) with df degrees of freedom (df > 0), from the
 * regularized incomplete beta function.  Also used by trend.c.
 */
double gate_t_sf(double t, double df);

/* Per-unit metric values of one series: v[m] for every metric but
 * dropped; samples are sorted in place afterwards (order used first). */
struct gate_unit {
	double v[GM_N];
};
int gate_unit_values(uint32_t *samples, size_t n, double over_ns,
		     struct gate_unit *u);

/* Verdict of one case x CPU x metric. */
enum gate_verdict {
	GV_PASS,
	GV_FAIL,      /* over the threshold and significant */
	GV_SKIP,      /* not compared: message says why */
	GV_ERROR,     /* the candidate case failed / has no data */
	GV_MISSING,   /* a baseline case (done, with samples) the candidate
			 lacks or skipped: a row per case (cpu -1) */
};

/* SQL the gate needs (gate_query.c). */
/* The stored scenario text of a run (malloc'd; NULL when none).  0 or
 * -EIO. */
int gate_query_scenario_text(struct store *st, int64_t run_id, char **text);
/* Up to n runs before run_id (by started_at) of the same host and
 * scenario, status done, newest first, into ids.  Returns how many, or
 * -EIO. */
long gate_query_previous(struct store *st, int64_t run_id, int64_t *ids,
			 size_t n);

struct gate_row {
	char case_key[200];   /* env.profile.workload.load (no .rN) */
	int cpu;
	int metric;           /* enum gate_metric; -1: the case as a whole */
	enum gate_verdict verdict;
	int unit_ns;          /* values are ns (shown as us) */
	int gated;            /* a threshold applies */
	int emulated;         /* compared cases ran emulated */
	double base, cand;    /* exact values (ns / count) */
	double delta, rel;    /* cand - base, delta / base (NAN if base 0) */
	double p;             /* t-test p across units, NAN: not tested */
	size_t nb_base, nb_cand; /* units (runs / repetitions) per side */
	char limit[48];       /* rendered threshold, "" when not gated */
	char ceil[48];        /* rendered absolute limit, "" when none */
	char message[256];
};

struct gate_result {
	char base_uuid[37], cand_uuid[37];
	char base_ref[80], cand_ref[80];
	struct gate_row *rows;
	size_t nrows;
	int npass, nfail, nskip, nerror, nmissing;
	int nreal;            /* rows of real cases with a metric compared */
	int nemulated;        /* rows of emulated cases shown, not gated */
	size_t nbase;         /* baseline runs */
	double alpha;         /* 0: off */
	double over_ns;
	/* Matched cases whose parameters differ between a baseline run and
	 * the candidate (interval_us, loops, ...): said, as compare does,
	 * since such a comparison may not be the one meant.  Lines of
	 * "CASE: baseline UUID8 differs: k a -> b", the first few. */
	char notes[1024];
	unsigned nnotes;      /* every such case x baseline run, listed or not */
};

enum gate_emulated { GATE_EMU_SHOW = 0, GATE_EMU_GATE };

struct gate_opts {
	struct gate_thresholds th;
	double alpha;          /* 0: no test, the margin alone decides */
	enum gate_emulated emulated;
};

/*
 * Compare candidate with baseline (run ids in st), one row per matching
 * case x CPU x metric (and a row per unmatched case).  A baseline case
 * that is done and has samples, and that the candidate lacks or skipped
 * (while the baseline ran it), is MISSING: one row for the case.  The
 * gate fails on a FAIL, an ERROR or a MISSING row; cases skipped in both
 * runs (plan-time skips), new cases and not comparable ones are skipped.  0 or -errno with
 * err set.  gate_result_free() after.
 */
int gate_run(struct store *st, int64_t base_id, int64_t cand_id,
	     const struct gate_opts *o, struct gate_result *res, char *err,
	     size_t errsz);
/* The same against several baseline runs (1 .. GATE_MAX_BASE): their
 * cases' series are the baseline's units; the first run's cases decide
 * which cases are missing, new or skipped. */
int gate_run_multi(struct store *st, const int64_t *base_ids, size_t nbase,
		   int64_t cand_id, const struct gate_opts *o,
		   struct gate_result *res, char *err, size_t errsz);
void gate_result_free(struct gate_result *res);

/* Writers: 0 or -EIO.  JUnit: a MISSING row is an <error
 * type="missing-case">, counted with the errors. */
int gate_write_junit(const struct gate_result *res, FILE *f);
/* Markdown for a merge request: the verdict first, then failures, the
 * ten largest changes, the rest folded in <details>; never more than
 * GATE_MD_MAX characters whatever the case count (rows left out are
 * counted and pointed to the JUnit file). */
#define GATE_MD_MAX 60000
int gate_write_markdown(const struct gate_result *res, FILE *f);
/*
 * The console lines of `isolat gate` (stderr): with summary, the counts
 * line ("... N passed, N failed, N errors, N missing, N skipped") and
 * the skipped cases, one line per case and reason (CPUs folded); always
 * one line per FAIL, ERROR and MISSING row.  Every line of an emulated
 * case says (EMULATED).  Lines start with "isolat gate: ".
 */
int gate_write_console(const struct gate_result *res, FILE *f, int summary);
/* XML text escaping (also for attribute values): & < > " ' and control
 * characters; invalid UTF-8 becomes U+FFFD. */
void gate_xml_escape(FILE *f, const char *s);

#endif
