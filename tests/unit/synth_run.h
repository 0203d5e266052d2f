/*
 * synth_run.h - store a synthetic run as the harness would: the run and
 * its cases through the store API, every case's samples through the real
 * collector (ingest_feed: wire frames in, codec chunks, summary and
 * histogram out), with the night's date, kernel and tool version set,
 * for the gate, trend and farm tests
 * (tests/unit/test_gate_rules.c, test_trend.c, tests/tools/mknights.c).
 *
 * Samples: (20 us + exponential noise of mean 5 us) x scale, from a
 * xorshift generator seeded with seed (same seed, same samples); then
 * spike_ns (when not 0) replaces sample spike_at.  Each case has nrep
 * repetitions (one series on CPU 1 each, seeds seed, seed+1000, ...).
 * Returns 0, or -1 with the store's message in err.
 */
#ifndef ISOLAT_TEST_SYNTH_RUN_H
#define ISOLAT_TEST_SYNTH_RUN_H

#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/ingest.h"
#include "collectors/store.h"
#include "collectors/store_db.h"
#include "workloads/wire.h"

struct synth {
	const char *uuid, *fingerprint, *hostname, *scenario;
	const char *started_at;      /* "2026-01-01T02:00:00Z"; NULL: now */
	const char *kernel, *cmdline, *version;
	const char *const *workloads; /* case workloads, NULL-ended */
	int emulated, nrep;
	uint32_t n;                  /* samples per series */
	uint64_t seed;
	double scale;
	uint32_t spike_at, spike_ns;
};

static uint64_t synth_rng;

static double synth_uniform(void)
{
	synth_rng ^= synth_rng << 13;
	synth_rng ^= synth_rng >> 7;
	synth_rng ^= synth_rng << 17;
	return ((synth_rng >> 11) + 0.5) / 9007199254740992.0;
}

/* One frame (header + payload) into the collector, as a workload's pipe
 * delivers it. */
static int synth_feed(struct ingest *in, unsigned type, const void *p,
		      uint32_t n)
{
	uint8_t *frame = malloc(WIRE_HDR_SIZE + n);
	int rc;

	if (!frame)
		return -1;
	wire_put_header(frame, type, p, n);
	memcpy(frame + WIRE_HDR_SIZE, p, n);
	rc = ingest_feed(in, frame, WIRE_HDR_SIZE + n) < 0 ? -1 : 0;
	free(frame);
	return rc;
}

/* The case's samples through the real collector path (wire frames ->
 * ingest_feed -> decoder -> stats + codec chunks + histogram -> SQLite),
 * so the tests read runs exactly as a workload's would be stored: a
 * HELLO (one series on CPU 1), SAMPLES frames, an END. */
#define SYNTH_FRAME 4096
static int synth_series(struct store *st, int64_t rid, int64_t cid,
			const struct synth *s, uint64_t seed)
{
	uint8_t *pl = malloc(WIRE_SAMPLES_HEAD + SYNTH_FRAME * 4);
	struct ingest *in = ingest_new(st, rid, cid);
	char text[256];
	int rc = -1, n;

	if (!pl || !in)
		goto out;
	n = snprintf(text, sizeof(text), "workload=rtlat\nwire_version=1\n"
		     "unit=ns\nnseries=1\ninterval_us=1000\n"
		     "series.0.cpu=1\n");
	if (synth_feed(in, WIRE_HELLO, text, (uint32_t)n))
		goto out;
	synth_rng = seed * 2654435761u + 88172645463325252ull;
	for (uint32_t first = 0; first < s->n; first += SYNTH_FRAME) {
		uint32_t cnt = s->n - first < SYNTH_FRAME ? s->n - first
							  : SYNTH_FRAME;

		wire_le16(pl, 0);
		wire_le16(pl + 2, 0);
		wire_le32(pl + 4, cnt);
		wire_le64(pl + 8, first);
		for (uint32_t i = 0; i < cnt; i++) {
			uint32_t v = (uint32_t)((20000.0 - 5000.0 *
				log(synth_uniform())) * s->scale);

			if (s->spike_ns && first + i == s->spike_at)
				v = s->spike_ns;
			wire_le32(pl + WIRE_SAMPLES_HEAD + 4 * i, v);
		}
		if (synth_feed(in, WIRE_SAMPLES, pl,
			       WIRE_SAMPLES_HEAD + cnt * 4))
			goto out;
	}
	n = snprintf(text, sizeof(text), "status=ok\nseries.0.count=%u\n"
		     "series.0.dropped=0\n", s->n);
	if (synth_feed(in, WIRE_END, text, (uint32_t)n) || ingest_finish(in) ||
	    ingest_flagged(in) || ingest_samples(in) != s->n)
		goto out;
	rc = 0;
out:
	ingest_free(in);
	free(pl);
	return rc;
}

static int synth_run(struct store *st, const struct synth *s, int64_t *rid,
		     char *err, size_t errsz)
{
	static const char *const one[] = { "rtlat", NULL };
	struct store_host h = { s->fingerprint ? s->fingerprint : "synth-fp",
				s->hostname ? s->hostname : "synth", "model",
				"cpu", 4 };
	struct store_run r = { s->uuid, s->scenario ? s->scenario : "synthetic",
			       "scenarios/synthetic.ini",
			       "[scenario]\nname = synthetic\n",
			       s->version ? s->version : "synth-1", "isolat run",
			       0 };
	const char *const *wl = s->workloads ? s->workloads : one;
	int idx = 0;

	if (store_host_upsert(st, &h, &r.host_id) ||
	    store_run_create(st, &r, rid) ||
	    store_run_meta(st, *rid, "kernel_release",
			   s->kernel ? s->kernel : "6.1.0") ||
	    store_run_meta(st, *rid, "cmdline",
			   s->cmdline ? s->cmdline : "quiet"))
		goto fail;
	for (size_t w = 0; wl[w]; w++)
		for (int rep = 0; rep < (s->nrep ? s->nrep : 1); rep++) {
			char name[96];
			struct store_case c = { idx++, rep, name, "bare", "none",
						wl[w], "none",
						"{\"interval_us\":1000}" };
			int64_t cid;

			snprintf(name, sizeof(name), "bare.none.%s.none%s%.0d",
				 wl[w], rep ? ".r" : "", rep);
			if (store_case_create(st, *rid, &c, &cid) ||
			    store_case_set_emulated(st, cid, s->emulated) ||
			    synth_series(st, *rid, cid, s, s->seed + 1000u * (uint64_t)rep
					 + 7919u * w) ||
			    store_case_status(st, cid, "done", NULL))
				goto fail;
		}
	if (store_run_finish(st, *rid, "done"))
		goto fail;
	if (s->started_at) {
		/* A night's date: the store stamps "now"; tests need a
		 * series of nights, so set it as a merge of old runs would
		 * have it. */
		sqlite3_stmt *q;

		if (sqlite3_prepare_v2(store_db(st), "UPDATE runs SET "
				       "started_at = ?1, finished_at = ?1 "
				       "WHERE id = ?2", -1, &q, NULL))
			goto fail;
		sqlite3_bind_text(q, 1, s->started_at, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, *rid);
		if (sqlite3_step(q) != SQLITE_DONE) {
			sqlite3_finalize(q);
			goto fail;
		}
		sqlite3_finalize(q);
	}
	return 0;
fail:
	snprintf(err, errsz, "%s", store_errmsg(st));
	return -1;
}

#endif
