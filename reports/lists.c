/*
 * lists.c - what reports know of environments and workloads: their
 * colour, which environment is the reference (bare metal), a workload's
 * flags.  Expanded from the harness's own lists (harness/env/envs.def,
 * workloads/workloads.def), which are header-only data: reports/ never
 * links the harness, and a new environment brings its colour in its one
 * list line.  Reports read names from the store, so a run recorded by an
 * older isolat is shown with the same colours.
 */
#include <string.h>

#include "reports/report_int.h"
#include "workloads/wl_flags.h"

static const struct {
	const char *name, *rgb;
	int reference;
} envs[] = {
#define X(n, colour, ref) { #n, colour, ref },
#include "harness/env/envs.def"
#undef X
};

static const struct {
	const char *name;
	unsigned flags;
} workloads[] = {
#define X(n, flags, d, needs, pkg) { #n, flags },
#include "workloads/workloads.def"
#undef X
};

const char *rpt_env_colour(const char *environment)
{
	for (size_t i = 0; i < sizeof(envs) / sizeof(envs[0]); i++)
		if (environment && !strcmp(environment, envs[i].name))
			return envs[i].rgb;
	return "#444444"; /* an environment this build does not know */
}

int rpt_env_is_reference(const char *environment)
{
	for (size_t i = 0; i < sizeof(envs) / sizeof(envs[0]); i++)
		if (environment && !strcmp(environment, envs[i].name))
			return envs[i].reference;
	return 0;
}

int rpt_env_rank(const char *environment)
{
	for (size_t i = 0; i < sizeof(envs) / sizeof(envs[0]); i++)
		if (environment && !strcmp(environment, envs[i].name))
			return (int)i;
	return (int)(sizeof(envs) / sizeof(envs[0]));
}

int rpt_workload_is(const char *workload, unsigned flag)
{
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		if (workload && !strcmp(workload, workloads[i].name))
			return (workloads[i].flags & flag) == flag;
	return 0;
}
