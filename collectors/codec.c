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
 * static is a cached CPUID answer (see FAST_ISA in codec_rans.c).
 *
 * The code is in two files: this one (header, base and scale, packed mode,
 * the hash, the API of codec.h) and codec_rans.c (token model, choice of
 * (k, m), frequency table, the rANS coder and its CPU dispatch); what they
 * share is in codec_int.h.
 */
#include "collectors/codec.h"
#include "collectors/codec_int.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

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

/* --- encoder ------------------------------------------------------------- */

static size_t packed_size(uint32_t n, uint32_t w)
{
	return HDR + ((size_t)n * w + 7) / 8;
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
		size_t r = codec_rans_encode(values, n, mn, g, maxd, check, out,
					     codec_bound(n), psize);

		if (r && r < psize)
			return (ssize_t)r;
	}
	return encode_packed(values, n, mn, g, w, check, out);
}

/* --- decoder ------------------------------------------------------------- */

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
				   : codec_rans_decode(&h, blob, len, values);
	if (rc < 0 || chunk_check(values, h.n) != h.check)
		return -EINVAL;
	return (ssize_t)h.n;
}
