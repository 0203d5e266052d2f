/*
 * test_stats.c - unit tests of the exact statistics (collectors/stats.c).
 *
 * Quantiles against a sorted-array reference (nearest rank: the value at
 * rank ceil(p * n), clamped to [1, n]) for data in and above the direct
 * table; mean and stddev against a plain long double computation;
 * histogram blobs against bins counted from the sorted array, and parsing
 * of damaged blobs; the empty case.
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

#include <cmocka.h>

#include "collectors/stats.h"

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Latency-like values: mostly a few µs, some above STATS_DIRECT_NS, a few
 * at the extremes. */
static uint32_t value(void)
{
	uint64_t r = rnd();

	switch (r % 100) {
	case 0:
		return (uint32_t)(r >> 32); /* anywhere */
	case 1:
	case 2:
		return STATS_DIRECT_NS + (uint32_t)(r >> 40); /* just above */
	case 3:
		return STATS_DIRECT_NS - 1 - (uint32_t)(r >> 60);
	case 4:
		return (r >> 8) & 1 ? UINT32_MAX : 0;
	default:
		return 2000 + (uint32_t)((r >> 16) % 5000);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static uint32_t ref_quantile(const uint32_t *sorted, size_t n, double p)
{
	double r = ceil(p * (double)n);

	if (r < 1)
		r = 1;
	if (r > (double)n)
		r = (double)n;
	return sorted[(size_t)r - 1];
}

static const double ps[] = { 0, 0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999, 1 };

static void check_against_reference(uint32_t *v, size_t n, int in_pieces)
{
	struct stats *s = stats_new();
	struct summary sum;
	long double mean = 0, var = 0;

	assert_non_null(s);
	if (in_pieces) /* uneven pieces: must not matter */
		for (size_t i = 0, k; i < n; i += k) {
			k = 1 + rnd() % 3000;
			k = k < n - i ? k : n - i;
			assert_int_equal(stats_add(s, v + i, k), 0);
		}
	else
		assert_int_equal(stats_add(s, v, n), 0);
	for (size_t i = 0; i < n; i++)
		mean += v[i];
	mean /= n;
	for (size_t i = 0; i < n; i++)
		var += (v[i] - mean) * (v[i] - mean);
	var /= n;
	qsort(v, n, sizeof(*v), cmp_u32);

	assert_int_equal(stats_count(s), n);
	assert_int_equal(stats_max(s), v[n - 1]);
	for (size_t j = 0; j < sizeof(ps) / sizeof(ps[0]); j++)
		assert_int_equal(stats_quantile(s, ps[j]),
				 ref_quantile(v, n, ps[j]));
	stats_add_dropped(s, 7);
	stats_summary(s, &sum);
	assert_int_equal(sum.count, n);
	assert_int_equal(sum.dropped, 7);
	assert_int_equal(sum.min, v[0]);
	assert_int_equal(sum.max, v[n - 1]);
	assert_int_equal(sum.p50, ref_quantile(v, n, 0.5));
	assert_int_equal(sum.p90, ref_quantile(v, n, 0.9));
	assert_int_equal(sum.p99, ref_quantile(v, n, 0.99));
	assert_int_equal(sum.p999, ref_quantile(v, n, 0.999));
	assert_int_equal(sum.p9999, ref_quantile(v, n, 0.9999));
	assert_int_equal(sum.p99999, ref_quantile(v, n, 0.99999));
	assert_true(fabsl(sum.mean - mean) <= 1e-9L * (mean + 1));
	assert_true(fabsl(sum.stddev - sqrtl(var)) <= 1e-9L * (sqrtl(var) + 1));
	stats_free(s);
}

static void test_quantiles(void **state)
{
	const size_t ns[] = { 1, 2, 3, 1000, 100003 };
	uint32_t *v = malloc(100003 * sizeof(*v));

	(void)state;
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		for (int pieces = 0; pieces < 2; pieces++) {
			for (size_t i = 0; i < ns[k]; i++)
				v[i] = value();
			check_against_reference(v, ns[k], pieces);
			for (size_t i = 0; i < ns[k]; i++) /* all in table */
				v[i] = 1000 + (uint32_t)(rnd() % 3000);
			check_against_reference(v, ns[k], pieces);
			for (size_t i = 0; i < ns[k]; i++) /* none in table */
				v[i] = STATS_DIRECT_NS + (uint32_t)(rnd() >> 34);
			check_against_reference(v, ns[k], pieces);
		}
	}
	free(v);
}

static void test_exact_sums(void **state)
{
	/* squares far past 2^64 (2^23 values near UINT32_MAX) */
	uint32_t *v = malloc((1u << 20) * sizeof(*v));
	struct stats *s = stats_new();
	struct summary sum;

	(void)state;
	for (uint32_t i = 0; i < (1u << 20); i++)
		v[i] = i & 1 ? UINT32_MAX : UINT32_MAX - 2;
	for (int k = 0; k < 8; k++)
		assert_int_equal(stats_add(s, v, 1u << 20), 0);
	stats_summary(s, &sum);
	assert_true(fabs(sum.mean - (UINT32_MAX - 1.0)) < 1e-6);
	assert_true(fabs(sum.stddev - 1.0) < 1e-9);
	assert_int_equal(sum.p50, UINT32_MAX - 2);
	assert_int_equal(sum.p90, UINT32_MAX);
	stats_free(s);
	free(v);
}

/* Bins of width w counted from a sorted array. */
static size_t ref_bins(const uint32_t *v, size_t n, uint32_t w,
		       struct hist_bin *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t b = v[i] / w;

		if (k && out[k - 1].bucket == b) {
			out[k - 1].count++;
		} else {
			out[k].bucket = b;
			out[k++].count = 1;
		}
	}
	return k;
}

static void test_histogram(void **state)
{
	const uint32_t widths[] = { 1, 7, 1000, 4096, UINT32_MAX };
	size_t n = 20011;
	uint32_t *v = malloc(n * sizeof(*v));
	struct hist_bin *ref = malloc(n * sizeof(*ref)), *bins;
	struct stats *s = stats_new();
	size_t len, nbins, nref;
	uint8_t *blob;

	(void)state;
	for (size_t i = 0; i < n; i++)
		v[i] = value();
	v[0] = STATS_DIRECT_NS - 1; /* a bucket across the table's end */
	v[1] = STATS_DIRECT_NS;
	assert_int_equal(stats_add(s, v, n), 0);
	qsort(v, n, sizeof(*v), cmp_u32);
	assert_int_equal(stats_histogram_blob(s, 0, &blob, &len), -EINVAL);
	for (size_t j = 0; j < sizeof(widths) / sizeof(widths[0]); j++) {
		nref = ref_bins(v, n, widths[j], ref);
		assert_int_equal(stats_histogram_blob(s, widths[j], &blob, &len),
				 0);
		assert_int_equal(stats_histogram_parse(blob, len, &bins, &nbins),
				 0);
		assert_int_equal(nbins, nref);
		assert_memory_equal(bins, ref, nref * sizeof(*ref));
		free(bins);
		/* every truncation and any trailing byte is refused */
		for (size_t l = 0; l < len; l += 1 + l / 64) {
			assert_int_equal(stats_histogram_parse(blob, l, &bins,
							       &nbins),
					 -EINVAL);
			assert_null(bins);
		}
		blob = realloc(blob, len + 1);
		blob[len] = 0;
		assert_int_equal(stats_histogram_parse(blob, len + 1, &bins,
						       &nbins),
				 -EINVAL);
		free(blob);
	}
	stats_free(s);
	free(ref);
	free(v);
}

static void expect_bad(const uint8_t *b, size_t len)
{
	struct hist_bin *bins = (struct hist_bin *)&bins;
	size_t n = 99;

	assert_int_equal(stats_histogram_parse(b, len, &bins, &n), -EINVAL);
	assert_null(bins);
	assert_int_equal(n, 0);
}

static void test_bad_blobs(void **state)
{
	struct hist_bin *bins;
	size_t n;
	const uint8_t ok[] = { 2, 5, 1, 1, 2 };
	const uint8_t big[] = { 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 1 };
	const uint8_t overlong[] = { 1, 0x85, 0x00, 1 };
	const uint8_t zero_count[] = { 1, 5, 0 };
	const uint8_t zero_delta[] = { 2, 5, 1, 0, 1 };
	const uint8_t long11[] = { 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
				   0x80, 0x80, 0x80, 0x80, 0x01, 1 };
	const uint8_t wrap[] = { 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				 0xff, 0xff, 0x01, 1, 1, 1 };
	const uint8_t ten[] = { 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
				0x80, 0x80, 0x02, 1 };

	(void)state;
	assert_int_equal(stats_histogram_parse(ok, sizeof(ok), &bins, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(bins[0].bucket, 5);
	assert_int_equal(bins[1].bucket, 6);
	assert_int_equal(bins[1].count, 2);
	free(bins);
	expect_bad(ok, 0);
	expect_bad(big, sizeof(big));
	expect_bad(overlong, sizeof(overlong));
	expect_bad(zero_count, sizeof(zero_count));
	expect_bad(zero_delta, sizeof(zero_delta));
	expect_bad(long11, sizeof(long11));
	expect_bad(wrap, sizeof(wrap));
	expect_bad(ten, sizeof(ten));
	for (int i = 0; i < 20000; i++) { /* random bytes never crash */
		uint8_t r[24];
		size_t l = rnd() % sizeof(r);

		for (size_t j = 0; j < l; j++)
			r[j] = (uint8_t)rnd();
		if (stats_histogram_parse(r, l, &bins, &n) == 0)
			free(bins);
	}
}

static void test_empty(void **state)
{
	struct stats *s = stats_new();
	struct summary sum;
	struct hist_bin *bins;
	uint8_t *blob;
	size_t len, n;

	(void)state;
	assert_non_null(s);
	assert_int_equal(stats_count(s), 0);
	assert_int_equal(stats_max(s), 0);
	assert_int_equal(stats_quantile(s, 0.5), 0);
	assert_int_equal(stats_add(s, NULL, 0), 0);
	stats_add_dropped(s, 3);
	memset(&sum, 0xa5, sizeof(sum));
	stats_summary(s, &sum);
	assert_int_equal(sum.count, 0);
	assert_int_equal(sum.dropped, 3);
	assert_int_equal(sum.min, 0);
	assert_int_equal(sum.max, 0);
	assert_int_equal(sum.p99999, 0);
	assert_true(sum.mean == 0 && sum.stddev == 0);
	assert_int_equal(stats_histogram_blob(s, 1000, &blob, &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(blob[0], 0);
	assert_int_equal(stats_histogram_parse(blob, len, &bins, &n), 0);
	assert_int_equal(n, 0);
	free(bins);
	free(blob);
	stats_free(s);
	stats_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_exact_sums),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_bad_blobs),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
