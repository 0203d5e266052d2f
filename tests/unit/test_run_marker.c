/*
 * test_run_marker.c - the database of the run holding the lock
 * (harness/run/run_marker.h): what `isolat restore` and the next run read
 * after a kill -9 to mark the killed run aborted in its own database.
 * No root needed: the journal path is in a scratch directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/store.h"
#include "harness/run/run_marker.h"
#include "reports/query.h"
#include "tests/unit/test_dir.h"

static char dir[64], journal[128], marker[128], db[128];

/* A database with one run of this host left 'running'. */
static int64_t running_run(void)
{
	char host[256] = "", err[256];
	struct store *st;
	struct store_host h = { "fp", host, "m", "c", 2 };
	struct store_run r = { "12345678-0000-4000-8000-000000000001", "s",
			       "s.ini", "[scenario]\n", "t", "isolat run", 0 };
	int64_t id;

	gethostname(host, sizeof(host) - 1);
	assert_int_equal(store_open(db, STORE_WRITE, &st, err, sizeof(err)),
			 0);
	assert_int_equal(store_host_upsert(st, &h, &r.host_id), 0);
	assert_int_equal(store_run_create(st, &r, &id), 0);
	store_close(st);
	return id;
}

static char *status_of(int64_t id)
{
	char err[256], *s;
	struct store *st;
	struct q_run r;

	assert_int_equal(store_open(db, STORE_READ, &st, err, sizeof(err)),
			 0);
	assert_int_equal(query_run_load(st, id, &r, err, sizeof(err)), 0);
	s = strdup(r.status);
	query_run_free(&r);
	store_close(st);
	return s;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/isolat-test-marker-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(journal, sizeof(journal), "%s/journal", dir);
	snprintf(marker, sizeof(marker), "%s/journal.run", dir);
	snprintf(db, sizeof(db), "%s/r.db", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_dir_done(dir);
	return 0;
}

/* Written beside the journal (0600, the absolute path), settled into
 * 'aborted' and removed; nothing left, a second settle does nothing. */
static void settle_marks_aborted(void **state)
{
	char err[256], *s, line[256];
	struct stat sb;
	int64_t id = running_run();
	FILE *f;

	(void)state;
	assert_int_equal(run_marker_write(journal, db, err, sizeof(err)), 0);
	assert_int_equal(stat(marker, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	f = fopen(marker, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_int_equal(line[0], '/');
	/* The run's own database is the caller's to mark: skipped. */
	assert_int_equal(run_marker_settle(journal, "t", db, err, sizeof(err)),
			 0);
	s = status_of(id);
	assert_string_equal(s, "running");
	free(s);
	assert_int_equal(run_marker_write(journal, db, err, sizeof(err)), 0);
	assert_int_equal(run_marker_settle(journal, "t", NULL, err,
					   sizeof(err)), 0);
	s = status_of(id);
	assert_string_equal(s, "aborted");
	free(s);
	assert_int_equal(access(marker, F_OK), -1);
	assert_int_equal(run_marker_settle(journal, "t", NULL, err,
					   sizeof(err)), 0);
	run_marker_clear(journal);
	remove(db);
}

/* A marker anyone could have written, or one that is not one absolute
 * path, is refused and kept; one naming a database that is gone just
 * goes. */
static void settle_refuses_strangers(void **state)
{
	char err[256];
	int fd;

	(void)state;
	fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	fchmod(fd, 0644);
	assert_int_equal(write(fd, "/etc/x.db\n", 10), 10);
	close(fd);
	assert_int_equal(run_marker_settle(journal, "t", NULL, err,
					   sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "refused"));
	assert_int_equal(access(marker, F_OK), 0);
	chmod(marker, 0600);
	fd = open(marker, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "r.db\n", 5), 5);
	close(fd);
	assert_int_equal(run_marker_settle(journal, "t", NULL, err,
					   sizeof(err)), -EINVAL);
	assert_int_equal(access(marker, F_OK), 0);
	fd = open(marker, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "/nonexistent/isolat.db\n1 2\n", 27), 27);
	close(fd);
	assert_int_equal(run_marker_settle(journal, "t", NULL, err,
					   sizeof(err)), 0);
	assert_int_equal(access(marker, F_OK), -1);
}

/* The database the marker names was replaced since (another file at the
 * path, or a symlink to one): not opened as root, the marker kept. */
static void settle_refuses_swapped_db(void **state)
{
	char err[512], other[160];
	int64_t id = running_run();

	(void)state;
	assert_int_equal(run_marker_write(journal, db, err, sizeof(err)), 0);
	snprintf(other, sizeof(other), "%s/other.db", dir);
	assert_int_equal(rename(db, other), 0);
	assert_int_equal(symlink(other, db), 0);
	assert_int_equal(run_marker_settle(journal, "t", NULL, err,
					   sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "no longer the database that run wrote"));
	assert_int_equal(access(marker, F_OK), 0);
	/* the same file back in place: settled */
	assert_int_equal(unlink(db), 0);
	assert_int_equal(rename(other, db), 0);
	assert_int_equal(run_marker_settle(journal, "t", NULL, err,
					   sizeof(err)), 0);
	(void)id;
	assert_int_equal(access(marker, F_OK), -1);
	remove(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(settle_marks_aborted),
		cmocka_unit_test(settle_refuses_strangers),
		cmocka_unit_test(settle_refuses_swapped_db),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
