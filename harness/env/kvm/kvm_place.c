/*
 * kvm_place.c - see kvm_place.h.
 */
#include "harness/env/kvm/kvm_place.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/env/kvm/kvm_cmd.h"
#include "harness/run/plan.h"
#include "harness/util.h"

#define QMP_REPLY_MS 5000
#define STR_(x) #x
#define STR(x) STR_(x)

static int host_online(struct cpulist *online)
{
	char text[4096];
	const char *why;

	if (read_text("/sys/devices/system/cpu/online", text,
		      sizeof(text)) < 0 ||
	    cpulist_parse(text, online, &why) < 0)
		return -EIO;
	return 0;
}

static int same_cpus(const struct cpulist *a, const struct cpulist *b)
{
	return a->n == b->n &&
	       !memcmp(a->cpu, b->cpu, a->n * sizeof(a->cpu[0]));
}

/* Set tid's affinity to want, then read back what the kernel applied. */
static int pin(pid_t tid, const struct cpulist *want, struct cpulist *got)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	for (unsigned i = 0; i < want->n; i++)
		if (want->cpu[i] < CPU_SETSIZE)
			CPU_SET(want->cpu[i], &s);
	if (sched_setaffinity(tid, sizeof(s), &s) < 0 ||
	    sched_getaffinity(tid, sizeof(s), &s) < 0)
		return -errno;
	got->n = 0;
	for (unsigned c = 0; c < CPU_SETSIZE && got->n < CPULIST_MAX; c++)
		if (CPU_ISSET(c, &s))
			got->cpu[got->n++] = (unsigned short)c;
	return 0;
}

/* "SCHED_FIFO 50", as the kernel has it now. */
static int policy_text(pid_t tid, char *buf, size_t size, int *fifo_prio)
{
	struct sched_param sp = {0};
	int pol = sched_getscheduler(tid);

	if (pol < 0 || sched_getparam(tid, &sp) < 0)
		return -errno;
	pol &= ~SCHED_RESET_ON_FORK;
	snprintf(buf, size, "%s %d",
		 pol == SCHED_FIFO ? "SCHED_FIFO"
		 : pol == SCHED_RR ? "SCHED_RR"
		 : pol == SCHED_OTHER ? "SCHED_OTHER" : "SCHED_BATCH/IDLE",
		 sp.sched_priority);
	*fifo_prio = pol == SCHED_FIFO ? sp.sched_priority : 0;
	return 0;
}

/* kvm.vcpu.I.WHAT = v */
static void fact_vcpu(struct env_case *ec, int i, const char *what,
		      const char *v)
{
	char key[96];

	snprintf(key, sizeof(key), "kvm.vcpu.%d.%s", i, what);
	ec->fact(ec->fact_ctx, key, v);
}

static int place_vcpu(struct env_case *ec, const struct qmp_vcpu *v,
		      unsigned cpu, char *err, size_t errsz)
{
	const struct scn_params *p = &ec->pc->params;
	int prio = p->vcpu_priority, measured, fifo = 0, rc;
	struct cpulist want = {.n = 1}, got;
	char text[256];

	want.cpu[0] = (unsigned short)cpu;
	measured = cpulist_contains(&p->cpus, (unsigned)v->index);
	snprintf(text, sizeof(text), "%d", (int)v->tid);
	fact_vcpu(ec, v->index, "tid", text);
	snprintf(text, sizeof(text), "%u", cpu);
	fact_vcpu(ec, v->index, "host_cpu", text);
	rc = pin(v->tid, &want, &got);
	if (rc < 0) {
		snprintf(err, errsz, "cannot pin vCPU %d (thread %d) to host "
			 "CPU %u: %s", v->index, (int)v->tid, cpu,
			 strerror(-rc));
		return rc;
	}
	cpulist_format(&got, text, sizeof(text));
	fact_vcpu(ec, v->index, "affinity", text);
	if (!same_cpus(&want, &got)) {
		snprintf(err, errsz, "vCPU %d (thread %d): pinned to host CPU "
			 "%u, the kernel applied %s (a cpuset?)", v->index,
			 (int)v->tid, cpu, text);
		return -EIO;
	}
	if (measured && prio > 0) {
		struct sched_param sp = {.sched_priority = prio};

		if (sched_setscheduler(v->tid, SCHED_FIFO, &sp) < 0) {
			rc = -errno;
			snprintf(err, errsz, "cannot give vCPU %d (thread %d) "
				 "SCHED_FIFO %d: %s", v->index, (int)v->tid,
				 prio, strerror(errno));
			return rc;
		}
	}
	rc = policy_text(v->tid, text, sizeof(text), &fifo);
	if (rc < 0) {
		snprintf(err, errsz, "vCPU %d (thread %d): reading its "
			 "policy: %s", v->index, (int)v->tid, strerror(-rc));
		return rc;
	}
	fact_vcpu(ec, v->index, "policy", text);
	if (measured && prio > 0 && fifo != prio) {
		snprintf(err, errsz, "vCPU %d (thread %d): SCHED_FIFO %d set, "
			 "the kernel has %s", v->index, (int)v->tid, prio,
			 text);
		return -EIO;
	}
	return 0;
}

static int was_placed(const struct kvm_placed *placed, pid_t qemu, pid_t tid)
{
	if (placed->qemu != qemu)
		return 0;
	for (unsigned i = 0; i < placed->n; i++)
		if (placed->tid[i] == tid)
			return 1;
	return 0;
}

static void mark_placed(struct kvm_placed *placed, pid_t tid)
{
	if (placed->n < sizeof(placed->tid) / sizeof(placed->tid[0]))
		placed->tid[placed->n++] = tid;
}

/* One QEMU thread that is not a vCPU onto emu (list: emu as text);
 * 1 when it has ended meanwhile. */
static int pin_other(pid_t tid, const struct cpulist *emu, const char *list,
		     char *err, size_t errsz)
{
	struct cpulist got;
	char text[512];
	int rc = pin(tid, emu, &got);

	if (rc == -ESRCH)
		return 1;
	if (rc < 0) {
		snprintf(err, errsz, "cannot put QEMU thread %d on host CPUs "
			 "%s: %s", (int)tid, list, strerror(-rc));
		return rc;
	}
	if (!same_cpus(emu, &got)) {
		cpulist_format(&got, text, sizeof(text));
		snprintf(err, errsz, "QEMU thread %d: put on host CPUs %s, the "
			 "kernel applied %s (a cpuset?)", (int)tid, list, text);
		return -EIO;
	}
	return 0;
}

/* QEMU's threads that are not vCPUs onto the emulator CPUs.  Threads it
 * starts later inherit the mask of the (pinned) thread that starts them:
 * kvm_place_late looks once more after the guest is started. */
/*
 * Every thread of QEMU not placed yet (the vCPUs are, first) onto emu
 * (list: emu as text), back to SCHED_OTHER if it inherited a vCPU's
 * SCHED_FIFO; *count: how many.  0 or -errno with err set.
 */
static int pin_unplaced(struct kvm_placed *placed, pid_t qemu,
			const struct cpulist *emu, const char *list,
			int *count, char *err, size_t errsz)
{
	struct sched_param sp = {0};
	char path[64];
	struct dirent *e;
	int rc = 0;
	DIR *d;

	*count = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)qemu);
	d = opendir(path);
	if (!d) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return rc;
	}
	while ((e = readdir(d))) {
		pid_t tid = (pid_t)atoi(e->d_name);
		int r;

		if (tid <= 0 || was_placed(placed, qemu, tid))
			continue;
		r = pin_other(tid, emu, list, err, errsz);
		if (r == 1) /* ended meanwhile */
			continue;
		if (r < 0) {
			rc = r;
			break;
		}
		if ((sched_getscheduler(tid) & ~SCHED_RESET_ON_FORK) !=
		    SCHED_OTHER)
			sched_setscheduler(tid, SCHED_OTHER, &sp);
		mark_placed(placed, tid);
		(*count)++;
	}
	closedir(d);
	return rc;
}

static int place_emulator(struct env_case *ec, struct kvm_placed *placed,
			  pid_t qemu, const struct cpulist *online, char *err,
			  size_t errsz)
{
	const struct scn_params *p = &ec->pc->params;
	struct cpulist emu;
	char list[256], text[512];
	int threads, rc;

	if (kvm_emulator_cpus(p, online, &ec->pc->host_cpus, &emu) < 0) {
		snprintf(err, errsz, "emulator_cpus = %s: not a CPU list",
			 p->emulator_cpus);
		return -EINVAL;
	}
	cpulist_format(&emu, list, sizeof(list));
	/* The vCPU threads are marked placed already. */
	rc = pin_unplaced(placed, qemu, &emu, list, &threads, err, errsz);
	if (rc < 0)
		return rc;
	placed->emu = emu;
	ec->fact(ec->fact_ctx, "kvm.emulator.cpus", list);
	snprintf(text, sizeof(text), "%d", threads);
	ec->fact(ec->fact_ctx, "kvm.emulator.threads", text);
	ec->fact(ec->fact_ctx, "kvm.emulator.rule",
		 p->emulator_cpus[0] && strcmp(p->emulator_cpus,
					       "housekeeping")
		 ? "emulator_cpus"
		 : "housekeeping: online host CPUs no measured vCPU is "
		   "pinned to");
	snprintf(text, sizeof(text), "%d threads on host CPUs %s", threads,
		 list);
	ec->fact(ec->fact_ctx, "kvm.other_threads", text);
	return 0;
}

int kvm_place_threads(struct env_case *ec, struct qmp *qmp, pid_t qemu,
		      struct kvm_placed *placed, char *err, size_t errsz)
{
	const struct scn_params *p = &ec->pc->params;
	struct qmp_vcpu *v = placed->v;
	char *reply = placed->reply;
	unsigned short *map = placed->map;
	unsigned nv = guest_vcpus(p);
	struct cpulist online;
	char text[32];
	int n, rc;

	placed->qemu = qemu;
	placed->n = 0;
	placed->emu.n = 0;
	rc = qmp_command(qmp, "{\"execute\": \"query-cpus-fast\"}", reply,
			 sizeof(placed->reply), QMP_REPLY_MS);
	n = rc == 0 ? qmp_parse_vcpus(reply, v, QMP_MAX_VCPUS) : -EINVAL;
	if (n <= 0) {
		snprintf(err, errsz, "query-cpus-fast: %s",
			 rc < 0 ? strerror(-rc)
			 : n == -E2BIG ? "more than " STR(QMP_MAX_VCPUS)
					 " vCPUs"
			 : "no vCPU thread ids");
		return -EIO;
	}
	/* Every vCPU placed or the case fails: never a guest half-pinned. */
	if ((unsigned)n != nv) {
		snprintf(err, errsz, "query-cpus-fast lists %d vCPU threads; "
			 "the guest has %u vCPUs", n, nv);
		return -EIO;
	}
	if (host_online(&online) < 0) {
		snprintf(err, errsz, "cannot read the host's online CPUs");
		return -EIO;
	}
	if (nv > CPULIST_MAX || kvm_vcpu_map(p, &online, map, nv) < 0) {
		snprintf(err, errsz, "vcpu_pin lists fewer host CPUs than the "
			 "guest's %u vCPUs", nv);
		return -EINVAL;
	}
	for (int i = 0; i < n; i++) {
		if (v[i].index < 0 || (unsigned)v[i].index >= nv) {
			snprintf(err, errsz, "QEMU reports vCPU %d; the guest "
				 "has %u", v[i].index, nv);
			return -EIO;
		}
		rc = place_vcpu(ec, &v[i], map[v[i].index], err, errsz);
		if (rc < 0)
			return rc;
		mark_placed(placed, v[i].tid);
	}
	rc = place_emulator(ec, placed, qemu, &online, err, errsz);
	if (rc < 0)
		return rc;
	snprintf(text, sizeof(text), "%d", n);
	ec->fact(ec->fact_ctx, "kvm.vcpus", text);
	return 0;
}

int kvm_place_late(struct env_case *ec, pid_t qemu,
		   struct kvm_placed *placed, char *err, size_t errsz)
{
	char list[256], text[32];
	int late, rc;

	if (placed->qemu != qemu || !placed->emu.n)
		return 0; /* kvm_place_threads did not place this QEMU */
	cpulist_format(&placed->emu, list, sizeof(list));
	/* Threads started by a vCPU thread carry its SCHED_FIFO along. */
	rc = pin_unplaced(placed, qemu, &placed->emu, list, &late, err,
			  errsz);
	if (rc < 0)
		return rc;
	snprintf(text, sizeof(text), "%d", late);
	ec->fact(ec->fact_ctx, "kvm.emulator.late_threads", text);
	return 0;
}

/* "VmLck:   1234 kB" -> 1234; -1 when absent. */
static long long status_kb(const char *status, const char *key)
{
	const char *s = strstr(status, key);

	return s ? strtoll(s + strlen(key), NULL, 10) : -1;
}

int kvm_check_mem_lock(struct env_case *ec, pid_t qemu, char *err,
		       size_t errsz)
{
	const struct scn_params *p = &ec->pc->params;
	char path[64], status[8192], limits[4096], text[256];
	const char *lim;
	long long kb;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)qemu);
	if (read_text(path, status, sizeof(status)) < 0) {
		snprintf(err, errsz, "%s: cannot read it", path);
		return -EIO;
	}
	kb = status_kb(status, "\nVmLck:");
	snprintf(text, sizeof(text), "%s: VmLck %lld kB",
		 p->mem_lock ? "yes" : "no", kb);
	ec->fact(ec->fact_ctx, "kvm.mem_lock", text);
	if (!p->mem_lock || kb > 0)
		return 0;
	/* QEMU exits when mlockall fails, but say why if it ever does not. */
	snprintf(path, sizeof(path), "/proc/%d/limits", (int)qemu);
	limits[0] = '\0';
	read_text(path, limits, sizeof(limits));
	lim = strstr(limits, "Max locked memory");
	snprintf(err, errsz, "mem_lock = yes but QEMU has no memory locked "
		 "(VmLck %lld kB; %.*s)", kb,
		 lim ? (int)strcspn(lim, "\n") : 30,
		 lim ? lim : "its RLIMIT_MEMLOCK unknown");
	return -EPERM;
}
