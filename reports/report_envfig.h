/*
 * report_envfig.h - what report_envfig.c (environments compared) and
 * report_matrix.c (its matrix) share; not for use outside reports/.
 */
#ifndef ISOLAT_REPORT_ENVFIG_H
#define ISOLAT_REPORT_ENVFIG_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "reports/headline.h"
#include "reports/report_int.h"

struct eenv {
	const char *environment;
	uint64_t *cnt;        /* per µs */
	uint32_t nus;         /* bins used: last non-empty + 1 */
	uint32_t cap;         /* bins allocated */
	uint64_t total;
};

/* The cases of one workload x load x profile, real or emulated. */
struct egroup {
	const char *workload, *load, *profile;
	int emulated;
	struct eenv env[8];
	int nenv;
};

static inline int same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* A figure's .dat and .gp, opened with the script's head; closed with
 * its tail (and PDF) and queued to run. */
int rpt_ef_open_pair(struct rpt *r, const char *base, FILE **dat, FILE **gp,
		     const char *what, int width);
int rpt_ef_close_pair(struct rpt *r, const char *base, FILE *dat, FILE *gp,
		      int width, int emulated);
/* The EMULATED mark across an emulated class's plot area. */
void rpt_ef_emulated_mark(FILE *f, int emulated);
/* A figure's place in the section, in page order. */
int rpt_ef_add_fig(struct rpt *r, const char *base, const char *alt,
		   int emulated);

/* report_matrix.c: the matrix of one class (real or emulated), in parts
 * of RPT_PLOT_W. */
int rpt_matrix_fig(struct rpt *r, const struct egroup *g, size_t n,
		   int emulated, const struct headline *h);

#endif
