/*
 * trend_out.c - `isolat trend`'s writers: the change points as text
 * (each with the first run that shows it, its tool version, kernel
 * release and command line, and what changed since the run before), and
 * index.html with one SVG per metric (every case x CPU a line, change
 * points marked).  The SVG is written here, not by gnuplot, so the farm
 * page (farm.c) can draw a hundred small ones fast and without gnuplot.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reports/gate.h"
#include "reports/report_int.h"
#include "reports/trend.h"

static const char *const colour[] = { "#1f77b4", "#ff7f0e", "#2ca02c",
				      "#d62728", "#9467bd", "#8c564b",
				      "#e377c2", "#7f7f7f" };

static void us(char *buf, size_t size, double ns)
{
	snprintf(buf, size, "%.1f us", ns / 1000.0);
}

int trend_write_text(const struct trend_result *res, FILE *f)
{
	size_t ncp = 0;

	for (size_t i = 0; i < res->nseries; i++)
		ncp += res->series[i].ncps;
	fprintf(f, "isolat trend: host %s (%s), scenario %s: %zu runs, %s .. "
		"%s, %zu series, %zu change points\n", res->hostname,
		res->fingerprint, res->scenario, res->nruns,
		res->runs[0].started_at, res->runs[res->nruns - 1].started_at,
		res->nseries, ncp);
	/* Grouped by run: one heading per run that starts a change. */
	for (size_t ri = 0; ri < res->nruns; ri++) {
		const struct trend_run *r = &res->runs[ri];
		int head = 0;

		for (size_t i = 0; i < res->nseries; i++) {
			const struct trend_series *s = &res->series[i];

			for (size_t k = 0; k < s->ncps; k++) {
				const struct trend_cp *c = &s->cps[k];
				char b[32], a[32];

				if (c->at != ri)
					continue;
				if (!head++)
					fprintf(f, "change point at run %zu of "
						"%zu: %s (%s), tool %s, kernel "
						"%s, cmdline \"%s\"\n  changed "
						"since the run before: %s\n",
						ri + 1, res->nruns, r->uuid,
						r->started_at, r->tool_version,
						r->kernel, r->cmdline ? r->cmdline
						: "", r->changed ? r->changed
						: "(first run)");
				us(b, sizeof(b), c->before);
				us(a, sizeof(a), c->after);
				fprintf(f, "  %s%s cpu %d %s: %s -> %s (%+.1f%%, "
					"Welch p = %.2g)%s\n", s->key,
					s->emulated ? " (EMULATED)" : "",
					s->cpu, gate_metric_name[s->metric], b,
					a, c->before > 0 ? (c->after -
					c->before) / c->before * 100.0 : 0.0,
					c->p, c->after > c->before
					? "  REGRESSION" : "  improvement");
			}
		}
	}
	return fflush(f) || ferror(f) ? -EIO : 0;
}

static void minmax(const double *const *l, size_t nl, size_t n, double *lo,
		   double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < nl; i++)
		for (size_t j = 0; j < n; j++)
			if (!isnan(l[i][j])) {
				if (l[i][j] < *lo)
					*lo = l[i][j];
				if (l[i][j] > *hi)
					*hi = l[i][j];
			}
	if (!(*hi > *lo)) {
		*lo = isfinite(*lo) ? *lo * 0.9 : 0.0;
		*hi = isfinite(*hi) ? *hi * 1.1 + 1.0 : 1.0;
	}
}

int trend_svg(FILE *f, int w, int h, const double *const *lines, size_t nl,
	      size_t n, const size_t *marks, size_t nmarks, const char *title,
	      const char *const *legend)
{
	int small = h < 80, l = small ? 2 : 60, r = small ? 2 : 10;
	int t = small ? 2 : 24, b = small ? 2 : 30;
	double lo, hi, pw = w - l - r, ph = h - t - b;

	minmax(lines, nl, n, &lo, &hi);
#define X(i) (l + (n > 1 ? pw * (double)(i) / (double)(n - 1) : pw / 2))
#define Y(v) (t + ph - ph * ((v) - lo) / (hi - lo))
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\""
		" font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" "
		"fill=\"#fff\"/>\n", w, h, w, h);
	if (!small) {
		fputs("<text x=\"4\" y=\"15\" font-size=\"13\">", f);
		rpt_quote(f, title, RPT_Q_XML);
		fprintf(f, "</text>\n<text x=\"4\" y=\"%.0f\">%.1f us</text>\n"
			"<text x=\"4\" y=\"%.0f\">%.1f us</text>\n"
			"<text x=\"%d\" y=\"%d\">run 1</text>\n<text x=\"%d\" "
			"y=\"%d\" text-anchor=\"end\">run %zu</text>\n",
			Y(hi) + 4, hi / 1000.0, Y(lo), lo / 1000.0, l, h - 8,
			w - r, h - 8, n);
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f"
			"\" fill=\"none\" stroke=\"#999\"/>\n", l, t, pw, ph);
	}
	for (size_t k = 0; k < nmarks; k++)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.0f\" "
			"stroke=\"#d62728\" stroke-dasharray=\"3,2\"><title>"
			"change point at run %zu</title></line>\n",
			X(marks[k] - 0.5), t, X(marks[k] - 0.5), t + ph,
			marks[k] + 1);
	for (size_t i = 0; i < nl; i++) {
		int pen = 0;

		fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width="
			"\"%s\" d=\"", colour[i % 8], small ? "1" : "1.5");
		for (size_t j = 0; j < n; j++) {
			if (isnan(lines[i][j])) {
				pen = 0;
				continue;
			}
			fprintf(f, "%c%.1f,%.1f ", pen ? 'L' : 'M', X(j),
				Y(lines[i][j]));
			pen = 1;
		}
		fputs("\"/>\n", f);
		if (!small && legend) {
			fprintf(f, "<text x=\"%d\" y=\"%zu\" fill=\"%s\">",
				l + 6, (size_t)t + 14 + 13 * i, colour[i % 8]);
			rpt_quote(f, legend[i], RPT_Q_XML);
			fputs("</text>\n", f);
		}
	}
#undef X
#undef Y
	fputs("</svg>\n", f);
	return ferror(f) ? -EIO : 0;
}

/* One metric's chart: every series of that metric. */
static int metric_svg(const struct trend_result *res, int metric,
		      const char *path)
{
	const double **lines = calloc(res->nseries + 1, sizeof(*lines));
	const char **leg = calloc(res->nseries + 1, sizeof(*leg));
	char (*names)[240] = calloc(res->nseries + 1, sizeof(*names));
	size_t *marks = calloc(res->nruns + 1, sizeof(*marks)), nl = 0, nm = 0;
	char title[256];
	FILE *f;
	int rc = -ENOMEM;

	if (!lines || !leg || !names || !marks)
		goto out;
	for (size_t i = 0; i < res->nseries; i++) {
		const struct trend_series *s = &res->series[i];

		if (s->metric != metric)
			continue;
		snprintf(names[nl], sizeof(names[nl]), "%s%s cpu %d", s->key,
			 s->emulated ? " (EMULATED)" : "", s->cpu);
		leg[nl] = names[nl];
		lines[nl++] = s->v;
		for (size_t k = 0; k < s->ncps; k++) {
			size_t j = 0;

			while (j < nm && marks[j] != s->cps[k].at)
				j++;
			if (j == nm)
				marks[nm++] = s->cps[k].at;
		}
	}
	snprintf(title, sizeof(title), "%s per run, %s / %s",
		 gate_metric_name[metric], res->hostname, res->scenario);
	f = fopen(path, "w");
	rc = -errno;
	if (f) {
		rc = trend_svg(f, 720, 300 + 13 * (int)nl, lines, nl,
			       res->nruns, marks, nm, title, leg);
		if (fclose(f))
			rc = -EIO;
	}
out:
	free(lines);
	free(leg);
	free(names);
	free(marks);
	return rc;
}

int trend_write_html(const struct trend_result *res, const char *dir,
		     char *err, size_t errsz)
{
	char path[4096];
	FILE *f;
	int rc;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	for (int m = 0; m < TREND_NMETRICS; m++) {
		snprintf(path, sizeof(path), "%s/trend-%s.svg", dir,
			 gate_metric_name[trend_metric[m]]);
		rc = metric_svg(res, trend_metric[m], path);
		if (rc) {
			snprintf(err, errsz, "%s: %s", path, strerror(-rc));
			return rc;
		}
	}
	snprintf(path, sizeof(path), "%s/index.html", dir);
	f = fopen(path, "w");
	if (!f) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -errno;
	}
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
	      "isolat trend</title></head><body>\n<h1>Trend: ", f);
	rpt_quote(f, res->hostname, RPT_Q_XML);
	fputs(" / ", f);
	rpt_quote(f, res->scenario, RPT_Q_XML);
	fputs("</h1>\n<pre style=\"white-space:pre-wrap\">", f);
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		if (m) {
			trend_write_text(res, m);
			fclose(m);
			rpt_quote(f, buf, RPT_Q_XML);
			free(buf);
		}
	}
	fputs("</pre>\n", f);
	for (int m = 0; m < TREND_NMETRICS; m++)
		fprintf(f, "<p><img src=\"trend-%s.svg\" alt=\"%s\"></p>\n",
			gate_metric_name[trend_metric[m]],
			gate_metric_name[trend_metric[m]]);
	fputs("</body></html>\n", f);
	if (fclose(f)) {
		snprintf(err, errsz, "%s: write failed", path);
		return -EIO;
	}
	return 0;
}
