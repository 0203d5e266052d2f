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
#include "harness/xen_cmd.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "harness/kvm_cmd.h"
#include "harness/tuning.h"

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
		     "# written by isolat (harness/env_xen.c) for one case\n"
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
	const char *extra = prof ? prof->guest_cmdline : "";
	/* hvc0 is the PV console, which also carries the samples (the wire
	 * format resyncs over console text); isolat.channel tells the
	 * guest's PID 1 so (workloads/wl_guest.c).  quiet keeps the kernel
	 * off it after boot. */
	int n = snprintf(buf, size,
			 "console=" XEN_CHANNEL_DEV " quiet isolat.channel="
			 XEN_CHANNEL_DEV "%s%s%s%s",
			 p->guest_cmdline[0] ? " " : "", p->guest_cmdline,
			 extra[0] ? " " : "", extra);

	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	/* The profile's isolcpus, nohz_full, ... are the guest's here. */
	return tuning_guest_boot_args(prof, buf, size, NULL, 0);
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

int xen_host_cpus(const struct scn_params *p, const char *scn_path,
		  const struct cpulist *online, struct cpulist *out, char *err,
		  size_t errsz)
{
	unsigned char used[CPULIST_MAX] = {0};
	unsigned n = kvm_vcpus(p);

	(void)scn_path;
	(void)err;
	(void)errsz;
	/* dom0's online CPUs stand in for Xen's pCPU count, which only
	 * `xl info` knows (read at run time). */
	for (unsigned i = 0; i < p->cpus.n; i++)
		if (p->cpus.cpu[i] < n)
			used[xen_vcpu_pcpu(p, p->cpus.cpu[i], online->n) %
			     CPULIST_MAX] = 1;
	out->n = 0;
	for (unsigned c = 0; c < CPULIST_MAX; c++)
		if (used[c])
			out->cpu[out->n++] = (unsigned short)c;
	return 0;
}
