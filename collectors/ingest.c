/*
 * ingest.c - see ingest.h.
 *
 * Chunks hold consecutive sequence numbers only: when a SAMPLES frame does
 * not continue where the buffer ends (samples were dropped on the way), the
 * buffer is written out early and a new chunk starts at the frame's `first`.
 * So a sample's loop index is always first_seq + offset in its chunk.
 */
#include "collectors/ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/chunk_writer.h"
#include "collectors/codec.h"
#include "collectors/decode.h"
#include "collectors/stats.h"

struct series_buf {
	int64_t id;
	int cpu;
	uint32_t *buf;
	uint32_t n;
	uint64_t first_seq;  /* seq of buf[0] */
	uint64_t next_seq;   /* seq the next sample should have */
	uint64_t gap;        /* samples missing between frames */
	uint32_t chunk_no;
	struct stats *stats;
};

struct ingest {
	struct store *st;
	int64_t run_id, case_id;
	struct decoder *dec;
	struct series_buf *series;
	unsigned nseries;
	struct chunk_writer *cw;
	int hello, end, flagged, failed;
	char end_status[16];
	char first_error[512];
	uint64_t samples;
	uint32_t max;
	struct {
		char *key, *value;
	} *facts;
	size_t nfacts, facts_cap;
};

static int keep_fact(struct ingest *in, const char *key, const char *value)
{
	for (size_t i = 0; i < in->nfacts; i++) {
		if (!strcmp(in->facts[i].key, key)) {
			char *v = strdup(value);

			if (!v)
				return -ENOMEM;
			free(in->facts[i].value);
			in->facts[i].value = v;
			return 0;
		}
	}
	if (in->nfacts == in->facts_cap) {
		size_t cap = in->facts_cap ? in->facts_cap * 2 : 32;
		void *nf = realloc(in->facts, cap * sizeof(*in->facts));

		if (!nf)
			return -ENOMEM;
		in->facts = nf;
		in->facts_cap = cap;
	}
	in->facts[in->nfacts].key = strdup(key);
	in->facts[in->nfacts].value = strdup(value);
	if (!in->facts[in->nfacts].key || !in->facts[in->nfacts].value) {
		free(in->facts[in->nfacts].key);
		free(in->facts[in->nfacts].value);
		return -ENOMEM;
	}
	in->nfacts++;
	return store_case_fact(in->st, in->case_id, key, value);
}

const char *ingest_fact(const struct ingest *in, const char *key)
{
	for (size_t i = 0; i < in->nfacts; i++)
		if (!strcmp(in->facts[i].key, key))
			return in->facts[i].value;
	return NULL;
}

/*
 * END "counter.<name>[.cpu<N>]=<value>" (wire.h) -> a counters row, side
 * "workload".  A value that is not a plain number ("unsupported: ...",
 * "unavailable: ...") is kept as the note with value NULL; an IRQ row gets
 * its description from an earlier "irqdesc.<IRQ>" line as the note.
 */
static int keep_counter(struct ingest *in, const char *key,
			const char *value)
{
	char name[256], desc_key[300];
	const char *dot, *note = NULL, *p;
	long long v = 0;
	int cpu = -1, numeric;
	size_t len;

	snprintf(name, sizeof(name), "%s", key + strlen("counter."));
	dot = strrchr(name, '.');
	if (dot && !strncmp(dot, ".cpu", 4) && dot[4] >= '0' &&
	    dot[4] <= '9') {
		char *end;
		long c = strtol(dot + 4, &end, 10);

		if (!*end && c >= 0 && c < 1 << 20) {
			cpu = (int)c;
			name[dot - name] = '\0';
		}
	}
	len = strlen(value);
	numeric = len > 0 && len < 20;
	for (p = value; numeric && *p; p++)
		numeric = *p >= '0' && *p <= '9';
	if (numeric)
		v = strtoll(value, NULL, 10);
	else
		note = value;
	if (numeric && !strncmp(name, "irq.", 4)) {
		snprintf(desc_key, sizeof(desc_key), "end.irqdesc.%s",
			 name + 4);
		note = ingest_fact(in, desc_key);
	}
	return store_counter(in->st, in->case_id, "workload", cpu, name, v,
			     numeric, note);
}

/* Store every "key=value" line, keys prefixed (HELLO: "", END: "end.");
 * END counters go to the counters table instead of case_facts. */
static int keep_kv_text(struct ingest *in, const char *text, size_t len,
			const char *prefix)
{
	const char *p = text, *end = text + len;
	char key[256], *value;
	int rc = 0;

	value = malloc(len + 1);
	if (!value)
		return -ENOMEM;
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(line_end - p));

		if (eq && eq > p &&
		    strlen(prefix) + (size_t)(eq - p) < sizeof(key)) {
			snprintf(key, sizeof(key), "%s%.*s", prefix,
				 (int)(eq - p), p);
			memcpy(value, eq + 1, (size_t)(line_end - eq - 1));
			value[line_end - eq - 1] = '\0';
			if (!strncmp(key, "end.counter.", 12))
				rc = keep_counter(in, key + 4, value);
			else
				rc = keep_fact(in, key, value);
		}
		p = line_end + 1;
	}
	free(value);
	return rc;
}

static int record_event(struct ingest *in, int64_t series_id,
			const char *kind, const char *severity,
			const char *msg)
{
	if (!strcmp(severity, "error") && !in->first_error[0])
		snprintf(in->first_error, sizeof(in->first_error), "%s: %s",
			 kind, msg);
	return store_event(in->st, in->run_id, in->case_id, series_id, kind,
			   severity, msg);
}

/* Create series i with its HELLO unit and kind (wire.h): series.I.unit,
 * else the stream's unit=, else ns; series.I.kind, else latency
 * (oneway: netlat's one-way times beside its round trip). */
static int series_meta(struct ingest *in, const char *text, size_t len,
		       unsigned i, struct series_buf *s)
{
	char unit[16] = "ns", kind[16] = "latency", key[64], msg[160];
	int rc;

	snprintf(key, sizeof(key), "series.%u.unit", i);
	if (kv_get(text, len, key, unit, sizeof(unit)) < 0 &&
	    kv_get(text, len, "unit", unit, sizeof(unit)) < 0)
		strcpy(unit, "ns");
	snprintf(key, sizeof(key), "series.%u.kind", i);
	if (kv_get(text, len, key, kind, sizeof(kind)) < 0)
		strcpy(kind, "latency");
	if ((strcmp(unit, "ns") && strcmp(unit, "ops")) ||
	    (strcmp(kind, "latency") && strcmp(kind, "throughput") &&
	     strcmp(kind, "noise") && strcmp(kind, "oneway"))) {
		snprintf(msg, sizeof(msg), "series %u: unknown unit '%s' or "
			 "kind '%s' in HELLO; stored as ns latency", i, unit,
			 kind);
		strcpy(unit, "ns");
		strcpy(kind, "latency");
		in->flagged = 1;
		if ((rc = record_event(in, 0, "bad_frame", "warning", msg)))
			return rc;
	}
	rc = store_series_create(in->st, in->case_id, i, s->cpu, unit, &s->id);
	if (rc == 0 && strcmp(kind, "latency"))
		rc = store_series_kind(in->st, s->id, kind);
	return rc;
}

static int on_hello(void *ctx, const char *text, size_t len)
{
	struct ingest *in = ctx;
	char v[64], key[64];
	long n;
	int rc;

	if (kv_get(text, len, "nseries", v, sizeof(v)) < 0)
		return record_event(in, 0, "bad_frame", "error",
				    "HELLO without nseries");
	n = strtol(v, NULL, 10);
	if (n < 1 || n > WIRE_MAX_SERIES)
		return record_event(in, 0, "bad_frame", "error",
				    "HELLO nseries out of range");
	in->series = calloc((size_t)n, sizeof(*in->series));
	if (!in->series)
		return -ENOMEM;
	in->nseries = (unsigned)n;
	in->hello = 1;
	rc = keep_kv_text(in, text, len, "");
	if (rc == 0)
		rc = chunk_writer_reserve(in->cw, in->nseries);
	for (unsigned i = 0; i < in->nseries && rc == 0; i++) {
		struct series_buf *s = &in->series[i];

		snprintf(key, sizeof(key), "series.%u.cpu", i);
		s->cpu = kv_get(text, len, key, v, sizeof(v)) == 0
				 ? (int)strtol(v, NULL, 10)
				 : -1;
		s->buf = chunk_writer_buffer(in->cw);
		s->stats = stats_new();
		if (!s->buf || !s->stats)
			return -ENOMEM;
		rc = series_meta(in, text, len, i, s);
	}
	return rc;
}

/* Hand the full (or cut-short) buffer to the writer thread. */
static int flush_chunk(struct ingest *in, struct series_buf *s)
{
	int rc;

	if (s->n == 0)
		return 0;
	rc = chunk_writer_submit(in->cw, s->id, s->chunk_no++, s->first_seq,
				 s->buf, s->n);
	s->buf = chunk_writer_buffer(in->cw);
	s->first_seq += s->n;
	s->n = 0;
	if (rc == 0 && !s->buf)
		rc = chunk_writer_drain(in->cw);
	return rc < 0 ? rc : s->buf ? 0 : -ENOMEM;
}

static int on_samples(void *ctx, unsigned series, uint64_t first,
		      const uint32_t *values, uint32_t count)
{
	struct ingest *in = ctx;
	struct series_buf *s = &in->series[series];
	int rc;

	/* The decoder checked series < nseries and first >= next_seq. */
	if (first != s->next_seq) {
		s->gap += first - s->next_seq;
		rc = flush_chunk(in, s);
		if (rc < 0)
			return rc;
		s->first_seq = first;
	}
	rc = stats_add(s->stats, values, count);
	if (rc < 0)
		return rc;
	while (count > 0) {
		uint32_t room = CODEC_CHUNK_SAMPLES - s->n;
		uint32_t take = count < room ? count : room;

		memcpy(s->buf + s->n, values, take * sizeof(*values));
		s->n += take;
		values += take;
		count -= take;
		in->samples += take;
		if (s->n == CODEC_CHUNK_SAMPLES) {
			rc = flush_chunk(in, s);
			if (rc < 0)
				return rc;
		}
	}
	s->next_seq = s->first_seq + s->n;
	{
		uint32_t m = stats_max(s->stats);

		if (m > in->max)
			in->max = m;
	}
	return 0;
}

static const char *severity_of(unsigned kind)
{
	switch (kind) {
	case WIRE_EV_INFO:
		return "info";
	case WIRE_EV_WARNING:
	case WIRE_EV_MLOCK_FAILED:
	case WIRE_EV_DMA_LATENCY_FAILED:
	case WIRE_EV_GARBAGE:
	case WIRE_EV_NET_LOST:
	case WIRE_EV_NET_LATE:
		return "warning";
	default:
		return "error";
	}
}

static int on_event(void *ctx, unsigned series, unsigned kind, uint32_t code,
		    const char *msg)
{
	struct ingest *in = ctx;
	int64_t sid = 0;
	const char *sev = severity_of(kind);

	if (in->hello && series < in->nseries)
		sid = in->series[series].id;
	/* Losing samples or frames, or a workload that could not do what was
	 * asked, must show in every report. Console noise (GARBAGE) and
	 * plain warnings do not. */
	if (kind == WIRE_EV_RING_OVERFLOW || kind == WIRE_EV_SEQ_GAP ||
	    kind == WIRE_EV_NET_LOST || kind == WIRE_EV_NET_LATE ||
	    !strcmp(sev, "error"))
		in->flagged = 1;
	return record_event(in, sid, wire_event_name(kind), sev, msg);
}

static int on_end(void *ctx, const char *text, size_t len)
{
	struct ingest *in = ctx;

	in->end = 1;
	if (kv_get(text, len, "status", in->end_status,
		   sizeof(in->end_status)) < 0)
		strcpy(in->end_status, "?");
	return keep_kv_text(in, text, len, "end.");
}

static const struct decoder_ops ops = {
	.on_hello = on_hello,
	.on_samples = on_samples,
	.on_event = on_event,
	.on_end = on_end,
};

struct ingest *ingest_new(struct store *st, int64_t run_id, int64_t case_id)
{
	struct ingest *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->st = st;
	in->run_id = run_id;
	in->case_id = case_id;
	in->cw = chunk_writer_new(st);
	in->dec = decoder_new(&ops, in);
	if (!in->cw || !in->dec) {
		ingest_free(in);
		return NULL;
	}
	return in;
}

void ingest_free(struct ingest *in)
{
	if (!in)
		return;
	decoder_free(in->dec);
	if (in->cw)
		chunk_writer_drain(in->cw);
	for (unsigned i = 0; i < in->nseries; i++) {
		if (in->cw)
			chunk_writer_release(in->cw, in->series[i].buf);
		stats_free(in->series[i].stats);
	}
	chunk_writer_free(in->cw);
	free(in->series);
	for (size_t i = 0; i < in->nfacts; i++) {
		free(in->facts[i].key);
		free(in->facts[i].value);
	}
	free(in->facts);
	free(in);
}

int ingest_feed(struct ingest *in, const void *buf, size_t len)
{
	return decoder_feed(in->dec, buf, len);
}

/* Compare what the workload says it measured with what arrived. */
static int check_totals(struct ingest *in, struct series_buf *s, unsigned i,
			uint64_t *dropped)
{
	char key[64];
	const char *v;
	uint64_t sent, got = stats_count(s->stats);

	*dropped = s->gap;
	snprintf(key, sizeof(key), "end.series.%u.count", i);
	v = ingest_fact(in, key);
	if (!v)
		return 0;
	sent = strtoull(v, NULL, 10);
	snprintf(key, sizeof(key), "end.series.%u.dropped", i);
	if (ingest_fact(in, key))
		sent += strtoull(ingest_fact(in, key), NULL, 10);
	if (sent > got + s->gap)
		*dropped = sent - got;
	if (sent != got) {
		char msg[160];

		snprintf(msg, sizeof(msg),
			 "series %u: workload measured %llu samples, %llu "
			 "arrived", i, (unsigned long long)sent,
			 (unsigned long long)got);
		in->flagged = 1;
		return record_event(in, s->id, "count_mismatch", "warning",
				    msg);
	}
	return 0;
}

int ingest_drain(struct ingest *in)
{
	return chunk_writer_drain(in->cw);
}

int ingest_finish(struct ingest *in)
{
	int rc = decoder_finish(in->dec);
	int drc = chunk_writer_drain(in->cw);

	/* Whatever happened, no insert may still be running when the caller
	 * commits or rolls back. */
	if (rc == 0)
		rc = drc;

	for (unsigned i = 0; i < in->nseries && rc == 0; i++) {
		struct series_buf *s = &in->series[i];
		struct summary sum;
		uint8_t *hist = NULL;
		size_t hist_len = 0;
		uint64_t dropped = 0;

		rc = flush_chunk(in, s);
		if (rc == 0)
			rc = chunk_writer_drain(in->cw);
		if (rc == 0)
			rc = check_totals(in, s, i, &dropped);
		if (rc < 0)
			break;
		stats_add_dropped(s->stats, dropped);
		stats_summary(s->stats, &sum);
		rc = stats_histogram_blob(s->stats, INGEST_BUCKET_NS, &hist,
					  &hist_len);
		if (rc == 0)
			rc = store_series_finish(in->st, s->id, &sum,
						 INGEST_BUCKET_NS, hist,
						 hist_len);
		free(hist);
	}
	if (rc == 0 && in->flagged)
		rc = store_case_flag(in->st, in->case_id);
	return rc;
}

int ingest_seen_hello(const struct ingest *in) { return in->hello; }
int ingest_seen_end(const struct ingest *in) { return in->end; }
int ingest_flagged(const struct ingest *in) { return in->flagged; }
uint64_t ingest_samples(const struct ingest *in) { return in->samples; }
unsigned ingest_nseries(const struct ingest *in) { return in->nseries; }
uint32_t ingest_max(const struct ingest *in) { return in->max; }

const char *ingest_end_status(const struct ingest *in)
{
	return in->end_status;
}

const char *ingest_first_error(const struct ingest *in)
{
	return in->first_error;
}
