/*
 * xen_keys.c - the xen room's check of its keys taken together
 * (harness/scenario/scenario_checks.def): an RTDS budget fits its period.
 */
#include <errno.h>
#include <stdio.h>

#include "harness/scenario/scenario.h"

int xen_scn_check(const struct scn_params *p, const char **blame,
		  char *why, size_t whysz)
{
	if (p->xen_rtds_budget_us <= p->xen_rtds_period_us)
		return 0;
	*blame = p->xen_rtds_budget_us_line >= p->xen_rtds_period_us_line
		 ? "xen_rtds_budget_us" : "xen_rtds_period_us";
	snprintf(why, whysz, "xen_rtds_budget_us = %u exceeds "
		 "xen_rtds_period_us = %u; expected budget <= period",
		 p->xen_rtds_budget_us, p->xen_rtds_period_us);
	return -EINVAL;
}
