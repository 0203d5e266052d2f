/*
 * xen_cmd.h - the parts of the xen backend that do not talk to Xen, apart
 * so they can be unit-tested: xl's argv (never a shell string), the domain
 * config file, the guest kernel command line, the vCPU -> pCPU rule, and
 * parsers for what xl prints (`xl info`, `xl list`, `xl cpupool-list`).
 */
#ifndef ISOLAT_XEN_CMD_H
#define ISOLAT_XEN_CMD_H

#include <stddef.h>

#include "harness/scenario.h"

/* Every domain and cpupool the harness makes is named with this prefix,
 * so a leftover of a crashed run is found (and removed) by name. */
#define XEN_NAME_PREFIX "isolat-"

/* The guest's console device that carries the samples (see env_xen.c). */
#define XEN_CHANNEL_DEV "hvc0"

#define XEN_ARGV_MAX 24

struct xen_argv {
	char *argv[XEN_ARGV_MAX];
	char store[4096];
	size_t used;
	int n;
};

/* argv = { xl }.  0 or -EINVAL (xl not an absolute path). */
int xen_argv_init(struct xen_argv *a, const char *xl);
/* Append one printf-formatted element.  0, -ENOSPC, or -EINVAL when it
 * holds a control character (nothing from a scenario reaches xl with a
 * newline or escape in it). */
int xen_argv_add(struct xen_argv *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct xen_domcfg {
	const char *name;      /* XEN_NAME_PREFIX... */
	const char *type;      /* "pv" | "pvh" */
	const char *kernel;    /* ELF vmlinux or bzImage */
	const char *ramdisk;   /* the harness-built initramfs of the case */
	const char *extra;     /* guest kernel command line */
	const char *pool;      /* cpupool name, or NULL: Pool-0 */
	unsigned vcpus, memory_mb;
};

/*
 * The xl domain config text for c: no disk, no vif, no vfb (so dom0 needs
 * no hotplug scripts and no device model), every exit destroys the domain.
 * 0, -ENOSPC, or -EINVAL when a value would need quoting (a '"', '\' or a
 * control character) or the type is not pv/pvh.
 */
int xen_domcfg_format(const struct xen_domcfg *c, char *buf, size_t size);

/* "console=hvc0 quiet isolat.channel=hvc0" + the scenario's
 * guest_cmdline + the profile's + the profile's boot keys for the guest
 * (tuning_guest_boot_args; prof may be NULL).  0, -ENOSPC or -EINVAL. */
int xen_guest_cmdline(const struct scn_params *p,
		      const struct scn_profile *prof, char *buf, size_t size);

/*
 * pCPU of vCPU v: the v-th CPU of xen_pcpus when the scenario lists them
 * (wrapping around), else v itself when it is below nr_pcpus, else the
 * last pCPU.
 */
unsigned xen_vcpu_pcpu(const struct scn_params *p, unsigned v,
		       unsigned nr_pcpus);

/*
 * env_ops.host_cpus of xen: the pCPUs of the measured vCPUs
 * (xen_vcpu_pcpu, with dom0's online CPU count for nr_pcpus).  They are
 * dom0's CPU numbers only where dom0 has every pCPU, pinned 1:1.  0.
 */
int xen_host_cpus(const struct scn_params *p, const char *scn_path,
		  const struct cpulist *online, struct cpulist *out, char *err,
		  size_t errsz);

/* Value of "key : value" in `xl info` output; 0 or -ENOENT. */
int xen_info_get(const char *info, const char *key, char *out, size_t size);

/*
 * First column of each line of `xl list` / `xl cpupool-list` output that
 * starts with prefix, into names[0..max); returns how many.
 */
int xen_names_with_prefix(const char *text, const char *prefix,
			  char names[][64], int max);

/*
 * Whether Xen itself runs on an emulated or virtual machine (QEMU TCG in
 * CI): dom0's /proc/cpuinfo "model name" or the DMI system vendor names
 * QEMU.  Either may be NULL.  1 or 0.
 */
int xen_host_emulated(const char *cpuinfo, const char *dmi_vendor);

#endif
