/*
 * test_decode.c - unit tests of the wire stream decoder (collectors/decode.c).
 *
 * Streams are built with wire_put_header() and fed whole, byte by byte and
 * in uneven pieces; every callback is written to a text log so that the
 * three feeds of the same bytes can be compared line for line.  Each
 * corruption case checks the event the decoder reports and that the good
 * frames after it still arrive.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collectors/decode.h"

/* --- stream builder ------------------------------------------------------ */

struct sb {
	uint8_t *p;
	size_t n, cap;
};

static void sb_put(struct sb *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void sb_text(struct sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_frame(struct sb *b, unsigned type, const void *pl, uint32_t len)
{
	uint8_t h[WIRE_HDR_SIZE];

	wire_put_header(h, type, pl, len);
	sb_put(b, h, sizeof(h));
	sb_put(b, pl, len);
}

static void sb_hello(struct sb *b, unsigned nseries)
{
	char t[128];
	int n = snprintf(t, sizeof(t), "workload=rtlat\nwire_version=1\n"
			 "unit=ns\nnseries=%u\n", nseries);

	sb_frame(b, WIRE_HELLO, t, (uint32_t)n);
}

/* A SAMPLES payload (values derived from seq and series); count_field
 * lets a test lie about the count.  Returns its length. */
static uint32_t samples_payload(uint8_t *pl, unsigned series, uint64_t first,
				uint32_t count, uint32_t count_field)
{
	wire_le16(pl, (uint16_t)series);
	wire_le16(pl + 2, 0);
	wire_le32(pl + 4, count_field);
	wire_le64(pl + 8, first);
	for (uint32_t i = 0; i < count; i++)
		wire_le32(pl + 16 + 4 * i, (uint32_t)(first + i) * 7 + series);
	return 16 + 4 * count;
}

static void sb_samples(struct sb *b, unsigned series, uint64_t first,
		       uint32_t count)
{
	uint8_t *pl = malloc(16 + 4 * (size_t)count);

	assert_non_null(pl);
	sb_frame(b, WIRE_SAMPLES, pl,
		 samples_payload(pl, series, first, count, count));
	free(pl);
}

static void sb_event(struct sb *b, unsigned series, unsigned kind,
		     uint32_t code, const char *msg)
{
	uint8_t pl[256];
	size_t n = strlen(msg);

	wire_le16(pl, (uint16_t)series);
	wire_le16(pl + 2, (uint16_t)kind);
	wire_le32(pl + 4, code);
	memcpy(pl + 8, msg, n);
	sb_frame(b, WIRE_EVENT, pl, (uint32_t)(8 + n));
}

static void sb_end(struct sb *b)
{
	static const char t[] = "status=ok\nseries.0.count=16\n";

	sb_frame(b, WIRE_END, t, sizeof(t) - 1);
}

/* --- recorder ------------------------------------------------------------ */

struct rec {
	char *log;
	size_t n;
	unsigned kinds[128];  /* events seen, by kind */
	char last[128][256];  /* last message of each kind */
	uint64_t samples[4];  /* values received, by series */
	unsigned hellos, ends;
	int fail_samples_at;  /* return -EIO from this on_samples (1-based) */
	int nsamples_calls;
};

__attribute__((format(printf, 2, 3))) static void
rec_printf(struct rec *r, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(line));
	r->log = realloc(r->log, r->n + (size_t)n + 1);
	assert_non_null(r->log);
	memcpy(r->log + r->n, line, (size_t)n + 1);
	r->n += (size_t)n;
}

static int on_hello(void *ctx, const char *text, size_t len)
{
	struct rec *r = ctx;

	assert_int_equal(strlen(text), len);
	r->hellos++;
	rec_printf(r, "HELLO %zu\n", len);
	return 0;
}

static int on_samples(void *ctx, unsigned series, uint64_t first,
		      const uint32_t *v, uint32_t count)
{
	struct rec *r = ctx;
	uint64_t sum = 0;

	assert_true(((uintptr_t)v & 3) == 0);
	assert_true(count >= 1);
	for (uint32_t i = 0; i < count; i++) {
		assert_int_equal(v[i], (uint32_t)(first + i) * 7 + series);
		sum += v[i];
	}
	if (series < 4)
		r->samples[series] += count;
	rec_printf(r, "SAMPLES %u %" PRIu64 " %" PRIu32 " %" PRIu64 "\n",
		   series, first, count, sum);
	return ++r->nsamples_calls == r->fail_samples_at ? -EIO : 0;
}

static int on_event(void *ctx, unsigned series, unsigned kind, uint32_t code,
		    const char *msg)
{
	struct rec *r = ctx;

	assert_true(kind < 128);
	r->kinds[kind]++;
	snprintf(r->last[kind], sizeof(r->last[kind]), "%s", msg);
	rec_printf(r, "EVENT %u %u %" PRIu32 " %s\n", series, kind, code, msg);
	return 0;
}

static int on_end(void *ctx, const char *text, size_t len)
{
	struct rec *r = ctx;

	assert_int_equal(strlen(text), len);
	r->ends++;
	rec_printf(r, "END %zu\n", len);
	return 0;
}

static const struct decoder_ops ops = {
	.on_hello = on_hello,
	.on_samples = on_samples,
	.on_event = on_event,
	.on_end = on_end,
};

/*
 * Decode p[0..n) in pieces of `piece` bytes (0: whole; SIZE_MAX: uneven
 * pseudo-random pieces of 1..300), then finish.  Returns the first
 * non-zero result.
 */
static int decode(const uint8_t *p, size_t n, size_t piece, struct rec *r)
{
	struct decoder *d = decoder_new(&ops, r);
	uint32_t x = 12345;
	size_t off = 0;
	int rc = 0;

	assert_non_null(d);
	while (off < n && !rc) {
		size_t k = piece ? piece : n;

		if (piece == SIZE_MAX) {
			x = x * 1103515245u + 12345u;
			k = (x >> 16) % 300 + 1;
		}
		if (k > n - off)
			k = n - off;
		rc = decoder_feed(d, p + off, k);
		off += k;
	}
	if (!rc)
		rc = decoder_finish(d);
	assert_int_equal(decoder_stats(d)->bytes, off);
	decoder_free(d);
	return rc;
}

static void rec_free(struct rec *r)
{
	free(r->log);
	memset(r, 0, sizeof(*r));
}

/* Events the decoder reports about the stream. */
static unsigned stream_events(const struct rec *r)
{
	unsigned n = 0;

	for (unsigned k = WIRE_EV_BAD_CRC; k <= WIRE_EV_SEQ_GAP; k++)
		n += r->kinds[k];
	return n;
}

/* Decode whole, byte by byte and unevenly: the logs must be equal. */
static void decode3(const struct sb *b, struct rec *r)
{
	struct rec one = { 0 }, odd = { 0 };

	assert_int_equal(decode(b->p, b->n, 0, r), 0);
	assert_int_equal(decode(b->p, b->n, 1, &one), 0);
	assert_int_equal(decode(b->p, b->n, SIZE_MAX, &odd), 0);
	assert_string_equal(r->log ? r->log : "", one.log ? one.log : "");
	assert_string_equal(r->log ? r->log : "", odd.log ? odd.log : "");
	rec_free(&one);
	rec_free(&odd);
}

/* --- good streams -------------------------------------------------------- */

static void good_stream(struct sb *b)
{
	sb_hello(b, 2);
	sb_samples(b, 0, 0, 8);
	sb_event(b, 1, WIRE_EV_PRIO_FAILED, EPERM, "sched_setscheduler: EPERM");
	sb_samples(b, 1, 0, 100);
	sb_samples(b, 0, 8, 8);
	sb_event(b, WIRE_NO_SERIES, WIRE_EV_INFO, 0, "");
	sb_end(b);
}

static void test_good_stream(void **state)
{
	struct sb b = { 0 };
	struct rec r = { 0 }, r2;

	good_stream(&b);
	decode3(&b, &r);
	assert_int_equal(r.hellos, 1);
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.samples[0], 16);
	assert_int_equal(r.samples[1], 100);
	assert_int_equal(stream_events(&r), 0);
	assert_int_equal(r.kinds[WIRE_EV_PRIO_FAILED], 1);
	assert_string_equal(r.last[WIRE_EV_PRIO_FAILED],
			    "sched_setscheduler: EPERM");
	assert_int_equal(r.kinds[WIRE_EV_INFO], 1);
	assert_string_equal(r.last[WIRE_EV_INFO], "");
	/* Values come out aligned (and right) whatever the input's
	 * alignment. */
	for (size_t shift = 1; shift < 4; shift++) {
		uint8_t *q = malloc(b.n + shift);

		assert_non_null(q);
		memcpy(q + shift, b.p, b.n);
		memset(&r2, 0, sizeof(r2));
		assert_int_equal(decode(q + shift, b.n, 0, &r2), 0);
		assert_string_equal(r.log, r2.log);
		rec_free(&r2);
		free(q);
	}
	rec_free(&r);
	free(b.p);
}

/* --- corruption: HELLO, good frame, <bad bytes>, good frame, END -------- */

static void before(struct sb *b)
{
	sb_hello(b, 2);
	sb_samples(b, 0, 0, 8);
}

static void after(struct sb *b)
{
	sb_samples(b, 0, 8, 8);
	sb_end(b);
}

/*
 * before + mid + after must give exactly one event of `kind` whose
 * message contains `what` (plus `garbage` GARBAGE events), and everything
 * of before and after.
 */
static void expect_one(const struct sb *mid, unsigned kind, unsigned garbage,
		       const char *what)
{
	struct sb b = { 0 };
	struct rec r = { 0 };

	before(&b);
	sb_put(&b, mid->p, mid->n);
	after(&b);
	decode3(&b, &r);
	assert_int_equal(r.hellos, 1);
	assert_int_equal(r.samples[0], 16);
	assert_int_equal(r.samples[1], 0);
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.kinds[kind], 1);
	assert_int_equal(r.kinds[WIRE_EV_GARBAGE], garbage);
	assert_int_equal(stream_events(&r), 1 + garbage);
	assert_non_null(strstr(r.last[kind], what));
	rec_free(&r);
	free(b.p);
}

static void test_truncated_every_cut(void **state)
{
	struct sb frame = { 0 };

	sb_samples(&frame, 1, 0, 10);
	for (size_t cut = 1; cut < frame.n; cut++) {
		struct sb b = { 0 };
		struct rec r = { 0 };

		before(&b);
		sb_put(&b, frame.p, cut);
		after(&b);
		decode3(&b, &r);
		assert_int_equal(r.samples[0], 16);
		assert_int_equal(r.samples[1], 0);
		assert_int_equal(r.ends, 1);
		assert_int_equal(r.kinds[WIRE_EV_TRUNCATED], 0);
		assert_int_equal(r.kinds[WIRE_EV_SEQ_GAP], 0);
		assert_true(stream_events(&r) >= 1);
		rec_free(&r);
		free(b.p);
	}
	free(frame.p);
}

/* The stream stops inside a frame: TRUNCATED for it and for the missing
 * END; without END only the latter. */
static void test_truncated_at_end(void **state)
{
	struct sb frame = { 0 };

	sb_samples(&frame, 1, 0, 10);
	for (size_t cut = 0; cut < frame.n; cut++) {
		struct sb b = { 0 };
		struct rec r = { 0 };

		before(&b);
		sb_put(&b, frame.p, cut);
		decode3(&b, &r);
		assert_int_equal(r.samples[0], 8);
		assert_int_equal(r.kinds[WIRE_EV_TRUNCATED], cut >= 4 ? 2 : 1);
		assert_int_equal(r.kinds[WIRE_EV_GARBAGE], cut && cut < 4);
		assert_int_equal(stream_events(&r), cut ? 2 : 1);
		if (cut >= 4)
			assert_non_null(strstr(r.log, "stream ended inside "
						      "the frame"));
		assert_non_null(strstr(r.log, "EVENT 65535 66 0 stream ended "
					      "without END after 2 good "
					      "frames\n"));
		rec_free(&r);
		free(b.p);
	}
	free(frame.p);
}

static void test_bad_crc(void **state)
{
	struct sb mid = { 0 };

	sb_samples(&mid, 1, 0, 4);
	mid.p[WIRE_HDR_SIZE + 20] ^= 0x10; /* a value */
	expect_one(&mid, WIRE_EV_BAD_CRC, 0, "CRC mismatch (got 0x");
	/* frame 3, after HELLO and one SAMPLES */
	expect_one(&mid, WIRE_EV_BAD_CRC, 0, "frame 3 at byte ");
	mid.p[12] ^= 1; /* the CRC field itself */
	mid.p[WIRE_HDR_SIZE + 20] ^= 0x10;
	expect_one(&mid, WIRE_EV_BAD_CRC, 0, "CRC mismatch");
	free(mid.p);
}

static void test_bad_headers(void **state)
{
	static const struct {
		size_t field;
		int width;
		uint32_t value;
		unsigned garbage;
		const char *what;
	} cases[] = {
		{ 4, 1, 2, 0, "unsupported version 2 (want 1)" },
		{ 4, 1, 0, 0, "unsupported version 0" },
		{ 5, 1, 9, 0, "unknown type 9" },
		{ 5, 1, 0, 0, "unknown type 0" },
		{ 6, 2, 0x100, 0, "nonzero flags 0x0100" },
		{ 6, 2, 1, 0, "nonzero flags 0x0001" },
		/* With an absurd length the frame's payload cannot be told
		 * from garbage. */
		{ 8, 4, WIRE_MAX_PAYLOAD + 1, 1, "over the maximum" },
		{ 8, 4, 0xffffffffu, 1, "over the maximum" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sb mid = { 0 };
		uint8_t *h;

		sb_samples(&mid, 1, 0, 4);
		h = mid.p + cases[i].field;
		if (cases[i].width == 1)
			*h = (uint8_t)cases[i].value;
		else if (cases[i].width == 2)
			wire_le16(h, (uint16_t)cases[i].value);
		else
			wire_le32(h, cases[i].value);
		expect_one(&mid, WIRE_EV_BAD_FRAME, cases[i].garbage,
			   cases[i].what);
		free(mid.p);
	}
}

/* A frame with a good CRC but a bad shape: skipped whole, one event. */
static void bad_payload(unsigned type, const void *pl, uint32_t len,
			const char *what)
{
	struct sb mid = { 0 };

	sb_frame(&mid, type, pl, len);
	expect_one(&mid, WIRE_EV_BAD_FRAME, 0, what);
	free(mid.p);
}

static void test_bad_payloads(void **state)
{
	static const char nul[] = "nseries=1\n\0x=y\n";
	uint8_t pl[64] = { 0 };
	uint32_t n;

	n = samples_payload(pl, 1, 0, 4, 5);
	bad_payload(WIRE_SAMPLES, pl, n, "count 5 does not match");
	n = samples_payload(pl, 1, 0, 4, 3);
	bad_payload(WIRE_SAMPLES, pl, n, "count 3 does not match");
	n = samples_payload(pl, 1, 0, 0, 0);
	bad_payload(WIRE_SAMPLES, pl, n, "count 0 does not match");
	bad_payload(WIRE_SAMPLES, pl, 15, "shorter than its head");
	n = samples_payload(pl, 1, 0, 4, 4);
	bad_payload(WIRE_SAMPLES, pl, n - 2, "count 4 does not match");
	n = samples_payload(pl, 2, 0, 4, 4);
	bad_payload(WIRE_SAMPLES, pl, n,
		    "SAMPLES series 2 out of range (nseries 2)");
	n = samples_payload(pl, 1, 0, 4, 4);
	pl[2] = 1;
	bad_payload(WIRE_SAMPLES, pl, n, "reserved");

	memset(pl, 0, sizeof(pl));
	bad_payload(WIRE_EVENT, pl, 7, "EVENT payload of 7 bytes");
	wire_le16(pl, WIRE_NO_SERIES);
	wire_le16(pl + 2, WIRE_EV_BAD_CRC);
	bad_payload(WIRE_EVENT, pl, 8, "reserved for the collector");
	wire_le16(pl, 5);
	wire_le16(pl + 2, WIRE_EV_INFO);
	bad_payload(WIRE_EVENT, pl, 8, "EVENT series 5 out of range");
	wire_le16(pl, 0);
	bad_payload(WIRE_EVENT, pl, 10, "EVENT: NUL byte");

	/* before() already sent a HELLO: a second one is reported as such,
	 * whatever it holds. */
	bad_payload(WIRE_HELLO, nul, sizeof(nul) - 1, ": second HELLO");
	bad_payload(WIRE_END, nul, sizeof(nul) - 1, "END: NUL byte in text");
	bad_payload(WIRE_END, "status=ok\njunk\n", 15, "not key=value");
}

static void test_bad_hello(void **state)
{
	static const char *bad[] = { "nseries=0\n", "nseries=1025\n",
				     "nseries=-1\n", "nseries=1x\n",
				     "unit=ns\n", "nseries=\n",
				     "=1\nnseries=1\n" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sb b = { 0 };
		struct rec r = { 0 };

		sb_frame(&b, WIRE_HELLO, bad[i], (uint32_t)strlen(bad[i]));
		sb_hello(&b, 1);
		sb_samples(&b, 0, 0, 3);
		sb_end(&b);
		decode3(&b, &r);
		assert_int_equal(r.hellos, 1);
		assert_int_equal(r.samples[0], 3);
		assert_int_equal(r.kinds[WIRE_EV_BAD_FRAME], 1);
		assert_non_null(strstr(r.last[WIRE_EV_BAD_FRAME], "HELLO"));
		rec_free(&r);
		free(b.p);
	}
}

/* Order: SAMPLES before HELLO, a second HELLO, frames after END. */
static void test_order(void **state)
{
	struct sb b = { 0 };
	struct rec r = { 0 };

	sb_samples(&b, 0, 0, 4);
	before(&b);
	sb_hello(&b, 3);
	after(&b);
	sb_samples(&b, 0, 16, 1);
	sb_event(&b, 0, WIRE_EV_INFO, 0, "late");
	decode3(&b, &r);
	assert_int_equal(r.hellos, 1);
	assert_int_equal(r.samples[0], 16);
	assert_int_equal(r.kinds[WIRE_EV_INFO], 0);
	assert_int_equal(r.kinds[WIRE_EV_BAD_FRAME], 4);
	assert_int_equal(stream_events(&r), 4);
	assert_non_null(strstr(r.log, "EVENT 65535 65 1 frame 1 at byte 0: "
				      "SAMPLES before HELLO\n"));
	assert_non_null(strstr(r.log, "EVENT 65535 65 4 frame 4 at byte "));
	assert_non_null(strstr(r.log, ": second HELLO\n"));
	assert_non_null(strstr(r.log, ": SAMPLES after END\n"));
	assert_non_null(strstr(r.log, ": EVENT after END\n"));
	rec_free(&r);
	free(b.p);
}

static void test_garbage(void **state)
{
	static const char printk[] =
		"[    1.234567] random: crng init done\n"
		"[    1.300000] ISL driver: I see ISL";
	struct sb b = { 0 };
	struct rec r = { 0 };
	char want[64];

	sb_text(&b, "\r\n");
	before(&b);
	sb_text(&b, printk);
	sb_samples(&b, 1, 0, 4);
	sb_text(&b, "I");
	sb_text(&b, "IS");
	after(&b);
	sb_text(&b, "ISL"); /* a magic prefix at the very end */
	decode3(&b, &r);
	assert_int_equal(r.samples[0], 16);
	assert_int_equal(r.samples[1], 4);
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.kinds[WIRE_EV_GARBAGE], 4);
	assert_int_equal(stream_events(&r), 4);
	snprintf(want, sizeof(want), "EVENT 65535 67 %zu ", sizeof(printk) - 1);
	assert_non_null(strstr(r.log, want));
	assert_non_null(strstr(r.log, "EVENT 65535 67 2 2 bytes of non-frame "
				      "data at byte 0: \"  \"\n"));
	assert_non_null(strstr(r.log, "\"[    1.234567] random: crng init "
				      "done [ ...\"\n"));
	assert_non_null(strstr(r.log, "EVENT 65535 67 3 "));
	assert_non_null(strstr(r.last[WIRE_EV_GARBAGE], ": \"ISL\""));
	rec_free(&r);
	free(b.p);
}

/* A corrupt frame claims a length that swallows good frames: resync
 * starts one byte after its magic, so they are still found. */
static void test_hidden_frames(void **state)
{
	struct sb b = { 0 };
	struct rec r = { 0 };
	size_t off;

	before(&b);
	off = b.n;
	sb_samples(&b, 1, 0, 4);
	wire_le32(b.p + off + 8, 300); /* the next frames start inside */
	sb_event(&b, 1, WIRE_EV_INFO, 1, "hidden");
	sb_samples(&b, 1, 0, 100);
	after(&b);
	decode3(&b, &r);
	assert_int_equal(r.samples[0], 16);
	assert_int_equal(r.samples[1], 100);
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.kinds[WIRE_EV_BAD_CRC], 1);
	assert_int_equal(r.kinds[WIRE_EV_INFO], 1);
	assert_int_equal(stream_events(&r), 1);
	rec_free(&r);

	/* The same, when the stream ends before the claimed length. */
	wire_le32(b.p + off + 8, 100000);
	decode3(&b, &r);
	assert_int_equal(r.samples[0], 16);
	assert_int_equal(r.samples[1], 100);
	assert_int_equal(r.ends, 1);
	assert_int_equal(r.kinds[WIRE_EV_TRUNCATED], 1);
	assert_int_equal(stream_events(&r), 1);
	assert_non_null(strstr(r.log, "SAMPLES frame of 100016 bytes cut"));
	rec_free(&r);
	free(b.p);
}

static void test_seq(void **state)
{
	struct sb b = { 0 };
	struct rec r = { 0 };

	sb_hello(&b, 2);
	sb_samples(&b, 0, 0, 8);
	sb_samples(&b, 0, 10, 8);   /* 2 missing */
	sb_samples(&b, 1, 5, 1);    /* 5 missing: series start at 0 */
	sb_samples(&b, 0, 17, 2);   /* backwards: dropped */
	sb_samples(&b, 0, 16, 2);   /* backwards: dropped */
	sb_samples(&b, 0, 18, 2);
	sb_samples(&b, 0, 20 + 1000000, 1);
	sb_end(&b);
	decode3(&b, &r);
	assert_int_equal(r.kinds[WIRE_EV_SEQ_GAP], 3);
	assert_int_equal(r.kinds[WIRE_EV_BAD_FRAME], 2);
	assert_non_null(strstr(r.log, "EVENT 0 68 2 series 0: 2 samples "
				      "missing before seq 10"));
	assert_non_null(strstr(r.log, "EVENT 1 68 5 series 1: 5 samples "));
	assert_non_null(strstr(r.log, "EVENT 0 68 1000000 "));
	assert_non_null(strstr(r.log, "series 0 goes backwards (first 17, "
				      "expected 18)"));
	assert_int_equal(r.samples[0], 19);
	rec_free(&r);
	free(b.p);
}

static void test_callback_error(void **state)
{
	struct sb b = { 0 };
	struct rec r = { .fail_samples_at = 2 };
	struct decoder *d = decoder_new(&ops, &r);

	assert_non_null(d);
	good_stream(&b);
	assert_int_equal(decoder_feed(d, b.p, b.n), -EIO);
	assert_int_equal(r.nsamples_calls, 2);
	assert_int_equal(decoder_feed(d, b.p, b.n), -EIO);
	assert_int_equal(decoder_finish(d), -EIO);
	assert_int_equal(r.nsamples_calls, 2);
	assert_int_equal(r.ends, 0);
	assert_int_equal(stream_events(&r), 0);
	decoder_free(d);
	rec_free(&r);

	/* Byte by byte: stops at the same place. */
	r.fail_samples_at = 2;
	assert_int_equal(decode(b.p, b.n, 1, &r), -EIO);
	assert_int_equal(r.nsamples_calls, 2);
	assert_int_equal(r.ends, 0);
	rec_free(&r);
	free(b.p);
}

static void test_stats_and_null_ops(void **state)
{
	static const struct decoder_ops none = { 0 };
	struct sb b = { 0 };
	struct rec r = { 0 };
	struct decoder *d = decoder_new(&ops, &r);
	const struct decoder_stats *st;

	assert_non_null(d);
	sb_text(&b, "noise\n");
	good_stream(&b);
	assert_int_equal(decoder_feed(d, b.p, 20), 0);
	assert_int_equal(decoder_seen_hello(d), 0);
	assert_int_equal(decoder_feed(d, b.p + 20, b.n - 20), 0);
	assert_int_equal(decoder_finish(d), 0);
	assert_int_equal(decoder_finish(d), 0); /* reports nothing twice */
	assert_int_equal(decoder_seen_hello(d), 1);
	assert_int_equal(decoder_seen_end(d), 1);
	st = decoder_stats(d);
	assert_int_equal(st->bytes, b.n);
	assert_int_equal(st->frames, 7);
	assert_int_equal(st->bad_frames, 0);
	assert_int_equal(st->garbage, 6);
	assert_int_equal(r.kinds[WIRE_EV_GARBAGE], 1);
	decoder_free(d);
	rec_free(&r);

	/* Any callback may be NULL. */
	d = decoder_new(&none, NULL);
	assert_non_null(d);
	sb_samples(&b, 0, 0, 1); /* after END */
	assert_int_equal(decoder_feed(d, b.p, b.n), 0);
	assert_int_equal(decoder_finish(d), 0);
	assert_int_equal(decoder_stats(d)->frames, 7);
	assert_int_equal(decoder_stats(d)->bad_frames, 1);
	decoder_free(d);
	free(b.p);
}

static void test_kv_get(void **state)
{
	static const char t[] = "a=1\nseries.10.cpu=7\nseries.1.cpu=3\n"
				"empty=\nlast=end";
	size_t n = strlen(t);
	char v[8];

	assert_int_equal(kv_get(t, n, "a", v, sizeof(v)), 0);
	assert_string_equal(v, "1");
	assert_int_equal(kv_get(t, n, "series.1.cpu", v, sizeof(v)), 0);
	assert_string_equal(v, "3");
	assert_int_equal(kv_get(t, n, "empty", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	assert_int_equal(kv_get(t, n, "last", v, sizeof(v)), 0);
	assert_string_equal(v, "end");
	assert_int_equal(kv_get(t, n, "series", v, sizeof(v)), -ENOENT);
	assert_int_equal(kv_get(t, n, "b", v, sizeof(v)), -ENOENT);
	assert_int_equal(kv_get(t, n, "last", v, 3), -ENOSPC);
	assert_int_equal(kv_get(t, n, "last", v, 4), 0);
	/* len bounds the search */
	assert_int_equal(kv_get(t, 2, "a", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	assert_int_equal(kv_get(t, 1, "a", v, sizeof(v)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_stream),
		cmocka_unit_test(test_truncated_every_cut),
		cmocka_unit_test(test_truncated_at_end),
		cmocka_unit_test(test_bad_crc),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_bad_payloads),
		cmocka_unit_test(test_bad_hello),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_hidden_frames),
		cmocka_unit_test(test_seq),
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_stats_and_null_ops),
		cmocka_unit_test(test_kv_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
