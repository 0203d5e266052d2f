/*
 * wire.c - the isolat wire format (see wire.h): CRC-32C, frame headers and
 * the frame writers the workloads use.
 *
 * The CRC runs on every byte the collector ingests, so it must be fast:
 * the SSE4.2 crc32 instruction where the CPU has it (several GB/s), else a
 * slicing-by-8 table (about 1 GB/s).  Both give identical results; the
 * choice is made once, at first use.
 */
#include "workloads/wire.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

/* Reflected Castagnoli polynomial. */
#define CRC32C_POLY 0x82f63b78u

static uint32_t crc_table[8][256];
static int crc_use_hw;
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC32C_POLY & (0u - (c & 1)));
		crc_table[0][i] = c;
	}
	/* table[k][i]: CRC of byte i followed by k zero bytes. */
	for (uint32_t i = 0; i < 256; i++)
		for (int k = 1; k < 8; k++)
			crc_table[k][i] = (crc_table[k - 1][i] >> 8) ^
					  crc_table[0][crc_table[k - 1][i] & 0xff];
#if defined(__x86_64__)
	__builtin_cpu_init();
	crc_use_hw = __builtin_cpu_supports("sse4.2");
#endif
}

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v)); /* alignment-safe; one mov on x86 */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* Slicing-by-8 on the raw (pre-inverted) register. */
static uint32_t crc_sw_raw(uint32_t c, const uint8_t *p, size_t len)
{
	while (len && ((uintptr_t)p & 7)) {
		c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xff];
		len--;
	}
	while (len >= 8) {
		uint64_t v = load_le64(p) ^ c;

		c = crc_table[7][v & 0xff] ^
		    crc_table[6][(v >> 8) & 0xff] ^
		    crc_table[5][(v >> 16) & 0xff] ^
		    crc_table[4][(v >> 24) & 0xff] ^
		    crc_table[3][(v >> 32) & 0xff] ^
		    crc_table[2][(v >> 40) & 0xff] ^
		    crc_table[1][(v >> 48) & 0xff] ^
		    crc_table[0][v >> 56];
		p += 8;
		len -= 8;
	}
	while (len--)
		c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xff];
	return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc_hw_raw(uint32_t c, const uint8_t *p, size_t len)
{
	uint64_t c64;

	while (len && ((uintptr_t)p & 7)) {
		c = _mm_crc32_u8(c, *p++);
		len--;
	}
	c64 = c;
	/* Four independent loads per iteration keep the loop short; the
	 * instruction's 3-cycle latency is the limit either way. */
	while (len >= 32) {
		c64 = _mm_crc32_u64(c64, load_le64(p));
		c64 = _mm_crc32_u64(c64, load_le64(p + 8));
		c64 = _mm_crc32_u64(c64, load_le64(p + 16));
		c64 = _mm_crc32_u64(c64, load_le64(p + 24));
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		c64 = _mm_crc32_u64(c64, load_le64(p));
		p += 8;
		len -= 8;
	}
	c = (uint32_t)c64;
	while (len--)
		c = _mm_crc32_u8(c, *p++);
	return c;
}
#endif

uint32_t wire_crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&crc_once, crc_init);
	return ~crc_sw_raw(~crc, buf, len);
}

int wire_crc32c_hw_active(void)
{
	pthread_once(&crc_once, crc_init);
	return crc_use_hw;
}

uint32_t wire_crc32c(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&crc_once, crc_init);
#if defined(__x86_64__)
	if (crc_use_hw)
		return ~crc_hw_raw(~crc, buf, len);
#endif
	return ~crc_sw_raw(~crc, buf, len);
}

static const char *const event_names[] = {
	[WIRE_EV_INFO] = "info",
	[WIRE_EV_WARNING] = "warning",
	[WIRE_EV_ERROR] = "error",
	[WIRE_EV_RING_OVERFLOW] = "ring_overflow",
	[WIRE_EV_PRIO_FAILED] = "prio_failed",
	[WIRE_EV_AFFINITY_FAILED] = "affinity_failed",
	[WIRE_EV_MLOCK_FAILED] = "mlock_failed",
	[WIRE_EV_DMA_LATENCY_FAILED] = "dma_latency_failed",
	[WIRE_EV_NET_LOST] = "net_lost",
	[WIRE_EV_NET_LATE] = "net_late",
	[WIRE_EV_BAD_CRC] = "bad_crc",
	[WIRE_EV_BAD_FRAME] = "bad_frame",
	[WIRE_EV_TRUNCATED] = "truncated",
	[WIRE_EV_GARBAGE] = "garbage",
	[WIRE_EV_SEQ_GAP] = "seq_gap",
};

const char *wire_event_name(unsigned kind)
{
	if (kind < sizeof(event_names) / sizeof(event_names[0]) &&
	    event_names[kind])
		return event_names[kind];
	return "unknown";
}

/* The 12 header bytes before the CRC field. */
static void put_head12(uint8_t hdr[WIRE_HDR_SIZE], unsigned type, uint32_t len)
{
	wire_le32(hdr, WIRE_MAGIC);
	hdr[4] = WIRE_VERSION;
	hdr[5] = (uint8_t)type;
	wire_le16(hdr + 6, 0);
	wire_le32(hdr + 8, len);
}

void wire_put_header(uint8_t hdr[WIRE_HDR_SIZE], unsigned type,
		     const void *payload, uint32_t len)
{
	uint32_t crc;

	put_head12(hdr, type, len);
	crc = wire_crc32c(0, hdr, 12);
	if (len)
		crc = wire_crc32c(crc, payload, len);
	wire_le32(hdr + 12, crc);
}

/*
 * Write every byte of iov[0..n), retrying on EINTR and short writes.  A
 * non-blocking fd (a console or socket someone set O_NONBLOCK on) is waited
 * for with poll() rather than failing with EAGAIN.  iov is consumed.
 */
static int write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
					return -errno;
				continue;
			}
			return -errno;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int wire_write_frame(int fd, unsigned type, const void *payload, uint32_t len)
{
	uint8_t hdr[WIRE_HDR_SIZE];
	struct iovec iov[2];

	if (len > WIRE_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (len && !payload)
		return -EINVAL;
	wire_put_header(hdr, type, payload, len);
	iov[0] = (struct iovec){ .iov_base = hdr, .iov_len = sizeof(hdr) };
	iov[1] = (struct iovec){ .iov_base = (void *)payload, .iov_len = len };
	return write_all(fd, iov, len ? 2 : 1);
}

int wire_write_samples(int fd, unsigned series, uint64_t first,
		       const uint32_t *values, uint32_t count)
{
	uint8_t hdr[WIRE_HDR_SIZE], head[WIRE_SAMPLES_HEAD];
	uint32_t len, crc;

	if (!count || count > WIRE_MAX_SAMPLES || !values ||
	    series >= WIRE_NO_SERIES)
		return -EINVAL;
	len = WIRE_SAMPLES_HEAD + count * 4;
	wire_le16(head, (uint16_t)series);
	wire_le16(head + 2, 0);
	wire_le32(head + 4, count);
	wire_le64(head + 8, first);
	put_head12(hdr, WIRE_SAMPLES, len);
	crc = wire_crc32c(0, hdr, 12);
	crc = wire_crc32c(crc, head, sizeof(head));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Host order is wire order: CRC and write the caller's array as is. */
	crc = wire_crc32c(crc, values, (size_t)count * 4);
	wire_le32(hdr + 12, crc);
	{
		struct iovec iov[3] = {
			{ .iov_base = hdr, .iov_len = sizeof(hdr) },
			{ .iov_base = head, .iov_len = sizeof(head) },
			{ .iov_base = (void *)values, .iov_len = (size_t)count * 4 },
		};

		return write_all(fd, iov, 3);
	}
#else
	/* Big-endian host: convert in chunks, once for the CRC, once to
	 * write, so no allocation is needed. */
	{
		uint8_t chunk[4096];
		struct iovec iov[2];
		int rc;

		for (uint32_t i = 0; i < count;) {
			uint32_t n = count - i < 1024 ? count - i : 1024;

			for (uint32_t k = 0; k < n; k++)
				wire_le32(chunk + 4 * k, values[i + k]);
			crc = wire_crc32c(crc, chunk, (size_t)n * 4);
			i += n;
		}
		wire_le32(hdr + 12, crc);
		iov[0] = (struct iovec){ .iov_base = hdr, .iov_len = sizeof(hdr) };
		iov[1] = (struct iovec){ .iov_base = head, .iov_len = sizeof(head) };
		rc = write_all(fd, iov, 2);
		for (uint32_t i = 0; rc == 0 && i < count;) {
			uint32_t n = count - i < 1024 ? count - i : 1024;

			for (uint32_t k = 0; k < n; k++)
				wire_le32(chunk + 4 * k, values[i + k]);
			iov[0] = (struct iovec){ .iov_base = chunk,
						 .iov_len = (size_t)n * 4 };
			rc = write_all(fd, iov, 1);
			i += n;
		}
		return rc;
	}
#endif
}

int wire_write_event(int fd, unsigned series, unsigned kind, uint32_t code,
		     const char *msg)
{
	uint8_t hdr[WIRE_HDR_SIZE], head[WIRE_EVENT_HEAD];
	size_t mlen = msg ? strlen(msg) : 0;
	uint32_t len, crc;
	struct iovec iov[3];

	if (series > WIRE_NO_SERIES || kind > 0xffff)
		return -EINVAL;
	/* A message longer than a frame is cut, not refused: the event
	 * itself matters more than the tail of its text. */
	if (mlen > WIRE_MAX_PAYLOAD - WIRE_EVENT_HEAD)
		mlen = WIRE_MAX_PAYLOAD - WIRE_EVENT_HEAD;
	len = (uint32_t)(WIRE_EVENT_HEAD + mlen);
	wire_le16(head, (uint16_t)series);
	wire_le16(head + 2, (uint16_t)kind);
	wire_le32(head + 4, code);
	put_head12(hdr, WIRE_EVENT, len);
	crc = wire_crc32c(0, hdr, 12);
	crc = wire_crc32c(crc, head, sizeof(head));
	if (mlen)
		crc = wire_crc32c(crc, msg, mlen);
	wire_le32(hdr + 12, crc);
	iov[0] = (struct iovec){ .iov_base = hdr, .iov_len = sizeof(hdr) };
	iov[1] = (struct iovec){ .iov_base = head, .iov_len = sizeof(head) };
	iov[2] = (struct iovec){ .iov_base = (void *)msg, .iov_len = mlen };
	return write_all(fd, iov, mlen ? 3 : 2);
}
