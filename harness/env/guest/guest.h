/*
 * guest.h - what the guest backends (harness/env/kvm/, harness/env/xen/)
 * share: how many vCPUs a case's guest has, its kernel command line, which
 * guest kernel and modules it boots, an argv as text for the record.  The
 * guest's initramfs is guest_image.h (cached: image_cache.h; a host
 * program's libraries: elf_deps.h).
 */
#ifndef ISOLAT_GUEST_H
#define ISOLAT_GUEST_H

#include <stddef.h>

#include "harness/scenario/scenario.h"

/* vCPUs of a case: vcpus if set, else highest vCPU used + 1 (one more
 * when housekeeping is not set and every vCPU up to there is measured). */
unsigned guest_vcpus(const struct scn_params *p);

/* The vCPUs 0..guest_vcpus(p)-1 as a list (env_ops.guest_cpus). */
void guest_vcpu_list(const struct scn_params *p, struct cpulist *out);

/*
 * console (the backend's console= and channel words) + the scenario's
 * guest_cmdline + the profile's + the profile's boot keys for the guest
 * (tuning_guest_boot_args; prof may be NULL: profile none).  0, -ENOSPC,
 * or -EINVAL when a boot key contradicts guest_cmdline (planning refuses
 * that first).
 */
int guest_cmdline(const char *console, const struct scn_params *p,
		  const struct scn_profile *prof, char *buf, size_t size);

/* The argv as one line for the record (elements separated by blanks). */
void guest_argv_text(char *const *argv, char *buf, size_t size);

/*
 * The modules directory of a kernel image path: ROOT/boot/vmlinuz-V gives
 * ROOT/lib/modules/V (ROOT may be empty: the host).  0 or -EINVAL when the
 * name does not say its version.
 */
int guest_modules_dir(const char *kernel, char *out, size_t size);

/* Where tests/e2e/lib_kernel.sh unpacks Debian kernels (the fallback
 * default). */
#define GUEST_KERNEL_CACHE "/var/cache/isolat/kernels"

/*
 * The guest kernel and modules directory of these parameters: kvm_kernel
 * (and kvm_modules, else guest_modules_dir() of it), or by default the
 * host's /boot/vmlinuz-$(uname -r) when /lib/modules/$(uname -r) has a
 * modules.dep, else the newest GUEST_KERNEL_CACHE/NAME/boot/vmlinuz-V with
 * its lib/modules/V.  With scn_path (planning): -EINVAL and a
 * "FILE:LINE: ...; expected ..." message when the scenario names something
 * unusable or there is no default (env_line: the environments line).
 * Without (`isolat envs`): -ENOENT and a plain reason.
 */
int guest_kernel(const struct scn_params *p, const char *scn_path,
		 int env_line, char *kernel, size_t ksz, char *mods, size_t msz,
		 char *why, size_t whysz);

#endif
