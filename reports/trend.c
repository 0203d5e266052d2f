/*
 * trend.c - trend_build(): the runs of one host and scenario, a value
 * per run for every case x CPU x metric (repetitions pooled), what
 * changed between consecutive runs (tool version, run metadata such as
 * kernel_release and cmdline), and the change points of each series
 * (trend_detect.c).  The writers are in trend_out.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/compare.h"
#include "reports/gate.h"
#include "reports/query.h"
#include "reports/trend.h"

const int trend_metric[TREND_NMETRICS] = { GM_P50, GM_P99, GM_P999, GM_MAX };

/* Pick the one host and scenario of the options; 0 or -errno. */
static int pick(struct store *st, const struct trend_opts *o,
		struct trend_result *res, char *err, size_t errsz)
{
	struct trend_pick *p;
	size_t n, hit = 0, first = 0;
	int rc = trend_query_pairs(st, &p, &n), hosts = 0, scen = 0;
	size_t len = 0;
	char list[768] = "";

	if (rc) {
		snprintf(err, errsz, "reading runs: %s", strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		if (o->host && strcmp(o->host, p[i].fingerprint) &&
		    strcmp(o->host, p[i].hostname))
			continue;
		if (o->scenario && strcmp(o->scenario, p[i].scenario))
			continue;
		if (!hit++)
			first = i;
		hosts += strcmp(p[i].fingerprint, p[first].fingerprint) != 0;
		scen += strcmp(p[i].scenario, p[first].scenario) != 0;
		if (len < sizeof(list) - 1)
			len += (size_t)snprintf(list + len, sizeof(list) - len,
						"%s--host %s --scenario %s",
						len ? ", " : "",
						p[i].fingerprint, p[i].scenario);
	}
	if (!hit) {
		snprintf(err, errsz, "no finished runs%s%s%s%s in the database",
			 o->host ? " of host " : "", o->host ? o->host : "",
			 o->scenario ? " of scenario " : "",
			 o->scenario ? o->scenario : "");
		rc = -ENOENT;
	} else if (hosts || scen) {
		snprintf(err, errsz, "runs of several %s: choose one of %s",
			 hosts ? "hosts" : "scenarios", list);
		rc = -EINVAL;
	} else {
		snprintf(res->fingerprint, sizeof(res->fingerprint), "%s",
			 p[first].fingerprint);
		snprintf(res->hostname, sizeof(res->hostname), "%s",
			 p[first].hostname);
		snprintf(res->scenario, sizeof(res->scenario), "%s",
			 p[first].scenario);
	}
	free(p);
	return rc;
}

static char *str_or(const char *s)
{
	return strdup(s ? s : "");
}

/* "key a -> b; ..." for every metadata key (and the tool version) that
 * differs between two runs; hwloc_xml only named. */
static char *what_changed(const struct q_run *a, const struct q_run *b)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int n = 0;

	if (!f)
		return NULL;
	if (strcmp(a->tool_version ? a->tool_version : "",
		   b->tool_version ? b->tool_version : ""))
		fprintf(f, "%stool_version %s -> %s", n++ ? "; " : "",
			a->tool_version, b->tool_version);
	for (size_t i = 0; i < b->nmeta; i++) {
		const char *k = b->meta[i].key, *vb = b->meta[i].value;
		const char *va = query_meta(a, k);

		if (va && vb && !strcmp(va, vb))
			continue;
		if (!strcmp(k, "hwloc_xml"))
			fprintf(f, "%shwloc topology", n++ ? "; " : "");
		else
			fprintf(f, "%s%s %.120s -> %.120s", n++ ? "; " : "", k,
				va ? va : "(none)", vb ? vb : "(none)");
	}
	for (size_t i = 0; i < a->nmeta; i++)
		if (!query_meta(b, a->meta[i].key))
			fprintf(f, "%s%s %.120s -> (none)", n++ ? "; " : "",
				a->meta[i].key, a->meta[i].value);
	if (!n)
		fputs("nothing recorded", f);
	fclose(f);
	return buf;
}

static struct trend_series *series_for(struct trend_result *res, size_t *cap,
				       const char *key, int cpu, int metric)
{
	struct trend_series *s;

	for (size_t i = 0; i < res->nseries; i++)
		if (res->series[i].cpu == cpu &&
		    res->series[i].metric == metric &&
		    !strcmp(res->series[i].key, key))
			return &res->series[i];
	if (res->nseries == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		void *p = realloc(res->series, nc * sizeof(*res->series));

		if (!p)
			return NULL;
		res->series = p;
		*cap = nc;
	}
	s = &res->series[res->nseries];
	memset(s, 0, sizeof(*s));
	s->v = malloc(res->nruns * sizeof(*s->v));
	if (!s->v)
		return NULL;
	for (size_t i = 0; i < res->nruns; i++)
		s->v[i] = NAN;
	snprintf(s->key, sizeof(s->key), "%s", key);
	s->cpu = cpu;
	s->metric = metric;
	res->nseries++;
	return s;
}

/* The values of run index ri into the series. */
static int run_values(struct store *st, const struct q_run *run, size_t ri,
		      struct trend_result *res, size_t *cap)
{
	struct cmp_group *g = NULL;
	size_t ng = 0;
	int rc = cmp_match(run, 1, &g, &ng);

	for (size_t i = 0; i < ng && !rc; i++) {
		const struct cmp_side *s = &g[i].side[0];
		struct gate_unit u;
		uint32_t *v = NULL;
		size_t n = 0, *lens = NULL;

		if (g[i].cpu < 0 || !s->nseries || !s->status ||
		    strcmp(s->status, "done") ||
		    (s->unit && !query_unit_is_ns(s->unit)))
			continue;
		rc = cmp_side_samples(st, s, &v, &n, &lens);
		if (!rc && n) {
			gate_unit_values(v, n, 0, &u);
			for (int m = 0; m < TREND_NMETRICS && !rc; m++) {
				double p = gate_metric_p(trend_metric[m]);
				struct trend_series *ts;

				/* A percentile the night's samples cannot
				 * support (query_pct_need) is no point of
				 * a series: a gap, as a night without the
				 * case, never a number (and no series made
				 * of gaps alone). */
				if (p < 1.0 && n < query_pct_need(p))
					continue;
				ts = series_for(res, cap, g[i].key, g[i].cpu,
						trend_metric[m]);
				if (!ts) {
					rc = -ENOMEM;
					break;
				}
				ts->v[ri] = u.v[trend_metric[m]];
				ts->emulated |= s->emulated;
			}
		}
		free(v);
		free(lens);
	}
	cmp_groups_free(g, ng);
	return rc;
}

static void fill_run(struct trend_run *tr, const struct q_run *r)
{
	const char *k = query_meta(r, "kernel_release");
	const char *c = query_meta(r, "cmdline");

	tr->id = r->id;
	snprintf(tr->uuid, sizeof(tr->uuid), "%s", r->uuid);
	snprintf(tr->started_at, sizeof(tr->started_at), "%s",
		 r->started_at ? r->started_at : "");
	snprintf(tr->tool_version, sizeof(tr->tool_version), "%s",
		 r->tool_version ? r->tool_version : "?");
	snprintf(tr->kernel, sizeof(tr->kernel), "%s", k ? k : "?");
	tr->cmdline = str_or(c);
}

static int load_runs(struct store *st, const int64_t *ids,
		     struct trend_result *res, char *err, size_t errsz)
{
	struct q_run prev, cur;
	size_t cap = 0;
	int rc = 0, have_prev = 0;

	memset(&prev, 0, sizeof(prev));
	for (size_t i = 0; i < res->nruns && !rc; i++) {
		memset(&cur, 0, sizeof(cur));
		rc = query_run_load(st, ids[i], &cur, err, errsz);
		if (rc)
			break;
		fill_run(&res->runs[i], &cur);
		if (have_prev)
			res->runs[i].changed = what_changed(&prev, &cur);
		rc = run_values(st, &cur, i, res, &cap);
		if (rc)
			snprintf(err, errsz, "reading run %s: %s", cur.uuid,
				 strerror(-rc));
		if (have_prev)
			query_run_free(&prev);
		prev = cur;
		have_prev = 1;
	}
	if (have_prev)
		query_run_free(&prev);
	return rc;
}

int trend_build(struct store *st, const struct trend_opts *o,
		struct trend_result *res, char *err, size_t errsz)
{
	int64_t *ids = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = pick(st, o, res, err, errsz);
	if (rc)
		return rc;
	rc = trend_query_runs(st, res->fingerprint, res->scenario, o->last,
			      o->since, &ids, &res->nruns);
	if (rc) {
		snprintf(err, errsz, "reading runs: %s", strerror(-rc));
		return rc;
	}
	if (!res->nruns) {
		snprintf(err, errsz, "no runs of host %s, scenario %s%s%s",
			 res->fingerprint, res->scenario,
			 o->since ? " since " : "", o->since ? o->since : "");
		free(ids);
		return -ENOENT;
	}
	res->runs = calloc(res->nruns, sizeof(*res->runs));
	rc = res->runs ? load_runs(st, ids, res, err, errsz) : -ENOMEM;
	free(ids);
	for (size_t i = 0; i < res->nseries && !rc; i++) {
		struct trend_series *s = &res->series[i];

		rc = trend_detect(s->v, res->nruns, o->alpha, o->min_change,
				  &s->cps, &s->ncps);
	}
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory building the trend");
	return rc;
}

void trend_result_free(struct trend_result *res)
{
	for (size_t i = 0; i < res->nruns && res->runs; i++) {
		free(res->runs[i].cmdline);
		free(res->runs[i].changed);
	}
	for (size_t i = 0; i < res->nseries; i++) {
		free(res->series[i].v);
		free(res->series[i].cps);
	}
	free(res->runs);
	free(res->series);
	memset(res, 0, sizeof(*res));
}

long trend_newest(const struct trend_result *res, int *regression)
{
	long at = -1;

	*regression = 0;
	for (size_t i = 0; i < res->nseries; i++) {
		const struct trend_series *s = &res->series[i];

		/* Emulated results say nothing about the board: shown,
		 * never the exit status (as the gate's default). */
		for (size_t k = 0; k < s->ncps && !s->emulated; k++) {
			long a = (long)s->cps[k].at;
			int up = s->cps[k].after > s->cps[k].before;

			if (a > at) {
				at = a;
				*regression = up;
			} else if (a == at) {
				*regression |= up;
			}
		}
	}
	return at;
}
