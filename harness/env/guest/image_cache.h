/*
 * image_cache.h - keep the guest image cache bounded.
 *
 * Images are named by the hash of their inputs, so every rebuild of
 * isolat-wl, a new guest kernel or a new set of programs (an inside load
 * adds stress-ng and its libraries: ~35 MB) adds a file and none is ever
 * reused again.  On a lab board running nightly that grows without end.
 * The cache therefore keeps the most recently used images (use touches an
 * image's mtime) within a count and a size budget, and removes the rest,
 * along with temporaries left by an interrupted build.
 */
#ifndef ISOLAT_IMAGE_CACHE_H
#define ISOLAT_IMAGE_CACHE_H

#include <stddef.h>
#include <time.h>

#define IMAGE_CACHE_KEEP 12                        /* images */
#define IMAGE_CACHE_BUDGET (512ull * 1024 * 1024)  /* bytes */

/* Mark path as just used (its mtime), so pruning keeps it longest. */
void image_cache_touch(const char *path);

/*
 * Remove the least recently used images of dir beyond keep files or budget
 * bytes, never in_use (the image a case is about to use), and temporaries
 * (".HASH.XXXXXX") older than an hour (a build still writing one is not
 * disturbed).  Only names isolat gives its images are considered.
 * Returns the number of files removed.
 */
unsigned image_cache_prune(const char *dir, const char *in_use,
			   unsigned keep, unsigned long long budget);

#endif
