/*
 * test_ingest.c - the collector path into a real database: samples land in
 * contiguous chunks with exact summaries; a gap, a corrupt frame or a
 * missing END is an event and flags the case; nothing is lost silently.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/ingest.h"
#include "collectors/store.h"
#include "collectors/store_db.h"
#include "workloads/wire.h"

static char dir[64], err[512];
static struct store *st;
static int64_t run_id, case_id;

static uint8_t stream[1 << 22];
static size_t slen;

static void frame(unsigned type, const void *payload, uint32_t len)
{
	wire_put_header(stream + slen, type, payload, len);
	memcpy(stream + slen + WIRE_HDR_SIZE, payload, len);
	slen += WIRE_HDR_SIZE + len;
}

static void text_frame(unsigned type, const char *text)
{
	frame(type, text, (uint32_t)strlen(text));
}

static void samples(unsigned series, uint64_t first, uint32_t n,
		    uint32_t base)
{
	static uint8_t p[WIRE_SAMPLES_HEAD + 4 * 70000];

	wire_le16(p, (uint16_t)series);
	wire_le16(p + 2, 0);
	wire_le32(p + 4, n);
	wire_le64(p + 8, first);
	for (uint32_t i = 0; i < n; i++)
		wire_le32(p + 16 + 4 * i, base + (uint32_t)((first + i) % 977));
	frame(WIRE_SAMPLES, p, WIRE_SAMPLES_HEAD + 4 * n);
}

static int setup(void **state)
{
	char path[128];
	struct store_host h = {"fp", "h", "m", "c", 2};
	struct store_run r = {.uuid = "11111111-0000-4000-8000-000000000000",
			      .tool_version = "t"};
	struct store_case c = {0, 0, "c", "bare", "none", "rtlat", "none",
			       "{}"};

	(void)state;
	strcpy(dir, "/tmp/isolat-ingest-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	if (store_open(path, STORE_WRITE, &st, err, sizeof(err)) < 0 ||
	    store_host_upsert(st, &h, &r.host_id) < 0 ||
	    store_run_create(st, &r, &run_id) < 0 ||
	    store_case_create(st, run_id, &c, &case_id) < 0)
		return -1;
	return 0;
}

static int rm_entry(const char *p, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(st);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static int64_t q(const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL),
			 SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static struct ingest *feed_all(int64_t cid)
{
	struct ingest *in = ingest_new(st, run_id, cid);

	assert_non_null(in);
	/* odd piece sizes: frames split anywhere */
	for (size_t off = 0; off < slen; off += 4099)
		assert_int_equal(ingest_feed(in, stream + off,
					     slen - off < 4099 ? slen - off
							       : 4099), 0);
	assert_int_equal(ingest_finish(in), 0);
	return in;
}

static void test_clean_stream(void **state)
{
	struct ingest *in;
	const uint64_t n = 150000; /* > 2 chunks per series */

	(void)state;
	slen = 0;
	text_frame(WIRE_HELLO, "workload=rtlat\nwire_version=1\nunit=ns\n"
			       "nseries=2\nseries.0.cpu=1\nseries.1.cpu=3\n"
			       "interval_us=1000\npidns=pid:[4026531836]\n");
	for (uint64_t f = 0; f < n; f += 10000) {
		samples(0, f, 10000, 1000);
		samples(1, f, 10000, 5000);
	}
	text_frame(WIRE_END, "status=ok\nseries.0.count=150000\n"
			     "series.0.dropped=0\nseries.1.count=150000\n"
			     "series.1.dropped=0\nseries.0.policy=SCHED_FIFO\n");
	in = feed_all(case_id);
	assert_true(ingest_seen_hello(in));
	assert_true(ingest_seen_end(in));
	assert_string_equal(ingest_end_status(in), "ok");
	assert_false(ingest_flagged(in));
	assert_int_equal(ingest_samples(in), 2 * n);
	assert_int_equal(ingest_max(in), 5000 + 976);
	ingest_free(in);
	assert_int_equal(q("SELECT sum(count) FROM series"), 2 * n);
	assert_int_equal(q("SELECT sum(nsamples) FROM chunks"), 2 * n);
	assert_int_equal(q("SELECT count(*) FROM chunks"), 6);
	assert_int_equal(q("SELECT cpu FROM series WHERE idx = 1"), 3);
	assert_int_equal(q("SELECT min FROM summaries m JOIN series s ON "
			   "s.id = m.series_id WHERE s.idx = 0"), 1000);
	assert_int_equal(q("SELECT max FROM summaries m JOIN series s ON "
			   "s.id = m.series_id WHERE s.idx = 1"), 5976);
	assert_int_equal(q("SELECT count(*) FROM case_facts WHERE key = "
			   "'pidns' AND value = 'pid:[4026531836]'"), 1);
	assert_int_equal(q("SELECT count(*) FROM case_facts WHERE key = "
			   "'end.series.0.policy' AND value = 'SCHED_FIFO'"),
			 1);
	assert_int_equal(q("SELECT flagged FROM cases"), 0);
	/* chunk first_seq values are the loop indices */
	assert_int_equal(q("SELECT first_seq FROM chunks k JOIN series s ON "
			   "s.id = k.series_id WHERE s.idx = 0 AND "
			   "chunk_no = 2"), 2 * 65536);
}

static int64_t new_case(int idx)
{
	struct store_case c = {idx, 0, "c", "bare", "none", "rtlat", "none",
			       "{}"};
	int64_t id;

	assert_int_equal(store_case_create(st, run_id, &c, &id), 0);
	return id;
}

static void test_gap_and_corruption(void **state)
{
	struct ingest *in;
	int64_t cid = new_case(1);
	char sql[256];

	(void)state;
	slen = 0;
	text_frame(WIRE_HELLO, "workload=rtlat\nwire_version=1\nunit=ns\n"
			       "nseries=1\nseries.0.cpu=1\n");
	samples(0, 0, 100, 1000);
	samples(0, 150, 100, 1000); /* 50 lost on the way */
	{
		size_t at = slen;

		samples(0, 250, 100, 1000);
		stream[at + 40] ^= 0x5a; /* corrupt: CRC must catch it */
	}
	memcpy(stream + slen, "printk noise\n", 13);
	slen += 13;
	samples(0, 350, 100, 1000);
	/* no END: the workload died */
	in = feed_all(cid);
	assert_true(ingest_flagged(in));
	assert_false(ingest_seen_end(in));
	assert_int_equal(ingest_samples(in), 300);
	ingest_free(in);
	snprintf(sql, sizeof(sql), "SELECT flagged FROM cases WHERE id = %lld",
		 (long long)cid);
	assert_int_equal(q(sql), 1);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM events WHERE case_id = %lld AND kind "
		 "IN ('bad_crc', 'seq_gap', 'truncated', 'garbage')",
		 (long long)cid);
	assert_true(q(sql) >= 3);
	snprintf(sql, sizeof(sql),
		 "SELECT dropped FROM series WHERE case_id = %lld",
		 (long long)cid);
	/* 50 lost between frames, 100 in the corrupt frame */
	assert_int_equal(q(sql), 150);
	/* every chunk is contiguous: first_seq + nsamples never overlaps */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM chunks k JOIN series s ON s.id = "
		 "k.series_id WHERE s.case_id = %lld",
		 (long long)cid);
	assert_int_equal(q(sql), 3);
}

static void test_count_mismatch(void **state)
{
	struct ingest *in;
	int64_t cid = new_case(2);
	char sql[256];

	(void)state;
	slen = 0;
	text_frame(WIRE_HELLO, "workload=rtlat\nwire_version=1\nunit=ns\n"
			       "nseries=1\nseries.0.cpu=1\n");
	samples(0, 0, 100, 1000);
	text_frame(WIRE_END, "status=ok\nseries.0.count=120\n"
			     "series.0.dropped=0\n");
	in = feed_all(cid);
	assert_true(ingest_flagged(in));
	ingest_free(in);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM events WHERE case_id = %lld AND kind "
		 "= 'count_mismatch'", (long long)cid);
	assert_int_equal(q(sql), 1);
	snprintf(sql, sizeof(sql),
		 "SELECT dropped FROM series WHERE case_id = %lld",
		 (long long)cid);
	assert_int_equal(q(sql), 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_stream),
		cmocka_unit_test(test_gap_and_corruption),
		cmocka_unit_test(test_count_mismatch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
