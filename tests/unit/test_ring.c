/*
 * test_ring.c - the measuring threads' SPSC ring (workloads/ring.h):
 * push/pop, wrap-around, overflow counting with the exact position of
 * each gap, and two-thread stress runs: no loss when the consumer keeps
 * up, and exact accounting (every value at its own sequence number) when
 * it does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/ring.h"

static void test_init(void **state)
{
	struct ring r;

	(void)state;
	assert_int_equal(ring_init(&r, 0), -EINVAL);
	assert_int_equal(ring_init(&r, 1), -EINVAL);
	assert_int_equal(ring_init(&r, 3), -EINVAL);
	assert_int_equal(ring_init(&r, 1000), -EINVAL);
	assert_int_equal(ring_init(&r, 1024), 0);
	assert_int_equal(ring_capacity(&r), 1024);
	assert_int_equal(ring_used(&r), 0);
	assert_int_equal(ring_dropped(&r), 0);
	ring_free(&r);
}

static void test_push_pop(void **state)
{
	struct ring r;
	uint32_t out[16];
	uint64_t first, lost;

	(void)state;
	assert_int_equal(ring_init(&r, 8), 0);
	assert_int_equal(ring_pop_run(&r, out, 16, &first, &lost), 0);
	assert_int_equal(lost, 0);
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(ring_push(&r, 100 + i), 1);
	assert_int_equal(ring_used(&r), 5);
	/* max limits a pop. */
	assert_int_equal(ring_pop_run(&r, out, 2, &first, &lost), 2);
	assert_int_equal(first, 0);
	assert_int_equal(lost, 0);
	assert_int_equal(out[0], 100);
	assert_int_equal(out[1], 101);
	assert_int_equal(ring_pop_run(&r, out, 16, &first, &lost), 3);
	assert_int_equal(first, 2);
	assert_int_equal(out[2], 104);
	assert_int_equal(ring_pop_run(&r, out, 16, &first, &lost), 0);
	assert_int_equal(ring_pop_run(&r, out, 0, &first, &lost), 0);
	ring_free(&r);
}

static void test_wraparound(void **state)
{
	struct ring r;
	uint32_t out[8], next = 0, want = 0;
	uint64_t first, lost, seq = 0;

	(void)state;
	assert_int_equal(ring_init(&r, 8), 0);
	/* Uneven push/pop sizes so indices cross the end many times. */
	for (int round = 0; round < 1000; round++) {
		int k = 1 + round % 7;

		for (int i = 0; i < k; i++)
			assert_int_equal(ring_push(&r, next++), 1);
		while (ring_used(&r)) {
			uint32_t n = ring_pop_run(&r, out, 3, &first, &lost);

			assert_int_equal(lost, 0);
			assert_int_equal(first, seq);
			for (uint32_t i = 0; i < n; i++)
				assert_int_equal(out[i], want++);
			seq += n;
		}
	}
	assert_int_equal(ring_dropped(&r), 0);
	ring_free(&r);
}

static void test_overflow(void **state)
{
	struct ring r;
	uint32_t out[16];
	uint64_t first, lost;

	(void)state;
	assert_int_equal(ring_init(&r, 4), 0);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(ring_push(&r, i), 1);
	assert_int_equal(ring_push(&r, 4), 0); /* full: dropped */
	assert_int_equal(ring_push(&r, 5), 0);
	assert_int_equal(ring_dropped(&r), 2);
	/* Pop two, so seq 6 and 7 fit, with the gap recorded before 6. */
	assert_int_equal(ring_pop_run(&r, out, 2, &first, &lost), 2);
	assert_int_equal(first, 0);
	assert_int_equal(ring_push(&r, 6), 1);
	assert_int_equal(ring_push(&r, 7), 1);
	assert_int_equal(ring_push(&r, 8), 0);
	assert_int_equal(ring_dropped(&r), 3);
	/* The run stops at the gap ... */
	assert_int_equal(ring_pop_run(&r, out, 16, &first, &lost), 2);
	assert_int_equal(first, 2);
	assert_int_equal(lost, 0);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 3);
	/* ... and the next one reports it. */
	assert_int_equal(ring_pop_run(&r, out, 16, &first, &lost), 2);
	assert_int_equal(lost, 2);
	assert_int_equal(first, 6);
	assert_int_equal(out[0], 6);
	assert_int_equal(out[1], 7);
	assert_int_equal(ring_pop_run(&r, out, 16, &first, &lost), 0);
	/* The drop of 8 has no value after it yet. */
	assert_int_equal(ring_trailing_lost(&r), 1);
	assert_int_equal(ring_push(&r, 9), 1);
	assert_int_equal(ring_trailing_lost(&r), 0);
	assert_int_equal(ring_pop_run(&r, out, 16, &first, &lost), 1);
	assert_int_equal(lost, 1);
	assert_int_equal(first, 9);
	assert_int_equal(out[0], 9);
	ring_free(&r);
}

/*
 * More unconsumed drop episodes than the gap log holds: the producer then
 * drops values it had room for, so that no gap position is ever lost.
 * Every value must still come out at its own sequence number.
 */
static void test_gap_log_full(void **state)
{
	struct ring r;
	uint32_t out[64], seq = 0;
	uint64_t first, lost, got = 0, lost_total = 0;
	int saw_log_full = 0;

	(void)state;
	assert_int_equal(ring_init(&r, 128), 0);
	for (uint32_t i = 0; i < 128; i++)
		assert_int_equal(ring_push(&r, seq++), 1);
	/* Each round: consume one, then one push fits and one is dropped,
	 * which leaves one gap record per round. */
	for (int round = 0; round < 300; round++) {
		uint32_t n = ring_pop_run(&r, out, 1, &first, &lost);

		if (n) {
			assert_int_equal(out[0], (uint32_t)first);
			lost_total += lost;
			got += n;
		}
		if (!ring_push(&r, seq++) && ring_used(&r) < ring_capacity(&r))
			saw_log_full = 1;
		ring_push(&r, seq++);
	}
	assert_true(saw_log_full);
	for (;;) {
		uint32_t n = ring_pop_run(&r, out, 64, &first, &lost);

		if (!n)
			break;
		lost_total += lost;
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(out[i], (uint32_t)(first + i));
		got += n;
	}
	assert_int_equal(got + lost_total + ring_trailing_lost(&r), seq);
	assert_int_equal(ring_dropped(&r), lost_total + ring_trailing_lost(&r));
	ring_free(&r);
}

#define STRESS_N 5000000u

struct stress {
	struct ring r;
	int backpressure; /* producer waits for room: the consumer keeps up */
};

/* struct ring is cache-line aligned: calloc() only promises 16. */
static struct stress *new_stress(void)
{
	void *p = NULL;

	if (posix_memalign(&p, 64, sizeof(struct stress)))
		return NULL;
	memset(p, 0, sizeof(struct stress));
	return p;
}

static void *producer(void *arg)
{
	struct stress *s = arg;

	for (uint32_t i = 0; i < STRESS_N; i++) {
		if (s->backpressure)
			while (ring_used(&s->r) >= ring_capacity(&s->r))
				sched_yield();
		ring_push(&s->r, i);
	}
	return NULL;
}

/* Consume everything; every value must equal its sequence number. */
static void consume(struct stress *s, pthread_t th, uint64_t *got,
		    uint64_t *lost_total)
{
	static uint32_t out[4096];
	uint64_t first, lost, expect = 0;
	int done = 0;

	*got = *lost_total = 0;
	for (;;) {
		uint32_t n = ring_pop_run(&s->r, out, 4096, &first, &lost);

		if (n) {
			*lost_total += lost;
			assert_true(first == expect + lost);
			for (uint32_t i = 0; i < n; i++)
				if (out[i] != (uint32_t)(first + i))
					fail_msg("value %u at seq %llu", out[i],
						 (unsigned long long)(first + i));
			expect = first + n;
			*got += n;
		} else if (done) {
			break;
		} else if (*got + ring_dropped(&s->r) >= STRESS_N) {
			pthread_join(th, NULL);
			done = 1; /* one more pass for the last values */
		}
	}
}

static void test_stress_no_loss(void **state)
{
	struct stress *s = new_stress();
	uint64_t got, lost;
	pthread_t th;

	(void)state;
	assert_non_null(s);
	assert_int_equal(ring_init(&s->r, 1024), 0);
	s->backpressure = 1;
	assert_int_equal(pthread_create(&th, NULL, producer, s), 0);
	consume(s, th, &got, &lost);
	assert_int_equal(got, STRESS_N);
	assert_int_equal(lost, 0);
	assert_int_equal(ring_dropped(&s->r), 0);
	ring_free(&s->r);
	free(s);
}

static void test_stress_with_loss(void **state)
{
	struct stress *s = new_stress();
	uint64_t got, lost;
	pthread_t th;

	(void)state;
	assert_non_null(s);
	assert_int_equal(ring_init(&s->r, 64), 0);
	assert_int_equal(pthread_create(&th, NULL, producer, s), 0);
	consume(s, th, &got, &lost);
	print_message("stress: %llu delivered, %llu lost\n",
		      (unsigned long long)got,
		      (unsigned long long)(lost + ring_trailing_lost(&s->r)));
	assert_int_equal(got + lost + ring_trailing_lost(&s->r), STRESS_N);
	assert_int_equal(ring_dropped(&s->r), lost + ring_trailing_lost(&s->r));
	ring_free(&s->r);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_push_pop),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_gap_log_full),
		cmocka_unit_test(test_stress_no_loss),
		cmocka_unit_test(test_stress_with_loss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
