/*
 * report_envfig.c - the figures that answer the question: environments
 * overlaid (report.h, "environments compared").
 *
 *   envhist-GNN[-emulated].*  per workload x load x profile: one latency
 *                             histogram per environment (all CPUs and
 *                             repetitions summed), OSADL style: log counts,
 *                             1 µs bins (coarser only where the range
 *                             needs it, said on the axis), one x range for
 *                             every such plot of the report
 *   envtail-GNN[-emulated].*  the same groups: latency (log axis) against
 *                             percentile on a -log10(1 - p) axis
 *   matrix[-emulated].*       report_matrix.c
 *
 * Emulated cases form their own figures (the "-emulated" ones, marked):
 * never drawn beside real ones.  Everything comes from the stored
 * histograms and summaries, so the cost does not grow with the sample
 * count.  Colours: report_colors.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/store_db.h"
#include "reports/headline.h"
#include "reports/report_envfig.h"
#include "reports/report_int.h"

/* Bins in a shared-range histogram, at most: 1 µs up to 20 ms. */
#define MAX_BINS 20000
/* Dense µs counts of one environment, grown to its max (140 ms: 1 MiB);
 * a value past 4 s is counted in the last bin. */
#define MAX_US (1u << 22)

static int latency_case(const struct q_case *c)
{
	if (!c->status || strcmp(c->status, "done") || !c->nseries)
		return 0;
	for (size_t k = 0; k < c->nseries; k++)
		if (!query_unit_is_ns(c->series[k].unit))
			return 0;
	return 1;
}

static int grow(struct eenv *e, uint64_t need)
{
	uint64_t *p;
	uint32_t cap;

	if (need > MAX_US)
		need = MAX_US;
	if (need <= e->cap)
		return 0;
	cap = (uint32_t)need;
	p = realloc(e->cnt, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memset(p + e->cap, 0, (cap - e->cap) * sizeof(*p));
	e->cnt = p;
	e->cap = cap;
	return 0;
}

/* Add one series' stored histogram into e (1 µs bins). */
static int add_series(struct rpt *r, struct eenv *e, int64_t sid)
{
	sqlite3_stmt *s;
	struct hist_bin *bins = NULL;
	size_t nbins = 0;
	int rc = 0;

	if (sqlite3_prepare_v2(store_db(r->st), "SELECT bucket_ns, data FROM "
			       "histograms WHERE series_id = ?", -1, &s,
			       NULL) != SQLITE_OK) {
		snprintf(r->err, r->errsz, "database query failed: %s",
			 store_errmsg(r->st));
		return -EIO;
	}
	sqlite3_bind_int64(s, 1, sid);
	if (sqlite3_step(s) == SQLITE_ROW) {
		int64_t b = sqlite3_column_int64(s, 0);
		const void *blob = sqlite3_column_blob(s, 1);
		int len = sqlite3_column_bytes(s, 1);

		if (b < 1 || b > UINT32_MAX)
			rc = -EINVAL;
		else if (len > 0 && !(rc = stats_histogram_parse(
				blob, (size_t)len, &bins, &nbins)))
			rc = grow(e, nbins ? bins[nbins - 1].bucket *
					     (uint64_t)b / 1000u + 1 : 0);
		for (size_t i = 0; !rc && i < nbins; i++) {
			uint64_t us = bins[i].bucket * (uint64_t)b / 1000u;

			if (us >= MAX_US)
				us = MAX_US - 1;
			e->cnt[us] += bins[i].count;
			e->total += bins[i].count;
			if (us + 1 > e->nus)
				e->nus = (uint32_t)us + 1;
		}
	}
	sqlite3_finalize(s);
	free(bins);
	if (rc)
		snprintf(r->err, r->errsz, rc == -ENOMEM ? "out of memory" :
			 "run %s series %" PRId64 ": the stored histogram is "
			 "corrupt; restore the database from a copy",
			 r->run.uuid, sid);
	return rc;
}

static void groups_free(struct egroup *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < g[i].nenv; k++)
			free(g[i].env[k].cnt);
	free(g);
}

static struct eenv *env_slot(struct egroup *g, const char *environment)
{
	for (int k = 0; k < g->nenv; k++)
		if (same(g->env[k].environment, environment))
			return &g->env[k];
	if (g->nenv == 8)
		return NULL; /* more environments than a plot can tell apart */
	int k = g->nenv;

	/* In rank order: bare first, as every figure and table. */
	while (k > 0 && rpt_env_rank(g->env[k - 1].environment) >
			rpt_env_rank(environment)) {
		g->env[k] = g->env[k - 1];
		k--;
	}
	memset(&g->env[k], 0, sizeof(g->env[k]));
	g->env[k].environment = environment;
	g->nenv++;
	return &g->env[k];
}

/* The groups of the run, in order of first appearance. */
static int build_groups(struct rpt *r, struct egroup **out, size_t *nout)
{
	struct egroup *g = calloc(r->run.ncases + 1, sizeof(*g));
	size_t n = 0;
	int rc = 0;

	if (!g)
		return -ENOMEM;
	for (size_t i = 0; i < r->run.ncases && !rc; i++) {
		const struct q_case *c = &r->run.cases[i];
		struct egroup *e = NULL;
		struct eenv *v;

		if (!latency_case(c))
			continue;
		for (size_t j = 0; j < n && !e; j++)
			if (g[j].emulated == c->emulated &&
			    same(g[j].workload, c->workload) &&
			    same(g[j].load, c->load) &&
			    same(g[j].profile, c->profile))
				e = &g[j];
		if (!e) {
			e = &g[n++];
			e->workload = c->workload ? c->workload : "";
			e->load = c->load ? c->load : "";
			e->profile = c->profile ? c->profile : "";
			e->emulated = c->emulated;
		}
		v = env_slot(e, c->environment ? c->environment : "");
		if (!v)
			continue;
		for (size_t k = 0; k < c->nseries && !rc; k++)
			rc = add_series(r, v, c->series[k].id);
	}
	if (rc) {
		groups_free(g, n);
		return rc;
	}
	*out = g;
	*nout = n;
	return 0;
}

/* --- data and scripts ------------------------------------------------ */

static void gp_str(FILE *f, const char *s)
{
	rpt_quote(f, s, RPT_Q_GNUPLOT);
}

/* The bin width (µs) that keeps the widest range under MAX_BINS bins:
 * 1, 2, 5, 10, 20, 50, ... */
static uint32_t bin_width(uint32_t range_us)
{
	static const uint32_t step[] = { 1, 2, 5 };

	for (uint32_t dec = 1;; dec *= 10)
		for (int i = 0; i < 3; i++)
			if (range_us / (step[i] * dec) < MAX_BINS ||
			    dec >= 100000)
				return step[i] * dec;
}

static void group_title(FILE *f, const struct rpt *r, const struct egroup *g,
			const char *what)
{
	char t[300];

	snprintf(t, sizeof(t), "%s: %.30s, profile %.30s, load %.30s%s", what,
		 g->workload, g->profile, g->load,
		 g->emulated ? " (EMULATED: function test only)" : "");
	fputs("set title ", f);
	gp_str(f, t);
	fputc('\n', f);
	(void)r;
}

/* One curve per environment; base.dat holds one block each. */
static void env_plot(FILE *f, const struct egroup *g, const char *dat,
		     const char *using, const char *style)
{
	fputs("plot ", f);
	for (int k = 0; k < g->nenv; k++) {
		fprintf(f, "%s'%s.dat' index %d using %s with %s lc rgb '%s' "
			"title ", k ? ", \\\n     " : "", dat, k, using, style,
			rpt_env_colour(g->env[k].environment));
		gp_str(f, g->env[k].environment);
	}
	fputc('\n', f);
}

int rpt_ef_open_pair(struct rpt *r, const char *base, FILE **dat, FILE **gp,
		     const char *what, int width)
{
	char name[96];
	int ret = 0;

	snprintf(name, sizeof(name), "%s.dat", base);
	*dat = rpt_create(r, name, &ret);
	if (!*dat)
		return ret;
	snprintf(name, sizeof(name), "%s.gp", base);
	*gp = rpt_create(r, name, &ret);
	if (!*gp) {
		fclose(*dat);
		return ret;
	}
	rpt_script_head(r, *gp, base, what, width);
	if (r->paper)
		rpt_paper_head(*gp, width);
	return 0;
}

int rpt_ef_close_pair(struct rpt *r, const char *base, FILE *dat, FILE *gp,
		      int width, int emulated)
{
	char name[96];
	int ret;

	(void)emulated;
	rpt_script_tail(gp, base, width);
	if (r->paper)
		rpt_paper_pdf(gp, base);
	snprintf(name, sizeof(name), "%s.dat", base);
	ret = rpt_close(r, dat, name);
	snprintf(name, sizeof(name), "%s.gp", base);
	if (ret) {
		fclose(gp);
		return ret;
	}
	ret = rpt_close(r, gp, name);
	return ret ? ret : rpt_add_script(r, name);
}

void rpt_ef_emulated_mark(FILE *f, int emulated)
{
	if (emulated)
		fputs("set label 99 'EMULATED - function test only, not "
		      "comparable' at graph 0.5, graph 0.55 center rotate by 15"
		      " font ',20' textcolor rgb '#b0b0b0' back\n", f);
}

static int hist_fig(struct rpt *r, const struct egroup *g, const char *base,
		    uint32_t range_us, double lo_us)
{
	uint32_t w = bin_width(range_us);
	FILE *dat, *gp;
	int ret = rpt_ef_open_pair(r, base, &dat, &gp, "latency histogram, one "
			    "curve per environment", RPT_PLOT_W);

	if (ret)
		return ret;
	fprintf(dat, "# isolat run %s: latency histogram per environment, all "
		"CPUs and repetitions summed\n# one block per environment; "
		"columns: bin centre (us), samples in the %u us bin\n",
		r->run.uuid, w);
	for (int k = 0; k < g->nenv; k++) {
		const struct eenv *e = &g->env[k];

		fprintf(dat, "%s# %s: %" PRIu64 " samples\n", k ? "\n\n" : "",
			e->environment, e->total);
		/* Dense from 0 to the last bin: empty bins are zeros that
		 * drop to the axis, never a flat line bridging a gap. */
		for (uint32_t b = 0; b * w < e->nus; b++) {
			uint64_t n = 0;

			for (uint32_t u = b * w; u < (b + 1) * w && u < e->nus;
			     u++)
				n += e->cnt[u];
			fprintf(dat, "%.1f %" PRIu64 "\n", (b + 0.5) * w, n);
		}
	}
	group_title(gp, r, g, "Latency histogram by environment");
	/* Log x: the body (a few µs wide) and a tail of milliseconds both
	 * readable on one axis; the same range on every such plot. */
	fprintf(gp, "set xlabel 'latency (µs, log scale), %u µs bins; one "
		"range for every environment plot of this report'\n", w);
	fprintf(gp, "set ylabel 'samples per %u µs bin (log scale)'\n", w);
	/* Whole decades around every environment's data, so the named
	 * tics frame it. */
	fprintf(gp, "set logscale xy\nset yrange [0.8:*]\nset xrange [%g:%g]\n"
		"set format y '%%.0f'\nset mytics 10\n",
		0.98 * pow(10, floor(log10(lo_us > w / 2.0 ? lo_us
							    : w / 2.0))),
		1.02 * pow(10, ceil(log10((double)range_us) - 1e-9)));
	rpt_log_tics(gp, "xtics");
	fputs("set key top right opaque box reverse Left width 1\n", gp);
	rpt_ef_emulated_mark(gp, g->emulated);
	fputs("# empty bins are drawn on the bottom edge (log axis: no 0)\n",
	      gp);
	env_plot(gp, g, base, "1:($2 > 0 ? $2 : 0.01)", "histeps lw 1.5");
	return rpt_ef_close_pair(r, base, dat, gp, RPT_PLOT_W, g->emulated);
}

static void nines_tics(FILE *f, double xmax)
{
	static const char *const nines[] = { "0", "90", "99", "99.9",
					     "99.99", "99.999", "99.9999",
					     "99.99999", "99.999999" };
	/* Past the last nine: a curve ending exactly on a whole nine
	 * (10 000 samples: 4) rises to its max there, not on the border. */
	int top = (int)ceil(xmax + 0.05);

	if (top < 1)
		top = 1;
	if (top > 8)
		top = 8;
	fprintf(f, "set xrange [0:%d]\nset xtics (", top);
	for (int i = 0; i <= top; i++)
		fprintf(f, "%s'%s' %d", i ? ", " : "", nines[i], i);
	fputs(")\n", f);
}

static int tail_fig(struct rpt *r, const struct egroup *g, const char *base)
{
	FILE *dat, *gp;
	double xmax = 0, ylo = 1e12, yhi = 1;
	int ret = rpt_ef_open_pair(r, base, &dat, &gp, "latency by percentile, one "
			    "curve per environment", RPT_PLOT_W);

	if (ret)
		return ret;
	fprintf(dat, "# isolat run %s: latency against percentile per "
		"environment, all CPUs and repetitions, from the 1 us "
		"histograms\n# one block per environment; columns: nines = "
		"-log10(1 - p), latency (us, upper edge of its 1 us bin)\n",
		r->run.uuid);
	for (int k = 0; k < g->nenv; k++) {
		const struct eenv *e = &g->env[k];
		double x0 = 0, top = log10((double)e->total);
		uint64_t cum = 0;

		fprintf(dat, "%s# %s: %" PRIu64 " samples\n", k ? "\n\n" : "",
			e->environment, e->total);
		/* A step per non-empty bin: p from the share below it to the
		 * share up to it; the last bin (the max) ends at
		 * log10(samples), where the data runs out. */
		for (uint32_t u = 0; u < e->nus; u++) {
			double x1;

			if (!e->cnt[u])
				continue;
			cum += e->cnt[u];
			x1 = cum >= e->total ? top
				: -log10(1.0 - (double)cum / e->total);
			if (x1 > top)
				x1 = top;
			fprintf(dat, "%.5f %u\n%.5f %u\n", x0, u + 1, x1, u + 1);
			x0 = x1;
			if (u + 1 < ylo)
				ylo = u + 1;
			if (u + 1 > yhi)
				yhi = u + 1;
		}
		if (top > xmax)
			xmax = top;
	}
	group_title(gp, r, g, "Latency by percentile by environment");
	nines_tics(gp, xmax);
	fputs("set xlabel 'percentile (%), axis -log10(1 - p): each tic one "
	      "more nine; a curve ends at its max'\n", gp);
	fputs("set ylabel 'latency (µs, log scale)'\nset logscale y\n"
	      "set key top left opaque box reverse Left width 1\n", gp);
	/* Whole decades (a hair wider, or gnuplot drops the end tics). */
	fprintf(gp, "set yrange [%g:%g]\n", 0.98 * pow(10, floor(log10(ylo))),
		1.02 * pow(10, ceil(log10(yhi) - 1e-9)));
	rpt_log_tics(gp, "ytics");
	rpt_ef_emulated_mark(gp, g->emulated);
	env_plot(gp, g, base, "1:2", "lines lw 1.5");
	return rpt_ef_close_pair(r, base, dat, gp, RPT_PLOT_W, g->emulated);
}

/* --- the matrix ------------------------------------------------------ */

/* --- the driver ------------------------------------------------------ */

int rpt_ef_add_fig(struct rpt *r, const char *base, const char *alt,
		   int emulated)
{
	void *p = realloc(r->figs, (r->nfigs + 1) * sizeof(*r->figs));

	if (!p) {
		snprintf(r->err, r->errsz, "out of memory");
		return -ENOMEM;
	}
	r->figs = p;
	snprintf(r->figs[r->nfigs].base, sizeof(r->figs[0].base), "%s", base);
	snprintf(r->figs[r->nfigs].alt, sizeof(r->figs[0].alt), "%s", alt);
	r->figs[r->nfigs].emulated = emulated;
	r->nfigs++;
	return 0;
}

/* Environments without a stored histogram would shift the blocks. */
static void drop_empty(struct egroup *g)
{
	int j = 0;

	for (int k = 0; k < g->nenv; k++) {
		if (g->env[k].total)
			g->env[j++] = g->env[k];
		else
			free(g->env[k].cnt);
	}
	g->nenv = j;
}

int rpt_envfigs(struct rpt *r)
{
	struct egroup *g = NULL;
	struct headline h;
	uint32_t range[2] = { 0, 0 };
	size_t n = 0;
	int ret = build_groups(r, &g, &n), have[2] = { 0, 0 };

	if (ret)
		return ret;
	if (headline_build(&r->run, &h)) {
		groups_free(g, n);
		snprintf(r->err, r->errsz, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		drop_empty(&g[i]);
		for (int k = 0; k < g[i].nenv; k++)
			if (g[i].env[k].nus > range[g[i].emulated])
				range[g[i].emulated] = g[i].env[k].nus;
		have[g[i].emulated] |= g[i].nenv > 0;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		char base[64], alt[300];
		uint32_t w;

		if (!g[i].nenv)
			continue;
		/* One range for all: rounded up to whole bins. */
		w = bin_width(range[g[i].emulated]);
		snprintf(alt, sizeof(alt), "%.30s, profile %.30s, load %.30s%s",
			 g[i].workload, g[i].profile, g[i].load,
			 g[i].emulated ? " (EMULATED)" : "");
		snprintf(base, sizeof(base), "envhist-g%02zu%s", i,
			 g[i].emulated ? "-emulated" : "");
		ret = hist_fig(r, &g[i], base, (range[g[i].emulated] + w - 1) /
			       w * w, r->hist_xmin_us[g[i].emulated]);
		if (!ret)
			ret = rpt_ef_add_fig(r, base, alt, g[i].emulated);
		snprintf(base, sizeof(base), "envtail-g%02zu%s", i,
			 g[i].emulated ? "-emulated" : "");
		if (!ret)
			ret = tail_fig(r, &g[i], base);
		if (!ret)
			ret = rpt_ef_add_fig(r, base, alt, g[i].emulated);
	}
	for (int emu = 0; emu < 2 && !ret; emu++) {
		if (!have[emu])
			continue;
		ret = rpt_matrix_fig(r, g, n, emu, &h);
	}
	headline_free(&h);
	groups_free(g, n);
	return ret;
}

void rpt_envfigs_html(const struct rpt *r, FILE *f)
{
	if (!r->nfigs)
		return;
	fputs("<h2 id=\"environments\">Environments compared</h2>\n<p>The "
	      "figures behind the headline. The matrix: p99.9 (solid) and max "
	      "(light) of every environment × profile × load, labelled with "
	      "their ratios against bare (p99 instead of p99.9 when a CPU has "
	      "fewer than 10 000 samples, as in the headline). Then per profile and load: the "
	      "latency histograms of every environment on one plot (all CPUs "
	      "summed, log counts, one x range for all of them) and the "
	      "latency by percentile. One colour per environment in every "
	      "figure. Emulated cases have figures of their own.</p>\n", f);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->nfigs; i++) {
			const struct rpt_fig *x = &r->figs[i];
			int is_matrix = !strncmp(x->base, "matrix", 6);

			/* The matrix first: the one-glance summary. */
			if (is_matrix != !pass)
				continue;
			if (!is_matrix && !strncmp(x->base, "envhist", 7)) {
				fputs("<h3>", f);
				rpt_quote(f, x->alt, RPT_Q_HTML);
				fputs("</h3>\n", f);
			}
			rpt_plot_block(f, x->base, x->alt, RPT_PLOT_W);
		}
}
