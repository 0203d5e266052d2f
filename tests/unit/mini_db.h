/*
 * mini_db.h - a small test database built through the store API as the
 * collector would (codec chunks, summaries and histograms from stats),
 * for tests that need whole runs: the gate (test_gate.c) and the report's
 * EMULATED marks and compare plots (test_report_marks.c).
 *
 * A latency series of scale a and n samples holds a * (1000 + (i * 7919)
 * mod 1000) ns, i = 0 .. n-1: the same for the same a and n, so two runs
 * built alike compare equal.  A spin case has a throughput series and a
 * noise series (1.5 us .. 100 us gaps).
 */
#ifndef ISOLAT_TEST_MINI_DB_H
#define ISOLAT_TEST_MINI_DB_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/codec.h"
#include "collectors/stats.h"
#include "collectors/store.h"

struct mcase {
	const char *env, *profile, *workload, *load;
	const char *status, *reason; /* "done", "skipped", ... */
	int emulated;
	int ncpus;                   /* latency series on CPUs 2, 3, ... */
	uint32_t n;                  /* samples per series */
	int scale;
};

/* kind: NULL (latency), "throughput" or "noise". */
static void mdb_series(struct store *st, int64_t case_id, unsigned k,
		       int cpu, const char *unit, const char *kind,
		       uint32_t n, int scale)
{
	uint32_t *v = malloc(n * sizeof(*v));
	uint8_t *blob = malloc(codec_bound(n)), *hist;
	struct stats *s = stats_new();
	struct summary sum;
	size_t hlen;
	ssize_t len;
	int64_t sid;

	assert_non_null(v);
	assert_non_null(blob);
	assert_non_null(s);
	for (uint32_t i = 0; i < n; i++) {
		if (kind && !strcmp(kind, "noise"))
			v[i] = 1500u + (i * 7919u) % 98500u;
		else if (kind)
			v[i] = 1000u + i % 17u;
		else
			v[i] = (uint32_t)scale * (1000u + (i * 7919u) % 1000u);
	}
	assert_int_equal(store_series_create(st, case_id, k, cpu, unit, &sid),
			 0);
	if (kind)
		assert_int_equal(store_series_kind(st, sid, kind), 0);
	len = codec_encode(v, n, blob, codec_bound(n));
	assert_true(len > 0);
	assert_int_equal(store_chunk_put(st, sid, 0, 0, n, blob, (size_t)len),
			 0);
	assert_int_equal(stats_add(s, v, n), 0);
	stats_summary(s, &sum);
	assert_int_equal(stats_histogram_blob(s, 1000, &hist, &hlen), 0);
	assert_int_equal(store_series_finish(st, sid, &sum, 1000, hist, hlen),
			 0);
	free(hist);
	free(blob);
	free(v);
	stats_free(s);
}

static void mdb_case(struct store *st, int64_t run, int idx,
		     const struct mcase *f)
{
	char name[128];
	struct store_case c = { idx, 0, name, f->env, f->profile, f->workload,
				f->load, "{\"interval_us\": 1000}" };
	int64_t cid;

	snprintf(name, sizeof(name), "%s.%s.%s.%s", f->env, f->profile,
		 f->workload, f->load);
	assert_int_equal(store_case_create(st, run, &c, &cid), 0);
	if (!strcmp(f->status, "done")) {
		if (!strcmp(f->workload, "spin")) {
			mdb_series(st, cid, 0, 2, "units", "throughput",
				   f->n, 1);
			mdb_series(st, cid, 1, 2, "ns", "noise", f->n, 1);
		} else {
			for (int k = 0; k < f->ncpus; k++)
				mdb_series(st, cid, (unsigned)k, 2 + k, "ns",
					   NULL, f->n, f->scale);
		}
	}
	if (f->emulated)
		assert_int_equal(store_case_set_emulated(st, cid, 1), 0);
	assert_int_equal(store_case_status(st, cid, f->status, f->reason), 0);
}

static int64_t mdb_run(struct store *st, const char *uuid,
		       const struct mcase *cases, size_t n)
{
	struct store_host h = { "fp00112233445566", "board1", "Acme Board",
				"Cortex-A53", 4 };
	struct store_run run = { uuid, "marks", "scenarios/m.ini",
				 "[scenario]\n", "0.1-test", "isolat run", 0 };
	int64_t id;

	assert_int_equal(store_host_upsert(st, &h, &run.host_id), 0);
	assert_int_equal(store_run_create(st, &run, &id), 0);
	for (size_t i = 0; i < n; i++)
		mdb_case(st, id, (int)i, &cases[i]);
	assert_int_equal(store_run_finish(st, id, "done"), 0);
	return id;
}

#endif
