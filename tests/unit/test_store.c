/*
 * test_store.c - the SQLite store: migration from an empty file, refusal
 * of foreign / newer / corrupt files (left unchanged), RUN resolution,
 * chunks read back through the codec.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/codec.h"
#include "collectors/store.h"
#include "collectors/store_db.h"

static char dir[64], path[128], err[1024];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/isolat-store-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/sub/dir/t.db", dir);
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
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static int64_t add_run(struct store *st, const char *uuid)
{
	struct store_host h = {"fp1", "host", "model", "cpu", 2};
	struct store_run r = {.uuid = uuid, .scenario_name = "s",
			      .scenario_text = "[scenario]\n",
			      .tool_version = "t"};
	int64_t run_id;

	assert_int_equal(store_host_upsert(st, &h, &r.host_id), 0);
	assert_int_equal(store_run_create(st, &r, &run_id), 0);
	return run_id;
}

static void test_migrate_from_empty(void **state)
{
	struct store *st;
	sqlite3_stmt *s;

	(void)state;
	/* READ of a missing file fails and creates nothing. */
	assert_int_equal(store_open(path, STORE_READ, &st, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, path));
	assert_int_not_equal(access(path, F_OK), 0);

	assert_int_equal(store_open(path, STORE_WRITE, &st, err, sizeof(err)),
			 0);
	assert_int_equal(sqlite3_prepare_v2(store_db(st),
					    "PRAGMA user_version", -1, &s,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), STORE_SCHEMA_VERSION);
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(store_db(st), "PRAGMA journal_mode",
					    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	store_close(st);
	/* Reopening migrates nothing and keeps working. */
	assert_int_equal(store_open(path, STORE_READ, &st, err, sizeof(err)),
			 0);
	store_close(st);
}

static long file_size(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 ? (long)sb.st_size : -1;
}

static void test_foreign_refused(void **state)
{
	char other[160];
	sqlite3 *db;
	struct store *st;
	long before;

	(void)state;
	snprintf(other, sizeof(other), "%s/other.db", dir);
	assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t "
					  "VALUES (42)", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	before = file_size(other);
	assert_int_equal(store_open(other, STORE_WRITE, &st, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "did not create"));
	assert_int_equal(file_size(other), before);

	/* A newer schema than we know is refused, not downgraded. */
	assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
	sqlite3_exec(db, "DROP TABLE t; PRAGMA application_id = 1230195796;"
			 "PRAGMA user_version = 99",
		     NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(store_open(other, STORE_WRITE, &st, err, sizeof(err)),
			 -EPROTO);
	assert_non_null(strstr(err, "newer"));
}

static void test_corrupt_refused(void **state)
{
	char bad[160];
	struct store *st;
	int fd;

	(void)state;
	snprintf(bad, sizeof(bad), "%s/corrupt.db", dir);
	fd = open(bad, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	assert_true(fd >= 0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(write(fd, "garbage!garbage!", 16), 16);
	close(fd);
	assert_int_not_equal(store_open(bad, STORE_WRITE, &st, err,
					sizeof(err)), 0);
	assert_non_null(strstr(err, bad));
	assert_int_equal(file_size(bad), 1024);
}

static void test_resolve(void **state)
{
	struct store *st;
	int64_t id, a, b;
	char uuid[37];

	(void)state;
	assert_int_equal(store_open(path, STORE_WRITE, &st, err, sizeof(err)),
			 0);
	a = add_run(st, "aaaa1111-0000-4000-8000-000000000001");
	b = add_run(st, "aaaa2222-0000-4000-8000-000000000002");
	assert_int_equal(store_resolve_run(st, "aaaa1", &id, uuid, err,
					   sizeof(err)), 0);
	assert_int_equal(id, a);
	assert_string_equal(uuid, "aaaa1111-0000-4000-8000-000000000001");
	assert_int_equal(store_resolve_run(st, "last", &id, uuid, err,
					   sizeof(err)), 0);
	assert_int_equal(id, b);
	assert_int_equal(store_resolve_run(st, "aaaa", &id, uuid, err,
					   sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than one"));
	assert_int_equal(store_resolve_run(st, "bbbb", &id, uuid, err,
					   sizeof(err)), -ENOENT);
	assert_int_equal(store_resolve_run(st, "x'; DROP TABLE runs;--", &id,
					   uuid, err, sizeof(err)), -EINVAL);
	assert_int_equal(store_resolve_run(st,
					   "aaaa2222-0000-4000-8000-000000000002",
					   &id, uuid, err, sizeof(err)), 0);
	assert_int_equal(id, b);
	store_close(st);
}

struct collected {
	uint32_t *v;
	uint64_t n;
	uint64_t first[4];
	int chunks;
};

static int collect(void *ctx, uint64_t first, const uint32_t *v, uint32_t n)
{
	struct collected *c = ctx;

	memcpy(c->v + c->n, v, n * sizeof(*v));
	c->first[c->chunks++] = first;
	c->n += n;
	return 0;
}

static void test_chunks(void **state)
{
	struct store *st;
	int64_t run, case_id, sid;
	struct store_case sc = {0, 0, "c", "bare", "none", "rtlat", "none",
				"{}"};
	uint32_t n = 100000, *v = malloc(n * sizeof(*v));
	uint8_t *blob = malloc(codec_bound(CODEC_CHUNK_SAMPLES));
	struct collected got = {.v = malloc(n * sizeof(uint32_t))};
	ssize_t len;

	(void)state;
	for (uint32_t i = 0; i < n; i++)
		v[i] = 2000 + (i * 2654435761u) % 5000;
	assert_int_equal(store_open(path, STORE_WRITE, &st, err, sizeof(err)),
			 0);
	run = add_run(st, "cccc0000-0000-4000-8000-000000000003");
	assert_int_equal(store_case_create(st, run, &sc, &case_id), 0);
	assert_int_equal(store_series_create(st, case_id, 0, 1, "ns", &sid),
			 0);
	len = codec_encode(v, CODEC_CHUNK_SAMPLES, blob,
			   codec_bound(CODEC_CHUNK_SAMPLES));
	assert_true(len > 0);
	assert_int_equal(store_chunk_put(st, sid, 0, 0, CODEC_CHUNK_SAMPLES,
					 blob, (size_t)len), 0);
	len = codec_encode(v + CODEC_CHUNK_SAMPLES, n - CODEC_CHUNK_SAMPLES,
			   blob, codec_bound(CODEC_CHUNK_SAMPLES));
	assert_true(len > 0);
	assert_int_equal(store_chunk_put(st, sid, 1, CODEC_CHUNK_SAMPLES,
					 n - CODEC_CHUNK_SAMPLES, blob,
					 (size_t)len), 0);
	assert_int_equal(store_series_samples(st, sid, collect, &got), 0);
	assert_int_equal(got.n, n);
	assert_int_equal(got.chunks, 2);
	assert_int_equal(got.first[1], CODEC_CHUNK_SAMPLES);
	assert_memory_equal(got.v, v, n * sizeof(*v));

	/* A corrupt chunk is an error, not garbage data. */
	assert_int_equal(sqlite3_exec(store_db(st),
				      "UPDATE chunks SET data = x'00112233' "
				      "WHERE chunk_no = 1",
				      NULL, NULL, NULL), SQLITE_OK);
	got.n = 0;
	got.chunks = 0;
	assert_int_equal(store_series_samples(st, sid, collect, &got),
			 -EINVAL);
	store_close(st);
	free(v);
	free(blob);
	free(got.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_from_empty),
		cmocka_unit_test(test_foreign_refused),
		cmocka_unit_test(test_corrupt_refused),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_chunks),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
