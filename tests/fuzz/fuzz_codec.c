/*
 * fuzz_codec.c - libFuzzer target for the sample chunk codec.
 *
 * Every input is used twice:
 *
 *   1. as a blob: codec_decode() must return -EINVAL or the count in the
 *      header, without reading past the input (libFuzzer hands it over in
 *      an allocation of exactly its size).  A blob that decodes must
 *      encode again to a blob that decodes to the same values.
 *   2. as values: byte 0 picks a shape, the rest makes the values (so the
 *      fuzzer reaches every coding mode, not only incompressible data):
 *        0  little-endian u32s as they are
 *        1  one byte each, times 1000, plus a base (µs resolution)
 *        2  one byte each, shifted left by the next byte (heavy tails)
 *        3  u16s plus a base
 *      They are encoded into a buffer of exactly codec_bound(n) bytes and
 *      must decode to themselves.
 *
 *   make build/fuzz_codec
 *   build/fuzz_codec -max_total_time=60
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/codec.h"

static uint32_t vals[CODEC_CHUNK_SAMPLES], back[CODEC_CHUNK_SAMPLES];

static void check_round_trip(const uint32_t *v, uint32_t n)
{
	size_t cap = codec_bound(n);
	uint8_t *blob = malloc(cap);
	ssize_t len;

	if (!blob)
		abort();
	len = codec_encode(v, n, blob, cap);
	if (len <= 0 || (size_t)len > cap ||
	    codec_count(blob, (size_t)len) != (ssize_t)n ||
	    codec_decode(blob, (size_t)len, back, n) != (ssize_t)n ||
	    memcmp(back, v, n * sizeof(*v)) != 0)
		abort();
	free(blob);
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ssize_t got = codec_decode(data, size, vals, CODEC_CHUNK_SAMPLES);
	uint32_t n = 0, base;
	const uint8_t *p;
	size_t rest;

	if (got >= 0) {
		if (got != codec_count(data, size) || got == 0)
			abort();
		check_round_trip(vals, (uint32_t)got);
	} else if (got != -EINVAL) {
		abort();
	}

	if (size < 6)
		return 0;
	base = le32(data + 1);
	p = data + 5;
	rest = size - 5;
	switch (data[0] & 3) {
	case 0:
		for (; n < CODEC_CHUNK_SAMPLES && rest >= 4; n++, p += 4, rest -= 4)
			vals[n] = le32(p);
		break;
	case 1:
		for (; n < CODEC_CHUNK_SAMPLES && n < rest; n++)
			vals[n] = base + 1000u * p[n];
		break;
	case 2:
		for (; n < CODEC_CHUNK_SAMPLES && 2 * n + 1 < rest; n++)
			vals[n] = (uint32_t)p[2 * n] << (p[2 * n + 1] & 31);
		break;
	default:
		for (; n < CODEC_CHUNK_SAMPLES && 2 * n + 1 < rest; n++)
			vals[n] = base + (p[2 * n] | (uint32_t)p[2 * n + 1] << 8);
		break;
	}
	if (n > 0)
		check_round_trip(vals, n);
	return 0;
}
