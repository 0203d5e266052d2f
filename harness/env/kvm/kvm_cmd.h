/*
 * kvm_cmd.h - the parts of the kvm backend that do not run QEMU, apart so
 * they can be unit-tested: the guest kernel command line, QEMU's argv and
 * the vCPU -> host CPU rule (vcpu_pin, emulator_cpus).  What every guest
 * backend shares (vCPUs, the guest kernel and modules, the argv as text)
 * is in harness/env/guest/guest.h.
 */
#ifndef ISOLAT_KVM_CMD_H
#define ISOLAT_KVM_CMD_H

#include <stddef.h>

#include "harness/env/guest/guest.h"
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

/* guest_cmdline() with KVM's console: "console=ttyS0 quiet" + ... */
int kvm_guest_cmdline(const struct scn_params *p,
		      const struct scn_profile *prof, char *buf, size_t size);

/* QEMU's argv for c (never a shell string).  0 or -ENOSPC/-EINVAL. */
int kvm_build_argv(const struct kvm_cmd *c, struct kvm_argv *a);

/*
 * Host CPU for vCPU v: v itself when that host CPU is online, else
 * host_hk (the host's housekeeping CPU), so a guest wider than the host
 * still runs, without pretending to be pinned 1:1.
 */
int kvm_vcpu_host_cpu(unsigned v, const struct cpulist *online, int host_hk);

/*
 * The host CPU of every vCPU 0..n-1 into map (n = guest_vcpus(p)): with
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

#endif
