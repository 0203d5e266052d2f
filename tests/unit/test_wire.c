/*
 * test_wire.c - the wire format's writer side: CRC-32C (known vectors,
 * chaining, hardware path == table path), header encoding, and the frame
 * writers read back byte by byte, including through a non-blocking socket
 * that forces short writes and EAGAIN.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "workloads/wire.h"

static void test_crc_vectors(void **state)
{
	uint8_t buf[32];

	(void)state;
	assert_int_equal(wire_crc32c(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(wire_crc32c_sw(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(wire_crc32c(0, "", 0), 0);
	/* RFC 3720 (iSCSI) B.4 test vectors. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(wire_crc32c(0, buf, 32), 0x8A9136AAu);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(wire_crc32c(0, buf, 32), 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(wire_crc32c(0, buf, 32), 0x46DD794Eu);
	assert_int_equal(wire_crc32c_sw(0, buf, 32), 0x46DD794Eu);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)(31 - i);
	assert_int_equal(wire_crc32c(0, buf, 32), 0x113FDB5Cu);
}

static void test_crc_chaining(void **state)
{
	uint8_t buf[1000];

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (size_t cut = 0; cut <= sizeof(buf); cut += 37) {
		uint32_t whole = wire_crc32c(0, buf, sizeof(buf));

		assert_int_equal(wire_crc32c(wire_crc32c(0, buf, cut), buf + cut,
					     sizeof(buf) - cut), whole);
		assert_int_equal(wire_crc32c_sw(wire_crc32c_sw(0, buf, cut),
						buf + cut, sizeof(buf) - cut),
				 whole);
	}
}

/* Hardware and table paths agree on every length and alignment. */
static void test_crc_hw_equals_sw(void **state)
{
	enum { MAX = 4200 };
	uint8_t *buf = malloc(MAX + 64);

	(void)state;
	assert_non_null(buf);
	srand(12345);
	for (size_t i = 0; i < MAX + 64; i++)
		buf[i] = (uint8_t)rand();
	if (!wire_crc32c_hw_active())
		print_message("note: no SSE4.2 here; comparing sw with sw\n");
	for (size_t align = 0; align < 16; align++)
		for (size_t len = 0; len < MAX; len = len < 80 ? len + 1
							      : len * 3 / 2 + 1) {
			uint32_t seed = (uint32_t)rand();

			assert_int_equal(wire_crc32c(seed, buf + align, len),
					 wire_crc32c_sw(seed, buf + align, len));
		}
	free(buf);
}

static void test_event_names(void **state)
{
	(void)state;
	assert_string_equal(wire_event_name(WIRE_EV_INFO), "info");
	assert_string_equal(wire_event_name(WIRE_EV_WARNING), "warning");
	assert_string_equal(wire_event_name(WIRE_EV_ERROR), "error");
	assert_string_equal(wire_event_name(WIRE_EV_RING_OVERFLOW),
			    "ring_overflow");
	assert_string_equal(wire_event_name(WIRE_EV_PRIO_FAILED), "prio_failed");
	assert_string_equal(wire_event_name(WIRE_EV_AFFINITY_FAILED),
			    "affinity_failed");
	assert_string_equal(wire_event_name(WIRE_EV_MLOCK_FAILED),
			    "mlock_failed");
	assert_string_equal(wire_event_name(WIRE_EV_DMA_LATENCY_FAILED),
			    "dma_latency_failed");
	assert_string_equal(wire_event_name(WIRE_EV_BAD_CRC), "bad_crc");
	assert_string_equal(wire_event_name(WIRE_EV_BAD_FRAME), "bad_frame");
	assert_string_equal(wire_event_name(WIRE_EV_TRUNCATED), "truncated");
	assert_string_equal(wire_event_name(WIRE_EV_GARBAGE), "garbage");
	assert_string_equal(wire_event_name(WIRE_EV_SEQ_GAP), "seq_gap");
	assert_string_equal(wire_event_name(0), "unknown");
	assert_string_equal(wire_event_name(WIRE_EV_NET_LOST), "net_lost");
	assert_string_equal(wire_event_name(WIRE_EV_NET_LATE), "net_late");
	assert_string_equal(wire_event_name(11), "unknown");
	assert_string_equal(wire_event_name(63), "unknown");
	assert_string_equal(wire_event_name(69), "unknown");
	assert_string_equal(wire_event_name(0xffffffffu), "unknown");
}

static void test_header(void **state)
{
	const char payload[] = "workload=rtlat\n";
	uint32_t len = sizeof(payload) - 1;
	uint8_t hdr[WIRE_HDR_SIZE];

	(void)state;
	wire_put_header(hdr, WIRE_HELLO, payload, len);
	assert_memory_equal(hdr, "ISL\x01", 4);
	assert_int_equal(wire_get32(hdr), WIRE_MAGIC);
	assert_int_equal(hdr[4], WIRE_VERSION);
	assert_int_equal(hdr[5], WIRE_HELLO);
	assert_int_equal(wire_get16(hdr + 6), 0);
	assert_int_equal(wire_get32(hdr + 8), len);
	assert_int_equal(wire_get32(hdr + 12),
			 wire_crc32c(wire_crc32c(0, hdr, 12), payload, len));
	/* Empty payload: CRC over the 12 header bytes only. */
	wire_put_header(hdr, WIRE_END, NULL, 0);
	assert_int_equal(wire_get32(hdr + 8), 0);
	assert_int_equal(wire_get32(hdr + 12), wire_crc32c(0, hdr, 12));
}

static void test_le_helpers(void **state)
{
	uint8_t b[8];

	(void)state;
	wire_le16(b, 0x1234);
	assert_int_equal(b[0], 0x34);
	assert_int_equal(wire_get16(b), 0x1234);
	wire_le32(b, 0xdeadbeef);
	assert_int_equal(b[0], 0xef);
	assert_int_equal(wire_get32(b), 0xdeadbeefu);
	wire_le64(b, 0x0123456789abcdefull);
	assert_int_equal(b[0], 0xef);
	assert_int_equal(b[7], 0x01);
	assert_true(wire_get64(b) == 0x0123456789abcdefull);
}

/* Read one frame from fd and check magic, version and CRC. */
static uint8_t *read_frame(int fd, unsigned *type, uint32_t *len)
{
	uint8_t hdr[WIRE_HDR_SIZE], *p;
	size_t got = 0;

	while (got < sizeof(hdr)) {
		ssize_t r = read(fd, hdr + got, sizeof(hdr) - got);

		assert_true(r > 0);
		got += (size_t)r;
	}
	assert_int_equal(wire_get32(hdr), WIRE_MAGIC);
	assert_int_equal(hdr[4], WIRE_VERSION);
	*type = hdr[5];
	*len = wire_get32(hdr + 8);
	p = malloc(*len + 1);
	assert_non_null(p);
	for (got = 0; got < *len;) {
		ssize_t r = read(fd, p + got, *len - got);

		assert_true(r > 0);
		got += (size_t)r;
	}
	assert_int_equal(wire_get32(hdr + 12),
			 wire_crc32c(wire_crc32c(0, hdr, 12), p, *len));
	return p;
}

static void test_write_frames(void **state)
{
	uint32_t vals[5] = { 0, 1, 1000, 0xfffffffeu, 0xffffffffu };
	unsigned type;
	uint32_t len;
	uint8_t *p;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(wire_write_frame(fds[1], WIRE_HELLO, "a=b\n", 4), 0);
	assert_int_equal(wire_write_samples(fds[1], 3, 1ull << 40, vals, 5), 0);
	assert_int_equal(wire_write_event(fds[1], WIRE_NO_SERIES,
					  WIRE_EV_RING_OVERFLOW, 77, "lost"), 0);
	assert_int_equal(wire_write_event(fds[1], 1, WIRE_EV_INFO, 0, NULL), 0);
	assert_int_equal(wire_write_frame(fds[1], WIRE_END, NULL, 0), 0);

	p = read_frame(fds[0], &type, &len);
	assert_int_equal(type, WIRE_HELLO);
	assert_int_equal(len, 4);
	assert_memory_equal(p, "a=b\n", 4);
	free(p);

	p = read_frame(fds[0], &type, &len);
	assert_int_equal(type, WIRE_SAMPLES);
	assert_int_equal(len, WIRE_SAMPLES_HEAD + 5 * 4);
	assert_int_equal(wire_get16(p), 3);
	assert_int_equal(wire_get16(p + 2), 0);
	assert_int_equal(wire_get32(p + 4), 5);
	assert_true(wire_get64(p + 8) == 1ull << 40);
	for (int i = 0; i < 5; i++)
		assert_int_equal(wire_get32(p + 16 + 4 * i), vals[i]);
	free(p);

	p = read_frame(fds[0], &type, &len);
	assert_int_equal(type, WIRE_EVENT);
	assert_int_equal(len, WIRE_EVENT_HEAD + 4);
	assert_int_equal(wire_get16(p), WIRE_NO_SERIES);
	assert_int_equal(wire_get16(p + 2), WIRE_EV_RING_OVERFLOW);
	assert_int_equal(wire_get32(p + 4), 77);
	assert_memory_equal(p + 8, "lost", 4);
	free(p);

	p = read_frame(fds[0], &type, &len);
	assert_int_equal(type, WIRE_EVENT);
	assert_int_equal(len, WIRE_EVENT_HEAD);
	free(p);

	p = read_frame(fds[0], &type, &len);
	assert_int_equal(type, WIRE_END);
	assert_int_equal(len, 0);
	free(p);
	close(fds[0]);
	close(fds[1]);
}

static void test_write_errors(void **state)
{
	uint32_t v = 1;
	int fds[2];

	(void)state;
	assert_int_equal(wire_write_frame(-1, WIRE_END, NULL, 0), -EBADF);
	assert_int_equal(wire_write_frame(1, WIRE_HELLO, "x",
					  WIRE_MAX_PAYLOAD + 1), -EMSGSIZE);
	assert_int_equal(wire_write_frame(1, WIRE_HELLO, NULL, 3), -EINVAL);
	assert_int_equal(wire_write_samples(1, 0, 0, &v, 0), -EINVAL);
	assert_int_equal(wire_write_samples(1, 0, 0, &v,
					    WIRE_MAX_SAMPLES + 1), -EINVAL);
	assert_int_equal(wire_write_samples(1, WIRE_NO_SERIES, 0, &v, 1),
			 -EINVAL);
	/* A reader that went away: EPIPE (SIGPIPE ignored here). */
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(wire_write_samples(fds[1], 0, 0, &v, 1), -EPIPE);
	close(fds[1]);
}

struct reader {
	int fd;
	uint8_t *buf;
	size_t len;
};

static void *slow_reader(void *arg)
{
	struct reader *r = arg;
	size_t got = 0;

	while (got < r->len) {
		ssize_t n = read(r->fd, r->buf + got,
				 r->len - got < 1000 ? r->len - got : 1000);

		if (n <= 0)
			break;
		got += (size_t)n;
		if ((got / 1000) % 64 == 0)
			usleep(100);
	}
	r->len = got;
	return NULL;
}

/* A full-size frame through a small non-blocking socket: the writer
 * sees short writes and EAGAIN and must still deliver every byte. */
static void test_short_writes(void **state)
{
	const uint32_t count = WIRE_MAX_SAMPLES;
	uint32_t *vals = malloc(count * sizeof(uint32_t));
	struct reader r;
	pthread_t th;
	int sv[2], sz = 4096;

	(void)state;
	assert_non_null(vals);
	for (uint32_t i = 0; i < count; i++)
		vals[i] = i * 2654435761u;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
	r.fd = sv[0];
	r.len = WIRE_HDR_SIZE + WIRE_SAMPLES_HEAD + (size_t)count * 4;
	r.buf = malloc(r.len);
	assert_non_null(r.buf);
	assert_int_equal(pthread_create(&th, NULL, slow_reader, &r), 0);
	assert_int_equal(wire_write_samples(sv[1], 0, 42, vals, count), 0);
	pthread_join(th, NULL);
	assert_int_equal(r.len, WIRE_HDR_SIZE + WIRE_SAMPLES_HEAD +
					(size_t)count * 4);
	assert_int_equal(wire_get32(r.buf + 8), WIRE_MAX_PAYLOAD);
	assert_int_equal(wire_get32(r.buf + 12),
			 wire_crc32c(wire_crc32c(0, r.buf, 12),
				     r.buf + WIRE_HDR_SIZE, WIRE_MAX_PAYLOAD));
	assert_memory_equal(r.buf + WIRE_HDR_SIZE + WIRE_SAMPLES_HEAD, vals,
			    (size_t)count * 4);
	free(r.buf);
	free(vals);
	close(sv[0]);
	close(sv[1]);
}

/* The collector must verify > 200 MB/s; this is a floor with a margin
 * for slow CI machines and sanitizer builds, not a benchmark. */
static void test_crc_speed(void **state)
{
	size_t len = 16 << 20;
	uint8_t *buf = malloc(len);
	struct timespec a, b;
	volatile uint32_t sink = 0;
	double s;

	(void)state;
	assert_non_null(buf);
	memset(buf, 0x5a, len);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 8; i++)
		sink ^= wire_crc32c(0, buf, len);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	print_message("crc32c (%s): %.0f MB/s\n",
		      wire_crc32c_hw_active() ? "sse4.2" : "table",
		      8.0 * (double)len / s / 1e6);
	assert_true(8.0 * (double)len / s > 50e6);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_vectors),
		cmocka_unit_test(test_crc_chaining),
		cmocka_unit_test(test_crc_hw_equals_sw),
		cmocka_unit_test(test_event_names),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_le_helpers),
		cmocka_unit_test(test_write_frames),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_short_writes),
		cmocka_unit_test(test_crc_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
