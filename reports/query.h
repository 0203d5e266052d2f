/*
 * query.h - read one run out of the store into plain structs.
 *
 * show, export and report all need the same picture of a run (its host,
 * metadata, cases, series with their summaries, events); this is the one
 * place that knows the SQL for it.  Samples themselves are not loaded here:
 * they are streamed with store_series_samples() by whoever needs them.
 *
 * Also the small text helpers the report writers share (value formatting,
 * file-name sanitizing, the governor/hwloc metadata condensing).
 */
#ifndef ISOLAT_QUERY_H
#define ISOLAT_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/stats.h"
#include "collectors/store.h"

struct q_series {
	int64_t id;
	int idx, cpu;
	char *unit;           /* "ns" for latency series */
	char *kind;           /* latency | throughput | noise (schema 3) */
	int64_t count, dropped;
	/* Whole periods skipped because a wake-up came after the next
	 * deadline (END's series.N.overruns, as cyclictest skips them);
	 * -1: the workload did not report it. */
	int64_t overruns;
	int has_summary;      /* a summaries row exists */
	struct summary sum;
};

struct q_case {
	int64_t id;
	int idx, repetition;
	char *name, *environment, *profile, *workload, *load, *params;
	char *status, *reason, *started_at, *finished_at;
	int emulated, flagged;
	uint32_t interval_us; /* case_facts, else params, else 1000 */
	const char *interval_from; /* static text: where interval_us came from */
	struct q_series *series;
	size_t nseries;
};

struct q_event {
	int case_idx;         /* -1: the run itself */
	int series_idx;       /* -1: no series */
	char *at, *kind, *severity, *message;
};

struct q_meta {
	char *key, *value;
};

struct q_run {
	int64_t id;
	char *uuid, *scenario_name, *scenario_path, *tool_version, *argv;
	char *started_at, *finished_at, *status;
	char *hostname, *host_model, *cpu_model, *fingerprint;
	int ncpus;
	struct q_meta *meta;  /* in collection order */
	size_t nmeta;
	struct q_case *cases; /* in idx order */
	size_t ncases;
	struct q_event *events;
	size_t nevents;
	int any_emulated, any_flagged;
};

/* Load everything but the samples.  0, -ENOENT (no such run), -ENOMEM or
 * -EIO; err says which. */
int query_run_load(struct store *st, int64_t run_id, struct q_run *r,
		   char *err, size_t errsz);
void query_run_free(struct q_run *r);

/* NULL when the run has no such metadata key. */
const char *query_meta(const struct q_run *r, const char *key);

/*
 * Condensed metadata for display: every key except governor.N (collapsed
 * into one "governor" line: "performance x4" when all agree, else
 * "performance (0-2,5), powersave (3-4)"), hwloc_xml (its size; numa_nodes
 * folded in) and numa_nodes when folded.  Calls fn(ctx, key, value) in
 * collection order; the governor line takes the place of governor.0.
 * Returns 0, -ENOMEM, or fn's first non-zero return.
 */
typedef int (*query_meta_fn)(void *ctx, const char *key, const char *value);
int query_meta_condensed(const struct q_run *r, query_meta_fn fn, void *ctx);

/* Case counts by status, for list lines and headers. */
struct q_counts {
	int done, failed, skipped, other;
};
void query_case_counts(const struct q_run *r, struct q_counts *c);

/*
 * A value in the series' unit, for a table: ns -> microseconds with one
 * decimal ("12.3"), other units as the plain integer.
 */
void query_fmt_value(char *buf, size_t size, uint64_t v, const char *unit);
/* 1 when the unit is nanoseconds (plots and tables show microseconds). */
int query_unit_is_ns(const char *unit);

/*
 * The samples percentile p needs: about 10 / (1 - p) (1000 for p99,
 * 100000 for p99.99; 0 for the max, p = 1).  With fewer, its "value" is one of the few largest
 * samples, and every table (report, show, compare) prints the marker
 * "n<N" (query_fmt_pct) instead of a number.
 */
uint64_t query_pct_need(double p);
/* Percentile p of a series of count samples into buf: the value as
 * query_fmt_value, or "n<N" when count cannot support p.  Returns 1 when
 * it wrote the marker, 0 for a value. */
int query_fmt_pct(char *buf, size_t size, uint64_t v, const char *unit,
		  uint64_t count, double p);

/*
 * A file-name-safe stem for a case: "case%03d-" + name with every byte
 * outside [A-Za-z0-9._-] replaced by '_', at most 64 bytes of name.  The
 * index prefix keeps stems unique and never starting with '.'.
 */
void query_case_stem(const struct q_case *c, char *buf, size_t size);

#endif
