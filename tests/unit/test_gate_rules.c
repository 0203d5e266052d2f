/*
 * test_gate_rules.c - the gate of issue 15 on runs stored through the
 * real store path (synth_run.h): absolute limits and the max rule catch
 * one 20 ms sample, equal and noise-only candidates pass, the across-run
 * test needs several baseline runs, the emulated policy, and the
 * Markdown of a 200-case gate (verdict first, under 65 536 characters).
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
#include <unistd.h>

#include <cmocka.h>

#include "collectors/store.h"
#include "reports/gate.h"
#include "tests/unit/synth_run.h"

#include "test_dir.h"

struct fx {
	char dir[64], db[96];
	struct store *st;
};

static struct fx *fx_open(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[512];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/isolat-test-gr-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/g.db", f->dir);
	if (store_open(f->db, STORE_WRITE, &f->st, err, sizeof(err)))
		fail_msg("%s", err);
	return f;
}

static void fx_close(struct fx *f)
{
	store_close(f->st);
	test_dir_rm(f->dir);
	free(f);
}

static int64_t mk(struct fx *f, const char *uuid, uint64_t seed,
		  uint32_t spike_ns, int nrep, int emulated)
{
	struct synth s = { .uuid = uuid, .n = 5000, .seed = seed, .scale = 1.0,
			   .spike_at = 2500, .spike_ns = spike_ns, .nrep = nrep,
			   .emulated = emulated };
	char err[512];
	int64_t id;

	if (synth_run(f->st, &s, &id, err, sizeof(err)))
		fail_msg("%s", err);
	return id;
}

static struct gate_opts defaults(void)
{
	struct gate_opts o = { .alpha = GATE_ALPHA };
	char err[256];

	assert_int_equal(gate_threshold_arg(&o.th, "p99=+10%", err,
					    sizeof(err)), 0);
	assert_int_equal(gate_threshold_arg(&o.th, "max=+50%", err,
					    sizeof(err)), 0);
	return o;
}

static const struct gate_row *row(const struct gate_result *r, int metric)
{
	for (size_t i = 0; i < r->nrows; i++)
		if (r->rows[i].metric == metric)
			return &r->rows[i];
	fail_msg("no row for metric %d", metric);
	return NULL;
}

/* Baseline max 2 ms; the candidate is the same run but for one 20 ms
 * sample.  Both the limit and the rule catch it; the equal run passes. */
static void one_spike_fails(void **state)
{
	struct fx *f = fx_open();
	struct gate_opts o = defaults(), lim = defaults();
	struct gate_result res;
	char err[512];
	int64_t base, cand, same;

	(void)state;
	base = mk(f, "ba5e0000-0000-4000-8000-000000000001", 1, 2000000, 1, 0);
	cand = mk(f, "ca4d0000-0000-4000-8000-000000000002", 1, 20000000, 1, 0);
	same = mk(f, "ca4d0000-0000-4000-8000-000000000003", 1, 2000000, 1, 0);

	/* the rule: 20 ms > 2 ms x 1.5 */
	assert_int_equal(gate_run(f->st, base, cand, &o, &res, err,
				  sizeof(err)), 0);
	assert_int_equal(res.nfail, 1);
	assert_int_equal(row(&res, GM_MAX)->verdict, GV_FAIL);
	assert_non_null(strstr(row(&res, GM_MAX)->message,
			       "regression: 20000.0 us > 3000.0 us"));
	assert_int_equal(row(&res, GM_P99)->verdict, GV_PASS);
	gate_result_free(&res);

	/* the limit, with the rule off: fails whatever the baseline */
	assert_int_equal(gate_threshold_arg(&lim.th, "max=off", err,
					    sizeof(err)), 0);
	assert_int_equal(gate_limit_arg(&lim.th, "max=100us", err,
					sizeof(err)), 0);
	assert_int_equal(gate_run(f->st, base, cand, &lim, &res, err,
				  sizeof(err)), 0);
	assert_int_equal(res.nfail, 1);
	assert_non_null(strstr(row(&res, GM_MAX)->message, "over the limit "
			       "<= 100.0 us: the worst candidate run has "
			       "20000.0 us"));
	gate_result_free(&res);

	/* no baseline at all: the limit alone judges (RT acceptance) */
	assert_int_equal(gate_run_multi(f->st, NULL, 0, cand, &lim, &res, err,
					sizeof(err)), 0);
	assert_int_equal(res.nfail, 1);
	assert_int_equal(row(&res, GM_MAX)->verdict, GV_FAIL);
	assert_int_equal(res.nbase, 0);
	gate_result_free(&res);
	assert_int_equal(gate_run_multi(f->st, NULL, 0, same, &lim, &res, err,
					sizeof(err)), 0);
	assert_int_equal(res.nfail, 1); /* 2 ms > 100 us too */
	gate_result_free(&res);
	assert_int_equal(gate_run_multi(f->st, NULL, 0, cand, &o, &res, err,
					sizeof(err)), -EINVAL);
	gate_result_free(&res);

	/* equal to the baseline: passes */
	assert_int_equal(gate_run(f->st, base, same, &o, &res, err,
				  sizeof(err)), 0);
	assert_int_equal(res.nfail, 0);
	assert_true(res.npass > 0);
	assert_int_equal((int)res.nreal, res.npass);
	gate_result_free(&res);
	fx_close(f);
}

/* Two runs of two noise-only repetitions each: every unit is a
 * repetition, so the test has its spread; nothing fails.  A 30% shift
 * of the whole distribution against the same baseline fails p99. */
static void noise_repetitions_pass(void **state)
{
	struct fx *f = fx_open();
	struct gate_opts o = defaults();
	struct gate_result res;
	struct synth s = { .uuid = "ca4d0000-0000-4000-8000-000000000009",
			   .n = 5000, .seed = 77, .scale = 1.3, .nrep = 2 };
	char err[512];
	int64_t base, cand, shift;

	(void)state;
	base = mk(f, "ba5e0000-0000-4000-8000-000000000001", 11, 0, 2, 0);
	cand = mk(f, "ca4d0000-0000-4000-8000-000000000002", 41, 0, 2, 0);
	assert_int_equal(gate_run(f->st, base, cand, &o, &res, err,
				  sizeof(err)), 0);
	assert_int_equal(res.nfail, 0);
	assert_int_equal(row(&res, GM_P99)->nb_base, 2);
	assert_false(isnan(row(&res, GM_P99)->p));
	gate_result_free(&res);
	assert_int_equal(synth_run(f->st, &s, &shift, err, sizeof(err)), 0);
	assert_int_equal(gate_run(f->st, base, shift, &o, &res, err,
				  sizeof(err)), 0);
	assert_int_equal(row(&res, GM_P99)->verdict, GV_FAIL);
	gate_result_free(&res);
	fx_close(f);
}

/* One baseline run, no repetitions: the spread is unknown, quantiles
 * are shown and not gated (a 30% shift passes), unless --alpha off. */
static void one_baseline_run_spread_unknown(void **state)
{
	struct fx *f = fx_open();
	struct gate_opts o = defaults();
	struct gate_result res;
	struct synth s = { .uuid = "ca4d0000-0000-4000-8000-000000000009",
			   .n = 5000, .seed = 5, .scale = 1.3 };
	char err[512];
	int64_t base, shift, ids[3];

	(void)state;
	base = mk(f, "ba5e0000-0000-4000-8000-000000000001", 1, 0, 1, 0);
	assert_int_equal(synth_run(f->st, &s, &shift, err, sizeof(err)), 0);
	assert_int_equal(gate_run(f->st, base, shift, &o, &res, err,
				  sizeof(err)), 0);
	assert_int_equal(row(&res, GM_P99)->verdict, GV_PASS);
	assert_non_null(strstr(row(&res, GM_P99)->message,
			       "run-to-run spread unknown"));
	gate_result_free(&res);
	o.alpha = 0; /* --alpha off: the margin alone */
	assert_int_equal(gate_run(f->st, base, shift, &o, &res, err,
				  sizeof(err)), 0);
	assert_int_equal(row(&res, GM_P99)->verdict, GV_FAIL);
	gate_result_free(&res);
	/* three baseline runs: the test runs, and finds the shift */
	o.alpha = GATE_ALPHA;
	ids[0] = base;
	ids[1] = mk(f, "ba5e0000-0000-4000-8000-000000000002", 2, 0, 1, 0);
	ids[2] = mk(f, "ba5e0000-0000-4000-8000-000000000003", 3, 0, 1, 0);
	assert_int_equal(gate_run_multi(f->st, ids, 3, shift, &o, &res, err,
					sizeof(err)), 0);
	assert_int_equal(res.nbase, 3);
	assert_int_equal(row(&res, GM_P99)->nb_base, 3);
	assert_int_equal(row(&res, GM_P99)->verdict, GV_FAIL);
	gate_result_free(&res);
	fx_close(f);
}

/* Emulated cases by default: shown, nothing fails, nothing real was
 * compared (the command exits 3 and says so); --emulated gate gates. */
static void emulated_shown_not_gated(void **state)
{
	struct fx *f = fx_open();
	struct gate_opts o = defaults();
	struct gate_result res;
	char err[512];
	int64_t base, cand;

	(void)state;
	base = mk(f, "ba5e0000-0000-4000-8000-000000000001", 1, 2000000, 1, 1);
	cand = mk(f, "ca4d0000-0000-4000-8000-000000000002", 1, 20000000, 1, 1);
	assert_int_equal(gate_run(f->st, base, cand, &o, &res, err,
				  sizeof(err)), 0);
	assert_int_equal(res.nfail + res.nerror + res.nmissing, 0);
	assert_int_equal(res.nreal, 0);
	assert_int_equal(res.nemulated, 7);
	assert_non_null(strstr(row(&res, GM_MAX)->message, "EMULATED: shown, "
			       "not gated (--emulated gate gates it); would "
			       "be FAIL: regression"));
	gate_result_free(&res);
	o.emulated = GATE_EMU_GATE;
	assert_int_equal(gate_run(f->st, base, cand, &o, &res, err,
				  sizeof(err)), 0);
	assert_int_equal(res.nfail, 1);
	gate_result_free(&res);
	fx_close(f);
}

/* 200 cases x 2 CPUs x 7 metrics, a tenth failing: the Markdown starts
 * with the verdict and stays under 65 536 characters. */
static void markdown_200_cases(void **state)
{
	size_t n = 200 * 2 * 7;
	struct gate_row *rows = calloc(n, sizeof(*rows));
	struct gate_result res = { .rows = rows, .nrows = n, .nbase = 3,
				   .alpha = 0.01 };
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	(void)state;
	assert_non_null(rows);
	for (size_t i = 0; i < n; i++) {
		struct gate_row *r = &rows[i];

		snprintf(r->case_key, sizeof(r->case_key),
			 "kvm.isolated-profile-%03zu.rtlat.stress-ng-cpu",
			 i / 14);
		r->cpu = (int)(i / 7) % 2;
		r->metric = (int)(i % 7);
		r->unit_ns = 1;
		r->base = 20000.0 + (double)i;
		r->cand = r->base * (1.0 + (double)(i % 13) / 100.0);
		r->delta = r->cand - r->base;
		r->rel = r->delta / r->base;
		r->p = 0.5;
		r->verdict = i % 10 == 3 ? GV_FAIL : GV_PASS;
		snprintf(r->limit, sizeof(r->limit), "+10%%");
		snprintf(r->message, sizeof(r->message), "%s",
			 r->verdict == GV_FAIL ? "regression: over +10% and "
			 "outside the baseline runs' spread (t test p = 0.001 "
			 "< 0.01, 3 vs 1 runs)" : "within +10%");
		res.nfail += r->verdict == GV_FAIL;
		res.npass += r->verdict == GV_PASS;
		res.nreal++;
	}
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	assert_int_equal(gate_write_markdown(&res, m), 0);
	fclose(m);
	print_message("markdown of a 200-case gate (2800 rows, 280 failing): "
		      "%zu characters\n", len);
	assert_true(len < 65536);
	assert_non_null(strstr(buf, "\n### isolat gate: REGRESSION\n"));
	/* the verdict is the first thing after the format comment */
	assert_true(strstr(buf, "### isolat gate:") - buf < 40);
	assert_true(strstr(buf, "#### Failures") < strstr(buf, "<details>"));
	assert_non_null(strstr(buf, "more rows left out"));
	free(buf);
	free(rows);
}

static void limit_syntax(void **state)
{
	struct gate_thresholds th = { 0 };
	char err[256];
	double a;

	(void)state;
	assert_int_equal(gate_limit_arg(&th, "max=100us", err, sizeof(err)), 0);
	assert_true(th.has_ceil[GM_MAX] && th.ceil[GM_MAX] == 100000.0);
	assert_int_equal(gate_limit_arg(&th, "over=50us:0", err, sizeof(err)),
			 0);
	assert_true(th.over_ns == 50000.0 && th.ceil[GM_OVER] == 0.0);
	assert_int_equal(gate_limit_arg(&th, "run=60us:3", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "one over latency per gate"));
	assert_int_equal(gate_limit_arg(&th, "max=-1us", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(gate_limit_arg(&th, "over=50us", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(gate_limit_arg(&th, "bogus=1", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(gate_alpha_parse("off", &a), 0);
	assert_true(a == 0.0);
	assert_int_equal(gate_alpha_parse("1", &a), -EINVAL);
	/* Student t: P(T > 2.228) = 0.025 at 10 df; symmetric */
	assert_true(fabs(gate_t_sf(2.228, 10) - 0.025) < 2e-4);
	assert_true(fabs(gate_t_sf(-2.228, 10) - 0.975) < 2e-4);
	assert_true(fabs(gate_t_sf(0, 3) - 0.5) < 1e-12);
}

/* over / run on one series: samples above the latency, longest run. */
static void over_and_run(void **state)
{
	uint32_t v[] = { 10, 60, 70, 10, 60, 60, 60, 10, 5 };
	struct gate_unit u;

	(void)state;
	assert_int_equal(gate_unit_values(v, 9, 50, &u), 0);
	assert_true(u.v[GM_OVER] == 5.0);
	assert_true(u.v[GM_RUN] == 3.0);
	assert_true(u.v[GM_MAX] == 70.0);
	assert_true(u.v[GM_P50] == 60.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_spike_fails),
		cmocka_unit_test(noise_repetitions_pass),
		cmocka_unit_test(one_baseline_run_spread_unknown),
		cmocka_unit_test(emulated_shown_not_gated),
		cmocka_unit_test(markdown_200_cases),
		cmocka_unit_test(limit_syntax),
		cmocka_unit_test(over_and_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
