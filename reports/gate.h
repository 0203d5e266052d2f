/*
 * gate.h - the regression gate: thresholds, the noise-robust test, the
 * verdict per case x CPU x metric, and its JUnit XML / Markdown writers.
 *
 * A metric of a candidate fails only when BOTH hold:
 *
 *   1. its exact value (nearest-rank quantile over all samples of the
 *      matching series, repetitions pooled) exceeds the baseline's by more
 *      than the threshold: every limit given for it (a relative "+10%" and
 *      / or an absolute "+50us"), and
 *   2. the shift is significant: a one-sided Mann-Whitney U test
 *      (candidate > baseline) on per-block values of the same metric gives
 *      p < alpha (default 0.01).  Blocks are one second of samples, or
 *      shorter so that a series has at least GATE_MIN_BLOCKS of them
 *      (never under GATE_MIN_BLOCK_LEN samples).  Normal approximation
 *      with tie correction and continuity correction.
 *
 * So a run that is merely noisy (a few bad seconds) does not fail, and a
 * shift of the whole distribution does.  `dropped` is a count, not a
 * sample: it fails on the threshold alone.
 *
 * Thresholds come from the [gate] section of the candidate run's stored
 * scenario text (parsed here, see gate_ini.c; the scenario parser only
 * has to accept the section), then `--threshold` overrides.  Without
 * either, GATE_DEFAULTS apply.
 */
#ifndef ISOLAT_GATE_H
#define ISOLAT_GATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/store.h"

#define GATE_MIN_BLOCKS 30
#define GATE_MIN_BLOCK_LEN 50
#define GATE_ALPHA 0.01
/* What is gated when neither the scenario nor the command line says. */
#define GATE_DEFAULTS "p99=+10%", "max=+50%"

enum gate_metric {
	GM_P50, GM_P90, GM_P99, GM_P999, GM_P9999, GM_MAX, GM_DROPPED,
	GM_N,
};
extern const char *const gate_metric_name[GM_N];
/* The quantile of a metric (1.0 for max); 0 for dropped. */
double gate_metric_p(enum gate_metric m);
/* -1 when name is not a metric. */
int gate_metric_find(const char *name);

struct gate_limit {
	int has_rel, has_abs;
	double rel;          /* fraction: +10% -> 0.10 */
	double abs_ns;       /* absolute, ns (or the unit of the series) */
};

struct gate_thresholds {
	struct gate_limit m[GM_N]; /* neither flag set: not gated */
};

/*
 * Parse a threshold value: one or two limits separated by ',' or spaces,
 * each "+N%", "+Nus", "+Nns", "+Nms" or a bare "+N" (the series unit, for
 * dropped a count); the '+' is optional.  "off": not gated (reported
 * only).  0 or -EINVAL with err set.
 */
int gate_limit_parse(const char *value, struct gate_limit *out, char *err,
		     size_t errsz);
/* "metric=value" (the --threshold form); sets th->m[metric]. */
int gate_threshold_arg(struct gate_thresholds *th, const char *arg,
		       char *err, size_t errsz);
/*
 * The [gate] section of a scenario text (other sections ignored), into th
 * (keys found replace th's entries) and *alpha (key "alpha"; alpha may be
 * NULL).  Errors name "<origin>:LINE: ...".  0, -EINVAL or -ENOMEM.
 * *found receives 1 when [gate] has at least one key.
 */
int gate_thresholds_ini(const char *text, const char *origin,
			struct gate_thresholds *th, double *alpha, int *found,
			char *err, size_t errsz);
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

/* Verdict of one case x CPU x metric. */
enum gate_verdict {
	GV_PASS,
	GV_FAIL,      /* over the threshold and significant */
	GV_SKIP,      /* not compared: message says why */
	GV_ERROR,     /* the candidate case failed / has no data */
	GV_MISSING,   /* a baseline case (done, with samples) the candidate
			 lacks or skipped: a row per case (cpu -1) */
};

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
	double p;             /* Mann-Whitney p, NAN when not tested */
	size_t nb_base, nb_cand; /* blocks in the test */
	char limit[48];       /* rendered threshold, "" when not gated */
	char message[256];
};

struct gate_result {
	char base_uuid[37], cand_uuid[37];
	char base_ref[80], cand_ref[80];
	struct gate_row *rows;
	size_t nrows;
	int npass, nfail, nskip, nerror, nmissing;
	double alpha;
};

struct gate_opts {
	struct gate_thresholds th;
	double alpha;
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
void gate_result_free(struct gate_result *res);

/* Writers: 0 or -EIO.  JUnit: a MISSING row is an <error
 * type="missing-case">, counted with the errors. */
int gate_write_junit(const struct gate_result *res, FILE *f);
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
