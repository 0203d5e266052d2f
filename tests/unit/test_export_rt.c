/*
 * test_export_rt.c - the field's formats (issue 17): cyclictest --json and
 * oslat --json per case, OSADL's RT Dataset, the samples JSON, and the
 * SQLite extension's virtual table (build/isolat_sqlite.so: its row count,
 * and that a WHERE on one case decodes only that case's chunks).
 *
 * Values are checked against what the test put into the store, computed
 * here independently (truncated whole microseconds, as cyclictest does).
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "collectors/codec.h"
#include "collectors/stats.h"
#include "collectors/store.h"
#include "reports/export.h"
#include "reports/query.h"
#include "tests/unit/json_check.h"

#include "test_dir.h"

#define RUN_UUID "0b6f4d1e-7c2a-4e55-9a0c-5d1e2f3a4b5c"
#define N0 70000u /* two chunks per latency series */
#define EXT "build/isolat_sqlite.so"

struct series_exp {
	int cpu;
	uint32_t n, max_us, min_us;
	uint64_t per_us[200]; /* counts per whole microsecond (< 200 us) */
	struct summary sum;
};

static struct {
	char dir[64], db[96];
	struct store *st;
	int64_t run_id;
	struct series_exp lat[2]; /* case 0: cpus 1 and 2 */
	struct series_exp noise;  /* case 1: spin, cpu 1 */
	uint64_t total;           /* every stored sample */
	unsigned chunks_case0;
} fx;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* One series of n values (v(i)) in chunks of at most 65536. */
static void put(struct store *st, int64_t case_id, unsigned idx, int cpu,
		const char *unit, const char *kind, uint32_t n,
		uint32_t (*v)(uint32_t), struct series_exp *e,
		unsigned *nchunks)
{
	uint32_t *vals = malloc(n * sizeof(*vals));
	uint8_t *blob = malloc(codec_bound(CODEC_CHUNK_SAMPLES));
	struct stats *s = stats_new();
	uint8_t *hist;
	size_t hlen;
	int64_t sid;
	struct summary sum;

	assert_non_null(vals);
	assert_non_null(blob);
	assert_non_null(s);
	for (uint32_t i = 0; i < n; i++)
		vals[i] = v(i);
	assert_int_equal(store_series_create(st, case_id, idx, cpu, unit,
					     &sid), 0);
	assert_int_equal(store_series_kind(st, sid, kind), 0);
	for (uint32_t done = 0, no = 0; done < n; no++) {
		uint32_t m = n - done < CODEC_CHUNK_SAMPLES
			     ? n - done : CODEC_CHUNK_SAMPLES;
		ssize_t len = codec_encode(vals + done, m, blob,
					   codec_bound(CODEC_CHUNK_SAMPLES));

		assert_true(len > 0);
		assert_int_equal(store_chunk_put(st, sid, no, done, m, blob,
						 (size_t)len), 0);
		done += m;
		if (nchunks)
			(*nchunks)++;
	}
	assert_int_equal(stats_add(s, vals, n), 0);
	stats_summary(s, &sum);
	assert_int_equal(stats_histogram_blob(s, 1000, &hist, &hlen), 0);
	assert_int_equal(store_series_finish(st, sid, &sum, 1000, hist, hlen),
			 0);
	if (e) {
		e->cpu = cpu;
		e->n = n;
		e->sum = sum;
		e->min_us = UINT32_MAX;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t us = vals[i] / 1000;

			assert_true(us < 200);
			e->per_us[us]++;
			if (us > e->max_us)
				e->max_us = us;
			if (us < e->min_us)
				e->min_us = us;
		}
	}
	fx.total += n;
	free(hist);
	free(vals);
	free(blob);
	stats_free(s);
}

static uint32_t lat_value(uint32_t i)
{
	(void)i;
	return rnd() % 10000 < 3 ? 50000 + rnd() % 90000
				 : 1500 + rnd() % 20000;
}

static uint32_t noise_value(uint32_t i)
{
	(void)i;
	return 1000 + rnd() % 30000;
}

static uint32_t ops_value(uint32_t i)
{
	return 20000 + i % 7;
}

static int setup(void **state)
{
	struct store_host h = {"fp-rt", "board1", "Acme", "Intel(R) Xeon(R) "
			       "CPU E5-2690 v4 @ 2.60GHz", 4};
	struct store_run run = {RUN_UUID, "smoke", "s.ini", "[scenario]\n",
				"0.1-test", "isolat run s.ini", 0};
	struct store_case c0 = {0, 0, "bare.none.rtlat.none", "bare", "none",
				"rtlat", "none", "{}"};
	struct store_case c1 = {1, 0, "bare.none.spin.none", "bare", "none",
				"spin", "none", "{}"};
	struct store_case c2 = {2, 0, "kvm.none.rtlat.none", "kvm", "none",
				"rtlat", "none", "{}"};
	int64_t host, cid[3];
	char err[512];

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/isolat-rt-XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	snprintf(fx.db, sizeof(fx.db), "%s/t.db", fx.dir);
	assert_int_equal(store_open(fx.db, STORE_WRITE, &fx.st, err,
				    sizeof(err)), 0);
	assert_int_equal(store_begin(fx.st), 0);
	assert_int_equal(store_host_upsert(fx.st, &h, &host), 0);
	run.host_id = host;
	assert_int_equal(store_run_create(fx.st, &run, &fx.run_id), 0);
	store_run_meta(fx.st, fx.run_id, "kernel_release", "6.1.0-rt-test");
	store_run_meta(fx.st, fx.run_id, "kernel_version", "#1 SMP PREEMPT_RT");
	store_run_meta(fx.st, fx.run_id, "preempt_rt", "yes");
	store_run_meta(fx.st, fx.run_id, "machine", "x86_64");
	store_run_meta(fx.st, fx.run_id, "cmdline", "isolcpus=1,2 quiet");
	assert_int_equal(store_case_create(fx.st, fx.run_id, &c0, &cid[0]), 0);
	assert_int_equal(store_case_create(fx.st, fx.run_id, &c1, &cid[1]), 0);
	assert_int_equal(store_case_create(fx.st, fx.run_id, &c2, &cid[2]), 0);
	put(fx.st, cid[0], 0, 1, "ns", "latency", N0, lat_value, &fx.lat[0],
	    &fx.chunks_case0);
	put(fx.st, cid[0], 1, 2, "ns", "latency", N0 + 5, lat_value,
	    &fx.lat[1], &fx.chunks_case0);
	store_case_status(fx.st, cid[0], "done", NULL);
	put(fx.st, cid[1], 0, 1, "ops", "throughput", 2000, ops_value, NULL,
	    NULL);
	put(fx.st, cid[1], 1, 1, "ns", "noise", 300, noise_value, &fx.noise,
	    NULL);
	store_case_status(fx.st, cid[1], "done", NULL);
	store_case_status(fx.st, cid[2], "skipped", "no /dev/kvm");
	assert_int_equal(store_run_finish(fx.st, fx.run_id, "done"), 0);
	assert_int_equal(store_commit(fx.st), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(fx.st);
	test_dir_done(fx.dir);
	return 0;
}

/* Case idx of the run as export_case_rt writes it, malloc'd. */
static char *export_case(int idx, enum export_format fmt, int *rc)
{
	struct q_run r;
	char err[512], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(query_run_load(fx.st, fx.run_id, &r, err,
					sizeof(err)), 0);
	*rc = export_case_rt(fx.st, &r, &r.cases[idx], fmt, f, err,
			     sizeof(err));
	fclose(f);
	query_run_free(&r);
	return buf;
}

/* The integer after "key": in s (from s on), or -1. */
static long long num_after(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static void test_cyclictest_json(void **state)
{
	int rc;
	char *buf = export_case(0, EXPORT_CYCLICTEST_JSON, &rc), *t1, key[32];

	(void)state;
	assert_int_equal(rc, 0);
	assert_true(json_valid(buf));
	/* rt-tests 2.4's keys, colons included, in its order */
	assert_non_null(strstr(buf, "{\n  \"file_version\": 1,\n"
				    "  \"cmdline:\": \"isolat run s.ini\",\n"
				    "  \"rt_test_version:\": "));
	assert_non_null(strstr(buf, "\"return_code\": 0"));
	assert_non_null(strstr(buf, "\"release\": \"6.1.0-rt-test\""));
	assert_non_null(strstr(buf, "\"machine\": \"x86_64\""));
	assert_non_null(strstr(buf, "\"realtime\": 1"));
	assert_non_null(strstr(buf, "\"num_threads\": 2"));
	assert_non_null(strstr(buf, "\"resolution_in_ns\": 0"));
	t1 = strstr(buf, "\"1\": {\n      \"histogram\"");
	assert_non_null(t1);
	for (int t = 0; t < 2; t++) {
		const struct series_exp *e = &fx.lat[t];
		const char *th = t ? t1 : strstr(buf, "\"0\": {");
		const char *h = strstr(th, "\"histogram\"");
		uint64_t sum = 0;

		assert_int_equal(num_after(th, "\"cycles\": "), e->n);
		assert_int_equal(num_after(th, "\"min\": "), e->min_us);
		assert_int_equal(num_after(th, "\"max\": "), e->max_us);
		assert_int_equal(num_after(th, "\"cpu\": "), e->cpu);
		assert_int_equal(e->min_us, e->sum.min / 1000);
		/* every non-empty class, nothing else */
		for (unsigned us = 0; us < 200; us++) {
			snprintf(key, sizeof(key), "\"%u\": ", us);
			if (!e->per_us[us])
				continue;
			assert_int_equal(num_after(h, key), e->per_us[us]);
			sum += e->per_us[us];
		}
		assert_int_equal(sum, e->n);
	}
	free(buf);
}

static void test_oslat_json(void **state)
{
	int rc;
	char *buf = export_case(1, EXPORT_CYCLICTEST_JSON, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"num_threads\": 1"));
	assert_null(strstr(buf, "resolution_in_ns")); /* oslat has none */
	assert_int_equal(num_after(buf, "\"max\": "), fx.noise.max_us);
	assert_non_null(strstr(buf, "\"duration\": 2,")); /* 2000 x 1 ms */
	free(buf);
	/* skipped: nothing to write, said so */
	buf = export_case(2, EXPORT_CYCLICTEST_JSON, &rc);
	assert_int_equal(rc, -ENOENT);
	free(buf);
}

static void test_osadl(void **state)
{
	int rc;
	char *buf = export_case(0, EXPORT_OSADL, &rc), *p;
	unsigned maxc = fx.lat[0].max_us > fx.lat[1].max_us ? fx.lat[0].max_us
							    : fx.lat[1].max_us;

	(void)state;
	assert_int_equal(rc, 0);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"name\": \"RT Dataset\""));
	assert_non_null(strstr(buf, "\"version\": \"1.0\""));
	assert_non_null(strstr(buf, "\"granularity\": \"microseconds\""));
	assert_non_null(strstr(buf, "\"load\": \"idle\""));
	assert_non_null(strstr(buf, "\"vendor\": \"Intel\""));
	assert_non_null(strstr(buf, "-a1,2 -t2 "));
	p = strstr(buf, "\"maxima\": [");
	assert_non_null(p);
	assert_int_equal(strtoul(strpbrk(p + 10, "0123456789"), NULL, 10),
			 fx.lat[0].max_us);
	/* cores: the class axis 0..max, then one row per CPU, summing to
	 * the case's samples */
	p = strstr(buf, "\"cores\": [");
	assert_non_null(p);
	p = strchr(p + 10, '[');
	for (unsigned us = 0; us <= maxc; us++) {
		char *end;

		p = strpbrk(p + 1, "0123456789");
		assert_int_equal(strtoul(p, &end, 10), us);
		p = end;
	}
	assert_int_equal(*strpbrk(p, ",]"), ']');
	for (int t = 0; t < 2; t++) {
		uint64_t sum = 0;

		p = strchr(p + 1, '[');
		for (unsigned us = 0; us <= maxc; us++) {
			char *end;

			p = strpbrk(p + 1, "0123456789");
			sum += strtoull(p, &end, 10);
			assert_int_equal(strtoull(p, NULL, 10),
					 us < 200 ? fx.lat[t].per_us[us] : 0);
			p = end;
		}
		assert_int_equal(sum, fx.lat[t].n);
	}
	free(buf);
	buf = export_case(1, EXPORT_OSADL, &rc); /* spin: not a latency */
	assert_int_equal(rc, -ENOENT);
	free(buf);
}

static void test_samples_json(void **state)
{
	char *buf = NULL, err[512];
	size_t len = 0, rows = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(export_samples(fx.st, fx.run_id, EXPORT_JSON, f, err,
					sizeof(err)), 0);
	fclose(f);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"format\": \"isolat-samples\""));
	assert_non_null(strstr(buf, "\"columns\": [\"run_uuid\", \"case\", "));
	/* One pass: strstr in a loop is quadratic under ASan, whose
	 * interceptor measures the whole rest of the buffer each call. */
	for (size_t i = 0; i + 2 < len; i++)
		rows += buf[i] == '\n' && buf[i + 1] == '[' && buf[i + 2] == '"';
	assert_int_equal(rows, fx.total);
	assert_non_null(strstr(buf, ",\"ops\"]"));
	free(buf);
}

/* --- the SQLite extension ------------------------------------------------ */

static sqlite3_int64 one(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	sqlite3_int64 v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return v;
}

static void test_sqlite_vtab(void **state)
{
	char *err = NULL, sql[256];
	sqlite3 *db;
	sqlite3_int64 d0;

	(void)state;
	if (access(EXT, R_OK) != 0) {
		/* `make all` builds it; a unit-only build does not. */
		print_message("skip: %s not built\n", EXT);
		skip();
	}
	assert_int_equal(sqlite3_open_v2(fx.db, &db, SQLITE_OPEN_READONLY,
					 NULL), SQLITE_OK);
	sqlite3_enable_load_extension(db, 1);
	if (sqlite3_load_extension(db, EXT, NULL, &err) != SQLITE_OK)
		fail_msg("load %s: %s", EXT, err);
	/* every stored sample, none decoded for a count */
	assert_int_equal(one(db, "SELECT count(*) FROM isolat_samples"),
			 fx.total);
	assert_int_equal(one(db, "SELECT isolat_chunks_decoded()"), 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM isolat_samples "
		 "WHERE run_uuid = '%s'", RUN_UUID);
	assert_int_equal(one(db, sql), fx.total);
	/* one case: only its chunks are decoded */
	assert_int_equal(one(db, "SELECT count(value) FROM isolat_samples "
				 "WHERE case_idx = 0"), 2 * N0 + 5);
	d0 = one(db, "SELECT isolat_chunks_decoded()");
	assert_int_equal(d0, fx.chunks_case0);
	/* one CPU of it: its series' chunks only (2 of 4) */
	assert_int_equal(one(db, "SELECT max(value) FROM isolat_samples "
				 "WHERE name = 'bare.none.rtlat.none' AND "
				 "cpu = 2"), fx.lat[1].sum.max);
	assert_int_equal(one(db, "SELECT isolat_chunks_decoded()") - d0, 2);
	assert_int_equal(one(db, "SELECT count(*) FROM isolat_samples WHERE "
				 "environment = 'kvm'"), 0);
	assert_int_equal(one(db, "SELECT count(*) FROM isolat_samples WHERE "
				 "unit = 'ops'"), 2000);
	assert_int_equal(one(db, "SELECT min(seq) FROM isolat_samples WHERE "
				 "case_idx = 0 AND cpu = 1 AND seq >= 65536"),
			 65536);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cyclictest_json),
		cmocka_unit_test(test_oslat_json),
		cmocka_unit_test(test_osadl),
		cmocka_unit_test(test_samples_json),
		cmocka_unit_test(test_sqlite_vtab),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
