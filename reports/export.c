/*
 * export.c - samples and summaries as CSV / JSON (see export.h).
 *
 * Sample export is the one path here that touches millions of values, so
 * it formats integers by hand into a buffer instead of one fprintf per
 * field: a day of a 1 kHz run on 8 CPUs is ~700 M lines.
 */
#include "reports/export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "reports/json.h"
#include "reports/query.h"
#include "collectors/store_db.h"

void export_csv_field(FILE *out, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* --- samples ------------------------------------------------------------ */

#define OUTBUF (64 * 1024)

/* Every sample line is prefix + seq + ',' + value + suffix: the prefix
 * holds the run, case and series columns, the suffix the unit. */
struct sample_ctx {
	FILE *out;
	enum export_format fmt;
	const char *prefix, *suffix;
	size_t prefix_len, suffix_len;
	int first;          /* JSON: no ",\n" before the first row */
	uint32_t chunks;    /* chunks delivered so far (to name a bad one) */
	char buf[OUTBUF];
	size_t n;
};

static void flush_buf(struct sample_ctx *c)
{
	fwrite(c->buf, 1, c->n, c->out);
	c->n = 0;
}

/* Decimal digits of v, written backwards ending at end; returns start. */
static char *u64_dec(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static void put(struct sample_ctx *c, const char *p, size_t n)
{
	memcpy(c->buf + c->n, p, n);
	c->n += n;
}

static int sample_chunk(void *ctx, uint64_t first_seq, const uint32_t *values,
			uint32_t n)
{
	struct sample_ctx *c = ctx;
	/* ",\n" + prefix + 20 digits + ',' + 10 digits + suffix */
	size_t need = c->prefix_len + c->suffix_len + 35;

	for (uint32_t i = 0; i < n; i++) {
		char num[32], *p;

		if (c->n + need > sizeof(c->buf))
			flush_buf(c);
		if (c->fmt == EXPORT_JSON && !c->first)
			put(c, ",\n", 2);
		c->first = 0;
		put(c, c->prefix, c->prefix_len);
		p = u64_dec(num + sizeof(num), first_seq + i);
		put(c, p, (size_t)(num + sizeof(num) - p));
		c->buf[c->n++] = ',';
		p = u64_dec(num + sizeof(num), values[i]);
		put(c, p, (size_t)(num + sizeof(num) - p));
		put(c, c->suffix, c->suffix_len);
	}
	c->chunks++;
	return ferror(c->out) ? -EIO : 0;
}

/* One text column of a sample row: a CSV field, or a JSON string. */
static void row_text(FILE *m, enum export_format fmt, const char *s)
{
	if (fmt == EXPORT_CSV) {
		export_csv_field(m, s);
		fputc(',', m);
		return;
	}
	fputc('"', m);
	json_escape(m, s ? s : "", s ? strlen(s) : 0);
	fputs("\",", m);
}

/* The line prefix (run, case and series columns) and suffix (the unit)
 * of one series, malloc'd. */
static int series_affixes(const struct q_run *r, const struct q_case *c,
			  const struct q_series *q, enum export_format fmt,
			  char **pre, size_t *pre_len, char **suf,
			  size_t *suf_len)
{
	FILE *m = open_memstream(pre, pre_len);
	int json = fmt == EXPORT_JSON;

	if (!m)
		return -ENOMEM;
	if (json)
		fputc('[', m);
	row_text(m, fmt, r->uuid);
	fprintf(m, "%d,", c->idx);
	row_text(m, fmt, c->name);
	row_text(m, fmt, c->environment);
	row_text(m, fmt, c->profile);
	row_text(m, fmt, c->workload);
	row_text(m, fmt, c->load);
	fprintf(m, "%d,%s,%d,%d,", c->repetition,
		json ? (c->emulated ? "true" : "false")
		     : (c->emulated ? "1" : "0"), q->idx, q->cpu);
	if (fclose(m) != 0)
		return -ENOMEM;
	m = open_memstream(suf, suf_len);
	if (!m)
		return -ENOMEM;
	fputc(',', m);
	if (json) {
		fputc('"', m);
		json_escape(m, q->unit ? q->unit : "",
			    q->unit ? strlen(q->unit) : 0);
		fputs("\"]", m);
	} else {
		export_csv_field(m, q->unit);
		fputc('\n', m);
	}
	return fclose(m) != 0 ? -ENOMEM : 0;
}

static int export_series(struct store *st, const struct q_run *r,
			 const struct q_case *c, const struct q_series *q,
			 struct sample_ctx *ctx, char *err, size_t errsz)
{
	char *prefix = NULL, *suffix = NULL;
	int rc;

	rc = series_affixes(r, c, q, ctx->fmt, &prefix, &ctx->prefix_len,
			    &suffix, &ctx->suffix_len);
	if (rc) {
		free(prefix);
		free(suffix);
		snprintf(err, errsz, "out of memory exporting samples");
		return rc;
	}
	ctx->prefix = prefix;
	ctx->suffix = suffix;
	ctx->chunks = 0;
	rc = store_series_samples(st, q->id, sample_chunk, ctx);
	flush_buf(ctx);
	free(prefix);
	free(suffix);
	ctx->prefix = ctx->suffix = NULL;
	/* A corrupt or unreadable chunk: the store names the file, run,
	 * case, series and chunk. */
	if ((rc == -EINVAL || rc == -EIO) && *store_samples_error(st)) {
		snprintf(err, errsz, "%s", store_samples_error(st));
	} else if (rc == -ENOMEM) {
		snprintf(err, errsz, "out of memory decoding run %s case %d "
			 "series %d", r->uuid, c->idx, q->idx);
	} else if (rc == -EIO && ferror(ctx->out)) {
		snprintf(err, errsz, "writing the sample export failed");
	} else if (rc) {
		snprintf(err, errsz, "reading samples of run %s case %d "
			 "series %d failed: %s", r->uuid, c->idx, q->idx,
			 store_errmsg(st));
	}
	return rc;
}

static const char sample_columns[] =
	"run_uuid,case,name,environment,profile,workload,load,repetition,"
	"emulated,series,cpu,seq,value,unit";

/* JSON head: format, version, run, columns; then "rows": [ ... */
static void samples_json_head(FILE *out, const struct q_run *r)
{
	const char *p = sample_columns, *comma;

	fprintf(out, "{\n\"format\": \"isolat-samples\",\n\"version\": %d,\n"
		"\"run_uuid\": \"", EXPORT_SAMPLES_VERSION);
	json_escape(out, r->uuid, strlen(r->uuid));
	fputs("\",\n\"columns\": [", out);
	for (;; p = comma + 1) {
		comma = strchr(p, ',');
		fprintf(out, "\"%.*s\"%s",
			(int)(comma ? (size_t)(comma - p) : strlen(p)), p,
			comma ? ", " : "");
		if (!comma)
			break;
	}
	fputs("],\n\"rows\": [\n", out);
}

int export_samples(struct store *st, int64_t run_id, enum export_format fmt,
		   FILE *out, char *err, size_t errsz)
{
	struct sample_ctx *ctx;
	struct q_run r;
	int rc;

	if (fmt != EXPORT_CSV && fmt != EXPORT_JSON) {
		snprintf(err, errsz, "samples are exported as csv or json");
		return -EINVAL;
	}
	rc = query_run_load(st, run_id, &r, err, errsz);
	if (rc)
		return rc;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		query_run_free(&r);
		snprintf(err, errsz, "out of memory exporting samples");
		return -ENOMEM;
	}
	ctx->out = out;
	ctx->fmt = fmt;
	ctx->first = 1;
	if (fmt == EXPORT_CSV)
		fprintf(out, "%s\n", sample_columns);
	else
		samples_json_head(out, &r);
	for (size_t i = 0; i < r.ncases && !rc; i++)
		for (size_t k = 0; k < r.cases[i].nseries && !rc; k++)
			rc = export_series(st, &r, &r.cases[i],
					   &r.cases[i].series[k], ctx, err,
					   errsz);
	if (!rc && fmt == EXPORT_JSON)
		fputs("\n]\n}\n", out);
	if (!rc && (fflush(out) != 0 || ferror(out))) {
		snprintf(err, errsz, "writing the sample export failed");
		rc = -EIO;
	}
	free(ctx);
	query_run_free(&r);
	return rc;
}

/* --- summaries ---------------------------------------------------------- */

static void csv_double(FILE *out, double v)
{
	char buf[40];

	json_fmt_double(buf, sizeof(buf), v);
	fputs(buf, out);
}

static void summary_csv_row(FILE *out, const struct q_run *r,
			    const struct q_case *c, const struct q_series *q)
{
	export_csv_field(out, r->uuid);
	fprintf(out, ",%d,", c->idx);
	export_csv_field(out, c->name);
	fputc(',', out);
	export_csv_field(out, c->environment);
	fputc(',', out);
	export_csv_field(out, c->profile);
	fputc(',', out);
	export_csv_field(out, c->workload);
	fputc(',', out);
	export_csv_field(out, c->load);
	fprintf(out, ",%d,", c->repetition);
	export_csv_field(out, c->status);
	fputc(',', out);
	export_csv_field(out, c->reason);
	fprintf(out, ",%d,%d,", c->emulated, c->flagged);
	if (!q) {
		fputs(",,,,,,,,,,,,,,\n", out);
		return;
	}
	fprintf(out, "%d,%d,", q->idx, q->cpu);
	export_csv_field(out, q->unit);
	if (!q->has_summary) {
		fprintf(out, ",%" PRId64 ",%" PRId64 ",,,,,,,,,,\n", q->count,
			q->dropped);
		return;
	}
	fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%" PRIu32 ",", q->sum.count,
		q->sum.dropped, q->sum.min);
	csv_double(out, q->sum.mean);
	fputc(',', out);
	csv_double(out, q->sum.stddev);
	fprintf(out, ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32
		",%" PRIu32 ",%" PRIu32 ",%" PRIu32 "\n",
		q->sum.p50, q->sum.p90, q->sum.p99, q->sum.p999, q->sum.p9999,
		q->sum.p99999, q->sum.max);
}

static void summaries_csv(FILE *out, const struct q_run *r)
{
	fputs("run_uuid,case,name,environment,profile,workload,load,"
	      "repetition,status,reason,emulated,flagged,series,cpu,unit,"
	      "count,dropped,min,mean,stddev,p50,p90,p99,p999,p9999,p99999,"
	      "max\n", out);
	for (size_t i = 0; i < r->ncases; i++) {
		const struct q_case *c = &r->cases[i];

		if (!c->nseries)
			summary_csv_row(out, r, c, NULL);
		for (size_t k = 0; k < c->nseries; k++)
			summary_csv_row(out, r, c, &c->series[k]);
	}
}

int export_series_hist(struct store *st, int64_t series_id,
		       uint32_t *bucket_ns, struct hist_bin **bins,
		       size_t *nbins)
{
	sqlite3_stmt *s;
	int rc = -ENOENT;

	*bins = NULL;
	*nbins = 0;
	*bucket_ns = 0;
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT bucket_ns, data FROM histograms "
			       "WHERE series_id = ?", -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(s, 1, series_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		int64_t b = sqlite3_column_int64(s, 0);
		const void *blob = sqlite3_column_blob(s, 1);
		int len = sqlite3_column_bytes(s, 1);

		rc = b < 1 || b > UINT32_MAX ? -EINVAL
		     : stats_histogram_parse(blob, (size_t)len, bins, nbins);
		*bucket_ns = (uint32_t)b;
	}
	sqlite3_finalize(s);
	return rc;
}

/* "histogram": {"bucket_ns": B, "bins": [[LOW, COUNT], ...]} (non-empty
 * bins; LOW = bucket * B in the series' unit), or null without one. */
static void hist_json(struct json *j, struct store *st,
		      const struct q_series *q)
{
	struct hist_bin *bins;
	uint32_t bucket_ns;
	size_t n;

	json_key(j, "histogram");
	if (export_series_hist(st, q->id, &bucket_ns, &bins, &n) < 0) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_kv_uint(j, "bucket_ns", bucket_ns);
	json_key(j, "bins");
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		json_begin_array(j);
		json_uint(j, bins[i].bucket * bucket_ns);
		json_uint(j, bins[i].count);
		json_end_array(j);
	}
	json_end_array(j);
	json_end_object(j);
	free(bins);
}

static void series_json(struct json *j, struct store *st,
			const struct q_series *q)
{
	static const char *const stat_keys[] = {
		"min", "mean", "stddev", "p50", "p90", "p99", "p999",
		"p9999", "p99999", "max",
	};
	const struct summary *m = &q->sum;

	json_begin_object(j);
	json_kv_int(j, "idx", q->idx);
	json_kv_int(j, "cpu", q->cpu);
	json_kv_string(j, "unit", q->unit);
	json_kv_string(j, "kind", q->kind ? q->kind : "latency");
	if (!q->has_summary) {
		json_kv_int(j, "count", q->count);
		json_kv_int(j, "dropped", q->dropped);
		for (size_t i = 0; i < sizeof(stat_keys) / sizeof(*stat_keys);
		     i++)
			json_kv_null(j, stat_keys[i]);
		hist_json(j, st, q);
		json_end_object(j);
		return;
	}
	json_kv_uint(j, "count", m->count);
	json_kv_uint(j, "dropped", m->dropped);
	json_kv_uint(j, "min", m->min);
	json_kv_double(j, "mean", m->mean);
	json_kv_double(j, "stddev", m->stddev);
	json_kv_uint(j, "p50", m->p50);
	json_kv_uint(j, "p90", m->p90);
	json_kv_uint(j, "p99", m->p99);
	json_kv_uint(j, "p999", m->p999);
	json_kv_uint(j, "p9999", m->p9999);
	json_kv_uint(j, "p99999", m->p99999);
	json_kv_uint(j, "max", m->max);
	hist_json(j, st, q);
	json_end_object(j);
}

/* "kernel": what the run's host ran, from its metadata. */
static void kernel_json(struct json *j, const struct q_run *r)
{
	const char *rt = query_meta(r, "preempt_rt");

	json_key(j, "kernel");
	json_begin_object(j);
	json_kv_string(j, "release", query_meta(r, "kernel_release"));
	json_kv_string(j, "version", query_meta(r, "kernel_version"));
	json_key(j, "preempt_rt");
	if (rt && (!strcmp(rt, "yes") || !strcmp(rt, "no")))
		json_bool(j, !strcmp(rt, "yes"));
	else
		json_null(j);
	json_kv_string(j, "preempt_model", query_meta(r, "preempt_model"));
	json_kv_string(j, "cmdline", query_meta(r, "cmdline"));
	json_end_object(j);
}

static int summaries_json(struct store *st, FILE *out, const struct q_run *r)
{
	struct json j;

	json_init(&j, out, 1);
	json_begin_object(&j);
	json_kv_string(&j, "format", "isolat-summary");
	json_kv_int(&j, "version", EXPORT_SUMMARY_VERSION);
	json_key(&j, "run");
	json_begin_object(&j);
	json_kv_string(&j, "uuid", r->uuid);
	json_key(&j, "host");
	json_begin_object(&j);
	json_kv_string(&j, "hostname", r->hostname);
	json_kv_string(&j, "model", r->host_model);
	json_kv_string(&j, "cpu_model", r->cpu_model);
	json_kv_int(&j, "ncpus", r->ncpus);
	json_kv_string(&j, "fingerprint", r->fingerprint);
	json_end_object(&j);
	kernel_json(&j, r);
	json_kv_string(&j, "argv", r->argv);
	json_kv_string(&j, "scenario", r->scenario_name);
	json_kv_string(&j, "scenario_path", r->scenario_path);
	json_kv_string(&j, "tool_version", r->tool_version);
	json_kv_string(&j, "started_at", r->started_at);
	json_kv_string(&j, "finished_at", r->finished_at);
	json_kv_string(&j, "status", r->status);
	json_end_object(&j);
	json_key(&j, "cases");
	json_begin_array(&j);
	for (size_t i = 0; i < r->ncases; i++) {
		const struct q_case *c = &r->cases[i];

		json_begin_object(&j);
		json_kv_int(&j, "idx", c->idx);
		json_kv_string(&j, "name", c->name);
		json_kv_string(&j, "environment", c->environment);
		json_kv_string(&j, "profile", c->profile);
		json_kv_string(&j, "workload", c->workload);
		json_kv_string(&j, "load", c->load);
		json_kv_int(&j, "repetition", c->repetition);
		json_kv_string(&j, "status", c->status);
		json_kv_string(&j, "reason", c->reason);
		json_kv_bool(&j, "emulated", c->emulated);
		json_kv_bool(&j, "flagged", c->flagged);
		json_kv_uint(&j, "interval_us", c->interval_us);
		json_key(&j, "series");
		json_begin_array(&j);
		for (size_t k = 0; k < c->nseries; k++)
			series_json(&j, st, &c->series[k]);
		json_end_array(&j);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	return json_finish(&j);
}

int export_summaries(struct store *st, int64_t run_id, enum export_format fmt,
		     FILE *out, char *err, size_t errsz)
{
	struct q_run r;
	int rc;

	if (fmt != EXPORT_CSV && fmt != EXPORT_JSON) {
		snprintf(err, errsz, "unknown export format %d (csv or json)",
			 (int)fmt);
		return -EINVAL;
	}
	rc = query_run_load(st, run_id, &r, err, errsz);
	if (rc)
		return rc;
	if (fmt == EXPORT_CSV)
		summaries_csv(out, &r);
	else
		rc = summaries_json(st, out, &r);
	if (rc == -EINVAL) {
		snprintf(err, errsz, "internal error: malformed JSON summary");
	} else if (rc || fflush(out) != 0 || ferror(out)) {
		snprintf(err, errsz, "writing the summary export failed");
		rc = -EIO;
	}
	query_run_free(&r);
	return rc;
}
