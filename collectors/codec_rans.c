/*
 * codec_rans.c - the rANS half of the sample chunk codec (format "RANS1",
 * documented at the top of codec.c, mode rans): the token model (how d
 * splits into a token and raw bits, the choice of (k, m), the frequency
 * table) and the 4-way interleaved 64-bit rANS coder, with the CPU
 * dispatch of their hot loops.  codec.c does the header, base and scale,
 * packed mode and the hash, and calls codec_rans_encode() /
 * codec_rans_decode() (codec_int.h).
 */
#include "collectors/codec_int.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#if defined(__x86_64__) && !defined(CODEC_PLAIN_ONLY)
#include <cpuid.h>
#endif

#ifndef __SIZEOF_INT128__
#error "codec_rans.c needs unsigned __int128 (any 64-bit gcc or clang target)"
#endif

#define RANS_HDR 36u
#define MAX_K 8u
#define FINE_BINS 6400u /* tokens of (k, m) = (8, 8): 256 + 24 * 256 */
#define MAX_TOK 2048u
#define MAX_S 12u
#define MAX_RAW 28u /* raw bits of a value, so that two fit one flush */
#define RANS_L (1ull << 31)
#define LANES 4u

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

size_t codec_rans_encode(const uint32_t *v, uint32_t n, uint32_t base,
			 uint32_t g, uint32_t maxd, uint32_t check,
			 uint8_t *out, size_t limit, size_t psize)
{
	struct encoder e;
	uint32_t fine[FINE_BINS], emax = log2u(maxd), nfine;

	e.v = v;
	e.n = n;
	e.base = base;
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
	return encode_rans(&e, fine, maxd, g, check, out, limit, psize);
}

/* --- decoder ------------------------------------------------------------- */

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

int codec_rans_decode(const struct hdr *h, const uint8_t *blob, size_t len,
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

