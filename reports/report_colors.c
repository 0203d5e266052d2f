/*
 * report_colors.c - the one colour table of the reports: a fixed colour
 * per environment, the same in every figure of every style (per-case
 * curves, environment overlays, the matrix, profiles compared, paper PDFs)
 * and in the HTML tables' swatches, so a reader follows "kvm" through a
 * whole white paper by its colour alone.
 *
 * Kept here alone so that moving the colour behind a per-environment
 * property (harness/env/envs.def) changes one file.  Metric colours
 * (p50 / p99 / max of the overview) are greys, never an environment's
 * colour, so a red bar always means kvm.
 */
#include <string.h>

#include "reports/report_int.h"

static const struct {
	const char *env, *rgb;
} env_colour[] = {
	{ "bare", "#1f77b4" },  /* blue */
	{ "lxc", "#2ca02c" },   /* green */
	{ "kvm", "#d62728" },   /* red */
	{ "xen", "#9467bd" },   /* purple */
};

const char *rpt_env_colour(const char *environment)
{
	for (size_t i = 0; i < sizeof(env_colour) / sizeof(env_colour[0]); i++)
		if (environment && !strcmp(environment, env_colour[i].env))
			return env_colour[i].rgb;
	return "#444444"; /* an environment this list does not know yet */
}

int rpt_env_rank(const char *environment)
{
	for (size_t i = 0; i < sizeof(env_colour) / sizeof(env_colour[0]); i++)
		if (environment && !strcmp(environment, env_colour[i].env))
			return (int)i;
	return (int)(sizeof(env_colour) / sizeof(env_colour[0]));
}

const char *rpt_metric_grey(int k)
{
	static const char *const grey[] = { "#c8c8c8", "#8c8c8c", "#3c3c3c" };

	return grey[k < 0 ? 0 : k > 2 ? 2 : k];
}
