/*
 * farm.c - farm_render(): the farm page (farm.h).  Each cell is one
 * (host, scenario) pair: its trend over the last nights (trend.c), the
 * last night gated against the nights before it (gate.c, with the run's
 * own [gate] section or the defaults, emulated cases shown not gated),
 * two small SVG trends and the links.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/farm.h"
#include "reports/gate.h"
#include "reports/report.h"
#include "reports/report_int.h"
#include "reports/trend.h"

struct cell {
	struct trend_pick pick;
	struct trend_result tr;
	char verdict[96];
	int bad;
};

/* The last night against up to FARM_BASE nights before it. */
static void verdict(struct store *st, struct cell *c)
{
	const struct trend_result *tr = &c->tr;
	const struct trend_run *last = &tr->runs[tr->nruns - 1];
	int64_t ids[FARM_BASE];
	struct gate_opts o;
	struct gate_result res;
	char err[512];
	size_t nb = 0;

	for (size_t i = tr->nruns - 1; i > 0 && nb < FARM_BASE; i--)
		ids[nb++] = tr->runs[i - 1].id;
	if (!nb) {
		snprintf(c->verdict, sizeof(c->verdict), "first night");
		return;
	}
	if (gate_opts_for_run(st, last->id, last->uuid, &o, err, sizeof(err)) ||
	    gate_run_multi(st, ids, nb, last->id, &o, &res, err, sizeof(err))) {
		snprintf(c->verdict, sizeof(c->verdict), "gate error");
		c->bad = 1;
		return;
	}
	if (res.nfail || res.nerror || res.nmissing) {
		snprintf(c->verdict, sizeof(c->verdict), "REGRESSION (%d "
			 "failed, %d errors, %d missing)", res.nfail,
			 res.nerror, res.nmissing);
		c->bad = 1;
	} else if (!res.nreal) {
		snprintf(c->verdict, sizeof(c->verdict), "nothing real "
			 "compared");
	} else {
		snprintf(c->verdict, sizeof(c->verdict), "pass (%d metrics, "
			 "%zu nights before)", res.npass, nb);
	}
	gate_result_free(&res);
}

/* cellN-METRIC.svg: every series of the metric, change points marked. */
static int spark(const char *dir, size_t ci, const struct trend_result *tr,
		 int metric)
{
	const double **l = calloc(tr->nseries + 1, sizeof(*l));
	size_t *marks = calloc(tr->nruns + 1, sizeof(*marks)), nl = 0, nm = 0;
	char path[4096];
	FILE *f;
	int rc = -ENOMEM;

	if (!l || !marks)
		goto out;
	for (size_t i = 0; i < tr->nseries; i++) {
		const struct trend_series *s = &tr->series[i];

		if (s->metric != metric)
			continue;
		l[nl++] = s->v;
		for (size_t k = 0; k < s->ncps && nm < tr->nruns; k++)
			marks[nm++] = s->cps[k].at;
	}
	snprintf(path, sizeof(path), "%s/cell%zu-%s.svg", dir, ci,
		 gate_metric_name[metric]);
	f = fopen(path, "w");
	rc = -errno;
	if (f) {
		rc = trend_svg(f, 160, 40, l, nl, tr->nruns, marks, nm, "",
			       NULL);
		if (fclose(f))
			rc = -EIO;
	}
out:
	free(l);
	free(marks);
	return rc;
}

/* The night reports that are not there yet. */
static int night_reports(struct store *st, const char *dir,
			 const struct trend_result *tr, char *err,
			 size_t errsz)
{
	char path[4096];

	for (size_t i = 0; i < tr->nruns; i++) {
		snprintf(path, sizeof(path), "%s/nights/%s/index.html", dir,
			 tr->runs[i].uuid);
		if (!access(path, F_OK))
			continue;
		snprintf(path, sizeof(path), "%s/nights/%s", dir,
			 tr->runs[i].uuid);
		if (report_render(st, tr->runs[i].id, path, err, errsz))
			return -EIO;
	}
	return 0;
}

static void cell_html(FILE *f, const struct cell *c, size_t ci)
{
	const struct trend_result *tr = &c->tr;

	fprintf(f, "<td class=\"%s\"><b>", c->bad ? "bad" : "ok");
	rpt_quote(f, c->verdict, RPT_Q_XML);
	fputs("</b><br>last night ", f);
	rpt_quote(f, tr->runs[tr->nruns - 1].started_at, RPT_Q_XML);
	fprintf(f, ", %zu nights<br>\n", tr->nruns);
	for (int m = 0; m < 2; m++) {
		const char *name = gate_metric_name[m ? GM_MAX : GM_P99];

		fprintf(f, "%s <img src=\"cell%zu-%s.svg\" width=\"160\" "
			"height=\"40\" alt=\"%s trend\"><br>\n", name, ci, name,
			name);
	}
	fprintf(f, "<a href=\"cell%zu/index.html\">trend</a> &middot; "
		"nights:", ci);
	for (size_t i = 0; i < tr->nruns; i++) {
		fprintf(f, " <a href=\"nights/%s/index.html\" title=\"", 
			tr->runs[i].uuid);
		rpt_quote(f, tr->runs[i].started_at, RPT_Q_XML);
		fprintf(f, "\">%zu</a>", i + 1);
	}
	fputs("</td>\n", f);
}

static int write_page(const char *dir, struct cell *cells, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/index.html", dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	      "<title>isolat farm</title><style>td{vertical-align:top;"
	      "border:1px solid #ccc;padding:4px;font:12px sans-serif}"
	      ".bad{background:#fdd}.ok{background:#efe}</style></head>"
	      "<body>\n<h1>isolat farm</h1>\n<table>\n<tr><th>board</th>"
	      "<th>scenario</th><th>last night, trend, nights</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr><td>", f);
		rpt_quote(f, cells[i].pick.hostname, RPT_Q_XML);
		fputs("<br><small>", f);
		rpt_quote(f, cells[i].pick.fingerprint, RPT_Q_XML);
		fputs("</small></td><td>", f);
		rpt_quote(f, cells[i].pick.scenario, RPT_Q_XML);
		fputs("</td>", f);
		cell_html(f, &cells[i], i);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n</body></html>\n", f);
	return fclose(f) ? -EIO : 0;
}

static int one_cell(struct store *st, const char *dir, struct cell *c,
		    size_t ci, const struct farm_opts *o, char *err,
		    size_t errsz)
{
	struct trend_opts to = { .host = c->pick.fingerprint,
				 .scenario = c->pick.scenario,
				 .last = o->nights, .alpha = TREND_ALPHA,
				 .min_change = TREND_MIN_CHANGE };
	char sub[4096];
	int rc = trend_build(st, &to, &c->tr, err, errsz);

	if (rc)
		return rc;
	verdict(st, c);
	rc = spark(dir, ci, &c->tr, GM_P99);
	if (!rc)
		rc = spark(dir, ci, &c->tr, GM_MAX);
	if (rc) {
		snprintf(err, errsz, "%s: writing the trends: %s", dir,
			 strerror(-rc));
		return rc;
	}
	snprintf(sub, sizeof(sub), "%s/cell%zu", dir, ci);
	rc = trend_write_html(&c->tr, sub, err, errsz);
	if (!rc && o->reports)
		rc = night_reports(st, dir, &c->tr, err, errsz);
	return rc;
}

int farm_render(struct store *st, const char *dir, const struct farm_opts *o,
		char *err, size_t errsz)
{
	struct trend_pick *p = NULL;
	struct cell *cells = NULL;
	char nd[4096];
	size_t n = 0;
	int rc;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	snprintf(nd, sizeof(nd), "%s/nights", dir);
	if (o->reports && mkdir(nd, 0755) && errno != EEXIST) {
		snprintf(err, errsz, "%s: %s", nd, strerror(errno));
		return -errno;
	}
	rc = trend_query_pairs(st, &p, &n);
	if (rc) {
		snprintf(err, errsz, "reading runs: %s", strerror(-rc));
		return rc;
	}
	if (!n) {
		snprintf(err, errsz, "no finished runs in the database");
		free(p);
		return -ENOENT;
	}
	cells = calloc(n, sizeof(*cells));
	if (!cells) {
		free(p);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		cells[i].pick = p[i];
		rc = one_cell(st, dir, &cells[i], i, o, err, errsz);
	}
	if (!rc) {
		rc = write_page(dir, cells, n);
		if (rc)
			snprintf(err, errsz, "%s/index.html: %s", dir,
				 strerror(-rc));
	}
	for (size_t i = 0; i < n; i++)
		trend_result_free(&cells[i].tr);
	free(cells);
	free(p);
	return rc;
}
