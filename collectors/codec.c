/*
 * codec.c - the sample chunk codec, blob format "RANS1" (see codec.h).
 *
 * A chunk of n u32 values v[0..n) (1 <= n <= 65536) is coded as
 *   d[i] = (v[i] - base) / scale      base = min(v), scale = gcd(v[i] - base)
 * so that ns data and µs-resolution data (multiples of 1000) cost the same.
 * Each d is split into a token and raw low bits, log-linear like an HDR
 * histogram bucket, with per-chunk parameters k and m (m <= k <= 8):
 *   d <  2^k   token d, no raw bits
 *   d >= 2^k   e = floor(log2 d), token 2^k + (e - k) * 2^m + mantissa,
 *              mantissa = the m bits below the leading one, raw bits =
 *              the e - m bits below those
 * Tokens go through a static rANS coder; raw bits are stored as they are.
 * The encoder picks (k, m) for the least estimated size and falls back to
 * plain bit packing when that is smaller.
 *
 * Blob layout, all integers little-endian:
 *
 *   off size  field
 *   0   4     magic "RANS"
 *   4   1     version, 1
 *   5   1     mode: 1 = packed, 2 = rans
 *   6   1     packed: w, bits per value (0..32); rans: k (0..8)
 *   7   1     packed: 0;                       rans: m (0..k, k != m + 1,
 *             which would code like k = m)
 *   8   4     n (1..65536)
 *   12  4     base
 *   16  4     scale (>= 1)
 *   20  4     check: hash of the n values (chunk_check() below): lanes
 *             h0..h3 = 1..4, h[j] = (h[j] ^ (v[8i+2j] | v[8i+2j+1] << 32))
 *             * 0x9e3779b97f4a7c15 for each whole 8 values, the rest
 *             folded into h0 one value at a time; then h = M(M(M(M(h0) ^
 *             h1) ^ h2) ^ h3 ^ n), M the murmur3 64-bit finaliser, and
 *             check = low 32 bits of h ^ (h >> 32)
 *
 *   mode packed, 24 + ceil(n * w / 8) bytes in all:
 *   24  ...   d[0..n) as w-bit fields, LSB-first (d[0] in bits 0..w-1,
 *             byte 0 holding its lowest 8 bits), unused bits 0; w = 0:
 *             all values are base, and scale is 1
 *
 *   mode rans:
 *   24  1     S, probability scale bits: 12 (frequencies sum to 2^S)
 *   25  1     0 (reserved)
 *   26  2     nsym (1..2048, and <= 2^k + (32 - k) * 2^m): tokens in table
 *   28  4     raw_bits, total raw bits (<= 31 * n)
 *   32  4     rans_bytes (>= 32)
 *   36  ...   frequency table: for t = 0, 1, ... nsym-1 a LEB128 varint
 *             f[t] (<= 2^S, at most 3 bytes); when f[t] is 0 another
 *             varint r follows, and tokens t..t+r are all 0 (t += r + 1)
 *   then      raw bits, ceil(raw_bits / 8) bytes: the raw bits of d[n-1],
 *             d[n-2], ... d[0] appended LSB-first in that order, so that
 *             d[0]'s are the top ones, [raw_bits - nb, raw_bits)
 *   then      rANS stream, rans_bytes: four u64 states x0..x3, then u32
 *             words in the order the decoder reads them.  The blob ends
 *             exactly there.  (The encoder keeps raw bits <= 28 a value
 *             and nsym <= 2048; the decoder takes any valid nb <= 31.)
 *
 * rANS: four interleaved 64-bit states in [2^31, 2^63), token i on state
 * i % 4, renormalised 32 bits at a time (one compare, no loop, in both
 * directions; a byte-wise 32-bit state needs up to two steps and twice the
 * instructions).  cum[t] = sum of f below t; slot s = x mod 2^S picks the
 * token t with cum[t] <= s < cum[t] + f[t]; x = f[t] * (x >> S) + s -
 * cum[t]; then if x < 2^31, x = x << 32 | next word.  The encoder starts
 * every state at 2^31 and codes tokens from n-1 down to 0, so after the
 * last token every state is 2^31 again and the stream is used up.
 *
 * Integrity: decode checks every field and length, the end state of the
 * rANS coder and of the raw bits, and the 32-bit hash of its output.  A
 * truncated or altered blob therefore yields -EINVAL, short of a 2^-32
 * chance that a change decodes to n values with the same hash.
 *
 * Stack: about 90 KiB to encode, 35 KiB to decode; no heap.  The only
 * static is a cached CPUID answer (see FAST_ISA).
 */
#include "collectors/codec.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#if defined(__x86_64__) && !defined(CODEC_PLAIN_ONLY)
#include <cpuid.h>
#endif

#ifndef __SIZEOF_INT128__
#error "codec.c needs unsigned __int128 (any 64-bit gcc or clang target)"
#endif

#define HDR 24u
#define RANS_HDR 36u
#define MODE_PACKED 1u
#define MODE_RANS 2u
#define VERSION 1u
#define MAX_K 8u
#define FINE_BINS 6400u /* tokens of (k, m) = (8, 8): 256 + 24 * 256 */
#define MAX_TOK 2048u
#define MAX_S 12u
#define MAX_RAW 28u /* raw bits of a value, so that two fit one flush */
#define RANS_L (1ull << 31)
#define LANES 4u

static inline uint32_t ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? __builtin_bswap32(v)
						      : v;
}

static inline uint64_t ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? __builtin_bswap64(v)
						      : v;
}

static inline void st32(uint8_t *p, uint32_t v)
{
	if (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
		v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
}

static inline void st64(uint8_t *p, uint64_t v)
{
	if (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
		v = __builtin_bswap64(v);
	memcpy(p, &v, 8);
}

static inline uint32_t log2u(uint32_t x) /* floor(log2(x | 1)) */
{
	return (uint32_t)__builtin_clz(x | 1u) ^ 31u; /* one bsr on x86 */
}

/*
 * The hot loops are compiled twice on x86-64: plain, and for BMI2 + LZCNT
 * (shifts without the cl register, lzcnt instead of the slower bsr), which
 * is about 20% faster; fast_isa() picks one from CPUID.  The cached answer
 * is the only static state, and it is a fact about the CPU.  Building with
 * -DCODEC_PLAIN_ONLY leaves the plain one only (to test it on any CPU).
 */
#if defined(__x86_64__) && !defined(CODEC_PLAIN_ONLY)
#define HAVE_FAST_ISA 1
#define FAST_ISA __attribute__((target("bmi,bmi2,lzcnt")))
static bool fast_isa(void)
{
	static _Atomic int known; /* 0: not asked yet, 1: no, 2: yes */
	int k = atomic_load_explicit(&known, memory_order_relaxed);
	unsigned a, b, c, d;

	if (k == 0) {
		k = __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
				    (b & bit_BMI) && (b & bit_BMI2) &&
				    __get_cpuid(0x80000001, &a, &b, &c, &d) &&
				    (c & bit_LZCNT)
			    ? 2
			    : 1;
		atomic_store_explicit(&known, k, memory_order_relaxed);
	}
	return k == 2;
}
#else
#define HAVE_FAST_ISA 0
#define FAST_ISA
static bool fast_isa(void)
{
	return false;
}
#endif

/* The two builds of a hot loop, and the call that picks one. */
#define ISA_VARIANTS(name, params, call)                                      \
	static FAST_ISA bool name##_fast params { return call; }               \
	static bool name##_plain params { return call; }
#define ISA_CALL(name)                                                        \
	(HAVE_FAST_ISA && fast_isa() ? name##_fast : name##_plain)

size_t codec_bound(uint32_t n)
{
	/* packed at 32 bits/value plus header and the bit writer's 8-byte
	 * overrun; rANS is only kept when it is smaller than packed. */
	return 4u * (size_t)n + 64u;
}

/*
 * Hash of the values, stored in the header and checked after decoding.
 * Each lane step h = (h ^ x) * odd is a bijection in h and in x, so one
 * changed word always changes its lane; the final mix folds all lanes.
 */
static inline uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static uint32_t chunk_check(const uint32_t *v, uint32_t n)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t h0 = 1, h1 = 2, h2 = 3, h3 = 4;
	uint32_t i = 0;

	/* pairs of values as u64, spelled out so that the hash does not
	 * depend on the byte order (one load each on little-endian) */
	for (; i + 8 <= n; i += 8) {
		h0 = (h0 ^ (v[i] | (uint64_t)v[i + 1] << 32)) * k;
		h1 = (h1 ^ (v[i + 2] | (uint64_t)v[i + 3] << 32)) * k;
		h2 = (h2 ^ (v[i + 4] | (uint64_t)v[i + 5] << 32)) * k;
		h3 = (h3 ^ (v[i + 6] | (uint64_t)v[i + 7] << 32)) * k;
	}
	for (; i < n; i++)
		h0 = (h0 ^ v[i]) * k;
	h0 = mix64(mix64(mix64(mix64(h0) ^ h1) ^ h2) ^ h3 ^ n);
	return (uint32_t)(h0 ^ (h0 >> 32));
}

/* --- base and scale ------------------------------------------------------ */

static uint32_t gcd32(uint32_t a, uint32_t b)
{
	unsigned sh;

	if (a == 0 || b == 0)
		return a | b;
	sh = (unsigned)__builtin_ctz(a | b);
	a >>= __builtin_ctz(a);
	do {
		b >>= __builtin_ctz(b);
		if (a > b) {
			uint32_t t = a;

			a = b;
			b = t;
		}
		b -= a;
	} while (b);
	return a << sh;
}

/* Exact division by scale = odd << shift: (d >> shift) * odd^-1 mod 2^32. */
struct divider {
	uint32_t shift, inv;
};

static struct divider divider_of(uint32_t g)
{
	struct divider dv = { (uint32_t)__builtin_ctz(g), 0 };
	uint32_t a = g >> dv.shift, x = (3u * a) ^ 2u; /* a^-1 to 5 bits */

	for (int i = 0; i < 3; i++) /* Newton: 10, 20, 40 bits */
		x *= 2u - a * x;
	dv.inv = x;
	return dv;
}

/*
 * gcd of v[i] - base over the chunk, 0 if all are equal.  ns data reaches
 * 1 within a few values; µs data passes the multiply-rotate divisibility
 * test (Hacker's Delight 10-17) value after value, with no division.
 */
typedef uint32_t v4u32 __attribute__((vector_size(16)));

static uint32_t chunk_scale(const uint32_t *v, uint32_t n, uint32_t base)
{
	uint32_t g = 0, i = 0;

	while (i < n && g == 0)
		g = v[i++] - base;
	while (i < n && g != 1) {
		struct divider dv = divider_of(g);
		uint32_t lim = UINT32_MAX / g, end = i + 256 < n ? i + 256 : n;
		uint32_t j = i, bad = 0, r = dv.shift ? 32 - dv.shift : 0;
		v4u32 bad4 = { 0, 0, 0, 0 }, t;

		/* vector extensions (gcc, clang): four lanes at a time */
		for (; j + 4 <= end; j += 4) {
			memcpy(&t, v + j, sizeof(t));
			t = (t - base) * dv.inv;
			t = (t >> dv.shift) | (t << r);
			bad4 |= (v4u32)(t > lim);
		}
		bad = bad4[0] | bad4[1] | bad4[2] | bad4[3];
		for (; j < end; j++) {
			uint32_t x = (v[j] - base) * dv.inv;

			bad |= ((x >> dv.shift) | (x << r)) > lim;
		}
		for (j = i; bad && j < end && g != 1; j++)
			g = gcd32(g, v[j] - base);
		i = end;
	}
	return g;
}

/* --- tokens ------------------------------------------------------------ */

/*
 * Tokenizer for (k, m) as two tables over the octave e = floor(log2 d):
 * token = (d >> sh[e]) + add[e], sh[e] raw bits.  Below 2^k both are 0,
 * so the token is d; above, d >> (e - m) is the leading one and m mantissa
 * bits, and add[e] = 2^k + (e - k - 1) * 2^m puts it in place.
 */
struct tokp {
	uint8_t sh[32];
	uint16_t add[32];
};

static void tokp_init(struct tokp *p, uint32_t k, uint32_t m)
{
	for (uint32_t e = 0; e < 32; e++) {
		p->sh[e] = (uint8_t)(e < k ? 0 : e - m);
		p->add[e] = (uint16_t)(e < k ? 0
					     : (1u << k) + ((e - k) << m) -
						       (1u << m));
	}
}

static inline uint32_t tok_of(uint32_t d, const struct tokp *p)
{
	uint32_t e = log2u(d);

	return (d >> p->sh[e]) + p->add[e];
}

/* Number of tokens up to the one of d <= 2^(emax+1)-1. */
static uint32_t nsym_of(uint32_t k, uint32_t m, uint32_t emax)
{
	return emax < k ? 1u << (emax + 1) : (1u << k) + ((emax - k + 1) << m);
}

/* c * log2(c), to about 1e-3: enough to rank parameter choices. */
static inline float clog2c(uint32_t c)
{
	float f = (float)c, x;
	uint32_t b;

	memcpy(&b, &f, 4);
	int e = (int)(b >> 23) - 127;
	b = (b & 0x7fffffu) | 0x3f800000u;
	memcpy(&x, &b, 4);
	x = -2.1338866f + x * (3.0108510f + x * (-1.0295584f + x * 0.15392465f));
	return f * ((float)e + x);
}

/*
 * Pick (k, m) with the least estimated size: entropy of the tokens + raw
 * bits + table bytes.  cost[m][e] is what octave e (d in [2^e, 2^e+1))
 * costs with m mantissa bits; the exact range d < 2^k costs cost[e][e] for
 * e < k.  Coarser mantissas come from pairwise merging of the fine bins.
 */
static float choose_params(const uint32_t *fine, uint32_t n, uint32_t emax,
			   uint32_t s, uint32_t *bk, uint32_t *bm)
{
	float cost[MAX_K + 1][32], best = 0;
	uint32_t cur[256];
	/* a frequency >= 128 (count >= n * 128 / 2^s) takes 2 bytes */
	uint64_t big = ((uint64_t)n * 128u) >> s;
	bool found = false;

	for (uint32_t e = 0; e <= emax; e++) {
		uint32_t lo = e < 8 ? 1u << e : (e - 7) << 8;
		uint32_t nbin = e < 8 ? 1u << e : 256u, total = 0;

		for (uint32_t j = 0; j < nbin; j++)
			total += cur[j] = fine[lo + j];
		for (int m = (int)(e < 8 ? e : 8); m >= 0; m--) {
			uint32_t nb = 1u << m;
			float c = 0;
			bool prev = true;

			for (uint32_t j = 0; total && j < nb; j++) {
				uint32_t x = cur[j];

				if (x)
					c += (x > big ? 16.f : 8.f) -
					     clog2c(x) + (prev ? 0.f : 16.f);
				prev = x != 0;
			}
			if (total)
				c += (float)total * (float)(e - (uint32_t)m) +
				     16.f;
			cost[m][e] = c;
			for (uint32_t j = 0; j < nb / 2; j++)
				cur[j] = cur[2 * j] + cur[2 * j + 1];
		}
	}
	for (uint32_t k = 0; k <= MAX_K; k++) {
		float exact = 0;

		for (uint32_t e = 0; e < k && e <= emax; e++)
			exact += cost[e][e];
		for (uint32_t m = 0; m <= k; m++) {
			float c = exact;

			/* (m + 1, m) codes exactly like (m, m): not used,
			 * so that each chunk has one blob */
			if (k == m + 1 || nsym_of(k, m, emax) > MAX_TOK ||
			    (emax >= k && emax - m > MAX_RAW))
				continue;
			for (uint32_t e = k; e <= emax; e++)
				c += cost[m][e];
			if (!found || c < best) {
				found = true;
				best = c;
				*bk = k;
				*bm = m;
			}
		}
	}
	/* in bits: token 0 (d = 0) and the n log2 n of the entropy were
	 * left out above, being the same for every choice */
	return best + (float)n * (float)log2u(n) - clog2c(fine[0] ? fine[0] : 1);
}

/*
 * Scale counts (sum n) to frequencies summing to 2^s, every used token at
 * least 1: round to nearest, then move the difference one unit at a time,
 * first onto tokens that were rounded the other way.
 */
static void normalize(const uint32_t *cnt, uint32_t nsym, uint32_t n,
		      uint32_t s, uint32_t *f)
{
	int64_t diff = (int64_t)1 << s;

	for (uint32_t t = 0; t < nsym; t++) {
		uint64_t q = ((uint64_t)cnt[t] << (s + 1)) / n;

		f[t] = cnt[t] ? (uint32_t)((q + 1) / 2) : 0;
		if (cnt[t] && f[t] == 0)
			f[t] = 1;
		diff -= f[t];
	}
	/* ends: diff > 0 grows every used token in a pass; diff < 0 means
	 * sum > 2^s >= used tokens, so some f[t] > 1 is left to shrink */
	for (int pass = 0; diff != 0; pass++) {
		for (uint32_t t = 0; t < nsym && diff != 0; t++) {
			uint64_t have = (uint64_t)f[t] * n;
			uint64_t want = (uint64_t)cnt[t] << s;

			if (!cnt[t])
				continue;
			if (diff > 0 && (pass > 0 || have < want)) {
				f[t]++;
				diff--;
			} else if (diff < 0 && f[t] > 1 &&
				   (pass > 0 || have > want)) {
				f[t]--;
				diff++;
			}
		}
	}
}

/* --- encoder ------------------------------------------------------------- */

static void put_hdr(uint8_t *out, uint32_t mode, uint32_t a, uint32_t b,
		    uint32_t n, uint32_t base, uint32_t scale, uint32_t check)
{
	memcpy(out, "RANS", 4);
	out[4] = VERSION;
	out[5] = (uint8_t)mode;
	out[6] = (uint8_t)a;
	out[7] = (uint8_t)b;
	st32(out + 8, n);
	st32(out + 12, base);
	st32(out + 16, scale);
	st32(out + 20, check);
}

static size_t packed_size(uint32_t n, uint32_t w)
{
	return HDR + ((size_t)n * w + 7) / 8;
}

/* Append nb (<= 56) bits LSB-first: 8 bytes are always stored (the caller
 * leaves room), the pointer moves by the whole bytes done. */
static inline __attribute__((always_inline)) void
put_bits(uint64_t *acc, uint32_t *cnt, uint8_t **wp, uint64_t bits,
	 uint32_t nb)
{
	*acc |= bits << *cnt;
	*cnt += nb;
	st64(*wp, *acc);
	*wp += *cnt >> 3;
	*acc >>= *cnt & ~7u;
	*cnt &= 7;
}

static ssize_t encode_packed(const uint32_t *v, uint32_t n, uint32_t base,
			     uint32_t g, uint32_t w, uint32_t check,
			     uint8_t *out)
{
	struct divider dv = divider_of(g);
	uint8_t *p = out + HDR;
	uint64_t acc = 0;
	uint32_t cnt = 0;

	put_hdr(out, MODE_PACKED, w, 0, n, base, g, check);
	for (uint32_t i = 0; w && i < n; i++) /* room: see codec_bound() */
		put_bits(&acc, &cnt, &p, ((v[i] - base) >> dv.shift) * dv.inv,
			 w);
	if (cnt)
		st64(p, acc);
	return (ssize_t)packed_size(n, w);
}

/* Per-token encoder constants: x / f through a reciprocal. */
struct esym {
	uint64_t rcp, xmax;
	uint32_t bias;
	uint16_t cmpl;
	uint8_t rshift;
};

static void esym_init(struct esym *es, uint32_t start, uint32_t f, uint32_t s)
{
	es->xmax = (uint64_t)f << (63 - s); /* ((L >> s) << 32) * f */
	es->cmpl = (uint16_t)((1u << s) - f);
	if (f < 2) {
		/* q = x - 1 through rcp = 2^64 - 1; the bias adds the
		 * missing 2^s - 1 so that x' = x * 2^s + start */
		es->rcp = UINT64_MAX;
		es->rshift = 0;
		es->bias = start + (1u << s) - 1;
	} else {
		/* floor(x / f) = (x * ceil(2^(63+l) / f)) >> (63 + l),
		 * l = ceil(log2 f), exact for x < 2^63 */
		uint32_t l = 32u - (uint32_t)__builtin_clz(f - 1);

		es->rcp = (uint64_t)((((unsigned __int128)1 << (63 + l)) + f -
				      1) / f);
		es->rshift = (uint8_t)(l - 1);
		es->bias = start;
	}
}

/*
 * Push a token: renormalise if x >= f * 2^(63-s), so that x' < 2^63; then
 * x' = (x / f) * 2^s + x % f + start = x + bias + q * (2^s - f), q = x / f.
 * The word is always stored and the pointer moves only when it is kept.
 */
static inline __attribute__((always_inline)) uint64_t
rans_put(uint64_t x, uint8_t **pp, const struct esym *es)
{
	uint32_t out = x >= es->xmax;
	uint64_t q;

	st32(*pp - 4, (uint32_t)x);
	*pp -= 4 * out;
	x = out ? x >> 32 : x;
	q = (uint64_t)(((unsigned __int128)x * es->rcp) >> 64) >> es->rshift;
	return x + es->bias + q * es->cmpl;
}

struct encoder {
	const uint32_t *v;
	uint32_t n, base;
	struct divider dv;
	struct tokp tp;
	union { /* the histogram is done with before es is filled */
		uint16_t sub[LANES][FINE_BINS];
		struct esym es[MAX_TOK];
	} u;
};

/* Token of v, its raw bits in *raw and their number in *nb. */
static inline __attribute__((always_inline)) uint32_t
enc_tok(const struct encoder *e, uint32_t v, uint32_t *raw, uint32_t *nb,
	const bool scaled)
{
	uint32_t d = v - e->base, x, hi;

	if (scaled)
		d = (d >> e->dv.shift) * e->dv.inv;
	x = log2u(d);
	*nb = e->tp.sh[x];
	hi = d >> *nb;
	*raw = d ^ (hi << *nb);
	return hi + e->tp.add[x];
}

/*
 * Code values n-1 down to 0: raw bits grow up from *rawp, rANS words down
 * from *rp; the gap check keeps each writer's scratch bytes off the other
 * and returns false where they would meet.  Raw bits go out two values at
 * a time (<= 56 bits + 7 pending).  scaled is a constant at each call.
 */
static inline __attribute__((always_inline)) bool
encode_values(const struct encoder *e, uint8_t **rawp, uint8_t **rp,
	      uint64_t xs[LANES], const bool scaled)
{
	const struct esym *es = e->u.es;
	uint64_t x0 = xs[0], x1 = xs[1], x2 = xs[2], x3 = xs[3], acc = 0;
	uint32_t i = e->n, cnt = 0, ra, rb, na, nb, ta, tb;
	uint8_t *wp = *rawp, *p = *rp;

	for (; i % LANES; i--) { /* the last n % 4 values, one by one */
		if (p - wp < 64)
			return false;
		ta = enc_tok(e, e->v[i - 1], &ra, &na, scaled);
		put_bits(&acc, &cnt, &wp, ra, na);
		if ((i - 1) % LANES == 2)
			x2 = rans_put(x2, &p, &es[ta]);
		else if ((i - 1) % LANES == 1)
			x1 = rans_put(x1, &p, &es[ta]);
		else
			x0 = rans_put(x0, &p, &es[ta]);
	}
	for (; i; i -= 4) {
		if (p - wp < 64)
			return false;
		ta = enc_tok(e, e->v[i - 1], &ra, &na, scaled);
		tb = enc_tok(e, e->v[i - 2], &rb, &nb, scaled);
		put_bits(&acc, &cnt, &wp, (uint64_t)rb << na | ra, na + nb);
		x3 = rans_put(x3, &p, &es[ta]);
		x2 = rans_put(x2, &p, &es[tb]);
		ta = enc_tok(e, e->v[i - 3], &ra, &na, scaled);
		tb = enc_tok(e, e->v[i - 4], &rb, &nb, scaled);
		put_bits(&acc, &cnt, &wp, (uint64_t)rb << na | ra, na + nb);
		x1 = rans_put(x1, &p, &es[ta]);
		x0 = rans_put(x0, &p, &es[tb]);
	}
	if (cnt)
		st64(wp++, acc);
	xs[0] = x0;
	xs[1] = x1;
	xs[2] = x2;
	xs[3] = x3;
	*rawp = wp;
	*rp = p;
	return true;
}

static inline __attribute__((always_inline)) bool scaled(
	const struct divider *dv)
{
	return dv->shift || dv->inv != 1;
}

ISA_VARIANTS(encode_all,
	     (const struct encoder *e, uint8_t **rawp, uint8_t **rp,
	      uint64_t *xs),
	     scaled(&e->dv) ? encode_values(e, rawp, rp, xs, true)
			    : encode_values(e, rawp, rp, xs, false))

/* rANS attempt: its size, or 0 where it does not fit in limit bytes. */
static size_t encode_rans(struct encoder *e, uint32_t *fine, uint32_t maxd,
			  uint32_t g, uint32_t check, uint8_t *out,
			  size_t limit, size_t psize)
{
	uint32_t cnt[MAX_TOK], *freq = fine; /* fine is done with by then */
	uint32_t n = e->n, k = 0, m = 0, s = 0, nsym, start = 0;
	uint32_t nfine = tok_of(maxd, &e->tp) + 1; /* e->tp is (8, 8) */
	uint64_t raw_bits = 0, x[LANES] = { RANS_L, RANS_L, RANS_L, RANS_L };
	uint8_t *q = out + RANS_HDR, *p = out + limit, *raw_end;
	bool ok;

	s = MAX_S; /* fixed, so the decoder's shifts are constants */
	if (choose_params(fine, n, log2u(maxd), s, &k, &m) / 8 > (float)psize)
		return 0; /* packed will be smaller: save the time */
	tokp_init(&e->tp, k, m);
	nsym = tok_of(maxd, &e->tp) + 1;
	memset(cnt, 0, nsym * sizeof(*cnt));
	for (uint32_t b = 0; b < nfine; b++) {
		/* the smallest d of fine bin b; coarse tokens never split a
		 * fine bin */
		uint32_t d = b < 256 ? b : ((b & 255) | 256) << ((b >> 8) - 1);
		uint32_t e8 = log2u(d);

		cnt[tok_of(d, &e->tp)] += fine[b];
		raw_bits += (uint64_t)fine[b] * e->tp.sh[e8];
	}
	normalize(cnt, nsym, n, s, freq);
	if (RANS_HDR + 3u * (size_t)nsym + 64 > limit)
		return 0;
	put_hdr(out, MODE_RANS, k, m, n, e->base, g, check);
	out[24] = (uint8_t)s;
	out[25] = 0;
	out[26] = (uint8_t)nsym;
	out[27] = (uint8_t)(nsym >> 8);
	st32(out + 28, (uint32_t)raw_bits);
	for (uint32_t t = 0; t < nsym;) {
		uint32_t x7 = freq[t], r = 0;

		do {
			*q++ = (uint8_t)(x7 | (x7 >= 0x80 ? 0x80 : 0));
			x7 >>= 7;
		} while (x7);
		if (freq[t]) {
			esym_init(&e->u.es[t], start, freq[t], s);
			start += freq[t++];
			continue;
		}
		while (t + r + 1 < nsym && !freq[t + r + 1])
			r++;
		for (x7 = r; x7 >= 0x80; x7 >>= 7)
			*q++ = (uint8_t)(x7 | 0x80);
		*q++ = (uint8_t)x7;
		t += r + 1;
	}
	raw_end = q;
	ok = ISA_CALL(encode_all)(e, &raw_end, &p, x);
	if (!ok || (uint64_t)(raw_end - q) != (raw_bits + 7) / 8)
		return 0;
	for (int j = LANES - 1; j >= 0; j--) {
		p -= 8;
		st64(p, x[j]);
	}
	st32(out + 32, (uint32_t)(out + limit - p));
	memmove(raw_end, p, (size_t)(out + limit - p));
	return (size_t)(raw_end - out) + (size_t)(out + limit - p);
}

/* min and max, four lanes wide (vector extensions: gcc and clang). */
static void min_max(const uint32_t *v, uint32_t n, uint32_t *mnp,
		    uint32_t *mxp)
{
	v4u32 mn = { UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX };
	v4u32 mx = { 0, 0, 0, 0 }, x;
	uint32_t i = 0, a = UINT32_MAX, b = 0;

	for (; i + 4 <= n; i += 4) {
		memcpy(&x, v + i, sizeof(x));
		v4u32 lt = (v4u32)(x < mn), gt = (v4u32)(x > mx);

		mn = (x & lt) | (mn & ~lt);
		mx = (x & gt) | (mx & ~gt);
	}
	for (uint32_t j = 0; j < 4; j++) {
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
 * Counts of the (8, 8) tokens, in four u16 tables so that a run of one bin
 * does not wait on its own stores; each table sees at most n / 4 + 3.
 */
static inline __attribute__((always_inline)) bool
fine_count(struct encoder *e, const bool scaled)
{
	uint16_t(*sub)[FINE_BINS] = e->u.sub;
	uint32_t i = 0, n = e->n, r, nb;

	for (; i + 4 <= n; i += 4) {
		sub[0][enc_tok(e, e->v[i], &r, &nb, scaled)]++;
		sub[1][enc_tok(e, e->v[i + 1], &r, &nb, scaled)]++;
		sub[2][enc_tok(e, e->v[i + 2], &r, &nb, scaled)]++;
		sub[3][enc_tok(e, e->v[i + 3], &r, &nb, scaled)]++;
	}
	for (; i < n; i++)
		sub[0][enc_tok(e, e->v[i], &r, &nb, scaled)]++;
	return true;
}

ISA_VARIANTS(count_all, (struct encoder *e),
	     scaled(&e->dv) ? fine_count(e, true) : fine_count(e, false))

ssize_t codec_encode(const uint32_t *values, uint32_t n, uint8_t *out,
		     size_t cap)
{
	uint32_t mn, mx, g, maxd, w, check;
	size_t psize;

	if (!values || !out || n == 0 || n > CODEC_CHUNK_SAMPLES)
		return -EINVAL;
	if (cap < codec_bound(n))
		return -ENOSPC;
	min_max(values, n, &mn, &mx);
	check = chunk_check(values, n);
	g = chunk_scale(values, n, mn);
	g = g ? g : 1; /* all equal: w = 0 */
	maxd = (mx - mn) / g;
	w = maxd ? log2u(maxd) + 1 : 0;
	psize = packed_size(n, w);
	if (w > 0 && n >= 16) {
		struct encoder e;
		uint32_t fine[FINE_BINS], emax = log2u(maxd), nfine;
		size_t r;

		e.v = values;
		e.n = n;
		e.base = mn;
		e.dv = divider_of(g);
		tokp_init(&e.tp, 8, 8);
		/* whole octaves: choose_params() reads up to the top one */
		nfine = emax < 8 ? 2u << emax : (emax - 6) << 8;
		for (uint32_t j = 0; j < LANES; j++)
			memset(e.u.sub[j], 0, nfine * sizeof(uint16_t));
		ISA_CALL(count_all)(&e);
		for (uint32_t b = 0; b < nfine; b++)
			fine[b] = (uint32_t)e.u.sub[0][b] + e.u.sub[1][b] +
				  e.u.sub[2][b] + e.u.sub[3][b];
		r = encode_rans(&e, fine, maxd, g, check, out, codec_bound(n),
				psize);
		if (r && r < psize)
			return (ssize_t)r;
	}
	return encode_packed(values, n, mn, g, w, check, out);
}

/* --- decoder ------------------------------------------------------------- */

struct hdr {
	uint32_t mode, a, b, n, base, scale, check;
};

static int get_hdr(const uint8_t *blob, size_t len, struct hdr *h)
{
	if (!blob || len < HDR || memcmp(blob, "RANS", 4) != 0 ||
	    blob[4] != VERSION)
		return -EINVAL;
	h->mode = blob[5];
	h->a = blob[6];
	h->b = blob[7];
	h->n = ld32(blob + 8);
	h->base = ld32(blob + 12);
	h->scale = ld32(blob + 16);
	h->check = ld32(blob + 20);
	if ((h->mode != MODE_PACKED && h->mode != MODE_RANS) || h->n == 0 ||
	    h->n > CODEC_CHUNK_SAMPLES || h->scale == 0)
		return -EINVAL;
	return 0;
}

ssize_t codec_count(const uint8_t *blob, size_t len)
{
	struct hdr h;

	return get_hdr(blob, len, &h) < 0 ? -EINVAL : (ssize_t)h.n;
}

/* nb (<= 32) bits at bit position pos of buf[0..len), zeros past len. */
static inline uint32_t bits_at(const uint8_t *buf, size_t len, uint64_t pos,
			       uint32_t nb)
{
	size_t byte = (size_t)(pos >> 3);
	uint64_t w = 0;

	if (byte + 8 <= len)
		w = ld64(buf + byte);
	else
		for (size_t i = 0; i < 8 && byte + i < len; i++)
			w |= (uint64_t)buf[byte + i] << (8 * i);
	return (uint32_t)((w >> (pos & 7)) & ((1ull << nb) - 1));
}

static int decode_packed(const struct hdr *h, const uint8_t *blob, size_t len,
			 uint32_t *v)
{
	uint32_t w = h->a;

	uint64_t bits = (uint64_t)h->n * w;

	/* unused bits of the last byte must be 0: one blob per content */
	if (w > 32 || h->b != 0 || len != packed_size(h->n, w) ||
	    (w == 0 && h->scale != 1) ||
	    (bits % 8 && blob[len - 1] >> (bits % 8)))
		return -EINVAL;
	for (uint32_t i = 0; i < h->n; i++)
		v[i] = h->base + h->scale * bits_at(blob + HDR, len - HDR,
						    (uint64_t)i * w, w);
	return 0;
}

static const uint8_t *get_varint(const uint8_t *p, const uint8_t *end,
				 uint32_t *x)
{
	*x = 0;
	for (int i = 0; i < 3 && p < end; i++) {
		*x |= (uint32_t)(*p & 0x7f) << (7 * i);
		if (!(*p++ & 0x80))
			return p;
	}
	return NULL;
}

/* Everything about slot s: x' = freq * (x >> S) + bias, bias = s - cum;
 * the value is (hi << nb | raw bits) * scale + base. */
struct dslot {
	uint16_t freq, bias;
	uint8_t nb, pad;
	uint16_t hi;
};

struct decoder {
	const struct dslot *tab;
	const uint8_t *raw;
	size_t rlen;  /* bytes from raw to the blob end */
	uint64_t pos; /* raw bits left, taken from the top down */
	uint32_t base, scale;
};

/*
 * One token from state x.  fast: 4 bytes at *pp and 64 bits at the raw
 * position are known to be there; otherwise each read is checked and a
 * missing one sets *bad.  unscaled: scale is 1 (a constant at each call).
 */
static inline __attribute__((always_inline)) uint32_t
dec_one(const struct decoder *d, uint64_t *x, const uint8_t **pp,
	uint64_t *pos, const uint8_t *end, bool *bad, const bool fast,
	const bool unscaled)
{
	const struct dslot *sl = &d->tab[*x & ((1u << MAX_S) - 1)];
	uint64_t v = sl->freq * (*x >> MAX_S) + sl->bias;
	uint32_t in = v < RANS_L, nb = sl->nb, raw;

	if (fast || end - *pp >= 4) {
		/* branch-free: whether a word comes in is a coin toss */
		v = v << (in << 5) | ((uint64_t)ld32(*pp) & (0 - (uint64_t)in));
		*pp += 4 * in;
	} else if (in) {
		*bad = true;
		v = RANS_L;
	}
	*x = v;
	if (!fast && *pos < nb) {
		*bad = true;
		return 0;
	}
	*pos -= nb;
	if (fast)
		raw = (uint32_t)((ld64(d->raw + (*pos >> 3)) >> (*pos & 7)) &
				 ((1ull << nb) - 1));
	else
		raw = bits_at(d->raw, d->rlen, *pos, nb);
	raw |= (uint32_t)sl->hi << nb;
	return (unscaled ? raw : raw * d->scale) + d->base;
}

/* Fast blocks while 16 stream bytes and 4 * 31 raw bits remain (the
 * 64-bit raw loads stay inside the blob: the rANS stream follows), then
 * checked steps to the end. */
static inline __attribute__((always_inline)) bool
dec_values(const struct decoder *d, uint64_t x[LANES], const uint8_t **pp,
	   uint64_t *posp, const uint8_t *end, uint32_t *v, uint32_t n,
	   bool *bad, const bool unscaled)
{
	uint64_t x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], pos = *posp;
	const uint8_t *p = *pp;
	uint32_t i;

	for (i = 0; i + LANES <= n && end - p >= 16 && pos >= 4 * 31;
	     i += LANES) {
		v[i] = dec_one(d, &x0, &p, &pos, end, bad, true, unscaled);
		v[i + 1] = dec_one(d, &x1, &p, &pos, end, bad, true, unscaled);
		v[i + 2] = dec_one(d, &x2, &p, &pos, end, bad, true, unscaled);
		v[i + 3] = dec_one(d, &x3, &p, &pos, end, bad, true, unscaled);
	}
	x[0] = x0;
	x[1] = x1;
	x[2] = x2;
	x[3] = x3;
	for (; i < n && !*bad; i++)
		v[i] = dec_one(d, &x[i % LANES], &p, &pos, end, bad, false,
			       unscaled);
	*pp = p;
	*posp = pos;
	return !*bad;
}

ISA_VARIANTS(decode_all,
	     (const struct decoder *d, uint64_t *x, const uint8_t **pp,
	      uint64_t *pos, const uint8_t *end, uint32_t *v, uint32_t n,
	      bool *bad),
	     d->scale == 1 ? dec_values(d, x, pp, pos, end, v, n, bad, true)
			   : dec_values(d, x, pp, pos, end, v, n, bad, false))

static int decode_rans(const struct hdr *h, const uint8_t *blob, size_t len,
		       uint32_t *v)
{
	struct dslot tab[1u << MAX_S];
	const uint8_t *end = blob + len, *q = blob + RANS_HDR, *p;
	uint32_t k = h->a, m = h->b, s, nsym, raw_bits, rans_bytes;
	uint32_t n = h->n, start = 0;
	uint64_t x[LANES], pos;
	bool bad = false;
	struct decoder d;

	if (len < RANS_HDR || k > MAX_K || m > k || k == m + 1)
		return -EINVAL;
	s = blob[24];
	nsym = blob[26] | (uint32_t)blob[27] << 8;
	raw_bits = ld32(blob + 28);
	rans_bytes = ld32(blob + 32);
	if (s != MAX_S || blob[25] != 0 || nsym == 0 || nsym > MAX_TOK ||
	    nsym > (1u << k) + ((32u - k) << m) || raw_bits > 31u * n ||
	    rans_bytes < 8 * LANES)
		return -EINVAL;
	for (uint32_t t = 0; t < nsym;) {
		uint32_t f, r, hi, nb;

		q = get_varint(q, end, &f);
		if (!q || f > (1u << s) - start)
			return -EINVAL;
		if (f == 0) {
			q = get_varint(q, end, &r);
			if (!q || r >= nsym - t)
				return -EINVAL;
			t += r + 1;
			continue;
		}
		if (t < (1u << k)) { /* exact token */
			hi = t;
			nb = 0;
		} else { /* leading one + mantissa, then e - m raw bits */
			hi = (1u << m) | ((t - (1u << k)) & ((1u << m) - 1));
			nb = k + ((t - (1u << k)) >> m) - m;
		}
		for (uint32_t j = 0; j < f; j++) {
			struct dslot sl = { (uint16_t)f, (uint16_t)j,
					    (uint8_t)nb, 0, (uint16_t)hi };

			tab[start + j] = sl;
		}
		start += f;
		t++;
	}
	if (start != (1u << s) ||
	    (uint64_t)(end - q) != ((uint64_t)raw_bits + 7) / 8 + rans_bytes ||
	    (raw_bits % 8 && q[raw_bits / 8] >> (raw_bits % 8)))
		return -EINVAL;
	d = (struct decoder){ tab, q, (size_t)(end - q), 0, h->base, h->scale };
	pos = raw_bits;
	p = q + (raw_bits + 7) / 8;
	for (uint32_t j = 0; j < LANES; j++, p += 8) {
		x[j] = ld64(p);
		if (x[j] < RANS_L || x[j] >> 63)
			return -EINVAL;
	}
	ISA_CALL(decode_all)(&d, x, &p, &pos, end, v, n, &bad);
	if (bad || p != end || pos != 0)
		return -EINVAL;
	for (uint32_t j = 0; j < LANES; j++)
		if (x[j] != RANS_L)
			return -EINVAL;
	return 0;
}

ssize_t codec_decode(const uint8_t *blob, size_t len, uint32_t *values,
		     size_t cap)
{
	struct hdr h;
	int rc;

	if (get_hdr(blob, len, &h) < 0 || !values)
		return -EINVAL;
	if (cap < h.n)
		return -ENOSPC;
	rc = h.mode == MODE_PACKED ? decode_packed(&h, blob, len, values)
				   : decode_rans(&h, blob, len, values);
	if (rc < 0 || chunk_check(values, h.n) != h.check)
		return -EINVAL;
	return (ssize_t)h.n;
}
