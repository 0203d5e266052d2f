/*
 * report_data.c - the .dat files behind the plots.
 *
 * Every file is plain gnuplot data: '#' comments saying what the columns
 * are, one block per series (CPU) separated by two blank lines, so a
 * script addresses a CPU with `index N`.  Series with nothing to plot get
 * no block (gnuplot does not count empty blocks); rpt_plot.block maps
 * series to blocks.
 *
 * Samples are decoded once per series; that one pass feeds the
 * max-per-second curve, the series' exact quantiles (percentile plot) and
 * the case's exact quantiles over all CPUs (overview plot).  Quantiles come
 * from collectors/stats.c so the plotted p99 is the table's p99 bit for
 * bit, in a few MiB instead of a sorted copy of every sample.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_int.h"
#include "collectors/store_db.h"

/* Percentile curve resolution: 100 points per nine, 501 at most; smooth
 * at 960 px, small files. */
#define PCT_STEPS_PER_NINE 100

/* --- histogram ------------------------------------------------------- */

struct hist_out {
	FILE *f;
	double scale;      /* bin index -> plotted unit */
	int64_t last;      /* last bin index written, -1 = none */
	int open;          /* the last bin written was non-empty */
	uint64_t lines;
};

static void hist_line(struct hist_out *h, int64_t b, uint64_t count)
{
	fprintf(h->f, "%.3f %.3f %" PRIu64 "\n", (double)b * h->scale,
		(double)(b + 1) * h->scale, count);
	h->last = b;
	h->open = count > 0;
	h->lines++;
}

/* One non-empty bin (in increasing order), with zero bins around each run
 * of non-empty ones so the steps drop to the axis instead of bridging the
 * gap; hist_end() closes the last run. */
static void hist_bin(struct hist_out *h, int64_t b, uint64_t count)
{
	if (!h->open || b != h->last + 1) {
		if (h->open)
			hist_line(h, h->last + 1, 0);
		if (b > 0 && b - 1 > h->last)
			hist_line(h, b - 1, 0);
	}
	hist_line(h, b, count);
}

static void hist_end(struct hist_out *h)
{
	if (h->open)
		hist_line(h, h->last + 1, 0);
}

/*
 * Write one series' histogram block from the histograms table.  Returns
 * the number of lines written (0: nothing stored), or -errno.
 */
static int hist_series(struct rpt *r, const struct q_case *c,
		       const struct q_series *q, struct hist_out *h)
{
	sqlite3_stmt *s;
	struct hist_bin *bins = NULL;
	size_t nbins = 0;
	uint32_t bucket_ns = 0;
	int rc = 0;

	if (sqlite3_prepare_v2(store_db(r->st),
			       "SELECT bucket_ns, data FROM histograms "
			       "WHERE series_id = ?", -1, &s, NULL) != SQLITE_OK) {
		snprintf(r->err, r->errsz, "database query failed: %s",
			 store_errmsg(r->st));
		return -EIO;
	}
	sqlite3_bind_int64(s, 1, q->id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		int64_t b = sqlite3_column_int64(s, 0);
		const void *blob = sqlite3_column_blob(s, 1);
		int len = sqlite3_column_bytes(s, 1);

		if (b < 1 || b > UINT32_MAX)
			rc = -EINVAL;
		else if (len > 0)
			rc = stats_histogram_parse(blob, (size_t)len, &bins,
						   &nbins);
		bucket_ns = (uint32_t)b;
	}
	sqlite3_finalize(s);
	if (rc) {
		free(bins);
		if (rc == -ENOMEM) {
			snprintf(r->err, r->errsz, "out of memory");
			return rc;
		}
		snprintf(r->err, r->errsz,
			 "run %s case %d (%s) series %d (cpu %d): the stored "
			 "histogram is corrupt; the database is damaged: "
			 "restore it from a copy or re-run the case",
			 r->run.uuid, c->idx, c->name, q->idx, q->cpu);
		return -EINVAL;
	}
	if (!nbins) {
		free(bins);
		return 0;
	}
	/* Latency: 1 us bins (OSADL); finer stored buckets are merged when
	 * they tile a microsecond exactly, coarser ones are kept. */
	uint64_t merge = 1;

	h->scale = (double)bucket_ns;
	if (query_unit_is_ns(q->unit)) {
		if (bucket_ns < 1000 && 1000 % bucket_ns == 0)
			merge = 1000 / bucket_ns;
		h->scale = (double)(bucket_ns * merge) / 1000.0;
	}
	h->last = -1;
	h->open = 0;
	fprintf(h->f, "# series %d cpu %d: bin_start bin_end count\n", q->idx,
		q->cpu);
	uint64_t lines0 = h->lines;

	for (size_t i = 0; i < nbins;) {
		uint64_t b = bins[i].bucket / merge, count = 0;

		for (; i < nbins && bins[i].bucket / merge == b; i++)
			count += bins[i].count;
		if (count)
			hist_bin(h, (int64_t)b, count);
	}
	hist_end(h);
	free(bins);
	return (int)(h->lines - lines0 > INT32_MAX ? INT32_MAX
						    : h->lines - lines0);
}

static int hist_file(struct rpt *r, size_t ci)
{
	const struct q_case *c = &r->run.cases[ci];
	struct rpt_case *rc = &r->cases[ci];
	struct rpt_plot *p = &rc->plot[RPT_HIST];
	struct hist_out h = { .last = -1 };
	char name[160];
	int ret = 0;

	snprintf(name, sizeof(name), "%s-hist.dat", rc->stem);
	h.f = rpt_create(r, name, &ret);
	if (!h.f)
		return ret;
	fprintf(h.f, "# isolat run %s case %d: latency histogram per CPU\n"
		"# one block per series; columns: bin start, bin end "
		"(us for latency), samples in the bin\n",
		r->run.uuid, c->idx);
	for (size_t k = 0; k < c->nseries && ret >= 0; k++) {
		if (p->nblocks > 0)
			fputs("\n\n", h.f);
		ret = hist_series(r, c, &c->series[k], &h);
		if (ret > 0) {
			p->block[k] = p->nblocks++;
			if (rc->hist_bin == 0)
				rc->hist_bin = h.scale;
		}
	}
	p->npoints = h.lines;
	if (ret < 0) {
		fclose(h.f);
		return ret;
	}
	return rpt_close(r, h.f, name);
}

/* --- samples: max per second + quantiles ------------------------------ */

typedef unsigned __int128 u128;

struct pass {
	FILE *f;               /* the maxsec .dat */
	double scale;          /* value -> plotted unit */
	uint32_t interval_us;
	int have;              /* a second is open */
	uint64_t sec, sec_start, next_start; /* open second, its seq range */
	uint32_t sec_max;
	int64_t last_sec;      /* last second written, -1: none */
	uint64_t lines;
	uint32_t chunks;
	struct stats *s, *cs;  /* this series, the whole case */
};

static uint64_t sec_of(const struct pass *p, uint64_t seq)
{
	return (uint64_t)((u128)seq * p->interval_us / 1000000u);
}

/* First seq that falls into second sec. */
static uint64_t sec_start(const struct pass *p, uint64_t sec)
{
	u128 t = (u128)sec * 1000000u + p->interval_us - 1;

	return (uint64_t)(t / p->interval_us);
}

static void pass_flush(struct pass *p)
{
	if (!p->have)
		return;
	/* A single blank line breaks the curve where whole seconds are
	 * missing, instead of drawing a line across the gap. */
	if (p->last_sec >= 0 && p->sec != (uint64_t)p->last_sec + 1)
		fputc('\n', p->f);
	fprintf(p->f, "%" PRIu64 " %.3f\n", p->sec, p->sec_max * p->scale);
	p->last_sec = (int64_t)p->sec;
	p->lines++;
	p->have = 0;
}

static int pass_chunk(void *ctx, uint64_t first_seq, const uint32_t *values,
		      uint32_t n)
{
	struct pass *p = ctx;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t seq = first_seq + i;

		if (!p->have || seq < p->sec_start || seq >= p->next_start) {
			pass_flush(p);
			p->sec = sec_of(p, seq);
			p->sec_start = sec_start(p, p->sec);
			p->next_start = sec_start(p, p->sec + 1);
			p->sec_max = values[i];
			p->have = 1;
		} else if (values[i] > p->sec_max) {
			p->sec_max = values[i];
		}
	}
	p->chunks++;
	if (stats_add(p->s, values, n) || stats_add(p->cs, values, n))
		return -ENOMEM;
	return 0;
}

/* The p of percentile-plot point x; whole nines use the same literals as
 * stats_summary() so those points equal the table's values exactly. */
static double nines_p(double x)
{
	static const double whole[] = { 0, 0.9, 0.99, 0.999, 0.9999, 0.99999 };
	double k = round(x);

	if (fabs(x - k) < 1e-9 && k >= 0 && k <= 5)
		return whole[(int)k];
	return 1.0 - pow(10.0, -x);
}

static void pct_line(struct pass *p, FILE *f, double x)
{
	double pr = nines_p(x);

	fprintf(f, "%.6f %.7f %.3f\n", x, pr * 100.0,
		stats_quantile(p->s, pr) * p->scale);
}

static void pct_block(struct pass *p, FILE *f, const struct q_series *q,
		      double *xmax_out)
{
	uint64_t n = stats_count(p->s);
	/* Beyond log10(n) nines every quantile is the max: stop there. */
	double xmax = n > 1 ? fmin(5.0, log10((double)n)) : 0.0;
	int last = (int)floor(xmax * PCT_STEPS_PER_NINE + 1e-9);

	fprintf(f, "# series %d cpu %d: nines percentile value\n", q->idx,
		q->cpu);
	/* A fixed grid, so whole nines (90, 99, ...) are points of their
	 * own and equal the summary table exactly. */
	for (int i = 0; i <= last; i++)
		pct_line(p, f, (double)i / PCT_STEPS_PER_NINE);
	if (xmax > (double)last / PCT_STEPS_PER_NINE + 1e-9)
		pct_line(p, f, xmax);
	/* The data ran out before 99.999 %: p = 1 - 1/n is still the
	 * second largest value (nearest rank), so the curve ends with a
	 * step up to the max instead of hiding the worst sample. */
	if (xmax < 5.0)
		fprintf(f, "%.6f %.7f %.3f\n", xmax, 100.0,
			stats_max(p->s) * p->scale);
	if (xmax > *xmax_out)
		*xmax_out = xmax;
}

static int samples_series(struct rpt *r, size_t ci, size_t k, FILE *fmax,
			  FILE *fpct, struct stats *cs)
{
	const struct q_case *c = &r->run.cases[ci];
	const struct q_series *q = &c->series[k];
	struct rpt_case *rc = &r->cases[ci];
	struct pass p = {
		.f = fmax, .interval_us = c->interval_us, .last_sec = -1,
		.scale = query_unit_is_ns(q->unit) ? 1e-3 : 1.0, .cs = cs,
	};
	struct rpt_plot *pm = &rc->plot[RPT_MAXSEC], *pp = &rc->plot[RPT_PCT];
	int ret;

	p.s = stats_new();
	if (!p.s) {
		snprintf(r->err, r->errsz, "out of memory");
		return -ENOMEM;
	}
	if (pm->nblocks > 0)
		fputs("\n\n", fmax);
	fprintf(fmax, "# series %d cpu %d: second max\n", q->idx, q->cpu);
	ret = store_series_samples(r->st, q->id, pass_chunk, &p);
	pass_flush(&p);
	/* A corrupt or unreadable chunk: the store names the file, run,
	 * case, series and chunk. */
	if ((ret == -EINVAL || ret == -EIO) && *store_samples_error(r->st)) {
		snprintf(r->err, r->errsz, "%s", store_samples_error(r->st));
	} else if (ret == -ENOMEM) {
		snprintf(r->err, r->errsz, "out of memory");
	} else if (ret) {
		snprintf(r->err, r->errsz, "reading samples of run %s case %d "
			 "series %d failed: %s", r->run.uuid, c->idx, q->idx,
			 store_errmsg(r->st));
	}
	if (!ret && p.lines) {
		pm->block[k] = pm->nblocks++;
		pm->npoints += p.lines;
		if (pp->nblocks > 0)
			fputs("\n\n", fpct);
		pct_block(&p, fpct, q, &rc->pct_xmax);
		pp->block[k] = pp->nblocks++;
	}
	stats_free(p.s);
	return ret;
}

static int samples_files(struct rpt *r, size_t ci)
{
	const struct q_case *c = &r->run.cases[ci];
	struct rpt_case *rc = &r->cases[ci];
	char nmax[160], npct[160];
	FILE *fmax, *fpct = NULL;
	struct stats *cs = NULL;
	int ret = 0;

	snprintf(nmax, sizeof(nmax), "%s-maxsec.dat", rc->stem);
	snprintf(npct, sizeof(npct), "%s-pct.dat", rc->stem);
	fmax = rpt_create(r, nmax, &ret);
	if (fmax)
		fpct = rpt_create(r, npct, &ret);
	if (fpct)
		cs = stats_new();
	if (!cs) {
		if (!ret) {
			ret = -ENOMEM;
			snprintf(r->err, r->errsz, "out of memory");
		}
		goto fail;
	}
	fprintf(fmax, "# isolat run %s case %d: maximum per second per CPU\n"
		"# one block per series; columns: second since the "
		"measurement started (sample seq * %" PRIu32 " us), the "
		"largest value in that second (us for latency)\n",
		r->run.uuid, c->idx, c->interval_us);
	fprintf(fpct, "# isolat run %s case %d: value at percentile, exact "
		"(nearest rank)\n# one block per series; columns: nines = "
		"-log10(1 - p), p in %%, value (us for latency)\n",
		r->run.uuid, c->idx);
	for (size_t k = 0; k < c->nseries && !ret; k++)
		ret = samples_series(r, ci, k, fmax, fpct, cs);
	if (ret)
		goto fail;
	rc->nsamples = stats_count(cs);
	rc->p50 = stats_quantile(cs, 0.5);
	rc->p99 = stats_quantile(cs, 0.99);
	rc->max = stats_max(cs);
	stats_free(cs);
	ret = rpt_close(r, fmax, nmax);
	fmax = NULL;
	if (ret)
		goto fail;
	return rpt_close(r, fpct, npct);
fail:
	stats_free(cs);
	if (fmax)
		fclose(fmax);
	if (fpct)
		fclose(fpct);
	return ret;
}

int rpt_case_data(struct rpt *r, size_t ci)
{
	const struct q_case *c = &r->run.cases[ci];
	struct rpt_case *rc = &r->cases[ci];
	int ret;

	query_case_stem(c, rc->stem, sizeof(rc->stem));
	for (int k = 0; k < RPT_NKINDS; k++) {
		rc->plot[k].block = malloc((c->nseries ? c->nseries : 1) *
					   sizeof(int));
		if (!rc->plot[k].block) {
			snprintf(r->err, r->errsz, "out of memory");
			return -ENOMEM;
		}
		for (size_t s = 0; s < c->nseries; s++)
			rc->plot[k].block[s] = -1;
	}
	if (!c->nseries)
		return 0; /* skipped / failed before measuring: no plots */
	ret = hist_file(r, ci);
	if (!ret)
		ret = samples_files(r, ci);
	return ret;
}

/* Cases that go into the overview of one class (real or emulated). */
int rpt_in_overview(const struct rpt *r, size_t ci, int emulated)
{
	const struct q_case *c = &r->run.cases[ci];

	if (c->emulated != emulated || r->cases[ci].nsamples == 0)
		return 0;
	/* Only latency: a throughput series has no place on a us axis. */
	for (size_t k = 0; k < c->nseries; k++)
		if (!query_unit_is_ns(c->series[k].unit))
			return 0;
	return 1;
}

/* The cases of an overview class from the first-th to the last-th (of
 * that class) into one .dat file. */
static int overview_part(struct rpt *r, int emulated, const char *name,
			 size_t first, size_t last)
{
	FILE *f;
	int ret = 0;
	size_t k = 0;

	f = rpt_create(r, name, &ret);
	if (!f)
		return ret;
	fprintf(f, "# isolat run %s: every %scase over all its CPUs, exact\n"
		"# columns: label, p50, p99, max (us)\n", r->run.uuid,
		emulated ? "EMULATED " : "");
	for (size_t i = 0; i < r->run.ncases; i++) {
		const struct rpt_case *rc = &r->cases[i];

		if (!rpt_in_overview(r, i, emulated) || k++ < first || k > last)
			continue;
		/* The label: index and name as written ("cpu+memory"),
		 * reduced to what is safe inside double quotes. */
		const char *nm = r->run.cases[i].name ? r->run.cases[i].name
						      : "";

		fprintf(f, "\"%03d-", r->run.cases[i].idx);
		for (int j = 0; nm[j] && j < 64; j++) {
			unsigned char ch = (unsigned char)nm[j];

			fputc((ch >= 'a' && ch <= 'z') ||
			      (ch >= 'A' && ch <= 'Z') ||
			      (ch >= '0' && ch <= '9') ||
			      strchr("._+-", ch) ? ch : '_', f);
		}
		fprintf(f, "\" %.3f %.3f %.3f\n", rc->p50 / 1000.0,
			rc->p99 / 1000.0, rc->max / 1000.0);
	}
	return rpt_close(r, f, name);
}

int rpt_overview_data(struct rpt *r, int emulated)
{
	int ret = 0, n = 0, np;

	for (size_t i = 0; i < r->run.ncases; i++)
		n += rpt_in_overview(r, i, emulated);
	r->have_overview[emulated] = n;
	if (!n)
		return 0;
	/* Parts of at most RPT_OVERVIEW_CASES (report_plot.c). */
	np = rpt_nparts((size_t)n, RPT_OVERVIEW_CASES);
	r->overview_parts[emulated] = np;
	for (int p = 0; p < np && !ret; p++) {
		char base[48], name[64];

		rpt_part_base(base, sizeof(base), emulated ?
			      "overview-emulated" : "overview", p, np);
		snprintf(name, sizeof(name), "%s.dat", base);
		ret = overview_part(r, emulated, name,
				    rpt_part_first((size_t)n, np, p),
				    rpt_part_first((size_t)n, np, p + 1));
	}
	return ret;
}
