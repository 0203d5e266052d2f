/*
 * xen_iso.c - see xen_iso.h.  Every change follows the same order: the
 * journal record (fsync'd), then the state that xen_iso_undo() needs,
 * then the `xl` call - so a change that was made is always undone, by
 * this process or by `isolat restore`.
 */
#include "harness/env/xen/xen_iso.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/host/journal.h"
#include "harness/env/xen/xen_undo.h"
#include "harness/env/xen/xen_xl.h"

/* xl with literal words; out an array, x->xl and err/errsz in scope. */
#define XLI(out, ...) \
	xen_xl(x->xl, out, sizeof(out), err, errsz, \
	       (const char *const[]){__VA_ARGS__, NULL})

static void fact(struct xen_iso *x, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fact(struct xen_iso *x, const char *key, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (x->fact)
		x->fact(x->fact_ctx, key, buf);
}

/* One record, appended and fsync'd before the change it announces. */
static int journal(struct xen_iso *x, enum journal_kind kind,
		   const char *knob, const char *obj, const char *orig,
		   const char *new_value, char *err, size_t errsz)
{
	struct journal_rec *r;
	int rc;

	if (!x->j)
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	r->kind = kind;
	/* A cut field would undo something else: refuse it. */
	if (strlen(knob) >= sizeof(r->knob) || strlen(obj) >= sizeof(r->path) ||
	    strlen(orig) >= sizeof(r->orig) ||
	    strlen(new_value) >= sizeof(r->new_value)) {
		snprintf(err, errsz, "%s %.100s: too long for a journal record "
			 "(%zu bytes of original value)", knob, obj,
			 strlen(orig));
		free(r);
		return -ENAMETOOLONG;
	}
	snprintf(r->knob, sizeof(r->knob), "%s", knob);
	snprintf(r->path, sizeof(r->path), "%s", obj);
	snprintf(r->orig, sizeof(r->orig), "%s", orig);
	snprintf(r->new_value, sizeof(r->new_value), "%s", new_value);
	rc = journal_append(x->j, r, err, errsz);
	free(r);
	return rc;
}

/* Undo one object now (the same code `isolat restore` runs). */
static int undo(struct xen_iso *x, enum journal_kind kind, const char *obj,
		const char *orig, char *err, size_t errsz)
{
	struct journal_rec *r = calloc(1, sizeof(*r));
	int rc;

	if (!r) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	r->kind = kind;
	if (strlen(obj) >= sizeof(r->path) || strlen(orig) >= sizeof(r->orig)) {
		snprintf(err, errsz, "xen %.100s: too long to undo", obj);
		free(r);
		return -ENAMETOOLONG;
	}
	snprintf(r->knob, sizeof(r->knob), "xen");
	snprintf(r->path, sizeof(r->path), "%s", obj);
	snprintf(r->orig, sizeof(r->orig), "%s", orig);
	rc = xen_undo_record(x->xl, r, err, errsz);
	free(r);
	return rc;
}

void xen_iso_leftovers(struct xen_iso *x)
{
	char names[16][64], err[512], done[1024] = "";
	size_t errsz = sizeof(err);
	int n;

	if (XLI(x->out, "list") == 0) {
		n = xen_names_with_prefix(x->out, XEN_NAME_PREFIX, names, 16);
		for (int i = 0; i < n; i++)
			if (undo(x, JOURNAL_DOMAIN, names[i], "-", err,
				 errsz) == 0)
				snprintf(done + strlen(done),
					 sizeof(done) - strlen(done),
					 "domain %.63s; ", names[i]);
	}
	if (XLI(x->out, "cpupool-list", "-c") == 0) {
		n = xen_names_with_prefix(x->out, XEN_NAME_PREFIX, names, 16);
		/* orig "": every pCPU the pool holds goes back. */
		for (int i = 0; i < n; i++)
			if (undo(x, JOURNAL_CPUPOOL, names[i], "", err,
				 errsz) == 0)
				snprintf(done + strlen(done),
					 sizeof(done) - strlen(done),
					 "cpupool %.63s; ", names[i]);
	}
	if (done[0])
		fact(x, "xen.leftovers_removed", "%s", done);
}

/*
 * dom0's vCPUs from `xl vcpu-list Domain-0` into v[0..XEN_DOM0_VCPUS_MAX),
 * all of them: as many as the VCPUs column of `xl list Domain-0` (listed,
 * the list's own output: may be NULL to ask xl).  How many, or -errno with
 * err set.
 */
static int dom0_vcpus(struct xen_iso *x, const char *listed,
		      struct xen_vcpu *v, char *err, size_t errsz)
{
	char *out = x->vcpu_out;
	int n, want, rc, lines, online = 0;

	if (!listed) {
		rc = XLI(x->list, "list", "Domain-0");
		if (rc < 0)
			return rc;
		listed = x->list;
	}
	want = xen_list_vcpus(listed, "Domain-0");
	if (want < 0) {
		snprintf(err, errsz, "no VCPUs column for Domain-0 in `xl "
			 "list`: %.300s", listed);
		return -EIO;
	}
	if (want >= XEN_DOM0_VCPUS_MAX) {
		snprintf(err, errsz, "dom0 has %d vCPUs: more than isolat "
			 "handles (%d)", want, XEN_DOM0_VCPUS_MAX - 1);
		return -E2BIG;
	}
	rc = xen_xl(x->xl, out, sizeof(x->vcpu_out), err, errsz,
		    (const char *const[]){"vcpu-list", "Domain-0", NULL});
	if (rc < 0)
		return rc;
	n = xen_vcpu_list_parse(out, "Domain-0", v, XEN_DOM0_VCPUS_MAX);
	lines = xen_vcpu_list_lines(out, "Domain-0");
	for (int i = 0; i < n; i++)
		online += v[i].online;
	/* `xl list` counts the online vCPUs; vcpu-list shows offline ones
	 * too ("--p"), which are pinned all the same. */
	if (n != lines || online != want) {
		snprintf(err, errsz, "`xl list` says Domain-0 has %d vCPUs "
			 "online; `xl vcpu-list Domain-0` has %d lines of it, "
			 "%d read (%d online): a line that does not parse? "
			 "%.300s", want, lines, n, online, out);
		return -EIO;
	}
	return n;
}

int xen_iso_dom0_pin(struct xen_iso *x, const char *dom0_cpus, char *err,
		     size_t errsz)
{
	struct xen_vcpu *v;
	struct cpulist to;
	const char *why;
	char list[XEN_AFFINITY_MAX];
	int n, rc;

	if (!strcmp(dom0_cpus, "housekeeping"))
		xen_housekeeping_pcpus(&x->guest, x->nr_pcpus, &to);
	else if (cpulist_parse(dom0_cpus, &to, &why) < 0)
		to.n = 0;
	if (!to.n || cpulist_format(&to, list, sizeof(list)) < 0) {
		snprintf(err, errsz, "dom0_cpus = %s: no pCPU to pin dom0 to",
			 dom0_cpus);
		return -EINVAL;
	}
	if (!x->dom0)
		x->dom0 = calloc(XEN_DOM0_VCPUS_MAX, sizeof(*x->dom0));
	v = calloc(XEN_DOM0_VCPUS_MAX, sizeof(*v));
	if (!x->dom0 || !v) {
		free(v);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	n = dom0_vcpus(x, NULL, v, err, errsz);
	if (n == 0) {
		snprintf(err, errsz, "dom0_cpus: no Domain-0 vCPU in `xl "
			 "vcpu-list Domain-0`");
		n = -EIO;
	}
	for (int i = 0; n > 0 && i < n; i++) {
		char obj[32], vcpu[16];

		snprintf(obj, sizeof(obj), "Domain-0:%u", v[i].vcpu);
		snprintf(vcpu, sizeof(vcpu), "%u", v[i].vcpu);
		rc = journal(x, JOURNAL_DOM0PIN, "dom0_cpus", obj, v[i].hard,
			     list, err, errsz);
		if (rc < 0) {
			free(v);
			return rc;
		}
		x->dom0[x->ndom0++] = v[i];
		rc = XLI(x->out, "vcpu-pin", "Domain-0", vcpu, list);
		if (rc < 0) {
			free(v);
			return rc;
		}
	}
	free(v);
	if (n < 0)
		return n;
	fact(x, "xen.dom0_cpus", "%s (dom0's %d vCPU%s hard-pinned)", list,
	     n, n == 1 ? "" : "s");
	return 0;
}

int xen_iso_pool(struct xen_iso *x, const char *pool, const char *sched,
		 char *err, size_t errsz)
{
	char out[2048], cpus[XEN_AFFINITY_MAX], num[16];
	/* cpus=["N",...]: up to 8 bytes a pCPU */
	size_t argsz = 16 + 8 * (size_t)x->guest.n;
	char *arg;
	int rc;

	if (!xen_undo_name_ok(pool)) {
		snprintf(err, errsz, "cpupool %s: bad name", pool);
		return -EINVAL;
	}
	if (cpulist_format(&x->guest, cpus, sizeof(cpus)) < 0) {
		snprintf(err, errsz, "cpupool %s: the guest's %u pCPUs do not "
			 "fit in a CPU list", pool, x->guest.n);
		return -ENOSPC;
	}
	arg = malloc(argsz);
	if (!arg) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	if (xen_pool_cpus_arg(&x->guest, arg, argsz) < 0) {
		snprintf(err, errsz, "cpupool %s: cpus=[...] for %u pCPUs "
			 "does not fit", pool, x->guest.n);
		free(arg);
		return -ENOSPC;
	}
	rc = journal(x, JOURNAL_CPUPOOL, "xen_cpupool", pool, cpus, "created",
		     err, errsz);
	if (rc < 0) {
		free(arg);
		return rc;
	}
	snprintf(x->pool, sizeof(x->pool), "%s", pool);
	for (unsigned i = 0; i < x->guest.n; i++) {
		snprintf(num, sizeof(num), "%u", x->guest.cpu[i]);
		rc = XLI(out, "cpupool-cpu-remove", "Pool-0", num);
		if (rc < 0) {
			free(arg);
			return rc;
		}
	}
	{
		char name[100], schedarg[40];

		snprintf(name, sizeof(name), "name=\"%s\"", pool);
		snprintf(schedarg, sizeof(schedarg), "sched=\"%s\"", sched);
		rc = XLI(out, "cpupool-create", name, schedarg, arg);
	}
	if (rc == 0) /* pCPUs as xl was given them: "2","3" */
		fact(x, "xen.cpupool", "%s sched=%s pCPUs %.*s", pool, sched,
		     (int)(strlen(arg) - strlen("cpus=[]")),
		     arg + strlen("cpus=["));
	free(arg);
	if (rc < 0) {
		/* Debian's Xen, for one, builds only credit and credit2. */
		if (strcmp(sched, "credit") && strcmp(sched, "credit2"))
			snprintf(err + strlen(err), errsz - strlen(err),
				 "; is the %s scheduler built into this Xen "
				 "(CONFIG_SCHED_%s, needs CONFIG_UNSUPPORTED)?",
				 sched, strcmp(sched, "rtds") ? "NULL" : "RTDS");
		return rc;
	}
	return 0;
}

int xen_iso_domain(struct xen_iso *x, const char *name, char *err,
		   size_t errsz)
{
	int rc = journal(x, JOURNAL_DOMAIN, "xen", name, "-", "created", err,
			 errsz);

	if (rc == 0)
		snprintf(x->domain, sizeof(x->domain), "%s", name);
	return rc;
}

int xen_iso_check_dom0(struct xen_iso *x, int isolated, char *err,
		       size_t errsz)
{
	struct xen_vcpu *v = calloc(XEN_DOM0_VCPUS_MAX, sizeof(*v));
	struct cpulist pool_cpus, overlap;
	char pool[64] = "Pool-0", guest[1024], shared[1024];
	int n, rc;

	if (!v) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	/* VCPUs and Cpupool columns: the count to read, and the pool. */
	rc = XLI(x->out, "list", "-c", "Domain-0");
	n = rc < 0 ? rc : dom0_vcpus(x, x->out, v, err, errsz);
	if (n < 0) {
		/* One vCPU not read could be the one on the guest's pCPUs:
		 * fail, never record "no". */
		fact(x, "xen.dom0_shares_pcpus", "unknown: %s", err);
		free(v);
		return n;
	}
	if (rc == 0)
		xen_list_pool(x->out, "Domain-0", pool, sizeof(pool));
	if (x->fact) /* whole: fact() would cut it */
		x->fact(x->fact_ctx, "xen.dom0_vcpus", x->vcpu_out);
	for (int i = 0; i < n; i++) {
		char key[64];

		snprintf(key, sizeof(key), "xen.dom0.vcpu.%u.pcpu", v[i].vcpu);
		if (v[i].pcpu >= 0)
			fact(x, key, "%d", v[i].pcpu);
		else
			fact(x, key, "-");
		snprintf(key, sizeof(key), "xen.dom0.vcpu.%u.affinity",
			 v[i].vcpu);
		fact(x, key, "hard %s / soft %s", v[i].hard, v[i].soft);
	}
	/* Xen intersects a vCPU's hard affinity with its pool's pCPUs. */
	rc = XLI(x->out, "cpupool-list", "-c");
	if (rc == 0)
		rc = xen_pool_cpus(x->out, pool, &pool_cpus);
	if (rc < 0 || n <= 0) {
		snprintf(err, errsz, "cannot tell where dom0's vCPUs may run "
			 "(%d vCPUs read, pool %s: %s)", n, pool,
			 rc < 0 ? strerror(-rc) : "ok");
		fact(x, "xen.dom0_shares_pcpus", "unknown: %s", err);
		free(v);
		return isolated ? -EIO : 0;
	}
	cpulist_format(&pool_cpus, shared, sizeof(shared));
	fact(x, "xen.dom0.pool", "%s (pCPUs %s)", pool, shared);
	cpulist_format(&x->guest, guest, sizeof(guest));
	xen_dom0_overlap(v, n, &pool_cpus, x->nr_pcpus, &x->guest, &overlap);
	free(v);
	if (!overlap.n) {
		fact(x, "xen.dom0_shares_pcpus", "no: no dom0 vCPU may run on "
		     "the guest's pCPUs %s", guest);
		return 0;
	}
	cpulist_format(&overlap, shared, sizeof(shared));
	if (isolated) {
		snprintf(err, errsz, "dom0 isolation violated: a dom0 vCPU may "
			 "still run on the guest's pCPUs %s (dom0 in %s; see "
			 "fact xen.dom0_vcpus)", shared, pool);
		fact(x, "xen.dom0_shares_pcpus", "yes: pCPUs %s", shared);
		return -EPERM;
	}
	fact(x, "xen.dom0_shares_pcpus", "yes: pCPUs %s", shared);
	fact(x, "xen.warning", "dom0 may run on the guest's pCPUs %s (no "
	     "cpupool, no dom0_cpus): its activity lands in the "
	     "measurement", shared);
	return 0;
}

void xen_iso_undo(struct xen_iso *x)
{
	char err[512];

	if (x->domain[0] &&
	    undo(x, JOURNAL_DOMAIN, x->domain, "-", err, sizeof(err)) < 0)
		fact(x, "xen.undo_error", "%s", err);
	x->domain[0] = '\0';
	if (x->pool[0]) {
		char cpus[XEN_AFFINITY_MAX];

		cpulist_format(&x->guest, cpus, sizeof(cpus));
		if (undo(x, JOURNAL_CPUPOOL, x->pool, cpus, err,
			 sizeof(err)) < 0)
			fact(x, "xen.undo_error", "%s", err);
	}
	x->pool[0] = '\0';
	while (x->ndom0 > 0) {
		struct xen_vcpu *v = &x->dom0[--x->ndom0];
		char obj[32];

		snprintf(obj, sizeof(obj), "Domain-0:%u", v->vcpu);
		if (undo(x, JOURNAL_DOM0PIN, obj, v->hard, err,
			 sizeof(err)) < 0)
			fact(x, "xen.undo_error", "%s", err);
	}
	free(x->dom0);
	x->dom0 = NULL;
}

int xen_iso_sched_available(const char *xl, const char *sched, char *why,
			    size_t whysz)
{
	char out[2048], err[512], pool[64], name[100], arg[40];
	size_t errsz = sizeof(err);
	/* only its xl (undo, XLI): on the heap for its buffers' sake */
	struct xen_iso *x = calloc(1, sizeof(*x));
	const char *said;
	int rc;

	if (!x) {
		snprintf(why, whysz, "out of memory");
		return -ENOMEM;
	}
	x->xl = xl;
	snprintf(pool, sizeof(pool), XEN_NAME_PREFIX "probe-%s", sched);
	snprintf(name, sizeof(name), "name=\"%s\"", pool);
	snprintf(arg, sizeof(arg), "sched=\"%s\"", sched);
	/* A crashed probe's pool would make this one fail: away with it
	 * (ours by its name; any pCPU in it back to Pool-0). */
	if (xen_undo_name_ok(pool))
		undo(x, JOURNAL_CPUPOOL, pool, "", err, errsz);
	/* An empty pool: no pCPU moves, nothing else is disturbed. */
	rc = XLI(out, "cpupool-create", name, arg, "cpus=[]");
	if (rc == 0) {
		XLI(out, "cpupool-destroy", pool);
		free(x);
		return 0;
	}
	free(x);
	/* xl's own words, without the command line (see xen_xl()). */
	said = strstr(err, ": failed: ");
	snprintf(why, whysz, "xen_sched = %s: this Xen has no %s scheduler "
		 "(CONFIG_SCHED_%s; Debian's Xen builds only credit and "
		 "credit2): xl: %.80s", sched, sched,
		 strcmp(sched, "rtds") ? strcmp(sched, "null") ? "CREDIT"
				       : "NULL" : "RTDS",
		 said ? said + strlen(": failed: ") : err);
	return -EOPNOTSUPP;
}
