/*
 * wl_writer.c - how isolat-wl's workloads put their results on the wire:
 * per-series frame staging (so 1 kHz does not become 1000 tiny frames a
 * second), events (also echoed on stderr for a person watching), and the
 * key=value texts of HELLO and END.
 *
 * Only the writer side (main thread on the housekeeping CPU) calls these;
 * never a measuring thread.
 */
#include "workloads/wl.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t wl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *wl_policy_name(int policy)
{
	switch (policy) {
	case SCHED_FIFO: return "fifo";
	case SCHED_RR: return "rr";
	case SCHED_OTHER: return "other";
	default: return "unknown";
	}
}

const char *wl_sched_name(int policy)
{
	switch (policy) {
	case SCHED_FIFO: return "SCHED_FIFO";
	case SCHED_RR: return "SCHED_RR";
	case SCHED_OTHER: return "SCHED_OTHER";
#ifdef SCHED_BATCH
	case SCHED_BATCH: return "SCHED_BATCH";
#endif
#ifdef SCHED_IDLE
	case SCHED_IDLE: return "SCHED_IDLE";
#endif
	default: return "unknown";
	}
}

/* Remember the first write error; later writes are skipped. */
static int out_result(struct wl_out *out, int rc)
{
	if (rc < 0 && !out->err) {
		out->err = rc;
		fprintf(stderr, "isolat-wl: writing the stream to fd %d: %s\n",
			out->fd, strerror(-rc));
	}
	return rc;
}

int wl_stage_init(struct wl_stage *st)
{
	memset(st, 0, sizeof(*st));
	st->vals = malloc(WL_FRAME_VALUES * sizeof(uint32_t));
	if (!st->vals)
		return -ENOMEM;
	memset(st->vals, 0, WL_FRAME_VALUES * sizeof(uint32_t));
	return 0;
}

void wl_stage_free(struct wl_stage *st)
{
	free(st->vals);
	st->vals = NULL;
}

int wl_stage_flush(struct wl_out *out, struct wl_stage *st, unsigned series)
{
	int rc = 0;

	if (!st->n)
		return 0;
	if (!out->err)
		rc = out_result(out, wire_write_samples(out->fd, series,
							st->first, st->vals,
							st->n));
	if (rc == 0)
		st->delivered += st->n;
	st->first += st->n;
	st->n = 0;
	return rc < 0 ? rc : out->err;
}

int wl_stage_put(struct wl_out *out, struct wl_stage *st, unsigned series,
		 uint64_t first, const uint32_t *v, uint32_t n)
{
	int rc;

	if (st->n && first != st->first + st->n) {
		if ((rc = wl_stage_flush(out, st, series)))
			return rc;
	}
	while (n) {
		uint32_t k = WL_FRAME_VALUES - st->n;

		if (k > n)
			k = n;
		if (!st->n) {
			st->first = first;
			st->since_ns = wl_now_ns();
		}
		memcpy(st->vals + st->n, v, (size_t)k * sizeof(*v));
		st->n += k;
		v += k;
		n -= k;
		first += k;
		if (st->n == WL_FRAME_VALUES &&
		    (rc = wl_stage_flush(out, st, series)))
			return rc;
	}
	return out->err;
}

int wl_stage_tick(struct wl_out *out, struct wl_stage *st, unsigned series,
		  uint64_t now_ns)
{
	if (st->n && now_ns >= st->since_ns + WL_FLUSH_NS)
		return wl_stage_flush(out, st, series);
	return out->err;
}

int wl_event(struct wl_out *out, unsigned series, unsigned kind,
	     uint32_t code, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "isolat-wl: %s: %s\n", wire_event_name(kind), msg);
	if (out->err)
		return out->err;
	return out_result(out, wire_write_event(out->fd, series, kind, code,
						msg));
}

void wl_kv_init(struct wl_kv *kv)
{
	memset(kv, 0, sizeof(*kv));
}

void wl_kv_free(struct wl_kv *kv)
{
	free(kv->buf);
	wl_kv_init(kv);
}

static void kv_reserve(struct wl_kv *kv, size_t more)
{
	size_t cap = kv->cap ? kv->cap : 1024;
	char *p;

	if (kv->err || kv->len + more + 1 <= kv->cap)
		return;
	while (cap < kv->len + more + 1)
		cap *= 2;
	p = realloc(kv->buf, cap);
	if (!p) {
		kv->err = -ENOMEM;
		return;
	}
	kv->buf = p;
	kv->cap = cap;
}

void wl_kv_add(struct wl_kv *kv, const char *key, const char *fmt, ...)
{
	va_list ap;
	size_t klen = strlen(key), start;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		kv->err = -EINVAL;
		return;
	}
	kv_reserve(kv, klen + 2 + (size_t)n);
	if (kv->err)
		return;
	memcpy(kv->buf + kv->len, key, klen);
	kv->buf[kv->len + klen] = '=';
	start = kv->len + klen + 1;
	va_start(ap, fmt);
	vsnprintf(kv->buf + start, (size_t)n + 1, fmt, ap);
	va_end(ap);
	/* One fact per line: a newline inside a value (a cmdline read with
	 * its trailing '\n', a hostile cgroup name) would forge a key. */
	for (size_t i = start; i < start + (size_t)n; i++)
		if ((unsigned char)kv->buf[i] < 0x20 || kv->buf[i] == 0x7f)
			kv->buf[i] = ' ';
	kv->len = start + (size_t)n;
	kv->buf[kv->len++] = '\n';
	kv->buf[kv->len] = '\0';
}

int wl_kv_send(struct wl_out *out, unsigned type, struct wl_kv *kv)
{
	if (kv->err)
		return kv->err;
	if (kv->len > WIRE_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (out->err)
		return out->err;
	return out_result(out, wire_write_frame(out->fd, type, kv->buf,
						(uint32_t)kv->len));
}

int wl_send_end(struct wl_out *out, const char *status,
		const struct wl_result *res, unsigned n)
{
	return wl_send_end_kv(out, status, res, n, NULL);
}

int wl_send_end_kv(struct wl_out *out, const char *status,
		   const struct wl_result *res, unsigned n,
		   const struct wl_kv *extra)
{
	struct wl_kv kv;
	char key[64];
	int rc;

	wl_kv_init(&kv);
	wl_kv_add(&kv, "status", "%s", status);
	for (unsigned i = 0; i < n; i++) {
		const struct wl_result *r = &res[i];

#define SKEY(name) (snprintf(key, sizeof(key), "series.%u." name, i), key)
		wl_kv_add(&kv, SKEY("count"), "%llu",
			  (unsigned long long)r->count);
		wl_kv_add(&kv, SKEY("dropped"), "%llu",
			  (unsigned long long)r->dropped);
		wl_kv_add(&kv, SKEY("max"), "%u", r->max);
		wl_kv_add(&kv, SKEY("overruns"), "%llu",
			  (unsigned long long)r->overruns);
		wl_kv_add(&kv, SKEY("policy"), "%s",
			  r->policy < 0 ? "unknown" : wl_sched_name(r->policy));
		if (r->priority >= 0)
			wl_kv_add(&kv, SKEY("priority"), "%d", r->priority);
		else
			wl_kv_add(&kv, SKEY("priority"), "unknown");
#undef SKEY
	}
	/* extra's lines are already sanitized "key=value\n" text. */
	if (extra && extra->err)
		kv.err = extra->err;
	else if (extra && extra->len) {
		kv_reserve(&kv, extra->len);
		if (!kv.err) {
			memcpy(kv.buf + kv.len, extra->buf, extra->len);
			kv.len += extra->len;
			kv.buf[kv.len] = '\0';
		}
	}
	rc = wl_kv_send(out, WIRE_END, &kv);
	wl_kv_free(&kv);
	return rc;
}
