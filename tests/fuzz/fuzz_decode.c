/*
 * fuzz_decode.c - libFuzzer target for the wire stream decoder.
 *
 * Input layout (so that the fuzzer also chooses how the stream is cut):
 *
 *   byte 0      bits 0-3: t, the number of piece-size bytes that follow
 *               bit 4:    make the Nth callback fail, N = 1 + (bits 5-7)
 *   bytes 1..t  piece sizes, used in turn: (b & 0x7f) + 1 bytes, times 97
 *               when b & 0x80; (b & 0x7f) == 0 also feeds an empty piece.
 *               With t == 0 the stream is fed one byte at a time.
 *   the rest    the stream
 *
 * The stream is decoded twice: whole, and in those pieces, each piece copied
 * into its own allocation of exactly its size (at a shifted address) so that
 * AddressSanitizer sees any read past a piece.  Both runs must make the
 * same callbacks with the same arguments and return the same result; the
 * callbacks read every value and check what the decoder promises (aligned
 * values, series < nseries, sequence numbers never going back, one HELLO,
 * nothing from the workload after END, NUL-terminated text).
 *
 *   make build/fuzz_decode
 *   build/fuzz_decode -max_total_time=60 tests/fuzz/corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/decode.h"

struct run {
	uint64_t hash;     /* FNV-1a over every callback and its arguments */
	unsigned calls, fail_at;
	unsigned nseries;
	int hello, end;
	uint64_t good;     /* callbacks for good frames */
	uint64_t next[WIRE_MAX_SERIES];
};

#define CHECK(c)                                                              \
	do {                                                                  \
		if (!(c))                                                     \
			__builtin_trap();                                     \
	} while (0)

static void mix(struct run *r, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		r->hash = (r->hash ^ b[i]) * 0x100000001b3ull;
}

static void mix64(struct run *r, uint64_t v)
{
	mix(r, &v, sizeof(v));
}

/* Counts the call; non-zero when this is the one that must fail. */
static int called(struct run *r, unsigned tag)
{
	mix64(r, tag);
	return ++r->calls == r->fail_at ? -5 : 0;
}

static int on_hello(void *ctx, const char *text, size_t len)
{
	struct run *r = ctx;
	char v[16];

	CHECK(!r->hello && !r->end);
	CHECK(strlen(text) == len);
	CHECK(kv_get(text, len, "nseries", v, sizeof(v)) == 0);
	r->nseries = (unsigned)strtoul(v, NULL, 10);
	CHECK(r->nseries >= 1 && r->nseries <= WIRE_MAX_SERIES);
	r->hello = 1;
	r->good++;
	mix(r, text, len);
	return called(r, 1);
}

static int on_samples(void *ctx, unsigned series, uint64_t first,
		      const uint32_t *values, uint32_t count)
{
	struct run *r = ctx;
	uint64_t sum = 0;

	CHECK(r->hello && !r->end);
	CHECK(series < r->nseries);
	CHECK(count >= 1 && count <= WIRE_MAX_SAMPLES);
	CHECK(((uintptr_t)values & 3) == 0);
	CHECK(first >= r->next[series]);
	r->next[series] = first + count;
	for (uint32_t i = 0; i < count; i++)
		sum = sum * 31 + values[i];
	r->good++;
	mix64(r, series);
	mix64(r, first);
	mix64(r, count);
	mix64(r, sum);
	return called(r, 2);
}

static int on_event(void *ctx, unsigned series, unsigned kind, uint32_t code,
		    const char *msg)
{
	struct run *r = ctx;
	size_t len = strlen(msg);

	if (kind < WIRE_EV_BAD_CRC) {
		/* From the workload: a frame that passed every check. */
		CHECK(!r->end);
		CHECK(series == WIRE_NO_SERIES || series < r->nseries);
		r->good++;
	} else {
		CHECK(kind <= WIRE_EV_SEQ_GAP);
		CHECK(len > 0);
	}
	mix64(r, series);
	mix64(r, kind);
	mix64(r, code);
	mix(r, msg, len);
	return called(r, 3);
}

static int on_end(void *ctx, const char *text, size_t len)
{
	struct run *r = ctx;

	CHECK(!r->end);
	CHECK(strlen(text) == len);
	r->end = 1;
	r->good++;
	mix(r, text, len);
	return called(r, 4);
}

static const struct decoder_ops ops = {
	.on_hello = on_hello,
	.on_samples = on_samples,
	.on_event = on_event,
	.on_end = on_end,
};

/* Feed one piece from its own exact-size allocation. */
static int feed_copy(struct decoder *d, const uint8_t *p, size_t n,
		     size_t shift)
{
	uint8_t *c = malloc(n + shift);
	int rc;

	if (!c)
		return 0;
	memcpy(c + shift, p, n);
	rc = decoder_feed(d, c + shift, n);
	free(c);
	return rc;
}

static int finish(struct decoder *d, int rc, struct run *r)
{
	if (!rc)
		rc = decoder_finish(d);
	CHECK(decoder_seen_hello(d) == r->hello);
	CHECK(decoder_seen_end(d) == r->end);
	if (!rc)
		CHECK(decoder_stats(d)->frames == r->good);
	decoder_free(d);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, cut; /* too big for the stack */
	const uint8_t *table, *s;
	size_t t, n, off = 0, j = 0;
	unsigned fail_at;
	struct decoder *d;
	int rc_whole, rc = 0;

	if (size < 1)
		return 0;
	t = data[0] & 15;
	fail_at = data[0] & 16 ? 1u + (data[0] >> 5) : 0;
	if (size < 1 + t)
		return 0;
	table = data + 1;
	s = data + 1 + t;
	n = size - 1 - t;

	memset(&whole, 0, sizeof(whole));
	whole.fail_at = fail_at;
	d = decoder_new(&ops, &whole);
	if (!d)
		return 0;
	rc_whole = finish(d, feed_copy(d, s, n, 0), &whole);

	memset(&cut, 0, sizeof(cut));
	cut.fail_at = fail_at;
	d = decoder_new(&ops, &cut);
	if (!d)
		return 0;
	while (off < n && !rc) {
		size_t k = 1;

		if (t) {
			uint8_t b = table[j % t];

			k = (size_t)(b & 0x7f) + 1;
			if (b & 0x80)
				k *= 97;
			if (!(b & 0x7f))
				rc = decoder_feed(d, s + off, 0);
		}
		if (k > n - off)
			k = n - off;
		if (!rc)
			rc = feed_copy(d, s + off, k, j & 3);
		off += k;
		j++;
	}
	rc = finish(d, rc, &cut);

	CHECK(rc == rc_whole);
	CHECK(whole.hash == cut.hash);
	CHECK(whole.calls == cut.calls);
	return 0;
}
