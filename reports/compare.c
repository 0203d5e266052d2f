/*
 * compare.c - compare_render(): several runs in one report (see
 * compare.h).  Reuses the report's file and gnuplot machinery
 * (report_int.h: rpt_create, rpt_run_scripts) with its own data, scripts
 * and page.  Colour means environment, as in every isolat figure
 * (rpt_env_colour): a group is one case, so one environment, and every
 * run's line in its plots has that environment's colour.  Runs are told
 * apart by line style: run k (A, B, C...) has dash k in every plot, and
 * the page's tables mark it with its letter and a dark grey line of that
 * dash, never with a colour.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/compare.h"
#include "reports/gate.h"
#include "reports/headline.h"
#include "reports/report.h"
#include "reports/report_int.h"

/* Run k's dash: gnuplot's dt, the same pattern as an SVG
 * stroke-dasharray (the tables' swatch), and its name. */
static const struct {
	const char *gp, *svg, *name;
} dash[CMP_MAX_RUNS] = {
	{ "1", "none", "solid" },
	{ "(8,5)", "6,4", "dashed" },
	{ "(2,4)", "2,3", "dotted" },
	{ "(10,4,2,4)", "8,3,2,3", "dash-dot" },
	{ "(18,5)", "14,4", "long dash" },
	{ "(10,4,2,4,2,4)", "8,3,2,3,2,3", "dash-dot-dot" },
	{ "(18,4,5,4)", "14,3,4,3", "long-short" },
	{ "(2,9)", "2,7", "sparse dots" },
};

/* Run k's mark in the page's tables (HTML): a dark grey line with its
 * dash, then its letter. */
static void swatch(char *buf, size_t size, size_t k)
{
	snprintf(buf, size, "<svg width=\"36\" height=\"10\" role=\"img\" "
		 "aria-label=\"%s line\"><line x1=\"1\" y1=\"5\" x2=\"35\" "
		 "y2=\"5\" stroke=\"#333\" stroke-width=\"2\" "
		 "stroke-dasharray=\"%s\"/></svg> %c", dash[k].name,
		 dash[k].svg, (int)('A' + k));
}

struct cmp {
	struct rpt r;              /* outdir, dirfd, gnuplot, scripts, err */
	struct q_run runs[CMP_MAX_RUNS];
	size_t nruns;
	struct cmp_group *g;
	size_t ng;
	FILE *table;               /* the delta table rows, HTML, in memory */
	char *table_buf;
	size_t table_len;
	int *plotted;              /* per group: plots were written */
};

/* Legend text of run k: letter, short UUID, host, environment of the
 * group. */
static void run_label(const struct cmp *c, size_t k, const char *env,
		      char *buf, size_t size)
{
	snprintf(buf, size, "%c %.8s %.30s %s", (int)('A' + k),
		 c->runs[k].uuid,
		 c->runs[k].hostname ? c->runs[k].hostname : "?", env);
}

/* The environment of a group: its key's first field. */
static void group_env(const struct cmp_group *g, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)strcspn(g->key, "."), g->key);
}

/* Text into a single-quoted gnuplot string, as in report_plot.c. */
static void gp_str(FILE *f, const char *s)
{
	rpt_quote(f, s, RPT_Q_GNUPLOT);
}

struct side_vals {
	uint32_t *v;
	size_t n, *lens;
	struct stats *st;
};

/* The percentile curve of one side, as the single-run report draws it
 * (report_data.c): beyond log10(n) nines every quantile is the max, so
 * the curve stops there and ends with a step up to the max instead of
 * running flat to 99.999 %.  Returns the nines reached. */
static double pct_block(FILE *pct, const struct side_vals *s)
{
	double xmax = s->n > 1 ? fmin(5.0, log10((double)s->n)) : 0.0;
	int last = (int)floor(xmax * 100 + 1e-9);

	for (int k = 0; k <= last; k++) {
		double x = k / 100.0, p = 1.0 - pow(10.0, -x);

		fprintf(pct, "%.2f %.3f\n", x,
			stats_quantile(s->st, p) / 1000.0);
	}
	if (xmax > last / 100.0 + 1e-9)
		fprintf(pct, "%.4f %.3f\n", xmax,
			stats_quantile(s->st, 1.0 - pow(10.0, -xmax)) /
				1000.0);
	if (xmax < 5.0)
		fprintf(pct, "%.4f %.3f\n", xmax,
			stats_quantile(s->st, 1.0) / 1000.0);
	return xmax;
}

static double write_blocks(FILE *hist, FILE *pct, FILE *maxs,
			   const struct side_vals *s, uint32_t interval_us,
			   size_t nseries)
{
	double xmax;
	uint8_t *blob = NULL;
	size_t len = 0, nbins = 0, off = 0;
	struct hist_bin *bins = NULL;
	uint32_t *secmax = NULL;
	size_t nsec = 0;

	if (stats_histogram_blob(s->st, 1000, &blob, &len) == 0 &&
	    stats_histogram_parse(blob, len, &bins, &nbins) == 0)
		for (size_t i = 0; i < nbins; i++) {
			/* Zero bins around each run of non-empty ones: the
			 * steps drop to the axis instead of running flat at
			 * the last count across an empty stretch. */
			if (bins[i].bucket > 0 && (i == 0 ||
			    bins[i].bucket > bins[i - 1].bucket + 1))
				fprintf(hist, "%.1f 0\n",
					(double)bins[i].bucket - 0.5);
			fprintf(hist, "%.1f %llu\n", (double)bins[i].bucket +
				0.5, (unsigned long long)bins[i].count);
			if (i + 1 == nbins ||
			    bins[i + 1].bucket > bins[i].bucket + 1)
				fprintf(hist, "%.1f 0\n",
					(double)bins[i].bucket + 1.5);
		}
	free(blob);
	free(bins);
	xmax = pct_block(pct, s);
	/* Repetitions are overlaid second by second: the curve is the max
	 * over them, as a run's seconds line up from its start. */
	for (size_t i = 0; i < nseries; i++) {
		for (size_t j = 0; j < s->lens[i]; j++) {
			size_t sec = (size_t)((unsigned long long)j *
					      interval_us / 1000000u);

			if (sec >= nsec) {
				size_t nn = sec + 64;
				void *p = realloc(secmax, nn * sizeof(*secmax));

				if (!p)
					goto out;
				secmax = p;
				memset(secmax + nsec, 0,
				       (nn - nsec) * sizeof(*secmax));
				nsec = nn;
			}
			if (s->v[off + j] > secmax[sec])
				secmax[sec] = s->v[off + j];
		}
		off += s->lens[i];
	}
	for (size_t t = 0; t < nsec; t++)
		if (secmax[t])
			fprintf(maxs, "%zu %.3f\n", t, secmax[t] / 1000.0);
out:
	free(secmax);
	fputs("\n\n", hist);
	fputs("\n\n", pct);
	fputs("\n\n", maxs);
	return xmax;
}

static const char *const kind[3] = { "hist", "pct", "maxsec" };

static int group_script(struct cmp *c, size_t gi, int k, const int *blk,
			int emulated, double pct_xmin)
{
	const struct cmp_group *g = &c->g[gi];
	char base[64], name[80], t[300], genv[64];
	FILE *f;
	int rc = 0, first = 1, b = 0;

	snprintf(base, sizeof(base), "g%03zu-%s", gi, kind[k]);
	snprintf(name, sizeof(name), "%s.gp", base);
	f = rpt_create(&c->r, name, &rc);
	if (!f)
		return rc;
	fprintf(f, "# isolat compare: %s, one curve per run\n", kind[k]);
	fputs("set encoding utf8\n", f);
	fprintf(f, "set terminal svg size %d,%d noenhanced font 'Sans,12' "
		"background '#ffffff'\nset output '%s.svg'\nset grid\n",
		RPT_PLOT_W, RPT_PLOT_H, base);
	snprintf(t, sizeof(t), "%s, CPU %d%s", g->key, g->cpu,
		 emulated ? " (EMULATED: function test only)" : "");
	fputs("set title ", f);
	gp_str(f, t);
	/* reverse Left width 1: sample first, then the text, so the box
	 * holds the long run labels with cairo's font metrics (as the
	 * report's plots, report_plot.c). */
	fprintf(f, "\nset key %s opaque box reverse Left width 1\n",
		k == 1 ? "top left" : "top right");
	/* Colour: the environment's, as everywhere; the dash: the run. */
	group_env(g, genv, sizeof(genv));
	snprintf(t, sizeof(t), "colour: %s; line style: run", genv);
	fputs("set key title ", f);
	gp_str(f, t);
	fputc('\n', f);
	/* One branch per figure kind: each kind sets its own labels (the
	 * histogram once fell into the per-second plot's labels here). */
	if (k == 0) {
		/* Log x as the report's histograms: a tail of milliseconds
		 * does not squeeze a body of a few µs into the first
		 * pixels (bin centres are >= 0.5 µs, so no 0 on it). */
		fputs("set xlabel 'latency (µs, log scale)'\nset ylabel "
		      "'samples per 1 µs bin (log scale)'\nset logscale y\n"
		      "set yrange [0.5:*]\nset logscale x\n", f);
		rpt_log_tics(f, "xtics");
	} else if (k == 1) {
		fputs("set xrange [0:5]\nset xtics ('0' 0, '90' 1, '99' 2, "
		      "'99.9' 3, '99.99' 4, '99.999' 5)\nset xlabel "
		      "'percentile (%), axis -log10(1 - p)'\nset ylabel "
		      "'latency (µs, log scale)'\nset logscale y\n", f);
		if (pct_xmin < 5.0)
			fputs("set label 1 'fewer than 100000 samples: a curve "
			      "ends at its last meaningful percentile (log10 of "
			      "its sample count) with a step to its max' at "
			      "graph 0.98, graph 0.04 right\n", f);
	} else {
		fputs("set xlabel 'time since the measurement started (s)'\n"
		      "set ylabel 'largest latency in the second (µs)'\n"
		      "set yrange [0:*]\n", f);
	}
	fputs("plot ", f);
	for (size_t r = 0; r < c->nruns; r++) {
		char lab[160], env[80];

		if (blk[r] < 0)
			continue;
		snprintf(env, sizeof(env), "%s%s", genv,
			 g->side[r].emulated ? " EMULATED" : "");
		run_label(c, r, env, lab, sizeof(lab));
		/* Histogram: a log axis has no 0, so empty bins go on the
		 * bottom edge. */
		fprintf(f, "%s'%s.dat' index %d using %s with %s lw 1.5 "
			"lc rgb '%s' dt %s title ", first ? "" : ", \\\n     ",
			base, blk[r], k == 0 ? "1:($2 > 0 ? $2 : 0.01)" : "1:2",
			k == 0 ? "histeps" : "lines", rpt_env_colour(genv),
			dash[r].gp);
		gp_str(f, lab);
		first = 0;
		b++;
	}
	/* dashlength 2: cairo's PNG draws dashes at half the SVG's
	 * length, and dotted and dashed lines then look alike. */
	fprintf(f, "\nset terminal pngcairo size %d,%d noenhanced font "
		"'Sans,10' background '#ffffff' dashlength 2\nset output "
		"'%s.png'\nreplot\n"
		"unset output\n", RPT_PLOT_W, RPT_PLOT_H, base);
	rc = rpt_close(&c->r, f, name);
	return rc ? rc : rpt_add_script(&c->r, name);
}

/* A percentile p of n samples that cannot support it (query_pct_need, as
 * every table of isolat): the marker, not a number. */
static int table_cell_na(FILE *t, size_t n, double p)
{
	uint64_t need = query_pct_need(p);

	if (n >= need)
		return 0;
	fprintf(t, "<td class=\"na\" title=\"%zu samples: this percentile "
		"needs about %llu\">n&lt;%llu</td>", n,
		(unsigned long long)need, (unsigned long long)need);
	return 1;
}

static void table_cell_delta(FILE *t, double base, double cand, int ns)
{
	double rel = base > 0 ? (cand - base) / base * 100.0 : NAN;

	if (ns)
		fprintf(t, "<td>%.1f", cand / 1000.0);
	else
		fprintf(t, "<td>%.0f", cand);
	if (!isnan(rel))
		fprintf(t, " (%+.1f%%)", rel);
	fputs("</td>", t);
}

/* Data, scripts and table rows of one group. */
/* The gate's test on per-block p99, run r against run 0, as a cell. */
static void row_test(struct cmp *c, const struct cmp_group *g,
		     const struct side_vals *b, const struct side_vals *sr,
		     size_t r)
{
	/* The gate's test on per-block p99. */
	size_t la = gate_block_len(b->n, g->side[0].interval_us);
	size_t lb = gate_block_len(sr->n,
				   g->side[r].interval_us);
	double *xa = malloc((b->n / la + 2) * sizeof(double));
	double *xb = malloc((sr->n / lb + 2) *
			    sizeof(double));
	long na = xa ? gate_block_values(b->v, b->n, la, GM_P99,
					 xa) : -1;
	long nbb = xb ? gate_block_values(sr->v, sr->n, lb,
					  GM_P99, xb) : -1;
	/* Both one-sided tests: an improvement is as much a shift as a
	 * regression, and "no shift" must not be printed for either. */
	double pu = na > 0 && nbb > 0
		? gate_mwu_greater(xa, (size_t)na, xb,
				   (size_t)nbb) : NAN;
	double pd = na > 0 && nbb > 0
		? gate_mwu_greater(xb, (size_t)nbb, xa,
				   (size_t)na) : NAN;

	free(xa);
	free(xb);
	if (pu < GATE_ALPHA)
		fprintf(c->table, "<td>&#9650; shifted up (p = %.3g)",
			pu);
	else if (pd < GATE_ALPHA)
		fprintf(c->table, "<td>&#9660; shifted down (p = %.3g)",
			pd);
	else
		fprintf(c->table, "<td>no shift (p up = %.3g, down = "
			"%.3g)", pu, pd);
	fprintf(c->table, "%s</td>",
		g->side[r].emulated ? " EMULATED" : "");
}

/* One row of the table: run r of group g against the first run. */
static void table_row(struct cmp *c, const struct cmp_group *g,
		      const struct side_vals *sv, const int *blk, size_t r)
{
	const struct side_vals *b = &sv[0];
	double pb, pc;
	static const double q[4] = { 0.5, 0.99, 0.9999, 1.0 };
	int ns = query_unit_is_ns(g->side[r].unit);
	char mark[400];

	swatch(mark, sizeof(mark), r);
	fprintf(c->table, "<tr><td>%s ", mark);
	gate_xml_escape(c->table, c->runs[r].uuid);
	fputs("</td><td>", c->table);
	gate_xml_escape(c->table, g->key);
	if (g->side[r].emulated)
		fputs(" <span class=\"emu\">EMULATED</span>",
		      c->table);
	/* Cases match on environment, profile, workload and load; what
	 * else the runs did differently is said under the name. */
	if (r > 0) {
		char diff[512];

		if (cmp_params_diff(g->side[0].params, g->side[r].params,
				    diff, sizeof(diff))) {
			fputs("<br><small class=\"pdiff\">differs from the "
			      "first run: ", c->table);
			gate_xml_escape(c->table, diff);
			fputs("</small>", c->table);
		}
	}
	fprintf(c->table, "</td><td>%d</td>", g->cpu);
	for (int i = 0; i < 4; i++) {
		if (table_cell_na(c->table, sv[r].n, q[i]))
			continue;
		/* No change against a first run's number it cannot
		 * support either. */
		pc = stats_quantile(sv[r].st, q[i]);
		pb = blk[0] >= 0 && b->n >= query_pct_need(q[i])
			? stats_quantile(b->st, q[i]) : NAN;
		table_cell_delta(c->table, r ? pb : NAN, pc, ns);
	}
	fprintf(c->table, "<td>%llu</td>",
		(unsigned long long)g->side[r].dropped);
	if (r == 0) {
		fputs("<td>reference</td>", c->table);
	} else if (blk[0] < 0) {
		fputs("<td>no reference</td>", c->table);
	} else if (g->side[0].emulated != g->side[r].emulated) {
		fputs("<td><b>EMULATED vs real: not comparable</b>"
		      "</td>", c->table);
	} else {
		row_test(c, g, b, &sv[r], r);
	}
	fputs("</tr>\n", c->table);
}

static int do_group(struct cmp *c, size_t gi)
{
	const struct cmp_group *g = &c->g[gi];
	struct side_vals sv[CMP_MAX_RUNS] = { 0 };
	FILE *fd[3] = { NULL, NULL, NULL };
	int blk[CMP_MAX_RUNS], nb = 0, rc = 0, emulated = 0;
	double pct_xmin = 5.0, xmax;
	char name[3][64];

	for (size_t r = 0; r < c->nruns; r++) {
		blk[r] = -1;
		emulated |= g->side[r].emulated;
	}
	if (g->cpu < 0)
		return 0;
	for (int k = 0; k < 3 && !rc; k++) {
		snprintf(name[k], sizeof(name[k]), "g%03zu-%s.dat", gi,
			 kind[k]);
		fd[k] = rpt_create(&c->r, name[k], &rc);
	}
	for (size_t r = 0; r < c->nruns && !rc; r++) {
		const struct cmp_side *s = &g->side[r];

		if (!s->nseries)
			continue;
		rc = cmp_side_samples(c->r.st, s, &sv[r].v, &sv[r].n,
				      &sv[r].lens);
		if (rc)
			break;
		sv[r].st = stats_new();
		if (!sv[r].st || stats_add(sv[r].st, sv[r].v, sv[r].n)) {
			rc = -ENOMEM;
			break;
		}
		if (!sv[r].n)
			continue;
		xmax = write_blocks(fd[0], fd[1], fd[2], &sv[r],
				    s->interval_us, s->nseries);
		if (xmax < pct_xmin)
			pct_xmin = xmax;
		blk[r] = nb++;
	}
	for (int k = 0; k < 3; k++)
		if (fd[k]) {
			int e = rpt_close(&c->r, fd[k], name[k]);

			rc = rc ? rc : e;
		}
	for (int k = 0; k < 3 && !rc && nb > 0; k++)
		rc = group_script(c, gi, k, blk, emulated, pct_xmin);
	if (!rc && nb > 0)
		c->plotted[gi] = 1;
	/* Table: every run against the first that has this group. */
	for (size_t r = 0; r < c->nruns && !rc; r++)
		if (blk[r] >= 0)
			table_row(c, g, sv, blk, r);
	for (size_t r = 0; r < c->nruns; r++) {
		free(sv[r].v);
		free(sv[r].lens);
		stats_free(sv[r].st);
	}
	return rc;
}

static int write_html(struct cmp *c)
{
	FILE *f;
	int rc = 0;
	char mark[CMP_MAX_RUNS][400];
	const char *marks[CMP_MAX_RUNS];

	f = rpt_create(&c->r, "index.html", &rc);
	if (!f)
		return rc;
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	      "<title>isolat compare</title><style>body{font-family:sans-serif}"
	      "td,th{padding:2px 8px;border-bottom:1px solid #ddd}"
	      ".emu{font-weight:bold;padding:0 4px;border-radius:3px;"
	      "background:#f0c36d}.na{color:#777}"
	      "</style></head><body>\n<h1>isolat compare</h1>\n<h2>Runs</h2>"
	      "\n<p>Each run has one line style in every plot and table "
	      "(A solid, B dashed, C dotted, ...); a line's colour is its "
	      "case's environment, the same in every isolat figure.</p>\n"
	      "<table><tr><th>run</th><th>line</th><th>host</th>"
	      "<th>scenario</th><th>started</th></tr>\n", f);
	for (size_t r = 0; r < c->nruns; r++) {
		swatch(mark[r], sizeof(mark[r]), r);
		marks[r] = mark[r];
		fprintf(f, "<tr><td>%s ", mark[r]);
		gate_xml_escape(f, c->runs[r].uuid);
		fprintf(f, "</td><td>%s", dash[r].name);
		fputs("</td><td>", f);
		gate_xml_escape(f, c->runs[r].hostname);
		fputs("</td><td>", f);
		gate_xml_escape(f, c->runs[r].scenario_name);
		fputs("</td><td>", f);
		gate_xml_escape(f, c->runs[r].started_at);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	/* The answer first: the headline's structure, A against the rest. */
	headline_compare_html(c->runs, c->nruns, marks, f);
	fputs("<h2>Deltas against the first run</h2>\n<p>Latencies "
	      "in µs (relative change against the first run).  Shift: "
	      "whether this run's per-second p99 values sit above the first"
	      " run's (&#9650;) or below them (&#9660;), each a one-sided "
	      "Mann-Whitney U at p &lt; 0.01. "
	      " The seconds of one run are not independent evidence about "
	      "the next: a shift says these two runs differ, not that a "
	      "change caused it &mdash; <code>isolat gate</code> with "
	      "several baseline runs judges that against run-to-run noise."
	      "  Emulated and real cases are never compared. "
	      "<i>n&lt;N</i>: fewer samples than the percentile needs "
	      "(about 10 / (1 &minus; p)), so no number.</p>\n<table><tr><th>run</th><th>case</th><th>cpu</th>"
	      "<th>p50</th><th>p99</th><th>p99.99</th><th>max</th>"
	      "<th>dropped</th><th>shift</th></tr>\n", f);
	fflush(c->table);
	fwrite(c->table_buf, 1, c->table_len, f);
	fputs("</table>\n", f);
	for (size_t gi = 0; gi < c->ng; gi++) {
		if (!c->plotted[gi])
			continue;
		int emu = 0;

		for (size_t r = 0; r < c->nruns; r++)
			emu |= c->g[gi].side[r].emulated;
		fputs("<h2>", f);
		gate_xml_escape(f, c->g[gi].key);
		fprintf(f, ", CPU %d%s</h2>\n", c->g[gi].cpu, emu
			? " <span class=\"emu\">EMULATED</span>" : "");
		for (int k = 0; k < 3; k++)
			fprintf(f, "<p><img src=\"g%03zu-%s.svg\" alt=\"%s\" "
				"width=\"%d\"></p>\n", gi, kind[k], kind[k],
				RPT_PLOT_W);
	}
	fputs("</body></html>\n", f);
	return rpt_close(&c->r, f, "index.html");
}

/* Whether some case is in two runs or more: else the report would be
 * runs side by side with nothing overlaid. */
static int any_shared(const struct cmp *c)
{
	for (size_t gi = 0; gi < c->ng; gi++) {
		int in = 0;

		for (size_t r = 0; r < c->nruns; r++)
			in += c->g[gi].side[r].present;
		if (in > 1)
			return 1;
	}
	return 0;
}

/* The error for runs without a case in common, naming a case of each. */
static int no_shared_case(const struct cmp *c, char *err, size_t errsz)
{
	size_t len;

	snprintf(err, errsz, "no case is in two of these runs (cases match "
		 "on environment.profile.workload.load):");
	for (size_t r = 0; r < c->nruns; r++) {
		char key[200] = "no cases";

		if (c->runs[r].ncases)
			cmp_case_key(&c->runs[r].cases[0], key, sizeof(key));
		len = strlen(err);
		snprintf(err + len, errsz - len, " %.8s has %s%s%s",
			 c->runs[r].uuid, key,
			 c->runs[r].ncases > 1 ? ", ..." : "",
			 r + 1 < c->nruns ? ";" : "");
	}
	len = strlen(err);
	snprintf(err + len, errsz - len, "; expected runs of one scenario "
		 "(isolat show RUN lists the cases)");
	return -EINVAL;
}

int compare_render(struct store *st, const int64_t *ids, size_t n,
		   const char *outdir, char *err, size_t errsz)
{
	struct cmp c = { 0 };
	int rc = 0;

	c.r.st = st;
	c.r.outdir = outdir;
	c.r.dirfd = -1;
	c.r.err = err;
	c.r.errsz = errsz;
	if (errsz)
		err[0] = '\0';
	if (n < 1 || n > CMP_MAX_RUNS) {
		snprintf(err, errsz, "compare takes 1 to %d runs",
			 CMP_MAX_RUNS);
		return -EINVAL;
	}
	if (report_find_gnuplot(c.r.gnuplot, sizeof(c.r.gnuplot)) < 0) {
		snprintf(err, errsz, "gnuplot not found in PATH: install it "
			 "(apt-get install gnuplot-nox)");
		return -ENOENT;
	}
	for (size_t i = 0; i < n && !rc; i++, c.nruns++)
		rc = query_run_load(st, ids[i], &c.runs[i], err, errsz);
	if (!rc && cmp_match(c.runs, c.nruns, &c.g, &c.ng))
		rc = -ENOMEM;
	if (!rc && n > 1 && !any_shared(&c))
		rc = no_shared_case(&c, err, errsz);
	if (!rc && (mkdir(outdir, 0755) < 0 && errno != EEXIST)) {
		rc = -errno;
		snprintf(err, errsz, "%s: cannot create: %s", outdir,
			 strerror(errno));
	}
	if (!rc) {
		c.r.dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c.r.dirfd < 0) {
			rc = -errno;
			snprintf(err, errsz, "%s: %s", outdir, strerror(errno));
		}
	}
	if (!rc) {
		c.table = open_memstream(&c.table_buf, &c.table_len);
		c.plotted = calloc(c.ng + 1, sizeof(*c.plotted));
		if (!c.table || !c.plotted)
			rc = -ENOMEM;
	}
	for (size_t gi = 0; gi < c.ng && !rc; gi++)
		rc = do_group(&c, gi);
	/* Samples that cannot be read: the store names the file, run, case,
	 * series and chunk. */
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	else if ((rc == -EINVAL || rc == -EIO) && *store_samples_error(st))
		snprintf(err, errsz, "%s", store_samples_error(st));
	else if (rc && !err[0])
		snprintf(err, errsz, "rendering the comparison into %s failed:"
			 " %s", outdir, strerror(-rc));
	if (!rc)
		rc = rpt_run_scripts(&c.r);
	if (!rc)
		rc = write_html(&c);
	if (c.table)
		fclose(c.table);
	free(c.table_buf);
	free(c.plotted);
	free(c.r.scripts);
	cmp_groups_free(c.g, c.ng);
	for (size_t i = 0; i < c.nruns; i++)
		query_run_free(&c.runs[i]);
	if (c.r.dirfd >= 0)
		close(c.r.dirfd);
	return rc;
}
