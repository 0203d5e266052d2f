/*
 * codec_int.h - internals shared by the two halves of the sample chunk
 * codec: codec.c (blob format, header, packed mode, integrity checks, the
 * public API of codec.h) and codec_rans.c (token model and 4-way rANS
 * coder).  Not part of the API; nothing else includes it.  The format is
 * documented at the top of codec.c.
 *
 * The helpers here are static inline because both files use them in their
 * hot loops (put_bits, bits_at, ld/st) or because they are a few
 * instructions (put_hdr, divider_of).
 */
#ifndef ISOLAT_CODEC_INT_H
#define ISOLAT_CODEC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define HDR 24u
#define MODE_PACKED 1u
#define MODE_RANS 2u
#define VERSION 1u

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

/* Exact division by scale = odd << shift: (d >> shift) * odd^-1 mod 2^32. */
struct divider {
	uint32_t shift, inv;
};

static inline struct divider divider_of(uint32_t g)
{
	struct divider dv = { (uint32_t)__builtin_ctz(g), 0 };
	uint32_t a = g >> dv.shift, x = (3u * a) ^ 2u; /* a^-1 to 5 bits */

	for (int i = 0; i < 3; i++) /* Newton: 10, 20, 40 bits */
		x *= 2u - a * x;
	dv.inv = x;
	return dv;
}

/* The common 24-byte header (offsets 0..23 of the layout in codec.c). */
struct hdr {
	uint32_t mode, a, b, n, base, scale, check;
};

static inline void put_hdr(uint8_t *out, uint32_t mode, uint32_t a,
			   uint32_t b, uint32_t n, uint32_t base,
			   uint32_t scale, uint32_t check)
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

/* --- codec_rans.c ------------------------------------------------------- */

/*
 * rANS attempt for n >= 16 values v with base, scale g (>= 1), the largest
 * d = (v - base) / g maxd (>= 1) and hash check: writes the whole blob into
 * out and returns its size, or 0 where it is not worth it (estimated not
 * smaller than psize, the packed size) or does not fit in limit bytes.
 * Uses about 90 KiB of stack.
 */
size_t codec_rans_encode(const uint32_t *v, uint32_t n, uint32_t base,
			 uint32_t g, uint32_t maxd, uint32_t check,
			 uint8_t *out, size_t limit, size_t psize);

/*
 * Decode the mode-rans blob[0..len) whose header h get_hdr() has read and
 * checked, into v[0..h->n): 0, or -EINVAL on any inconsistency (the caller
 * checks the hash).
 */
int codec_rans_decode(const struct hdr *h, const uint8_t *blob, size_t len,
		      uint32_t *v);

#endif
