/*
 * lxc_journal.c - the LXC backend's journal record kind: "container", a
 * container isolat is about to create (written before liblxc creates it),
 * so that a harness killed with -9 leaves a record `isolat restore` - or
 * the next run - undoes by stopping and destroying exactly that
 * container, with its rootfs, cgroups and RT budget.  Listed in
 * harness/env/journal_kinds.def.
 */
#include "harness/env/lxc/lxc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/host/journal.h"
#include "harness/host/journal_int.h"

/* isolat-PID-cN-HEX (env_lxc.c names its containers so), at most 63
 * characters: never someone else's container. */
static int container_name_ok(const char *name)
{
	const char *s = name;
	size_t n;

	if (!name || strlen(name) > 63 || !journal_has_prefix(s, "isolat-"))
		return 0;
	s += strlen("isolat-");
	if (!(n = strspn(s, "0123456789")) || s[0] == '0' || n > 10 ||
	    strncmp(s + n, "-c", 2))
		return 0;
	s += n + 2;
	if (!(n = strspn(s, "0123456789")) || n > 10 || s[n] != '-')
		return 0;
	s += n + 1;
	n = strspn(s, "0123456789abcdef");
	return n >= 1 && n <= 16 && !s[n];
}

static int container_rec_ok(const struct journal_rec *r, char *why,
			    size_t whysz)
{
	return journal_made_rec_ok(r, "lxc", why, whysz);
}

static int undo_container(const struct journal_rec *r, const char *root)
{
	char dir[600];
	struct stat sb;

	/* A test's fake tree has no containers. */
	if (root[0])
		return JOURNAL_UNDO_GONE;
	snprintf(dir, sizeof(dir), "%s/%s", LXC_ISOLAT_PATH, r->path);
	if (lstat(dir, &sb) < 0)
		return errno == ENOENT ? JOURNAL_UNDO_GONE : -errno;
	lxc_destroy(r->path);
	return lstat(dir, &sb) == 0 ? -EBUSY : 0;
}

static int say_container(const struct journal_rec *r, int rc, char *buf,
			 size_t size)
{
	snprintf(buf, size, "LXC container %s: %s", r->path,
		 rc == 0 ? "stopped and destroyed, with its rootfs, cgroups "
			   "and RT budget" : "already gone");
	return 1;
}

const struct journal_kind_ops journal_kind_lxc_container = {
	.word = "container", .path_ok = container_name_ok,
	.rec_ok = container_rec_ok, .undo = undo_container,
	.say = say_container, .leftover = 1,
};

int lxc_journal_container(struct journal *j, const char *name, char *err,
			  size_t errsz)
{
	return journal_append_kind(j, JOURNAL_CONTAINER, "lxc", name,
				   "absent", "created", err, errsz);
}
