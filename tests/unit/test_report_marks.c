/*
 * test_report_marks.c - what a new reader of the HTML report and the
 * compare report sees: every table and plot names an emulated case
 * EMULATED (loads compared, spin throughput / noise and its plot, failed
 * and skipped cases, compare table, headings and legends), and the
 * compare percentile curves stop where the samples do (as the single-run
 * report's) with a legend box that holds its labels; compare's lines
 * take their environment's colour and runs differ by dash (issue 14);
 * a percentile the samples cannot support reads n<N in `show` and in
 * compare's delta table.
 *
 * gnuplot is needed for report_render() / compare_render(); without it
 * those tests SKIP (said, never a silent pass).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "reports/compare.h"
#include "reports/load_cmp.h"
#include "reports/query.h"
#include "reports/report.h"
#include "reports/report_int.h"
#include "reports/show.h"
#include "tests/unit/mini_db.h"

#include "test_dir.h"

extern char **environ;

#define RUN_A "a0a0a0a0-0000-4000-8000-00000000000a"
#define RUN_B "b0b0b0b0-0000-4000-8000-00000000000b"

/* Run A: real and emulated latency cases with and without load, real and
 * emulated spin cases, an emulated case that failed. */
static const struct mcase cases_a[] = {
	{ "bare", "none", "rtlat", "none", "done", NULL, 0, 1, 3000, 10 },
	{ "bare", "none", "rtlat", "cpu", "done", NULL, 0, 1, 3000, 12 },
	{ "kvm", "none", "rtlat", "none", "done", NULL, 1, 1, 3000, 40 },
	{ "kvm", "none", "rtlat", "cpu", "done", NULL, 1, 1, 3000, 50 },
	{ "bare", "none", "spin", "none", "done", NULL, 0, 1, 3000, 1 },
	{ "kvm", "none", "spin", "none", "done", NULL, 1, 1, 3000, 1 },
	{ "kvm", "irq", "rtlat", "none", "failed", "QEMU exited", 1, 0, 0, 0 },
};

/* Run B: the same latency cases, 3000 samples each (3.5 nines). */
static const struct mcase cases_b[] = {
	{ "bare", "none", "rtlat", "none", "done", NULL, 0, 1, 3000, 11 },
	{ "kvm", "none", "rtlat", "none", "done", NULL, 1, 1, 3000, 41 },
};

static struct {
	char dir[64], db[96];
	struct store *st;
	int64_t a, b;
	int have_gnuplot;
} fx;

static int setup(void **state)
{
	char err[256], gp[4096];

	snprintf(fx.dir, sizeof(fx.dir), "/tmp/isolat-test-marks-XXXXXX");
	if (!mkdtemp(fx.dir))
		return -1;
	snprintf(fx.db, sizeof(fx.db), "%s/isolat.db", fx.dir);
	if (store_open(fx.db, STORE_WRITE, &fx.st, err, sizeof(err)))
		return -1;
	assert_int_equal(store_begin(fx.st), 0);
	fx.a = mdb_run(fx.st, RUN_A, cases_a, sizeof(cases_a) /
		       sizeof(cases_a[0]));
	fx.b = mdb_run(fx.st, RUN_B, cases_b, sizeof(cases_b) /
		       sizeof(cases_b[0]));
	assert_int_equal(store_commit(fx.st), 0);
	fx.have_gnuplot = report_find_gnuplot(gp, sizeof(gp)) == 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(fx.st);
	test_dir_done(fx.dir);
	return 0;
}

static char *slurp(const char *dir, const char *name)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot read %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The table row (<tr> ... </tr>) of html that contains key; malloc'd. */
static char *row_with(const char *html, const char *key)
{
	const char *k = strstr(html, key), *b, *e;
	char *row;

	if (!k)
		fail_msg("no row with %s", key);
	for (b = k; b > html && strncmp(b, "<tr>", 4); b--)
		;
	e = strstr(k, "</tr>");
	assert_non_null(e);
	row = strndup(b, (size_t)(e - b));
	assert_non_null(row);
	return row;
}

static void need_gnuplot(void)
{
	if (!fx.have_gnuplot) {
		print_message("SKIP: gnuplot not found in PATH (apt-get "
			      "install gnuplot-nox)\n");
		skip();
	}
}

/* What fn writes for run id, loaded into *run (the caller frees it). */
static char *capture(int64_t id, void (*fn)(const struct q_run *, FILE *),
		     struct q_run *run)
{
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(query_run_load(fx.st, id, run, err, sizeof(err)), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	fn(run, f);
	fclose(f);
	return buf;
}

/* "Loads compared", HTML: the emulated rows say EMULATED (the text of
 * `isolat show` always did), the real rows do not. */
static void loads_compared_html(void **state)
{
	struct q_run run;
	char *buf, *row;

	(void)state;
	buf = capture(fx.a, load_cmp_html, &run);
	assert_non_null(strstr(buf, "<h2 id=\"loads\">Loads compared</h2>"));
	for (int i = 0; i < 4; i++) {
		char key[40];

		snprintf(key, sizeof(key), "<a href=\"#case-%d\">", i);
		row = row_with(buf, key);
		if (i >= 2)
			assert_non_null(strstr(row, ">EMULATED<"));
		else
			assert_null(strstr(row, "EMULATED"));
		free(row);
	}
	free(buf);
	query_run_free(&run);
}

/* The report: the spin table and the noise plot, the failed case. */
static void report_marks_emulated(void **state)
{
	char out[160], err[1024] = "", *html, *gp, *dat, *row;

	(void)state;
	need_gnuplot();
	snprintf(out, sizeof(out), "%s/report-a", fx.dir);
	if (report_render(fx.st, fx.a, out, err, sizeof(err)))
		fail_msg("report_render: %s", err);
	html = slurp(out, "index.html");
	assert_non_null(strstr(html, "Throughput and OS noise (spin)"));
	row = row_with(html, "<tr><td>5</td>");
	assert_non_null(strstr(row, ">EMULATED<"));
	free(row);
	row = row_with(html, "<tr><td>4</td>");
	assert_null(strstr(row, "EMULATED"));
	free(row);
	/* loads compared, inside the page */
	row = row_with(html, "<a href=\"#case-3\">3</a></td><td>kvm");
	assert_non_null(strstr(row, ">EMULATED<"));
	free(row);
	/* failed and skipped cases */
	row = row_with(html, "<td>QEMU exited</td>");
	assert_non_null(strstr(row, ">EMULATED<"));
	free(row);
	free(html);

	gp = slurp(out, "spin-noise.gp");
	assert_non_null(strstr(gp, "title 'case5 EMULATED'"));
	assert_non_null(strstr(gp, "title 'case4'"));
	assert_non_null(strstr(gp, "EMULATED cases: function test only"));
	/* µs, as every other plot of the report */
	assert_non_null(strstr(gp, "noise gap (µs"));
	assert_null(strstr(gp, "(us"));
	free(gp);
	dat = slurp(out, "spin-noise.dat");
	assert_true(dat[0] == '#'); /* the header is a comment now */
	assert_non_null(strstr(dat, "case5(EMULATED)"));
	free(dat);
	free(slurp(out, "spin-noise.png"));
}

/* compare A B into DIR/cmp (again: the same files rewritten). */
static void render_compare(char *out, size_t size)
{
	int64_t ids[2] = { fx.a, fx.b };
	char err[1024] = "";

	snprintf(out, size, "%s/cmp", fx.dir);
	if (compare_render(fx.st, ids, 2, out, err, sizeof(err)))
		fail_msg("compare_render: %s", err);
}

/* Compare: EMULATED in the table rows, the headings and the legends. */
static void compare_marks_emulated(void **state)
{
	char out[160], *html, *gp, *row;

	(void)state;
	need_gnuplot();
	render_compare(out, sizeof(out));
	html = slurp(out, "index.html");
	row = row_with(html, "<td>kvm.none.rtlat.none");
	assert_non_null(strstr(row, ">EMULATED<"));
	free(row);
	row = row_with(html, "<td>bare.none.rtlat.none");
	assert_null(strstr(row, "EMULATED"));
	free(row);
	assert_non_null(strstr(html, "<h2>kvm.none.rtlat.none, CPU 2 <span "
				     "class=\"emu\">EMULATED</span></h2>"));
	assert_non_null(strstr(html, "<h2>bare.none.rtlat.none, CPU 2</h2>"));
	free(html);
	gp = slurp(out, "g002-hist.gp"); /* kvm.none.rtlat.none */
	/* the legend names the environment, and EMULATED */
	assert_non_null(strstr(gp, "kvm EMULATED'"));
	free(gp);
}

/* Compare: percentile curves end at log10(3000) = 3.48 nines with a step
 * to the max (not flat to 99.999 %), the plot says so; the key box is
 * sized for its labels (reverse Left width 1, as the report's plots). */
static void compare_pct_stops(void **state)
{
	char out[160], *dat, *gp, *p;
	double last_x = -1;
	int blocks = 0, past = 0;

	(void)state;
	need_gnuplot();
	render_compare(out, sizeof(out));

	/* group 0 is bare.none.rtlat.none, CPU 2: both runs, 3000 each */
	dat = slurp(out, "g000-pct.dat");
	for (p = dat; *p;) {
		double x, y;

		if (*p == '\n') {
			/* a blank line ends a block */
			if (p > dat && p[-1] == '\n' && last_x >= 0) {
				assert_true(fabs(last_x - log10(3000.0)) <
					    1e-3);
				blocks++;
				last_x = -1;
			}
			p++;
			continue;
		}
		assert_int_equal(sscanf(p, "%lf %lf", &x, &y), 2);
		past += x > log10(3000.0) + 1e-3;
		last_x = x;
		p = strchr(p, '\n');
		assert_non_null(p);
	}
	free(dat);
	assert_int_equal(blocks, 2);
	assert_int_equal(past, 0); /* nothing drawn flat to 99.999 % */
	gp = slurp(out, "g000-pct.gp");
	assert_non_null(strstr(gp, "fewer than 100000 samples"));
	assert_non_null(strstr(gp, "reverse Left width 1"));
	free(gp);
	gp = slurp(out, "g002-hist.gp");
	assert_non_null(strstr(gp, "reverse Left width 1"));
	free(gp);
	free(slurp(out, "g000-pct.png"));
}

/* The text between " dt " and " title" of the n-th plot line of gp. */
static void nth_dt(const char *gp, int n, char *buf, size_t size)
{
	const char *p = gp, *e;

	for (int i = 0; i <= n; i++) {
		p = strstr(p, " dt ");
		if (!p)
			fail_msg("no plot line %d with a dt", n);
		p += 4;
	}
	e = strstr(p, " title");
	assert_non_null(e);
	snprintf(buf, size, "%.*s", (int)(e - p), p);
}

/* Compare: colour means environment in every figure (issue 14).  Each
 * group's lines are its environment's colour and no other's, runs are
 * told apart by dash (and said so in the key), and the page marks runs
 * with a dash, never with a colour.  And its delta table shows no
 * percentile the samples cannot support. */
static void compare_env_colour(void **state)
{
	static const char *const envs[] = { "bare", "lxc", "kvm", "xen" };
	/* g000: bare.none.rtlat.none, g002: kvm.none.rtlat.none */
	static const struct {
		const char *file;
		size_t env;
	} grp[] = { { "g000-pct.gp", 0 }, { "g002-hist.gp", 2 },
		    { "g002-maxsec.gp", 2 } };
	static const struct {
		const char *text;
		int in_row;
	} page[] = {
		{ "stroke-dasharray=\"none\"/></svg> A ", 0 },
		{ "stroke-dasharray=\"6,4\"/></svg> B ", 0 },
		{ ">n&lt;100000</td>", 1 },
	};
	char out[160], *gp, *html, *row, want[96], dta[32], dtb[32];

	(void)state;
	need_gnuplot();
	render_compare(out, sizeof(out));
	for (size_t g = 0; g < sizeof(grp) / sizeof(grp[0]); g++) {
		gp = slurp(out, grp[g].file);
		for (size_t i = 0; i < sizeof(envs) / sizeof(envs[0]); i++) {
			snprintf(want, sizeof(want), "lc rgb '%s'",
				 rpt_env_colour(envs[i]));
			if (i == grp[g].env)
				assert_non_null(strstr(gp, want));
			else if (strstr(gp, want))
				fail_msg("%s: %s has %s's colour", grp[g].file,
					 envs[grp[g].env], envs[i]);
		}
		nth_dt(gp, 0, dta, sizeof(dta));
		nth_dt(gp, 1, dtb, sizeof(dtb));
		assert_string_equal(dta, "1"); /* run A solid */
		assert_string_not_equal(dta, dtb);
		snprintf(want, sizeof(want), "set key title 'colour: %s; line "
			 "style: run'", envs[grp[g].env]);
		assert_non_null(strstr(gp, want));
		assert_non_null(strstr(gp, "title 'A a0a0a0a0 "));
		assert_non_null(strstr(gp, "title 'B b0b0b0b0 "));
		free(gp);
	}
	/* The page: no run mark in a colour, each a line of its dash; the
	 * delta table's p99.99 of 3000 samples is the marker, p99 a
	 * number. */
	html = slurp(out, "index.html");
	assert_null(strstr(html, "<td style=\"color:"));
	row = row_with(html, "<td>bare.none.rtlat.none");
	for (size_t i = 0; i < sizeof(page) / sizeof(page[0]); i++)
		if (!strstr(page[i].in_row ? row : html, page[i].text))
			fail_msg("compare page lacks %s", page[i].text);
	assert_null(strstr(row, "n&lt;1000<"));
	free(row);
	free(html);
}

/* `isolat show`: a percentile the sample count cannot support reads
 * "n<N" (query_pct_need, as the HTML report's table), with a line saying
 * why; 3000 samples support p99 (1000) but not p99.99 (100000). */
static void show_pct_unsupported(void **state)
{
	struct q_run run;
	char *buf, *line, want[32];

	(void)state;
	assert_int_equal(query_pct_need(0.99), 1000);
	assert_int_equal(query_pct_need(0.999), 10000);
	assert_int_equal(query_pct_need(0.9999), 100000);
	assert_int_equal(query_fmt_pct(want, sizeof(want), 12345, "ns", 99999,
				       0.9999), 1);
	assert_string_equal(want, "n<100000");
	assert_int_equal(query_fmt_pct(want, sizeof(want), 12345, "ns",
				       100000, 0.9999), 0);
	assert_string_equal(want, "12.3");
	buf = capture(fx.b, show_case_table, &run);
	line = strstr(buf, "bare.none.rtlat.none");
	assert_non_null(line);
	*strchr(line, '\n') = '\0';
	/* count 3000, min, p50, p99 as numbers, then the marker, max */
	assert_non_null(strstr(line, "  3000 "));
	assert_non_null(strstr(line, "  n<100000 "));
	snprintf(want, sizeof(want), " %9.1f ",
		 run.cases[0].series[0].sum.p99 / 1000.0);
	assert_non_null(strstr(line, want));
	assert_non_null(strstr(line + strlen(line) + 1, "\nn<N: fewer samples "
			       "than the percentile needs"));
	free(buf);
	query_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_compared_html),
		cmocka_unit_test(report_marks_emulated),
		cmocka_unit_test(compare_marks_emulated),
		cmocka_unit_test(compare_pct_stops),
		cmocka_unit_test(show_pct_unsupported),
		cmocka_unit_test(compare_env_colour),
	};

	return cmocka_run_group_tests_name("report_marks", tests, setup,
					   teardown);
}
