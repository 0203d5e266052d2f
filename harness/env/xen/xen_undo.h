/*
 * xen_undo.h - undoing what the xen backend changed in Xen, from the
 * records it journaled (harness/host/journal.h: domain, cpupool, dom0pin):
 * after each case, on SIGINT/SIGTERM (the same path), and by `isolat
 * restore` after a crash.  The backend's own cleanup goes through here
 * too, so there is one way back.  Every step is an `xl` execve argv,
 * decided from what Xen has now, so undoing twice changes nothing more.
 *
 * The journal records (harness/host/journal.h's format; written by
 * env_xen.c and xen_iso.c, undone here through `xl`, an execve argv):
 *
 *   domain xen NAME - created    (written before `xl create`: undo
 *                                 destroys the domain NAME if it exists)
 *   cpupool xen_cpupool POOL PCPUS created
 *                                (written before the pCPUs leave Pool-0:
 *                                 undo moves PCPUS - and whatever else
 *                                 POOL holds - back into Pool-0, then
 *                                 destroys POOL if it exists)
 *   dom0pin dom0_cpus Domain-0:V HARD NEW
 *                                (written before dom0's vCPU V is
 *                                 pinned: undo pins it back to its hard
 *                                 affinity HARD, "all" or a CPU list)
 *
 * NAME and POOL are isolat-[A-Za-z0-9_.-]+: never someone else's domain
 * or pool.
 *
 * Their struct journal_kind_ops (journal_kind_xen_domain, _cpupool,
 * _dom0pin) are at the end of xen_undo.c.
 */
#ifndef ISOLAT_XEN_UNDO_H
#define ISOLAT_XEN_UNDO_H

#include <stddef.h>

#include "workloads/cpulist.h"

struct journal_rec;

/* A domain or cpupool name the harness made: isolat-[A-Za-z0-9_.-]+,
 * at most 63 characters.  1 or 0. */
int xen_undo_name_ok(const char *name);

/* "Domain-0:V" (a dom0pin record's object): V, or -EINVAL. */
int xen_undo_dom0_vcpu(const char *obj);

/* xl calls one record may need: out of a pool and back into Pool-0 for
 * every pCPU, the pool's and up to 16 probe pools' cpupool-destroy. */
#define XEN_UNDO_MAX (2 * CPULIST_MAX + 20)
#define XEN_UNDO_WORDS 6

/* The xl calls that undo a record, each a list of words (NULL ends a
 * call) pointing into store: a word is as long as the record's field it
 * comes from (a dom0 affinity up to JOURNAL_FIELD_MAX), never cut. */
struct xen_undo {
	unsigned n;
	const char *cmd[XEN_UNDO_MAX][XEN_UNDO_WORDS + 1];
	char store[XEN_UNDO_MAX * 64 + 2 * 4096];
	size_t used;
};

/*
 * The xl calls that undo r now, given `xl list` (domains) and `xl
 * cpupool-list -c` (pools) output:
 *   domain   destroy NAME, when it is listed;
 *   cpupool  for each pCPU of the record and of the pool: out of the pool
 *            (when in it) and into Pool-0 (when in no pool), then
 *            cpupool-destroy POOL when it is listed;
 *   dom0pin  vcpu-pin Domain-0 V HARD.
 * Also: every empty isolat-probe-* pool in pools (the scheduler probe's,
 * left by a crash at plan time) is destroyed along with a cpupool record.
 * 0 (u->n may be 0: nothing left to undo), -EINVAL for a record that is
 * not a valid Xen record, or -ENOSPC when the calls do not fit in u
 * (none is then made: never a cut argument).
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
