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

struct sample_ctx {
	FILE *out;
	const char *prefix; /* "case,name,env,workload,series,cpu," */
	size_t prefix_len;
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

static int sample_chunk(void *ctx, uint64_t first_seq, const uint32_t *values,
			uint32_t n)
{
	struct sample_ctx *c = ctx;
	/* prefix + 20 digits + ',' + 10 digits + '\n' */
	size_t need = c->prefix_len + 33;

	for (uint32_t i = 0; i < n; i++) {
		char num[32], *p;

		if (c->n + need > sizeof(c->buf))
			flush_buf(c);
		memcpy(c->buf + c->n, c->prefix, c->prefix_len);
		c->n += c->prefix_len;
		p = u64_dec(num + sizeof(num), first_seq + i);
		memcpy(c->buf + c->n, p, (size_t)(num + sizeof(num) - p));
		c->n += (size_t)(num + sizeof(num) - p);
		c->buf[c->n++] = ',';
		p = u64_dec(num + sizeof(num), values[i]);
		memcpy(c->buf + c->n, p, (size_t)(num + sizeof(num) - p));
		c->n += (size_t)(num + sizeof(num) - p);
		c->buf[c->n++] = '\n';
	}
	c->chunks++;
	return ferror(c->out) ? -EIO : 0;
}

/* The CSV line prefix of one series, malloc'd into *out. */
static int series_prefix(const struct q_case *c, const struct q_series *q,
			 char **out, size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&buf, &size);

	if (!m)
		return -ENOMEM;
	fprintf(m, "%d,", c->idx);
	export_csv_field(m, c->name);
	fputc(',', m);
	export_csv_field(m, c->environment);
	fputc(',', m);
	export_csv_field(m, c->workload);
	fprintf(m, ",%d,%d,", q->idx, q->cpu);
	if (fclose(m) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	*len = size;
	return 0;
}

static int export_series(struct store *st, const struct q_run *r,
			 const struct q_case *c, const struct q_series *q,
			 struct sample_ctx *ctx, char *err, size_t errsz)
{
	char *prefix;
	int rc;

	rc = series_prefix(c, q, &prefix, &ctx->prefix_len);
	if (rc) {
		snprintf(err, errsz, "out of memory exporting samples");
		return rc;
	}
	ctx->prefix = prefix;
	ctx->chunks = 0;
	rc = store_series_samples(st, q->id, sample_chunk, ctx);
	flush_buf(ctx);
	free(prefix);
	ctx->prefix = NULL;
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

int export_samples(struct store *st, int64_t run_id, FILE *out, char *err,
		   size_t errsz)
{
	struct sample_ctx *ctx;
	struct q_run r;
	int rc;

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
	fputs("case,name,environment,workload,series,cpu,seq,value_ns\n", out);
	for (size_t i = 0; i < r.ncases && !rc; i++)
		for (size_t k = 0; k < r.cases[i].nseries && !rc; k++)
			rc = export_series(st, &r, &r.cases[i],
					   &r.cases[i].series[k], ctx, err,
					   errsz);
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

	snprintf(buf, sizeof(buf), "%.17g", v);
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

static void series_json(struct json *j, const struct q_series *q)
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
	if (!q->has_summary) {
		json_kv_int(j, "count", q->count);
		json_kv_int(j, "dropped", q->dropped);
		for (size_t i = 0; i < sizeof(stat_keys) / sizeof(*stat_keys);
		     i++)
			json_kv_null(j, stat_keys[i]);
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
	json_end_object(j);
}

static int summaries_json(FILE *out, const struct q_run *r)
{
	struct json j;

	json_init(&j, out, 1);
	json_begin_object(&j);
	json_kv_string(&j, "format", "isolat-summary");
	json_kv_int(&j, "version", 1);
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
			series_json(&j, &c->series[k]);
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
		rc = summaries_json(out, &r);
	if (rc == -EINVAL) {
		snprintf(err, errsz, "internal error: malformed JSON summary");
	} else if (rc || fflush(out) != 0 || ferror(out)) {
		snprintf(err, errsz, "writing the summary export failed");
		rc = -EIO;
	}
	query_run_free(&r);
	return rc;
}
