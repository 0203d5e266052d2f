/*
 * export.h - a run's data in formats other tools read.
 *
 *   export_samples    every sample, CSV or JSON (pandas, R, a spreadsheet)
 *   export_summaries  one row per series with every summary column, CSV or
 *                     JSON ("isolat-summary", EXPORT_SUMMARY_VERSION)
 *   export_case_rt    one case as rt-tests writes it (cyclictest --json,
 *                     oslat --json) or as OSADL's "RT Dataset" 1.0
 *                     (export_rt.c)
 *
 * Every field of every format is documented in docs/formats.md; a change
 * to a format's fields bumps its version there and here.
 *
 * CSV follows RFC 4180: comma separated, a header line, fields quoted with
 * '"' (doubled inside) when they hold a comma, quote, CR or LF; lines end
 * in "\n" (what every CSV reader accepts; strict CRLF is not needed by any
 * tool we care about).  Integers are printed exactly; doubles as the
 * shortest text that reads back bit for bit (json_fmt_double).
 */
#ifndef ISOLAT_EXPORT_H
#define ISOLAT_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/store.h"

#include "collectors/stats.h"
#include "reports/query.h"

#define EXPORT_SAMPLES_VERSION 2  /* 1: case,name,...,value_ns (no run) */
#define EXPORT_SUMMARY_VERSION 2  /* 2: + kernel, argv, kind, histogram */

enum export_format {
	EXPORT_CSV,
	EXPORT_JSON,
	EXPORT_CYCLICTEST_JSON, /* latency cases; spin cases as oslat --json */
	EXPORT_OSADL,           /* OSADL "RT Dataset" 1.0, latency cases */
};

/*
 * Every sample of every series of the run, cases in idx order, series in
 * idx order, samples in stored order, one row each with the columns
 *   run_uuid, case, name, environment, profile, workload, load,
 *   repetition, emulated, series, cpu, seq, value, unit
 * (case / series: indexes; seq: the sample's loop index, chunk first_seq +
 * offset; value in unit: ns for latency and noise, ops for a spin
 * throughput window).  CSV: a header line then one line per sample
 * (emulated 0/1).  JSON: {"format": "isolat-samples", "version": 2,
 * "run_uuid", "columns": [...], "rows": [[...], ...]} (emulated a bool).
 * Returns 0, -EINVAL for a corrupt chunk (err names the run, case, series
 * and chunk) or another format, -EIO for a database or write error,
 * -ENOMEM.  On error the output holds the lines written so far.
 */
int export_samples(struct store *st, int64_t run_id, enum export_format fmt,
		   FILE *out, char *err, size_t errsz);

/*
 * One row per series (a case without series gets one row with empty series
 * and summary fields, so failed and skipped cases stay visible):
 *
 * CSV columns: run_uuid, case, name, environment, profile, workload, load,
 *   repetition, status, reason, emulated, flagged, series, cpu, unit,
 *   count, dropped, min, mean, stddev, p50, p90, p99, p999, p9999, p99999,
 *   max.  emulated and flagged are 0/1.
 *
 * JSON: {"format": "isolat-summary", "version": 2,
 *        "run": {uuid, host: {hostname, model, cpu_model, ncpus,
 *                fingerprint}, kernel: {release, version, preempt_rt
 *                (bool or null), preempt_model, cmdline}, argv,
 *                scenario, scenario_path, tool_version, started_at,
 *                finished_at, status},
 *        "cases": [{idx, name, environment, profile, workload, load,
 *                   repetition, status, reason, emulated (bool),
 *                   flagged (bool), interval_us,
 *                   series: [{idx, cpu, unit, kind, count, dropped, min,
 *                             mean, stddev, p50, ..., p99999, max,
 *                             histogram: {bucket_ns, bins: [[low,
 *                             count], ...]} | null}]}]}
 * A series without a summary row has null statistics.
 * Returns 0, -EINVAL (unknown format), -ENOENT (no such run), -EIO, -ENOMEM.
 */
int export_summaries(struct store *st, int64_t run_id, enum export_format fmt,
		     FILE *out, char *err, size_t errsz);

/*
 * One case c of run r in an rt-tests or OSADL shape (fmt
 * EXPORT_CYCLICTEST_JSON or EXPORT_OSADL), see docs/formats.md.  Values
 * are whole microseconds truncated (what cyclictest does with its own
 * nanosecond clock readings); avg is isolat's mean / 1000 to two decimals.
 * Returns 0, -ENOENT when the case has no series of that shape (skipped,
 * or a spin case for osadl; err says so), -EINVAL (corrupt chunk), -EIO,
 * -ENOMEM.
 */
int export_case_rt(struct store *st, const struct q_run *r,
		   const struct q_case *c, enum export_format fmt, FILE *out,
		   char *err, size_t errsz);
/* 1 when export_case_rt has something to write for c in fmt. */
int export_case_rt_applies(const struct q_case *c, enum export_format fmt);

/* The stored histogram of a series; *bins malloc'd.  0, -ENOENT (none),
 * -EINVAL (corrupt), -EIO. */
int export_series_hist(struct store *st, int64_t series_id,
		       uint32_t *bucket_ns, struct hist_bin **bins,
		       size_t *nbins);

/* Write s as one RFC 4180 CSV field (quoted only when needed). */
void export_csv_field(FILE *out, const char *s);

#endif
