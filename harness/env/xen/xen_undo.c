/*
 * xen_undo.c - see xen_undo.h.
 */
#include "harness/env/xen/xen_undo.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/host/journal.h"
#include "harness/env/xen/xen_cmd.h"
#include "harness/env/xen/xen_xl.h"

int xen_undo_name_ok(const char *name)
{
	size_t plen = strlen(XEN_NAME_PREFIX), len;

	if (!name || strncmp(name, XEN_NAME_PREFIX, plen))
		return 0;
	len = strlen(name);
	if (len == plen || len > 63)
		return 0;
	for (const char *s = name + plen; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return 0;
	return 1;
}

int xen_undo_dom0_vcpu(const char *obj)
{
	const char *v = obj && !strncmp(obj, "Domain-0:", 9) ? obj + 9 : NULL;
	size_t n = v ? strlen(v) : 0;

	if (!n || n > 4 || strspn(v, "0123456789") != n)
		return -EINVAL;
	return atoi(v);
}

/* One call of words w0.. (NULL ends them): each copied whole into
 * u->store.  0, or -ENOSPC (u is then marked full: u->used past store). */
static int add(struct xen_undo *u, const char *w0, const char *w1,
	       const char *w2, const char *w3)
{
	const char *w[] = {w0, w1, w2, w3};
	size_t used = u->used;

	if (u->n >= XEN_UNDO_MAX || used > sizeof(u->store))
		goto full;
	for (int i = 0; i < 4 && w[i]; i++) {
		size_t len = strlen(w[i]);

		if (len + 1 > sizeof(u->store) - used)
			goto full;
		memcpy(u->store + used, w[i], len + 1);
		u->cmd[u->n][i] = u->store + used;
		u->cmd[u->n][i + 1] = NULL;
		used += len + 1;
	}
	u->used = used;
	u->n++;
	return 0;
full:
	u->used = sizeof(u->store) + 1;
	return -ENOSPC;
}

/* pCPU c back from pool into Pool-0, as far as it is not there yet. */
static void undo_cpu(struct xen_undo *u, const char *pool, unsigned c,
		     const struct cpulist *in_pool,
		     const struct cpulist *pooled)
{
	char num[16];

	snprintf(num, sizeof(num), "%u", c);
	if (cpulist_contains(in_pool, c))
		add(u, "cpupool-cpu-remove", pool, num, NULL);
	/* In another pool (not one we made): it stays there. */
	if (cpulist_contains(in_pool, c) || !cpulist_contains(pooled, c))
		add(u, "cpupool-cpu-add", "Pool-0", num, NULL);
}

/* Empty isolat-probe-* pools (xen_iso_sched_available's, which a crash
 * at plan time leaves unjournaled): destroyed, but not `self`. */
static void probe_pools(struct xen_undo *u, const char *pools,
			const char *self)
{
	static const char prefix[] = XEN_NAME_PREFIX "probe-";
	char names[16][64];
	struct cpulist *cl = malloc(sizeof(*cl));
	int n = xen_names_with_prefix(pools, prefix, names, 16);

	for (int i = 0; cl && i < n; i++)
		if (strcmp(names[i], self) && xen_undo_name_ok(names[i]) &&
		    xen_pool_cpus(pools, names[i], cl) == 0 && !cl->n)
			add(u, "cpupool-destroy", names[i], NULL, NULL);
	free(cl);
}

static int plan_cpupool(const struct journal_rec *r, const char *pools,
			struct xen_undo *u)
{
	struct cpulist *mine = calloc(3, sizeof(*mine)), *in_pool = mine + 1,
		       *pooled = mine + 2;
	const char *why;
	int exists, rc = 0;

	if (!mine)
		return -ENOMEM;
	if (cpulist_parse(r->orig, mine, &why) < 0) {
		rc = -EINVAL;
		goto out;
	}
	exists = xen_pool_cpus(pools, r->path, in_pool) != -ENOENT;
	xen_pooled_cpus(pools, pooled);
	for (unsigned i = 0; i < mine->n; i++)
		undo_cpu(u, r->path, mine->cpu[i], in_pool, pooled);
	/* Whatever else an isolat pool holds was moved there by us too. */
	for (unsigned i = 0; i < in_pool->n; i++)
		if (!cpulist_contains(mine, in_pool->cpu[i]))
			undo_cpu(u, r->path, in_pool->cpu[i], in_pool, pooled);
	if (exists)
		add(u, "cpupool-destroy", r->path, NULL, NULL);
	probe_pools(u, pools, r->path);
out:
	free(mine);
	return rc;
}

static int plan(const struct journal_rec *r, const char *domains,
		const char *pools, struct xen_undo *u);

int xen_undo_plan(const struct journal_rec *r, const char *domains,
		  const char *pools, struct xen_undo *u)
{
	int rc;

	u->n = 0;
	u->used = 0;
	rc = plan(r, domains, pools, u);
	if (rc == 0 && u->used > sizeof(u->store))
		rc = -ENOSPC;
	if (rc < 0)
		u->n = 0;
	return rc;
}

static int plan(const struct journal_rec *r, const char *domains,
		const char *pools, struct xen_undo *u)
{
	struct cpulist *aff;
	const char *why;
	char vcpu[16];
	int v, rc;

	switch (r->kind) {
	case JOURNAL_DOMAIN:
		if (!xen_undo_name_ok(r->path))
			return -EINVAL;
		if (xen_list_has(domains, r->path))
			add(u, "destroy", r->path, NULL, NULL);
		return 0;
	case JOURNAL_CPUPOOL:
		if (!xen_undo_name_ok(r->path))
			return -EINVAL;
		return plan_cpupool(r, pools, u);
	case JOURNAL_DOM0PIN:
		v = xen_undo_dom0_vcpu(r->path);
		aff = malloc(sizeof(*aff));
		rc = v < 0 || !aff ? -EINVAL
		     : strcmp(r->orig, "all") &&
		       cpulist_parse(r->orig, aff, &why) < 0 ? -EINVAL : 0;
		free(aff);
		if (rc < 0)
			return rc;
		/* The affinity whole, or no call at all. */
		if (strnlen(r->orig, sizeof(r->orig)) >= sizeof(r->orig))
			return -EINVAL;
		snprintf(vcpu, sizeof(vcpu), "%d", v);
		return add(u, "vcpu-pin", "Domain-0", vcpu, r->orig);
	default:
		return -EINVAL;
	}
}

int xen_undo_record(const char *xl, const struct journal_rec *r, char *err,
		    size_t errsz)
{
	static char domains[16384], pools[16384], out[4096];
	struct xen_undo *u = NULL;
	char xlpath[1024], e[512];
	int rc, first = 0;

	if (access("/proc/xen/privcmd", F_OK) < 0 &&
	    access("/dev/xen/privcmd", F_OK) < 0)
		return 0;
	if (!xl) {
		if (xen_find_xl(xlpath, sizeof(xlpath)) < 0) {
			if (err)
				snprintf(err, errsz, "no xl to undo %s %s",
					 r->knob, r->path);
			return -ENOENT;
		}
		xl = xlpath;
	}
	domains[0] = pools[0] = '\0';
	if (r->kind == JOURNAL_DOMAIN &&
	    (rc = xen_xl(xl, domains, sizeof(domains), e, sizeof(e),
			 (const char *const[]){"list", NULL})) < 0)
		goto fail;
	if (r->kind == JOURNAL_CPUPOOL &&
	    (rc = xen_xl(xl, pools, sizeof(pools), e, sizeof(e),
			 (const char *const[]){"cpupool-list", "-c",
					       NULL})) < 0)
		goto fail;
	u = malloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	rc = xen_undo_plan(r, domains, pools, u);
	if (rc < 0) {
		snprintf(e, sizeof(e), rc == -ENOSPC
			 ? "%.100s %.300s: the xl calls to undo it do not fit"
			 : "%.100s %.300s: not a Xen record isolat makes",
			 r->knob, r->path);
		goto fail;
	}
	for (unsigned i = 0; i < u->n; i++) {
		rc = xen_xl(xl, out, sizeof(out), e, sizeof(e), u->cmd[i]);
		if (rc < 0 && !first) {
			first = rc;
			if (err)
				snprintf(err, errsz, "%s", e);
		}
	}
	free(u);
	return first;
fail:
	free(u);
	if (err)
		snprintf(err, errsz, "%s", e);
	return rc;
}

/* The journal's Xen record kinds (harness/env/journal_kinds.def). */
static int domain_path_ok(const char *path)
{
	return xen_undo_name_ok(path);
}

static int dom0pin_path_ok(const char *path)
{
	return xen_undo_dom0_vcpu(path) >= 0;
}

/* Xen's state is not under root: a fake tree (tests) has no Xen to
 * undo. */
static int undo(const struct journal_rec *r, const char *root)
{
	return root[0] ? 0 : xen_undo_record(NULL, r, NULL, 0);
}

static int say(const struct journal_rec *r, int rc, char *buf, size_t size)
{
	if (rc != 0)
		return 0;
	if (r->kind == JOURNAL_DOMAIN)
		snprintf(buf, size, "Xen domain %s: gone (destroyed if it was "
			 "still there)", r->path);
	else if (r->kind == JOURNAL_CPUPOOL)
		snprintf(buf, size, "Xen cpupool %s: pCPUs %s back in Pool-0, "
			 "pool gone", r->path, r->orig);
	else
		snprintf(buf, size, "Xen %s: hard affinity back to %s",
			 r->path, r->orig);
	return 1;
}

const struct journal_kind_ops journal_kind_xen_domain = {
	.word = "domain", .path_ok = domain_path_ok, .undo = undo, .say = say,
};

const struct journal_kind_ops journal_kind_xen_cpupool = {
	.word = "cpupool", .path_ok = domain_path_ok, .undo = undo, .say = say,
};

const struct journal_kind_ops journal_kind_xen_dom0pin = {
	.word = "dom0pin", .path_ok = dom0pin_path_ok, .undo = undo,
	.say = say,
};
