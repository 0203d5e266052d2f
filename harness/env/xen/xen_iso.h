/*
 * xen_iso.h - the Xen side of an isolation profile, for one case of the
 * xen backend (harness/env/xen/env_xen.c): dom0's vCPUs pinned away (dom0_cpus),
 * a cpupool of the guest's own (xen_cpupool, xen_sched), the domain
 * itself, and the check of where dom0's vCPUs may run.  Every change is
 * journaled (harness/host/journal.h: dom0pin, cpupool, domain records) before
 * it is made, and undone by xen_iso_undo() - or, after a crash, by
 * `isolat restore` - through harness/env/xen/xen_undo.c.  What was applied and
 * seen becomes xen.* facts of the case.
 */
#ifndef ISOLAT_XEN_ISO_H
#define ISOLAT_XEN_ISO_H

#include <stddef.h>

#include "harness/env/xen/xen_cmd.h"
#include "harness/util.h"

struct journal;

#define XEN_DOM0_VCPUS_MAX 64

struct xen_iso {
	/* Set by the caller. */
	const char *xl;            /* xl's absolute path */
	struct journal *j;         /* NULL: nothing is journaled */
	fact_fn fact;
	void *fact_ctx;
	unsigned nr_pcpus;
	struct cpulist guest;      /* the guest's pCPUs (xen_guest_pcpus) */

	/* What was changed (journaled first), for xen_iso_undo(). */
	char pool[64];             /* "" none */
	char domain[64];           /* "" none */
	int ndom0;                 /* dom0 vCPUs re-pinned */
	struct xen_vcpu *dom0;     /* their affinity before (malloc'd, freed
				    * by xen_iso_undo) */

	/* xl's output, per case (no process-wide buffers): */
	char out[16384];           /* the listing a call is reading */
	char list[4096];           /* `xl list Domain-0` (dom0_vcpus) */
	char vcpu_out[65536];      /* the last `xl vcpu-list Domain-0` */
};

/* Destroy isolat-* domains and cpupools a crashed run left (pCPUs back
 * into Pool-0); fact xen.leftovers_removed. */
void xen_iso_leftovers(struct xen_iso *x);

/* dom0_cpus: hard-pin every dom0 vCPU to those pCPUs ("housekeeping":
 * the ones the guest does not use).  Every vCPU `xl list` counts for
 * Domain-0 must be read from `xl vcpu-list`, else nothing is pinned.
 * 0 or -errno with err set. */
int xen_iso_dom0_pin(struct xen_iso *x, const char *dom0_cpus, char *err,
		     size_t errsz);

/* The guest's pCPUs out of Pool-0 into cpupool `pool` running sched.
 * 0 or -errno with err set. */
int xen_iso_pool(struct xen_iso *x, const char *pool, const char *sched,
		 char *err, size_t errsz);

/* Journal the domain `name` about to be created (call right before `xl
 * create`).  0 or -errno with err set. */
int xen_iso_domain(struct xen_iso *x, const char *name, char *err,
		   size_t errsz);

/*
 * Where dom0's vCPUs are and may run (facts xen.dom0.*), checked against
 * the guest's pCPUs: when isolated (a cpupool, or dom0_cpus) a dom0 vCPU
 * that may still run there fails the case (-EPERM with err set); fewer
 * or more vCPUs read from `xl vcpu-list` than `xl list` counts for
 * Domain-0 fail it too (-EIO: the check would miss one);
 * otherwise sharing is recorded (xen.dom0_shares_pcpus) and warned about
 * (xen.warning).  0 or -errno.
 */
int xen_iso_check_dom0(struct xen_iso *x, int isolated, char *err,
		       size_t errsz);

/* Undo it all, newest first: the domain, the pool, dom0's pinning.
 * Idempotent; failures become facts xen.undo_error. */
void xen_iso_undo(struct xen_iso *x);

/*
 * Is scheduler sched built into this Xen?  Tried with an empty cpupool
 * isolat-probe-SCHED, destroyed at once.  A crash in between leaves that
 * pool, unjournaled: the next probe destroys it before its own try, the
 * next case's xen_iso_leftovers() removes it (an isolat-* pool), and so
 * does undoing any cpupool record (`isolat restore`, xen_undo_plan).
 * 0, or -EOPNOTSUPP with why set (a failed try says why too).
 */
int xen_iso_sched_available(const char *xl, const char *sched, char *why,
			    size_t whysz);

#endif
