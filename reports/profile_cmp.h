/*
 * profile_cmp.h - "profiles compared": what isolation buys back, at one
 * glance.  For `isolat show` (text) and the HTML report (a table per
 * environment, and the plot written by report_profiles.c).
 *
 * Groups: one per (environment, workload, load, emulated) of a run's done
 * latency cases (every series in ns, as in the overview plot); inside a
 * group one row per profile, in the scenario's profile order (the order
 * profiles first appear in the run's cases).  Emulated cases form their
 * own groups: never compared with real ones.  A group with one profile
 * has nothing to compare and is left out; a run with one profile prints
 * nothing.
 *
 * A row pools every done repetition of its profile: each column (p50,
 * p99, p99.9, max) is the worst CPU's value over all those cases (max of
 * the per-series exact values from the summaries), the same "worst CPU"
 * as the loads-compared table - the CPU an RT deadline is missed on.
 *
 * Flagged cases are pooled like the others but never silently: a row
 * with any says "FLAGGED n/m" in the text and HTML tables, and the plot's
 * tic label and title say so too.
 *
 * Baseline: profile `none` when the group has it, else its first row.
 * Every row gets p99 and max divided by the baseline's, and "bought back"
 * = baseline p99 - row p99 in µs (negative: the profile made it worse).
 */
#ifndef ISOLAT_PROFILE_CMP_H
#define ISOLAT_PROFILE_CMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reports/query.h"

struct pcmp_row {
	const char *profile;   /* borrowed from the q_run */
	int ncases;            /* done repetitions pooled */
	int nflagged;          /* of them flagged (lost samples, CRC
				* errors, a priority not applied...): the
				* row is marked FLAGGED wherever shown */
	int first_idx;         /* index of its first case (report links) */
	uint32_t p50_ns, p99_ns, p999_ns, max_ns;
	uint64_t min_count;    /* fewest samples of a pooled series: p99
				* and p99.9 read "n<N" below
				* query_pct_need */
};

struct pcmp_group {
	const char *environment, *workload, *load; /* borrowed */
	int emulated;
	struct pcmp_row *rows; /* scenario order of profiles, >= 2 */
	size_t nrows;
	size_t base;           /* index of the baseline row */
};

struct pcmp {
	struct pcmp_group *groups; /* order of first appearance in the run */
	size_t ngroups;
};

/* Build the comparison of a loaded run; borrows its strings, so free it
 * before the run.  0 or -ENOMEM. */
int pcmp_build(const struct q_run *r, struct pcmp *p);
void pcmp_free(struct pcmp *p);

/* v relative to base ("%.2fx" material); 0 when base is 0. */
double pcmp_ratio(uint32_t v, uint32_t base);
/* Baseline p99 - row p99, µs. */
double pcmp_bought_back_us(const struct pcmp_group *g,
			   const struct pcmp_row *row);

/* The text table of `isolat show`; nothing when there is nothing to
 * compare. */
void profile_cmp_text(const struct q_run *r, FILE *out);

/* The HTML rows of the groups of one environment class (environment,
 * emulated) of p, as a complete <table>. */
void profile_cmp_html_table(const struct pcmp *p, const char *environment,
			    int emulated, FILE *f);

#endif
