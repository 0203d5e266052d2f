/*
 * test_trend.c - change points (reports/trend_detect.c) on plain series,
 * and trend_build() on nights stored through the real store path
 * (synth_run.h): a step at night 15 of 30 is found at night 15 +- 1 and
 * named by its run and what changed; 30 noise-only nights give none.
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
#include "reports/trend.h"
#include "tests/unit/synth_run.h"

#include "test_dir.h"

static uint64_t rs = 12345;

/* Normal(0, 1) by Box-Muller from a fixed xorshift. */
static double gauss(void)
{
	double u1, u2;

	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	u1 = ((rs >> 11) + 0.5) / 9007199254740992.0;
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	u2 = ((rs >> 11) + 0.5) / 9007199254740992.0;
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static void step_found(void **state)
{
	double x[30];
	struct trend_cp *cp;
	size_t n;

	(void)state;
	for (int i = 0; i < 30; i++)
		x[i] = (i >= 14 ? 130.0 : 100.0) + 2.0 * gauss();
	assert_int_equal(trend_detect(x, 30, TREND_ALPHA, TREND_MIN_CHANGE,
				      &cp, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cp[0].at, 14); /* night 15 */
	assert_true(cp[0].after > cp[0].before);
	free(cp);
}

/* 200 noise-only series of 30 nights: at alpha 0.001 per split and a
 * 5% minimum change, none (seeds fixed: deterministic). */
static void noise_has_none(void **state)
{
	size_t total = 0;

	(void)state;
	for (int s = 0; s < 200; s++) {
		double x[30];
		struct trend_cp *cp;
		size_t n;

		for (int i = 0; i < 30; i++)
			x[i] = 100.0 + 3.0 * gauss();
		assert_int_equal(trend_detect(x, 30, TREND_ALPHA,
					      TREND_MIN_CHANGE, &cp, &n), 0);
		total += n;
		free(cp);
	}
	assert_int_equal(total, 0);
}

static void two_steps_and_gaps(void **state)
{
	double x[40];
	struct trend_cp *cp;
	size_t n;

	(void)state;
	for (int i = 0; i < 40; i++)
		x[i] = (i < 12 ? 100.0 : i < 28 ? 140.0 : 110.0) + gauss();
	x[5] = NAN; /* a night without this case */
	assert_int_equal(trend_detect(x, 40, TREND_ALPHA, TREND_MIN_CHANGE,
				      &cp, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(cp[0].at, 12);
	assert_int_equal(cp[1].at, 28);
	assert_true(cp[1].after < cp[1].before); /* an improvement */
	free(cp);
	/* Welch: equal samples are not different; a clear shift is */
	assert_true(trend_welch_p(x + 12, 5, x + 12, 5) > 0.99);
	assert_true(trend_welch_p(x, 5, x + 13, 5) < 1e-6);
}

/* n nights, the samples 1.3x from night `step` (0: never). */
static void nights(struct store *st, const char *host, int n, int step)
{
	static const char *const wl[] = { "rtlat", NULL };
	char uuid[40], when[32], err[512];

	for (int k = 1; k <= n; k++) {
		int on = step && k >= step;
		struct synth s = { .uuid = uuid, .fingerprint = host,
				   .hostname = host, .scenario = "nightly",
				   .started_at = when, .workloads = wl,
				   .kernel = on ? "6.6.0" : "6.1.0",
				   .n = 5000, .seed = (uint64_t)k * 31 + 7,
				   .scale = on ? 1.3 : 1.0 };
		int64_t id;

		snprintf(uuid, sizeof(uuid), "%08d-0000-4000-8000-%012d", k,
			 step);
		snprintf(when, sizeof(when), "2026-01-%02dT02:00:00Z", k);
		if (synth_run(st, &s, &id, err, sizeof(err)))
			fail_msg("%s", err);
	}
}

static void stored_nights(void **state)
{
	char dir[] = "/tmp/isolat-test-trend-XXXXXX", db[96], err[512];
	struct trend_opts o = { .alpha = TREND_ALPHA,
				.min_change = TREND_MIN_CHANGE };
	struct trend_result res;
	struct store *st;
	int regression;
	long at;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/t.db", dir);
	if (store_open(db, STORE_WRITE, &st, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(store_begin(st), 0);
	nights(st, "stepboard", 30, 15);
	nights(st, "calmboard", 30, 0);
	assert_int_equal(store_commit(st), 0);

	/* two hosts: one must be chosen */
	assert_int_equal(trend_build(st, &o, &res, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--host calmboard"));
	trend_result_free(&res);

	o.host = "stepboard";
	assert_int_equal(trend_build(st, &o, &res, err, sizeof(err)), 0);
	assert_int_equal(res.nruns, 30);
	at = trend_newest(&res, &regression);
	assert_true(at >= 13 && at <= 15); /* night 15 +- 1 */
	assert_true(regression);
	for (size_t i = 0; i < res.nseries; i++) {
		assert_true(res.series[i].ncps >= 1);
		assert_true(res.series[i].cps[0].at >= 13 &&
			    res.series[i].cps[0].at <= 15);
	}
	/* the run that shows it, and what changed */
	assert_string_equal(res.runs[14].uuid,
			    "00000015-0000-4000-8000-000000000015");
	assert_string_equal(res.runs[14].kernel, "6.6.0");
	assert_non_null(strstr(res.runs[14].changed,
			       "kernel_release 6.1.0 -> 6.6.0"));
	trend_result_free(&res);

	/* --last 10: nights 21..30 only, no change in them */
	o.last = 10;
	assert_int_equal(trend_build(st, &o, &res, err, sizeof(err)), 0);
	assert_int_equal(res.nruns, 10);
	assert_string_equal(res.runs[0].started_at, "2026-01-21T02:00:00Z");
	assert_int_equal(trend_newest(&res, &regression), -1);
	trend_result_free(&res);

	/* 30 noise-only nights: no change point */
	o.last = 0;
	o.host = "calmboard";
	assert_int_equal(trend_build(st, &o, &res, err, sizeof(err)), 0);
	assert_int_equal(res.nruns, 30);
	assert_int_equal(trend_newest(&res, &regression), -1);
	trend_result_free(&res);

	/* --since */
	o.since = "2026-01-25";
	assert_int_equal(trend_build(st, &o, &res, err, sizeof(err)), 0);
	assert_int_equal(res.nruns, 6);
	trend_result_free(&res);
	store_close(st);
	test_dir_rm(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(step_found),
		cmocka_unit_test(noise_has_none),
		cmocka_unit_test(two_steps_and_gaps),
		cmocka_unit_test(stored_nights),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
