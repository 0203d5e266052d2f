/*
 * scenario_params.c - one measurement parameter of a scenario: the
 * [scenario] defaults and a profile's overrides both come through
 * scn_param_key(), so a value means the same wherever it is written.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/scenario/scenario_int.h"
#include "workloads/cpulist.h"

/*
 * vcpu_pin: host CPUs in vCPU order ("5,4" puts vCPU 0 on 5), items N or
 * N-M (ascending), kept in the order written - unlike cpulist_parse,
 * which sorts.  A CPU twice would put two vCPUs on it: refused.
 */
static int pin_list_parse(const char *text, struct cpulist *out,
			  const char **why)
{
	unsigned char seen[CPULIST_MAX];
	const char *s = text;

	memset(seen, 0, sizeof(seen));
	out->n = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 0;
	for (;;) {
		unsigned long a, b;
		char *end;

		while (isspace((unsigned char)*s))
			s++;
		if (!isdigit((unsigned char)*s))
			return *why = "expected a CPU number", -EINVAL;
		a = strtoul(s, &end, 10);
		b = a;
		s = end;
		if (*s == '-') {
			s++;
			if (!isdigit((unsigned char)*s))
				return *why = "expected a CPU number after "
					      "'-'", -EINVAL;
			b = strtoul(s, &end, 10);
			s = end;
			if (b < a)
				return *why = "range end below start",
				       -EINVAL;
		}
		if (b >= CPULIST_MAX)
			return *why = "CPU number too large", -EINVAL;
		for (unsigned long c = a; c <= b; c++) {
			if (seen[c])
				return *why = "a host CPU listed twice (two "
					      "vCPUs on one CPU)", -EINVAL;
			seen[c] = 1;
			out->cpu[out->n++] = (unsigned short)c;
		}
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			return 0;
		if (*s != ',')
			return *why = "expected ',' between items", -EINVAL;
		s++;
	}
}



const char *const scn_key_names[K_COUNT] = {
	[K_NAME] = "name", [K_DESCRIPTION] = "description",
	[K_ENVIRONMENTS] = "environments", [K_PROFILES] = "profiles",
	[K_WORKLOADS] = "workloads", [K_LOADS] = "loads",
	[K_REPETITIONS] = "repetitions", [K_CPUS] = "cpus",
	[K_HOUSEKEEPING] = "housekeeping", [K_POLICY] = "policy",
	[K_PRIORITY] = "priority", [K_INTERVAL] = "interval_us",
	[K_DURATION] = "duration_s", [K_LOOPS] = "loops",
	[K_HELLO_TIMEOUT] = "hello_timeout_s", [K_GRACE] = "grace_s",
	[K_KVM_KERNEL] = "kvm_kernel", [K_KVM_MODULES] = "kvm_modules",
	[K_GUEST_CMDLINE] = "guest_cmdline", [K_VCPUS] = "vcpus",
	[K_MEMORY] = "memory_mb", [K_KVM_ACCEL] = "kvm_accel",
	[K_VCPU_PRIORITY] = "vcpu_priority", [K_MEM_LOCK] = "mem_lock",
	[K_TRACE_THRESHOLD] = "trace_threshold_us",
	[K_XEN_TYPE] = "xen_type", [K_XEN_KERNEL] = "xen_kernel",
	[K_XEN_SCHED] = "xen_sched", [K_XEN_CPUPOOL] = "xen_cpupool",
	[K_XEN_PCPUS] = "xen_pcpus", [K_XEN_RTDS_PERIOD] = "xen_rtds_period_us",
	[K_XEN_RTDS_BUDGET] = "xen_rtds_budget_us",
	[K_VCPU_PIN] = "vcpu_pin", [K_EMULATOR_CPUS] = "emulator_cpus",
	[K_LOAD_CPUS] = "load_cpus", [K_LOAD_SIDE] = "load_side",
	[K_LOAD_SETTLE] = "load_settle_s",
	[K_LOAD_INSTANCES] = "load_instances",
	[K_DOM0_CPUS] = "dom0_cpus",
	[K_NETWORKS] = "networks", [K_PEER] = "peer",
	[K_REPLY_TIMEOUT] = "reply_timeout_us", [K_PEER_CPU] = "peer_cpu",
	[K_NET_RPS_CPUS] = "net_rps_cpus", [K_NET_XPS_CPUS] = "net_xps_cpus",
	[K_OVS_PMD_CPUS] = "ovs_pmd_cpus", [K_OVS_CPUS] = "ovs_cpus",
};

/* An absolute path QEMU can take as one argv element: no control
 * characters, and no ',' (QEMU's option syntax would split on it). */
static int valid_path(const char *v)
{
	if (v[0] != '/' || strlen(v) >= 1024)
		return 0;
	for (; *v; v++)
		if (iscntrl((unsigned char)*v) || *v == ',')
			return 0;
	return 1;
}

/* Kernel parameters: printable, no quotes or backslashes (the kernel's
 * own quoting would change their meaning), at most 1023 characters. */
int scn_valid_cmdline(const char *v)
{
	if (strlen(v) >= 1024)
		return 0;
	for (; *v; v++)
		if (!isprint((unsigned char)*v) || strchr("\"'\\`", *v))
			return 0;
	return 1;
}

int scn_num_key(struct parse *p, const char *key, const char *v,
		   uint64_t min, uint64_t max, uint64_t *out)
{
	if (scn_parse_u64(v, min, max, out) < 0)
		return scn_fail(p, "%s = %s: expected a whole number in %llu..%llu%s",
			    key, v, (unsigned long long)min,
			    (unsigned long long)max,
			    /* inih ends a value only at ';' */
			    strchr(v, '#') ? " (only ';' starts a comment "
					     "after a value)" : "");
	return 1;
}

/* A measurement parameter: [scenario] sets the defaults, a [profile NAME]
 * may override the virtualization ones (profile_overridable). */
int scn_param_key(struct parse *p, int k, const char *key,
		     const char *v, struct scn_params *pr)
{
	uint64_t x;

	switch (k) {
	case K_CPUS: {
		const char *why = NULL;

		if (cpulist_parse(v, &pr->cpus, &why) < 0 || pr->cpus.n == 0)
			return scn_fail(p, "cpus = %s: %s; expected a CPU list "
				    "such as 1 or 2-3,5", v,
				    why ? why : "empty list");
		pr->cpus_line = p->line;
		return 1;
	}
	case K_HOUSEKEEPING:
		if (!scn_num_key(p, key, v, 0, CPULIST_MAX - 1, &x))
			return 0;
		pr->housekeeping = (int)x;
		pr->housekeeping_line = p->line;
		return 1;
	case K_POLICY:
		if (strcmp(v, "fifo") && strcmp(v, "rr") && strcmp(v, "other"))
			return scn_fail(p, "policy = %s: expected fifo, rr or "
				    "other", v);
		strcpy(pr->policy, v);
		return 1;
	case K_PRIORITY:
		if (!scn_num_key(p, key, v, 0, 99, &x))
			return 0;
		pr->priority = (int)x;
		p->priority_line = p->line;
		return 1;
	case K_INTERVAL:
		/* Below 50 us even cyclictest only measures its own
		 * overhead; above 1 s a run says little. */
		if (!scn_num_key(p, key, v, 50, 1000000, &x))
			return 0;
		pr->interval_us = (uint32_t)x;
		return 1;
	case K_DURATION:
		if (!scn_num_key(p, key, v, 1, 7 * 24 * 3600, &x))
			return 0;
		pr->duration_s = (uint32_t)x;
		p->duration_line = p->line;
		return 1;
	case K_LOOPS:
		if (!scn_num_key(p, key, v, 1, 1000000000000ull, &x))
			return 0;
		pr->loops = x;
		p->loops_line = p->line;
		return 1;
	case K_HELLO_TIMEOUT:
		if (!scn_num_key(p, key, v, 1, 3600, &x))
			return 0;
		pr->hello_timeout_s = (uint32_t)x;
		return 1;
	case K_GRACE:
		if (!scn_num_key(p, key, v, 1, 3600, &x))
			return 0;
		pr->grace_s = (uint32_t)x;
		return 1;
	case K_KVM_KERNEL:
	case K_KVM_MODULES:
		if (!valid_path(v))
			return scn_fail(p, "%s = %s: expected an absolute path "
				    "without commas or control characters",
				    key, v);
		strcpy(k == K_KVM_KERNEL ? pr->kvm_kernel : pr->kvm_modules,
		       v);
		*(k == K_KVM_KERNEL ? &pr->kvm_kernel_line
				    : &pr->kvm_modules_line) = p->line;
		return 1;
	case K_GUEST_CMDLINE:
		if (!scn_valid_cmdline(v))
			return scn_fail(p, "guest_cmdline = %s: expected kernel "
				    "parameters such as isolcpus=1 nohz_full=1 "
				    "(printable, no quotes or backslashes)", v);
		strcpy(pr->guest_cmdline, v);
		pr->guest_cmdline_line = p->line;
		return 1;
	case K_VCPUS:
		if (!scn_num_key(p, key, v, 1, CPULIST_MAX, &x))
			return 0;
		pr->vcpus = (unsigned)x;
		pr->vcpus_line = p->line;
		return 1;
	case K_MEMORY:
		if (!scn_num_key(p, key, v, 64, 1u << 20, &x))
			return 0;
		pr->memory_mb = (unsigned)x;
		return 1;
	case K_KVM_ACCEL:
		if (strcmp(v, "auto") && strcmp(v, "kvm") && strcmp(v, "tcg"))
			return scn_fail(p, "kvm_accel = %s: expected auto, kvm or "
				    "tcg", v);
		strcpy(pr->kvm_accel, v);
		return 1;
	case K_VCPU_PRIORITY:
		if (!scn_num_key(p, key, v, 0, 99, &x))
			return 0;
		pr->vcpu_priority = (int)x;
		return 1;
	case K_MEM_LOCK:
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return scn_fail(p, "mem_lock = %s: expected yes or no", v);
		pr->mem_lock = !strcmp(v, "yes");
		return 1;
	case K_TRACE_THRESHOLD:
		/* rtlat latencies above it stop the host's ftrace ring. */
		if (!scn_num_key(p, key, v, 1, 60000000, &x))
			return 0;
		pr->trace_threshold_us = (uint32_t)x;
		return 1;
	case K_XEN_TYPE:
		if (strcmp(v, "pv") && strcmp(v, "pvh"))
			return scn_fail(p, "xen_type = %s: expected pv or pvh", v);
		strcpy(pr->xen_type, v);
		return 1;
	case K_XEN_KERNEL:
		if (!valid_path(v))
			return scn_fail(p, "xen_kernel = %s: expected an absolute "
				    "path without commas or control "
				    "characters", v);
		strcpy(pr->xen_kernel, v);
		pr->xen_kernel_line = p->line;
		return 1;
	case K_XEN_SCHED:
		if (strcmp(v, "credit") && strcmp(v, "credit2") &&
		    strcmp(v, "rtds") && strcmp(v, "null"))
			return scn_fail(p, "xen_sched = %s: expected credit, "
				    "credit2, rtds or null", v);
		strcpy(pr->xen_sched, v);
		return 1;
	case K_XEN_CPUPOOL:
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return scn_fail(p, "xen_cpupool = %s: expected yes or no",
				    v);
		pr->xen_cpupool = !strcmp(v, "yes");
		return 1;
	case K_XEN_PCPUS: /* its first name, from the Xen backend */
	case K_VCPU_PIN: {
		const char *why = NULL;

		if (pin_list_parse(v, &pr->vcpu_pin, &why) < 0 ||
		    pr->vcpu_pin.n == 0)
			return scn_fail(p, "%s = %s: %s; expected host CPUs "
				    "in vCPU order such as 5,4 or 2-3 (vCPU "
				    "i is pinned to the i-th)",
				    key, v, why ? why : "empty list");
		pr->vcpu_pin_line = p->line;
		return 1;
	}
	case K_EMULATOR_CPUS: {
		struct cpulist cl;
		const char *why = NULL;

		/* Resolved against this host at run time (env_kvm.c). */
		if (strcmp(v, "housekeeping") &&
		    (cpulist_parse(v, &cl, &why) < 0 || cl.n == 0))
			return scn_fail(p, "emulator_cpus = %s: expected "
				    "housekeeping or host CPUs such as 0", v);
		snprintf(pr->emulator_cpus, sizeof(pr->emulator_cpus), "%s",
			 v);
		pr->emulator_cpus_line = p->line;
		return 1;
	}
	case K_XEN_RTDS_PERIOD:
	case K_XEN_RTDS_BUDGET:
		/* Xen's RTDS takes 10 us .. 1 s comfortably. */
		if (!scn_num_key(p, key, v, 10, 1000000, &x))
			return 0;
		*(k == K_XEN_RTDS_PERIOD ? &pr->xen_rtds_period_us
					 : &pr->xen_rtds_budget_us) =
			(uint32_t)x;
		return 1;
	case K_LOAD_CPUS: {
		struct cpulist cl;
		const char *why = NULL;

		/* Resolved against this host at plan time (plan.c). */
		if (strcmp(v, "housekeeping") && strcmp(v, "measured") &&
		    strcmp(v, "all") &&
		    (cpulist_parse(v, &cl, &why) < 0 || cl.n == 0))
			return scn_fail(p, "load_cpus = %s: expected housekeeping, "
				    "measured, all or a CPU list such as 0,2-3",
				    v);
		snprintf(pr->load_cpus, sizeof(pr->load_cpus), "%s", v);
		pr->load_cpus_line = p->line;
		return 1;
	}
	case K_DOM0_CPUS: {
		struct cpulist cl;
		const char *why = NULL;

		/* Checked against this Xen's pCPUs per case (env_xen.c). */
		if (strcmp(v, "housekeeping") &&
		    (cpulist_parse(v, &cl, &why) < 0 || cl.n == 0))
			return scn_fail(p, "dom0_cpus = %s: expected housekeeping "
				    "or pCPUs such as 0-1", v);
		snprintf(pr->dom0_cpus, sizeof(pr->dom0_cpus), "%s", v);
		return 1;
	}
	case K_LOAD_SIDE:
		if (strcmp(v, "host") && strcmp(v, "inside"))
			return scn_fail(p, "load_side = %s: expected host or "
				    "inside", v);
		pr->load_inside = !strcmp(v, "inside");
		return 1;
	case K_LOAD_SETTLE:
		if (!scn_num_key(p, key, v, 0, 600, &x))
			return 0;
		pr->load_settle_s = (unsigned)x;
		return 1;
	case K_LOAD_INSTANCES:
		if (!scn_num_key(p, key, v, 1, 1024, &x))
			return 0;
		pr->load_instances = (unsigned)x;
		return 1;
	}
	if (k >= K_PEER && k < K_COUNT)
		return scn_net_key(p, k, key, v, pr);
	return 1;
}
