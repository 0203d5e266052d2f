/*
 * report_colors.c - the metric colours of the reports.  An environment's
 * colour is its line in harness/env/envs.def (lists.c: rpt_env_colour),
 * the same in every figure of every style and in the HTML swatches, so a
 * reader follows "kvm" through a whole white paper by its colour alone.
 * Metric colours (p50 / p99 / max of the overview) are greys, never an
 * environment's colour, so a red bar always means kvm.
 */
#include "reports/report_int.h"

const char *rpt_metric_grey(int k)
{
	static const char *const grey[] = { "#c8c8c8", "#8c8c8c", "#3c3c3c" };

	return grey[k < 0 ? 0 : k > 2 ? 2 : k];
}
