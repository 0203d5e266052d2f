/*
 * fake_tree.h - a throw-away /proc, /sys, /run tree under /tmp for the
 * tests of code that writes the host (journal, tuning, cpusets, tracefs):
 * they take a root prefix, so nothing real is touched.  Header-only: each
 * test program gets its own copy of the state.
 */
#ifndef ISOLAT_TEST_FAKE_TREE_H
#define ISOLAT_TEST_FAKE_TREE_H

#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_dir.h"

static char root[64], jpath[128];

/* Make root from a mkdtemp template, with /run (a real host has it) and
 * jpath = ROOT/run/isolat/journal. */
static inline int fake_tree_make(const char *templ)
{
	snprintf(root, sizeof(root), "%s", templ);
	if (!mkdtemp(root))
		return -1;
	snprintf(jpath, sizeof(jpath), "%s/run", root);
	mkdir(jpath, 0700);
	snprintf(jpath, sizeof(jpath), "%s/run/isolat/journal", root);
	return 0;
}

static inline void fake_tree_remove(void)
{
	test_dir_rm(root);
}

/* ROOT/rel := v, making the directories on the way. */
static inline void put(const char *rel, const char *v)
{
	char path[512], dir[512], *s;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (s = dir + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(dir, 0700);
		*s = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(v, f);
	fclose(f);
}

/* ROOT/rel's text, or "(absent)". */
static inline const char *get(const char *rel)
{
	static char buf[4096];
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	f = fopen(path, "r");
	if (!f)
		return "(absent)";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static inline int exists(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	return access(path, F_OK) == 0;
}

#endif
