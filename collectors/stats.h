/*
 * stats.h - exact per-series statistics: summary, percentiles, histogram.
 *
 * Every sample is counted: values below STATS_DIRECT_NS in a direct
 * per-nanosecond table, larger ones kept and sorted at the end, so the
 * percentiles are exact (nearest-rank: the p-quantile is the smallest value v
 * with at least ceil(p * count) samples <= v; p = 1 is the max) and match a
 * sorted-array reference bit for bit.  Sums are kept in integers, so mean
 * and stddev do not depend on the order samples arrive in.
 */
#ifndef ISOLAT_STATS_H
#define ISOLAT_STATS_H

#include <stddef.h>
#include <stdint.h>

#define STATS_DIRECT_NS (1u << 20) /* 1.05 ms at 1 ns resolution */

struct summary {
	uint64_t count;
	uint64_t dropped;   /* lost before they reached the collector */
	uint32_t min, max;
	double mean, stddev; /* population stddev */
	uint32_t p50, p90, p99, p999, p9999, p99999;
};

struct stats;

struct stats *stats_new(void); /* NULL on ENOMEM */
void stats_free(struct stats *s);
/* Returns 0 or -ENOMEM. */
int stats_add(struct stats *s, const uint32_t *values, size_t n);
void stats_add_dropped(struct stats *s, uint64_t n);
uint64_t stats_count(const struct stats *s);
uint32_t stats_max(const struct stats *s); /* 0 when empty */

/* Exact quantile, p in [0, 1].  0 when empty. */
uint32_t stats_quantile(struct stats *s, double p);
void stats_summary(struct stats *s, struct summary *out);

/*
 * Exact histogram with bucket_ns wide buckets: bucket b counts values in
 * [b*bucket_ns, (b+1)*bucket_ns).  Sparse: only non-empty buckets.
 * Serialized as a blob of LEB128 varints: nbins, then per bin
 * (bucket delta from previous bucket, count).  *blob is malloc'd.
 * Returns 0 or -ENOMEM.
 */
int stats_histogram_blob(struct stats *s, uint32_t bucket_ns, uint8_t **blob,
			 size_t *len);

struct hist_bin {
	uint64_t bucket; /* index: value range [bucket*bucket_ns, ...) */
	uint64_t count;
};
/* Parse a histogram blob; *bins malloc'd.  -EINVAL on corrupt input. */
int stats_histogram_parse(const uint8_t *blob, size_t len,
			  struct hist_bin **bins, size_t *nbins);

#endif
