/*
 * report_int.h - what report.c, report_data.c, report_plot.c and
 * report_html.c share; not for use outside reports/.
 *
 * The render is one pass over the run:
 *
 *   report.c       find gnuplot, make outdir, load the run, per case:
 *   report_data.c    write the .dat files (one decode pass per series)
 *   report_plot.c    write the .gp scripts; then run them all
 *   report_html.c  write index.html from what the passes recorded
 *
 * report_spin.c, report_profiles.c and report_envfig.c each add one
 * section with its own plots (data + script queued before the scripts
 * run).  headline.c's table opens the page; an environment's one
 * colour in every figure is its envs.def line (lists.c rpt_env_colour),
 * report_colors.c the metric greys.
 *
 * report_quote.c escapes outside text for every format (also for
 * gate_out.c and compare.c).
 */
#ifndef ISOLAT_REPORT_INT_H
#define ISOLAT_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reports/query.h"

/* Size of every plot in pixels, and of every paper PDF: 16 x 10 cm, at
 * most 17 cm wide (an A4 / letter text width) so a paper prints it at
 * 100 % with its 9 pt text.  No figure grows: one whose content grows with
 * the run (overview, matrix, profiles) is split into parts of this size
 * (rpt_nparts), each its own image and PDF. */
#define RPT_PLOT_W 960
#define RPT_PLOT_H 600
#define RPT_PAPER_W_CM 16.0
#define RPT_PAPER_H_CM 10.0
/* Most cases in one overview figure: 60 px (1 cm of the 16 cm PDF, three
 * bars and a gap) each beside 300 px of axis, labels and key. */
#define RPT_OVERVIEW_CASES ((RPT_PLOT_W - 300) / 60)

/* The plot kinds of one case, in the order the HTML shows them. */
enum rpt_kind {
	RPT_HIST,
	RPT_MAXSEC,
	RPT_PCT,
	RPT_NKINDS,
};

/* Where the curves of one plot are: block[k] is the gnuplot `index` of
 * series k in the .dat file, -1 when that series has nothing to plot. */
struct rpt_plot {
	int *block;
	int nblocks;
	uint64_t npoints;   /* data lines written (style choices) */
};

struct rpt_case {
	char stem[96];          /* file-name stem, see query_case_stem() */
	struct rpt_plot plot[RPT_NKINDS];
	double pct_xmax;        /* nines reached: min(5, log10(count)) */
	double hist_bin;        /* histogram bin width, plotted unit */
	/* Over all series of the case, exact (for the overview plot). */
	uint64_t nsamples;
	uint32_t p50, p99, max;
};

struct rpt {
	struct store *st;
	struct q_run run;
	const char *outdir;
	int dirfd;               /* outdir, for openat() */
	char gnuplot[4096];
	struct rpt_case *cases;  /* parallel to run.cases */
	/* Scripts to run, in order (names inside outdir). */
	char (*scripts)[128];
	size_t nscripts, scripts_cap;
	int have_overview[2];    /* [0] real cases, [1] emulated ones */
	int overview_parts[2];   /* its figures (rpt_nparts) */
	int paper;               /* --style paper: see report_paper.c */
	/* report_envfig.c: the environment figures, in page order. */
	struct rpt_fig {
		char base[32];
		char alt[300];
		int emulated;
	} *figs;
	size_t nfigs;
	/* The matrix's percentile: p99.9, or p99 when a CPU of its cases has
	 * fewer than 10000 samples (where the headline leaves p99.9 out). */
	const char *matrix_q[2];
	/* Largest latency (µs) of any case, [emulated]: the shared x range
	 * of the per-case histograms; autoscale: each its own. */
	double hist_xmax_us[2], hist_xmin_us[2];
	int autoscale;
	char *err;
	size_t errsz;
};

/* Names of the plot kinds in file names ("hist", "maxsec", "pct"). */
extern const char *const rpt_kind_name[RPT_NKINDS];

/* fopen a new file inside outdir for writing (no symlink following);
 * NULL with r->err set on failure, *rc receives -errno. */
FILE *rpt_create(struct rpt *r, const char *name, int *rc);
/* fclose and check for write errors; 0 or -EIO with r->err set. */
int rpt_close(struct rpt *r, FILE *f, const char *name);

/* report_data.c: the .dat files of one case / the overview. */
int rpt_case_data(struct rpt *r, size_t ci);
int rpt_overview_data(struct rpt *r, int emulated);
/* Is case ci in the overview of its class (latency, has samples)? */
int rpt_in_overview(const struct rpt *r, size_t ci, int emulated);

/* report_plot.c: the .gp scripts, and running gnuplot on all of them. */
int rpt_case_scripts(struct rpt *r, size_t ci);
int rpt_overview_script(struct rpt *r, int emulated);
int rpt_run_scripts(struct rpt *r);

/* report_envfig.c: "environments compared" - the environment overlays
 * and the matrix (data + scripts, before the scripts run), and their
 * section of index.html. */
int rpt_envfigs(struct rpt *r);
void rpt_envfigs_html(const struct rpt *r, FILE *f);

/* report_html.c */
int rpt_html(struct rpt *r);

/* report_spin.c: spin cases' noise histogram (data + script, before the
 * scripts run) and their throughput / noise table (inside index.html). */
int rpt_spin(struct rpt *r);
void rpt_spin_html(struct rpt *r, FILE *f);
/* report_plot.c: queue a script written elsewhere for rpt_run_scripts(). */
int rpt_add_script(struct rpt *r, const char *name);
/* report_plot.c: the first and last lines every script shares (SVG
 * terminal and output; then the PNG replot). */
void rpt_script_head(struct rpt *r, FILE *f, const char *base,
		     const char *what, int width);
void rpt_script_tail(FILE *f, const char *base, int width);
/* report_plot.c: decade tics on a log µs axis, named in µs / ms / s. */
void rpt_log_tics(FILE *f, const char *axis);
/* report_html.c: a plot's image and its PNG / SVG / script / data links. */
void rpt_plot_block(FILE *f, const char *base, const char *alt, int width);

/* report_profiles.c: "profiles compared" (profile_cmp.h) - a plot per
 * environment (data + script, before the scripts run) and its section of
 * index.html. */
int rpt_profiles(struct rpt *r);
void rpt_profiles_html(struct rpt *r, FILE *f);

/* report_colors.c: the greys of the metric bars (never an environment's
 * colour: those come from lists.c, rpt_env_colour). */
const char *rpt_metric_grey(int k);

/* report_paper.c: additions to a script in the paper style. */
const char *rpt_paper_colour(const char *environment);

/* lists.c: environments and workloads as reports know them (from
 * harness/env/envs.def and workloads/workloads.def; no harness linked). */
/* The environment's figure colour ("#rrggbb"); "#444444" if unknown. */
const char *rpt_env_colour(const char *environment);
/* 1 for the reference environment (bare metal), else 0. */
int rpt_env_is_reference(const char *environment);
/* Its rank in the figures' order (envs.def's: bare first); environments
 * this build does not know come last. */
int rpt_env_rank(const char *environment);
/* Has the workload every bit of flag (enum wl_flag)?  0 if unknown. */
int rpt_workload_is(const char *workload, unsigned flag);
void rpt_paper_head(FILE *f, int width);
void rpt_paper_case(FILE *f, const struct q_case *c);
void rpt_paper_pdf(FILE *f, const char *base);
/* A figure of n items (cases, clusters, bars) at most cap to a part: its
 * number of parts; part p holds items rpt_part_first(n, np, p) up to the
 * next part's first, so the parts differ by one item at most.  The part's
 * file-name stem: base itself for a single part, else "BASE-1", ... */
int rpt_nparts(size_t n, size_t cap);
size_t rpt_part_first(size_t n, int nparts, int part);
void rpt_part_base(char *buf, size_t size, const char *base, int part,
		   int nparts);
/* Both styles: the case's CPUs in its environment's colour, by dash. */
void rpt_env_linetypes(FILE *f, const struct q_case *c, double lw);

/* report_quote.c: text from outside written for a format. */
enum rpt_quote {
	RPT_Q_XML,      /* entities for & < > " ' newline tab (JUnit, compare) */
	RPT_Q_HTML,     /* entities for & < > " '; newline and tab kept */
	RPT_Q_MD,       /* Markdown: HTML entities, markup characters \-escaped */
	RPT_Q_GNUPLOT,  /* a single-quoted gnuplot string, quotes included */
};
/* s (NULL: "") into f: invalid UTF-8 replaced, controls blanked. */
void rpt_quote(FILE *f, const char *s, enum rpt_quote how);

/* The title text of a case's plots ("NAME - ENV, WORKLOAD, ..."), with
 * " (EMULATED)" when it is; written into buf. */
void rpt_case_title(const struct q_case *c, char *buf, size_t size);

#endif
