/*
 * ring.h - single-producer / single-consumer ring of u32 samples.
 *
 * The measuring thread pushes one latency per wake-up; the writer thread
 * drains.  Push never blocks, never makes a syscall, never takes a lock or
 * allocates: when the ring is full the sample is dropped and counted, as
 * jitterdebugger's jd_utils.c ring does.
 *
 * Unlike a bare counter, the ring also remembers *where* samples were
 * dropped, so the consumer can give every value its exact sequence number
 * (loop index) and the wire stream shows the gap in SAMPLES.first.  Drops
 * happen only while the ring is full; the producer keeps the run of drops
 * private and, at its next successful push, publishes one (position, lost)
 * record in a small side log.  If that log is full too, the sample is
 * dropped as well, so a position is never lost - only more samples.
 *
 * Indices are free-running 64-bit counters (never wrap in practice);
 * slot = index & mask.  head/tail sit on separate cache lines so producer
 * and consumer do not false-share.
 */
#ifndef ISOLAT_RING_H
#define ISOLAT_RING_H

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RING_GAPS 64 /* power of two */

struct ring_gap {
	uint64_t at;   /* value index the gap precedes */
	uint64_t lost; /* samples dropped there */
};

struct ring {
	/* Producer side. */
	_Alignas(64) _Atomic uint64_t head;  /* values published */
	_Atomic uint64_t ghead;              /* gap records published */
	_Atomic uint64_t dropped;            /* total lost (for stats) */
	uint64_t pending;                    /* lost, not yet published */
	/* Consumer side. */
	_Alignas(64) _Atomic uint64_t tail;
	_Atomic uint64_t gtail;
	uint64_t cseq;                       /* sequence of value at tail */
	/* Shared, read-only after init. */
	_Alignas(64) uint32_t *buf;
	uint64_t mask;
	struct ring_gap gaps[RING_GAPS];
};

/*
 * Allocate and prefault a ring of cap values (a power of two >= 2).
 * Returns 0 or -EINVAL / -ENOMEM.  Not for the measuring path.
 */
static inline int ring_init(struct ring *r, uint64_t cap)
{
	void *p = NULL;

	if (cap < 2 || (cap & (cap - 1)) || cap > (1ull << 32))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	if (posix_memalign(&p, 64, cap * sizeof(uint32_t)))
		return -ENOMEM;
	memset(p, 0, cap * sizeof(uint32_t)); /* touch every page now */
	r->buf = p;
	r->mask = cap - 1;
	return 0;
}

static inline void ring_free(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

static inline uint64_t ring_capacity(const struct ring *r)
{
	return r->mask + 1;
}

/*
 * Producer: store v.  Returns 1, or 0 when it was dropped (ring full).
 * Wait-free: two atomic loads, plain stores, one or two release stores.
 */
static inline int ring_push(struct ring *r, uint32_t v)
{
	uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (h - t > r->mask)
		goto drop;
	if (r->pending) {
		uint64_t gh = atomic_load_explicit(&r->ghead,
						   memory_order_relaxed);
		uint64_t gt = atomic_load_explicit(&r->gtail,
						   memory_order_acquire);

		if (gh - gt >= RING_GAPS)
			goto drop;
		r->gaps[gh & (RING_GAPS - 1)] =
			(struct ring_gap){ .at = h, .lost = r->pending };
		/* Published before the value it precedes (release order),
		 * so a consumer that sees value h also sees the record. */
		atomic_store_explicit(&r->ghead, gh + 1, memory_order_release);
		r->pending = 0;
	}
	r->buf[h & r->mask] = v;
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return 1;
drop:
	r->pending++;
	atomic_store_explicit(&r->dropped,
			      atomic_load_explicit(&r->dropped,
						   memory_order_relaxed) + 1,
			      memory_order_relaxed);
	return 0;
}

/* Total samples dropped so far (any thread). */
static inline uint64_t ring_dropped(struct ring *r)
{
	return atomic_load_explicit(&r->dropped, memory_order_relaxed);
}

/* Values waiting for the consumer (approximate from other threads). */
static inline uint64_t ring_used(struct ring *r)
{
	return atomic_load_explicit(&r->head, memory_order_acquire) -
	       atomic_load_explicit(&r->tail, memory_order_acquire);
}

/*
 * Consumer: pop up to max values that are contiguous in sequence.
 * *first = sequence number of out[0]; *lost = samples dropped just before
 * it (0 normally).  Returns the number popped; 0 with *lost > 0 cannot
 * happen (a gap is reported together with the value after it).  Call
 * again until it returns 0: a gap ends one run and starts the next.
 */
static inline uint32_t ring_pop_run(struct ring *r, uint32_t *out,
				    uint32_t max, uint64_t *first,
				    uint64_t *lost)
{
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint64_t h = atomic_load_explicit(&r->head, memory_order_acquire);
	uint64_t gt = atomic_load_explicit(&r->gtail, memory_order_relaxed);
	uint64_t gh = atomic_load_explicit(&r->ghead, memory_order_acquire);
	uint64_t limit = h, n, i;

	*lost = 0;
	if (t == h || max == 0) {
		*first = r->cseq;
		return 0;
	}
	if (gt != gh && r->gaps[gt & (RING_GAPS - 1)].at == t) {
		*lost = r->gaps[gt & (RING_GAPS - 1)].lost;
		r->cseq += *lost;
		gt++;
		atomic_store_explicit(&r->gtail, gt, memory_order_release);
	}
	/* Stop before the next gap so out[] has no hole. */
	if (gt != gh && r->gaps[gt & (RING_GAPS - 1)].at < limit)
		limit = r->gaps[gt & (RING_GAPS - 1)].at;
	n = limit - t;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		out[i] = r->buf[(t + i) & r->mask];
	*first = r->cseq;
	r->cseq += n;
	atomic_store_explicit(&r->tail, t + n, memory_order_release);
	return (uint32_t)n;
}

/*
 * Consumer, once the producer has stopped (joined): samples dropped after
 * the last stored value, which no later push will publish.
 */
static inline uint64_t ring_trailing_lost(const struct ring *r)
{
	return r->pending;
}

#endif
