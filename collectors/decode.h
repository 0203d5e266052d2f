/*
 * decode.h - incremental decoder for the wire format (workloads/wire.h).
 *
 * Bytes arrive in arbitrary pieces (pipe reads, console reads); the decoder
 * buffers at most one frame, validates it (magic, version, type, flags,
 * length, CRC, payload shape) and hands good frames to callbacks.  Anything
 * wrong becomes a decoder event (WIRE_EV_BAD_CRC, ...) handed to on_event,
 * after which it resyncs on the next magic.  It never crashes; it allocates
 * two frame buffers (WIRE_MAX_PAYLOAD + header each) in decoder_new() and
 * nothing per frame.
 *
 * Events about the stream (series WIRE_NO_SERIES unless said otherwise):
 *   WIRE_EV_BAD_CRC, WIRE_EV_BAD_FRAME  code = ordinal of the frame
 *   WIRE_EV_GARBAGE    code = bytes skipped (one event per run of them)
 *   WIRE_EV_TRUNCATED  code = ordinal of the cut frame, or 0 for "no END"
 *   WIRE_EV_SEQ_GAP    series = the series, code = samples missing (the
 *                      frame is still delivered; a frame going backwards is
 *                      a BAD_FRAME and is not delivered).  Each series
 *                      starts at sequence number 0.
 * Messages name the frame ordinal and its stream byte offset.
 */
#ifndef ISOLAT_DECODE_H
#define ISOLAT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "../workloads/wire.h"

/* Any callback may be NULL.  A non-zero return stops decoding. */
struct decoder_ops {
	/* text is "key=value\n" lines, NUL-terminated copy, len excludes NUL */
	int (*on_hello)(void *ctx, const char *text, size_t len);
	/* values (4-byte aligned) point into the decoder's buffer or into
	 * the bytes being fed: valid during the call only.  On little-endian
	 * hosts they are copied at most once, and not at all when the frame
	 * lies whole and aligned in one decoder_feed() piece. */
	int (*on_samples)(void *ctx, unsigned series, uint64_t first,
			  const uint32_t *values, uint32_t count);
	/* Events sent by the workload and events about the stream itself
	 * (kind >= WIRE_EV_BAD_CRC). msg is NUL-terminated. */
	int (*on_event)(void *ctx, unsigned series, unsigned kind,
			uint32_t code, const char *msg);
	int (*on_end)(void *ctx, const char *text, size_t len);
};

struct decoder_stats {
	uint64_t bytes;        /* fed in total */
	uint64_t frames;       /* good frames */
	uint64_t bad_frames;   /* rejected frames (crc, shape) */
	uint64_t garbage;      /* bytes skipped outside frames */
};

struct decoder;

/* Returns NULL on ENOMEM. */
struct decoder *decoder_new(const struct decoder_ops *ops, void *ctx);
void decoder_free(struct decoder *d);

/*
 * Feed bytes.  Returns 0, or the first non-zero value a callback returned
 * (decoding stops there; that is the caller's own error).
 */
int decoder_feed(struct decoder *d, const void *buf, size_t len);

/*
 * The stream ended.  Reports WIRE_EV_TRUNCATED if it ended inside a frame or
 * no END frame was seen.  Returns as decoder_feed.
 */
int decoder_finish(struct decoder *d);

int decoder_seen_hello(const struct decoder *d);
int decoder_seen_end(const struct decoder *d);
const struct decoder_stats *decoder_stats(const struct decoder *d);

/* Parse one key from "k=v\n" text: copies the value into out (NUL-terminated)
 * and returns 0, or -ENOENT / -ENOSPC. */
int kv_get(const char *text, size_t len, const char *key, char *out,
	   size_t size);

#endif
