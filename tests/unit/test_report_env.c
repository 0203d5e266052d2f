/*
 * test_report_env.c - the report answers the question: a run of bare, lxc
 * and (emulated) kvm cases built through the store as the collector
 * writes it (mini_db.h) opens with the headline table (every non-bare
 * environment against bare, the emulated one marked and never in a
 * ratio), has the environment figures (overlay histogram, tail, matrix)
 * in plain and paper style, and every gnuplot script of the report and of
 * a compare carries the axis labels of its figure kind (gp_labels.h).
 *
 * gnuplot is needed for the renders; without it those tests SKIP.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "reports/compare.h"
#include "reports/headline.h"
#include "reports/query.h"
#include "reports/report.h"
#include "reports/show.h"
#include "tests/unit/gp_labels.h"
#include "tests/unit/mini_db.h"

#include "test_dir.h"

#define RUN_A "e0e0e0e0-0000-4000-8000-00000000000a"
#define RUN_B "e0e0e0e0-0000-4000-8000-00000000000b"

/* bare 10, lxc 13, kvm 40 (emulated); irq halves nothing here but gives
 * the "bought back" column rows.  20000 samples: p99.9 is supported. */
static const struct mcase cases_a[] = {
	{ "bare", "none", "rtlat", "none", "done", NULL, 0, 2, 20000, 10 },
	{ "bare", "irq", "rtlat", "none", "done", NULL, 0, 2, 20000, 8 },
	{ "lxc", "none", "rtlat", "none", "done", NULL, 0, 2, 20000, 13 },
	{ "lxc", "irq", "rtlat", "none", "done", NULL, 0, 2, 20000, 9 },
	{ "kvm", "none", "rtlat", "none", "done", NULL, 1, 2, 20000, 40 },
	{ "kvm", "irq", "rtlat", "none", "done", NULL, 1, 2, 20000, 30 },
	{ "bare", "none", "rtlat", "cpu+memory", "done", NULL, 0, 1, 5000,
	  12 },
	{ "lxc", "none", "rtlat", "cpu+memory", "done", NULL, 0, 1, 5000, 18 },
};

static const struct mcase cases_b[] = {
	{ "bare", "none", "rtlat", "none", "done", NULL, 0, 2, 20000, 11 },
	{ "lxc", "none", "rtlat", "none", "done", NULL, 0, 2, 20000, 14 },
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

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/isolat-test-env-XXXXXX");
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

static void need_gnuplot(void)
{
	if (!fx.have_gnuplot) {
		print_message("SKIP: gnuplot not found in PATH (apt-get "
			      "install gnuplot-nox)\n");
		skip();
	}
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

static void exists(const char *dir, const char *name)
{
	char path[256];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &sb) || sb.st_size == 0)
		fail_msg("%s missing or empty", path);
}

/* The headline rows: references and the emulated rows' isolation. */
static void headline_rows(void **state)
{
	struct q_run r;
	struct headline h;
	char err[256];
	int lxc = 0, kvm = 0;

	(void)state;
	assert_int_equal(query_run_load(fx.st, fx.a, &r, err, sizeof(err)), 0);
	assert_int_equal(headline_build(&r, &h), 0);
	assert_int_equal(h.ngroups, 2);
	for (size_t i = 0; i < h.nrows; i++) {
		const struct hl_row *row = &h.rows[i];

		if (!strcmp(row->environment, "lxc")) {
			/* against bare of the same profile and load */
			assert_true(row->bare >= 0);
			assert_string_equal(h.rows[row->bare].environment,
					    "bare");
			assert_string_equal(h.rows[row->bare].profile,
					    row->profile);
			assert_string_equal(h.rows[row->bare].load, row->load);
			lxc++;
		}
		if (!strcmp(row->environment, "kvm")) {
			assert_true(row->emulated);
			assert_int_equal(row->bare, -1);
			assert_int_equal(row->none, -1);
			kvm++;
		}
		/* no real row refers to an emulated one */
		if (!row->emulated && row->bare >= 0)
			assert_false(h.rows[row->bare].emulated);
	}
	assert_int_equal(lxc, 3);
	assert_int_equal(kvm, 2);
	/* bare first in every group */
	assert_string_equal(h.rows[0].environment, "bare");
	headline_free(&h);
	query_run_free(&r);
}

/* `show` prints the headline as its first table. */
static void show_headline_first(void **state)
{
	char path[160], *text;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/show.txt", fx.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	char err[256];

	assert_int_equal(show_run(fx.st, fx.a, f, err, sizeof(err)), 0);
	fclose(f);
	text = slurp(fx.dir, "show.txt");
	assert_non_null(strstr(text, "headline:"));
	assert_true(strstr(text, "headline:") < strstr(text, "host metadata"));
	/* lxc none: 13/10 on every value */
	assert_non_null(strstr(text, "x1.30"));
	assert_non_null(strstr(text, "kvm EMULATED"));
	/* "bought back" has the profiles table's sign: lxc irq (9) under
	 * lxc none (13) is a positive amount, never a negative change. */
	{
		char *irq = strstr(text, "lxc            irq");

		assert_non_null(irq);
		irq = strstr(irq, "p99 ");
		assert_non_null(irq);
		assert_int_equal(irq[4], '+');
	}
	free(text);
}

static void render(const char *sub, int style, char *out,
		   size_t size)
{
	char err[1024] = "";

	snprintf(out, size, "%s/%s", fx.dir, sub);
	if (report_render_style(fx.st, fx.a, out, style, err, sizeof(err)))
		fail_msg("report_render: %s", err);
}

/* dir/name holds text. */
static void file_has(const char *dir, const char *name, const char *text)
{
	char *s = slurp(dir, name);

	if (!strstr(s, text))
		fail_msg("%s/%s: no '%s'", dir, name, text);
	free(s);
}

static void check_env_figures(const char *out, int pdf)
{
	static const char *const base[] = {
		"matrix", "matrix-emulated", "envhist-g00", "envtail-g00",
		"envhist-g02-emulated", "envtail-g02-emulated",
	};
	char name[96];

	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		snprintf(name, sizeof(name), "%s.svg", base[i]);
		exists(out, name);
		snprintf(name, sizeof(name), "%s.png", base[i]);
		exists(out, name);
		if (pdf) {
			snprintf(name, sizeof(name), "%s.pdf", base[i]);
			exists(out, name);
		}
	}
}

/* The contents list every section of the page (the headline, loads and
 * profiles compared, the cases, ...) and link nothing that is not there;
 * the cases are folded. */
static void toc_complete(const char *html)
{
	const char *toc = strstr(html, "<div class=\"toc\">"), *toc_end;
	const char *p;
	char want[96];
	int n = 0;

	assert_non_null(toc);
	toc_end = strstr(toc, "</div>");
	assert_non_null(toc_end);
	for (p = strstr(html, "<h2 id=\""); p; p = strstr(p + 1, "<h2 id=\"")) {
		const char *id = p + 8, *q = strchr(id, '"');

		snprintf(want, sizeof(want), "href=\"#%.*s\"", (int)(q - id), id);
		assert_true(strstr(toc, want) && strstr(toc, want) < toc_end);
		n++;
	}
	for (p = strstr(toc, "href=\"#"); p && p < toc_end;
	     p = strstr(p + 1, "href=\"#")) {
		const char *id = p + 7, *q = strchr(id, '"');

		snprintf(want, sizeof(want), "<h2 id=\"%.*s\"", (int)(q - id), id);
		assert_non_null(strstr(html, want));
	}
	/* headline, environments, summary, loads, profiles, overviews,
	 * cases, events, run, host */
	assert_true(n >= 10);
	assert_non_null(strstr(toc, "href=\"#loads\""));
	assert_non_null(strstr(toc, "href=\"#profiles\""));
	assert_non_null(strstr(html, "<details class=\"case\""));
}

/* The page opens with the headline; the figures exist in both styles;
 * every script's labels fit its kind. */
static void report_env(void **state)
{
	char out[160], *html, *h, *row;

	(void)state;
	need_gnuplot();
	for (int style = 0; style < 2; style++) {
		render(style ? "paper" : "plain",
		       style ? REPORT_PAPER : REPORT_PLAIN, out, sizeof(out));
		check_env_figures(out, style);
		assert_true(gp_check_labels(out) >= 20);
		html = slurp(out, "index.html");
		h = strstr(html, "id=\"headline\"");
		assert_non_null(h);
		/* first: before the summary, the cases and the run facts */
		assert_true(h < strstr(html, "id=\"summary\""));
		assert_true(h < strstr(html, "id=\"run\""));
		/* the emulated rows: marked, no ratio */
		row = strstr(h, "class=\"emurow\"");
		assert_non_null(row);
		char *end = strstr(row, "</tr>");

		assert_non_null(end);
		*end = '\0';
		assert_non_null(strstr(row, "EMULATED"));
		assert_null(strstr(row, "×"));
		*end = '<';
		toc_complete(html);
		free(html);
		/* the matrix's percentile: p99 where a CPU has fewer than
		 * 10000 samples (the cpu+memory cases: 5000), p99.9 where
		 * every case has enough (the emulated ones: 20000) */
		file_has(out, "matrix.dat", "columns: x, p99 (us)");
		file_has(out, "matrix-emulated.dat", "columns: x, p99.9 (us)");
		/* one colour per environment: lxc's green in its overlays */
		file_has(out, "envhist-g00.gp", "lc rgb '#2ca02c' title 'lxc'");
		file_has(out, "envhist-g00.gp", "lc rgb '#1f77b4' title 'bare'");
	}
}

/* Per-case histograms: one x range for every case of the report, or
 * each its own with REPORT_AUTOSCALE. */
static void report_case_range(void **state)
{
	char out[160], *a, *b;

	(void)state;
	need_gnuplot();
	render("shared", REPORT_PLAIN, out, sizeof(out));
	a = slurp(out, "case000-bare.none.rtlat.none-hist.gp");
	b = slurp(out, "case002-lxc.none.rtlat.none-hist.gp");
	assert_non_null(strstr(a, "one range for every case"));
	/* the same range line in both */
	char *ra = strstr(a, "set xrange ["), *rb = strstr(b, "set xrange [");

	assert_non_null(ra);
	assert_non_null(rb);
	assert_int_equal(strcspn(ra, "\n"), strcspn(rb, "\n"));
	assert_memory_equal(ra, rb, strcspn(ra, "\n"));
	free(a);
	free(b);
	render("auto", REPORT_PLAIN | REPORT_AUTOSCALE, out, sizeof(out));
	a = slurp(out, "case000-bare.none.rtlat.none-hist.gp");
	assert_non_null(strstr(a, "set xrange [*:*]"));
	assert_non_null(strstr(a, "range of this case"));
	free(a);
	assert_true(gp_check_labels(out) >= 20);
}

/* compare: the histogram has the histogram's labels (the bug: the
 * per-second plot's), empty bins drop to the axis, and the page opens
 * with the headline's structure, A against B. */
static void compare_labels(void **state)
{
	int64_t ids[2] = { fx.a, fx.b };
	char out[160], err[1024] = "", *dat;

	(void)state;
	need_gnuplot();
	snprintf(out, sizeof(out), "%s/cmp", fx.dir);
	if (compare_render(fx.st, ids, 2, out, err, sizeof(err)))
		fail_msg("compare_render: %s", err);
	assert_true(gp_check_labels(out) >= 6);
	dat = slurp(out, "g000-hist.dat");
	assert_non_null(strstr(dat, " 0\n"));
	free(dat);
	/* The headline's structure for A against B: B's bare (scale 11)
	 * against A's bare (10) on every value; A's emulated kvm rows
	 * marked and never in a ratio. */
	dat = slurp(out, "index.html");
	assert_non_null(strstr(dat, "id=\"headline\""));
	assert_non_null(strstr(dat, "(×1.10, "));
	/* A's cpu+memory rows (5000 samples): no p99.9, as in the
	 * headline of a report */
	assert_non_null(strstr(dat, ">n&lt;10000</td>"));
	char *emu = strstr(dat, "<tr class=\"emurow\">");

	assert_non_null(emu);
	*strstr(emu, "</tr>") = '\0';
	assert_null(strstr(emu, "×"));
	free(dat);
}

/* compare says what else two runs of a matched case did differently:
 * the parameters, by key, but not the scenario name or repetition. */
static void compare_params_diff(void **state)
{
	char out[512];

	(void)state;
	assert_int_equal(cmp_params_diff(
		"{\"scenario\":\"a\",\"cpus\":\"1,3\",\"interval_us\":1000,"
		"\"repetition\":0}",
		"{\"scenario\":\"b\",\"cpus\":\"1,3\",\"interval_us\":500,"
		"\"repetition\":1}", out, sizeof(out)), 1);
	assert_string_equal(out, "interval_us 1000 -> 500");
	assert_int_equal(cmp_params_diff("{\"cpus\":\"1\",\"policy\":\"fifo\"}",
		"{\"policy\":\"rr\"}", out, sizeof(out)), 2);
	assert_string_equal(out, "cpus 1 -> (none); policy fifo -> rr");
	assert_int_equal(cmp_params_diff("{\"a\":1}", "{\"a\":1}", out,
					 sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(cmp_params_diff(NULL, NULL, out, sizeof(out)), 0);
	assert_int_equal(cmp_params_diff("{\"a\":1}", NULL, out,
					 sizeof(out)), 1);
	assert_string_equal(out, "parameters not recorded in both");
	assert_int_equal(cmp_params_diff("{\"a\":1}", "{\"a\"", out,
					 sizeof(out)), 1);
	assert_string_equal(out, "parameters not readable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(headline_rows),
		cmocka_unit_test(show_headline_first),
		cmocka_unit_test(report_env),
		cmocka_unit_test(report_case_range),
		cmocka_unit_test(compare_labels),
		cmocka_unit_test(compare_params_diff),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
