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
 *     and PNG, from the same script so the three cannot disagree;
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
	fputs("set border lw 1.5\nset tics font ',14'\nset key font ',14'\n",
	      f);
}

void rpt_paper_case(FILE *f, const struct q_case *c)
{
	const char *rgb = rpt_paper_colour(c->environment);

	/* Linetypes 1..8 are what plot_curves' curves use in order. */
	for (int lt = 1; lt <= 8; lt++)
		fprintf(f, "set linetype %d lc rgb '%s' dt %d lw 2.5\n", lt,
			rgb, lt);
	if (c->emulated)
		fputs("set label 99 'EMULATED - function test only, not "
		      "comparable' at graph 0.5, graph 0.55 center rotate by 15"
		      " font ',26' textcolor rgb '#b0b0b0' back\n", f);
}

void rpt_paper_pdf(FILE *f, const char *base)
{
	fprintf(f, "\nset terminal pdfcairo size 16cm,10cm noenhanced "
		"font 'Sans,9' linewidth 1.5\nset output '%s.pdf'\nreplot\n"
		"unset output\n", base);
}
