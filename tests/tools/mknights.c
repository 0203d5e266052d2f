/*
 * mknights.c - test helper: a board's nightly runs, each case's samples
 * through the real collector (tests/unit/synth_run.h), for the trend and
 * farm tests.
 *
 *   mknights DB HOSTNAME NIGHTS [STEP_NIGHT [SCALE]]
 *
 * NIGHTS runs of scenario "nightly" on host HOSTNAME (fingerprint
 * "fp-HOSTNAME"), night k (1-based) started 2026-01-k 02:00 UTC (later
 * months past 28), cases bare.none.{rtlat,cyclictest}.none, 5000
 * samples each; from STEP_NIGHT on the samples are SCALE (default 1.3)
 * times larger and kernel_release changes from 6.1.0 to 6.6.0.  UUIDs:
 * nnnnnnnn-0000-4000-8000-HHHHHHHHHHHH (night, hostname hash).  Prints
 * one UUID per night.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/synth_run.h"

int main(int argc, char **argv)
{
	static const char *const wl[] = { "rtlat", "cyclictest", NULL };
	struct store *st;
	char err[512], fp[96], uuid[40], when[32];
	unsigned long h = 5381;
	int nights, step;
	double scale;

	if (argc < 4) {
		fprintf(stderr, "usage: mknights DB HOSTNAME NIGHTS "
			"[STEP_NIGHT [SCALE]]\n");
		return 129;
	}
	nights = atoi(argv[3]);
	step = argc > 4 ? atoi(argv[4]) : 0;
	scale = argc > 5 ? strtod(argv[5], NULL) : 1.3;
	for (const char *p = argv[2]; *p; p++)
		h = h * 33 + (unsigned char)*p;
	snprintf(fp, sizeof(fp), "fp-%s", argv[2]);
	if (store_open(argv[1], STORE_WRITE, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "mknights: %s\n", err);
		return 2;
	}
	for (int k = 1; k <= nights; k++) {
		int on = step > 0 && k >= step;
		struct synth s = { .uuid = uuid, .fingerprint = fp,
				   .hostname = argv[2], .scenario = "nightly",
				   .started_at = when, .workloads = wl,
				   .kernel = on ? "6.6.0" : "6.1.0",
				   .cmdline = "isolcpus=1 quiet",
				   .version = "synth-1", .n = 5000,
				   .seed = h % 1000 * 100 + (uint64_t)k,
				   .scale = on ? scale : 1.0,
				   .emulated = getenv("MKNIGHTS_EMULATED") != NULL };
		int64_t id;

		snprintf(uuid, sizeof(uuid), "%08d-0000-4000-8000-%012lx", k,
			 h & 0xffffffffffffUL);
		snprintf(when, sizeof(when), "2026-%02d-%02dT02:00:00Z",
			 1 + (k - 1) / 28, 1 + (k - 1) % 28);
		if (store_begin(st) || synth_run(st, &s, &id, err, sizeof(err)) ||
		    store_commit(st)) {
			fprintf(stderr, "mknights: %s\n", err[0] ? err
				: store_errmsg(st));
			store_close(st);
			return 2;
		}
		printf("%s\n", uuid);
	}
	store_close(st);
	return 0;
}
