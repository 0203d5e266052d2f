/*
 * guest_keys.c - the guest room's check of its keys taken together
 * (harness/scenario/scenario_checks.def): in a guest, cpus and
 * housekeeping are vCPU numbers, so vcpus must cover them.
 */
#include <errno.h>
#include <stdio.h>

#include "harness/scenario/scenario.h"

int guest_scn_check(const struct scn_params *p, const char **blame,
		    char *why, size_t whysz)
{
	unsigned top;

	if (!p->vcpus || p->cpus.n == 0)
		return 0;
	top = p->cpus.cpu[p->cpus.n - 1];
	if (p->housekeeping > (int)top)
		top = (unsigned)p->housekeeping;
	if (top < p->vcpus)
		return 0;
	*blame = "vcpus";
	snprintf(why, whysz, "vcpus = %u but the scenario uses vCPU %u "
		 "(cpus/housekeeping are vCPU numbers in a guest); expected "
		 "vcpus >= %u", p->vcpus, top, top + 1);
	return -EINVAL;
}
