/*
 * xen_cmd.c - see xen_cmd.h.
 *
 * The domain config written per case (WORKDIR/domain.cfg):
 *
 *   name = "isolat-case-N"        type = "pv" | "pvh"
 *   kernel = "..."  ramdisk = "WORKDIR/initrd"  extra = "console=hvc0 ..."
 *   memory = MB  maxmem = MB  vcpus = N  [pool = "isolat-pool-N"]
 *   on_poweroff/on_reboot/on_crash = "destroy"
 *   [tsc_mode = "native"]                      pvh only
 *
 * tsc_mode="native" for PVH: a TSC intercept makes Xen emulate RDTSCP,
 * which fails on QEMU TCG's SVM (no NRIP-save) and crashes the domain
 * (shared/xen-under-tcg/RECIPE.md section 6); on real hardware native is
 * also what an RT guest wants (no trap per clock read).
 */
#include "harness/env/xen/xen_cmd.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/env/guest/guest.h"
#include "harness/host/tuning.h"

int xen_argv_init(struct xen_argv *a, const char *xl)
{
	memset(a, 0, sizeof(*a));
	if (!xl || xl[0] != '/')
		return -EINVAL;
	return xen_argv_add(a, "%s", xl);
}

int xen_argv_add(struct xen_argv *a, const char *fmt, ...)
{
	size_t room = sizeof(a->store) - a->used;
	char *dst = a->store + a->used;
	va_list ap;
	int n;

	if (a->n >= XEN_ARGV_MAX - 1)
		return -ENOSPC;
	va_start(ap, fmt);
	n = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return -ENOSPC;
	for (int i = 0; i < n; i++)
		if (iscntrl((unsigned char)dst[i]))
			return -EINVAL;
	a->argv[a->n++] = dst;
	a->argv[a->n] = NULL;
	a->used += (size_t)n + 1;
	return 0;
}

/* A value that can stand between double quotes in an xl config. */
static int quotable(const char *v)
{
	if (!v)
		return 0;
	for (; *v; v++)
		if (*v == '"' || *v == '\\' || iscntrl((unsigned char)*v))
			return 0;
	return 1;
}

int xen_domcfg_format(const struct xen_domcfg *c, char *buf, size_t size)
{
	int pvh, n;

	if (!quotable(c->name) || !quotable(c->kernel) ||
	    !quotable(c->ramdisk) || !quotable(c->extra) ||
	    (c->pool && !quotable(c->pool)) || !c->vcpus || !c->memory_mb)
		return -EINVAL;
	if (strcmp(c->type, "pv") && strcmp(c->type, "pvh"))
		return -EINVAL;
	pvh = !strcmp(c->type, "pvh");
	n = snprintf(buf, size,
		     "# written by isolat (harness/env/xen/env_xen.c) for one case\n"
		     "name = \"%s\"\n"
		     "type = \"%s\"\n"
		     "kernel = \"%s\"\n"
		     "ramdisk = \"%s\"\n"
		     "extra = \"%s\"\n"
		     "memory = %u\n"
		     "maxmem = %u\n"
		     "vcpus = %u\n"
		     "%s%s%s"
		     "on_poweroff = \"destroy\"\n"
		     "on_reboot = \"destroy\"\n"
		     "on_crash = \"destroy\"\n"
		     "%s",
		     c->name, c->type, c->kernel, c->ramdisk, c->extra,
		     c->memory_mb, c->memory_mb, c->vcpus,
		     c->pool ? "pool = \"" : "", c->pool ? c->pool : "",
		     c->pool ? "\"\n" : "",
		     pvh ? "tsc_mode = \"native\"\n" : "");
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

int xen_guest_cmdline(const struct scn_params *p,
		      const struct scn_profile *prof, char *buf, size_t size)
{
	/* hvc0 is the PV console, which also carries the samples (the wire
	 * format resyncs over console text); isolat.channel tells the
	 * guest's PID 1 so (workloads/wl_guest.c).  quiet keeps the kernel
	 * off it after boot. */
	return guest_cmdline("console=" XEN_CHANNEL_DEV " quiet isolat.channel="
			     XEN_CHANNEL_DEV, p, prof, buf, size);
}

unsigned xen_vcpu_pcpu(const struct scn_params *p, unsigned v,
		       unsigned nr_pcpus)
{
	if (p->vcpu_pin.n)
		return p->vcpu_pin.cpu[v % p->vcpu_pin.n];
	if (v < nr_pcpus || !nr_pcpus)
		return v;
	return nr_pcpus - 1;
}

int xen_info_get(const char *info, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);

	for (const char *l = info; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);

		if (len > klen && !strncmp(l, key, klen) &&
		    (l[klen] == ' ' || l[klen] == ':')) {
			const char *v = l + klen;
			size_t vlen;

			while (v < l + len && (*v == ' ' || *v == ':'))
				v++;
			vlen = (size_t)(l + len - v);
			while (vlen && isspace((unsigned char)v[vlen - 1]))
				vlen--;
			if (vlen >= size)
				vlen = size - 1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return 0;
		}
		l = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

int xen_names_with_prefix(const char *text, const char *prefix,
			  char names[][64], int max)
{
	size_t plen = strlen(prefix);
	int n = 0;

	for (const char *l = text; l && *l && n < max;) {
		const char *nl = strchr(l, '\n');
		size_t len = strcspn(l, " \t\n");

		if (len > plen && len < 64 && !strncmp(l, prefix, plen)) {
			memcpy(names[n], l, len);
			names[n++][len] = '\0';
		}
		l = nl ? nl + 1 : NULL;
	}
	return n;
}

int xen_host_emulated(const char *cpuinfo, const char *dmi_vendor)
{
	const char *m = cpuinfo ? strstr(cpuinfo, "model name") : NULL;

	if (m) {
		char line[256];

		snprintf(line, sizeof(line), "%.*s", (int)strcspn(m, "\n"), m);
		/* "QEMU TCG CPU version ..." (-cpu max under TCG), "QEMU
		 * Virtual CPU ..." (qemu64): Xen runs inside QEMU. */
		if (strstr(line, "QEMU") || strstr(line, "TCG"))
			return 1;
	}
	return dmi_vendor && strstr(dmi_vendor, "QEMU") ? 1 : 0;
}

int xen_vcpu_pin_check(const struct scn_params *p, const char *scn_path,
		       char *err, size_t errsz)
{
	unsigned n = guest_vcpus(p);
	char list[1024];

	/* xen_vcpu_pcpu would wrap a short list round: two vCPUs on one
	 * pCPU without anyone having asked for it (as kvm_host_cpus). */
	if (!p->vcpu_pin.n || p->vcpu_pin.n >= n)
		return 0;
	if (cpulist_format(&p->vcpu_pin, list, sizeof(list)) < 0)
		snprintf(list, sizeof(list), "(%u pCPUs)", p->vcpu_pin.n);
	snprintf(err, errsz, "%s:%d: vcpu_pin = %s pins %u vCPU%s but the "
		 "guest has %u (vCPUs 0-%u); expected one pCPU per vCPU "
		 "(vCPU i on the i-th)", scn_path ? scn_path : "the scenario",
		 p->vcpu_pin_line, list, p->vcpu_pin.n,
		 p->vcpu_pin.n == 1 ? "" : "s", n, n - 1);
	return -EINVAL;
}

int xen_host_cpus_on(const struct scn_params *p, const char *scn_path,
		     unsigned nr_pcpus, struct cpulist *out, char *err,
		     size_t errsz)
{
	unsigned char used[CPULIST_MAX] = {0};
	unsigned n = guest_vcpus(p);
	int rc = xen_vcpu_pin_check(p, scn_path, err, errsz);

	out->n = 0;
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < p->cpus.n; i++)
		if (p->cpus.cpu[i] < n)
			used[xen_vcpu_pcpu(p, p->cpus.cpu[i], nr_pcpus) %
			     CPULIST_MAX] = 1;
	for (unsigned c = 0; c < CPULIST_MAX; c++)
		if (used[c])
			out->cpu[out->n++] = (unsigned short)c;
	return 0;
}

int xen_pool_cpus_arg(const struct cpulist *cpus, char *buf, size_t size)
{
	size_t len;
	int n = snprintf(buf, size, "cpus=[");

	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	len = (size_t)n;
	for (unsigned i = 0; i < cpus->n; i++) {
		n = snprintf(buf + len, size - len, "%s\"%u\"", i ? "," : "",
			     cpus->cpu[i]);
		if (n < 0 || (size_t)n >= size - len)
			return -ENOSPC;
		len += (size_t)n;
	}
	n = snprintf(buf + len, size - len, "]");
	return n < 0 || (size_t)n >= size - len ? -ENOSPC : 0;
}

/* --- xl's listings ------------------------------------------------------ */

/* Add cpu to l, keeping it ascending and without duplicates. */
static void cpus_add(struct cpulist *l, unsigned cpu)
{
	unsigned i;

	if (cpulist_contains(l, cpu) || l->n >= CPULIST_MAX ||
	    cpu >= CPULIST_MAX)
		return;
	for (i = l->n; i > 0 && l->cpu[i - 1] > cpu; i--)
		l->cpu[i] = l->cpu[i - 1];
	l->cpu[i] = (unsigned short)cpu;
	l->n++;
}

/* The line of text whose first column is name, copied into line. */
static int find_line(const char *text, const char *name, char *line,
		     size_t size)
{
	size_t nlen = strlen(name);

	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);

		if (len >= nlen && !strncmp(l, name, nlen) &&
		    (len == nlen || l[nlen] == ' ' || l[nlen] == '\t')) {
			snprintf(line, size, "%.*s", (int)len, l);
			return 0;
		}
		l = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

int xen_list_has(const char *text, const char *name)
{
	char line[XEN_AFFINITY_MAX];

	return find_line(text, name, line, sizeof(line)) == 0;
}

int xen_list_pool(const char *text, const char *dom, char *pool,
		  size_t size)
{
	char line[XEN_AFFINITY_MAX], *end, *last;

	if (find_line(text, dom, line, sizeof(line)) < 0)
		return -ENOENT;
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	last = strrchr(line, ' ');
	if (!last || !last[1])
		return -ENOENT;
	snprintf(pool, size, "%s", last + 1);
	return 0;
}

int xen_pool_cpus(const char *text, const char *name, struct cpulist *out)
{
	char line[XEN_AFFINITY_MAX], *cpus;
	const char *why;

	out->n = 0;
	if (find_line(text, name, line, sizeof(line)) < 0)
		return -ENOENT;
	cpus = line + strlen(name);
	cpus += strspn(cpus, " \t");
	cpus[strcspn(cpus, " \t")] = '\0';
	return cpulist_parse(cpus, out, &why) < 0 ? -EINVAL : 0;
}

void xen_pooled_cpus(const char *text, struct cpulist *out)
{
	out->n = 0;
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		char line[XEN_AFFINITY_MAX], *cpus;
		struct cpulist cl;
		const char *why;

		snprintf(line, sizeof(line), "%.*s",
			 (int)(nl ? (size_t)(nl - l) : strlen(l)), l);
		cpus = line + strcspn(line, " \t");
		cpus += strspn(cpus, " \t");
		cpus[strcspn(cpus, " \t")] = '\0';
		/* The header ("Name  CPU list") does not parse: skipped. */
		if (strncmp(line, "Name", 4) && cpus[0] &&
		    cpulist_parse(cpus, &cl, &why) == 0)
			for (unsigned i = 0; i < cl.n; i++)
				cpus_add(out, cl.cpu[i]);
		l = nl ? nl + 1 : NULL;
	}
}

/* Up to max whitespace-separated fields of line [l, end): how many (max
 * + 1 when there are more). */
static int fields(const char *l, const char *end, const char **f,
		  size_t *len, int max)
{
	int n = 0;

	for (;;) {
		while (l < end && isspace((unsigned char)*l))
			l++;
		if (l >= end)
			return n;
		if (n == max)
			return max + 1;
		f[n] = l;
		while (l < end && !isspace((unsigned char)*l))
			l++;
		len[n] = (size_t)(l - f[n]);
		n++;
	}
}

/* Field f of length len as a string into out; 0, or -ENOSPC. */
static int field(const char *f, size_t len, char *out, size_t size)
{
	if (len >= size)
		return -ENOSPC;
	memcpy(out, f, len);
	out[len] = '\0';
	return 0;
}

int xen_vcpu_list_parse(const char *text, const char *dom,
			struct xen_vcpu *out, int max)
{
	size_t dlen = strlen(dom);
	int n = 0;

	/* Name ID VCPU CPU State Time(s) Affinity (Hard / Soft): 9 fields,
	 * by position, each as long as it is. */
	for (const char *l = text; l && *l && n < max;) {
		const char *nl = strchr(l, '\n');
		const char *end = nl ? nl : l + strlen(l), *f[9];
		size_t len[9];
		char num[16], cpu[16], state[16];
		char *e;
		unsigned long vcpu;

		if (fields(l, end, f, len, 9) != 9 || len[0] != dlen ||
		    strncmp(f[0], dom, dlen) || len[7] != 1 || *f[7] != '/' ||
		    field(f[2], len[2], num, sizeof(num)) < 0 ||
		    field(f[3], len[3], cpu, sizeof(cpu)) < 0 ||
		    field(f[4], len[4], state, sizeof(state)) < 0 ||
		    field(f[6], len[6], out[n].hard,
			  sizeof(out[n].hard)) < 0 ||
		    field(f[8], len[8], out[n].soft,
			  sizeof(out[n].soft)) < 0) {
			l = nl ? nl + 1 : NULL;
			continue;
		}
		l = nl ? nl + 1 : NULL;
		vcpu = strtoul(num, &e, 10);
		if (!isdigit((unsigned char)num[0]) || *e || vcpu > 65535)
			continue;
		out[n].vcpu = (unsigned)vcpu;
		out[n].pcpu = isdigit((unsigned char)cpu[0]) ? atoi(cpu) : -1;
		/* xl: r(unning) b(locked) and p for an offline vCPU. */
		out[n].online = !strchr(state, 'p');
		n++;
	}
	return n;
}

int xen_vcpu_list_lines(const char *text, const char *dom)
{
	size_t dlen = strlen(dom);
	int n = 0;

	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');

		l += strspn(l, " \t");
		if (!strncmp(l, dom, dlen) &&
		    (!l[dlen] || isspace((unsigned char)l[dlen])))
			n++;
		l = nl ? nl + 1 : NULL;
	}
	return n;
}

int xen_list_vcpus(const char *text, const char *dom)
{
	size_t dlen = strlen(dom);

	/* Name ID Mem VCPUs State Time(s) [Cpupool] */
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		const char *end = nl ? nl : l + strlen(l), *f[8];
		size_t len[8];
		char num[16], *e;
		unsigned long v;
		int k = fields(l, end, f, len, 7);

		l = nl ? nl + 1 : NULL;
		if (k < 6 || k > 7 || len[0] != dlen ||
		    strncmp(f[0], dom, dlen) ||
		    field(f[3], len[3], num, sizeof(num)) < 0)
			continue;
		v = strtoul(num, &e, 10);
		if (isdigit((unsigned char)num[0]) && !*e && v <= 65535)
			return (int)v;
	}
	return -ENOENT;
}

int xen_affinity_cpus(const char *aff, unsigned nr_pcpus,
		      struct cpulist *out)
{
	struct cpulist cl;
	const char *why;

	out->n = 0;
	if (!strcmp(aff, "all")) {
		for (unsigned c = 0; c < nr_pcpus && c < CPULIST_MAX; c++)
			out->cpu[out->n++] = (unsigned short)c;
		return 0;
	}
	if (cpulist_parse(aff, &cl, &why) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < cl.n; i++)
		if (cl.cpu[i] < nr_pcpus)
			out->cpu[out->n++] = cl.cpu[i];
	return 0;
}

int xen_dom0_overlap(const struct xen_vcpu *v, int n,
		     const struct cpulist *dom0_pool, unsigned nr_pcpus,
		     const struct cpulist *measured, struct cpulist *overlap)
{
	struct cpulist hard;
	int rc = 0;

	overlap->n = 0;
	for (int i = 0; i < n; i++) {
		if (v[i].pcpu >= 0 &&
		    cpulist_contains(measured, (unsigned)v[i].pcpu))
			cpus_add(overlap, (unsigned)v[i].pcpu);
		if (xen_affinity_cpus(v[i].hard, nr_pcpus, &hard) < 0) {
			/* Unreadable: it may run anywhere in its pool. */
			rc = -EINVAL;
			xen_affinity_cpus("all", nr_pcpus, &hard);
		}
		for (unsigned c = 0; c < hard.n; c++)
			if (cpulist_contains(dom0_pool, hard.cpu[c]) &&
			    cpulist_contains(measured, hard.cpu[c]))
				cpus_add(overlap, hard.cpu[c]);
	}
	return rc;
}

void xen_guest_pcpus(const struct scn_params *p, unsigned vcpus,
		     unsigned nr_pcpus, struct cpulist *out)
{
	out->n = 0;
	for (unsigned v = 0; v < vcpus; v++)
		cpus_add(out, xen_vcpu_pcpu(p, v, nr_pcpus));
}

void xen_housekeeping_pcpus(const struct cpulist *guest, unsigned nr_pcpus,
			    struct cpulist *out)
{
	out->n = 0;
	for (unsigned c = 0; c < nr_pcpus && c < CPULIST_MAX; c++)
		if (!cpulist_contains(guest, c))
			out->cpu[out->n++] = (unsigned short)c;
}

int xen_case_check(const struct scn_params *p, unsigned vcpus,
		   unsigned nr_pcpus, const char *pools, char *why,
		   size_t whysz)
{
	struct cpulist guest, pool0, dom0;
	char names[16][64], list[256];
	int npools;

	xen_guest_pcpus(p, vcpus, nr_pcpus, &guest);
	cpulist_format(&guest, list, sizeof(list));
	for (unsigned i = 0; i < guest.n; i++)
		if (guest.cpu[i] >= nr_pcpus) {
			snprintf(why, whysz, "vcpu_pin: pCPU %u does not "
				 "exist; this Xen has %u pCPUs (0-%u)",
				 guest.cpu[i], nr_pcpus,
				 nr_pcpus ? nr_pcpus - 1 : 0);
			return -ENODEV;
		}
	if (p->dom0_cpus[0]) {
		const char *w;

		if (!strcmp(p->dom0_cpus, "housekeeping"))
			xen_housekeeping_pcpus(&guest, nr_pcpus, &dom0);
		else if (cpulist_parse(p->dom0_cpus, &dom0, &w) < 0)
			dom0.n = 0;
		for (unsigned i = 0; i < dom0.n; i++)
			if (dom0.cpu[i] >= nr_pcpus ||
			    cpulist_contains(&guest, dom0.cpu[i])) {
				snprintf(why, whysz, "dom0_cpus = %s: pCPU %u "
					 "%s", p->dom0_cpus, dom0.cpu[i],
					 dom0.cpu[i] >= nr_pcpus
					 ? "does not exist"
					 : "is one of the guest's");
				return -ENODEV;
			}
		if (!dom0.n) {
			snprintf(why, whysz, "dom0_cpus = %s: no pCPU left "
				 "for dom0 (the guest has %s of %u)",
				 p->dom0_cpus, list, nr_pcpus);
			return -ENODEV;
		}
	}
	if (!p->xen_cpupool || !pools)
		return 0;
	/* Leftover isolat-* pools are emptied before the case. */
	xen_pool_cpus(pools, "Pool-0", &pool0);
	npools = xen_names_with_prefix(pools, "", names, 16);
	for (int i = 0; i < npools; i++) {
		struct cpulist cl;

		if (!strcmp(names[i], "Pool-0") || !strcmp(names[i], "Name") ||
		    !strncmp(names[i], XEN_NAME_PREFIX,
			     strlen(XEN_NAME_PREFIX)) ||
		    xen_pool_cpus(pools, names[i], &cl) < 0)
			continue;
		for (unsigned c = 0; c < cl.n; c++)
			if (cpulist_contains(&guest, cl.cpu[c])) {
				snprintf(why, whysz, "xen_cpupool: pCPU %u is "
					 "in cpupool %s, not in Pool-0",
					 cl.cpu[c], names[i]);
				return -ENODEV;
			}
	}
	for (unsigned i = 0; i < pool0.n; i++)
		if (!cpulist_contains(&guest, pool0.cpu[i]))
			return 0;
	snprintf(why, whysz, "xen_cpupool: the guest's pCPUs (%s) are all "
		 "of Pool-0's; dom0 needs one left (pin the guest with "
		 "vcpu_pin)", list);
	return -ENODEV;
}
