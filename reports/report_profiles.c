/*
 * report_profiles.c - the report's "profiles compared" section: for each
 * environment (emulated cases apart), the table of profile_cmp.c and a
 * plot of the same numbers, so what isolation buys back is one glance.
 *
 *   profiles-ENV[-emulated][-N].dat
 *                                one block per workload / load group
 *                                (gnuplot `index`), one line per profile:
 *                                label, p50, p99, p99.9, max (µs)
 *   profiles-ENV[-emulated].gp   clustered bars, p99 and max per profile,
 *                                one cluster set (`newhistogram`) per
 *                                workload / load, log y axis
 *
 * ENV is the environment name reduced to [A-Za-z0-9_]; a name that needed
 * reducing also gets "-N" (its class number), so two stems never collide.
 * An environment of more than PROFILE_ROWS profiles gets parts -1, -2, ...
 * (rpt_nparts: never a wider figure), on the class's one y range.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/profile_cmp.h"
#include "reports/report_int.h"

/* Colours: the environment's (report_colors.c), p99 solid and max light,
 * so a red bar is always kvm and never "max". */

/* One plot: the groups of one environment, real or emulated. */
struct pclass {
	const char *environment;
	int emulated;
	size_t nrows;  /* bars / 2: profiles over all its groups */
	char stem[96];
	/* Its figures: parts of at most PROFILE_ROWS rows; the one being
	 * written holds rows [first, last) of the class, in file base. */
	int nparts;
	size_t first, last;
	char base[112];
};

/* Profiles in one figure: 70 px each beside 300 px of axis, labels and
 * key, so a paper PDF stays 16 cm (report_paper.c). */
#define PROFILE_ROWS ((RPT_PLOT_W - 300) / 70)

static void class_stem(struct pclass *c, size_t k)
{
	size_t n = (size_t)snprintf(c->stem, sizeof(c->stem), "profiles-");
	int reduced = 0;

	for (const char *e = c->environment; *e && n < 40; e++, n++) {
		unsigned char ch = (unsigned char)*e;
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			 (ch >= '0' && ch <= '9') || ch == '_';

		c->stem[n] = ok ? (char)ch : '_';
		reduced |= !ok;
	}
	c->stem[n] = '\0';
	if (reduced || !*c->environment)
		n += (size_t)snprintf(c->stem + n, sizeof(c->stem) - n, "-%zu",
				      k);
	if (c->emulated)
		snprintf(c->stem + n, sizeof(c->stem) - n, "-emulated");
}

/* The classes of p in order of first appearance; out has room for
 * p->ngroups. */
static size_t classes(const struct pcmp *p, struct pclass *out)
{
	size_t n = 0;

	for (size_t i = 0; i < p->ngroups; i++) {
		const struct pcmp_group *g = &p->groups[i];
		size_t k = 0;

		while (k < n && (out[k].emulated != g->emulated ||
				 strcmp(out[k].environment, g->environment)))
			k++;
		if (k == n) {
			memset(&out[n], 0, sizeof(out[n]));
			out[n].environment = g->environment;
			out[n].emulated = g->emulated;
			class_stem(&out[n], n);
			n++;
		}
		out[k].nrows += g->nrows;
	}
	for (size_t k = 0; k < n; k++)
		out[k].nparts = rpt_nparts(out[k].nrows, PROFILE_ROWS);
	return n;
}

/* Make part p of c the one being written. */
static void class_part(struct pclass *c, int p)
{
	c->first = rpt_part_first(c->nrows, c->nparts, p);
	c->last = rpt_part_first(c->nrows, c->nparts, p + 1);
	rpt_part_base(c->base, sizeof(c->base), c->stem, p, c->nparts);
}

/* Rows [*k0, *k1) of group i are the current part's; *j counts the rows
 * of the class before group i.  0 when it has none there. */
static int part_rows(const struct pcmp *p, const struct pclass *c, size_t i,
		     size_t *j, size_t *k0, size_t *k1)
{
	size_t n = p->groups[i].nrows, at = *j;

	*j += n;
	*k0 = c->first > at ? c->first - at : 0;
	*k1 = c->last > at ? c->last - at : 0;
	if (*k1 > n)
		*k1 = n;
	return *k0 < *k1;
}

static int in_class(const struct pcmp_group *g, const struct pclass *c)
{
	return g->emulated == c->emulated &&
	       !strcmp(g->environment, c->environment);
}

/* A value in µs for a log axis: NaN (skipped) where there is none. */
static void us(FILE *f, uint32_t ns)
{
	if (ns)
		fprintf(f, " %.3f", ns / 1000.0);
	else
		fputs(" NaN", f);
}

/* A name inside a double-quoted data-file label: [A-Za-z0-9._+/ -], so
 * "cpu+memory" reads as written; anything else (quotes, backslashes,
 * controls) becomes '_'. */
static void label_part(FILE *f, const char *s)
{
	for (int n = 0; *s && n < 32; s++, n++) {
		unsigned char ch = (unsigned char)*s;

		fputc((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr("._+/ -", ch) ? ch
								      : '_',
		      f);
	}
}

static void label(FILE *f, const char *s)
{
	fputc('"', f);
	label_part(f, s);
	fputc('"', f);
}

static int write_data(struct rpt *r, const struct pcmp *p,
		      const struct pclass *c)
{
	char name[128];
	int ret = 0, block = 0;
	size_t j = 0, k0, k1;
	FILE *f;

	snprintf(name, sizeof(name), "%s.dat", c->base);
	f = rpt_create(r, name, &ret);
	if (!f)
		return ret;
	fprintf(f, "# isolat run %s: profiles compared, worst CPU over each "
		"profile's cases%s\n# columns: profile, p50, p99, p99.9, max "
		"(us); one block per workload / load\n", r->run.uuid,
		c->emulated ? " (EMULATED)" : "");
	for (size_t i = 0; i < p->ngroups; i++) {
		const struct pcmp_group *g = &p->groups[i];

		if (!in_class(g, c) || !part_rows(p, c, i, &j, &k0, &k1))
			continue;
		/* Comments: outside text is reduced to what a label holds. */
		fprintf(f, "%s# block %d: workload ", block ? "\n\n" : "",
			block);
		label(f, g->workload);
		fputs(", load ", f);
		label(f, g->load);
		fputc('\n', f);
		for (size_t k = k0; k < k1; k++) {
			char t[64];

			/* The tic label: a flagged row is marked on the
			 * plot too. */
			snprintf(t, sizeof(t), "%.32s%s", g->rows[k].profile,
				 g->rows[k].nflagged ? "-FLAGGED" : "");
			/* "profile / load (workload)" under each cluster, as
			 * the matrix: no group label to collide with. */
			fputc('"', f);
			label_part(f, t);
			fputs(" / ", f);
			label_part(f, g->load);
			fputs(" (", f);
			label_part(f, g->workload);
			fputs(")\"", f);
			us(f, g->rows[k].p50_ns);
			us(f, g->rows[k].p99_ns);
			us(f, g->rows[k].p999_ns);
			us(f, g->rows[k].max_ns);
			fputc('\n', f);
		}
		block++;
	}
	return rpt_close(r, f, name);
}

/* The log y range: from one decade below the smallest p99 (bars grow
 * from the bottom) to twice the largest max (room for the key). */
static void y_range(FILE *f, const struct pcmp *p, const struct pclass *c)
{
	double lo = INFINITY, hi = 0;

	for (size_t i = 0; i < p->ngroups; i++)
		for (size_t k = 0; in_class(&p->groups[i], c) &&
				   k < p->groups[i].nrows; k++) {
			const struct pcmp_row *row = &p->groups[i].rows[k];

			if (row->p99_ns && row->p99_ns / 1000.0 < lo)
				lo = row->p99_ns / 1000.0;
			if (row->max_ns / 1000.0 > hi)
				hi = row->max_ns / 1000.0;
		}
	lo = isfinite(lo) ? pow(10.0, floor(log10(lo))) : 0.1;
	lo = lo < 0.001 ? 0.001 : lo;
	if (hi > lo)
		fprintf(f, "set yrange [%g:%g]\n", lo, 2 * hi);
	else
		fprintf(f, "set yrange [%g:*]\n", lo);
}

static void plot_command(FILE *f, const struct pcmp *p,
			 const struct pclass *c)
{
	const char *rgb = rpt_env_colour(c->environment);
	int block = 0;
	size_t j = 0, k0, k1;

	fputs("plot ", f);
	for (size_t i = 0; i < p->ngroups; i++) {
		if (!in_class(&p->groups[i], c) ||
		    !part_rows(p, c, i, &j, &k0, &k1))
			continue;
		/* The group is in every tic label (write_data): an
		 * untitled newhistogram only separates the clusters. */
		fputs(block ? ", \\\n     newhistogram ''" : "newhistogram ''",
		      f);
		/* '' is the previous data file; the key names each colour
		 * once. */
		if (block)
			fputs(", ''", f);
		else
			fprintf(f, ", '%s.dat'", c->base);
		fprintf(f, " index %d using 3:xtic(1) %s fs solid 0.9 border "
			"-1 lc rgb '%s', '' index %d using 5 %s fs transparent "
			"solid 0.35 border -1 lc rgb '%s'", block,
			block ? "notitle" : "title 'p99'", rgb, block,
			block ? "notitle" : "title 'max'", rgb);
		block++;
	}
	fputc('\n', f);
}

/* Does any row of c pool a flagged case? */
static int class_flagged(const struct pcmp *p, const struct pclass *c)
{
	for (size_t i = 0; i < p->ngroups; i++)
		for (size_t k = 0; in_class(&p->groups[i], c) &&
				   k < p->groups[i].nrows; k++)
			if (p->groups[i].rows[k].nflagged)
				return 1;
	return 0;
}

static int write_script(struct rpt *r, const struct pcmp *p,
			const struct pclass *c, int part)
{
	int width = RPT_PLOT_W, ret = 0;
	char name[128], t[200];
	FILE *f;

	snprintf(name, sizeof(name), "%s.gp", c->base);
	f = rpt_create(r, name, &ret);
	if (!f)
		return ret;
	rpt_script_head(r, f, c->base, "profiles compared: worst-CPU p99 and "
			"max per profile, one cluster set per workload / load",
			width);
	if (r->paper)
		rpt_paper_head(f, width);
	snprintf(t, sizeof(t), "Profiles compared on %.30s (run %.8s): "
		 "worst CPU per profile%s%s", c->environment, r->run.uuid,
		 c->emulated ? " - EMULATED: function test only, not "
		 "comparable" : "", class_flagged(p, c) ? " - FLAGGED cases "
		 "pooled" : "");
	if (c->nparts > 1)
		snprintf(t + strlen(t), sizeof(t) - strlen(t), " (%d of %d)",
			 part + 1, c->nparts);
	fputs("set title ", f);
	rpt_quote(f, t, RPT_Q_GNUPLOT);
	fputs("\nset style data histograms\n"
	      "set style histogram clustered gap 1\n"
	      "set style fill solid 0.85 border -1\n"
	      "set logscale y\n"
	      "set ylabel 'latency (µs, worst CPU, log scale)'\n"
	      "set xlabel 'profile, grouped by workload and load: profile / "
	      "load (workload)'\n"
	      "set xtics nomirror rotate by 90 right\n"
	      "set grid noxtics ytics\n"
	      "set key top left opaque box reverse Left width 1\n", f);
	y_range(f, p, c);
	plot_command(f, p, c);
	rpt_script_tail(f, c->base, width);
	if (r->paper)
		rpt_paper_pdf(f, c->base);
	ret = rpt_close(r, f, name);
	return ret ? ret : rpt_add_script(r, name);
}

/* Build the comparison and its classes; 0 (possibly none), or -ENOMEM
 * with r->err set.  *cls is malloc'd (free it, and pcmp_free p). */
static int prepare(struct rpt *r, struct pcmp *p, struct pclass **cls,
		   size_t *ncls)
{
	*cls = NULL;
	*ncls = 0;
	if (pcmp_build(&r->run, p))
		goto oom;
	if (!p->ngroups)
		return 0;
	*cls = calloc(p->ngroups, sizeof(**cls));
	if (!*cls) {
		pcmp_free(p);
		goto oom;
	}
	*ncls = classes(p, *cls);
	return 0;
oom:
	snprintf(r->err, r->errsz, "out of memory comparing profiles");
	return -ENOMEM;
}

int rpt_profiles(struct rpt *r)
{
	struct pclass *cls;
	struct pcmp p;
	size_t n;
	int rc = prepare(r, &p, &cls, &n);

	for (size_t k = 0; k < n && !rc; k++)
		for (int part = 0; part < cls[k].nparts && !rc; part++) {
			class_part(&cls[k], part);
			rc = write_data(r, &p, &cls[k]);
			if (!rc)
				rc = write_script(r, &p, &cls[k], part);
		}
	free(cls);
	pcmp_free(&p);
	return rc;
}

static void class_html(struct rpt *r, const struct pcmp *p,
		       struct pclass *c, FILE *f)
{
	char svg[128], alt[160];

	fputs("<h3>", f);
	rpt_quote(f, c->environment, RPT_Q_HTML);
	if (c->emulated)
		fputs(" <span class=\"tag emu\">EMULATED</span>", f);
	fputs("</h3>\n", f);
	profile_cmp_html_table(p, c->environment, c->emulated, f);
	for (int part = 0; part < c->nparts; part++) {
		class_part(c, part);
		snprintf(svg, sizeof(svg), "%s.svg", c->base);
		snprintf(alt, sizeof(alt), "profiles compared on %.40s%s",
			 c->environment, c->emulated ? " (EMULATED)" : "");
		if (c->nparts > 1)
			snprintf(alt + strlen(alt), sizeof(alt) - strlen(alt),
				 " (%d of %d)", part + 1, c->nparts);
		/* Only a plot that was drawn (the scripts ran before this
		 * page). */
		if (faccessat(r->dirfd, svg, F_OK, 0) == 0)
			rpt_plot_block(f, c->base, alt, RPT_PLOT_W);
	}
}

void rpt_profiles_html(struct rpt *r, FILE *f)
{
	struct pclass *cls;
	struct pcmp p;
	size_t n;

	if (prepare(r, &p, &cls, &n)) {
		fputs("<p>(profiles compared: out of memory)</p>\n", f);
		return;
	}
	if (n)
		fputs("<h2 id=\"profiles\">Profiles compared</h2>\n<p>What isolation buys "
		      "back: per environment, workload and load, every "
		      "profile's worst CPU over all its done repetitions "
		      "(µs). x: p99 and max relative to the baseline profile "
		      "(<code>none</code> where present, else the first "
		      "profile of the scenario); bought back: baseline p99 "
		      "minus p99 (negative: worse than the baseline). "
		      "Emulated cases are only compared with emulated "
		      "ones.</p>\n", f);
	for (size_t k = 0; k < n; k++)
		class_html(r, &p, &cls[k], f);
	free(cls);
	pcmp_free(&p);
}
