/*
 * xen_cmd.h - the parts of the xen backend that do not talk to Xen, apart
 * so they can be unit-tested: xl's argv (never a shell string), the domain
 * config file, the guest kernel command line, the vCPU -> pCPU rule, and
 * parsers for what xl prints (`xl info`, `xl list [-c]`, `xl cpupool-list
 * -c`, `xl vcpu-list`), where dom0 may run, and a case's placement check.
 */
#ifndef ISOLAT_XEN_CMD_H
#define ISOLAT_XEN_CMD_H

#include <stddef.h>

#include "harness/scenario/scenario.h"
#include "workloads/cpulist.h"

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
 * pCPU of vCPU v: the v-th CPU of vcpu_pin when the scenario lists them
 * (a list shorter than the vCPUs is refused at plan time by
 * xen_vcpu_pin_check; it would wrap round here), else v itself when it
 * is below nr_pcpus, else the last pCPU.
 */
unsigned xen_vcpu_pcpu(const struct scn_params *p, unsigned v,
		       unsigned nr_pcpus);

/*
 * The pCPUs of the measured vCPUs (xen_vcpu_pcpu) on a Xen of nr_pcpus
 * pCPUs: what env_ops.host_cpus of xen returns (harness/env/xen/env_xen.c, with
 * Xen's nr_cpus from `xl info`).  They are dom0's CPU numbers only where
 * dom0 has every pCPU, pinned 1:1.  A vcpu_pin shorter than the guest's
 * vCPUs (which would wrap, two vCPUs on one pCPU): -EINVAL with
 * "FILE:LINE: ..." in err.  0.
 */
int xen_host_cpus_on(const struct scn_params *p, const char *scn_path,
		     unsigned nr_pcpus, struct cpulist *out, char *err,
		     size_t errsz);

/* env_ops.host_cpus of xen (harness/env/xen/env_xen.c): xen_host_cpus_on with
 * Xen's nr_cpus from `xl info` (read once per plan, kept in ep; NULL ep:
 * read now), else dom0's online CPU count (said in ep->note on a dom0). */
struct env_plan;
int xen_host_cpus(struct env_plan *ep, const struct scn_params *p,
		  const char *scn_path, const struct cpulist *online,
		  struct cpulist *out, char *err, size_t errsz);

/* vcpu_pin has one pCPU per vCPU (or is empty): 0, else -EINVAL with
 * "FILE:LINE: vcpu_pin = ..." in err. */
int xen_vcpu_pin_check(const struct scn_params *p, const char *scn_path,
		       char *err, size_t errsz);

/* The VCPUs column of domain dom's line in `xl list [-c]` output: the
 * count, or -ENOENT. */
int xen_list_vcpus(const char *text, const char *dom);

/* `cpus=["2","3",...]` for `xl cpupool-create`.  0, or -ENOSPC. */
int xen_pool_cpus_arg(const struct cpulist *cpus, char *buf, size_t size);

/* Value of "key : value" in `xl info` output; 0 or -ENOENT. */
int xen_info_get(const char *info, const char *key, char *out, size_t size);

/*
 * First column of each line of `xl list` / `xl cpupool-list` output that
 * starts with prefix, into names[0..max); returns how many.
 */
int xen_names_with_prefix(const char *text, const char *prefix,
			  char names[][64], int max);

/* Whether `xl list` output has a domain named name.  1 or 0. */
int xen_list_has(const char *text, const char *name);

/* The cpupool of domain dom: the last column of its line in `xl list -c`
 * output.  0 or -ENOENT. */
int xen_list_pool(const char *text, const char *dom, char *pool,
		  size_t size);

/*
 * The pCPUs of cpupool name in `xl cpupool-list -c` output.  0, -ENOENT
 * when there is no such pool, -EINVAL when its CPU list does not parse.
 */
int xen_pool_cpus(const char *text, const char *name, struct cpulist *out);

/* Every pCPU some pool holds in `xl cpupool-list -c` output (a pCPU in
 * none is free). */
void xen_pooled_cpus(const char *text, struct cpulist *out);

/* An affinity as xl prints it, whole: the size of a journal field
 * (JOURNAL_FIELD_MAX), where a dom0 vCPU's hard affinity is kept. */
#define XEN_AFFINITY_MAX 4096

/* One line of `xl vcpu-list`. */
struct xen_vcpu {
	unsigned vcpu;
	int pcpu;       /* -1: runs nowhere now ("-") */
	int online;     /* 0: offline (state "--p"; not in `xl list`'s
			 * VCPUs count, still listed and pinned) */
	char hard[XEN_AFFINITY_MAX], soft[XEN_AFFINITY_MAX];
			/* affinity as xl prints it: "all", "0-1,3" */
};

/* The vCPUs of domain dom in `xl vcpu-list` output, at most max of
 * them: how many.  Fields are split on whitespace, of any length (an
 * affinity can be long); a line of dom that does not parse, or whose
 * affinity does not fit, is left out - callers compare the count with
 * xen_list_vcpus() and xen_vcpu_list_lines(). */
int xen_vcpu_list_parse(const char *text, const char *dom,
			struct xen_vcpu *out, int max);

/* How many lines of `xl vcpu-list` output have dom as their first field
 * (parsed or not). */
int xen_vcpu_list_lines(const char *text, const char *dom);

/* An affinity as xl prints it ("all" or a CPU list) as the pCPUs below
 * nr_pcpus it allows.  0 or -EINVAL. */
int xen_affinity_cpus(const char *aff, unsigned nr_pcpus,
		      struct cpulist *out);

/*
 * Which of the measured pCPUs dom0's vCPUs v[0..n) may run on: each
 * vCPU's hard affinity within dom0's cpupool (dom0_pool), plus the pCPU
 * it runs on now, intersected with measured.  0, or -EINVAL (an
 * affinity that does not parse: then assume the worst).
 */
int xen_dom0_overlap(const struct xen_vcpu *v, int n,
		     const struct cpulist *dom0_pool, unsigned nr_pcpus,
		     const struct cpulist *measured, struct cpulist *overlap);

/* The guest's pCPUs: xen_vcpu_pcpu() of vCPUs 0..vcpus-1, ascending. */
void xen_guest_pcpus(const struct scn_params *p, unsigned vcpus,
		     unsigned nr_pcpus, struct cpulist *out);

/* dom0_cpus = housekeeping: every pCPU below nr_pcpus not in guest. */
void xen_housekeeping_pcpus(const struct cpulist *guest, unsigned nr_pcpus,
			    struct cpulist *out);

/*
 * A case's placement against this Xen (plan time): every pCPU it pins
 * to exists, and with xen_cpupool its pCPUs can leave Pool-0 (they are
 * in Pool-0, free, or in a leftover isolat-* pool) with at least one left
 * there for dom0.  pools: `xl cpupool-list -c` output.  0, or -ENODEV
 * with why set.
 */
int xen_case_check(const struct scn_params *p, unsigned vcpus,
		   unsigned nr_pcpus, const char *pools, char *why,
		   size_t whysz);

/*
 * Whether Xen itself runs on an emulated or virtual machine (QEMU TCG in
 * CI): dom0's /proc/cpuinfo "model name" or the DMI system vendor names
 * QEMU.  Either may be NULL.  1 or 0.
 */
int xen_host_emulated(const char *cpuinfo, const char *dmi_vendor);

#endif
