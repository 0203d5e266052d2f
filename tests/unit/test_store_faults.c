/*
 * test_store_faults.c - the store against damaged, shared and read-only
 * databases (issue 12): a schema version out of range is refused with
 * the file untouched (it indexed before the migration steps: run this
 * under build-san too); two openers of one new file do not both create
 * it; boards are merged read-only, including one whose -wal holds
 * committed runs, leaving nothing beside them; a locked central database
 * and a corrupt or missing chunk are named in the message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/merge.h"
#include "collectors/store.h"
#include "collectors/store_db.h"
#include "collectors/store_schema.h"
#include "mini_db.h"
#include "test_dir.h"

static char dir[64], err[8192];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/isolat-storef-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	test_dir_done(dir);
	return 0;
}

static const struct mcase one_case[] = {
	{ "bare", "none", "rtlat", "none", "done", NULL, 0, 1, 200, 1 },
};

/* A closed database at dir/name with one run per uuid. */
static void make_db(char *p, size_t size, const char *name,
		    const char *const *uuids, size_t n)
{
	struct store *st;

	snprintf(p, size, "%s/%s", dir, name);
	assert_int_equal(store_open(p, STORE_WRITE, &st, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		mdb_run(st, uuids[i], one_case, 1);
	store_close(st);
}

static char *slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int exists(const char *p, const char *suffix)
{
	char q[256];

	snprintf(q, sizeof(q), "%s%s", p, suffix);
	return access(q, F_OK) == 0;
}

static const char *const uuid1[] = { "aaaa0000-0000-4000-8000-000000000001" };
static const char *const uuid2[] = { "aaaa0000-0000-4000-8000-000000000001",
				     "bbbb0000-0000-4000-8000-000000000002" };

/* Item 1: every version below 0 or above the newest is refused, by a
 * reader and a writer alike, and the file stays byte-identical. */
static void test_version_out_of_range(void **state)
{
	static const int bad[] = { -1, -16777213, INT_MIN, 0x00ff0003,
				   STORE_SCHEMA_VERSION + 1 };
	char p[128], sql[64];
	struct store *st;

	(void)state;
	make_db(p, sizeof(p), "bad.db", uuid1, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		sqlite3 *db;
		char *before, *after;
		size_t nb, na;

		assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", bad[i]);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(db);
		before = slurp(p, &nb);
		for (int mode = 0; mode < 2; mode++) {
			err[0] = '\0';
			assert_int_not_equal(store_open(p, mode ? STORE_WRITE
							: STORE_READ, &st, err,
							sizeof(err)), 0);
			assert_null(st);
			assert_non_null(strstr(err, p));
			assert_non_null(strstr(err, "schema version"));
			assert_non_null(strstr(err, "refusing to touch it"));
			after = slurp(p, &na);
			assert_int_equal(na, nb);
			assert_memory_equal(after, before, nb);
			free(after);
			assert_false(exists(p, "-wal"));
			assert_false(exists(p, "-shm"));
			assert_false(exists(p, "-journal"));
		}
		free(before);
	}
}

/* One flipped byte at offset 60 (user_version's high byte), as found. */
static void test_flipped_header_byte(void **state)
{
	char p[128];
	struct store *st;
	int fd;
	unsigned char b = 0xff;

	(void)state;
	make_db(p, sizeof(p), "flip.db", uuid1, 1);
	fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &b, 1, 60), 1);
	close(fd);
	assert_int_equal(store_open(p, STORE_READ, &st, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "schema version -16777213"));
}

struct opener {
	const char *path;
	int rc;
	char err[1024];
};

static void *open_write(void *arg)
{
	struct opener *o = arg;
	struct store *st;

	o->rc = store_open(o->path, STORE_WRITE, &st, o->err, sizeof(o->err));
	if (o->rc == 0)
		store_close(st);
	return NULL;
}

/* Item 4: a second process creating the same new database while the
 * first holds its write lock must wait and find it created, not run the
 * first step again ("table hosts already exists"). */
static void test_concurrent_create(void **state)
{
	char p[128];
	struct opener o = { p, -1, "" };
	pthread_t t;
	sqlite3 *db;

	(void)state;
	snprintf(p, sizeof(p), "%s/race.db", dir);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(pthread_create(&t, NULL, open_write, &o), 0);
	/* Give the other opener time to read the (still empty) header; the
	 * result must be the same whether or not it did. */
	usleep(300 * 1000);
	for (int v = 0; v < store_nmigrations; v++)
		assert_int_equal(sqlite3_exec(db, store_migrations[v], NULL,
					      NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 3; PRAGMA "
				      "application_id = 1230195796; COMMIT",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(pthread_join(t, NULL), 0);
	if (o.rc)
		fail_msg("second opener: %s", o.err);
}

/* Item 3: a board is read without creating anything beside it. */
static void test_merge_leaves_nothing(void **state)
{
	char board[128], central[128];
	struct merge_stats ms;
	struct store *st;

	(void)state;
	make_db(board, sizeof(board), "board.db", uuid2, 2);
	snprintf(central, sizeof(central), "%s/central.db", dir);
	assert_int_equal(store_open(central, STORE_WRITE, &st, err,
				    sizeof(err)), 0);
	assert_int_equal(merge_import(st, board, &ms, err, sizeof(err)), 0);
	assert_int_equal(ms.imported, 2);
	assert_false(exists(board, "-wal"));
	assert_false(exists(board, "-shm"));
	store_close(st);
	assert_false(exists(board, "-wal"));
	assert_false(exists(board, "-shm"));
}

static void copy_file(const char *from, const char *to)
{
	size_t n;
	char *buf = slurp(from, &n);
	FILE *f = fopen(to, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
	free(buf);
}

/* Item 3: a board whose second run is committed only in its -wal (its
 * writer still had it open when it was copied) is read through the -wal:
 * immutable=1 would have imported one run. */
static void test_merge_board_wal(void **state)
{
	char live[128], board[128], central[128], a[160], b[160];
	static const char *const sfx[] = { "", "-wal", "-shm" };
	struct merge_stats ms;
	struct store *st;
	sqlite3 *holder;

	(void)state;
	make_db(live, sizeof(live), "live.db", uuid1, 1);
	/* A reader keeps the -wal from being checkpointed and removed. */
	assert_int_equal(sqlite3_open(live, &holder), SQLITE_OK);
	assert_int_equal(sqlite3_exec(holder, "SELECT count(*) FROM runs",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_open(live, STORE_WRITE, &st, err, sizeof(err)),
			 0);
	mdb_run(st, uuid2[1], one_case, 1);
	store_close(st);
	assert_true(exists(live, "-wal"));
	snprintf(board, sizeof(board), "%s/copied.db", dir);
	for (int i = 0; i < 3; i++) {
		snprintf(a, sizeof(a), "%s%s", live, sfx[i]);
		snprintf(b, sizeof(b), "%s%s", board, sfx[i]);
		copy_file(a, b);
	}
	sqlite3_close(holder);
	/* The copy's main file alone holds only the first run. */
	snprintf(a, sizeof(a), "file:%s?immutable=1", board);
	assert_int_equal(sqlite3_open_v2(a, &holder, SQLITE_OPEN_READONLY |
					 SQLITE_OPEN_URI, NULL), SQLITE_OK);
	{
		sqlite3_stmt *s;

		assert_int_equal(sqlite3_prepare_v2(holder, "SELECT count(*) "
						    "FROM runs", -1, &s, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), 1);
		sqlite3_finalize(s);
	}
	sqlite3_close(holder);
	assert_int_equal(store_ro_uri(board, a, sizeof(a)), 0);
	assert_non_null(strstr(a, "mode=ro"));

	snprintf(central, sizeof(central), "%s/central2.db", dir);
	assert_int_equal(store_open(central, STORE_WRITE, &st, err,
				    sizeof(err)), 0);
	assert_int_equal(merge_import(st, board, &ms, err, sizeof(err)), 0);
	assert_int_equal(ms.imported, 2);
	store_close(st);
	/* The board's own -wal was read, not checkpointed into it. */
	assert_true(exists(board, "-wal"));
}

/* Item 5: a central database locked by another writer is named, not the
 * board. */
static void test_merge_central_locked(void **state)
{
	char board[128], central[128];
	struct merge_stats ms;
	struct store *st;
	sqlite3 *holder;

	(void)state;
	make_db(board, sizeof(board), "board3.db", uuid1, 1);
	make_db(central, sizeof(central), "central3.db", NULL, 0);
	assert_int_equal(store_open(central, STORE_WRITE, &st, err,
				    sizeof(err)), 0);
	sqlite3_busy_timeout(store_db(st), 50);
	assert_int_equal(sqlite3_open(central, &holder), SQLITE_OK);
	assert_int_equal(sqlite3_exec(holder, "BEGIN IMMEDIATE", NULL, NULL,
				      NULL), SQLITE_OK);
	assert_int_not_equal(merge_import(st, board, &ms, err, sizeof(err)),
			     0);
	assert_int_equal(strncmp(err, central, strlen(central)), 0);
	assert_non_null(strstr(err, "locked"));
	assert_non_null(strstr(err, uuid1[0]));
	assert_null(strstr(err, "not an error"));
	sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(holder);
	store_close(st);
}

static int count_fn(void *ctx, uint64_t first_seq, const uint32_t *v,
		    uint32_t n)
{
	(void)first_seq;
	(void)v;
	*(uint32_t *)ctx += n;
	return 0;
}

/* Item 5: a corrupt chunk, and chunks that cannot be read at all, are
 * named: file, run, case, chunk. */
static void test_samples_error(void **state)
{
	char p[128];
	struct store *st;
	uint32_t n = 0;
	int64_t sid = 0;

	(void)state;
	make_db(p, sizeof(p), "chunk.db", uuid1, 1);
	assert_int_equal(store_open(p, STORE_READ, &st, err, sizeof(err)), 0);
	{
		sqlite3_stmt *s;

		assert_int_equal(sqlite3_prepare_v2(store_db(st), "SELECT id "
						    "FROM series", -1, &s,
						    NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		sid = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	assert_int_equal(store_series_samples(st, sid, count_fn, &n), 0);
	assert_int_equal(n, 200);
	assert_string_equal(store_samples_error(st), "");
	assert_int_equal(sqlite3_exec(store_db(st), "UPDATE chunks SET data ="
				      " x'00112233'", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(store_series_samples(st, sid, count_fn, &n), -EINVAL);
	assert_non_null(strstr(store_samples_error(st), p));
	assert_non_null(strstr(store_samples_error(st), uuid1[0]));
	assert_non_null(strstr(store_samples_error(st),
			       "bare.none.rtlat.none"));
	assert_non_null(strstr(store_samples_error(st), "chunk 0"));
	assert_int_equal(sqlite3_exec(store_db(st), "DROP TABLE chunks", NULL,
				      NULL, NULL), SQLITE_OK);
	assert_int_equal(store_series_samples(st, sid, count_fn, &n), -EIO);
	assert_non_null(strstr(store_samples_error(st), p));
	assert_non_null(strstr(store_samples_error(st), "no such table"));
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_out_of_range),
		cmocka_unit_test(test_flipped_header_byte),
		cmocka_unit_test(test_concurrent_create),
		cmocka_unit_test(test_merge_leaves_nothing),
		cmocka_unit_test(test_merge_board_wal),
		cmocka_unit_test(test_merge_central_locked),
		cmocka_unit_test(test_samples_error),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
