/*
 * workdir.h - a case's work directory, /tmp/isolat-XXXXXXXXXX.
 */
#ifndef ISOLAT_WORKDIR_H
#define ISOLAT_WORKDIR_H

#include <stddef.h>

struct journal;

/* Make it (0700), journaled first in j when root (kind workdir): the
 * name in dir.  0 or -errno with err set. */
int workdir_make(struct journal *j, char *dir, size_t size, char *err,
		 size_t errsz);

/* Remove it and everything in it. */
void workdir_remove(const char *dir);

#endif
