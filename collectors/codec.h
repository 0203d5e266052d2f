/*
 * codec.h - the sample chunk codec: how samples are kept in the database.
 *
 * A chunk is up to CODEC_CHUNK_SAMPLES consecutive u32 values of one series
 * (one row of table `chunks`).  The blob is self-describing; format "RANS1"
 * is documented at the top of codec.c.  Decoding validates everything it
 * reads: a corrupt blob yields -EINVAL, never a crash or an over-read.
 */
#ifndef ISOLAT_CODEC_H
#define ISOLAT_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CODEC_CHUNK_SAMPLES 65536u

/* Upper bound of the encoded size of n values (for sizing out). */
size_t codec_bound(uint32_t n);

/*
 * Encode n values (1 <= n <= CODEC_CHUNK_SAMPLES) into out (cap bytes,
 * cap >= codec_bound(n)).  Returns the encoded size, or -EINVAL / -ENOSPC.
 * Thread-compatible: no global state.
 */
ssize_t codec_encode(const uint32_t *values, uint32_t n, uint8_t *out,
		     size_t cap);

/* Number of values in a blob (from its header), or -EINVAL. */
ssize_t codec_count(const uint8_t *blob, size_t len);

/*
 * Decode a blob into values (room for cap values).  Returns the number of
 * values, or -EINVAL on any inconsistency, -ENOSPC if cap is too small.
 */
ssize_t codec_decode(const uint8_t *blob, size_t len, uint32_t *values,
		     size_t cap);

#endif
