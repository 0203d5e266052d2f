/*
 * test_dir.h - removing a test's scratch directory, in-process (nftw, no
 * rm child), for every test program that makes one.
 */
#ifndef ISOLAT_TEST_DIR_H
#define ISOLAT_TEST_DIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static inline int test_dir_rm_cb(const char *p, const struct stat *sb,
				 int fl, struct FTW *w)
{
	(void)sb;
	(void)fl;
	(void)w;
	return remove(p);
}

/* rm -r dir (no symlink followed). */
static inline void test_dir_rm(const char *dir)
{
	nftw(dir, test_dir_rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

/* The same, unless ISOLAT_KEEP_TEST_OUTPUT asks to keep it for a look. */
static inline void test_dir_done(const char *dir)
{
	if (getenv("ISOLAT_KEEP_TEST_OUTPUT")) {
		fprintf(stderr, "test output kept in %s\n", dir);
		return;
	}
	test_dir_rm(dir);
}

#endif
