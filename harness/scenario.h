/*
 * scenario.h - scenario files: what to measure, as an INI matrix.
 *
 * fio-style INI parsed with libinih.  Every key is validated against one
 * table (scenario_keys.c); an error names FILE:LINE, what is wrong and what
 * is expected.  Parsing never touches the host or the database.
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
 *   ; kvm environment (harness/env_kvm.c); cpus/housekeeping are vCPUs
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
 *   ; ftrace on threshold (host-side cases; harness/trace.c)
 *   trace_threshold_us = 100             ; rtlat: a latency above it stops
 *                                        ;  the ftrace ring, the trace is
 *                                        ;  stored with the case (0 = off)
 *
 *   [profile NAME]                       ; isolation profiles (host knobs
 *   description  = ...                   ;  come with the profiles issue)
 *   guest_cmdline = isolcpus=1 ...       ; kvm: appended for this profile
 *   vcpu_priority = 90                   ; kvm: overrides the scenario's
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

struct scn_profile {
	char name[SCN_NAME_MAX];
	char description[256];
	int line;
	/* kvm guest side of the profile */
	char guest_cmdline[1024]; /* after the scenario's guest_cmdline */
	int vcpu_priority;        /* -1: the scenario's */
};

struct scn_params {
	struct cpulist cpus;
	int cpus_line;
	int housekeeping; /* -1: first online CPU that is not measured */
	int housekeeping_line;
	char policy[8];
	int priority;
	uint32_t interval_us;
	uint32_t duration_s; /* 0 when loops is given */
	uint64_t loops;      /* 0 when duration_s is given */
	uint32_t hello_timeout_s;
	uint32_t grace_s;
	/* kvm (empty / 0: the backend's default) */
	char kvm_kernel[1024];
	int kvm_kernel_line;
	char kvm_modules[1024];
	int kvm_modules_line;
	char guest_cmdline[1024];
	int guest_cmdline_line;
	unsigned vcpus;
	int vcpus_line;
	unsigned memory_mb;
	char kvm_accel[8];    /* auto | kvm | tcg */
	int vcpu_priority;    /* 0: vCPU threads keep SCHED_OTHER */
	int mem_lock;
	uint32_t trace_threshold_us; /* 0: off */
};

struct scenario {
	char path[4096];
	char *text; /* the file as read, stored with the run */
	char name[SCN_NAME_MAX];
	char description[512];
	struct scn_list environments, profiles_used, workloads, loads;
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
/* Same from memory (tests); name is used in messages as the file name. */
int scenario_parse_string(const char *name, const char *text,
			  struct scenario *scn, char *err, size_t errsz);
void scenario_free(struct scenario *scn);

/* Loops a case of these parameters runs (duration converted). */
uint64_t scn_params_loops(const struct scn_params *p);

#endif
