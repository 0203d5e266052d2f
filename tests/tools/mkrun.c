/*
 * mkrun.c - test helper: store a synthetic run through the store API, so
 * the gate / compare / merge tests have runs with known distributions
 * without root or a real measurement.
 *
 *   mkrun DB UUID SEED SCALE [SECONDS [SCENARIO_TEXT]]
 *
 * One case bare.none.rtlat.none with one series (CPU 1), 1000 us interval,
 * SECONDS (default 30) seconds of samples: 20 us + exponential noise
 * (mean 5 us), each multiplied by SCALE (1.3 = a 30% shift), from a
 * xorshift generator seeded with SEED (same seed, same samples).
 * MKRUN_EMULATED=1 in the environment marks the case emulated (as a KVM
 * case under TCG would be).
 *
 * MKRUN_ENVS="bare,lxc,kvm:emulated" makes one case per environment
 * instead (ENV.none.rtlat.none, case k scaled by 1 + 0.25 k, ":emulated"
 * marks it), for the report's headline and environment figures;
 * MKRUN_PROFILES="none,irq,full" repeats them per profile (case names
 * ENV.PROFILE.rtlat.none), for reports of many cases.
 * MKRUN_PARAMS='{"interval_us":500}' replaces the cases' parameters.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/codec.h"
#include "collectors/stats.h"
#include "collectors/store.h"

static uint64_t rng;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((rng >> 11) + 0.5) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
	struct store *st;
	struct store_host h = { "synthetic-host", "synth", "model", "cpu", 4 };
	struct store_run r = { 0 };
	struct store_case c = { 0, 0, "bare.none.rtlat.none", "bare", "none",
				"rtlat", "none", "{\"interval_us\":1000}" };
	int64_t hid, rid, cid, sid;
	char err[512];
	double scale;

	if (getenv("MKRUN_PARAMS"))
		c.params_json = getenv("MKRUN_PARAMS");
	uint32_t n, *v;
	struct stats *s;
	struct summary sum;
	uint8_t *blob, *hist;
	size_t hlen;

	if (argc < 5) {
		fprintf(stderr, "usage: mkrun DB UUID SEED SCALE [SECONDS "
			"[SCENARIO_TEXT]]\n");
		return 129;
	}
	rng = strtoull(argv[3], NULL, 0) * 2654435761u + 88172645463325252ull;
	scale = strtod(argv[4], NULL);
	n = (argc > 5 ? (uint32_t)atoi(argv[5]) : 30) * 1000u;
	if (store_open(argv[1], STORE_WRITE, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "mkrun: %s\n", err);
		return 2;
	}
	r.uuid = argv[2];
	r.scenario_name = "synthetic";
	r.scenario_text = argc > 6 ? argv[6] : "[scenario]\nname = synthetic\n";
	r.tool_version = "mkrun";
	v = malloc(n * sizeof(*v));
	blob = malloc(codec_bound(CODEC_CHUNK_SAMPLES));
	if (!v || !blob)
		return 2;
	if (store_begin(st) || store_host_upsert(st, &h, &hid))
		goto fail;
	r.host_id = hid;
	if (store_run_create(st, &r, &rid))
		goto fail;
	const char *envs = getenv("MKRUN_ENVS");
	char list[256], *save = NULL, *tok;

	const char *profs = getenv("MKRUN_PROFILES");
	char plist[256], *psave = NULL, *prof;
	int idx = 0;

	snprintf(plist, sizeof(plist), "%s", profs && *profs ? profs : "none");
	for (prof = strtok_r(plist, ",", &psave); prof;
	     prof = strtok_r(NULL, ",", &psave)) {
	snprintf(list, sizeof(list), "%s", envs && *envs ? envs : "bare");
	tok = strtok_r(list, ",", &save);
	for (int ei = 0; tok; ei++, idx++, tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':'), cname[96];
		int emulated = envs && *envs ? colon != NULL
					     : getenv("MKRUN_EMULATED") != NULL;

		if (colon)
			*colon = '\0';
		snprintf(cname, sizeof(cname), "%s.%s.rtlat.none", tok, prof);
		c.idx = idx;
		c.name = cname;
		c.environment = tok;
		c.profile = prof;
		s = stats_new();
		if (!s)
			return 2;
		for (uint32_t i = 0; i < n; i++)
			v[i] = (uint32_t)((20000.0 - 5000.0 * log(uniform())) *
					  scale * (1.0 + 0.25 * ei));
		if (store_case_create(st, rid, &c, &cid) ||
		    store_case_fact(st, cid, "interval_us", "1000") ||
		    store_case_set_emulated(st, cid, emulated) ||
		    store_series_create(st, cid, 0, 1, "ns", &sid))
			goto fail;
		for (uint32_t off = 0, k = 0; off < n;
		     off += CODEC_CHUNK_SAMPLES, k++) {
			uint32_t len = n - off < CODEC_CHUNK_SAMPLES
				? n - off : CODEC_CHUNK_SAMPLES;
			ssize_t bl = codec_encode(v + off, len, blob,
						  codec_bound(CODEC_CHUNK_SAMPLES));

			if (bl < 0 || store_chunk_put(st, sid, k, off, len,
						      blob, (size_t)bl))
				goto fail;
		}
		stats_add(s, v, n);
		stats_summary(s, &sum);
		if (stats_histogram_blob(s, 1000, &hist, &hlen) ||
		    store_series_finish(st, sid, &sum, 1000, hist, hlen) ||
		    store_case_status(st, cid, "done", NULL))
			goto fail;
		free(hist);
		stats_free(s);
		s = NULL;
	}
	}
	if (store_run_finish(st, rid, "done") || store_commit(st))
		goto fail;
	printf("%s\n", argv[2]);
	free(v);
	free(blob);
	store_close(st);
	return 0;
fail:
	fprintf(stderr, "mkrun: %s\n", store_errmsg(st));
	store_close(st);
	return 2;
}
