/*
 * profile_cmp.c - "profiles compared" (see profile_cmp.h): grouping a
 * run's latency cases by environment / workload / load, one pooled row per
 * profile against the baseline profile, and the text and HTML tables.
 */
#include "reports/profile_cmp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_int.h"

static const char *s(const char *v)
{
	return v ? v : "";
}

/* A done case whose series are all latency (ns) and hold samples. */
static int usable(const struct q_case *c)
{
	int any = 0;

	if (!c->status || strcmp(c->status, "done") || !c->nseries)
		return 0;
	for (size_t k = 0; k < c->nseries; k++) {
		const struct q_series *q = &c->series[k];

		/* A throughput series (spin) has no place on a µs axis. */
		if (!query_unit_is_ns(q->unit))
			return 0;
		any |= q->has_summary && q->sum.count;
	}
	return any;
}

static int same_group(const struct pcmp_group *g, const struct q_case *c)
{
	return !strcmp(g->environment, s(c->environment)) &&
	       !strcmp(g->workload, s(c->workload)) &&
	       !strcmp(g->load, s(c->load)) && g->emulated == c->emulated;
}

/* Pool one case into a row: the worst series of every column. */
static void pool(struct pcmp_row *row, const struct q_case *c)
{
	for (size_t k = 0; k < c->nseries; k++) {
		const struct summary *m = &c->series[k].sum;

		if (!c->series[k].has_summary || !m->count)
			continue;
		row->p50_ns = m->p50 > row->p50_ns ? m->p50 : row->p50_ns;
		row->p99_ns = m->p99 > row->p99_ns ? m->p99 : row->p99_ns;
		row->p999_ns = m->p999 > row->p999_ns ? m->p999 : row->p999_ns;
		row->max_ns = m->max > row->max_ns ? m->max : row->max_ns;
		if (!row->min_count || m->count < row->min_count)
			row->min_count = m->count;
	}
	row->nflagged += c->flagged != 0;
	if (!row->ncases++)
		row->first_idx = c->idx;
}

/* The profiles of the run's usable cases, in order of first appearance
 * (= scenario order: the plan expands profiles in the order given). */
static size_t profile_order(const struct q_run *r, const char **out)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ncases; i++) {
		const char *p = s(r->cases[i].profile);
		size_t j = 0;

		if (!usable(&r->cases[i]))
			continue;
		while (j < n && strcmp(out[j], p))
			j++;
		if (j == n)
			out[n++] = p;
	}
	return n;
}

/* Fill g's rows, one per profile of order[] that has cases in g. */
static void fill_rows(const struct q_run *r, struct pcmp_group *g,
		      const char **order, size_t nprof)
{
	for (size_t p = 0; p < nprof; p++) {
		struct pcmp_row *row = &g->rows[g->nrows];

		memset(row, 0, sizeof(*row));
		row->profile = order[p];
		for (size_t i = 0; i < r->ncases; i++) {
			const struct q_case *c = &r->cases[i];

			if (usable(c) && same_group(g, c) &&
			    !strcmp(s(c->profile), order[p]))
				pool(row, c);
		}
		if (row->ncases)
			g->nrows++;
	}
	g->base = 0;
	for (size_t k = 0; k < g->nrows; k++)
		if (!strcmp(g->rows[k].profile, "none"))
			g->base = k;
}

/* The group c belongs to, appended if new; NULL on ENOMEM. */
static struct pcmp_group *group_of(struct pcmp *p, const struct q_case *c,
				   size_t nprof)
{
	struct pcmp_group *g;

	for (size_t i = 0; i < p->ngroups; i++)
		if (same_group(&p->groups[i], c))
			return &p->groups[i];
	g = &p->groups[p->ngroups];
	g->rows = calloc(nprof, sizeof(*g->rows));
	if (!g->rows)
		return NULL;
	g->environment = s(c->environment);
	g->workload = s(c->workload);
	g->load = s(c->load);
	g->emulated = c->emulated;
	p->ngroups++;
	return g;
}

/* Drop the groups with a single profile: nothing to compare there. */
static void drop_single(struct pcmp *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->ngroups; i++) {
		if (p->groups[i].nrows < 2) {
			free(p->groups[i].rows);
			continue;
		}
		p->groups[n++] = p->groups[i];
	}
	p->ngroups = n;
}

int pcmp_build(const struct q_run *r, struct pcmp *p)
{
	const char **order;
	size_t nprof;

	memset(p, 0, sizeof(*p));
	order = calloc(r->ncases ? r->ncases : 1, sizeof(*order));
	p->groups = calloc(r->ncases ? r->ncases : 1, sizeof(*p->groups));
	if (!order || !p->groups)
		goto oom;
	nprof = profile_order(r, order);
	for (size_t i = 0; i < r->ncases; i++) {
		const struct q_case *c = &r->cases[i];
		struct pcmp_group *g;

		if (!usable(c))
			continue;
		g = group_of(p, c, nprof);
		if (!g)
			goto oom;
		if (!g->nrows)
			fill_rows(r, g, order, nprof);
	}
	drop_single(p);
	free(order);
	return 0;
oom:
	free(order);
	pcmp_free(p);
	return -ENOMEM;
}

void pcmp_free(struct pcmp *p)
{
	for (size_t i = 0; p->groups && i < p->ngroups; i++)
		free(p->groups[i].rows);
	free(p->groups);
	memset(p, 0, sizeof(*p));
}

double pcmp_ratio(uint32_t v, uint32_t base)
{
	return base ? (double)v / (double)base : 0.0;
}

double pcmp_bought_back_us(const struct pcmp_group *g,
			   const struct pcmp_row *row)
{
	return ((double)g->rows[g->base].p99_ns - (double)row->p99_ns) /
	       1000.0;
}

/* --- tables ----------------------------------------------------------- */

/* The number columns of a row, text or HTML. */
static void row_numbers(FILE *f, const struct pcmp_group *g,
			const struct pcmp_row *row, int html)
{
	const struct pcmp_row *b = &g->rows[g->base];
	const uint32_t v[4] = { row->p50_ns, row->p99_ns, row->p999_ns,
				row->max_ns };
	/* A p99 either side cannot support gives no ratio and no "bought
	 * back" (as compare gives no change against one). */
	int p99_ok = row->min_count >= query_pct_need(0.99) &&
		     b->min_count >= query_pct_need(0.99);
	double x[2] = { p99_ok ? pcmp_ratio(row->p99_ns, b->p99_ns) : 0.0,
			pcmp_ratio(row->max_ns, b->max_ns) };
	char buf[32];

	fprintf(f, html ? "<td class=\"n\">%d</td>" : " %5d", row->ncases);
	static const double p[4] = { 0.5, 0.99, 0.999, 1.0 };

	for (int i = 0; i < 4; i++) {
		/* p50 and the max as numbers; a tail percentile the sample
		 * count cannot support as "n<N", as in every table. */
		if (i == 1 || i == 2)
			query_fmt_pct(buf, sizeof(buf), v[i], "ns",
				      row->min_count, p[i]);
		else
			query_fmt_value(buf, sizeof(buf), v[i], "ns");
		if (!html) {
			fprintf(f, " %9s", buf);
			continue;
		}
		fputs("<td class=\"n\">", f);
		rpt_quote(f, buf, RPT_Q_HTML);
		fputs("</td>", f);
	}
	for (int i = 0; i < 2; i++) {
		if (x[i] > 0)
			snprintf(buf, sizeof(buf), "%.2fx", x[i]);
		else
			snprintf(buf, sizeof(buf), "-");
		fprintf(f, html ? "<td class=\"n\">%s</td>" : " %8s", buf);
	}
	if (p99_ok)
		snprintf(buf, sizeof(buf), "%+.1f",
			 pcmp_bought_back_us(g, row));
	else
		snprintf(buf, sizeof(buf), "-");
	fprintf(f, html ? "<td class=\"n\">%s</td>" : " %12s", buf);
}

/* s without control characters, padded to width (text table). */
static void put_clean(FILE *f, const char *v, int width)
{
	int n = 0;

	for (v = s(v); *v; v++, n++)
		fputc((unsigned char)*v < 0x20 || *v == 0x7f ? ' ' : *v, f);
	for (; n < width; n++)
		fputc(' ', f);
}

static void text_group(FILE *f, const struct pcmp_group *g)
{
	for (size_t k = 0; k < g->nrows; k++) {
		put_clean(f, g->environment, 8);
		fputc(' ', f);
		put_clean(f, g->workload, 8);
		fputc(' ', f);
		put_clean(f, g->load, 12);
		fputc(' ', f);
		put_clean(f, g->rows[k].profile, 12);
		row_numbers(f, g, &g->rows[k], 0);
		if (k == g->base)
			fputs("  baseline", f);
		if (g->rows[k].nflagged)
			fprintf(f, "  FLAGGED %d/%d", g->rows[k].nflagged,
				g->rows[k].ncases);
		fputs(g->emulated ? "  EMULATED\n" : "\n", f);
	}
}

void profile_cmp_text(const struct q_run *r, FILE *out)
{
	struct pcmp p;

	if (pcmp_build(r, &p)) {
		fputs("\n(profiles compared: out of memory)\n", out);
		return;
	}
	if (p.ngroups)
		fprintf(out, "\nprofiles compared (worst CPU over each "
			"profile's done cases, µs; against the baseline\n"
			"profile of the same env/workload/load: x = ratio, "
			"bought back = baseline p99 - p99)\n%-8s %-8s %-12s "
			"%-12s %5s %9s %9s %9s %9s %8s %8s %12s\n", "env",
			"workload", "load", "profile", "cases", "p50", "p99",
			"p99.9", "max", "p99 x", "max x", "bought back");
	for (size_t i = 0; i < p.ngroups; i++) {
		/* A blank line between groups: each is read on its own. */
		if (i)
			fputc('\n', out);
		text_group(out, &p.groups[i]);
	}
	pcmp_free(&p);
}

static void html_row(FILE *f, const struct pcmp_group *g, size_t k)
{
	const struct pcmp_row *row = &g->rows[k];

	fputs("<tr><td>", f);
	rpt_quote(f, g->workload, RPT_Q_HTML);
	fputs("</td><td>", f);
	rpt_quote(f, g->load, RPT_Q_HTML);
	fprintf(f, "</td><td><a href=\"#case-%d\">", row->first_idx);
	rpt_quote(f, row->profile, RPT_Q_HTML);
	fputs("</a>", f);
	if (k == g->base)
		fputs(" (baseline)", f);
	if (g->emulated)
		fputs(" <span class=\"tag emu\">EMULATED</span>", f);
	if (row->nflagged)
		fprintf(f, " <span class=\"tag flag\" title=\"flagged cases "
			"pooled in this row: see each case\">FLAGGED %d/%d"
			"</span>", row->nflagged, row->ncases);
	fputs("</td>", f);
	row_numbers(f, g, row, 1);
	fputs("</tr>\n", f);
}

void profile_cmp_html_table(const struct pcmp *p, const char *environment,
			    int emulated, FILE *f)
{
	fputs("<table>\n<tr><th>workload</th><th>load</th><th>profile</th>"
	      "<th>cases</th><th>p50</th><th>p99</th><th>p99.9</th>"
	      "<th>max</th><th>p99 x</th><th>max x</th><th>bought back (µs)"
	      "</th></tr>\n", f);
	for (size_t i = 0; i < p->ngroups; i++) {
		const struct pcmp_group *g = &p->groups[i];

		if (g->emulated != emulated ||
		    strcmp(g->environment, s(environment)))
			continue;
		for (size_t k = 0; k < g->nrows; k++)
			html_row(f, g, k);
	}
	fputs("</table>\n", f);
}
