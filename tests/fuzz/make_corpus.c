/*
 * make_corpus.c - writes the seed corpus of fuzz_decode (tests/fuzz/corpus).
 *
 * Each seed is a fuzz_decode input: a control byte, its piece-size table,
 * then a stream (see the top of fuzz_decode.c).  The streams are small
 * valid ones and the damaged variants the decoder must survive, so that the
 * fuzzer starts from inputs that reach every check.  The seeds are
 * committed; run this again only when the wire format changes:
 *
 *   cc -D_GNU_SOURCE -I. -o /tmp/make_corpus tests/fuzz/make_corpus.c \
 *      workloads/wire.c && /tmp/make_corpus tests/fuzz/corpus
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "workloads/wire.h"

struct stream {
	uint8_t b[4096];
	size_t n;
};

static void put(struct stream *s, const void *p, size_t n)
{
	if (s->n + n <= sizeof(s->b)) {
		memcpy(s->b + s->n, p, n);
		s->n += n;
	}
}

static void frame(struct stream *s, unsigned type, const void *p, uint32_t n)
{
	uint8_t h[WIRE_HDR_SIZE];

	wire_put_header(h, type, p, n);
	put(s, h, sizeof(h));
	put(s, p, n);
}

static void text(struct stream *s, unsigned type, const char *t)
{
	frame(s, type, t, (uint32_t)strlen(t));
}

static void hello(struct stream *s)
{
	text(s, WIRE_HELLO, "workload=rtlat\nwire_version=1\nunit=ns\n"
			    "nseries=2\nseries.0.cpu=2\nseries.1.cpu=3\n"
			    "interval_us=1000\n");
}

static void samples(struct stream *s, unsigned series, uint64_t first,
		    uint32_t count)
{
	uint8_t p[WIRE_SAMPLES_HEAD + 4 * 64];

	if (count > 64)
		count = 64;
	wire_le16(p, (uint16_t)series);
	wire_le16(p + 2, 0);
	wire_le32(p + 4, count);
	wire_le64(p + 8, first);
	for (uint32_t i = 0; i < count; i++)
		wire_le32(p + 16 + 4 * i, 2000 + (i * 37) % 500);
	frame(s, WIRE_SAMPLES, p, WIRE_SAMPLES_HEAD + 4 * count);
}

static void event(struct stream *s, unsigned series, unsigned kind,
		  uint32_t code, const char *msg)
{
	uint8_t p[128];
	size_t n = strlen(msg);

	wire_le16(p, (uint16_t)series);
	wire_le16(p + 2, (uint16_t)kind);
	wire_le32(p + 4, code);
	memcpy(p + WIRE_EVENT_HEAD, msg, n);
	frame(s, WIRE_EVENT, p, (uint32_t)(WIRE_EVENT_HEAD + n));
}

static void end(struct stream *s)
{
	text(s, WIRE_END, "status=ok\nseries.0.count=48\nseries.1.count=16\n");
}

/* HELLO, samples on both series, a workload event, END. */
static void good(struct stream *s)
{
	hello(s);
	samples(s, 0, 0, 16);
	samples(s, 1, 0, 16);
	event(s, 1, WIRE_EV_RING_OVERFLOW, 0, "ring ok");
	samples(s, 0, 16, 32);
	end(s);
}

static int save(const char *dir, const char *name, const uint8_t *ctl,
		size_t nctl, const struct stream *s)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	fwrite(ctl, 1, nctl, f);
	fwrite(s->b, 1, s->n, f);
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	static const uint8_t whole[] = { 1, 0xff };      /* big pieces */
	static const uint8_t bytes[] = { 0 };            /* byte by byte */
	static const uint8_t mixed[] = { 4, 4, 0x83, 16, 0x00 };
	static const uint8_t failing[] = { 0x10 | 0x40 | 1, 7 };
	struct stream s;
	size_t at;
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
#define SEED(name, ctl)                                                        \
	do {                                                                   \
		int r_ = save(argv[1], name, ctl, sizeof(ctl), &s);            \
		if (r_ && !rc)                                                 \
			rc = r_;                                               \
	} while (0)
	memset(&s, 0, sizeof(s));
	good(&s);
	SEED("good-whole", whole);
	SEED("good-bytes", bytes);
	SEED("good-mixed", mixed);
	SEED("good-failing-callback", failing);

	/* Console noise around and between frames. */
	memset(&s, 0, sizeof(s));
	put(&s, "[    0.000000] Linux version 6.1.0-rt\n", 38);
	hello(&s);
	put(&s, "[    1.5] ISL IS I\n", 19);
	samples(&s, 0, 0, 8);
	put(&s, "ISL", 3);
	end(&s);
	SEED("printk-mixed", mixed);

	/* A bad CRC, then good frames. */
	memset(&s, 0, sizeof(s));
	hello(&s);
	at = s.n;
	samples(&s, 0, 0, 8);
	s.b[at + 20] ^= 1;
	samples(&s, 0, 8, 8);
	end(&s);
	SEED("bad-crc", whole);

	/* A frame whose length swallows the next frames, then the stream
	 * ends. */
	memset(&s, 0, sizeof(s));
	hello(&s);
	at = s.n;
	samples(&s, 1, 0, 4);
	wire_le32(s.b + at + 8, 4000);
	samples(&s, 1, 4, 4);
	end(&s);
	SEED("hidden-truncated", mixed);

	/* Sequence gap, going backwards, bad shapes, frames after END. */
	memset(&s, 0, sizeof(s));
	samples(&s, 0, 0, 2);
	hello(&s);
	samples(&s, 0, 0, 4);
	samples(&s, 0, 10, 4);
	samples(&s, 0, 5, 4);
	samples(&s, 7, 0, 4);
	hello(&s);
	event(&s, 9, WIRE_EV_INFO, 0, "bad series");
	text(&s, WIRE_END, "status=ok\nnot a pair\n");
	end(&s);
	samples(&s, 1, 0, 1);
	SEED("shapes", mixed);

	/* A header of every kind of wrong. */
	memset(&s, 0, sizeof(s));
	hello(&s);
	at = s.n;
	samples(&s, 0, 0, 2);
	s.b[at + 4] = 2;
	at = s.n;
	samples(&s, 0, 0, 2);
	s.b[at + 5] = 9;
	at = s.n;
	samples(&s, 0, 0, 2);
	s.b[at + 6] = 1;
	at = s.n;
	samples(&s, 0, 0, 2);
	wire_le32(s.b + at + 8, WIRE_MAX_PAYLOAD + 1);
	samples(&s, 0, 0, 2);
	SEED("bad-headers", bytes);

	if (rc)
		fprintf(stderr, "%s: cannot write seeds: %s\n", argv[0],
			strerror(-rc));
	return rc ? 1 : 0;
}
