/*
 * report_paper.c - `isolat report --style paper`: the plots of a white
 * paper.  The same scripts as the plain style (report_plot.c) with:
 *
 *   - a fixed colour per environment, the same on every page of every
 *     paper, from its line in harness/env/envs.def (bare blue, lxc
 *     green, kvm red, xen purple); the CPUs of one case share their
 *     environment's colour and differ by dash type;
 *   - larger fonts and thicker lines, for print and slides;
 *   - a vector PDF (gnuplot's pdfcairo, 16 x 10 cm, 9 pt) besides the SVG
 *     and PNG, from the same script so the three cannot disagree.  Every
 *     PDF is that size: within 17 cm, the text width of an A4 or letter
 *     page, so a paper prints it at 100 % and its 9 pt stays 9 pt.  A
 *     figure whose content grows with the run (overview, matrix, profiles)
 *     is split into parts (rpt_nparts), never widened;
 *   - EMULATED cases marked across the plot area, not only in the title.
 *
 * Axis labels with units are already in every plot of both styles.
 */
#include <string.h>

#include "reports/report_int.h"

/* One colour per environment, from its line in envs.def (lists.c). */
const char *rpt_paper_colour(const char *environment)
{
	return rpt_env_colour(environment);
}

void rpt_paper_head(FILE *f, int width)
{
	/* Re-set the SVG terminal with the paper font; the output file
	 * set by the plain head stays. */
	fprintf(f, "set terminal svg size %d,%d noenhanced font 'Sans,16' "
		"linewidth 1.5 background '#ffffff'\n", width, RPT_PLOT_H);
	/* One size for every text (title, labels, tics, key): the
	 * terminal's.  Separate tic / key sizes read 14 pt against 9 pt
	 * titles in the PDF, whose terminal font is smaller. */
	fputs("set border lw 1.5\n", f);
}

void rpt_env_linetypes(FILE *f, const struct q_case *c, double lw)
{
	const char *rgb = rpt_env_colour(c->environment);

	/* Linetypes 1..8 are what plot_curves' curves use in order. */
	for (int lt = 1; lt <= 8; lt++)
		fprintf(f, "set linetype %d lc rgb '%s' dt %d lw %.1f\n", lt,
			rgb, lt, lw);
}

void rpt_paper_case(FILE *f, const struct q_case *c)
{
	rpt_env_linetypes(f, c, 2.5);
	if (c->emulated)
		fputs("set label 99 'EMULATED - function test only, not "
		      "comparable' at graph 0.5, graph 0.55 center rotate by 15"
		      " font ',26' textcolor rgb '#b0b0b0' back\n", f);
}

void rpt_paper_pdf(FILE *f, const char *base)
{
	fprintf(f, "\nset terminal pdfcairo size %.1fcm,%.1fcm noenhanced "
		"font 'Sans,9' linewidth 1.5\nset output '%s.pdf'\nreplot\n"
		"unset output\n", RPT_PAPER_W_CM, RPT_PAPER_H_CM, base);
}

int rpt_nparts(size_t n, size_t cap)
{
	if (cap < 1)
		cap = 1;
	return n ? (int)((n + cap - 1) / cap) : 1;
}

size_t rpt_part_first(size_t n, int nparts, int part)
{
	return n * (size_t)part / (size_t)nparts;
}

void rpt_part_base(char *buf, size_t size, const char *base, int part,
		   int nparts)
{
	if (nparts > 1)
		snprintf(buf, size, "%s-%d", base, part + 1);
	else
		snprintf(buf, size, "%s", base);
}
