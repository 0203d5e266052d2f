/*
 * wire.h - the isolat wire format: how a workload talks to the collector.
 *
 * This header is the one specification of the format.  Every workload
 * (rtlat, the cyclictest adapter, later spin) writes it; the collector
 * (collectors/decode.c) reads it.  It must survive transports that are not a
 * clean pipe: a guest's serial console interleaves kernel printk lines with
 * our bytes, so every frame starts with a magic word the decoder can resync
 * on, and carries a CRC over header and payload.
 *
 * Frame (all integers little-endian):
 *
 *   offset size field
 *   0      4    magic    WIRE_MAGIC ("ISL\x01" read as bytes: 'I','S','L',1)
 *   4      1    version  WIRE_VERSION; a decoder rejects other versions
 *   5      1    type     enum wire_type
 *   6      2    flags    0 (reserved, must be zero)
 *   8      4    len      payload length in bytes, <= WIRE_MAX_PAYLOAD
 *   12     4    crc      CRC-32C (Castagnoli) over bytes 0..11 then payload
 *   16     len  payload
 *
 * Payloads:
 *
 *   HELLO   text, "key=value\n" lines (UTF-8, no NUL).  Required keys:
 *             workload=rtlat|cyclictest|spin|...   wire_version=1
 *             unit=ns                          nseries=N
 *             series.I.cpu=C   for I in 0..N-1 (the CPU that series measures)
 *           Per-series, optional (a collector that does not know them keeps
 *           them as facts; absent means unit= and latency):
 *             series.I.unit=ns|ops     ops: work units (spin throughput)
 *             series.I.kind=latency|throughput|noise
 *           spin sends 2N series for N CPUs: I < N throughput of CPU I
 *           (ops per window, sequence = window index), N+I noise of the
 *           same CPU (gap length in ns, sequence = noise event index).
 *           Usual keys: interval_us, loops, duration_s, policy, priority,
 *             housekeeping_cpu, kernel_release, kernel_version, cmdline,
 *             pid, pidns, cgroup, clocksource, isolated, nohz_full,
 *             tool_version, trace_threshold_us; spin: window_us,
 *             noise_threshold_ns, work_unit.  Unknown keys are kept as
 *             facts of the case.
 *   SAMPLES binary:
 *             u16 series   index < nseries
 *             u16 reserved 0
 *             u32 count    number of values, >= 1
 *             u64 first    sequence number of the first value in its series
 *                          (loop index); a gap to the previous frame's end
 *                          means samples were dropped (and an EVENT says so)
 *             u32 value[count]  in HELLO's unit
 *   EVENT   binary head + text:
 *             u16 series   index, or WIRE_NO_SERIES
 *             u16 kind     enum wire_event_kind
 *             u32 code     errno or kind-specific number (e.g. dropped count)
 *             text message (rest of payload, no NUL)
 *   END     text "key=value\n" lines:
 *             status=ok|error    series.I.count=  series.I.dropped=
 *             plus free-form totals (e.g. series.I.max=)
 *           Counters over the measurement (workloads/wl_counters.c),
 *           stored in the counters table, not as facts:
 *             counter.<name>.cpu<N>=<u64>   per CPU: irq.<IRQ>,
 *               softirq.<NAME>, ctxsw.voluntary|nonvoluntary,
 *               perf.cycles|instructions|cache-misses
 *             counter.<name>=<u64>          not per CPU
 *             a value that is not a number ("unsupported: why",
 *               "unavailable: why") is stored as a note, value NULL
 *             irqdesc.<IRQ>=text            description for irq.<IRQ>;
 *                                           sent before the counters
 *           rtlat with a trace threshold: trace_stop=yes|no,
 *             trace_stop_cpu=, trace_stop_latency_ns=,
 *             trace_stop_tracefs=stopped|unavailable
 *
 * A stream is: HELLO, then any mix of SAMPLES and EVENT, then END.  A stream
 * without END was cut short (workload crashed, guest died).
 */
#ifndef ISOLAT_WIRE_H
#define ISOLAT_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_MAGIC 0x014c5349u /* bytes 'I' 'S' 'L' 0x01 */
#define WIRE_VERSION 1
#define WIRE_HDR_SIZE 16
/* Large enough for 64 Ki samples in one frame, small enough that a corrupt
 * length cannot make the decoder buffer much. */
#define WIRE_MAX_PAYLOAD (1u << 20)
#define WIRE_SAMPLES_HEAD 16
#define WIRE_MAX_SAMPLES ((WIRE_MAX_PAYLOAD - WIRE_SAMPLES_HEAD) / 4)
#define WIRE_EVENT_HEAD 8
#define WIRE_NO_SERIES 0xffffu
#define WIRE_MAX_SERIES 1024

enum wire_type {
	WIRE_HELLO = 1,
	WIRE_SAMPLES = 2,
	WIRE_EVENT = 3,
	WIRE_END = 4,
};

enum wire_event_kind {
	WIRE_EV_INFO = 1,
	WIRE_EV_WARNING = 2,
	WIRE_EV_ERROR = 3,        /* the workload could not do what was asked */
	WIRE_EV_RING_OVERFLOW = 4, /* code = samples lost */
	WIRE_EV_PRIO_FAILED = 5,  /* code = errno of sched_setscheduler */
	WIRE_EV_AFFINITY_FAILED = 6,
	WIRE_EV_MLOCK_FAILED = 7,
	WIRE_EV_DMA_LATENCY_FAILED = 8,
	WIRE_EV_NET_LOST = 9,     /* netlat: code = replies lost (timeout) */
	WIRE_EV_NET_LATE = 10,    /* netlat: code = replies after timeout */
	/* Collector-side events (never sent by a workload, recorded by the
	 * decoder about the stream itself). */
	WIRE_EV_BAD_CRC = 64,
	WIRE_EV_BAD_FRAME = 65,  /* bad version/type/flags/length/payload */
	WIRE_EV_TRUNCATED = 66,  /* stream ended inside a frame or without END */
	WIRE_EV_GARBAGE = 67,    /* bytes skipped while looking for a magic */
	WIRE_EV_SEQ_GAP = 68,    /* samples missing between two frames */
};

const char *wire_event_name(unsigned kind);

/* CRC-32C; start with crc = 0, feed pieces in order. */
uint32_t wire_crc32c(uint32_t crc, const void *buf, size_t len);
/* The portable table path, same results; exposed for the unit test. */
uint32_t wire_crc32c_sw(uint32_t crc, const void *buf, size_t len);
/* 1 when wire_crc32c() uses the CPU's crc32 instruction. */
int wire_crc32c_hw_active(void);

/* Fill a 16-byte header for a payload already in memory. */
void wire_put_header(uint8_t hdr[WIRE_HDR_SIZE], unsigned type,
		     const void *payload, uint32_t len);

/*
 * Write one whole frame to fd, retrying on EINTR and short writes.
 * Returns 0 or -errno.  Used by workloads; never from a measuring thread.
 */
int wire_write_frame(int fd, unsigned type, const void *payload, uint32_t len);

/* Convenience writers, all built on wire_write_frame(). */
int wire_write_samples(int fd, unsigned series, uint64_t first,
		       const uint32_t *values, uint32_t count);
int wire_write_event(int fd, unsigned series, unsigned kind, uint32_t code,
		     const char *msg);

static inline void wire_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void wire_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}
static inline void wire_le64(uint8_t *p, uint64_t v)
{
	wire_le32(p, (uint32_t)v);
	wire_le32(p + 4, (uint32_t)(v >> 32));
}
static inline uint16_t wire_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t wire_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t wire_get64(const uint8_t *p)
{
	return wire_get32(p) | ((uint64_t)wire_get32(p + 4) << 32);
}

#endif
