/*
 * scenario_net.c - netlat's scenario keys, in one place: peer,
 * reply_timeout_us, peer_cpu and the network path's isolation keys
 * (net_rps_cpus, net_xps_cpus, ovs_pmd_cpus, ovs_cpus), which a profile
 * may set too.  `networks` (the list the cases expand by) is parsed with
 * the other lists in scenario.c.
 */
#include <stdio.h>
#include <string.h>

#include "harness/scenario/scenario_int.h"
#include "workloads/cpulist.h"

void scn_net_defaults(struct scn_params *pr)
{
	strcpy(pr->net.peer, "bare");
	pr->net.reply_timeout_us = 10000;
	pr->net.peer_cpu = -1;
}

int scn_net_profile_key(int k)
{
	return k == K_NET_RPS_CPUS || k == K_NET_XPS_CPUS ||
	       k == K_OVS_PMD_CPUS || k == K_OVS_CPUS;
}

int scn_net_key(struct parse *p, int k, const char *key, const char *v,
		struct scn_params *pr)
{
	struct cpulist *cl = k == K_NET_RPS_CPUS   ? &pr->net.rps_cpus
			     : k == K_NET_XPS_CPUS ? &pr->net.xps_cpus
			     : k == K_OVS_PMD_CPUS ? &pr->net.ovs_pmd_cpus
			     : k == K_OVS_CPUS     ? &pr->net.ovs_cpus
						   : NULL;
	const char *why = NULL;
	uint64_t x;

	switch (k) {
	case K_PEER:
		/* The reflector is the far end; the measured end runs in
		 * the case's environment (lxc, kvm: environments =). */
		if (strcmp(v, "bare"))
			return scn_fail(p, "peer = %s: expected bare (the "
				    "reflector runs bare in a namespace of its "
				    "own; to measure lxc or kvm against it, "
				    "list them in environments =)", v);
		strcpy(pr->net.peer, v);
		return 1;
	case K_REPLY_TIMEOUT:
		if (!scn_num_key(p, key, v, 1, 10000000, &x))
			return 0;
		pr->net.reply_timeout_us = (uint32_t)x;
		return 1;
	case K_PEER_CPU:
		if (!scn_num_key(p, key, v, 0, CPULIST_MAX - 1, &x))
			return 0;
		pr->net.peer_cpu = (int)x;
		return 1;
	}
	if (!cl)
		return scn_fail(p, "unknown key '%s'", key);
	if (cpulist_parse(v, cl, &why) < 0 || cl->n == 0)
		return scn_fail(p, "%s = %s: expected host CPUs such as 0 or "
			    "0-1%s%s", key, v, why ? ": " : "", why ? why : "");
	/* pmd-cpu-mask is one 64-bit word here (cpumask_hex). */
	if (k == K_OVS_PMD_CPUS && cl->cpu[cl->n - 1] >= 64)
		return scn_fail(p, "%s = %s: expected CPUs below 64", key, v);
	return 1;
}
