/*
 * image_cache.c - see image_cache.h.
 */
#include "harness/env/guest/image_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_ENTRIES 1024

struct entry {
	char name[80];
	time_t mtime;
	unsigned long long size;
};

void image_cache_touch(const char *path)
{
	/* Best effort: a read-only cache still works, it just prunes by
	 * build time instead of use time. */
	utimensat(AT_FDCWD, path, NULL, 0);
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

/* HASH.cpio: an image.  .HASH.XXXXXX: a build's temporary. */
static int is_image(const char *n)
{
	return strlen(n) == 64 + 5 && is_hex(n, 64) && !strcmp(n + 64, ".cpio");
}

static int is_temp(const char *n)
{
	return strlen(n) == 1 + 64 + 7 && n[0] == '.' && is_hex(n + 1, 64) &&
	       n[65] == '.';
}

static int newest_first(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->mtime < y->mtime ? 1 : x->mtime > y->mtime ? -1
	       : strcmp(x->name, y->name);
}

static unsigned remove_at(int dfd, const char *name)
{
	return unlinkat(dfd, name, 0) == 0;
}

unsigned image_cache_prune(const char *dir, const char *in_use,
			   unsigned keep, unsigned long long budget)
{
	const char *use = in_use ? strrchr(in_use, '/') : NULL;
	struct entry *e;
	unsigned n = 0, removed = 0;
	unsigned long long total = 0;
	time_t now = time(NULL);
	struct dirent *d;
	DIR *dp;
	int dfd;

	use = use ? use + 1 : in_use;
	dp = opendir(dir);
	if (!dp)
		return 0;
	e = calloc(MAX_ENTRIES, sizeof(*e));
	if (!e) {
		closedir(dp);
		return 0;
	}
	dfd = dirfd(dp);
	while ((d = readdir(dp)) && n < MAX_ENTRIES) {
		struct stat sb;

		if (fstatat(dfd, d->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if (is_temp(d->d_name)) {
			if (now - sb.st_mtime > 3600)
				removed += remove_at(dfd, d->d_name);
			continue;
		}
		if (!is_image(d->d_name))
			continue;
		memcpy(e[n].name, d->d_name, 64 + 5 + 1); /* is_image: 69 */
		e[n].mtime = sb.st_mtime;
		e[n].size = (unsigned long long)sb.st_size;
		n++;
	}
	qsort(e, n, sizeof(*e), newest_first);
	/* The image in use counts first, whatever its age. */
	for (unsigned i = 0; i < n; i++)
		if (use && !strcmp(e[i].name, use)) {
			total += e[i].size;
			keep = keep ? keep - 1 : 0;
		}
	for (unsigned i = 0; i < n; i++) {
		if (use && !strcmp(e[i].name, use))
			continue;
		if (keep && total + e[i].size <= budget) {
			keep--;
			total += e[i].size;
			continue;
		}
		removed += remove_at(dfd, e[i].name);
	}
	free(e);
	closedir(dp);
	return removed;
}
