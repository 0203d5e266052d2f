/*
 * report_spin.c - the report's spin section (issue 7): throughput relative
 * to bare metal, and the OS-noise histogram, for every spin case.
 *
 *   throughput  mean work units per window over the case's throughput
 *               series (exact, from summaries); "relative to bare" divides
 *               by the bare spin case of the same profile and load in the
 *               same run (else any bare spin case; else not shown)
 *   noise       every noise sample (ns) of the case binned in powers of
 *               two (1-2 µs, 2-4 µs, ...) into spin-noise.dat; one curve
 *               per case in spin-noise.gp, log-log; an emulated case's
 *               curve is titled "caseN EMULATED" (and its table row
 *               tagged EMULATED)
 *
 * Also lists, per case, what interrupted its first measured CPU (host
 * side, reports/interrupts.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/interrupts.h"
#include "reports/report_int.h"
#include "collectors/store_db.h"
#include "workloads/wl_flags.h"

#define NBINS 32 /* bin b: [2^b, 2^(b+1)) ns; b < 10 folds into 10 */

static int is_spin(const struct q_case *c)
{
	return rpt_workload_is(c->workload, WL_THROUGHPUT) &&
	       c->status && !strcmp(c->status, "done");
}

/* Mean work per window, count and the noise totals of one case. */
struct spin_stats {
	double mean_units;
	uint64_t windows, noise_n;
	uint32_t noise_max;
	double noise_sum_ns;
	int cpu;
};

static int case_stats(struct store *st, const struct q_case *c,
		      struct spin_stats *s)
{
	sqlite3_stmt *q;
	double wsum = 0;
	int step;

	memset(s, 0, sizeof(*s));
	s->cpu = -1;
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT s.kind, m.count, m.mean, m.max, s.cpu "
			       "FROM series s JOIN summaries m ON m.series_id"
			       "=s.id WHERE s.case_id=? ORDER BY s.idx", -1,
			       &q, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(q, 1, c->id);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(q, 0);
		uint64_t n = (uint64_t)sqlite3_column_int64(q, 1);
		double mean = sqlite3_column_double(q, 2);
		uint32_t max = (uint32_t)sqlite3_column_int64(q, 3);

		if (kind && !strcmp(kind, "throughput")) {
			s->windows += n;
			wsum += mean * (double)n;
			if (s->cpu < 0)
				s->cpu = sqlite3_column_int(q, 4);
		} else if (kind && !strcmp(kind, "noise")) {
			s->noise_n += n;
			s->noise_sum_ns += mean * (double)n;
			if (max > s->noise_max)
				s->noise_max = max;
		}
	}
	sqlite3_finalize(q);
	s->mean_units = s->windows ? wsum / (double)s->windows : 0;
	return step == SQLITE_DONE ? 0 : -EIO;
}

/* The bare spin case to compare c with; NULL if the run has none. */
static const struct q_case *baseline(const struct q_run *run,
				     const struct q_case *c)
{
	const struct q_case *any = NULL;

	for (size_t i = 0; i < run->ncases; i++) {
		const struct q_case *b = &run->cases[i];

		if (!is_spin(b) || !rpt_env_is_reference(b->environment))
			continue;
		if (!strcmp(b->profile, c->profile) &&
		    !strcmp(b->load, c->load))
			return b;
		if (!any)
			any = b;
	}
	return any;
}

struct bins {
	uint64_t n[NBINS];
};

static int bin_cb(void *ctx, uint64_t first_seq, const uint32_t *v,
		  uint32_t n)
{
	struct bins *b = ctx;

	(void)first_seq;
	for (uint32_t i = 0; i < n; i++) {
		int k = v[i] ? 31 - __builtin_clz(v[i]) : 0;

		b->n[k < 10 ? 10 : k]++;
	}
	return 0;
}

static int noise_bins(struct store *st, const struct q_case *c,
		      struct bins *b)
{
	sqlite3_stmt *q;
	int step, rc = 0;

	memset(b, 0, sizeof(*b));
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT id FROM series WHERE case_id=? AND "
			       "kind='noise' ORDER BY idx", -1, &q,
			       NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(q, 1, c->id);
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = store_series_samples(st, sqlite3_column_int64(q, 0),
					  bin_cb, b);
	sqlite3_finalize(q);
	return rc;
}

int rpt_spin(struct rpt *r)
{
	struct bins *b;
	size_t nspin = 0, k = 0;
	uint64_t total = 0;
	int emulated = 0;
	FILE *f;
	int rc = 0;

	for (size_t i = 0; i < r->run.ncases; i++) {
		nspin += is_spin(&r->run.cases[i]);
		emulated |= is_spin(&r->run.cases[i]) &&
			    r->run.cases[i].emulated;
	}
	if (!nspin)
		return 0;
	b = calloc(nspin, sizeof(*b));
	if (!b) {
		snprintf(r->err, r->errsz, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->run.ncases && !rc; i++)
		if (is_spin(&r->run.cases[i])) {
			rc = noise_bins(r->st, &r->run.cases[i], &b[k]);
			for (int j = 0; j < NBINS; j++)
				total += b[k].n[j];
			k++;
		}
	if (rc || !total) {
		/* No noise at all: nothing to plot (log axes need > 0). */
		if (rc)
			snprintf(r->err, r->errsz, "reading noise samples "
				 "failed");
		free(b);
		return rc;
	}
	f = rpt_create(r, "spin-noise.dat", &rc);
	if (!f) {
		free(b);
		return rc;
	}
	/* A comment: the titles are in the script (an emulated case's says
	 * EMULATED, which a one-word column header could not). */
	fputs("# bin_us (lower bound, µs), then noise events per case:", f);
	for (size_t i = 0; i < r->run.ncases; i++)
		if (is_spin(&r->run.cases[i]))
			fprintf(f, " case%d%s", r->run.cases[i].idx,
				r->run.cases[i].emulated ? "(EMULATED)" : "");
	fputc('\n', f);
	for (int j = 10; j < NBINS; j++) {
		fprintf(f, "%.3f", (double)(1u << j) / 1000.0);
		for (k = 0; k < nspin; k++)
			/* NaN: gnuplot skips it on a log axis. */
			b[k].n[j] ? fprintf(f, " %" PRIu64, b[k].n[j])
				  : fputs(" NaN", f);
		fputc('\n', f);
	}
	free(b);
	if ((rc = rpt_close(r, f, "spin-noise.dat")))
		return rc;
	f = rpt_create(r, "spin-noise.gp", &rc);
	if (!f)
		return rc;
	fprintf(f, "# OS noise histogram of the spin cases, isolat run %s\n"
		"set encoding utf8\nset terminal svg size %d,%d noenhanced "
		"font 'Sans,12' background '#ffffff'\n"
		"set output 'spin-noise.svg'\nset grid\nset logscale xy\n"
		"set xlabel 'noise gap (µs, lower bound of a power-of-two "
		"bin)'\nset ylabel 'noise events'\n"
		"set title 'OS noise per case (spin)%s'\n"
		"set key top right opaque box reverse Left width 1\n",
		r->run.uuid, RPT_PLOT_W, RPT_PLOT_H, emulated
		? " - EMULATED cases: function test only, not comparable"
		: "");
	fputs("plot ", f);
	k = 0;
	for (size_t i = 0; i < r->run.ncases; i++) {
		const struct q_case *c = &r->run.cases[i];

		if (!is_spin(c))
			continue;
		/* The environment's colour (report_colors.c); cases of one
		 * environment differ by dash type. */
		fprintf(f, "%s'spin-noise.dat' using 1:%zu with linespoints "
			"title 'case%d%s' lc rgb '%s' dt %zu", k ? ", \\\n     "
			: "", k + 2, c->idx, c->emulated ? " EMULATED" : "",
			rpt_env_colour(c->environment), k % 8 + 1);
		k++;
	}
	fprintf(f, "\nset terminal pngcairo size %d,%d noenhanced font "
		"'Sans,10' background '#ffffff'\nset output 'spin-noise.png'\n"
		"replot\nunset output\n", RPT_PLOT_W, RPT_PLOT_H);
	if ((rc = rpt_close(r, f, "spin-noise.gp")))
		return rc;
	return rpt_add_script(r, "spin-noise.gp");
}

/* A table cell; emu: with the EMULATED tag every table of the report
 * gives an emulated case. */
static void cell_tag(FILE *f, const char *s, int emu)
{
	fputs("<td>", f);
	for (; s && *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
	}
	if (emu)
		fputs(" <span class=\"tag emu\">EMULATED</span>", f);
	fputs("</td>", f);
}

static void cell(FILE *f, const char *s)
{
	cell_tag(f, s, 0);
}

void rpt_spin_html(struct rpt *r, FILE *f)
{
	const struct q_run *run = &r->run;
	char buf[1024], line[1100];
	int any = 0;

	for (size_t i = 0; i < run->ncases; i++) {
		const struct q_case *c = &run->cases[i], *base;
		struct spin_stats s, bs;

		if (!is_spin(c) || case_stats(r->st, c, &s))
			continue;
		if (!any++)
			fputs("<h2 id=\"spin\">Throughput and OS noise (spin)</h2>\n<p>Work "
			      "units per window, mean over the case's CPUs, "
			      "relative to the bare-metal spin case of the same "
			      "profile and load; noise = gaps between clock "
			      "reads above the threshold.</p>\n<table>\n<tr>"
			      "<th>case</th><th>env</th><th>profile</th>"
			      "<th>load</th><th>windows</th><th>units/window"
			      "</th><th>vs bare</th><th>noise events</th>"
			      "<th>noise max (µs)</th><th>noise total (ms)"
			      "</th><th>what interrupted the CPU (host)</th>"
			      "</tr>\n", f);
		fprintf(f, "<tr><td>%d</td>", c->idx);
		cell_tag(f, c->environment, c->emulated);
		cell(f, c->profile);
		cell(f, c->load);
		fprintf(f, "<td>%" PRIu64 "</td><td>%.1f</td>", s.windows,
			s.mean_units);
		base = baseline(run, c);
		if (base && !case_stats(r->st, base, &bs) && bs.mean_units > 0)
			fprintf(f, "<td>%.1f %%</td>",
				100.0 * s.mean_units / bs.mean_units);
		else
			fputs("<td>-</td>", f);
		fprintf(f, "<td>%" PRIu64 "</td><td>%.1f</td><td>%.3f</td>",
			s.noise_n, s.noise_max / 1000.0, s.noise_sum_ns / 1e6);
		buf[0] = line[0] = '\0';
		if (s.cpu >= 0 && interrupts_line(r->st, c->id, "host", s.cpu,
						  buf, sizeof(buf)) == 0 &&
		    buf[0])
			snprintf(line, sizeof(line), "CPU %d: %s", s.cpu, buf);
		cell(f, line);
		fputs("</tr>\n", f);
	}
	if (!any)
		return;
	fputs("</table>\n", f);
	if (faccessat(r->dirfd, "spin-noise.svg", F_OK, 0) == 0)
		fputs("<div class=\"plot\"><a href=\"spin-noise.png\"><img "
		      "src=\"spin-noise.svg\" alt=\"OS noise histogram\"></a>"
		      "<br><span class=\"links\"><a href=\"spin-noise.gp\">"
		      "gnuplot script</a> | <a href=\"spin-noise.dat\">data"
		      "</a></span></div>\n", f);
}
