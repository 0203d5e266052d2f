/*
 * chunk_writer.h - encode and store full chunks on a second thread.
 *
 * The collector's main thread decodes, counts and buffers; encoding a
 * 64 Ki-sample chunk and writing it to SQLite is the expensive part, so it
 * runs here, overlapped with the next chunk's decoding.  Buffers come from a
 * pool of (series + CHUNK_WRITER_BUFFERS); asking for one waits while all
 * are queued, which bounds memory.  Jobs are written in submission order.
 *
 * The store connection is shared: SQLite is built serialized (threadsafe=1)
 * on Debian and store_open() checks it; the caller must drain before it
 * commits.
 */
#ifndef ISOLAT_CHUNK_WRITER_H
#define ISOLAT_CHUNK_WRITER_H

#include <stdint.h>

#include "collectors/store.h"

#define CHUNK_WRITER_BUFFERS 6

struct chunk_writer;

/* NULL on ENOMEM or when the thread cannot start. */
struct chunk_writer *chunk_writer_new(struct store *st);
/* Drains, stops the thread, frees every buffer. */
void chunk_writer_free(struct chunk_writer *w);

/* The caller will hold `held` buffers at once (one per series) besides
 * those in flight; call before the first submit.  0, -ENOMEM or -EBUSY. */
int chunk_writer_reserve(struct chunk_writer *w, unsigned held);
/* A free buffer of CODEC_CHUNK_SAMPLES values; waits for one.  NULL after
 * a write failed (see chunk_writer_drain). */
uint32_t *chunk_writer_buffer(struct chunk_writer *w);
/* Queue buf (from chunk_writer_buffer) holding n values; the writer owns it
 * from here.  Returns a previous write's error, or 0. */
int chunk_writer_submit(struct chunk_writer *w, int64_t series_id,
			uint32_t chunk_no, uint64_t first_seq, uint32_t *buf,
			uint32_t n);
/* Give a buffer back unused. */
void chunk_writer_release(struct chunk_writer *w, uint32_t *buf);
/* Wait until every queued chunk is written; 0 or the first error. */
int chunk_writer_drain(struct chunk_writer *w);
/* Bytes of encoded chunks written so far. */
uint64_t chunk_writer_bytes(struct chunk_writer *w);

#endif
