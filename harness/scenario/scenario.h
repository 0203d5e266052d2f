/*
 * scenario.h - scenario files: what to measure, as an INI matrix.
 *
 * fio-style INI parsed with libinih.  Every [scenario] key is one line
 * in its room's table (scenario_keys_all.def lists them;
 * docs/scenario-keys.md), from which the parser, the defaults and
 * `isolat check --keys` come; an error names FILE:LINE, what is wrong and
 * what is expected.  Parsing never touches the host or the database.
 * The overview below is for reading; the tables are what the parser
 * knows.
 *
 *   [scenario]
 *   name         = smoke                 ; [A-Za-z0-9_.-]+
 *   description  = free text
 *   environments = bare                  ; list: the matrix axes
 *   profiles     = none
 *   workloads    = rtlat, cyclictest
 *   loads        = none
 *   repetitions  = 1
 *   ; measurement parameters (defaults for every case)
 *   cpus         = 1                     ; measured CPUs (cpulist)
 *   housekeeping = 0                     ; writer / main thread CPU
 *   policy       = fifo                  ; fifo | rr | other
 *   priority     = 95                    ; 1..99 for fifo/rr
 *   interval_us  = 1000
 *   duration_s   = 5                     ; or loops = N (not both)
 *   hello_timeout_s = 30                 ; no HELLO by then: case failed
 *   grace_s      = 30                    ; allowed overrun past duration
 *   ; kvm environment (harness/env/kvm/env_kvm.c); cpus/housekeeping are vCPUs
 *   kvm_kernel   = /boot/vmlinuz-VERSION ; guest kernel (default: the
 *                                        ;  host's, else the kernel cache)
 *   kvm_modules  = /lib/modules/VERSION  ; its modules (default: derived)
 *   guest_cmdline = isolcpus=1 nohz_full=1 ; appended to the guest's
 *   vcpus        = 2                     ; default: highest vCPU used + 1
 *   memory_mb    = 512
 *   kvm_accel    = auto                  ; auto | kvm | tcg
 *   vcpu_priority = 0                    ; SCHED_FIFO of measured vCPU
 *                                        ;  threads; 0 leaves SCHED_OTHER
 *   mem_lock     = no                    ; -overcommit mem-lock=on
 *                                        ;  (verified: QEMU's VmLck > 0)
 *   vcpu_pin     = 2-3                   ; kvm, xen: vCPU i hard-pinned to
 *                                        ;  the i-th host CPU as written
 *                                        ;  (5,4: vCPU 0 on 5; not sorted,
 *                                        ;  no CPU twice) (default:
 *                                        ;  vCPU i -> CPU i, else hk);
 *                                        ;  kvm: one online CPU per vCPU
 *   emulator_cpus = housekeeping         ; kvm: QEMU's non-vCPU threads
 *                                        ;  (housekeeping: host CPUs no
 *                                        ;  measured vCPU is pinned to)
 *   ; in a guest, host tuning, loads and counters act on the host CPUs
 *   ; the measured vCPUs are pinned to (plan_case.host_cpus)
 *   ; xen environment (harness/env/xen/env_xen.c); cpus/housekeeping are vCPUs
 *   xen_type     = pv                    ; pv | pvh
 *   xen_kernel   = /path/vmlinux         ; guest kernel (ELF is fastest;
 *                                        ;  default: as kvm_kernel)
 *   xen_pcpus    = 2-3                   ; old name of vcpu_pin
 *   xen_cpupool  = no                    ; yes: those pCPUs in a cpupool
 *                                        ;  of their own for the guest
 *   xen_sched    = credit2               ; that pool's scheduler: credit,
 *                                        ;  credit2, rtds or null
 *   xen_rtds_period_us = 10000           ; rtds: every vCPU's period and
 *   xen_rtds_budget_us = 10000           ;  budget (budget <= period)
 *   dom0_cpus    = housekeeping          ; dom0's vCPUs hard-pinned there
 *                                        ;  (| pCPU list) for the case
 *   ; ftrace on threshold (host-side cases; harness/host/trace.c)
 *   trace_threshold_us = 100             ; rtlat: a latency above it stops
 *                                        ;  the ftrace ring, the trace is
 *                                        ;  stored with the case (0 = off)
 *   ; background loads (harness/host/load_run.c); loads = cpu+memory combines
 *   load_cpus    = housekeeping          ; | measured | all | CPU list
 *   load_side    = host                  ; | inside: started by isolat-wl
 *                                        ;   in the container / guest
 *                                        ;   (load_cpus: its CPUs / vCPUs)
 *   load_settle_s = 2                    ; load runs this long before
 *   load_instances = 1                   ; default: one per load CPU
 *
 *   ; netlat (harness/net/net_keys.def, harness/net/)
 *   networks     = veth, bridge, ovs     ; | loopback: netlat cases
 *                                        ;  expand by network (default veth)
 *   peer         = bare                  ; where the reflector runs
 *   reply_timeout_us = 10000             ; a later reply is lost
 *   peer_cpu     = 0                     ; the reflector's CPU
 *                                        ;  (default: housekeeping)
 *   net_rps_cpus, net_xps_cpus = 0       ; host-side veth ends' RPS/XPS
 *   ovs_pmd_cpus = 0                     ; OVS pmd-cpu-mask
 *   ovs_cpus     = 0                     ; ovs-vswitchd's threads
 *                                        ;  (these four in a profile too)
 *
 *   [profile NAME]                       ; isolation profiles
 *   description  = ...
 *   guest_cmdline = isolcpus=1 ...       ; kvm: appended for this profile
 *   vcpu_pin, vcpu_priority, emulator_cpus, mem_lock, xen_cpupool,
 *   xen_sched, xen_rtds_period_us, xen_rtds_budget_us, dom0_cpus
 *                                        ; override the scenario's for the
 *                                        ;  profile's cases
 *   ; host, applied per case and undone after it (harness/host/tuning.c)
 *   irq_affinity = housekeeping          ; workqueue_cpumask = housekeeping
 *   timer_migration = 0                  ; sched_rt_runtime_us = -1
 *   governor = performance               ; thp = never; dma_latency = 0
 *   kthread_priority = 50                ; ksoftirqd/ktimers/rcuc of cpus
 *   cpuset_isolate = yes                 ; cgroup v1 isolat.* cpusets
 *   ; boot time.  bare, lxc: the host's, required, else the case is
 *   ; skipped at plan time.  kvm, xen: the guest kernel's - vCPU numbers,
 *   ; put on its command line (tuning_guest_boot_args), and the case fails
 *   ; unless the guest's HELLO reports them applied
 *   isolcpus = 1                         ; nohz_full, rcu_nocbs,
 *                                        ;  irqaffinity = 0, skew_tick = 1
 */
#ifndef ISOLAT_SCENARIO_H
#define ISOLAT_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "workloads/cpulist.h"

#define SCN_NAME_MAX 64
#define SCN_LIST_MAX 16
#define SCN_PROFILES_MAX 16

struct scn_list {
	unsigned n;
	char item[SCN_LIST_MAX][SCN_NAME_MAX];
	int line; /* where it was set; 0 = default */
};

#define SCN_OVERRIDES_MAX 16

/* A measurement parameter a profile sets for its cases (vcpu_pin,
 * vcpu_priority, emulator_cpus, mem_lock, xen_*): kept as text, validated
 * at parse time, applied per case by scenario_profile_params(). */
struct scn_override {
	int key;
	int line;
	char value[256];
};

struct scn_profile {
	char name[SCN_NAME_MAX];
	char description[256];
	int line;
	/* guest side of the profile (kvm, xen) */
	char guest_cmdline[1024]; /* after the scenario's guest_cmdline */
	struct scn_override over[SCN_OVERRIDES_MAX];
	unsigned nover;
	/* host, at run time (harness/host/tuning.c); unset = left as it is */
	int irq_affinity_hk;      /* irq_affinity = housekeeping */
	int workqueue_hk;         /* workqueue_cpumask = housekeeping */
	int timer_migration;      /* -1 unset */
	int rt_runtime_set;       /* sched_rt_runtime_us given */
	long long sched_rt_runtime_us;
	char governor[32];        /* "" unset */
	int dma_latency;          /* -1 unset; only 0 (held by rtlat) */
	char thp[16];             /* "" unset */
	int kthread_priority;     /* 0 unset */
	int cpuset_isolate;       /* cpuset_isolate = yes */
	/* boot time ("" / -1 unset): the host's, verified at plan time; in a
	 * guest the guest kernel's, verified from its HELLO */
	char isolcpus[256], nohz_full[256], rcu_nocbs[256], irqaffinity[256];
	int skew_tick;
};

/* The measurement parameters: [scenario] sets them, a [profile NAME] may
 * override some.  One field per key of the rooms' tables
 * (scenario_keys_all.def), each with NAME_line (where it was set, 0 =
 * default).  Empty / 0: the backend's default.  vcpu_pin is in the order
 * written, NOT sorted as other cpulists are (no cpulist_contains on it). */
struct scn_params {
#include "harness/scenario/scenario_fields.h"
};

struct scenario {
	char path[4096];
	char *text; /* the file as read, stored with the run */
	char name[SCN_NAME_MAX];
	char description[512];
	struct scn_list environments, profiles_used, workloads, loads;
	struct scn_list networks; /* netlat's paths; default veth */
	unsigned repetitions;
	struct scn_params params;
	struct scn_profile profiles[SCN_PROFILES_MAX];
	unsigned nprofiles;
	int environments_line;
};

/*
 * Parse and validate path.  On error returns -errno-like code and writes
 * "FILE:LINE: what is wrong; what is expected" into err.
 */
int scenario_load(const char *path, struct scenario *scn, char *err,
		  size_t errsz);
/*
 * scenario_load with nsets "KEY=VALUE" overrides of [scenario] keys
 * (`isolat run --set`, scenario_set.c): validated like the file's lines,
 * an error names "--set KEY=VALUE"; scn->text is the text as run.
 */
int scenario_load_set(const char *path, char *const *sets, unsigned nsets,
		      struct scenario *scn, char *err, size_t errsz);
/* Same from memory (tests); name is used in messages as the file name. */
int scenario_parse_string(const char *name, const char *text,
			  struct scenario *scn, char *err, size_t errsz);
void scenario_free(struct scenario *scn);

/* pr with prof's overrides applied (prof NULL: unchanged).  0. */
int scenario_profile_params(const struct scn_profile *prof,
			    struct scn_params *pr);

/* One key a scenario file may hold, for `isolat check --keys` and the
 * man pages: section "scenario" or "profile", type in words ("integer
 * 50..1000000", "fifo|rr|other", "cpulist", ...), def as written in a
 * file (NULL: unset, the doc says who decides). */
struct scn_key_info {
	const char *section, *name, *type, *def, *doc;
	int profile_overridable; /* also a [profile NAME] key */
};
typedef int (*scenario_key_fn)(const struct scn_key_info *k, void *arg);

/*
 * scenario_key_iter - fn for every key the parser takes: the [scenario]
 * keys of every room's table in order, then the [profile NAME] keys
 * (description, guest_cmdline, the overridable ones, the host tuning
 * keys).  Stops at fn's first non-zero return and returns it; else 0.
 */
int scenario_key_iter(scenario_key_fn fn, void *arg);

/* Loops a case of these parameters runs (duration converted). */
uint64_t scn_params_loops(const struct scn_params *p);

/* Each room's check of its keys taken together (scenario_checks.def). */
#define X(fn) int fn(const struct scn_params *p, const char **blame, \
		     char *why, size_t whysz);
#include "harness/scenario/scenario_checks.def"
#undef X

#endif
