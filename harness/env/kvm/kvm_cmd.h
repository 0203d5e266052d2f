/*
 * kvm_cmd.h - the parts of the kvm backend that do not run QEMU, apart so
 * they can be unit-tested: the guest kernel command line, QEMU's argv, the
 * vCPU -> host CPU rule (vcpu_pin, emulator_cpus), and which guest kernel
 * and modules a case uses.
 */
#ifndef ISOLAT_KVM_CMD_H
#define ISOLAT_KVM_CMD_H

#include <stddef.h>

#include "harness/scenario/scenario.h"

#define KVM_ARGV_MAX 64

struct kvm_cmd {
	const char *qemu;      /* qemu-system-x86_64 */
	const char *name;      /* -name, for ps and QEMU's messages */
	const char *accel;     /* "kvm" or "tcg" */
	unsigned vcpus, memory_mb;
	int mem_lock;
	int paused;            /* -S: vCPUs wait for QMP "cont" (placement
				* happens first); the boot probe runs free */
	const char *kernel, *initrd, *cmdline;
	const char *chan_base; /* pipe chardev: chan_base.in / .out FIFOs */
	const char *qmp_path;  /* unix socket, QEMU listens */
	const char *tap;       /* netlat: a tap isolat made (virtio-net on
				* it), or NULL: no network device */
};

struct kvm_argv {
	char *argv[KVM_ARGV_MAX];
	char store[8192];      /* the formatted option values */
	size_t used;
};

/* vCPUs of a case: vcpus if set, else highest vCPU used + 1 (one more
 * when housekeeping is not set and every vCPU up to there is measured). */
unsigned kvm_vcpus(const struct scn_params *p);

/* The vCPUs 0..kvm_vcpus(p)-1 as a list (env_ops.guest_cpus). */
void kvm_guest_cpus(const struct scn_params *p, struct cpulist *out);

/* "console=ttyS0 quiet" + the scenario's guest_cmdline + the profile's
 * + the profile's boot keys for the guest (tuning_guest_boot_args; prof
 * may be NULL: profile none).  0, -ENOSPC, or -EINVAL when a boot key
 * contradicts guest_cmdline (planning refuses that first). */
int kvm_guest_cmdline(const struct scn_params *p,
		      const struct scn_profile *prof, char *buf, size_t size);

/* QEMU's argv for c (never a shell string).  0 or -ENOSPC/-EINVAL. */
int kvm_build_argv(const struct kvm_cmd *c, struct kvm_argv *a);

/* The argv as one line for the record (elements separated by blanks). */
void kvm_argv_text(char *const *argv, char *buf, size_t size);

/*
 * Host CPU for vCPU v: v itself when that host CPU is online, else
 * host_hk (the host's housekeeping CPU), so a guest wider than the host
 * still runs, without pretending to be pinned 1:1.
 */
int kvm_vcpu_host_cpu(unsigned v, const struct cpulist *online, int host_hk);

/*
 * The host CPU of every vCPU 0..n-1 into map (n = kvm_vcpus(p)): with
 * vcpu_pin, vCPU i on its i-th CPU (in the order written); without,
 * kvm_vcpu_host_cpu() where host_hk is the first online CPU that no
 * measured vCPU takes for itself.  -ERANGE when vcpu_pin lists fewer CPUs
 * than there are vCPUs (planning refuses that: kvm_host_cpus).
 */
int kvm_vcpu_map(const struct scn_params *p, const struct cpulist *online,
		 unsigned short *map, unsigned n);

/*
 * env_ops.host_cpus of kvm: the host CPUs of the measured vCPUs
 * (kvm_vcpu_map).  Checks vcpu_pin (one online host CPU per vCPU) and an
 * emulator_cpus list (online) against online; -EINVAL with "FILE:LINE:
 * ...; expected ..." in err.
 */
int kvm_host_cpus(const struct scn_params *p, const char *scn_path,
		  const struct cpulist *online, struct cpulist *out, char *err,
		  size_t errsz);

/*
 * Where QEMU's threads that are not vCPUs go: the emulator_cpus list, or
 * ("" or "housekeeping") the online CPUs that are not in host_cpus (all
 * online CPUs when that leaves none).  0, or -EINVAL for a bad list.
 */
int kvm_emulator_cpus(const struct scn_params *p, const struct cpulist *online,
		      const struct cpulist *host_cpus, struct cpulist *out);

/*
 * The modules directory of a kernel image path: ROOT/boot/vmlinuz-V gives
 * ROOT/lib/modules/V (ROOT may be empty: the host).  0 or -EINVAL when the
 * name does not say its version.
 */
int kvm_modules_dir(const char *kernel, char *out, size_t size);

/* Where tests/e2e/lib_kernel.sh unpacks Debian kernels (the fallback
 * default). */
#define KVM_KERNEL_CACHE "/var/cache/isolat/kernels"

/*
 * The guest kernel and modules directory of these parameters: kvm_kernel
 * (and kvm_modules, else kvm_modules_dir() of it), or by default the
 * host's /boot/vmlinuz-$(uname -r) when /lib/modules/$(uname -r) has a
 * modules.dep, else the newest KVM_KERNEL_CACHE/NAME/boot/vmlinuz-V with
 * its lib/modules/V.  With scn_path (planning): -EINVAL and a
 * "FILE:LINE: ...; expected ..." message when the scenario names something
 * unusable or there is no default (env_line: the environments line).
 * Without (`isolat envs`): -ENOENT and a plain reason.
 */
int kvm_guest_kernel(const struct scn_params *p, const char *scn_path,
		     int env_line, char *kernel, size_t ksz, char *mods,
		     size_t msz, char *why, size_t whysz);

#endif
