/*
 * bench_report.c - `isolat report` on a run of many samples: time and
 * peak memory.
 *
 * Builds the run through the real ingest path (framed samples fed to
 * ingest_feed() as a workload's pipe would deliver them, then the
 * collector's codec chunks, summaries and histograms in SQLite): CASES
 * cases (bare / lxc x none / irq, ...) of CPUS CPUs each, SAMPLES in all,
 * synthetic latencies (a lognormal body around a few µs, a tick bump, a
 * rare tail to ~100 µs).  Then runs `isolat --db DB report -o DIR last`
 * as a child and prints its wall time, samples/s and peak RSS (wait4's
 * ru_maxrss: the report process alone, gnuplot children not counted -
 * they see only the plot data, whose size does not grow with samples).
 *
 *   bench_report ISOLAT SAMPLES DIR [CASES [CPUS]]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collectors/ingest.h"
#include "collectors/store.h"
#include "workloads/wire.h"

#define FRAME_VALUES 16384
#define MAX_CPUS 16

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

static uint32_t realistic(uint64_t i, double scale)
{
	double g = sqrt(-2 * log(unit_rand())) * cos(2 * M_PI * unit_rand());
	double v = 2500 * exp(0.35 * g);

	if (i % 1000 == 0)
		v += 6000 + 3000 * unit_rand();
	if (next_rand() % 100000 == 0)
		v += 20000 + 80000 * unit_rand();
	return (uint32_t)(v * scale);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int feed(struct ingest *in, unsigned type, const void *p, uint32_t n)
{
	static uint8_t frame[WIRE_HDR_SIZE + WIRE_SAMPLES_HEAD +
			     FRAME_VALUES * 4];

	wire_put_header(frame, type, p, n);
	memcpy(frame + WIRE_HDR_SIZE, p, n);
	return ingest_feed(in, frame, WIRE_HDR_SIZE + n) < 0 ? -1 : 0;
}

/* One case: a HELLO, per_cpu samples on each CPU in frames, an END. */
static int one_case(struct store *st, int64_t run_id, int idx,
		    const char *env, const char *profile, int cpus,
		    uint64_t per_cpu, double scale)
{
	static uint8_t payload[WIRE_SAMPLES_HEAD + FRAME_VALUES * 4];
	char text[1024], name[64];
	struct store_case sc = { idx, 0, name, env, profile, "rtlat", "none",
				 "{\"interval_us\":1000}" };
	struct ingest *in;
	int64_t case_id;
	size_t off;

	snprintf(name, sizeof(name), "%s.%s.rtlat.none", env, profile);
	if (store_case_create(st, run_id, &sc, &case_id))
		return -1;
	in = ingest_new(st, run_id, case_id);
	off = (size_t)snprintf(text, sizeof(text), "workload=rtlat\n"
			       "wire_version=1\nunit=ns\nnseries=%d\n"
			       "interval_us=1000\n", cpus);
	for (int c = 0; c < cpus; c++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"series.%d.cpu=%d\n", c, c + 1);
	if (!in || feed(in, WIRE_HELLO, text, (uint32_t)off))
		return -1;
	for (uint64_t first = 0; first < per_cpu; first += FRAME_VALUES)
		for (int c = 0; c < cpus; c++) {
			uint32_t cnt = per_cpu - first < FRAME_VALUES
					       ? (uint32_t)(per_cpu - first)
					       : FRAME_VALUES;

			wire_le16(payload, (uint16_t)c);
			wire_le16(payload + 2, 0);
			wire_le32(payload + 4, cnt);
			wire_le64(payload + 8, first);
			for (uint32_t i = 0; i < cnt; i++)
				wire_le32(payload + 16 + 4 * i,
					  realistic(first + i, scale));
			if (feed(in, WIRE_SAMPLES, payload,
				 WIRE_SAMPLES_HEAD + cnt * 4))
				return -1;
		}
	off = (size_t)snprintf(text, sizeof(text), "status=ok\n");
	for (int c = 0; c < cpus; c++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"series.%d.count=%llu\nseries.%d."
					"dropped=0\n", c,
					(unsigned long long)per_cpu, c);
	if (feed(in, WIRE_END, text, (uint32_t)off) || ingest_finish(in) ||
	    ingest_flagged(in) || ingest_samples(in) != per_cpu * cpus) {
		fprintf(stderr, "bench_report: ingest of case %d failed\n",
			idx);
		return -1;
	}
	ingest_free(in);
	return store_case_status(st, case_id, "done", NULL) ? -1 : 0;
}

static int build(const char *db, uint64_t total, int cases, int cpus)
{
	static const char *const env[] = { "bare", "lxc", "kvm", "xen" };
	static const char *const prof[] = { "none", "irq", "full" };
	struct store_host host = { "bench", "bench", "bench", "bench", 4 };
	struct store_run r = { .uuid = "00000000-0000-4000-8000-00000000beef",
			       .scenario_name = "bench-report",
			       .tool_version = "bench" };
	uint64_t per_cpu = total / (uint64_t)(cases * cpus);
	char err[512];
	struct store *st;
	int64_t run_id;

	unlink(db);
	if (store_open(db, STORE_WRITE, &st, err, sizeof(err))) {
		fprintf(stderr, "bench_report: %s\n", err);
		return -1;
	}
	if (store_host_upsert(st, &host, &r.host_id) ||
	    store_run_create(st, &r, &run_id))
		return -1;
	for (int k = 0; k < cases; k++) {
		if (store_begin(st) ||
		    one_case(st, run_id, k, env[k % 4], prof[(k / 4) % 3], cpus,
			     per_cpu, 1.0 + 0.2 * (k % 4)) ||
		    store_commit(st))
			return -1;
	}
	if (store_run_finish(st, run_id, "done"))
		return -1;
	store_close(st);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t total;
	int cases, cpus, status;
	char db[512], out[512];
	struct rusage ru;
	double t0, t1;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_report ISOLAT SAMPLES DIR "
			"[CASES [CPUS]]\n");
		return 129;
	}
	total = strtoull(argv[2], NULL, 10);
	cases = argc > 4 ? atoi(argv[4]) : 8;
	cpus = argc > 5 ? atoi(argv[5]) : 4;
	if (cases < 1 || cpus < 1 || cpus > MAX_CPUS || !total)
		return 129;
	snprintf(db, sizeof(db), "%s/report.db", argv[3]);
	snprintf(out, sizeof(out), "%s/report", argv[3]);
	t0 = now();
	if (build(db, total, cases, cpus))
		return 1;
	t1 = now();
	printf("report run: %llu samples (%d cases x %d CPUs) stored through "
	       "the ingest path in %.1f s\n", (unsigned long long)total -
	       total % (uint64_t)(cases * cpus), cases, cpus, t1 - t0);
	fflush(stdout);
	t0 = now();
	pid = fork();
	if (pid == 0) {
		FILE *null = freopen("/dev/null", "w", stdout);

		(void)null;
		execl(argv[1], argv[1], "--db", db, "--quiet", "report", "-o",
		      out, "last", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
		perror("bench_report");
		return 1;
	}
	t1 = now();
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench_report: isolat report failed\n");
		return 1;
	}
	printf("report:    %.2f s for %llu samples = %.1f M samples/s, peak "
	       "RSS %.1f MiB (isolat report alone)\n", t1 - t0,
	       (unsigned long long)total, total / (t1 - t0) / 1e6,
	       ru.ru_maxrss / 1024.0);
	unlink(db);
	return 0;
}
