/*
 * report_matrix.c - the matrix of "environments compared"
 * (report_envfig.c):
 *
 *   matrix[-emulated][-N].*  p99.9 (solid) and max (light) of every
 *                            environment x profile x load, bars in the
 *                            environment's colour, each labelled with its
 *                            ratio against bare with the same profile
 *                            and load
 *
 * A matrix of more profile x load clusters than fit RPT_PLOT_W (28 px a
 * bar, for its rotated ratio label at 9 pt in a 16 cm PDF) is split into
 * parts matrix-1, matrix-2, ... on one y range, never widened.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "reports/report_envfig.h"

/* The environments of one class, in rank order. */
static int class_envs(const struct egroup *g, size_t n, int emulated,
		      const char **env, int max)
{
	int ne = 0;

	for (size_t i = 0; i < n; i++) {
		if (g[i].emulated != emulated)
			continue;
		for (int k = 0; k < g[i].nenv; k++) {
			int j = 0;

			while (j < ne && !same(env[j], g[i].env[k].environment))
				j++;
			if (j < ne || ne == max)
				continue;
			for (j = ne++; j > 0 && rpt_env_rank(env[j - 1]) >
				       rpt_env_rank(g[i].env[k].environment); j--)
				env[j] = env[j - 1];
			env[j] = g[i].env[k].environment;
		}
	}
	return ne;
}

/* The headline row of (environment, group), or NULL. */
static const struct hl_row *hl_find(const struct headline *h,
				    const struct egroup *g, const char *env)
{
	for (size_t i = 0; i < h->nrows; i++) {
		const struct hl_row *row = &h->rows[i];

		if (row->emulated == g->emulated && same(row->workload,
		    g->workload) && same(row->load, g->load) &&
		    same(row->profile, g->profile) &&
		    same(row->environment, env))
			return row;
	}
	return NULL;
}

/* One tic per cluster (its centre) of clusters [first, last) of the
 * class, upright, ending at the axis. */
static void matrix_tics(FILE *gp, const struct egroup *g, size_t n,
			int emulated, int ne, size_t first, size_t last)
{
	fprintf(gp, "set xrange [0:%d]\nset xtics nomirror rotate by 90 right (",
		(int)(last - first) * (ne + 1));
	for (size_t i = 0, k = 0, c = 0; i < n; i++) {
		char t[120];

		if (g[i].emulated != emulated || k++ < first || k > last)
			continue;
		snprintf(t, sizeof(t), "%.30s / %.30s (%.20s)", g[i].profile,
			 g[i].load, g[i].workload);
		fputs(c ? ", " : "", gp);
		rpt_quote(gp, t, RPT_Q_GNUPLOT);
		fprintf(gp, " %.1f", c * (ne + 1.0) + (ne + 1) / 2.0);
		c++;
	}
	fputs(")\n", gp);
}

/* One percentile for a whole matrix: p99.9 where every case has the
 * samples for it (headline_p999_ok), else p99 - never a p99.9 that is one
 * of a few largest samples.  HL_P999 or HL_P99. */
static int matrix_q(const struct egroup *g, size_t n, int emulated,
		    const char *const *env, int ne, const struct headline *h)
{
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < ne && g[i].emulated == emulated; k++) {
			const struct hl_row *row = hl_find(h, &g[i], env[k]);

			if (row && !headline_p999_ok(row))
				return HL_P99;
		}
	return HL_P999;
}

static void matrix_title(FILE *gp, int emulated, const char *qn, int p,
			 int np)
{
	char title[200];

	/* Short enough for the plain style's SVG width: the longer wording
	 * ran off its left edge. */
	if (emulated)
		snprintf(title, sizeof(title), "%s (solid) and max (light) by "
			 "environment, profile and load - EMULATED cases, not "
			 "comparable", qn);
	else
		snprintf(title, sizeof(title), "%s (solid), max (light); "
			 "labels: ×%s / ×max against bare, same profile and "
			 "load", qn, qn);
	if (np > 1)
		snprintf(title + strlen(title), sizeof(title) - strlen(title),
			 " (%d of %d)", p + 1, np);
	fputs("set title ", gp);
	rpt_quote(gp, title, RPT_Q_GNUPLOT);
}

/* What the parts of one matrix share. */
struct mx {
	const char *env[8];
	int ne, q, emulated, nparts;
	size_t nc;            /* clusters (profile x load) of the class */
	double ylo, yhi;      /* one y range for every part */
	const struct headline *h;
};

/* The matrix's range: the smallest bar's decade to a decade above the
 * largest max (head room for its rotated ratio label). */
static void matrix_range(struct mx *m, const struct egroup *g, size_t n)
{
	uint32_t lo = UINT32_MAX, hi = 1000;

	m->nc = 0;
	for (size_t i = 0; i < n; i++) {
		if (g[i].emulated != m->emulated)
			continue;
		m->nc++;
		for (int k = 0; k < m->ne; k++) {
			const struct hl_row *row = hl_find(m->h, &g[i],
							   m->env[k]);

			if (row && row->v[m->q] && row->v[m->q] < lo)
				lo = row->v[m->q];
			if (row && row->v[HL_MAX] > hi)
				hi = row->v[HL_MAX];
		}
	}
	m->ylo = lo == UINT32_MAX ? 1 : pow(10, floor(log10(lo / 1000.0)));
	/* The shortest bar at least half a decade tall: 112 µs on an axis
	 * from 100 µs is a sliver nobody reads. */
	if (lo != UINT32_MAX && log10(lo / 1000.0 / m->ylo) < 0.5)
		m->ylo /= 10;
	m->yhi = pow(10, ceil(log10(hi / 1000.0 + 1e-9)) + 1.0);
}

/* Clusters [first, last) of the class, one block per environment. */
static void matrix_data(FILE *dat, const struct mx *m, const struct egroup *g,
			size_t n, size_t first, size_t last)
{
	for (int k = 0; k < m->ne; k++) {
		size_t c = 0, j = 0;

		fprintf(dat, "%s# %s\n", k ? "\n\n" : "", m->env[k]);
		for (size_t i = 0; i < n; i++) {
			const struct hl_row *row, *b;

			if (g[i].emulated != m->emulated || j++ < first ||
			    j > last)
				continue;
			row = hl_find(m->h, &g[i], m->env[k]);
			c++;
			if (!row)
				continue;
			b = row->bare >= 0 ? &m->h->rows[row->bare] : NULL;
			fprintf(dat, "%zu %.3f %.3f %.3f %.3f\n",
				(c - 1) * (size_t)(m->ne + 1) + (size_t)k + 1,
				row->v[m->q] / 1000.0,
				row->v[HL_MAX] / 1000.0,
				b && b->v[m->q] ? (double)row->v[m->q] /
				b->v[m->q] : 0.0, b && b->v[HL_MAX] ?
				(double)row->v[HL_MAX] / b->v[HL_MAX] : 0.0);
		}
	}
}

/* Part p of the matrix: its .dat, .gp and place on the page. */
static int matrix_part(struct rpt *r, const struct mx *m,
		       const struct egroup *g, size_t n, int p)
{
	const char *qn = m->q == HL_P999 ? "p99.9" : "p99";
	size_t first = rpt_part_first(m->nc, m->nparts, p);
	size_t last = rpt_part_first(m->nc, m->nparts, p + 1);
	char base[48], alt[80];
	FILE *dat, *gp;
	int ret;

	rpt_part_base(base, sizeof(base), m->emulated ? "matrix-emulated"
		      : "matrix", p, m->nparts);
	ret = rpt_ef_open_pair(r, base, &dat, &gp, m->q == HL_P999
			? "p99.9 and max by environment x profile x load, "
			  "ratio against bare"
			: "p99 and max by environment x profile x load, ratio "
			  "against bare", RPT_PLOT_W);
	if (ret)
		return ret;
	fprintf(dat, "# isolat run %s: worst CPU per environment x profile x "
		"load%s\n# one block per environment; columns: x, %s (us), "
		"max (us), %s / bare, max / bare (0: no real bare "
		"reference)\n", r->run.uuid, m->emulated ? " (EMULATED)" : "",
		qn, qn);
	matrix_data(dat, m, g, n, first, last);
	matrix_title(gp, m->emulated, qn, p, m->nparts);
	fprintf(gp, "\nset logscale y\nset yrange [%g:%g]\n", 0.98 * m->ylo,
		1.02 * m->yhi);
	rpt_log_tics(gp, "ytics");
	fputs("set ylabel 'latency (µs, log scale), worst CPU'\n"
	      "set xlabel 'profile / load (workload)'\nset grid noxtics ytics\n"
	      "set style fill solid 1.0 noborder\n"
	      "set key outside right top vertical reverse Left box width 1\n",
	      gp);
	matrix_tics(gp, g, n, m->emulated, m->ne, first, last);
	rpt_ef_emulated_mark(gp, m->emulated);
	fputs("plot ", gp);
	for (int k = 0; k < m->ne; k++) {
		const char *rgb = rpt_env_colour(m->env[k]);

		fprintf(gp, "%s'%s.dat' index %d using 1:3:($1-0.42):($1+0.42):"
			"(%g):3 with boxxyerror fs transparent solid 0.3 lc rgb "
			"'%s' notitle, \\\n     '' index %d using 1:2:($1-0.42):"
			"($1+0.42):(%g):2 with boxxyerror lc rgb '%s' title ",
			k ? ", \\\n     " : "", base, k, m->ylo, rgb, k, m->ylo,
			rgb);
		rpt_quote(gp, m->env[k], RPT_Q_GNUPLOT);
		if (!m->emulated && !rpt_env_is_reference(m->env[k]))
			fprintf(gp, ", \\\n     '' index %d using 1:3:($5 > 0 ? "
				"sprintf('×%%.2f / ×%%.2f', $4, $5) : '') with "
				"labels left rotate by 90 offset 0,0.4 notitle",
				k);
	}
	fputc('\n', gp);
	ret = rpt_ef_close_pair(r, base, dat, gp, RPT_PLOT_W, m->emulated);
	snprintf(alt, sizeof(alt), "%s and max%s", qn, m->emulated ?
		 ", emulated cases" : " against bare");
	if (m->nparts > 1)
		snprintf(alt + strlen(alt), sizeof(alt) - strlen(alt),
			 " (%d of %d)", p + 1, m->nparts);
	return ret ? ret : rpt_ef_add_fig(r, base, alt, m->emulated);
}

/* The matrix of a class: parts of at most as many clusters as keep 28 px
 * a bar (its rotated ratio label) at RPT_PLOT_W, all on one y range. */
int rpt_matrix_fig(struct rpt *r, const struct egroup *g, size_t n,
		   int emulated, const struct headline *h)
{
	struct mx m = { .emulated = emulated, .h = h };
	size_t cap;
	int ret = 0;

	m.ne = class_envs(g, n, emulated, m.env, 8);
	m.q = matrix_q(g, n, emulated, m.env, m.ne, h);
	r->matrix_q[emulated] = m.q == HL_P999 ? "p99.9" : "p99";
	matrix_range(&m, g, n);
	cap = (size_t)(RPT_PLOT_W - 300) / 28 / (size_t)(m.ne + 1);
	m.nparts = rpt_nparts(m.nc, cap);
	for (int p = 0; p < m.nparts && !ret; p++)
		ret = matrix_part(r, &m, g, n, p);
	return ret;
}
