/*
 * kvm_place.h - where a running QEMU's threads go on the host, and proof
 * that they went there (the kvm backend's half of a profile's
 * virtualization knobs: vcpu_pin, vcpu_priority, emulator_cpus,
 * mem_lock).
 *
 * Every placement is read back from the kernel (sched_getaffinity,
 * sched_getscheduler, /proc/PID/status VmLck) and recorded as the case
 * facts kvm.vcpu.N.{tid,host_cpu,affinity,policy}, kvm.emulator.{cpus,
 * threads,rule}, kvm.other_threads and kvm.mem_lock.  What the kernel did
 * not apply fails the case with the reason: a case is never measured as
 * if a knob were set.
 */
#ifndef ISOLAT_KVM_PLACE_H
#define ISOLAT_KVM_PLACE_H

#include <stddef.h>
#include <sys/types.h>

#include "harness/env/env.h"
#include "harness/env/kvm/qmp.h"
#include "workloads/cpulist.h"

/* What kvm_place_threads placed in one case (vCPUs and the other
 * threads, the emulator CPUs), for kvm_place_late, and its buffers: the
 * case's kvm state holds it (it used to be process-wide statics). */
struct kvm_placed {
	pid_t qemu;
	unsigned n;
	pid_t tid[4096];
	struct cpulist emu;
	struct qmp_vcpu v[QMP_MAX_VCPUS];
	char reply[sizeof(((struct qmp *)0)->buf)];
	unsigned short map[CPULIST_MAX];
};

/*
 * Pin every vCPU thread (query-cpus-fast) to its host CPU
 * (kvm_vcpu_map), give the measured ones SCHED_FIFO vcpu_priority when it
 * is > 0, and put QEMU's other threads (/proc/PID/task: main loop, I/O,
 * RCU, ...) on kvm_emulator_cpus().  0, or -errno with err set.
 */
int kvm_place_threads(struct env_case *ec, struct qmp *qmp, pid_t qemu,
		      struct kvm_placed *placed, char *err, size_t errsz);

/*
 * After the guest is started (QMP cont): QEMU's threads that
 * kvm_place_threads did not see (started since, with their creator's
 * CPU mask and policy) onto the emulator CPUs at SCHED_OTHER; their count
 * is the fact kvm.emulator.late_threads.  0, or -errno with err set.
 */
int kvm_place_late(struct env_case *ec, pid_t qemu,
		   struct kvm_placed *placed, char *err, size_t errsz);

/*
 * Record QEMU's locked memory (VmLck); with mem_lock = yes, none locked
 * is -EPERM with err naming its RLIMIT_MEMLOCK.
 */
int kvm_check_mem_lock(struct env_case *ec, pid_t qemu, char *err,
		       size_t errsz);

#endif
