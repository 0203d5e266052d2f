/*
 * synth_run.h - store a synthetic run through the store API as the
 * collector would (codec chunks, summary, histogram), with the night's
 * date, kernel and tool version set, for the gate, trend and farm tests
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

#include "collectors/codec.h"
#include "collectors/stats.h"
#include "collectors/store.h"
#include "collectors/store_db.h"

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

static int synth_series(struct store *st, int64_t cid, const struct synth *s,
			uint64_t seed)
{
	uint32_t *v = malloc(s->n * sizeof(*v));
	uint8_t *blob = malloc(codec_bound(CODEC_CHUNK_SAMPLES)), *hist = NULL;
	struct stats *sts = stats_new();
	struct summary sum;
	size_t hlen;
	int64_t sid;
	int rc = -1;

	if (!v || !blob || !sts)
		goto out;
	synth_rng = seed * 2654435761u + 88172645463325252ull;
	for (uint32_t i = 0; i < s->n; i++)
		v[i] = (uint32_t)((20000.0 - 5000.0 * log(synth_uniform())) *
				  s->scale);
	if (s->spike_ns && s->spike_at < s->n)
		v[s->spike_at] = s->spike_ns;
	if (store_series_create(st, cid, 0, 1, "ns", &sid))
		goto out;
	for (uint32_t off = 0, k = 0; off < s->n;
	     off += CODEC_CHUNK_SAMPLES, k++) {
		uint32_t len = s->n - off < CODEC_CHUNK_SAMPLES
			? s->n - off : CODEC_CHUNK_SAMPLES;
		ssize_t bl = codec_encode(v + off, len, blob,
					  codec_bound(CODEC_CHUNK_SAMPLES));

		if (bl < 0 || store_chunk_put(st, sid, k, off, len, blob,
					      (size_t)bl))
			goto out;
	}
	if (stats_add(sts, v, s->n))
		goto out;
	stats_summary(sts, &sum);
	if (stats_histogram_blob(sts, 1000, &hist, &hlen) ||
	    store_series_finish(st, sid, &sum, 1000, hist, hlen))
		goto out;
	rc = 0;
out:
	free(hist);
	free(v);
	free(blob);
	stats_free(sts);
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
			    store_case_fact(st, cid, "interval_us", "1000") ||
			    store_case_set_emulated(st, cid, s->emulated) ||
			    synth_series(st, cid, s, s->seed + 1000u * (uint64_t)rep
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
