/*
 * gate_ini.c - the [gate] section of a stored scenario text.
 *
 * Why here and not in harness/scenario/scenario.c: the gate judges a run by the
 * thresholds that were in force when it ran, so it reads them from
 * runs.scenario_text (a run is self-describing), which may be years old
 * and must not depend on today's scenario parser.  Only [gate] is looked
 * at; every other section is the scenario parser's business.
 *
 *   [gate]
 *   p99     = +10%          ; relative to the baseline
 *   max     = +50us         ; absolute
 *   p9999   = +20%, +5us    ; both must be exceeded to fail
 *   dropped = +0            ; any increase in lost samples fails
 *   alpha   = 0.01          ; level of the across-run test, or off
 *   over_at = 50us          ; the latency "over" and "run" count above
 *   over    = +0            ; rule: no more samples above it than baseline
 *   limit   = max=100us     ; absolute ceilings, as --limit (repeatable)
 *   limit   = over=50us:0
 *
 * inih reports the first line whose handler refused, which is the line
 * the message is about.
 */
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/gate.h"

struct gate_ini {
	struct gate_thresholds *th;
	double *alpha;
	int found;
	char msg[200];
};

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct gate_ini *g = user;
	char err[160];
	int m;

	if (strcmp(section, "gate"))
		return 1;
	g->found = 1;
	if (!strcmp(name, "alpha")) {
		double a;

		if (gate_alpha_parse(value, &a)) {
			if (!g->msg[0])
				snprintf(g->msg, sizeof(g->msg), "alpha = %.40s:"
					 " give a significance level between "
					 "0 and 0.5, e.g. 0.01, or off", value);
			return 0;
		}
		if (g->alpha)
			*g->alpha = a;
		return 1;
	}
	if (!strcmp(name, "over_at")) {
		double ns;

		if (gate_latency_parse(value, &ns) || !(ns > 0)) {
			if (!g->msg[0])
				snprintf(g->msg, sizeof(g->msg), "over_at = "
					 "%.40s: give a latency, e.g. 50us",
					 value);
			return 0;
		}
		g->th->over_ns = ns;
		return 1;
	}
	if (!strcmp(name, "limit")) {
		if (gate_limit_arg(g->th, value, err, sizeof(err)) < 0) {
			if (!g->msg[0])
				snprintf(g->msg, sizeof(g->msg), "limit: %s",
					 err);
			return 0;
		}
		return 1;
	}
	m = gate_metric_find(name);
	if (m < 0) {
		if (!g->msg[0])
			snprintf(g->msg, sizeof(g->msg), "unknown key '%.40s' "
				 "in [gate]; expected one of p50, p90, p99, p999, p9999, "
				 "max, dropped, over, run, limit, over_at or "
				 "alpha", name);
		return 0;
	}
	if (gate_metric_limit_parse(m, value, &g->th->m[m], err,
				    sizeof(err)) < 0) {
		if (!g->msg[0])
			snprintf(g->msg, sizeof(g->msg), "%s: %s", name, err);
		return 0;
	}
	return 1;
}

int gate_thresholds_ini(const char *text, const char *origin,
			struct gate_thresholds *th, double *alpha, int *found,
			char *err, size_t errsz)
{
	struct gate_ini g = { .th = th, .alpha = alpha };
	int line;

	*found = 0;
	if (!text || !*text)
		return 0;
	line = ini_parse_string(text, handler, &g);
	if (line < 0) {
		snprintf(err, errsz, "%s: out of memory parsing the scenario",
			 origin);
		return -ENOMEM;
	}
	if (line > 0) {
		snprintf(err, errsz, "%s:%d: %s", origin, line,
			 g.msg[0] ? g.msg : "not INI syntax");
		return -EINVAL;
	}
	*found = g.found;
	return 0;
}


int gate_key_iter(gate_key_fn fn, void *arg)
{
	static const char *const metric_doc[GM_N] = {
		[GM_P50] = "median",
		[GM_P90] = "90th percentile",
		[GM_P99] = "99th percentile",
		[GM_P999] = "99.9th percentile",
		[GM_P9999] = "99.99th percentile",
		[GM_MAX] = "maximum (a worst-case rule, never a test)",
		[GM_DROPPED] = "count of lost samples (a worst-case rule)",
		[GM_OVER] = "count of samples above over_at (a worst-case "
			    "rule)",
		[GM_RUN] = "longest run of samples in a row above over_at "
			   "(a worst-case rule)",
	};
	char doc[GM_N][160];
	int rc;

	for (int m = 0; m < GM_N; m++) {
		int count = m == GM_DROPPED || m == GM_OVER || m == GM_RUN;

		snprintf(doc[m], sizeof(doc[m]), "how far the candidate's %s "
			 "may exceed the baseline's: +N%%, %s or both, or off",
			 metric_doc[m], count ? "+N (a count)" : "+Nus");
		rc = fn(gate_metric_name[m], count ? "+N%|+N|off"
			: "+N%|+Nus|off", doc[m], arg);
		if (rc)
			return rc;
	}
	rc = fn("alpha", "0..0.5|off", "level of the across-run test of the "
		"quantiles (default 0.01); off: the margin alone decides", arg);
	if (!rc)
		rc = fn("over_at", "latency", "the latency above which over "
			"and run count samples, e.g. 50us", arg);
	if (!rc)
		rc = fn("limit", "METRIC=LIMIT", "an absolute ceiling, as "
			"gate --limit (repeatable): max=100us, over=50us:0", arg);
	return rc;
}
