/*
 * headline.c - the headline table (see headline.h): rows from the stored
 * summaries, their bare and "none" references, and the text / HTML
 * renderings.
 */
#include "reports/headline.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_int.h"

static int same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* A done case whose series are all latency (ns) and summarised. */
static int latency_case(const struct q_case *c)
{
	if (!c->status || strcmp(c->status, "done") || !c->nseries)
		return 0;
	for (size_t k = 0; k < c->nseries; k++)
		if (!query_unit_is_ns(c->series[k].unit) ||
		    !c->series[k].has_summary || !c->series[k].sum.count)
			return 0;
	return 1;
}

/* First-appearance index of a profile in the run (sort key). */
static int profile_order(const struct q_run *r, const char *profile)
{
	for (size_t i = 0; i < r->ncases; i++)
		if (same(r->cases[i].profile, profile))
			return (int)i;
	return (int)r->ncases;
}

static const struct q_run *sort_run;

static int row_cmp(const void *pa, const void *pb)
{
	const struct hl_row *a = pa, *b = pb;
	int d;

	if (a->group != b->group)
		return a->group - b->group;
	if (a->emulated != b->emulated)
		return a->emulated - b->emulated;
	d = rpt_env_rank(a->environment) - rpt_env_rank(b->environment);
	if (d)
		return d;
	d = strcmp(a->environment, b->environment);
	if (d)
		return d;
	return profile_order(sort_run, a->profile) -
	       profile_order(sort_run, b->profile);
}

static void add_case(struct headline *h, const struct q_case *c, int group)
{
	struct hl_row *row = NULL;

	for (size_t i = 0; i < h->nrows && !row; i++)
		if (h->rows[i].group == group &&
		    h->rows[i].emulated == c->emulated &&
		    same(h->rows[i].environment, c->environment) &&
		    same(h->rows[i].profile, c->profile))
			row = &h->rows[i];
	if (!row) {
		row = &h->rows[h->nrows++];
		memset(row, 0, sizeof(*row));
		row->workload = c->workload ? c->workload : "";
		row->load = c->load ? c->load : "";
		row->environment = c->environment ? c->environment : "";
		row->profile = c->profile ? c->profile : "";
		row->emulated = c->emulated;
		row->group = group;
		row->min_count = UINT64_MAX;
	}
	for (size_t k = 0; k < c->nseries; k++) {
		const struct summary *s = &c->series[k].sum;
		const uint32_t v[HL_NVALS] = { s->p50, s->p99, s->p999,
					       s->max };

		for (int i = 0; i < HL_NVALS; i++)
			if (v[i] > row->v[i])
				row->v[i] = v[i];
		if (s->count < row->min_count)
			row->min_count = s->count;
	}
}

/* Group of (workload, load): the index of its first case. */
static int group_of(const struct q_run *r, const struct q_case *c)
{
	for (size_t i = 0; i < r->ncases; i++)
		if (latency_case(&r->cases[i]) &&
		    same(r->cases[i].workload, c->workload) &&
		    same(r->cases[i].load, c->load))
			return (int)i;
	return -1;
}

int headline_build(const struct q_run *r, struct headline *h)
{
	memset(h, 0, sizeof(*h));
	h->rows = calloc(r->ncases ? r->ncases : 1, sizeof(*h->rows));
	if (!h->rows)
		return -ENOMEM;
	for (size_t i = 0; i < r->ncases; i++)
		if (latency_case(&r->cases[i]))
			add_case(h, &r->cases[i], group_of(r, &r->cases[i]));
	sort_run = r;
	qsort(h->rows, h->nrows, sizeof(*h->rows), row_cmp);
	sort_run = NULL;
	for (size_t i = 0; i < h->nrows; i++) {
		struct hl_row *row = &h->rows[i];

		row->bare = row->none = -1;
		if (i == 0 || row->group != h->rows[i - 1].group)
			h->ngroups++;
		/* Emulated rows get no reference at all: an emulated number
		 * is a function test, not a latency to divide by. */
		for (size_t j = 0; j < h->nrows && !row->emulated; j++) {
			const struct hl_row *o = &h->rows[j];

			if (j == i || o->group != row->group || o->emulated)
				continue;
			if (rpt_env_is_reference(o->environment) &&
			    !rpt_env_is_reference(row->environment) &&
			    same(o->profile, row->profile))
				row->bare = (int)j;
			if (same(o->profile, "none") &&
			    !same(row->profile, "none") &&
			    same(o->environment, row->environment))
				row->none = (int)j;
		}
	}
	return 0;
}

void headline_free(struct headline *h)
{
	free(h->rows);
	memset(h, 0, sizeof(*h));
}

int headline_p999_ok(const struct hl_row *row)
{
	return row->min_count >= query_pct_need(0.999);
}

/* --- text ------------------------------------------------------------ */

/* One value with its ratio; 1 when it printed the "n<N" marker. */
static int text_cell(FILE *out, const struct headline *h,
		     const struct hl_row *row, int i)
{
	char cell[48];
	int n;

	if (i == HL_P999 && !headline_p999_ok(row)) {
		snprintf(cell, sizeof(cell), "n<%llu",
			 (unsigned long long)query_pct_need(0.999));
		fprintf(out, " %22s", cell);
		return 1;
	}
	n = snprintf(cell, sizeof(cell), "%.1f", row->v[i] / 1000.0);
	if (row->bare >= 0) {
		const struct hl_row *b = &h->rows[row->bare];

		if (b->v[i])
			snprintf(cell + n, sizeof(cell) - (size_t)n,
				 " x%.2f %+.1f", (double)row->v[i] / b->v[i],
				 ((double)row->v[i] - b->v[i]) / 1000.0);
	}
	fprintf(out, " %22s", cell);
	return 0;
}

static void text_none(FILE *out, const struct headline *h,
		      const struct hl_row *row)
{
	const struct hl_row *n;

	if (row->none < 0) {
		fputs(row->emulated ? "  EMULATED: not compared" : "  -", out);
		return;
	}
	n = &h->rows[row->none];
	fprintf(out, "  p99 %+.1f, max %+.1f", ((double)n->v[HL_P99] -
		row->v[HL_P99]) / 1000.0, ((double)n->v[HL_MAX] -
		row->v[HL_MAX]) / 1000.0);
}

void headline_text(const struct q_run *r, FILE *out)
{
	struct headline h;
	int marked = 0;

	if (headline_build(r, &h) || !h.nrows) {
		headline_free(&h);
		return;
	}
	fputs("headline: worst CPU, µs; \"xR +D\" = ratio and delta against "
	      "bare with the same\nprofile and load; \"bought back\" = "
	      "profile none's value minus this row's, same environment\n"
	      "(positive: the profile lowered latency)\n", out);
	for (size_t i = 0; i < h.nrows; i++) {
		const struct hl_row *row = &h.rows[i];

		if (i == 0 || row->group != h.rows[i - 1].group)
			fprintf(out, "\n  %.30s, load %.30s\n  %-14s %-14s "
				"%22s %22s %22s %22s  %s\n", row->workload,
				row->load, "env", "profile", "p50", "p99",
				"p99.9", "max", "bought back (µs)");
		char env[48];

		snprintf(env, sizeof(env), "%.30s%s", row->environment,
			 row->emulated ? " EMULATED" : "");
		fprintf(out, "  %-14s %-14.30s", env, row->profile);
		for (int k = 0; k < HL_NVALS; k++)
			marked |= text_cell(out, &h, row, k);
		text_none(out, &h, row);
		fputc('\n', out);
	}
	if (marked)
		fprintf(out, "  n<%llu: a CPU has fewer samples than p99.9 "
			"needs (about 10 / (1 - p)); no number shown\n",
			(unsigned long long)query_pct_need(0.999));
	fputc('\n', out);
	headline_free(&h);
}

/* --- HTML ------------------------------------------------------------ */

static void html_cell(FILE *f, const struct headline *h,
		      const struct hl_row *row, int i)
{
	if (i == HL_P999 && !headline_p999_ok(row)) {
		unsigned long long need = query_pct_need(0.999);

		fprintf(f, "<td class=\"n na\" title=\"fewer than %llu "
			"samples on a CPU (%llu): p99.9 would be one of its "
			"largest few samples\">n&lt;%llu</td>", need,
			(unsigned long long)row->min_count, need);
		return;
	}
	fprintf(f, "<td class=\"n\">%.1f", row->v[i] / 1000.0);
	if (row->bare >= 0 && h->rows[row->bare].v[i]) {
		const struct hl_row *b = &h->rows[row->bare];

		fprintf(f, "<br><span class=\"ratio\">×%.2f, %+.1f</span>",
			(double)row->v[i] / b->v[i],
			((double)row->v[i] - b->v[i]) / 1000.0);
	}
	fputs("</td>", f);
}

static void html_row(FILE *f, const struct headline *h,
		     const struct hl_row *row)
{
	fprintf(f, "<tr%s><td><span style=\"color:%s\">&#9632;</span> ",
		row->emulated ? " class=\"emurow\"" : "",
		rpt_env_colour(row->environment));
	rpt_quote(f, row->environment, RPT_Q_HTML);
	if (row->emulated)
		fputs(" <span class=\"tag emu\">EMULATED</span>", f);
	fputs("</td><td>", f);
	rpt_quote(f, row->profile, RPT_Q_HTML);
	fputs("</td>", f);
	for (int k = 0; k < HL_NVALS; k++)
		html_cell(f, h, row, k);
	fputs("<td>", f);
	if (row->emulated)
		fputs("not compared (emulated)", f);
	else if (rpt_env_is_reference(row->environment))
		fputs("reference", f);
	else if (row->bare < 0)
		fputs("no bare case with this profile", f);
	else
		fputs("against bare", f);
	fputs("</td><td class=\"n\">", f);
	if (row->none >= 0) {
		const struct hl_row *n = &h->rows[row->none];

		fprintf(f, "p99 %+.1f<br>max %+.1f",
			((double)n->v[HL_P99] - row->v[HL_P99]) / 1000.0,
			((double)n->v[HL_MAX] - row->v[HL_MAX]) / 1000.0);
	} else {
		fputs("-", f);
	}
	fputs("</td></tr>\n", f);
}

void headline_html(const struct q_run *r, FILE *f)
{
	struct headline h;

	if (headline_build(r, &h) || !h.nrows) {
		headline_free(&h);
		return;
	}
	fputs("<h2 id=\"headline\">Headline: each environment against "
	      "bare</h2>\n<p>Worst CPU of every environment × profile, in "
	      "µs, exact from the stored summaries. Under each value: its "
	      "ratio and delta (µs) against <b>bare with the same profile "
	      "and load</b>. The last column: what the profile buys back "
	      "against the same environment with profile <i>none</i>: "
	      "none's value minus this row's (positive = the profile "
	      "lowered latency, the sign of the profiles table). Emulated rows are shown, "
	      "marked, and never put in a ratio.</p>\n", f);
	for (size_t i = 0; i < h.nrows; i++) {
		const struct hl_row *row = &h.rows[i];

		if (i == 0 || row->group != h.rows[i - 1].group) {
			if (i)
				fputs("</table>\n", f);
			fputs("<h3>", f);
			rpt_quote(f, row->workload, RPT_Q_HTML);
			fputs(", load ", f);
			rpt_quote(f, row->load, RPT_Q_HTML);
			fputs("</h3>\n<table class=\"headline\">\n<tr><th>"
			      "environment</th><th>profile</th><th>p50</th>"
			      "<th>p99</th><th>p99.9</th><th>max</th>"
			      "<th>reference</th><th>bought back (µs)</th></tr>\n",
			      f);
		}
		html_row(f, &h, row);
	}
	fputs("</table>\n", f);
	headline_free(&h);
}

/* --- compare: the same structure, run A against the others ----------- */

static const struct hl_row *find_row(const struct headline *h,
				     const struct hl_row *k)
{
	for (size_t i = 0; i < h->nrows; i++)
		if (h->rows[i].emulated == k->emulated &&
		    same(h->rows[i].workload, k->workload) &&
		    same(h->rows[i].load, k->load) &&
		    same(h->rows[i].environment, k->environment) &&
		    same(h->rows[i].profile, k->profile))
			return &h->rows[i];
	return NULL;
}

/* Whether key k was already listed from an earlier run. */
static int listed(const struct headline *h, size_t upto,
		  const struct hl_row *k)
{
	for (size_t r = 0; r < upto; r++)
		if (find_row(&h[r], k))
			return 1;
	return 0;
}

static void cmp_row(FILE *f, const struct q_run *run, const char *mark,
		    const struct hl_row *row, const struct hl_row *a)
{
	fprintf(f, "<tr%s><td>%s %.8s</td><td><span style=\"color:%s\">"
		"&#9632;</span> ", row->emulated ? " class=\"emurow\"" : "",
		mark, run->uuid ? run->uuid : "",
		rpt_env_colour(row->environment));
	rpt_quote(f, row->environment, RPT_Q_HTML);
	if (row->emulated)
		fputs(" <span class=\"emu\">EMULATED</span>", f);
	fputs("</td><td>", f);
	rpt_quote(f, row->profile, RPT_Q_HTML);
	fputs("</td><td>", f);
	rpt_quote(f, row->workload, RPT_Q_HTML);
	fputs(", ", f);
	rpt_quote(f, row->load, RPT_Q_HTML);
	fputs("</td>", f);
	for (int i = 0; i < HL_NVALS; i++) {
		/* As in the headline: no p99.9 from a few largest samples. */
		if (i == HL_P999 && !headline_p999_ok(row)) {
			fprintf(f, "<td class=\"n na\" title=\"fewer than "
				"%llu samples on a CPU\">n&lt;%llu</td>",
				(unsigned long long)query_pct_need(0.999),
				(unsigned long long)query_pct_need(0.999));
			continue;
		}
		fprintf(f, "<td>%.1f", row->v[i] / 1000.0);
		/* Against run A: real rows only, as in the headline. */
		if (a && a != row && !row->emulated && !a->emulated && a->v[i] &&
		    (i != HL_P999 || headline_p999_ok(a)))
			fprintf(f, " (×%.2f, %+.1f)", (double)row->v[i] /
				a->v[i], ((double)row->v[i] - a->v[i]) / 1000.0);
		fputs("</td>", f);
	}
	fprintf(f, "<td>%s</td></tr>\n", a == row ? "reference (A)" :
		row->emulated ? "not compared (emulated)" :
		a ? "against A" : "not in A");
}

void headline_compare_html(const struct q_run *runs, size_t n,
			   const char *const *mark, FILE *f)
{
	struct headline h[8];
	size_t nh = 0;

	if (n > 8)
		n = 8;
	for (; nh < n; nh++)
		if (headline_build(&runs[nh], &h[nh]))
			goto out;
	fputs("<h2 id=\"headline\">Headline: each run against the first "
	      "(A)</h2>\n<p>Worst CPU of every environment × profile × load, "
	      "µs, from the stored summaries; beside each value its ratio "
	      "and delta against run A's same environment, profile and load. "
	      "Emulated rows are shown and marked, never in a ratio.</p>\n"
	      "<table><tr><th>run</th><th>environment</th><th>profile</th>"
	      "<th>workload, load</th><th>p50</th><th>p99</th><th>p99.9</th>"
	      "<th>max</th><th>reference</th></tr>\n", f);
	for (size_t r = 0; r < nh; r++)
		for (size_t i = 0; i < h[r].nrows; i++) {
			const struct hl_row *k = &h[r].rows[i];
			const struct hl_row *a = find_row(&h[0], k);

			if (listed(h, r, k))
				continue;
			for (size_t s = 0; s < nh; s++) {
				const struct hl_row *row = find_row(&h[s], k);

				if (row)
					cmp_row(f, &runs[s], mark[s], row, a);
			}
		}
	fputs("</table>\n", f);
out:
	for (size_t r = 0; r < nh; r++)
		headline_free(&h[r]);
}
