/*
 * xen_undo.h - undoing what the xen backend changed in Xen, from the
 * records it journaled (harness/journal.h: domain, cpupool, dom0pin):
 * after each case, on SIGINT/SIGTERM (the same path), and by `isolat
 * restore` after a crash.  The backend's own cleanup goes through here
 * too, so there is one way back.  Every step is an `xl` execve argv,
 * decided from what Xen has now, so undoing twice changes nothing more.
 */
#ifndef ISOLAT_XEN_UNDO_H
#define ISOLAT_XEN_UNDO_H

#include <stddef.h>

struct journal_rec;

/* A domain or cpupool name the harness made: isolat-[A-Za-z0-9_.-]+,
 * at most 63 characters.  1 or 0. */
int xen_undo_name_ok(const char *name);

/* "Domain-0:V" (a dom0pin record's object): V, or -EINVAL. */
int xen_undo_dom0_vcpu(const char *obj);

#define XEN_UNDO_MAX 200 /* xl calls one record may need */
#define XEN_UNDO_WORDS 6

/* The xl calls that undo a record, each a NULL-free list of words. */
struct xen_undo {
	unsigned n;
	char cmd[XEN_UNDO_MAX][XEN_UNDO_WORDS][64]; /* "" ends a call */
};

/*
 * The xl calls that undo r now, given `xl list` (domains) and `xl
 * cpupool-list -c` (pools) output:
 *   domain   destroy NAME, when it is listed;
 *   cpupool  for each pCPU of the record and of the pool: out of the pool
 *            (when in it) and into Pool-0 (when in no pool), then
 *            cpupool-destroy POOL when it is listed;
 *   dom0pin  vcpu-pin Domain-0 V HARD.
 * 0 (u->n may be 0: nothing left to undo), or -EINVAL for a record that
 * is not a valid Xen record.
 */
int xen_undo_plan(const struct journal_rec *r, const char *domains,
		  const char *pools, struct xen_undo *u);

/*
 * Undo r with xl (xl: its path, or NULL to look for it).  Not a Xen dom0:
 * 0, there is nothing of Xen to undo.  0, or the first negative errno
 * with err (may be NULL) set; every call is tried.
 */
int xen_undo_record(const char *xl, const struct journal_rec *r, char *err,
		    size_t errsz);

#endif
