/*
 * chunk_writer.c - see chunk_writer.h.
 */
#include "collectors/chunk_writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "collectors/codec.h"

struct job {
	int64_t series_id;
	uint32_t chunk_no, n;
	uint64_t first_seq;
	uint32_t *buf;
};

struct chunk_writer {
	struct store *st;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed; /* any state change: job, free buffer, done */
	uint32_t **free_bufs;   /* room for `limit` */
	unsigned nfree, allocated, limit;
	struct job *queue;      /* FIFO ring of `limit` jobs */
	unsigned head, count;
	int busy;    /* the thread is writing a job it took off the queue */
	int stop;
	int error;   /* first negative errno */
	uint64_t bytes;
	uint8_t *blob;
	size_t blob_cap;
};

static void *writer_main(void *arg)
{
	struct chunk_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct job j;
		ssize_t len;
		int rc = 0;

		while (!w->count && !w->stop)
			pthread_cond_wait(&w->changed, &w->lock);
		if (!w->count)
			break;
		j = w->queue[w->head];
		w->head = (w->head + 1) % w->limit;
		w->count--;
		w->busy = 1;
		pthread_mutex_unlock(&w->lock);

		len = codec_encode(j.buf, j.n, w->blob, w->blob_cap);
		if (len < 0)
			rc = (int)len;
		else
			rc = store_chunk_put(w->st, j.series_id, j.chunk_no,
					     j.first_seq, j.n, w->blob,
					     (size_t)len);

		pthread_mutex_lock(&w->lock);
		if (rc < 0 && !w->error)
			w->error = rc;
		if (rc == 0)
			w->bytes += (uint64_t)len;
		w->free_bufs[w->nfree++] = j.buf;
		w->busy = 0;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct chunk_writer *chunk_writer_new(struct store *st)
{
	struct chunk_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->st = st;
	w->blob_cap = codec_bound(CODEC_CHUNK_SAMPLES);
	w->blob = malloc(w->blob_cap);
	w->limit = CHUNK_WRITER_BUFFERS;
	w->free_bufs = calloc(w->limit, sizeof(*w->free_bufs));
	w->queue = calloc(w->limit, sizeof(*w->queue));
	if (!w->blob || !w->free_bufs || !w->queue)
		goto fail;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->changed);
		goto fail;
	}
	return w;
fail:
	free(w->free_bufs);
	free(w->queue);
	free(w->blob);
	free(w);
	return NULL;
}

int chunk_writer_drain(struct chunk_writer *w)
{
	int rc;

	pthread_mutex_lock(&w->lock);
	while (w->count || w->busy)
		pthread_cond_wait(&w->changed, &w->lock);
	rc = w->error;
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void chunk_writer_free(struct chunk_writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->changed);
	/* Callers give their buffers back (chunk_writer_release) before
	 * this; anything still out is theirs to free. */
	for (unsigned i = 0; i < w->nfree; i++)
		free(w->free_bufs[i]);
	free(w->free_bufs);
	free(w->queue);
	free(w->blob);
	free(w);
}

int chunk_writer_reserve(struct chunk_writer *w, unsigned held)
{
	unsigned limit = held + CHUNK_WRITER_BUFFERS;
	uint32_t **fb;
	struct job *q;
	int rc = 0;

	pthread_mutex_lock(&w->lock);
	if (limit <= w->limit)
		goto out;
	if (w->count || w->busy) {
		rc = -EBUSY; /* only before the first chunk is queued */
		goto out;
	}
	fb = realloc(w->free_bufs, limit * sizeof(*fb));
	if (fb)
		w->free_bufs = fb;
	q = fb ? realloc(w->queue, limit * sizeof(*q)) : NULL;
	if (!q) {
		rc = -ENOMEM;
		goto out;
	}
	w->queue = q;
	w->head = 0;
	w->limit = limit;
out:
	pthread_mutex_unlock(&w->lock);
	return rc;
}

uint32_t *chunk_writer_buffer(struct chunk_writer *w)
{
	uint32_t *buf = NULL;

	pthread_mutex_lock(&w->lock);
	while (!w->nfree && w->allocated == w->limit && !w->error)
		pthread_cond_wait(&w->changed, &w->lock);
	if (w->nfree) {
		buf = w->free_bufs[--w->nfree];
	} else if (w->allocated < w->limit && !w->error) {
		buf = malloc(CODEC_CHUNK_SAMPLES * sizeof(*buf));
		if (buf)
			w->allocated++;
		else
			w->error = -ENOMEM;
	}
	pthread_mutex_unlock(&w->lock);
	return buf;
}

void chunk_writer_release(struct chunk_writer *w, uint32_t *buf)
{
	if (!buf)
		return;
	pthread_mutex_lock(&w->lock);
	w->free_bufs[w->nfree++] = buf;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

int chunk_writer_submit(struct chunk_writer *w, int64_t series_id,
			uint32_t chunk_no, uint64_t first_seq, uint32_t *buf,
			uint32_t n)
{
	int rc;

	pthread_mutex_lock(&w->lock);
	/* Never more jobs than buffers, so the ring cannot overflow. */
	w->queue[(w->head + w->count) % w->limit] =
		(struct job){series_id, chunk_no, n, first_seq, buf};
	w->count++;
	rc = w->error;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

uint64_t chunk_writer_bytes(struct chunk_writer *w)
{
	uint64_t b;

	pthread_mutex_lock(&w->lock);
	b = w->bytes;
	pthread_mutex_unlock(&w->lock);
	return b;
}
