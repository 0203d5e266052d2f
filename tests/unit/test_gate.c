/*
 * test_gate.c - the gate's statistics and threshold syntax (reports/
 * gate_stats.c, gate_ini.c), the schema v1 -> v2 migration and tags, and
 * gate_run() on whole runs: missing and skipped cases, and what the
 * console, Markdown and JUnit outputs say about them.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "collectors/store.h"
#include "collectors/store_db.h"
#include "reports/gate.h"
#include "tests/unit/mini_db.h"

#include "test_dir.h"

extern char **environ;

static uint64_t rng;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((rng >> 11) + 0.5) / 9007199254740992.0;
}

/* n latencies: 20 us + exponential(5 us), times scale. */
static uint32_t *latencies(size_t n, uint64_t seed, double scale)
{
	uint32_t *v = malloc(n * sizeof(*v));

	rng = seed * 2654435761u + 88172645463325252ull;
	for (size_t i = 0; i < n; i++)
		v[i] = (uint32_t)((20000.0 - 5000.0 * log(uniform())) * scale);
	return v;
}

/* p of the gate's test on per-block p99 of two synthetic series. */
static double p99_shift_p(uint64_t sa, double a_scale, uint64_t sb,
			  double b_scale)
{
	size_t n = 30000, blen = gate_block_len(n, 1000);
	uint32_t *a = latencies(n, sa, a_scale), *b = latencies(n, sb,
							       b_scale);
	double *xa = malloc((n / blen + 1) * sizeof(double));
	double *xb = malloc((n / blen + 1) * sizeof(double));
	long na = gate_block_values(a, n, blen, GM_P99, xa);
	long nb = gate_block_values(b, n, blen, GM_P99, xb);
	double p;

	assert_int_equal(na, 30);
	assert_int_equal(nb, 30);
	p = gate_mwu_greater(xa, (size_t)na, xb, (size_t)nb);
	free(a);
	free(b);
	free(xa);
	free(xb);
	return p;
}

static void identical_passes(void **state)
{
	(void)state;
	assert_true(p99_shift_p(1, 1.0, 1, 1.0) > 0.4);
}

static void shift_30_percent_fails(void **state)
{
	(void)state;
	assert_true(p99_shift_p(1, 1.0, 2, 1.3) < 1e-6);
}

static void noise_only_passes(void **state)
{
	int significant = 0;

	(void)state;
	/* Twenty pairs of noise-only repetitions: at alpha 0.01 none (or
	 * by chance very rarely one) is significant; the seeds are fixed,
	 * so this is deterministic. */
	for (uint64_t s = 10; s < 30; s++)
		significant += p99_shift_p(s, 1.0, s + 100, 1.0) < GATE_ALPHA;
	assert_true(significant <= 1);
}

static void mwu_known_values(void **state)
{
	double a[] = { 1, 2, 3, 4, 5 }, b[] = { 6, 7, 8, 9, 10 };
	double c[] = { 1, 1, 1 }, d[] = { 1, 1, 1 };
	double p;

	(void)state;
	/* Complete separation, n = 5 + 5: U = 25, mu = 12.5,
	 * sigma = sqrt(25 * 11 / 12) = 4.787; z = (25 - 12.5 - 0.5) / 4.787
	 * = 2.507 -> p = 0.00609. */
	p = gate_mwu_greater(a, 5, b, 5);
	assert_true(fabs(p - 0.00609) < 0.0002);
	/* Reversed: nothing greater. */
	double a2[] = { 1, 2, 3, 4, 5 }, b2[] = { 6, 7, 8, 9, 10 };

	assert_true(gate_mwu_greater(b2, 5, a2, 5) > 0.99);
	/* All tied: variance 0, never significant. */
	assert_true(gate_mwu_greater(c, 3, d, 3) == 1.0);
	assert_true(gate_mwu_greater(c, 0, d, 3) == 1.0);
}

static void limits_parse(void **state)
{
	struct gate_limit l;
	struct gate_thresholds th = { 0 };
	char err[256], buf[64];

	(void)state;
	assert_int_equal(gate_limit_parse("+10%", &l, err, sizeof(err)), 0);
	assert_true(l.has_rel && !l.has_abs && fabs(l.rel - 0.10) < 1e-12);
	assert_int_equal(gate_limit_parse("+50us", &l, err, sizeof(err)), 0);
	assert_true(!l.has_rel && l.has_abs && l.abs_ns == 50000.0);
	assert_int_equal(gate_limit_parse("20%, +5us", &l, err, sizeof(err)),
			 0);
	assert_true(l.has_rel && l.has_abs && l.abs_ns == 5000.0);
	gate_limit_fmt(&l, buf, sizeof(buf));
	assert_string_equal(buf, "+20% and +5us");
	assert_int_equal(gate_limit_parse("+700ns", &l, err, sizeof(err)), 0);
	assert_true(l.abs_ns == 700.0);
	assert_int_equal(gate_limit_parse("+1ms", &l, err, sizeof(err)), 0);
	assert_true(l.abs_ns == 1e6);
	assert_int_equal(gate_limit_parse("+0", &l, err, sizeof(err)), 0);
	assert_int_equal(gate_limit_parse("off", &l, err, sizeof(err)), 0);
	assert_false(l.has_rel || l.has_abs);
	for (const char *const *bad = (const char *const[]){ "-10%", "", "+",
	     "10 %", "+10%x", "+inf", "nan", "0x10", "+10%,+20%", "+5s",
	     NULL }; *bad; bad++)
		assert_int_equal(gate_limit_parse(*bad, &l, err, sizeof(err)),
				 -EINVAL);
	/* An absolute change without '+' reads as a ceiling: refused, with
	 * the way to write either. */
	assert_int_equal(gate_limit_parse("100us", &l, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "'100us': a threshold is a change over "
			       "the baseline, written +100us; for a ceiling "
			       "use --limit"));
	/* A latency's absolute margin needs a unit (a bare +50 would be
	 * 50 ns); a count's takes none; +0 is +0 in any unit. */
	assert_int_equal(gate_threshold_arg(&th, "max=+50", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "needs a unit: +50us"));
	assert_int_equal(gate_threshold_arg(&th, "p99=+0", err, sizeof(err)),
			 0);
	assert_int_equal(gate_threshold_arg(&th, "dropped=+3", err,
					    sizeof(err)), 0);
	assert_int_equal(gate_threshold_arg(&th, "dropped=+3us", err,
					    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "dropped is a count"));
	/* p99.9 as the field writes it is p999 */
	assert_int_equal(gate_threshold_arg(&th, "p99.9=+10%", err,
					    sizeof(err)), 0);
	assert_int_equal(gate_metric_find("p99.99"), GM_P9999);
	assert_int_equal(gate_threshold_arg(&th, "p99=+10%", err, sizeof(err)),
			 0);
	assert_true(th.m[GM_P99].has_rel);
	assert_int_equal(gate_threshold_arg(&th, "p98=+10%", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "not a metric"));
	assert_int_equal(gate_threshold_arg(&th, "p99", err, sizeof(err)),
			 -EINVAL);
}

static void ini_section(void **state)
{
	struct gate_thresholds th = { 0 };
	double alpha = 0.01;
	int found;
	char err[256];
	const char *ok = "[scenario]\nname = x\np99 = ignored here\n\n"
			 "[gate]\np99 = +10%\nmax = +50us\nalpha = 0.05\n";
	const char *bad = "[scenario]\nname = x\n[gate]\np99 = +10%\n"
			  "p42 = +1%\n";

	(void)state;
	assert_int_equal(gate_thresholds_ini(ok, "RUN scenario", &th, &alpha,
					     &found, err, sizeof(err)), 0);
	assert_true(found);
	assert_true(th.m[GM_P99].has_rel && th.m[GM_MAX].has_abs);
	assert_false(th.m[GM_P50].has_rel || th.m[GM_P50].has_abs);
	assert_true(alpha == 0.05);
	assert_int_equal(gate_thresholds_ini("[scenario]\nname = x\n", "R",
					     &th, NULL, &found, err,
					     sizeof(err)), 0);
	assert_false(found);
	assert_int_equal(gate_thresholds_ini(bad, "RUN scenario", &th, NULL,
					     &found, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "RUN scenario:5: unknown key 'p42' in "
			    "[gate]; expected one of p50, p90, p99, p999, p9999, max, "
			    "dropped, over, run, limit, over_at or alpha");
}

static void blocks(void **state)
{
	uint32_t v[250];
	double out[8];

	(void)state;
	for (int i = 0; i < 250; i++)
		v[i] = (uint32_t)(i % 100);
	/* 100-sample blocks, the 50-sample tail kept (>= half a block) */
	assert_int_equal(gate_block_values(v, 250, 100, GM_MAX, out), 3);
	assert_true(out[0] == 99 && out[2] == 49);
	assert_int_equal(gate_block_values(v, 250, 100, GM_P50, out), 3);
	assert_true(out[0] == 49);
	/* a 1000 us interval: 1000 samples a second, unless too few blocks */
	assert_int_equal(gate_block_len(60000, 1000), 1000);
	assert_int_equal(gate_block_len(3000, 1000), 100);
	assert_int_equal(gate_block_len(600, 1000), GATE_MIN_BLOCK_LEN);
}

/* Schema version 1 exactly as isolat 0.1 created it (frozen copy of
 * migration step 0): the fixture for the v1 -> current migration test. */
static const char v1_schema[] =
	"CREATE TABLE hosts ("
	"  id INTEGER PRIMARY KEY,"
	"  fingerprint TEXT NOT NULL UNIQUE,"
	"  hostname TEXT, model TEXT, cpu_model TEXT, ncpus INTEGER);"
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  uuid TEXT NOT NULL UNIQUE,"
	"  host_id INTEGER NOT NULL REFERENCES hosts(id),"
	"  scenario_name TEXT, scenario_path TEXT, scenario_text TEXT,"
	"  tool_version TEXT, argv TEXT,"
	"  started_at TEXT NOT NULL, finished_at TEXT,"
	"  status TEXT NOT NULL DEFAULT 'running');"
	"CREATE TABLE run_meta ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL, value TEXT,"
	"  PRIMARY KEY (run_id, key));"
	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  idx INTEGER NOT NULL, name TEXT NOT NULL,"
	"  environment TEXT NOT NULL, profile TEXT NOT NULL,"
	"  workload TEXT NOT NULL, load TEXT NOT NULL,"
	"  repetition INTEGER NOT NULL DEFAULT 0,"
	"  params TEXT NOT NULL DEFAULT '{}',"
	"  status TEXT NOT NULL DEFAULT 'pending',"
	"  reason TEXT,"
	"  emulated INTEGER NOT NULL DEFAULT 0,"
	"  flagged INTEGER NOT NULL DEFAULT 0,"
	"  started_at TEXT, finished_at TEXT,"
	"  UNIQUE (run_id, idx));"
	"CREATE TABLE case_facts ("
	"  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL, value TEXT,"
	"  PRIMARY KEY (case_id, key));"
	"CREATE TABLE series ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
	"  idx INTEGER NOT NULL, cpu INTEGER NOT NULL,"
	"  unit TEXT NOT NULL DEFAULT 'ns',"
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  dropped INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (case_id, idx));"
	"CREATE TABLE chunks ("
	"  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,"
	"  chunk_no INTEGER NOT NULL,"
	"  first_seq INTEGER NOT NULL,"
	"  nsamples INTEGER NOT NULL,"
	"  codec INTEGER NOT NULL,"
	"  data BLOB NOT NULL,"
	"  PRIMARY KEY (series_id, chunk_no)) WITHOUT ROWID;"
	"CREATE TABLE summaries ("
	"  series_id INTEGER PRIMARY KEY REFERENCES series(id) ON DELETE CASCADE,"
	"  count INTEGER, dropped INTEGER, min INTEGER, max INTEGER,"
	"  mean REAL, stddev REAL, p50 INTEGER, p90 INTEGER, p99 INTEGER,"
	"  p999 INTEGER, p9999 INTEGER, p99999 INTEGER);"
	"CREATE TABLE histograms ("
	"  series_id INTEGER PRIMARY KEY REFERENCES series(id) ON DELETE CASCADE,"
	"  bucket_ns INTEGER NOT NULL, data BLOB NOT NULL);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  case_id INTEGER REFERENCES cases(id) ON DELETE CASCADE,"
	"  series_id INTEGER REFERENCES series(id) ON DELETE CASCADE,"
	"  at TEXT NOT NULL, kind TEXT NOT NULL, severity TEXT NOT NULL,"
	"  message TEXT);"
	"CREATE INDEX cases_run ON cases(run_id);"
	"CREATE INDEX series_case ON series(case_id);"
	"CREATE INDEX events_run ON events(run_id);";

/* A version 1 database (as an older isolat left it) migrates to v2 and
 * gets tags; its runs stay. */
static void migrate_v1_tags(void **state)
{
	char path[] = "/tmp/isolat-test-gate-XXXXXX";
	char db[64], err[512], uuid[37];
	struct store *st;
	int64_t rid, got;
	sqlite3_stmt *s;
	int v = 0;

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(db, sizeof(db), "%s/v1.db", path);
	{
		sqlite3 *raw;
		char *sqlerr = NULL;

		assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
		assert_int_equal(sqlite3_exec(raw, v1_schema, NULL, NULL,
					      &sqlerr), SQLITE_OK);
		assert_int_equal(sqlite3_exec(raw,
			"PRAGMA user_version = 1;"
			"PRAGMA application_id = 1230195796;"
			"INSERT INTO hosts(fingerprint) VALUES ('fp');"
			"INSERT INTO runs(uuid, host_id, started_at) VALUES "
			"('cafe0000-0000-4000-8000-000000000001', 1, "
			"'2026-01-01T00:00:00Z');", NULL, NULL, &sqlerr),
			SQLITE_OK);
		sqlite3_close(raw);
		rid = 1;
	}

	if (store_open(db, STORE_READ, &st, err, sizeof(err)))
		fail_msg("%s", err);
	sqlite3_prepare_v2(store_db(st), "PRAGMA user_version", -1, &s, NULL);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	assert_int_equal(store_tag_set(st, "base", rid, err, sizeof(err)), 0);
	assert_int_equal(store_resolve_ref(st, "base", &got, uuid, err,
					   sizeof(err)), 0);
	assert_true(got == rid);
	assert_string_equal(uuid, "cafe0000-0000-4000-8000-000000000001");
	/* Falls back to a UUID prefix, and 'last'. */
	assert_int_equal(store_resolve_ref(st, "cafe", &got, uuid, err,
					   sizeof(err)), 0);
	assert_int_equal(store_resolve_ref(st, "nope-tag", &got, uuid, err,
					   sizeof(err)), -EINVAL);
	assert_int_equal(store_tag_set(st, "last", rid, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(store_tag_set(st, "1abc", rid, err, sizeof(err)),
			 -EINVAL);
	/* hex digits and '-' alone read as a UUID prefix: refused */
	assert_int_equal(store_tag_set(st, "bcbc", rid, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "reads as a UUID prefix"));
	assert_int_equal(store_tag_set(st, "cafe-01", rid, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(store_tag_set(st, "board-a.night", rid, err,
				       sizeof(err)), 0);
	assert_int_equal(store_tag_delete(st, "base"), 0);
	assert_int_equal(store_tag_delete(st, "base"), -ENOENT);
	store_close(st);
	unlink(db);
	snprintf(db, sizeof(db), "%s/v1.db-wal", path);
	unlink(db);
	snprintf(db, sizeof(db), "%s/v1.db-shm", path);
	unlink(db);
	rmdir(path);
}

/* --- gate_run() on whole runs ------------------------------------------ */

/* The baseline: 6 cases; xen skipped at plan time. */
static const struct mcase base_cases[] = {
	{ "bare", "none", "rtlat", "none", "done", NULL, 0, 2, 3000, 10 },
	{ "kvm", "none", "rtlat", "none", "done", NULL, 1, 1, 3000, 30 },
	{ "lxc", "none", "rtlat", "none", "done", NULL, 0, 1, 3000, 20 },
	{ "xen", "none", "rtlat", "none", "skipped", "no Xen hypervisor", 0,
	  0, 0, 0 },
	{ "bare", "irq", "rtlat", "none", "done", NULL, 0, 2, 3000, 8 },
	{ "bare", "full", "rtlat", "none", "skipped", "not root", 0, 0, 0, 0 },
};

/* The candidate lost kvm and bare/irq, skipped lxc (the baseline ran
 * it), skipped xen as the baseline did; bare/full is new here. */
static const struct mcase cand_cases[] = {
	{ "bare", "none", "rtlat", "none", "done", NULL, 0, 2, 3000, 10 },
	{ "lxc", "none", "rtlat", "none", "skipped", "lxc not installed", 0,
	  0, 0, 0 },
	{ "xen", "none", "rtlat", "none", "skipped", "no Xen hypervisor", 0,
	  0, 0, 0 },
};

static char *capture(const struct gate_result *res,
		     int (*fn)(const struct gate_result *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(res, f), 0);
	fclose(f);
	return buf;
}

static int console_summary(const struct gate_result *res, FILE *f)
{
	return gate_write_console(res, f, 1);
}

static int console_quiet(const struct gate_result *res, FILE *f)
{
	return gate_write_console(res, f, 0);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void missing_cases_fail(void **state)
{
	char path[] = "/tmp/isolat-test-gate-XXXXXX", db[96], err[512];
	/* --emulated gate: the missing kvm case (emulated) counts here;
	 * by default it would be shown, not gated (test_gate_rules.c). */
	struct gate_opts o = { .alpha = GATE_ALPHA,
			       .emulated = GATE_EMU_GATE };
	struct gate_result res;
	struct store *st;
	int64_t base, cand;
	char *out;

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(db, sizeof(db), "%s/g.db", path);
	if (store_open(db, STORE_WRITE, &st, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(store_begin(st), 0);
	base = mdb_run(st, "ba5e0000-0000-4000-8000-000000000001", base_cases,
		       sizeof(base_cases) / sizeof(base_cases[0]));
	cand = mdb_run(st, "ca4d0000-0000-4000-8000-000000000002", cand_cases,
		       sizeof(cand_cases) / sizeof(cand_cases[0]));
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(gate_threshold_arg(&o.th, "p99=+10%", err,
					    sizeof(err)), 0);
	assert_int_equal(gate_run(st, base, cand, &o, &res, err, sizeof(err)),
			 0);
	/* bare/none: 2 CPUs x 7 metrics pass (identical data) */
	assert_int_equal(res.npass, 14);
	assert_int_equal(res.nfail, 0);
	assert_int_equal(res.nerror, 0);
	/* kvm and bare/irq absent, lxc skipped in the candidate only: one
	 * row per case, however many CPUs the baseline had */
	assert_int_equal(res.nmissing, 3);
	/* xen skipped in both; bare/full skipped, not in the candidate */
	assert_int_equal(res.nskip, 2);

	out = capture(&res, console_summary);
	assert_non_null(strstr(out, "14 passed, 0 failed, 0 errors, 3 "
				    "missing, 2 skipped\n"));
	assert_non_null(strstr(out, "isolat gate: MISSING kvm.none.rtlat.none "
				    "(EMULATED): the baseline has "
				    "samples of this case, the candidate has "
				    "no such case\n"));
	assert_int_equal(count(out, "isolat gate: MISSING bare.irq.rtlat.none:"),
			 1);
	assert_non_null(strstr(out, "isolat gate: MISSING lxc.none.rtlat.none:"
				    " skipped in the candidate only (lxc not "
				    "installed); the baseline has samples\n"));
	assert_non_null(strstr(out, "isolat gate: skipped xen.none.rtlat.none:"
				    " candidate case skipped: no Xen "
				    "hypervisor\n"));
	assert_non_null(strstr(out, "isolat gate: skipped bare.full.rtlat.none:"
				    " baseline case skipped (not root), the "
				    "candidate has no such case\n"));
	free(out);
	/* --quiet: no summary, no skipped list; MISSING still said */
	out = capture(&res, console_quiet);
	assert_null(strstr(out, "isolat gate: skipped "));
	assert_null(strstr(out, " passed, "));
	assert_int_equal(count(out, "isolat gate: MISSING "), 3);
	free(out);

	out = capture(&res, gate_write_markdown);
	assert_non_null(strstr(out, "### isolat gate: REGRESSION"));
	assert_non_null(strstr(out, "3 missing, 14 passed, 2 skipped"));
	assert_non_null(strstr(out, "| kvm.none.rtlat.none (EMULATED) | - | "
				    "case | - | - | - | - | - | **MISSING**: "));
	assert_non_null(strstr(out, "| bare.irq.rtlat.none | - | case | - | "
				    "- | - | - | - | **MISSING**: "));
	free(out);

	out = capture(&res, gate_write_junit);
	assert_non_null(strstr(out, "errors=\"3\" skipped=\"2\""));
	assert_int_equal(count(out, "<error type=\"missing-case\""), 3);
	assert_non_null(strstr(out, "classname=\"isolat.kvm.none.rtlat.none\" "
				    "name=\"case (EMULATED)\">\n      <error "
				    "type=\"missing-case\""));
	free(out);
	gate_result_free(&res);

	/* The other way round nothing is missing: the baseline's cases
	 * are all in the candidate (lxc skipped there has no samples). */
	assert_int_equal(gate_run(st, cand, base, &o, &res, err, sizeof(err)),
			 0);
	assert_int_equal(res.nmissing, 0);
	assert_int_equal(res.npass, 14);
	gate_result_free(&res);
	store_close(st);
	test_dir_rm(path);
}

/* Every console line of an emulated case says so (as Markdown and JUnit
 * do): FAIL, ERROR and skipped. */
static void console_marks_emulated(void **state)
{
	struct gate_row rows[3];
	struct gate_result res = { .rows = rows, .nrows = 3, .nfail = 1,
				   .nerror = 1, .nskip = 1 };
	char *out;

	(void)state;
	memset(rows, 0, sizeof(rows));
	snprintf(rows[0].case_key, sizeof(rows[0].case_key), "kvm.a.rtlat.none");
	rows[0].cpu = 1;
	rows[0].metric = GM_P99;
	rows[0].verdict = GV_FAIL;
	rows[0].emulated = 1;
	snprintf(rows[0].message, sizeof(rows[0].message), "regression");
	rows[1] = rows[0];
	rows[1].metric = -1;
	rows[1].verdict = GV_ERROR;
	snprintf(rows[1].message, sizeof(rows[1].message), "candidate case "
		 "failed: boom");
	rows[2] = rows[0];
	rows[2].verdict = GV_SKIP;
	rows[2].emulated = 0;
	snprintf(rows[2].case_key, sizeof(rows[2].case_key), "bare.a.rtlat.none");
	out = capture(&res, console_summary);
	assert_non_null(strstr(out, "isolat gate: FAIL kvm.a.rtlat.none "
				    "(EMULATED) cpu 1 p99: regression\n"));
	assert_non_null(strstr(out, "isolat gate: ERROR kvm.a.rtlat.none "
				    "(EMULATED) cpu 1 case: candidate case "
				    "failed: boom\n"));
	assert_non_null(strstr(out, "isolat gate: skipped bare.a.rtlat.none "
				    "cpu 1: regression\n"));
	assert_null(strstr(out, "bare.a.rtlat.none (EMULATED)"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identical_passes),
		cmocka_unit_test(shift_30_percent_fails),
		cmocka_unit_test(noise_only_passes),
		cmocka_unit_test(mwu_known_values),
		cmocka_unit_test(limits_parse),
		cmocka_unit_test(ini_section),
		cmocka_unit_test(blocks),
		cmocka_unit_test(migrate_v1_tags),
		cmocka_unit_test(missing_cases_fail),
		cmocka_unit_test(console_marks_emulated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
