/*
 * stats.c - exact per-series statistics (see stats.h).
 *
 * Values below STATS_DIRECT_NS are counted in a direct table, one counter
 * per nanosecond (allocated on the first sample: 4 MiB of u32 counters,
 * mostly untouched zero pages; it is widened to u64 before any counter
 * could wrap).  Larger values are appended to an array and radix-sorted
 * when a quantile needs them.  Sums are kept in 128-bit integers, so mean
 * and stddev are exact up to the final division and do not depend on the
 * order samples arrive in.
 *
 * stats_add() works in blocks of BLOCK values: one vectorised pass for
 * min/max, one branch-free pass that counts and sums (a value above the
 * table lands in an extra last counter, and only a block where that
 * counter moved is scanned again to append the large values).
 */
#include "collectors/stats.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifndef __SIZEOF_INT128__
#error "stats.c needs unsigned __int128 (any 64-bit gcc or clang target)"
#endif

#define DIRECT STATS_DIRECT_NS
#define BLOCK 1024u

typedef uint32_t v4u32 __attribute__((vector_size(16)));
typedef unsigned __int128 u128;

struct stats {
	uint64_t count, dropped, ndirect;
	u128 sum, sumsq;
	uint32_t min, max;
	uint32_t *t32; /* DIRECT + 1 counters (the last is scratch), or NULL */
	uint64_t *t64; /* the same once widened */
	uint32_t *big; /* values >= DIRECT */
	size_t nbig, capbig;
	bool sorted;
};

struct stats *stats_new(void)
{
	struct stats *s = calloc(1, sizeof(*s));

	if (s)
		s->min = UINT32_MAX;
	return s;
}

void stats_free(struct stats *s)
{
	if (!s)
		return;
	free(s->t32);
	free(s->t64);
	free(s->big);
	free(s);
}

void stats_add_dropped(struct stats *s, uint64_t n)
{
	s->dropped += n;
}

uint64_t stats_count(const struct stats *s)
{
	return s->count;
}

uint32_t stats_max(const struct stats *s)
{
	return s->count ? s->max : 0;
}

/* Room for n more large values, so that adding them cannot fail. */
static int reserve_big(struct stats *s, size_t n)
{
	size_t cap = s->capbig ? s->capbig : 1024;
	uint32_t *p;

	if (s->nbig + n <= s->capbig)
		return 0;
	while (cap < s->nbig + n)
		cap *= 2;
	p = realloc(s->big, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	s->big = p;
	s->capbig = cap;
	return 0;
}

/* Switch to u64 counters: from now on a counter could pass 2^32 - 1. */
static int widen(struct stats *s)
{
	uint64_t *t = malloc((DIRECT + 1) * sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (uint32_t i = 0; i <= DIRECT; i++)
		t[i] = s->t32[i];
	free(s->t32);
	s->t32 = NULL;
	s->t64 = t;
	return 0;
}

static void min_max(const uint32_t *v, size_t n, uint32_t *mnp, uint32_t *mxp)
{
	v4u32 mn = { UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX };
	v4u32 mx = { 0, 0, 0, 0 }, x;
	uint32_t a = *mnp, b = *mxp;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		memcpy(&x, v + i, sizeof(x));
		v4u32 lt = (v4u32)(x < mn), gt = (v4u32)(x > mx);

		mn = (x & lt) | (mn & ~lt);
		mx = (x & gt) | (mx & ~gt);
	}
	for (int j = 0; j < 4; j++) {
		a = mn[j] < a ? mn[j] : a;
		b = mx[j] > b ? mx[j] : b;
	}
	for (; i < n; i++) {
		a = v[i] < a ? v[i] : a;
		b = v[i] > b ? v[i] : b;
	}
	*mnp = a;
	*mxp = b;
}

/*
 * Count and sum one block of at most BLOCK values.  With every value below
 * 2^26 the squares of a block fit u64 (1024 * 2^52), so the common case
 * needs no 128-bit arithmetic per value; with every value in the table the
 * counting needs no clamp.  Values >= DIRECT go to the scratch counter
 * DIRECT and are then appended (reserve_big() made the room).
 */
#define COUNT_LOOP(t, clamp, SQ)                                             \
	for (uint32_t i = 0; i < n; i++) {                                   \
		uint32_t x = v[i];                                           \
		sum += x;                                                    \
		SQ += (uint64_t)x * x;                                       \
		t[clamp && x >= DIRECT ? DIRECT : x]++;                      \
	}

static void add_block(struct stats *s, const uint32_t *v, uint32_t n,
		      uint32_t bmax)
{
	uint64_t sum = 0, sq = 0, big = 0;

	if (s->t32 && bmax < DIRECT) {
		uint32_t *t = s->t32;

		COUNT_LOOP(t, false, sq);
	} else if (s->t32 && bmax < (1u << 26)) {
		uint32_t *t = s->t32;

		COUNT_LOOP(t, true, sq);
		big = t[DIRECT];
		t[DIRECT] = 0;
	} else if (s->t32) {
		uint32_t *t = s->t32;

		COUNT_LOOP(t, true, s->sumsq);
		big = t[DIRECT];
		t[DIRECT] = 0;
	} else {
		uint64_t *t = s->t64;

		COUNT_LOOP(t, true, s->sumsq);
		big = t[DIRECT];
		t[DIRECT] = 0;
	}
	s->sumsq += sq;
	s->sum += sum;
	s->count += n;
	s->ndirect += n - big;
	for (uint32_t i = 0; big && i < n; i++)
		if (v[i] >= DIRECT) {
			s->big[s->nbig++] = v[i];
			s->sorted = false;
		}
}

int stats_add(struct stats *s, const uint32_t *values, size_t n)
{
	int rc;

	if (n == 0)
		return 0;
	if (!s->t32 && !s->t64) {
		s->t32 = calloc(DIRECT + 1, sizeof(*s->t32));
		if (!s->t32)
			return -ENOMEM;
	}
	/* a u32 counter holds at most the total count, and the scratch
	 * counter at most a block: widen before the total could wrap */
	if (s->t32 && s->count + n >= UINT32_MAX) {
		rc = widen(s);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < n; i += BLOCK) {
		uint32_t m = n - i < BLOCK ? (uint32_t)(n - i) : BLOCK;
		uint32_t bmin = UINT32_MAX, bmax = 0;

		min_max(values + i, m, &bmin, &bmax);
		if (bmax >= DIRECT) {
			rc = reserve_big(s, m);
			if (rc < 0)
				return rc; /* blocks before this one are in */
		}
		add_block(s, values + i, m, bmax);
		s->min = bmin < s->min ? bmin : s->min;
		s->max = bmax > s->max ? bmax : s->max;
	}
	return 0;
}

/* LSD radix sort, 11-bit digits; falls back to qsort without memory. */
static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void sort_big(struct stats *s)
{
	uint32_t *a = s->big, *tmp;
	size_t n = s->nbig;

	if (s->sorted || n < 2) {
		s->sorted = true;
		return;
	}
	tmp = n > 256 ? malloc(n * sizeof(*tmp)) : NULL;
	if (!tmp) {
		qsort(a, n, sizeof(*a), cmp_u32);
		s->sorted = true;
		return;
	}
	for (unsigned shift = 0; shift < 32; shift += 11) {
		size_t cnt[2048] = { 0 }, pos = 0;

		for (size_t i = 0; i < n; i++)
			cnt[(a[i] >> shift) & 2047]++;
		for (unsigned d = 0; d < 2048; d++) {
			size_t c = cnt[d];

			cnt[d] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[cnt[(a[i] >> shift) & 2047]++] = a[i];
		uint32_t *t = a;

		a = tmp;
		tmp = t;
	}
	/* three passes: the result is in the scratch buffer */
	free(s->big);
	s->big = a;
	s->capbig = n;
	s->sorted = true;
}

static inline uint64_t direct_at(const struct stats *s, uint32_t v)
{
	return s->t32 ? s->t32[v] : s->t64[v];
}

/* Rank (1-based, nearest-rank) of quantile p. */
static uint64_t rank_of(uint64_t count, double p)
{
	double r;

	if (!(p > 0)) /* also NaN */
		return 1;
	if (p >= 1)
		return count;
	r = ceil(p * (double)count);
	if (r < 1)
		return 1;
	return r >= (double)count ? count : (uint64_t)r;
}

/*
 * Values at ascending ranks r[0..k): one walk over the table from min,
 * then the sorted large values.
 */
static void values_at(struct stats *s, const uint64_t *r, uint32_t *out,
		      int k)
{
	uint64_t cum = 0;
	uint32_t v = s->min, top = s->max < DIRECT ? s->max : DIRECT - 1;
	int j = 0;

	while (j < k && r[j] <= s->ndirect) {
		/* skip 64-counter stretches that end below the rank */
		while (v + 64 <= top) {
			uint64_t c = 0;

			for (uint32_t i = 0; i < 64; i++)
				c += direct_at(s, v + i);
			if (cum + c >= r[j])
				break;
			cum += c;
			v += 64;
		}
		while (cum + direct_at(s, v) < r[j])
			cum += direct_at(s, v++);
		out[j++] = v;
	}
	if (j < k)
		sort_big(s);
	for (; j < k; j++)
		out[j] = s->big[r[j] - s->ndirect - 1];
}

uint32_t stats_quantile(struct stats *s, double p)
{
	uint64_t r;
	uint32_t v;

	if (!s->count)
		return 0;
	r = rank_of(s->count, p);
	values_at(s, &r, &v, 1);
	return v;
}

void stats_summary(struct stats *s, struct summary *out)
{
	static const double ps[6] = { 0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999 };
	uint64_t r[6];
	uint32_t q[6] = { 0 };

	memset(out, 0, sizeof(*out));
	out->count = s->count;
	out->dropped = s->dropped;
	if (!s->count)
		return;
	out->min = s->min;
	out->max = s->max;
	for (int i = 0; i < 6; i++)
		r[i] = rank_of(s->count, ps[i]);
	values_at(s, r, q, 6);
	out->p50 = q[0];
	out->p90 = q[1];
	out->p99 = q[2];
	out->p999 = q[3];
	out->p9999 = q[4];
	out->p99999 = q[5];
	/* n * var = sumsq - sum^2 / n, kept integral as far as it goes:
	 * sumsq - floor(sum^2 / n) >= 0 by Cauchy-Schwarz */
	{
		u128 sq = s->sum * s->sum, qt = sq / s->count;
		long double rem = (long double)(uint64_t)(sq % s->count);
		long double n = (long double)s->count;
		long double var = ((long double)(s->sumsq - qt) - rem / n) / n;

		out->mean = (double)((long double)s->sum / n);
		out->stddev = var > 0 ? (double)sqrtl(var) : 0.0;
	}
}

/* --- histogram blob ------------------------------------------------------ */

struct buf {
	uint8_t *p;
	size_t len, cap;
	uint64_t nbins, last;
	bool failed;
};

static void put_varint(struct buf *b, uint64_t x)
{
	if (b->len + 10 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		uint8_t *p = realloc(b->p, cap);

		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	while (x >= 0x80) {
		b->p[b->len++] = (uint8_t)(x | 0x80);
		x >>= 7;
	}
	b->p[b->len++] = (uint8_t)x;
}

/* Bins arrive in increasing bucket order, each once (merged by caller). */
static void put_bin(struct buf *b, uint64_t bucket, uint64_t count)
{
	put_varint(b, bucket - b->last);
	put_varint(b, count);
	b->last = bucket;
	b->nbins++;
}

int stats_histogram_blob(struct stats *s, uint32_t bucket_ns, uint8_t **blob,
			 size_t *len)
{
	struct buf b = { 0 };
	uint64_t cur = 0, cnt = 0, top;
	uint8_t head[10];
	size_t hl = 0;

	if (bucket_ns == 0)
		return -EINVAL;
	if (s->count) {
		top = s->max < DIRECT ? s->max : DIRECT - 1;
		for (uint64_t v = s->min; v <= top; v++) {
			uint64_t c = v < DIRECT ? direct_at(s, (uint32_t)v) : 0;

			if (!c)
				continue;
			if (cnt && v / bucket_ns != cur) {
				put_bin(&b, cur, cnt);
				cnt = 0;
			}
			cur = v / bucket_ns;
			cnt += c;
		}
		sort_big(s);
		for (size_t i = 0; i < s->nbig; i++) {
			if (cnt && s->big[i] / bucket_ns != cur) {
				put_bin(&b, cur, cnt);
				cnt = 0;
			}
			cur = s->big[i] / bucket_ns;
			cnt++;
		}
		if (cnt)
			put_bin(&b, cur, cnt);
	}
	if (b.failed) {
		free(b.p);
		return -ENOMEM;
	}
	/* the bin count goes first */
	for (uint64_t x = b.nbins;; x >>= 7) {
		head[hl++] = (uint8_t)(x >= 0x80 ? x | 0x80 : x);
		if (x < 0x80)
			break;
	}
	*blob = malloc(hl + b.len);
	if (!*blob) {
		free(b.p);
		return -ENOMEM;
	}
	memcpy(*blob, head, hl);
	if (b.len)
		memcpy(*blob + hl, b.p, b.len);
	free(b.p);
	*len = hl + b.len;
	return 0;
}

/* Canonical LEB128 u64: at most 10 bytes, no overlong form. */
static int get_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *x)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 10; i++) {
		uint8_t c;

		if (*off >= len)
			return -EINVAL;
		c = p[(*off)++];
		if (i == 9 && c > 1)
			return -EINVAL;
		v |= (uint64_t)(c & 0x7f) << (7 * i);
		if (!(c & 0x80)) {
			if (c == 0 && i > 0)
				return -EINVAL;
			*x = v;
			return 0;
		}
	}
	return -EINVAL;
}

int stats_histogram_parse(const uint8_t *blob, size_t len,
			  struct hist_bin **bins, size_t *nbins)
{
	uint64_t n, bucket = 0, delta, count;
	size_t off = 0;
	struct hist_bin *h;

	*bins = NULL;
	*nbins = 0;
	if (!blob || get_varint(blob, len, &off, &n) < 0 ||
	    n > (len - off) / 2) /* a bin takes at least two bytes */
		return -EINVAL;
	if (n == 0)
		return off == len ? 0 : -EINVAL;
	h = malloc((size_t)n * sizeof(*h));
	if (!h)
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++) {
		if (get_varint(blob, len, &off, &delta) < 0 ||
		    get_varint(blob, len, &off, &count) < 0 ||
		    (i > 0 && delta == 0) || count == 0 ||
		    delta > UINT64_MAX - bucket) {
			free(h);
			return -EINVAL;
		}
		bucket += delta;
		h[i].bucket = bucket;
		h[i].count = count;
	}
	if (off != len) {
		free(h);
		return -EINVAL;
	}
	*bins = h;
	*nbins = (size_t)n;
	return 0;
}
