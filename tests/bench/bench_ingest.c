/*
 * bench_ingest.c - how fast samples go through the real collector path and
 * how small they end up, against a one-INSERT-per-sample baseline.
 *
 * Synthetic but realistic latencies (ns resolution: a lognormal body around
 * a few microseconds, a periodic tick bump, a rare long tail up to ~100 us),
 * framed exactly as a workload frames them (SAMPLES frames of 16384 values,
 * CRC-32C), fed through ingest_feed() -> decoder -> stats + codec -> SQLite
 * chunks, as `isolat run` does.  Prints one line per measurement.
 *
 *   bench_ingest [SAMPLES] [BASELINE_SAMPLES] [DIR]
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collectors/ingest.h"
#include "collectors/store.h"
#include "collectors/store_db.h"
#include "workloads/wire.h"

#define NSERIES 2
#define FRAME_VALUES 16384

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static inline uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double unit_rand(void)
{
	return ((next_rand() >> 11) + 0.5) / 9007199254740992.0;
}

static uint32_t realistic(uint64_t i)
{
	/* Box-Muller, one value per call is enough for a benchmark. */
	double g = sqrt(-2 * log(unit_rand())) * cos(2 * M_PI * unit_rand());
	double v = 2500 * exp(0.35 * g);

	if (i % 1000 == 0)
		v += 6000 + 3000 * unit_rand(); /* the tick */
	if (next_rand() % 100000 == 0)
		v += 20000 + 80000 * unit_rand(); /* rare long tail */
	return (uint32_t)v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t put_frame(uint8_t *out, unsigned type, const void *payload,
			uint32_t len)
{
	wire_put_header(out, type, payload, len);
	memcpy(out + WIRE_HDR_SIZE, payload, len);
	return WIRE_HDR_SIZE + len;
}

/* The whole stream in memory, so the benchmark measures the collector,
 * not the generator. */
static uint8_t *make_stream(uint32_t *values, uint64_t n, size_t *len)
{
	uint64_t per_series = n / NSERIES;
	size_t cap = n * 4 + (n / FRAME_VALUES + 16) * 64 + 4096, off = 0;
	uint8_t *s = malloc(cap), *payload = malloc(WIRE_SAMPLES_HEAD +
						    FRAME_VALUES * 4);
	char text[512];

	if (!s || !payload)
		return NULL;
	snprintf(text, sizeof(text),
		 "workload=bench\nwire_version=1\nunit=ns\nnseries=%d\n"
		 "series.0.cpu=1\nseries.1.cpu=2\ninterval_us=1000\n",
		 NSERIES);
	off += put_frame(s + off, WIRE_HELLO, text, (uint32_t)strlen(text));
	for (uint64_t first = 0; first < per_series; first += FRAME_VALUES) {
		for (unsigned ser = 0; ser < NSERIES; ser++) {
			uint32_t cnt = per_series - first < FRAME_VALUES
					       ? (uint32_t)(per_series - first)
					       : FRAME_VALUES;

			wire_le16(payload, (uint16_t)ser);
			wire_le16(payload + 2, 0);
			wire_le32(payload + 4, cnt);
			wire_le64(payload + 8, first);
			memcpy(payload + 16, values + ser * per_series + first,
			       cnt * 4);
			off += put_frame(s + off, WIRE_SAMPLES, payload,
					 WIRE_SAMPLES_HEAD + cnt * 4);
		}
	}
	snprintf(text, sizeof(text),
		 "status=ok\nseries.0.count=%llu\nseries.0.dropped=0\n"
		 "series.1.count=%llu\nseries.1.dropped=0\n",
		 (unsigned long long)per_series,
		 (unsigned long long)per_series);
	off += put_frame(s + off, WIRE_END, text, (uint32_t)strlen(text));
	free(payload);
	*len = off;
	return s;
}

/* Order-0 entropy of the values, bits per sample (counting sort). */
static double entropy_bits(const uint32_t *v, uint64_t n)
{
	const uint32_t direct = 1u << 24;
	uint32_t *cnt = calloc(direct, sizeof(*cnt));
	uint32_t *big = malloc(n * sizeof(*big));
	uint64_t nbig = 0;
	double h = 0;

	for (uint64_t i = 0; i < n; i++) {
		if (v[i] < direct)
			cnt[v[i]]++;
		else
			big[nbig++] = v[i];
	}
	for (uint32_t i = 0; i < direct; i++)
		if (cnt[i]) {
			double p = (double)cnt[i] / n;

			h -= p * log2(p);
		}
	/* values >= 16 ms: treat each as distinct (upper bound on their
	 * contribution; there are none in this generator) */
	for (uint64_t i = 0; i < nbig; i++)
		h -= (1.0 / n) * log2(1.0 / n);
	free(cnt);
	free(big);
	return h;
}

static long long file_bytes(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 ? (long long)sb.st_size : 0;
}

static int bench_collector(const char *dir, const uint32_t *values,
			   uint64_t n, double h)
{
	char path[512], err[512];
	struct store *st;
	struct ingest *in;
	size_t len;
	uint8_t *stream = make_stream((uint32_t *)values, n, &len);
	struct store_host host = {"bench", "bench", "bench", "bench", 1};
	struct store_run r = {.uuid = "00000000-0000-4000-8000-000000000000",
			      .tool_version = "bench"};
	struct store_case sc = {0, 0, "bench", "bare", "none", "bench",
				"none", "{}"};
	int64_t run_id, case_id;
	double t0, t1, tf;
	long long blob_bytes = 0;
	sqlite3_stmt *s;

	snprintf(path, sizeof(path), "%s/ingest.db", dir);
	unlink(path);
	if (!stream || store_open(path, STORE_WRITE, &st, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	store_host_upsert(st, &host, &r.host_id);
	store_run_create(st, &r, &run_id);
	store_case_create(st, run_id, &sc, &case_id);
	in = ingest_new(st, run_id, case_id);
	t0 = now();
	store_begin(st);
	/* Pipe-sized reads, as the run loop does. */
	for (size_t off = 0; off < len; off += 65536)
		if (ingest_feed(in, stream + off,
				len - off < 65536 ? len - off : 65536) < 0) {
			fprintf(stderr, "bench: ingest failed\n");
			return -1;
		}
	ingest_finish(in);
	tf = now();
	store_commit(st);
	t1 = now();
	if (ingest_samples(in) != n || ingest_flagged(in)) {
		fprintf(stderr, "bench: ingest lost samples (%llu of %llu)\n",
			(unsigned long long)ingest_samples(in),
			(unsigned long long)n);
		return -1;
	}
	sqlite3_prepare_v2(store_db(st),
			   "SELECT sum(length(data)) FROM chunks", -1, &s,
			   NULL);
	if (sqlite3_step(s) == SQLITE_ROW)
		blob_bytes = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	ingest_free(in);
	store_close(st);
	printf("collector: %llu samples in %.2f s = %.1f M samples/s "
	       "(stream %.0f MB/s)\n",
	       (unsigned long long)n, t1 - t0, n / (t1 - t0) / 1e6,
	       len / (t1 - t0) / 1e6);
	printf("collector: of which %.2f s decoding, counting, encoding and "
	       "inserting, %.2f s committing (WAL write-back)\n", tf - t0,
	       t1 - tf);
	printf("collector: chunk bytes/sample %.3f, database file "
	       "bytes/sample %.3f\n",
	       (double)blob_bytes / n, (double)file_bytes(path) / n);
	printf("entropy:   order-0 entropy of the values %.3f bits = %.3f "
	       "bytes/sample; chunks are %.3fx of it\n",
	       h, h / 8, (double)blob_bytes / n / (h / 8));
	free(stream);
	unlink(path);
	return 0;
}

static int bench_baseline(const char *dir, const uint32_t *values,
			  uint64_t n)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *s;
	double t0, t1;

	snprintf(path, sizeof(path), "%s/baseline.db", dir);
	unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_exec(db,
		     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		     "CREATE TABLE samples(series INTEGER, seq INTEGER, "
		     "value INTEGER)",
		     NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO samples VALUES (?,?,?)", -1, &s,
			   NULL);
	t0 = now();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (uint64_t i = 0; i < n; i++) {
		sqlite3_bind_int(s, 1, (int)(i & 1));
		sqlite3_bind_int64(s, 2, (sqlite3_int64)(i >> 1));
		sqlite3_bind_int64(s, 3, values[i]);
		sqlite3_step(s);
		sqlite3_reset(s);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	t1 = now();
	sqlite3_finalize(s);
	sqlite3_close(db);
	printf("baseline:  one INSERT per sample, %llu samples in %.2f s = "
	       "%.2f M samples/s, database file bytes/sample %.2f\n",
	       (unsigned long long)n, t1 - t0, n / (t1 - t0) / 1e6,
	       (double)file_bytes(path) / n);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 50000000ull;
	uint64_t nb = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000000ull;
	const char *dir = argc > 3 ? argv[3] : "/tmp";
	uint32_t *values;
	double h;

	n -= n % (2 * FRAME_VALUES);
	values = malloc(n * sizeof(*values));
	if (!values)
		return 1;
	for (uint64_t i = 0; i < n; i++)
		values[i] = realistic(i);
	h = entropy_bits(values, n);
	if (bench_collector(dir, values, n, h) < 0)
		return 1;
	if (nb > n)
		nb = n;
	if (bench_baseline(dir, values, nb) < 0)
		return 1;
	free(values);
	return 0;
}
