/*
 * load_cmp.c - "loads compared": one row per latency case of a run that has
 * background loads, its worst CPU's p99 and maximum, and both relative to
 * the case of the same environment, profile and workload with load none
 * (the first such, repetitions aside).  Emulated cases are only compared
 * with emulated ones, and marked EMULATED in both outputs.  For
 * `isolat show` (text) and the HTML report.
 */
#include "reports/load_cmp.h"

#include <string.h>

#include "reports/report_int.h"

static int usable(const struct q_case *c)
{
	return c->status && !strcmp(c->status, "done") && c->nseries &&
	       c->load;
}

/* Worst p99 and max over the case's latency series; 0 when none. */
static int worst(const struct q_case *c, uint32_t *p99, uint32_t *max)
{
	int any = 0;

	*p99 = *max = 0;
	for (size_t k = 0; k < c->nseries; k++) {
		const struct q_series *q = &c->series[k];

		if (!q->has_summary || !q->sum.count ||
		    !query_unit_is_ns(q->unit))
			continue;
		if (q->sum.p99 > *p99)
			*p99 = q->sum.p99;
		if (q->sum.max > *max)
			*max = q->sum.max;
		any = 1;
	}
	return any;
}

static int same_group(const struct q_case *a, const struct q_case *b)
{
	return !strcmp(a->environment, b->environment) &&
	       !strcmp(a->profile, b->profile) &&
	       !strcmp(a->workload, b->workload) &&
	       a->emulated == b->emulated;
}

static const struct q_case *baseline(const struct q_run *r,
				     const struct q_case *c)
{
	for (size_t i = 0; i < r->ncases; i++) {
		const struct q_case *b = &r->cases[i];

		if (usable(b) && !strcmp(b->load, "none") && same_group(b, c))
			return b;
	}
	return NULL;
}

static void text(FILE *f, const char *s, int width, int html)
{
	int n = 0;

	if (html) {
		rpt_quote(f, s, RPT_Q_HTML);
		return;
	}
	for (s = s ? s : ""; *s; s++, n++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
	for (; n < width; n++)
		fputc(' ', f);
}

static void ratio(FILE *f, uint32_t v, uint32_t base, int html)
{
	char buf[32] = "-";

	if (base)
		snprintf(buf, sizeof(buf), "%.2fx", (double)v / base);
	fprintf(f, html ? "<td class=\"n\">%s</td>" : " %8s", buf);
}

static void emit(const struct q_run *r, FILE *f, int html)
{
	int any = 0;

	for (size_t i = 0; i < r->ncases && !any; i++)
		any = usable(&r->cases[i]) && strcmp(r->cases[i].load, "none");
	if (!any)
		return;
	if (html)
		fputs("<h2 id=\"loads\">Loads compared</h2>\n<p>Worst CPU of each case; "
		      "x: relative to the same environment, profile and "
		      "workload with load none.</p>\n<table>\n<tr><th>case"
		      "</th><th>env</th><th>profile</th><th>workload</th>"
		      "<th>load</th><th>p99</th><th>max</th><th>p99 x</th>"
		      "<th>max x</th></tr>\n", f);
	else
		fprintf(f, "\nloads compared (worst CPU, µs; x: relative to "
			"load none of the same env/profile/workload)\n"
			"%4s  %-8s %-10s %-11s %-16s %9s %9s %8s %8s\n",
			"case", "env", "profile", "workload", "load", "p99",
			"max", "p99 x", "max x");
	for (size_t i = 0; i < r->ncases; i++) {
		const struct q_case *c = &r->cases[i], *b;
		uint32_t p99, max, bp99 = 0, bmax = 0;
		char v1[32], v2[32];

		if (!usable(c) || !worst(c, &p99, &max))
			continue;
		b = baseline(r, c);
		if (b && !worst(b, &bp99, &bmax))
			bp99 = bmax = 0;
		query_fmt_value(v1, sizeof(v1), p99, "ns");
		query_fmt_value(v2, sizeof(v2), max, "ns");
		if (html) {
			fprintf(f, "<tr><td class=\"n\"><a href=\"#case-%d\">"
				"%d</a></td><td>", c->idx, c->idx);
			text(f, c->environment, 0, 1);
			/* As everywhere in the report (and `isolat show`). */
			if (c->emulated)
				fputs(" <span class=\"tag emu\">EMULATED</span>",
				      f);
			fputs("</td><td>", f);
			text(f, c->profile, 0, 1);
			fputs("</td><td>", f);
			text(f, c->workload, 0, 1);
			fputs("</td><td>", f);
			text(f, c->load, 0, 1);
			fprintf(f, "</td><td class=\"n\">%s</td>"
				"<td class=\"n\">%s</td>", v1, v2);
		} else {
			fprintf(f, "%4d  ", c->idx);
			text(f, c->environment, 8, 0);
			fputc(' ', f);
			text(f, c->profile, 10, 0);
			fputc(' ', f);
			text(f, c->workload, 11, 0);
			fputc(' ', f);
			text(f, c->load, 16, 0);
			fprintf(f, " %9s %9s", v1, v2);
		}
		ratio(f, p99, bp99, html);
		ratio(f, max, bmax, html);
		fputs(html ? "</tr>\n" : (c->emulated ? "  EMULATED\n" : "\n"),
		      f);
	}
	if (html)
		fputs("</table>\n", f);
}

void load_cmp_text(const struct q_run *r, FILE *out)
{
	emit(r, out, 0);
}

void load_cmp_html(const struct q_run *r, FILE *f)
{
	emit(r, f, 1);
}
