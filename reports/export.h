/*
 * export.h - a run's data in formats other tools read.
 *
 *   export_samples    every sample, CSV (for pandas, R, a spreadsheet)
 *   export_summaries  one row per series with every summary column, CSV or
 *                     JSON ("isolat-summary" version 1, see export.c)
 *
 * CSV follows RFC 4180: comma separated, a header line, fields quoted with
 * '"' (doubled inside) when they hold a comma, quote, CR or LF; lines end
 * in "\n" (what every CSV reader accepts; strict CRLF is not needed by any
 * tool we care about).  Integers are printed exactly; doubles with %.17g.
 */
#ifndef ISOLAT_EXPORT_H
#define ISOLAT_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/store.h"

enum export_format {
	EXPORT_CSV,
	EXPORT_JSON,
};

/*
 * Header "case,name,environment,workload,series,cpu,seq,value_ns", then one
 * line per sample of every series of the run, cases in idx order, series in
 * idx order, samples in stored order.  case is the case index, series the
 * series index, seq the sample's loop index (chunk first_seq + offset),
 * value_ns the stored value (in the series' unit, ns for latency).
 * Returns 0, -EINVAL for a corrupt chunk (err names the run, case, series
 * and chunk), -EIO for a database or write error, -ENOMEM.  On error the
 * output holds the lines written so far.
 */
int export_samples(struct store *st, int64_t run_id, FILE *out, char *err,
		   size_t errsz);

/*
 * One row per series (a case without series gets one row with empty series
 * and summary fields, so failed and skipped cases stay visible):
 *
 * CSV columns: run_uuid, case, name, environment, profile, workload, load,
 *   repetition, status, reason, emulated, flagged, series, cpu, unit,
 *   count, dropped, min, mean, stddev, p50, p90, p99, p999, p9999, p99999,
 *   max.  emulated and flagged are 0/1.
 *
 * JSON: {"format": "isolat-summary", "version": 1,
 *        "run": {uuid, host: {hostname, model, cpu_model, ncpus,
 *                fingerprint}, scenario, scenario_path, tool_version,
 *                started_at, finished_at, status},
 *        "cases": [{idx, name, environment, profile, workload, load,
 *                   repetition, status, reason, emulated (bool),
 *                   flagged (bool), interval_us,
 *                   series: [{idx, cpu, unit, count, dropped, min, mean,
 *                             stddev, p50, ..., p99999, max}]}]}
 * A series without a summary row has null statistics.
 * Returns 0, -EINVAL (unknown format), -ENOENT (no such run), -EIO, -ENOMEM.
 */
int export_summaries(struct store *st, int64_t run_id, enum export_format fmt,
		     FILE *out, char *err, size_t errsz);

/* Write s as one RFC 4180 CSV field (quoted only when needed). */
void export_csv_field(FILE *out, const char *s);

#endif
