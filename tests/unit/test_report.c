/*
 * test_report.c - reports/: exports, show/list text, and the
 * rendered report (plots checked with xmllint and pngtopnm where
 * installed; a missing tool is reported as SKIP, never a silent pass).
 *
 * The database is built through the store API exactly as the collector
 * would: codec-encoded chunks, summaries and histograms from stats.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
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
#include "collectors/store_db.h"
#include "reports/export.h"
#include "reports/json.h"
#include "reports/query.h"
#include "reports/report.h"
#include "reports/show.h"
#include "tests/unit/json_check.h"

#include "test_dir.h"
#include "tool_run.h"


#define RUN_UUID "3f2a9c1e-0b7d-4e55-9a0c-5d1e2f3a4b5c"
#define NCASES 3
#define NSER 2
#define WEIRD_NAME "kvm rtlat, \"quoted\" 'x' `y` <b>&"

/* What the test database holds, to compare the exports against. */
struct exp_series {
	int cpu;
	uint32_t n;
	uint32_t *values;
	uint64_t *seq;
	struct summary sum;
};

struct fixture {
	char dir[64];
	char db[96];
	struct store *st;
	int64_t run_id;
	struct exp_series ser[2][NSER]; /* cases 0 and 1 */
};

static struct fixture fx;

/* --- building the database ------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* A plausible latency: 1.5-4.5 us, a slow tail, rare big outliers. */
static uint32_t latency(int slow)
{
	uint32_t r = rnd() % 10000;

	if (r < 3)
		return 40000 + rnd() % 60000;
	if (r < 200)
		return 6000 + rnd() % (slow ? 20000 : 8000);
	return 1500 + rnd() % 3000 + (slow ? 800 : 0);
}

static void put_series(struct store *st, int64_t case_id, int ci, int k,
		       int cpu, uint32_t n, int gap)
{
	struct exp_series *e = &fx.ser[ci][k];
	struct stats *s = stats_new();
	uint8_t *blob = malloc(codec_bound(CODEC_CHUNK_SAMPLES));
	uint8_t *hist;
	size_t hlen;
	int64_t sid;
	uint64_t seq = 0;
	uint32_t chunk = 3000, done = 0, no = 0;

	assert_non_null(s);
	assert_non_null(blob);
	e->cpu = cpu;
	e->n = n;
	e->values = malloc(n * sizeof(*e->values));
	e->seq = malloc(n * sizeof(*e->seq));
	assert_non_null(e->values);
	assert_non_null(e->seq);
	for (uint32_t i = 0; i < n; i++)
		e->values[i] = latency(ci == 1);
	assert_int_equal(store_series_create(st, case_id, (unsigned)k, cpu,
					     "ns", &sid), 0);
	while (done < n) {
		uint32_t m = n - done < chunk ? n - done : chunk;
		ssize_t len = codec_encode(e->values + done, m, blob,
					   codec_bound(CODEC_CHUNK_SAMPLES));

		assert_true(len > 0);
		/* A gap in seq, as after dropped samples. */
		if (gap && no == 1)
			seq += 777;
		for (uint32_t i = 0; i < m; i++)
			e->seq[done + i] = seq + i;
		assert_int_equal(store_chunk_put(st, sid, no++, seq, m, blob,
						 (size_t)len), 0);
		assert_int_equal(stats_add(s, e->values + done, m), 0);
		seq += m;
		done += m;
		chunk = 2500; /* chunks of different sizes */
	}
	stats_summary(s, &e->sum);
	assert_int_equal(stats_histogram_blob(s, 1000, &hist, &hlen), 0);
	assert_int_equal(store_series_finish(st, sid, &e->sum, 1000, hist,
					     hlen), 0);
	free(hist);
	free(blob);
	stats_free(s);
}

static void meta(struct store *st, const char *k, const char *v)
{
	assert_int_equal(store_run_meta(st, fx.run_id, k, v), 0);
}

static void make_db(const char *path, struct store **out)
{
	struct store_host h = { "fp0123456789abcd", "board<1>", "Acme Board",
				"Cortex-A53", 4 };
	struct store_run run = { RUN_UUID, "smoke", "scenarios/smoke.ini",
				 "[run]\n", "0.1-test", "isolat run smoke",
				 0 };
	struct store_case c0 = { 0, 0, "bare-rtlat", "bare", "default",
				 "rtlat", "none", "{\"interval_us\": 250}" };
	struct store_case c1 = { 1, 0, WEIRD_NAME, "kvm", "isolated",
				 "rtlat", "cpu", "{\"interval_us\": 500}" };
	struct store_case c2 = { 2, 0, "xen-rtlat", "xen", "default",
				 "rtlat", "none", NULL };
	int64_t host, cid[NCASES];
	struct store *st;
	char err[512];

	assert_int_equal(store_open(path, STORE_WRITE, &st, err, sizeof(err)),
			 0);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_host_upsert(st, &h, &host), 0);
	run.host_id = host;
	assert_int_equal(store_run_create(st, &run, &fx.run_id), 0);
	meta(st, "hostname", "board<1>");
	meta(st, "kernel_release", "6.6.0-rt15");
	meta(st, "cmdline", "isolcpus=2,3 <script>alert(1)</script> & \"x\"");
	meta(st, "governor.0", "performance");
	meta(st, "governor.1", "performance");
	meta(st, "hwloc_xml", "<?xml version=\"1.0\"?><topology>"
			      "<object type=\"Machine\"/></topology>");
	meta(st, "numa_nodes", "1");
	assert_int_equal(store_case_create(st, fx.run_id, &c0, &cid[0]), 0);
	assert_int_equal(store_case_create(st, fx.run_id, &c1, &cid[1]), 0);
	assert_int_equal(store_case_create(st, fx.run_id, &c2, &cid[2]), 0);
	/* case 0: interval from case_facts (overrides params' 250) */
	assert_int_equal(store_case_fact(st, cid[0], "interval_us", "1000"), 0);
	put_series(st, cid[0], 0, 0, 2, 12000, 0);
	put_series(st, cid[0], 0, 1, 3, 9000, 1);
	assert_int_equal(store_case_status(st, cid[0], "done", NULL), 0);
	/* case 1: interval from params (500), emulated and flagged */
	put_series(st, cid[1], 1, 0, 0, 8000, 0);
	put_series(st, cid[1], 1, 1, 1, 6000, 0);
	assert_int_equal(store_case_set_emulated(st, cid[1], 1), 0);
	assert_int_equal(store_case_flag(st, cid[1]), 0);
	assert_int_equal(store_case_status(st, cid[1], "done", NULL), 0);
	assert_int_equal(store_case_status(st, cid[2], "skipped",
					   "no Xen hypervisor (/proc/xen "
					   "missing)"), 0);
	assert_int_equal(store_event(st, fx.run_id, cid[1], 0,
				     "ring_overflow", "warning",
				     "lost 12 samples on cpu 0"), 0);
	assert_int_equal(store_event(st, fx.run_id, 0, 0, "tuning", "info",
				     "governor set to performance"), 0);
	assert_int_equal(store_run_finish(st, fx.run_id, "done"), 0);
	assert_int_equal(store_commit(st), 0);
	*out = st;
}

static int setup(void **state)
{
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/isolat-test-report-XXXXXX");
	if (!mkdtemp(fx.dir))
		return -1;
	snprintf(fx.db, sizeof(fx.db), "%s/isolat.db", fx.dir);
	make_db(fx.db, &fx.st);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	store_close(fx.st);
	for (int c = 0; c < 2; c++)
		for (int k = 0; k < NSER; k++) {
			free(fx.ser[c][k].values);
			free(fx.ser[c][k].seq);
		}
	test_dir_done(fx.dir);
	return 0;
}

/* --- helpers ------------------------------------------------------------ */

/* Output of fn into a malloc'd string. */
static char *capture_begin(FILE **f, size_t *len, char **buf)
{
	*f = open_memstream(buf, len);
	assert_non_null(*f);
	return NULL;
}

/* Split the next CSV record (RFC 4180) off *p into fields; returns the
 * number of fields, 0 at the end. */
static int csv_record(const char **p, char fields[][128], int max)
{
	const char *s = *p;
	int n = 0;

	if (!*s)
		return 0;
	for (;;) {
		char *out = fields[n];
		size_t len = 0;

		if (*s == '"') {
			s++;
			for (;;) {
				if (*s == '"' && s[1] == '"') {
					out[len++] = '"';
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					assert_true(*s != '\0');
					out[len++] = *s++;
				}
				assert_true(len < 127);
			}
		} else {
			while (*s && *s != ',' && *s != '\n') {
				out[len++] = *s++;
				assert_true(len < 127);
			}
		}
		out[len] = '\0';
		n++;
		if (*s == ',') {
			s++;
			assert_true(n < max);
			continue;
		}
		assert_true(*s == '\n'); /* every record ends in a newline */
		s++;
		break;
	}
	*p = s;
	return n;
}

/* --- exports ------------------------------------------------------------ */

static void test_export_samples(void **state)
{
	char *buf = NULL, err[512] = "", fields[16][128];
	size_t len = 0, total = 0, lines = 0;
	const char *p;
	FILE *f;

	capture_begin(&f, &len, &buf);
	assert_int_equal(export_samples(fx.st, fx.run_id, EXPORT_CSV, f, err,
					sizeof(err)), 0);
	fclose(f);
	p = buf;
	assert_int_equal(csv_record(&p, fields, 16), 14);
	assert_string_equal(fields[0], "run_uuid");
	assert_string_equal(fields[12], "value");
	assert_string_equal(fields[13], "unit");
	for (int c = 0; c < 2; c++)
		for (int k = 0; k < NSER; k++) {
			const struct exp_series *e = &fx.ser[c][k];

			for (uint32_t i = 0; i < e->n; i++, lines++) {
				assert_int_equal(csv_record(&p, fields, 16),
						 14);
				assert_string_equal(fields[0], RUN_UUID);
				assert_int_equal(atoi(fields[1]), c);
				assert_string_equal(fields[2], c ? WEIRD_NAME
								 : "bare-rtlat");
				assert_string_equal(fields[3],
						    c ? "kvm" : "bare");
				assert_string_equal(fields[5], "rtlat");
				assert_int_equal(atoi(fields[9]), k);
				assert_int_equal(atoi(fields[10]), e->cpu);
				assert_true(strtoull(fields[11], NULL, 10) ==
					    e->seq[i]);
				assert_true(strtoull(fields[12], NULL, 10) ==
					    e->values[i]);
				assert_string_equal(fields[13], "ns");
			}
			total += e->n;
		}
	assert_int_equal(csv_record(&p, fields, 16), 0); /* nothing more */
	assert_int_equal(lines, total);
	free(buf);
}

static void test_export_summaries_csv(void **state)
{
	char *buf = NULL, err[512] = "", fields[30][128];
	size_t len = 0;
	const char *p;
	FILE *f;

	capture_begin(&f, &len, &buf);
	assert_int_equal(export_summaries(fx.st, fx.run_id, EXPORT_CSV, f,
					  err, sizeof(err)), 0);
	fclose(f);
	p = buf;
	assert_int_equal(csv_record(&p, fields, 30), 27);
	assert_string_equal(fields[0], "run_uuid");
	assert_string_equal(fields[17], "min");
	assert_string_equal(fields[26], "max");
	for (int c = 0; c < 2; c++)
		for (int k = 0; k < NSER; k++) {
			const struct summary *m = &fx.ser[c][k].sum;

			assert_int_equal(csv_record(&p, fields, 30), 27);
			assert_string_equal(fields[0], RUN_UUID);
			assert_int_equal(atoi(fields[1]), c);
			assert_string_equal(fields[2], c ? WEIRD_NAME
							 : "bare-rtlat");
			assert_string_equal(fields[10], c ? "1" : "0");
			assert_string_equal(fields[11], c ? "1" : "0");
			assert_int_equal(atoi(fields[12]), k);
			assert_int_equal(atoi(fields[13]), fx.ser[c][k].cpu);
			assert_string_equal(fields[14], "ns");
			assert_true(strtoull(fields[15], NULL, 10) == m->count);
			assert_true(strtoul(fields[17], NULL, 10) == m->min);
			assert_true(strtod(fields[18], NULL) == m->mean);
			assert_true(strtod(fields[19], NULL) == m->stddev);
			assert_true(strtoul(fields[20], NULL, 10) == m->p50);
			assert_true(strtoul(fields[22], NULL, 10) == m->p99);
			assert_true(strtoul(fields[25], NULL, 10) == m->p99999);
			assert_true(strtoul(fields[26], NULL, 10) == m->max);
		}
	/* The skipped case: one row, reason, empty series fields. */
	assert_int_equal(csv_record(&p, fields, 30), 27);
	assert_string_equal(fields[2], "xen-rtlat");
	assert_string_equal(fields[8], "skipped");
	assert_string_equal(fields[9], "no Xen hypervisor (/proc/xen missing)");
	assert_string_equal(fields[12], "");
	assert_string_equal(fields[26], "");
	assert_int_equal(csv_record(&p, fields, 30), 0);
	free(buf);
}

static void test_export_summaries_json(void **state)
{
	char *buf = NULL, err[512] = "", want[128], num[40];
	size_t len = 0;
	const char *p;
	FILE *f;
	int nemu = 0;

	capture_begin(&f, &len, &buf);
	assert_int_equal(export_summaries(fx.st, fx.run_id, EXPORT_JSON, f,
					  err, sizeof(err)), 0);
	fclose(f);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"format\": \"isolat-summary\""));
	assert_non_null(strstr(buf, "\"version\": 2"));
	assert_non_null(strstr(buf, "\"uuid\": \"" RUN_UUID "\""));
	assert_non_null(strstr(buf, "\"histogram\": {"));
	assert_non_null(strstr(buf, "\"bucket_ns\": "));
	assert_non_null(strstr(buf, "\"kernel\": {"));
	assert_non_null(strstr(buf, "\"hostname\": \"board<1>\""));
	assert_non_null(strstr(buf, "\"name\": \"kvm rtlat, \\\"quoted\\\""));
	assert_non_null(strstr(buf, "\"interval_us\": 1000"));
	assert_non_null(strstr(buf, "\"interval_us\": 500"));
	for (p = buf; (p = strstr(p, "\"emulated\": ")); p++)
		nemu++;
	assert_int_equal(nemu, NCASES); /* on every case */
	assert_non_null(strstr(buf, "\"emulated\": true"));
	for (int c = 0; c < 2; c++)
		for (int k = 0; k < NSER; k++) {
			const struct summary *m = &fx.ser[c][k].sum;

			snprintf(want, sizeof(want), "\"p99\": %" PRIu32
				 ",\n", m->p99);
			assert_non_null(strstr(buf, want));
			snprintf(want, sizeof(want), "\"max\": %" PRIu32,
				 m->max);
			assert_non_null(strstr(buf, want));
			json_fmt_double(num, sizeof(num), m->mean);
			snprintf(want, sizeof(want), "\"mean\": %s", num);
			assert_non_null(strstr(buf, want));
		}
	free(buf);
	/* An unknown format is refused. */
	f = open_memstream(&buf, &len);
	assert_int_equal(export_summaries(fx.st, fx.run_id, 7, f, err,
					  sizeof(err)), -EINVAL);
	fclose(f);
	free(buf);
}

static int collect_meta(void *ctx, const char *key, const char *value)
{
	FILE *f = ctx;

	fprintf(f, "%s=%s\n", key, value);
	return 0;
}

/* Governors that differ are listed per CPU, grouped into ranges. */
static void test_governor_condensing(void **state)
{
	struct q_meta m[] = {
		{ "hostname", "b" }, { "governor.0", "performance" },
		{ "governor.1", "performance" }, { "governor.2", "powersave" },
		{ "governor.3", "performance" }, { "governor.5", "powersave" },
		{ "thp", "never" }, { "hwloc_xml", "unavailable (no hwloc)" },
		{ "numa_nodes", "1" },
	};
	struct q_run r = { .meta = m, .nmeta = sizeof(m) / sizeof(*m) };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(query_meta_condensed(&r, collect_meta, f), 0);
	fclose(f);
	assert_string_equal(buf, "hostname=b\n"
				 "governor=performance (0-1,3), powersave "
				 "(2,5)\n"
				 "thp=never\n"
				 "hwloc_xml=unavailable (no hwloc)\n"
				 "numa_nodes=1\n");
	free(buf);
}

/* --- show / list ---------------------------------------------------------- */

static void test_show_run(void **state)
{
	char *buf = NULL, err[512] = "", want[64];
	size_t len = 0;
	FILE *f;

	capture_begin(&f, &len, &buf);
	assert_int_equal(show_run(fx.st, fx.run_id, f, err, sizeof(err)), 0);
	fclose(f);
	if (getenv("ISOLAT_SHOW_OUTPUT"))
		fputs(buf, stderr);
	assert_non_null(strstr(buf, RUN_UUID));
	assert_non_null(strstr(buf, "smoke (scenarios/smoke.ini)"));
	assert_non_null(strstr(buf, "0.1-test"));
	assert_non_null(strstr(buf, "governor               performance x2"));
	assert_null(strstr(buf, "governor.0"));
	assert_non_null(strstr(buf, "bytes of hwloc XML; numa_nodes 1"));
	assert_null(strstr(buf, "<topology"));
	assert_non_null(strstr(buf, "p99.99"));
	assert_non_null(strstr(buf, "EMULATED"));
	assert_non_null(strstr(buf, "  !"));
	assert_non_null(strstr(buf, "no Xen hypervisor (/proc/xen missing)"));
	assert_non_null(strstr(buf, "ring_overflow: lost 12 samples on cpu 0"));
	assert_non_null(strstr(buf, "warning case 1 "));
	/* p99 of case 0 cpu 2 in us with one decimal */
	snprintf(want, sizeof(want), " %9.1f", fx.ser[0][0].sum.p99 / 1000.0);
	assert_non_null(strstr(buf, want));
	free(buf);

	/* No such run. */
	f = open_memstream(&buf, &len);
	assert_int_equal(show_run(fx.st, 9999, f, err, sizeof(err)), -ENOENT);
	fclose(f);
	free(buf);
}

static void test_list_runs(void **state)
{
	char *buf = NULL, err[512] = "";
	size_t len = 0;
	FILE *f;

	capture_begin(&f, &len, &buf);
	assert_int_equal(list_runs(fx.st, f, err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(buf, RUN_UUID));
	assert_non_null(strstr(buf, "board<1>"));
	assert_non_null(strstr(buf, "2/0/1 of 3  EMULATED  !"));
	free(buf);
}

/* --- report ----------------------------------------------------------------- */

static const char *const plot_names[] = {
	"case000-bare-rtlat-hist", "case000-bare-rtlat-maxsec",
	"case000-bare-rtlat-pct",
	"case001-kvm_rtlat___quoted___x___y___b__-hist",
	"case001-kvm_rtlat___quoted___x___y___b__-maxsec",
	"case001-kvm_rtlat___quoted___x___y___b__-pct",
	"overview", "overview-emulated",
};

static void check_plot_files(const char *out)
{
	char xmllint[4096], pngtopnm[4096], path[4200];
	int have_xml = find_tool("xmllint", xmllint, sizeof(xmllint)) == 0;
	int have_png = find_tool("pngtopnm", pngtopnm, sizeof(pngtopnm)) == 0;
	static const char *const exts[] = { ".gp", ".dat", ".svg", ".png" };

	if (!have_xml)
		print_message("SKIP: xmllint not found: SVGs not checked for "
			      "well-formedness (apt-get install "
			      "libxml2-utils)\n");
	if (!have_png)
		print_message("SKIP: pngtopnm not found: PNGs not decoded "
			      "(apt-get install netpbm)\n");
	for (size_t i = 0; i < sizeof(plot_names) / sizeof(*plot_names); i++) {
		for (size_t e = 0; e < 4; e++) {
			struct stat sb;

			snprintf(path, sizeof(path), "%s/%s%s", out,
				 plot_names[i], exts[e]);
			if (stat(path, &sb) != 0 || sb.st_size == 0)
				fail_msg("missing or empty: %s", path);
		}
		snprintf(path, sizeof(path), "%s/%s.svg", out, plot_names[i]);
		if (have_xml) {
			char *argv[] = { xmllint, "--noout", path, NULL };

			if (run_tool(argv) != 0)
				fail_msg("xmllint rejects %s", path);
		}
		snprintf(path, sizeof(path), "%s/%s.png", out, plot_names[i]);
		{
			unsigned char sig[8] = { 0 };
			FILE *f = fopen(path, "rb");

			assert_non_null(f);
			assert_int_equal(fread(sig, 1, 8, f), 8);
			fclose(f);
			assert_memory_equal(sig, "\x89PNG\r\n\x1a\n", 8);
		}
		if (have_png) {
			char *argv[] = { pngtopnm, path, NULL };

			if (run_tool(argv) != 0)
				fail_msg("pngtopnm cannot decode %s", path);
		}
	}
}

static void test_report_render(void **state)
{
	char out[160], err[1024] = "", path[256], xmllint[4096];
	char *html, *dat;
	size_t len;

	snprintf(out, sizeof(out), "%s/results/%s", fx.dir, RUN_UUID);
	if (report_find_gnuplot(path, sizeof(path)) < 0) {
		print_message("SKIP: gnuplot not found in PATH (apt-get install "
			      "gnuplot-nox)\n");
		skip();
	}
	if (report_render(fx.st, fx.run_id, out, err, sizeof(err)) != 0)
		fail_msg("report_render: %s", err);
	check_plot_files(out);

	snprintf(path, sizeof(path), "%s/index.html", out);
	html = read_file(path, &len);
	assert_non_null(html);
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "class=\"banner emulated\""));
	assert_non_null(strstr(html, RUN_UUID));
	/* metadata is escaped, the hwloc XML only summarized */
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; "
				     "&amp; &quot;x&quot;"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<topology"));
	assert_non_null(strstr(html, "performance x2"));
	assert_non_null(strstr(html, "kvm rtlat, &quot;quoted&quot; &#39;x&#39;"
				     " `y` &lt;b&gt;&amp;"));
	for (size_t i = 0; i < sizeof(plot_names) / sizeof(*plot_names); i++) {
		char img[200];

		snprintf(img, sizeof(img), "<img src=\"%s.svg\"", plot_names[i]);
		assert_non_null(strstr(html, img));
		snprintf(img, sizeof(img), "<a href=\"%s.png\">", plot_names[i]);
		assert_non_null(strstr(html, img));
	}
	assert_non_null(strstr(html, "no Xen hypervisor (/proc/xen missing)"));
	assert_non_null(strstr(html, "lost 12 samples on cpu 0"));
	free(html);
	if (find_tool("xmllint", xmllint, sizeof(xmllint)) == 0) {
		char *argv[] = { xmllint, "--html", "--noout", path, NULL };

		assert_int_equal(run_tool(argv), 0);
	}

	/* The percentile data reaches log10(12000) nines and its whole-nine
	 * points are the stored percentiles. */
	snprintf(path, sizeof(path), "%s/case000-bare-rtlat-pct.dat", out);
	dat = read_file(path, &len);
	assert_non_null(dat);
	{
		char want[96];

		snprintf(want, sizeof(want), "\n2.000000 99.0000000 %.3f\n",
			 fx.ser[0][0].sum.p99 / 1000.0);
		assert_non_null(strstr(dat, want));
		snprintf(want, sizeof(want), "\n3.000000 99.9000000 %.3f\n",
			 fx.ser[0][1].sum.p999 / 1000.0);
		assert_non_null(strstr(dat, want));
	}
	free(dat);

	/* Titles say EMULATED for the emulated case. */
	snprintf(path, sizeof(path), "%s/%s.gp", out, plot_names[3]);
	dat = read_file(path, &len);
	assert_non_null(dat);
	assert_non_null(strstr(dat, "(EMULATED)"));
	/* the name's quote is doubled inside a single-quoted string */
	assert_non_null(strstr(dat, "''x''"));
	free(dat);
}

/* A PATH with no gnuplot, or with one that fails. */
static void test_report_gnuplot_errors(void **state)
{
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	char bin[128], out[160], err[1024] = "", fake[160];
	FILE *f;
	int rc;

	snprintf(bin, sizeof(bin), "%s/bin", fx.dir);
	assert_int_equal(mkdir(bin, 0755), 0);
	snprintf(out, sizeof(out), "%s/noplot", fx.dir);
	setenv("PATH", bin, 1);
	rc = report_render(fx.st, fx.run_id, out, err, sizeof(err));
	assert_int_equal(rc, -ENOENT);
	assert_string_equal(err, "gnuplot not found in PATH: install it "
				 "(apt-get install gnuplot-nox)");
	assert_int_equal(access(out, F_OK), -1); /* nothing created */

	snprintf(fake, sizeof(fake), "%s/gnuplot", bin);
	f = fopen(fake, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\necho \"line 7: boom: undefined variable\" >&2\n"
	      "exit 3\n", f);
	fclose(f);
	assert_int_equal(chmod(fake, 0755), 0);
	rc = report_render(fx.st, fx.run_id, out, err, sizeof(err));
	if (old)
		setenv("PATH", old, 1);
	free(old);
	assert_int_equal(rc, -EIO);
	assert_non_null(strstr(err, "gnuplot failed on "));
	assert_non_null(strstr(err, ".gp (exit status 3)"));
	assert_non_null(strstr(err, "line 7: boom: undefined variable"));
}

/* A damaged chunk: exports and report name the series, never crash. */
static void test_corrupt_chunk(void **state)
{
	char path[128], err[1024] = "", *buf = NULL;
	struct store *st;
	size_t len = 0;
	FILE *f;
	int64_t run_id = 0;
	char uuid[37];

	snprintf(path, sizeof(path), "%s/corrupt.db", fx.dir);
	/* a second database, the same content */
	{
		int64_t keep = fx.run_id;
		struct exp_series saved[2][NSER];

		memcpy(saved, fx.ser, sizeof(saved));
		make_db(path, &st);
		for (int c = 0; c < 2; c++)
			for (int k = 0; k < NSER; k++) {
				free(fx.ser[c][k].values);
				free(fx.ser[c][k].seq);
			}
		memcpy(fx.ser, saved, sizeof(saved));
		run_id = fx.run_id;
		fx.run_id = keep;
	}
	assert_int_equal(store_resolve_run(st, "last", &run_id, uuid, err,
					   sizeof(err)), 0);
	/* flip bytes in the middle of case 0 series 1, chunk 1 */
	assert_int_equal(sqlite3_exec(store_db(st),
				      "UPDATE chunks SET data = "
				      "substr(data, 1, 30) || x'deadbeef' || "
				      "substr(data, 35) WHERE chunk_no = 1 AND "
				      "series_id = (SELECT s.id FROM series s "
				      "JOIN cases c ON c.id = s.case_id WHERE "
				      "c.idx = 0 AND s.idx = 1)",
				      NULL, NULL, NULL), SQLITE_OK);
	f = open_memstream(&buf, &len);
	assert_int_equal(export_samples(st, run_id, EXPORT_CSV, f, err,
					sizeof(err)), -EINVAL);
	fclose(f);
	free(buf);
	assert_non_null(strstr(err, "case 0 (bare-rtlat) series 1 (cpu 3)"));
	assert_non_null(strstr(err, "chunk 1"));
	assert_non_null(strstr(err, RUN_UUID));

	if (report_find_gnuplot(path, sizeof(path)) == 0) {
		char out[160];

		snprintf(out, sizeof(out), "%s/corrupt-report", fx.dir);
		assert_int_equal(report_render(st, run_id, out, err,
					       sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "series 1 (cpu 3)"));
	}
	/* summaries do not need the samples and still work */
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(export_summaries(st, run_id, EXPORT_CSV, f, err,
					  sizeof(err)), 0);
	fclose(f);
	free(buf);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_samples),
		cmocka_unit_test(test_export_summaries_csv),
		cmocka_unit_test(test_export_summaries_json),
		cmocka_unit_test(test_governor_condensing),
		cmocka_unit_test(test_show_run),
		cmocka_unit_test(test_list_runs),
		cmocka_unit_test(test_report_render),
		cmocka_unit_test(test_report_gnuplot_errors),
		cmocka_unit_test(test_corrupt_chunk),
	};

	return cmocka_run_group_tests_name("report", tests, setup, teardown);
}
