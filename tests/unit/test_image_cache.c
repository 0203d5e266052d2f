/*
 * test_image_cache.c - the guest image cache keeps the most recently used
 * images within its count and size budget and removes nothing else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/env/guest/image_cache.h"

static char dir[64];

static void name_of(char c, char *buf, size_t size)
{
	char hash[65];

	memset(hash, c, 64);
	hash[64] = '\0';
	snprintf(buf, size, "%s/%s.cpio", dir, hash);
}

/* A file of size bytes, last modified age seconds ago. */
static void put(const char *path, size_t size, time_t age)
{
	struct timespec ts[2];
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (size_t i = 0; i < size; i++)
		fputc('x', f);
	fclose(f);
	ts[0].tv_sec = ts[1].tv_sec = time(NULL) - age;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/isolat-imgcache.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	DIR *dp = opendir(dir);
	struct dirent *d;

	(void)state;
	while (dp && (d = readdir(dp)))
		if (d->d_name[0] != '.' || d->d_name[1] > '.')
			unlinkat(dirfd(dp), d->d_name, 0);
	if (dp)
		closedir(dp);
	return rmdir(dir);
}

static void test_keep_count(void **state)
{
	char a[160], b[160], c[160], d[160], other[160];

	(void)state;
	name_of('a', a, sizeof(a));
	name_of('b', b, sizeof(b));
	name_of('c', c, sizeof(c));
	name_of('d', d, sizeof(d));
	put(a, 10, 400);  /* oldest */
	put(b, 10, 300);
	put(c, 10, 200);
	put(d, 10, 100);  /* newest */
	snprintf(other, sizeof(other), "%s/notes.txt", dir);
	put(other, 10, 9999);
	/* Keep 2: the one in use (the oldest here) and the newest. */
	assert_int_equal(image_cache_prune(dir, a, 2, 1 << 20), 2);
	assert_true(exists(a));
	assert_true(exists(d));
	assert_false(exists(b));
	assert_false(exists(c));
	assert_true(exists(other)); /* not an image name: never touched */
	/* Nothing more to do. */
	assert_int_equal(image_cache_prune(dir, a, 2, 1 << 20), 0);
}

static void test_budget_and_touch(void **state)
{
	char a[160], b[160], c[160];

	(void)state;
	name_of('a', a, sizeof(a));
	name_of('b', b, sizeof(b));
	name_of('c', c, sizeof(c));
	put(a, 100, 300);
	put(b, 100, 200);
	put(c, 100, 100);
	/* Using a makes it the most recent: b goes first. */
	image_cache_touch(a);
	assert_int_equal(image_cache_prune(dir, c, 10, 250), 1);
	assert_true(exists(a));
	assert_false(exists(b));
	assert_true(exists(c));
}

static void test_temporaries(void **state)
{
	char old[200], fresh[200], hash[65];

	(void)state;
	memset(hash, 'e', 64);
	hash[64] = '\0';
	snprintf(old, sizeof(old), "%s/.%s.Ab12Cd", dir, hash);
	memset(hash, 'f', 64);
	snprintf(fresh, sizeof(fresh), "%s/.%s.Zz99Yy", dir, hash);
	put(old, 5, 7200); /* an interrupted build, long ago */
	put(fresh, 5, 10); /* a build writing right now */
	assert_int_equal(image_cache_prune(dir, NULL, 12, 1 << 20), 1);
	assert_false(exists(old));
	assert_true(exists(fresh));
	/* A missing cache is not an error. */
	assert_int_equal(image_cache_prune("/nonexistent/isolat", NULL, 1, 1),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keep_count, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_budget_and_touch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_temporaries, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
