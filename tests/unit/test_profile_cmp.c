/*
 * test_profile_cmp.c - reports/profile_cmp.c and report_profiles.c: the
 * "profiles compared" grouping, pooling, baseline choice and ratios, the
 * `isolat show` text, and the report's table and plot.
 *
 * The database is built through the store API as the collector would
 * (codec chunks, summaries from stats), with samples chosen so every
 * number is known: a series of scale a holds a, 2a, ..., 1000a ns, so its
 * exact nearest-rank p50 = 500a, p99 = 990a, p99.9 = 999a, max = 1000a.
 */
#include <errno.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "collectors/codec.h"
#include "collectors/stats.h"
#include "collectors/store.h"
#include "reports/profile_cmp.h"
#include "reports/query.h"
#include "reports/report.h"
#include "reports/show.h"

#include "test_dir.h"

extern char **environ;

#define NSAMPLES 1000

/* One case of the fixture: scale per CPU (0: no such series). */
struct fcase {
	const char *env, *profile, *workload, *load, *status;
	int emulated;
	const char *unit;
	int scale[2];
};

/*
 * The main run, in plan order (environment, profile, workload, load,
 * repetition).  Expected groups:
 *   bare/rtlat/none   none (cases 0+1 pooled: worst scale 12), irq 5,
 *                     full 2; baseline none
 *   bare/rtlat/cpu    none failed: baseline irq (first profile), irq 8,
 *                     full 4
 *   kvm/rtlat/none    EMULATED: none 100, irq 50; baseline none
 *   kvm/rtlat/none    real: irq 3, full 1; baseline irq
 * Left out: spin (not latency), lxc (one profile), skipped cases.
 */
static const struct fcase main_cases[] = {
	{ "bare", "none", "rtlat", "none", "done", 0, "ns", { 10, 12 } },
	{ "bare", "none", "rtlat", "none", "done", 0, "ns", { 11, 0 } },
	{ "bare", "none", "rtlat", "cpu", "failed", 0, "ns", { 0, 0 } },
	{ "bare", "none", "spin", "none", "done", 0, "units", { 7, 0 } },
	{ "bare", "irq", "rtlat", "none", "done", 0, "ns", { 5, 0 } },
	{ "bare", "irq", "rtlat", "cpu", "done", 0, "ns", { 8, 0 } },
	{ "bare", "irq", "spin", "none", "done", 0, "units", { 9, 0 } },
	{ "bare", "full", "rtlat", "none", "done", 0, "ns", { 2, 0 } },
	{ "bare", "full", "rtlat", "cpu", "done", 0, "ns", { 4, 0 } },
	{ "bare", "boot", "rtlat", "none", "skipped", 0, "ns", { 0, 0 } },
	{ "lxc", "none", "rtlat", "none", "done", 0, "ns", { 20, 0 } },
	{ "kvm", "none", "rtlat", "none", "done", 1, "ns", { 100, 0 } },
	{ "kvm", "irq", "rtlat", "none", "done", 1, "ns", { 50, 0 } },
	{ "kvm", "irq", "rtlat", "none", "done", 0, "ns", { 3, 0 } },
	{ "kvm", "full", "rtlat", "none", "done", 0, "ns", { 1, 0 } },
};

/* A run with one profile: nothing to compare. */
static const struct fcase single_cases[] = {
	{ "bare", "irq", "rtlat", "none", "done", 0, "ns", { 5, 0 } },
	{ "bare", "irq", "rtlat", "cpu", "done", 0, "ns", { 6, 0 } },
	{ "kvm", "irq", "rtlat", "none", "done", 0, "ns", { 7, 0 } },
};

/* A run whose "none" row pools a flagged case (case 1). */
static const struct fcase flagged_cases[] = {
	{ "bare", "none", "rtlat", "none", "done", 0, "ns", { 10, 0 } },
	{ "bare", "none", "rtlat", "none", "done", 0, "ns", { 11, 0 } },
	{ "bare", "irq", "rtlat", "none", "done", 0, "ns", { 5, 0 } },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct {
	char dir[64], db[96];
	struct store *st;
	int64_t run_main, run_single, run_flagged;
	int flag_idx; /* put_case flags the case of this index; -1: none */
} fx = { .flag_idx = -1 };

/* --- building the database ------------------------------------------- */

static void put_series(int64_t case_id, unsigned k, const char *unit,
		       int scale)
{
	uint32_t v[NSAMPLES];
	uint8_t *blob = malloc(codec_bound(NSAMPLES)), *hist;
	struct stats *s = stats_new();
	struct summary sum;
	size_t hlen;
	ssize_t len;
	int64_t sid;

	assert_non_null(blob);
	assert_non_null(s);
	for (uint32_t i = 0; i < NSAMPLES; i++)
		v[i] = (uint32_t)scale * (i + 1);
	assert_int_equal(store_series_create(fx.st, case_id, k, 2 + (int)k,
					     unit, &sid), 0);
	if (strcmp(unit, "ns"))
		assert_int_equal(store_series_kind(fx.st, sid, "throughput"),
				 0);
	len = codec_encode(v, NSAMPLES, blob, codec_bound(NSAMPLES));
	assert_true(len > 0);
	assert_int_equal(store_chunk_put(fx.st, sid, 0, 0, NSAMPLES, blob,
					 (size_t)len), 0);
	assert_int_equal(stats_add(s, v, NSAMPLES), 0);
	stats_summary(s, &sum);
	assert_int_equal(stats_histogram_blob(s, 1000, &hist, &hlen), 0);
	assert_int_equal(store_series_finish(fx.st, sid, &sum, 1000, hist,
					     hlen), 0);
	free(hist);
	free(blob);
	stats_free(s);
}

static void put_case(int64_t run, int idx, const struct fcase *f)
{
	char name[64];
	struct store_case c = { idx, 0, name, f->env, f->profile, f->workload,
				f->load, "{\"interval_us\": 1000}" };
	int64_t cid;

	/* Repetitions of one cell: the second "none" case is repetition 1. */
	if (idx == 1 && !strcmp(f->profile, "none"))
		c.repetition = 1;
	snprintf(name, sizeof(name), "%s.%s.%s.%s", f->env, f->profile,
		 f->workload, f->load);
	assert_int_equal(store_case_create(fx.st, run, &c, &cid), 0);
	for (unsigned k = 0; k < 2; k++)
		if (f->scale[k])
			put_series(cid, k, f->unit, f->scale[k]);
	if (f->emulated)
		assert_int_equal(store_case_set_emulated(fx.st, cid, 1), 0);
	if (idx == fx.flag_idx)
		assert_int_equal(store_case_flag(fx.st, cid), 0);
	assert_int_equal(store_case_status(fx.st, cid, f->status,
					   strcmp(f->status, "done") ?
					   "not measured" : NULL), 0);
}

static int64_t put_run(const char *uuid, const struct fcase *cases,
		       size_t n)
{
	struct store_host h = { "fp00112233445566", "board1", "Acme Board",
				"Cortex-A53", 4 };
	struct store_run run = { uuid, "profiles", "scenarios/p.ini",
				 "[scenario]\n", "0.1-test", "isolat run", 0 };
	int64_t id;

	assert_int_equal(store_host_upsert(fx.st, &h, &run.host_id), 0);
	assert_int_equal(store_run_create(fx.st, &run, &id), 0);
	for (size_t i = 0; i < n; i++)
		put_case(id, (int)i, &cases[i]);
	assert_int_equal(store_run_finish(fx.st, id, "done"), 0);
	return id;
}

static int setup(void **state)
{
	char err[256];

	snprintf(fx.dir, sizeof(fx.dir), "/tmp/isolat-test-pcmp-XXXXXX");
	if (!mkdtemp(fx.dir))
		return -1;
	snprintf(fx.db, sizeof(fx.db), "%s/isolat.db", fx.dir);
	if (store_open(fx.db, STORE_WRITE, &fx.st, err, sizeof(err)))
		return -1;
	assert_int_equal(store_begin(fx.st), 0);
	fx.run_main = put_run("0b6f1c2e-7a55-4d1e-9b0c-111111111111",
			      main_cases, N(main_cases));
	fx.run_single = put_run("0b6f1c2e-7a55-4d1e-9b0c-222222222222",
				single_cases, N(single_cases));
	fx.flag_idx = 1;
	fx.run_flagged = put_run("0b6f1c2e-7a55-4d1e-9b0c-333333333333",
				 flagged_cases, N(flagged_cases));
	fx.flag_idx = -1;
	assert_int_equal(store_commit(fx.st), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(fx.st);
	test_dir_done(fx.dir);
	return 0;
}

/* --- helpers ------------------------------------------------------------ */

static void load(int64_t run, struct q_run *r)
{
	char err[256] = "";

	if (query_run_load(fx.st, run, r, err, sizeof(err)))
		fail_msg("query_run_load: %s", err);
}

static void check_row(const struct pcmp_row *row, const char *profile,
		      int ncases, int scale)
{
	assert_string_equal(row->profile, profile);
	assert_int_equal(row->ncases, ncases);
	assert_int_equal(row->p50_ns, 500 * scale);
	assert_int_equal(row->p99_ns, 990 * scale);
	assert_int_equal(row->p999_ns, 999 * scale);
	assert_int_equal(row->max_ns, 1000 * scale);
}

static void check_group(const struct pcmp_group *g, const char *env,
			const char *load_name, int emulated, size_t nrows,
			size_t base)
{
	assert_string_equal(g->environment, env);
	assert_string_equal(g->workload, "rtlat");
	assert_string_equal(g->load, load_name);
	assert_int_equal(g->emulated, emulated);
	assert_int_equal(g->nrows, nrows);
	assert_int_equal(g->base, base);
}

static char *text_of(int64_t run)
{
	struct q_run r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	load(run, &r);
	profile_cmp_text(&r, f);
	fclose(f);
	query_run_free(&r);
	return buf;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	buf[fread(buf, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return buf;
}

/* --- grouping, pooling, baseline, ratios ------------------------------- */

static void test_groups(void **state)
{
	struct q_run r;
	struct pcmp p;

	load(fx.run_main, &r);
	assert_int_equal(pcmp_build(&r, &p), 0);
	assert_int_equal(p.ngroups, 4);

	/* Repetitions pooled: worst CPU of both "none" cases (scale 12). */
	check_group(&p.groups[0], "bare", "none", 0, 3, 0);
	check_row(&p.groups[0].rows[0], "none", 2, 12);
	assert_int_equal(p.groups[0].rows[0].first_idx, 0);
	check_row(&p.groups[0].rows[1], "irq", 1, 5);
	check_row(&p.groups[0].rows[2], "full", 1, 2);

	/* "none" failed under load cpu: the first profile is the baseline. */
	check_group(&p.groups[1], "bare", "cpu", 0, 2, 0);
	check_row(&p.groups[1].rows[0], "irq", 1, 8);
	check_row(&p.groups[1].rows[1], "full", 1, 4);

	/* Emulated and real kvm cases in separate groups. */
	check_group(&p.groups[2], "kvm", "none", 1, 2, 0);
	check_row(&p.groups[2].rows[0], "none", 1, 100);
	check_row(&p.groups[2].rows[1], "irq", 1, 50);
	check_group(&p.groups[3], "kvm", "none", 0, 2, 0);
	check_row(&p.groups[3].rows[0], "irq", 1, 3);
	assert_int_equal(p.groups[3].rows[0].first_idx, 13);
	check_row(&p.groups[3].rows[1], "full", 1, 1);

	/* Ratios and what was bought back, against the baseline. */
	assert_float_equal(pcmp_ratio(p.groups[0].rows[1].p99_ns,
				      p.groups[0].rows[0].p99_ns),
			   4950.0 / 11880.0, 1e-12);
	assert_float_equal(pcmp_bought_back_us(&p.groups[0],
					       &p.groups[0].rows[1]),
			   6.93, 1e-9);
	assert_float_equal(pcmp_bought_back_us(&p.groups[0],
					       &p.groups[0].rows[0]), 0, 0);
	assert_float_equal(pcmp_bought_back_us(&p.groups[1],
					       &p.groups[1].rows[1]),
			   3.96, 1e-9);
	assert_float_equal(pcmp_ratio(5, 0), 0, 0);
	pcmp_free(&p);
	query_run_free(&r);
}

/* A baseline "none" that is not the first profile of the scenario. */
static void test_baseline_none_later(void **state)
{
	struct q_run r;
	struct pcmp p;
	struct q_case tmp;

	load(fx.run_main, &r);
	/* Case 4 (bare irq rtlat none) before cases 0, 1 (none): the run's
	 * profile order becomes irq, none, full. */
	tmp = r.cases[4];
	memmove(&r.cases[1], &r.cases[0], 4 * sizeof(tmp));
	r.cases[0] = tmp;
	assert_int_equal(pcmp_build(&r, &p), 0);
	check_group(&p.groups[0], "bare", "none", 0, 3, 1);
	check_row(&p.groups[0].rows[0], "irq", 1, 5);
	check_row(&p.groups[0].rows[1], "none", 2, 12);
	assert_float_equal(pcmp_bought_back_us(&p.groups[0],
					       &p.groups[0].rows[2]),
			   (11880.0 - 1980.0) / 1000.0, 1e-9);
	pcmp_free(&p);
	query_run_free(&r);
}

static void test_single_profile(void **state)
{
	struct q_run r;
	struct pcmp p;
	char *txt, *buf = NULL, err[256] = "";
	size_t len = 0;
	FILE *f;

	load(fx.run_single, &r);
	assert_int_equal(pcmp_build(&r, &p), 0);
	assert_int_equal(p.ngroups, 0);
	pcmp_free(&p);
	query_run_free(&r);
	txt = text_of(fx.run_single);
	assert_string_equal(txt, "");
	free(txt);
	f = open_memstream(&buf, &len);
	assert_int_equal(show_run(fx.st, fx.run_single, f, err, sizeof(err)),
			 0);
	fclose(f);
	assert_null(strstr(buf, "profiles compared"));
	free(buf);
}

/* --- text --------------------------------------------------------------- */

static void test_text(void **state)
{
	char *txt = text_of(fx.run_main), *buf = NULL, err[256] = "";
	size_t len = 0;
	FILE *f;

	if (getenv("ISOLAT_SHOW_OUTPUT"))
		fputs(txt, stderr);
	assert_non_null(strstr(txt, "\nprofiles compared (worst CPU"));
	/* Groups apart: bare/none, then a blank line, then bare/cpu. */
	assert_non_null(strstr(txt, "+9.9\n\nbare     rtlat    cpu   "));
	assert_non_null(strstr(txt, "\nenv      workload load         "
				    "profile      cases       p50       p99 "
				    "    p99.9       max    p99 x    max x  "
				    "bought back\n"));
	assert_non_null(strstr(txt, "\nbare     rtlat    none         none "
				    "            2       6.0      11.9   "
				    "n<10000      12.0    1.00x    1.00x         "
				    "+0.0  baseline\n"));
	assert_non_null(strstr(txt, "\nbare     rtlat    none         irq  "
				    "            1       2.5       5.0   "
				    "n<10000       5.0    0.42x    0.42x         "
				    "+6.9\n"));
	assert_non_null(strstr(txt, "\nbare     rtlat    cpu          full "
				    "            1       2.0       4.0   "
				    "n<10000       4.0    0.50x    0.50x         "
				    "+4.0\n"));
	assert_non_null(strstr(txt, "\nkvm      rtlat    none         irq  "
				    "            1      25.0      49.5   "
				    "n<10000      50.0    0.50x    0.50x        "
				    "+49.5  EMULATED\n"));
	assert_non_null(strstr(txt, "\nkvm      rtlat    none         full "
				    "            1       0.5       1.0   "
				    "n<10000       1.0    0.33x    0.33x         "
				    "+2.0\n"));
	assert_null(strstr(txt, "lxc"));
	assert_null(strstr(txt, "spin"));
	assert_null(strstr(txt, "boot"));
	free(txt);

	/* isolat show carries it. */
	f = open_memstream(&buf, &len);
	assert_int_equal(show_run(fx.st, fx.run_main, f, err, sizeof(err)),
			 0);
	fclose(f);
	assert_non_null(strstr(buf, "\nprofiles compared (worst CPU"));
	free(buf);
}

/* --- report --------------------------------------------------------------- */

static void check_plot(const char *out, const char *stem)
{
	static const char *const exts[] = { ".gp", ".dat", ".svg", ".png" };
	char path[256];
	struct stat sb;

	for (size_t e = 0; e < N(exts); e++) {
		snprintf(path, sizeof(path), "%s/%s%s", out, stem, exts[e]);
		if (stat(path, &sb) != 0 || sb.st_size == 0)
			fail_msg("missing or empty: %s", path);
	}
}

static void check_html(const char *out)
{
	char path[256];
	char *html;

	snprintf(path, sizeof(path), "%s/index.html", out);
	html = read_file(path);
	assert_non_null(html);
	assert_non_null(strstr(html, "<h2 id=\"profiles\">Profiles compared</h2>"));
	assert_non_null(strstr(html, "<img src=\"profiles-bare.svg\""));
	assert_non_null(strstr(html, "<img src=\"profiles-kvm.svg\""));
	assert_non_null(strstr(html, "<img src=\"profiles-kvm-emulated.svg\""));
	assert_non_null(strstr(html, "<tr><td>rtlat</td><td>none</td><td>"
				     "<a href=\"#case-4\">irq</a></td><td "
				     "class=\"n\">1</td><td class=\"n\">2.5"
				     "</td><td class=\"n\">5.0</td><td "
				     "class=\"n\">n&lt;10000</td><td class=\"n\">"
				     "5.0</td><td class=\"n\">0.42x</td><td "
				     "class=\"n\">0.42x</td><td class=\"n\">"
				     "+6.9</td></tr>"));
	assert_non_null(strstr(html, "<a href=\"#case-0\">none</a> "
				     "(baseline)</td>"));
	assert_non_null(strstr(html, "<a href=\"#case-11\">none</a> "
				     "(baseline) <span class=\"tag emu\">"
				     "EMULATED</span>"));
	free(html);
}

static void test_report(void **state)
{
	char out[160], err[1024] = "", path[256], gp[4096];
	char *dat;

	if (report_find_gnuplot(gp, sizeof(gp)) < 0) {
		print_message("SKIP: gnuplot not found in PATH (apt-get install "
			      "gnuplot-nox)\n");
		skip();
	}
	snprintf(out, sizeof(out), "%s/report", fx.dir);
	if (report_render(fx.st, fx.run_main, out, err, sizeof(err)))
		fail_msg("report_render: %s", err);
	check_plot(out, "profiles-bare");
	check_plot(out, "profiles-kvm");
	check_plot(out, "profiles-kvm-emulated");
	snprintf(path, sizeof(path), "%s/profiles-lxc.gp", out);
	assert_int_equal(access(path, F_OK), -1); /* one profile: no plot */
	check_html(out);

	/* Data: one block per load, exact µs values. */
	snprintf(path, sizeof(path), "%s/profiles-bare.dat", out);
	dat = read_file(path);
	assert_non_null(dat);
	/* Each tic names its group: profile / load (workload). */
	assert_non_null(strstr(dat, "\"none / none (rtlat)\" 6.000 11.880 "
				    "11.988 12.000\n"
				    "\"irq / none (rtlat)\" 2.500 4.950 4.995 "
				    "5.000\n"
				    "\"full / none (rtlat)\" 1.000 1.980 1.998 "
				    "2.000\n\n\n"
				    "# block 1: workload \"rtlat\", load "
				    "\"cpu\"\n\"irq / cpu (rtlat)\" 4.000 "
				    "7.920 7.992 8.000\n"));
	free(dat);

	/* Script: a cluster set per load, log y axis from a decade below
	 * the smallest p99 (1.98 µs) to twice the largest max (12 µs). */
	snprintf(path, sizeof(path), "%s/profiles-bare.gp", out);
	dat = read_file(path);
	assert_non_null(dat);
	assert_non_null(strstr(dat, "set yrange [1:24]\n"));
	/* Bars in the environment's colour (bare blue): p99 solid, max
	 * light; never a metric colour that is another environment's. */
	assert_non_null(strstr(dat, "plot newhistogram '', "
				    "'profiles-bare.dat' index 0 using "
				    "3:xtic(1) title 'p99' fs solid 0.9 "
				    "border -1 lc rgb '#1f77b4'"));
	assert_non_null(strstr(dat, "newhistogram '', '' index 1 using "
				    "3:xtic(1) notitle"));
	assert_null(strstr(dat, "#d62728"));
	free(dat);
	snprintf(path, sizeof(path), "%s/profiles-kvm-emulated.gp", out);
	dat = read_file(path);
	assert_non_null(dat);
	assert_non_null(strstr(dat, "EMULATED: function test only"));
	free(dat);
}

/* A flagged case is pooled but its row says so: text, HTML, plot. */
static void test_flagged(void **state)
{
	char *txt = text_of(fx.run_flagged), *buf = NULL, out[160];
	char err[1024] = "", path[256], gp[4096], *dat;
	size_t len = 0;
	struct q_run r;
	struct pcmp p;
	FILE *f;

	if (getenv("ISOLAT_SHOW_OUTPUT"))
		fputs(txt, stderr);
	assert_non_null(strstr(txt, "+0.0  baseline  FLAGGED 1/2\n"));
	/* The irq row pools no flagged case: no mark. */
	assert_non_null(strstr(txt, "\nbare     rtlat    none         irq "));
	assert_null(strstr(strstr(txt, "   irq "), "FLAGGED"));
	free(txt);
	/* The main run has none flagged: no mark anywhere. */
	txt = text_of(fx.run_main);
	assert_null(strstr(txt, "FLAGGED"));
	free(txt);

	load(fx.run_flagged, &r);
	assert_int_equal(pcmp_build(&r, &p), 0);
	assert_int_equal(p.ngroups, 1);
	assert_int_equal(p.groups[0].rows[0].nflagged, 1);
	assert_int_equal(p.groups[0].rows[0].ncases, 2);
	assert_int_equal(p.groups[0].rows[1].nflagged, 0);
	f = open_memstream(&buf, &len);
	profile_cmp_html_table(&p, "bare", 0, f);
	fclose(f);
	assert_non_null(strstr(buf, "(baseline) <span class=\"tag flag\" "));
	assert_non_null(strstr(buf, ">FLAGGED 1/2</span></td>"));
	free(buf);
	pcmp_free(&p);
	query_run_free(&r);

	if (report_find_gnuplot(gp, sizeof(gp)) < 0) {
		print_message("SKIP (plot part): gnuplot not found in PATH\n");
		return;
	}
	snprintf(out, sizeof(out), "%s/report-flagged", fx.dir);
	if (report_render(fx.st, fx.run_flagged, out, err, sizeof(err)))
		fail_msg("report_render: %s", err);
	snprintf(path, sizeof(path), "%s/profiles-bare.dat", out);
	dat = read_file(path);
	assert_non_null(dat);
	assert_non_null(strstr(dat, "\n\"none-FLAGGED / "));
	assert_non_null(strstr(dat, "\n\"irq / "));
	free(dat);
	snprintf(path, sizeof(path), "%s/profiles-bare.gp", out);
	dat = read_file(path);
	assert_non_null(dat);
	assert_non_null(strstr(dat, "worst CPU per profile - FLAGGED cases "
				    "pooled"));
	free(dat);
}

/* No profile section, no plot, for a run with one profile. */
static void test_report_single(void **state)
{
	char out[160], err[1024] = "", path[256], gp[4096];
	char *html;

	if (report_find_gnuplot(gp, sizeof(gp)) < 0) {
		print_message("SKIP: gnuplot not found in PATH (apt-get install "
			      "gnuplot-nox)\n");
		skip();
	}
	snprintf(out, sizeof(out), "%s/report-single", fx.dir);
	if (report_render(fx.st, fx.run_single, out, err, sizeof(err)))
		fail_msg("report_render: %s", err);
	snprintf(path, sizeof(path), "%s/profiles-bare.gp", out);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/index.html", out);
	html = read_file(path);
	assert_non_null(html);
	assert_null(strstr(html, "Profiles compared"));
	free(html);
}

/* Fewer than 1000 samples: p99 reads n<1000, and no ratio or "bought
 * back" is computed from it (the max's ratio still is). */
static void test_unsupported_p99(void **state)
{
	struct pcmp_row rows[2] = {
		{ "none", 1, 0, 0, 10000, 90000, 95000, 100000, 500 },
		{ "irq", 1, 0, 1, 9000, 40000, 45000, 50000, 500 },
	};
	struct pcmp_group g = { "bare", "rtlat", "none", 0, rows, 2, 0 };
	struct pcmp p = { &g, 1 };
	char *buf = NULL, *irq;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	profile_cmp_html_table(&p, "bare", 0, f);
	fclose(f);
	irq = strstr(buf, ">irq<");
	assert_non_null(irq);
	assert_non_null(strstr(irq, ">n&lt;1000<"));
	assert_non_null(strstr(irq, ">0.50x<"));  /* max: 50 / 100 */
	assert_null(strstr(irq, ">0.44x<"));      /* p99: 40 / 90 */
	assert_null(strstr(irq, "+50.0"));        /* bought back from p99 */
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_baseline_none_later),
		cmocka_unit_test(test_single_profile),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_report_single),
		cmocka_unit_test(test_flagged),
		cmocka_unit_test(test_unsupported_p99),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
