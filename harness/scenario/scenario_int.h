/*
 * scenario_int.h - what scenario.c (the file, its sections, the matrix)
 * and scenario_params.c (one measurement parameter's value) share.
 */
#ifndef ISOLAT_SCENARIO_INT_H
#define ISOLAT_SCENARIO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "harness/scenario/scenario.h"

struct parse {
	struct scenario *scn;
	const char *file; /* for messages */
	const char *text, *pos;
	int line;
	int failed;
	char *err;
	size_t errsz;
	uint64_t seen; /* bit per scenario key, to reject duplicates */
	int loops_line, duration_line, priority_line;
};

enum key_id {
	K_NAME, K_DESCRIPTION, K_ENVIRONMENTS, K_PROFILES, K_WORKLOADS,
	K_LOADS, K_REPETITIONS, K_CPUS, K_HOUSEKEEPING, K_POLICY, K_PRIORITY,
	K_INTERVAL, K_DURATION, K_LOOPS, K_HELLO_TIMEOUT, K_GRACE,
	K_KVM_KERNEL, K_KVM_MODULES, K_GUEST_CMDLINE, K_VCPUS, K_MEMORY,
	K_KVM_ACCEL, K_VCPU_PRIORITY, K_MEM_LOCK, K_TRACE_THRESHOLD,
	K_XEN_TYPE, K_XEN_KERNEL, K_XEN_SCHED, K_XEN_CPUPOOL, K_XEN_PCPUS,
	K_XEN_RTDS_PERIOD, K_XEN_RTDS_BUDGET, K_VCPU_PIN, K_EMULATOR_CPUS,
	K_LOAD_CPUS, K_LOAD_SIDE, K_LOAD_SETTLE, K_LOAD_INSTANCES,
	K_DOM0_CPUS,
	/* netlat (scenario_net.c) */
	K_NETWORKS, K_PEER, K_REPLY_TIMEOUT, K_PEER_CPU, K_NET_RPS_CPUS,
	K_NET_XPS_CPUS, K_OVS_PMD_CPUS, K_OVS_CPUS,
	K_COUNT
};

extern const char *const scn_key_names[K_COUNT];

/* "FILE:LINE: " + the message into p->err (the first error only); 0. */
int scn_fail(struct parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A whole number in min..max; 0 or -EINVAL. */
int scn_parse_u64(const char *v, uint64_t min, uint64_t max, uint64_t *out);

/* key = v as a whole number in min..max, else scn_fail; 1 or 0. */
int scn_num_key(struct parse *p, const char *key, const char *v,
		uint64_t min, uint64_t max, uint64_t *out);

/* Kernel parameters a guest command line may take as they are. */
int scn_valid_cmdline(const char *v);

/* Measurement parameter k (K_CPUS and after) of [scenario], or a
 * profile's override of one, into pr; 1, or 0 after scn_fail. */
int scn_param_key(struct parse *p, int k, const char *key, const char *v,
		  struct scn_params *pr);

/* netlat's keys (scenario_net.c): the networks list into scn, a
 * parameter into pr.  1, or 0 after scn_fail. */
int scn_net_key(struct parse *p, int k, const char *key, const char *v,
		struct scn_params *pr);
/* Is k one of netlat's isolation keys a profile may set? */
int scn_net_profile_key(int k);
/* Defaults of netlat's parameters. */
void scn_net_defaults(struct scn_params *pr);

#endif
