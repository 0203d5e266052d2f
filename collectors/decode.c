/*
 * decode.c - incremental, resyncing decoder for the wire format.
 *
 * Two paths, one set of rules:
 *
 *  - in place: while no partial frame is pending, the caller's bytes are
 *    scanned directly; a frame that lies whole in them is checked and handed
 *    out without being copied (SAMPLES values are copied once only when they
 *    are not 4-byte aligned there, or on a big-endian host).
 *  - buffered: a frame cut by the end of a piece is copied into buf (each
 *    byte once) and finished from the following pieces.
 *
 * A frame whose header or CRC is bad proves nothing about where the next
 * frame starts, so the decoder looks for the next magic from the byte after
 * the bad frame's magic: a good frame hidden inside a corrupt frame's
 * claimed length is still found.  For a buffered frame that means scanning
 * the buffered bytes again ("replay"); they are scanned from a second buffer
 * (the two are swapped) so the first one is free for the next partial frame.
 * A frame with a good CRC but a bad shape (SAMPLES before HELLO, ...) is
 * intact: it is skipped as a whole.
 *
 * Bytes skipped outside any frame are garbage (console printk lines); a run
 * of them is reported once, when the next magic is found or the stream ends.
 * Bytes skipped inside a frame already reported bad are not garbage again.
 * Events carry a stream byte offset so that a message can be matched with
 * a capture of the raw stream; the result does not depend on how the bytes
 * were cut into pieces.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/decode.h"

/* One maximal frame plus a NUL after a text payload, rounded for
 * alignment. */
#define BUF_SIZE (WIRE_HDR_SIZE + WIRE_MAX_PAYLOAD + 8)
#define SNIP_MAX 40 /* garbage bytes quoted in a GARBAGE event */
#define MSG_MAX 256

static const uint8_t magic[4] = { 'I', 'S', 'L', 0x01 };

struct decoder {
	const struct decoder_ops *ops;
	void *ctx;
	int err;      /* first non-zero callback result: sticky */
	int finished;

	/* Partial frame: buf[0..have) starts with (a prefix of) the magic.
	 * need is WIRE_HDR_SIZE until the header was checked (hdr_ok), then
	 * the whole frame's size. */
	uint8_t *buf, *spare;
	size_t have, need;
	int hdr_ok;
	uint64_t buf_pos;  /* stream offset of buf[0] */
	uint64_t frame_no; /* ordinal of the frame being looked at */
	uint64_t frame_pos; /* and its stream offset */
	uint64_t nframes;  /* headers looked at so far */

	/* Bytes of a rejected frame not yet skipped: skipping them is not
	 * garbage, it is the rest of a frame already reported. */
	uint64_t quiet;
	uint64_t garbage_run, garbage_pos;
	size_t snip_len;
	char snip[SNIP_MAX + 1];

	int hello, end;
	unsigned nseries;
	struct decoder_stats st;
	uint64_t next_seq[WIRE_MAX_SERIES]; /* expected next `first` */
};

static const char *type_name(unsigned type)
{
	static const char *const names[] = { "?", "HELLO", "SAMPLES", "EVENT",
					     "END" };

	return type <= WIRE_END ? names[type] : "?";
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* A callback's result: the first non-zero one stops decoding. */
static int took(struct decoder *d, int rc)
{
	if (rc && !d->err)
		d->err = rc;
	return d->err;
}

/* Hand a decoder event to on_event. */
static int emit(struct decoder *d, unsigned series, unsigned kind,
		uint32_t code, const char *msg)
{
	if (!d->ops->on_event)
		return d->err;
	return took(d, d->ops->on_event(d->ctx, series, kind, code, msg));
}

/* Report the current frame rejected: "frame N at byte X: <what>", code
 * = N.  BAD (a frame intact but not acceptable) is the usual kind. */
#define BAD WIRE_EV_BAD_FRAME
__attribute__((format(printf, 3, 4))) static int
bad(struct decoder *d, unsigned kind, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;
	int n;

	d->st.bad_frames++;
	n = snprintf(msg, sizeof(msg), "frame %" PRIu64 " at byte %" PRIu64
		     ": ", d->frame_no, d->frame_pos);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return emit(d, WIRE_NO_SERIES, kind, clamp32(d->frame_no), msg);
}

/* End of a garbage run: one event with the byte count and a quote. */
static int flush_garbage(struct decoder *d)
{
	char msg[MSG_MAX];
	uint64_t n = d->garbage_run;

	if (!n)
		return 0;
	d->garbage_run = 0;
	d->snip[d->snip_len] = '\0';
	snprintf(msg, sizeof(msg), "%" PRIu64 " bytes of non-frame data at "
		 "byte %" PRIu64 ": \"%s%s\"", n, d->garbage_pos, d->snip,
		 n > d->snip_len ? "..." : "");
	d->snip_len = 0;
	return emit(d, WIRE_NO_SERIES, WIRE_EV_GARBAGE, clamp32(n), msg);
}

/* Account for n skipped bytes at stream offset pos. */
static void skip(struct decoder *d, const uint8_t *p, size_t n, uint64_t pos)
{
	size_t q = d->quiet < n ? (size_t)d->quiet : n;

	d->quiet -= q;
	p += q;
	n -= q;
	pos += q;
	if (!n)
		return;
	if (!d->garbage_run)
		d->garbage_pos = pos;
	d->garbage_run += n;
	d->st.garbage += n;
	/* Quote the start of the run so that a console message can be
	 * recognised; control bytes would garble the event text. */
	for (size_t i = 0; i < n && d->snip_len < SNIP_MAX; i++) {
		uint8_t c = p[i];

		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		else if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			c = '.';
		d->snip[d->snip_len++] = (char)c;
	}
}

/*
 * Offset of the first magic in p[0..n), or of a magic prefix that the end
 * of p cuts short; n when there is neither.
 */
static size_t find_magic(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const uint8_t *m = memchr(p + i, magic[0], n - i);
		size_t k;

		if (!m)
			return n;
		i = (size_t)(m - p);
		k = n - i < 4 ? n - i : 4;
		if (!memcmp(m, magic, k))
			return i;
		i++;
	}
	return n;
}

/*
 * Bytes after a rejected header's magic that still count as its frame: its
 * claimed length when that is plausible (a frame of another version or with
 * a bad type still has one), else the rest of the header.
 */
static size_t bad_header_quiet(uint32_t len)
{
	return (len <= WIRE_MAX_PAYLOAD ? WIRE_HDR_SIZE + (size_t)len
					: WIRE_HDR_SIZE) - 1;
}

/* Check the header of the frame at stream offset pos; *len gets its
 * payload length.  Returns 0 when good, 1 when reported bad, or the
 * callback error. */
static int check_header(struct decoder *d, const uint8_t *h, uint64_t pos,
			uint32_t *len)
{
	unsigned type = h[5], flags = wire_get16(h + 6);
	int rc;

	d->frame_no = ++d->nframes;
	d->frame_pos = pos;
	*len = wire_get32(h + 8);
	if (h[4] != WIRE_VERSION)
		rc = bad(d, BAD, "unsupported version %u (want %u)", h[4],
			 WIRE_VERSION);
	else if (type < WIRE_HELLO || type > WIRE_END)
		rc = bad(d, BAD, "unknown type %u", type);
	else if (flags)
		rc = bad(d, BAD, "nonzero flags 0x%04x", flags);
	else if (*len > WIRE_MAX_PAYLOAD)
		rc = bad(d, BAD, "payload length %" PRIu32 " over the "
			 "maximum %u", *len, WIRE_MAX_PAYLOAD);
	else
		return 0;
	return rc ? rc : 1;
}

/* HELLO/END text: no NUL, every non-empty line "key=value". */
static const char *bad_text(const uint8_t *p, uint32_t len)
{
	const uint8_t *end = p + len;

	if (memchr(p, '\0', len))
		return "NUL byte in text";
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *le = nl ? nl : end;
		const uint8_t *eq = memchr(p, '=', (size_t)(le - p));

		if (le > p && (!eq || eq == p))
			return "text line is not key=value";
		p = le + 1;
	}
	return NULL;
}

/*
 * A NUL-terminated copy of a text payload, in buf after the header.  When
 * the frame is already in buf (in_buf) only the NUL is written.  buf is free
 * whenever a frame is decoded in place (no partial frame is pending).
 */
static char *text_copy(struct decoder *d, const uint8_t *p, uint32_t len,
		       int in_buf)
{
	uint8_t *t = d->buf + WIRE_HDR_SIZE;

	if (!in_buf)
		memcpy(t, p, len);
	t[len] = '\0';
	return (char *)t;
}

/* HELLO or END: key=value text; HELLO also fixes nseries. */
static int do_text(struct decoder *d, unsigned type, const uint8_t *p,
		   uint32_t len, int in_buf)
{
	const char *why = bad_text(p, len);
	char v[16], *e, *text;
	unsigned long n = 0;

	if (type == WIRE_HELLO && d->hello)
		return bad(d, BAD, "second HELLO");
	if (why)
		return bad(d, BAD, "%s: %s", type_name(type), why);
	if (type == WIRE_HELLO) {
		if (kv_get((const char *)p, len, "nseries", v, sizeof(v)))
			return bad(d, BAD, "HELLO without a valid nseries=");
		n = strtoul(v, &e, 10);
		if (v[0] < '0' || v[0] > '9' || *e || n < 1 ||
		    n > WIRE_MAX_SERIES)
			return bad(d, BAD, "HELLO nseries=%s not in 1..%u", v,
				   WIRE_MAX_SERIES);
	}
	d->st.frames++;
	text = text_copy(d, p, len, in_buf);
	if (type == WIRE_END) {
		d->end = 1;
		if (!d->ops->on_end)
			return 0;
		return took(d, d->ops->on_end(d->ctx, text, len));
	}
	d->hello = 1;
	d->nseries = (unsigned)n;
	memset(d->next_seq, 0, sizeof(d->next_seq));
	if (!d->ops->on_hello)
		return 0;
	return took(d, d->ops->on_hello(d->ctx, text, len));
}

static int do_samples(struct decoder *d, const uint8_t *p, uint32_t len,
		      int in_buf)
{
	const uint8_t *vp = p + WIRE_SAMPLES_HEAD;
	const uint32_t *values;
	uint64_t first, *next;
	unsigned series;
	uint32_t count;
	char msg[MSG_MAX];

	/* A frame decoded in place may end right after a short payload. */
	if (len < WIRE_SAMPLES_HEAD)
		return bad(d, BAD, "SAMPLES payload of %" PRIu32 " bytes is "
			   "shorter than its head", len);
	series = wire_get16(p);
	count = wire_get32(p + 4);
	first = wire_get64(p + 8);
	if (wire_get16(p + 2))
		return bad(d, BAD, "SAMPLES reserved field not zero");
	if (!count || len != WIRE_SAMPLES_HEAD + 4ull * count)
		return bad(d, BAD, "SAMPLES count %" PRIu32 " does not match "
			   "payload length %" PRIu32, count, len);
	if (!d->hello)
		return bad(d, BAD, "SAMPLES before HELLO");
	if (series >= d->nseries)
		return bad(d, BAD, "SAMPLES series %u out of range "
			   "(nseries %u)", series, d->nseries);
	next = &d->next_seq[series];
	if (first < *next)
		return bad(d, BAD, "series %u goes backwards (first %" PRIu64
			   ", expected %" PRIu64 ")", series, first, *next);
	if (count > UINT64_MAX - first)
		return bad(d, BAD, "series %u sequence number overflows",
			   series);
	if (first > *next) {
		snprintf(msg, sizeof(msg), "series %u: %" PRIu64 " samples "
			 "missing before seq %" PRIu64 " (frame %" PRIu64
			 " at byte %" PRIu64 ")", series, first - *next,
			 first, d->frame_no, d->frame_pos);
		if (emit(d, series, WIRE_EV_SEQ_GAP, clamp32(first - *next),
			 msg))
			return d->err;
	}
	*next = first + count;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* The values are used where they lie unless misaligned there; in
	 * buf they are always aligned (the payload starts 16 bytes into a
	 * malloc'd block). */
	if (!in_buf && ((uintptr_t)vp & 3)) {
		memcpy(d->buf + WIRE_HDR_SIZE + WIRE_SAMPLES_HEAD, vp,
		       (size_t)count * 4);
		vp = d->buf + WIRE_HDR_SIZE + WIRE_SAMPLES_HEAD;
	}
	values = (const uint32_t *)(const void *)vp;
#else
	{
		uint32_t *w = (uint32_t *)(void *)(d->buf + WIRE_HDR_SIZE +
						   WIRE_SAMPLES_HEAD);

		/* Same address when in_buf: each word is read before it is
		 * written. */
		for (uint32_t i = 0; i < count; i++)
			w[i] = wire_get32(vp + 4 * (size_t)i);
		values = w;
	}
#endif
	d->st.frames++;
	if (!d->ops->on_samples)
		return 0;
	return took(d, d->ops->on_samples(d->ctx, series, first, values,
					  count));
}

static int do_event(struct decoder *d, const uint8_t *p, uint32_t len,
		    int in_buf)
{
	unsigned series, kind;
	uint32_t code;
	char *text;

	if (len < WIRE_EVENT_HEAD)
		return bad(d, BAD, "EVENT payload of %" PRIu32 " bytes is "
			   "shorter than its head", len);
	series = wire_get16(p);
	kind = wire_get16(p + 2);
	code = wire_get32(p + 4);
	/* Kinds from WIRE_EV_BAD_CRC up describe the stream and come from
	 * the decoder only; a workload sending one would pass for one. */
	if (kind >= WIRE_EV_BAD_CRC)
		return bad(d, BAD, "EVENT kind %u is reserved for the "
			   "collector", kind);
	if (series != WIRE_NO_SERIES && series >= d->nseries)
		return bad(d, BAD, "EVENT series %u out of range (nseries %u)",
			   series, d->nseries);
	if (memchr(p + WIRE_EVENT_HEAD, '\0', len - WIRE_EVENT_HEAD))
		return bad(d, BAD, "EVENT: NUL byte in text");
	text = text_copy(d, p, len, in_buf);
	d->st.frames++;
	if (!d->ops->on_event)
		return 0;
	return took(d, d->ops->on_event(d->ctx, series, kind, code,
					text + WIRE_EVENT_HEAD));
}

/*
 * The current frame f, whole (header checked); in_buf says f is d->buf.
 * *resync is set when the CRC is bad: its bytes must be scanned again.
 * Returns 0 or the callback error.
 */
static int process_frame(struct decoder *d, const uint8_t *f, int in_buf,
			 int *resync)
{
	uint32_t len = wire_get32(f + 8), want = wire_get32(f + 12), got;
	const uint8_t *p = f + WIRE_HDR_SIZE;

	/* want: the CRC the frame carries; got: what its bytes hash to. */
	got = wire_crc32c(wire_crc32c(0, f, 12), p, len);
	*resync = got != want;
	if (*resync)
		return bad(d, WIRE_EV_BAD_CRC, "CRC mismatch (got 0x%08"
			   PRIx32 ", want 0x%08" PRIx32 ")", got, want);
	if (d->end)
		return bad(d, BAD, "%s after END", type_name(f[5]));
	if (f[5] == WIRE_SAMPLES)
		return do_samples(d, p, len, in_buf);
	if (f[5] == WIRE_EVENT)
		return do_event(d, p, len, in_buf);
	return do_text(d, f[5], p, len, in_buf);
}

/* The partial frame waits for more bytes: keep p[0..n) in buf. */
static void keep_tail(struct decoder *d, const uint8_t *p, size_t n,
		      uint64_t pos, int hdr_ok, size_t need)
{
	memcpy(d->buf, p, n);
	d->have = n;
	d->buf_pos = pos;
	d->hdr_ok = hdr_ok;
	d->need = need;
}

/*
 * Decode p[0..n) (stream offset pos) with no partial frame pending.
 * Whatever an incomplete frame at the end leaves is kept in buf.  Returns 0
 * or the callback error.
 */
static int scan_piece(struct decoder *d, const uint8_t *p, size_t n,
		      uint64_t pos)
{
	size_t i = 0;

	while (i < n) {
		size_t m = find_magic(p + i, n - i), rest, total;
		uint32_t len;
		int rc, resync;

		if (m) {
			skip(d, p + i, m, pos + i);
			i += m;
		}
		rest = n - i;
		if (rest < 4) {
			if (rest)
				keep_tail(d, p + i, rest, pos + i, 0,
					  WIRE_HDR_SIZE);
			return 0;
		}
		d->quiet = 0;
		if (flush_garbage(d))
			return d->err;
		if (rest < WIRE_HDR_SIZE) {
			keep_tail(d, p + i, rest, pos + i, 0, WIRE_HDR_SIZE);
			return 0;
		}
		rc = check_header(d, p + i, pos + i, &len);
		if (rc < 0 || d->err)
			return d->err;
		if (rc) {
			d->quiet = bad_header_quiet(len);
			i++;
			continue;
		}
		total = WIRE_HDR_SIZE + (size_t)len;
		if (rest < total) {
			keep_tail(d, p + i, rest, pos + i, 1, total);
			return 0;
		}
		if (process_frame(d, p + i, 0, &resync))
			return d->err;
		if (resync) {
			d->quiet = total - 1;
			i++;
		} else {
			i += total;
		}
	}
	return 0;
}

/*
 * Scan the pending bytes again from buf[1]: the frame there was rejected
 * (rejected != 0; quiet bytes after its magic belong to it) or its magic
 * prefix proved false (buf[0] is skipped like any other byte).
 */
static int rescan(struct decoder *d, int rejected, uint64_t quiet)
{
	uint8_t *old = d->buf;
	size_t n = d->have;
	uint64_t pos = d->buf_pos;

	d->buf = d->spare;
	d->spare = old;
	d->have = 0;
	d->hdr_ok = 0;
	d->need = WIRE_HDR_SIZE;
	if (rejected)
		d->quiet = quiet;
	else
		skip(d, old, 1, pos);
	return scan_piece(d, old + 1, n - 1, pos + 1);
}

/* Look at the pending partial frame after it grew. */
static int settle(struct decoder *d)
{
	size_t k = d->have < 4 ? d->have : 4;
	uint32_t len;
	int rc, resync;

	if (memcmp(d->buf, magic, k))
		return rescan(d, 0, 0);
	if (d->have < 4)
		return 0;
	d->quiet = 0;
	if (flush_garbage(d))
		return d->err;
	if (d->have < WIRE_HDR_SIZE)
		return 0;
	if (!d->hdr_ok) {
		rc = check_header(d, d->buf, d->buf_pos, &len);
		if (rc < 0 || d->err)
			return d->err;
		if (rc)
			return rescan(d, 1, bad_header_quiet(len));
		d->hdr_ok = 1;
		d->need = WIRE_HDR_SIZE + (size_t)len;
	}
	if (d->have < d->need)
		return 0;
	if (process_frame(d, d->buf, 1, &resync))
		return d->err;
	if (resync)
		return rescan(d, 1, d->need - 1);
	d->have = 0;
	d->hdr_ok = 0;
	d->need = WIRE_HDR_SIZE;
	return 0;
}

struct decoder *decoder_new(const struct decoder_ops *ops, void *ctx)
{
	struct decoder *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->ops = ops;
	d->ctx = ctx;
	d->need = WIRE_HDR_SIZE;
	/* Large blocks come from mmap: pages are only touched as frames
	 * need them. */
	d->buf = malloc(BUF_SIZE);
	d->spare = malloc(BUF_SIZE);
	if (!d->buf || !d->spare) {
		decoder_free(d);
		return NULL;
	}
	return d;
}

void decoder_free(struct decoder *d)
{
	if (!d)
		return;
	free(d->buf);
	free(d->spare);
	free(d);
}

int decoder_feed(struct decoder *d, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t pos = d->st.bytes;

	if (d->err)
		return d->err;
	d->st.bytes += len;
	while (len > 0) {
		size_t take;

		if (d->have == 0)
			return scan_piece(d, p, len, pos);
		/* Never take more than the pending frame needs, so that a
		 * completed frame always fills buf exactly. */
		take = d->need - d->have;
		if (take > len)
			take = len;
		memcpy(d->buf + d->have, p, take);
		d->have += take;
		p += take;
		len -= take;
		pos += take;
		if (settle(d))
			return d->err;
	}
	return 0;
}

int decoder_finish(struct decoder *d)
{
	char msg[MSG_MAX];

	if (d->err || d->finished)
		return d->err;
	d->finished = 1;
	while (d->have > 0) {
		if (d->have < 4) {
			/* A magic prefix that never completed. */
			skip(d, d->buf, d->have, d->buf_pos);
			d->have = 0;
			break;
		}
		if (!d->hdr_ok)
			d->frame_no = ++d->nframes;
		d->frame_pos = d->buf_pos;
		if (d->hdr_ok)
			snprintf(msg, sizeof(msg), "%s frame of %zu bytes cut "
				 "after %zu bytes", type_name(d->buf[5]),
				 d->need, d->have);
		else
			snprintf(msg, sizeof(msg), "header cut after %zu of %d "
				 "bytes", d->have, WIRE_HDR_SIZE);
		if (bad(d, WIRE_EV_TRUNCATED, "stream ended inside the "
			"frame: %s", msg))
			return d->err;
		/* Complete frames may follow inside the claimed length. */
		if (rescan(d, 1, d->have - 1))
			return d->err;
	}
	if (flush_garbage(d))
		return d->err;
	if (!d->end) {
		snprintf(msg, sizeof(msg), "stream ended without END after %"
			 PRIu64 " good frames%s", d->st.frames,
			 d->hello ? "" : " (and without HELLO)");
		emit(d, WIRE_NO_SERIES, WIRE_EV_TRUNCATED, 0, msg);
	}
	return d->err;
}

int decoder_seen_hello(const struct decoder *d)
{
	return d->hello;
}

int decoder_seen_end(const struct decoder *d)
{
	return d->end;
}

const struct decoder_stats *decoder_stats(const struct decoder *d)
{
	return &d->st;
}

int kv_get(const char *text, size_t len, const char *key, char *out,
	   size_t size)
{
	size_t klen = strlen(key);
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if ((size_t)(le - p) > klen && !memcmp(p, key, klen) &&
		    p[klen] == '=') {
			size_t vlen = (size_t)(le - p) - klen - 1;

			if (vlen >= size)
				return -ENOSPC;
			memcpy(out, p + klen + 1, vlen);
			out[vlen] = '\0';
			return 0;
		}
		p = le + 1;
	}
	return -ENOENT;
}
