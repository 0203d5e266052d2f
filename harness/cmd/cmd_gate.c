/*
 * cmd_gate.c - `isolat gate --baseline REF... [--candidate REF]`: the
 * regression gate for CI.  Exit 0 pass, 1 regression (a limit, a rule or
 * the across-run test; or a candidate case that failed, or a baseline
 * case with samples that the candidate lacks or skipped: MISSING), 2
 * error (nothing comparable at all counts as an error: a gate that
 * compared nothing must not pass), 3 nothing real compared (only
 * emulated cases, shown and not gated), 129 usage.
 *
 * Thresholds: GATE_DEFAULTS, replaced by the [gate] section of the
 * candidate run's stored scenario when it has one, then --threshold,
 * --limit, --over-at and --alpha.  docs/gate.md is the reference.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/store.h"
/* Its SQL moves to reports/ in its rewrite (issue 15), and this goes. */
#include "harness/cmd/cmd.h"
#include "reports/gate.h"

static const char usage_text[] =
	"usage: isolat gate --baseline REF [--baseline REF]... [--candidate REF]\n"
	"       isolat gate --limit METRIC=LIMIT... [--candidate REF]   (no baseline)\n"
	"                   [--baseline-last N] [--threshold METRIC=MARGIN]...\n"
	"                   [--limit METRIC=LIMIT]... [--over-at LAT]\n"
	"                   [--alpha A|off] [--emulated show|gate]\n"
	"                   [--junit FILE] [--markdown FILE]\n"
	"\n"
	"Compare the candidate run's cases with the baseline runs' (matched\n"
	"by environment, profile, workload, load; series by CPU).  The unit\n"
	"is a run or a repetition: each gives one value per metric.\n"
	"  limit   an absolute ceiling; exceeded by the worst candidate run:\n"
	"          FAIL, whatever the baseline (without a baseline, limits\n"
	"          alone judge every case)\n"
	"  rule    max, dropped, over, run (worst-case events): FAIL when\n"
	"          candidate > baseline worst x (1 + r) + d\n"
	"  test    p50 p90 p99 p999 p9999: FAIL when over the margin AND\n"
	"          outside the baseline runs' spread (one-sided t test on\n"
	"          log values, p < alpha); with one baseline run the spread\n"
	"          is unknown and these are not gated\n"
	"REF is a tag (`isolat tag`), a UUID, a unique prefix or 'last';\n"
	"the candidate defaults to 'last'.\n"
	"\n"
	"  --baseline REF       a baseline run (repeat for several)\n"
	"  --baseline-last N    also the N runs before the candidate of the\n"
	"                       same host and scenario (the last N nights)\n"
	"  --threshold M=MARGIN e.g. p99=+10%  max=+50%  max=+20%,+50us\n"
	"                       max=off (reported, never fails)\n"
	"                       (without it or [gate]: p99=+10% max=+50%)\n"
	"  --limit M=LIMIT      max=100us  p999=50us  dropped=0\n"
	"                       over=50us:0 (no sample above 50 us)\n"
	"                       run=50us:3 (never more than 3 in a row)\n"
	"  --over-at LAT        the latency of the over / run metrics\n"
	"  --alpha A|off        level of the test (default 0.01); off: the\n"
	"                       margin alone decides\n"
	"  --emulated show|gate emulated cases: shown, not gated (default),\n"
	"                       or gated like real ones\n"
	"  --junit FILE         JUnit XML, one testcase per case x CPU x metric\n"
	"  --markdown FILE      Markdown for a merge request ('-': stdout)\n"
	"\n"
	"A baseline case with samples that the candidate lacks (or skipped\n"
	"while the baseline ran it) is MISSING and fails the gate; cases\n"
	"skipped in both runs are listed as skipped, with the reason.\n"
	"\n"
	"exit status: 0 pass, 1 regression, failed or missing case, 2 error\n"
	"or nothing compared, 3 nothing real compared (emulated cases only),\n"
	"129 usage\n";

static int write_file(const char *path, const struct gate_result *res,
		      int (*fn)(const struct gate_result *, FILE *))
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	int rc;

	if (!f) {
		fprintf(stderr, "isolat gate: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	rc = fn(res, f);
	if (f != stdout && fclose(f) != 0)
		rc = -EIO;
	if (rc)
		fprintf(stderr, "isolat gate: %s: write failed\n", path);
	return rc;
}

static int resolve(struct store *st, const char *arg, int64_t *id,
		   char uuid[37])
{
	char err[1024];

	if (store_resolve_ref(st, arg, id, uuid, err, sizeof(err)) < 0) {
		fprintf(stderr, "isolat gate: %s\n", err);
		return -1;
	}
	return 0;
}

#define MAX_ARGS 32

/* What the command line said, applied after the scenario's [gate]. */
struct gate_args {
	const char *base[GATE_MAX_BASE], *ths[MAX_ARGS], *lims[MAX_ARGS];
	size_t nbase, nth, nlim;
	long last;
	double alpha, over_ns;
	int alpha_set, emulated;
	const char *cand, *junit, *md;
};

static int push(const char **arr, size_t *n, size_t max, const char *v,
		const char *what)
{
	if (*n == max) {
		fprintf(stderr, "isolat gate: too many %s\n", what);
		return -1;
	}
	arr[(*n)++] = v;
	return 0;
}

/* Parse argv into a; 0, or an exit code (EXIT_OK for --help: -1). */
static int parse_args(int argc, char **argv, struct gate_args *a)
{
	static const struct option opts[] = {
		{"baseline", required_argument, NULL, 'b'},
		{"baseline-last", required_argument, NULL, 'n'},
		{"candidate", required_argument, NULL, 'c'},
		{"threshold", required_argument, NULL, 't'},
		{"limit", required_argument, NULL, 'l'},
		{"over-at", required_argument, NULL, 'o'},
		{"alpha", required_argument, NULL, 'a'},
		{"emulated", required_argument, NULL, 'e'},
		{"junit", required_argument, NULL, 'j'},
		{"markdown", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (push(a->base, &a->nbase, GATE_MAX_BASE, optarg,
				 "--baseline"))
				return EXIT_USAGE;
			break;
		case 'n':
			a->last = strtol(optarg, &end, 10);
			if (*end || a->last < 1 || a->last >= GATE_MAX_BASE) {
				fprintf(stderr, "isolat gate: --baseline-last "
					"%s: give 1 to %d\n", optarg,
					GATE_MAX_BASE - 1);
				return EXIT_USAGE;
			}
			break;
		case 'c': a->cand = optarg; break;
		case 'j': a->junit = optarg; break;
		case 'm': a->md = optarg; break;
		case 't':
			if (push(a->ths, &a->nth, MAX_ARGS, optarg,
				 "--threshold"))
				return EXIT_USAGE;
			break;
		case 'l':
			if (push(a->lims, &a->nlim, MAX_ARGS, optarg, "--limit"))
				return EXIT_USAGE;
			break;
		case 'o':
			if (gate_latency_parse(optarg, &a->over_ns) ||
			    !(a->over_ns > 0)) {
				fprintf(stderr, "isolat gate: --over-at %s: give"
					" a latency, e.g. 50us\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'a':
			if (gate_alpha_parse(optarg, &a->alpha)) {
				fprintf(stderr, "isolat gate: --alpha %s: give "
					"a level between 0 and 0.5, or off\n",
					optarg);
				return EXIT_USAGE;
			}
			a->alpha_set = 1;
			break;
		case 'e':
			if (strcmp(optarg, "show") && strcmp(optarg, "gate")) {
				fprintf(stderr, "isolat gate: --emulated %s: "
					"give show or gate\n", optarg);
				return EXIT_USAGE;
			}
			a->emulated = !strcmp(optarg, "gate");
			break;
		case 'h':
			cmd_usage(stdout, usage_text);
			return -1;
		default:
			cmd_usage(stderr, usage_text);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	return 0;
}

/* Without a baseline only limits can judge: the command line's or the
 * candidate's [gate] limit = lines. */
static int any_ceiling(const struct gate_thresholds *th)
{
	for (int m = 0; m < GM_N; m++)
		if (th->has_ceil[m])
			return 1;
	return 0;
}

/* The command line's thresholds over o; 0 or EXIT_USAGE. */
static int apply_args(const struct gate_args *a, struct gate_opts *o)
{
	char err[512];

	if (a->over_ns > 0)
		o->th.over_ns = a->over_ns;
	for (size_t i = 0; i < a->nlim; i++)
		if (gate_limit_arg(&o->th, a->lims[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "isolat gate: --limit %s\n", err);
			return EXIT_USAGE;
		}
	for (size_t i = 0; i < a->nth; i++)
		if (gate_threshold_arg(&o->th, a->ths[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "isolat gate: --threshold %s\n", err);
			return EXIT_USAGE;
		}
	if ((o->th.m[GM_OVER].has_rel || o->th.m[GM_OVER].has_abs ||
	     o->th.m[GM_RUN].has_rel || o->th.m[GM_RUN].has_abs) &&
	    !(o->th.over_ns > 0)) {
		fprintf(stderr, "isolat gate: over / run margins need the over "
			"latency: --over-at 50us or [gate] over_at\n");
		return EXIT_USAGE;
	}
	if (a->alpha_set)
		o->alpha = a->alpha;
	o->emulated = a->emulated ? GATE_EMU_GATE : GATE_EMU_SHOW;
	return 0;
}

/* The baseline run ids: each --baseline, then --baseline-last N. */
static int baselines(struct store *st, const struct gate_args *a,
		     int64_t cid, int64_t *ids, size_t *n, char *bu)
{
	int64_t prev[GATE_MAX_BASE];
	long k;

	*n = 0;
	for (size_t i = 0; i < a->nbase; i++)
		if (resolve(st, a->base[i], &ids[(*n)++], bu))
			return -1;
	if (!a->last)
		return 0;
	k = gate_query_previous(st, cid, prev, (size_t)a->last);
	if (k < 0) {
		fprintf(stderr, "isolat gate: %s\n", store_errmsg(st));
		return -1;
	}
	for (long i = 0; i < k; i++) {
		size_t j = 0;

		while (j < *n && ids[j] != prev[i])
			j++;
		if (j == *n && *n < GATE_MAX_BASE)
			ids[(*n)++] = prev[i];
	}
	if (!*n) {
		fprintf(stderr, "isolat gate: --baseline-last %ld: no earlier "
			"run of the candidate's host and scenario\n", a->last);
		return -1;
	}
	return 0;
}

/* The exit status of a finished gate, saying why when nothing real was
 * compared. */
static int verdict_exit(const struct gate_result *res, const char *cu)
{
	if (res->nfail || res->nerror || res->nmissing)
		return EXIT_FAILED;
	if (res->nreal)
		return EXIT_OK;
	if (res->nemulated) {
		fprintf(stderr, "isolat gate: nothing real was compared: %d "
			"rows of emulated cases shown, not gated (emulated "
			"results say nothing about this hardware; --emulated "
			"gate gates them); exit 3\n", res->nemulated);
		return EXIT_NO_RESOURCE;
	}
	fprintf(stderr, "isolat gate: nothing was compared: no case of %s "
		"matches one of the baseline's\n", cu);
	return EXIT_ERROR;
}

int cmd_gate(struct isolat_ctx *ctx, int argc, char **argv)
{
	struct gate_args a = { .cand = "last" };
	struct gate_opts o = { .alpha = GATE_ALPHA };
	struct gate_result res;
	struct store *st = NULL;
	int64_t bids[GATE_MAX_BASE], cid;
	size_t nb;
	char err[2048], bu[37], cu[37];
	int c, rc;

	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	rc = store_open(ctx->db_path, STORE_READ, &st, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "isolat gate: %s\n", err);
		return EXIT_ERROR;
	}
	if (resolve(st, a.cand, &cid, cu) ||
	    baselines(st, &a, cid, bids, &nb, bu)) {
		store_close(st);
		return EXIT_ERROR;
	}
	if (gate_opts_for_run(st, cid, cu, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "isolat gate: %s\n", err);
		rc = EXIT_ERROR;
	} else {
		rc = apply_args(&a, &o);
	}
	if (rc == EXIT_OK && !nb && !any_ceiling(&o.th)) {
		fprintf(stderr, "isolat gate: --baseline REF (or "
			"--baseline-last N, or a --limit, or limit = in the "
			"candidate's [gate]) is required\n");
		cmd_usage(stderr, usage_text);
		rc = EXIT_USAGE;
	}
	if (rc != EXIT_OK) {
		store_close(st);
		return rc;
	}
	rc = gate_run_multi(st, bids, nb, cid, &o, &res, err, sizeof(err));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "isolat gate: %s\n", err);
		gate_result_free(&res);
		return EXIT_ERROR;
	}
	if (a.nbase)
		snprintf(res.base_ref, sizeof(res.base_ref), "%s", a.base[0]);
	snprintf(res.cand_ref, sizeof(res.cand_ref), "%s", a.cand);
	if (a.junit && write_file(a.junit, &res, gate_write_junit))
		rc = -EIO;
	if (a.md && write_file(a.md, &res, gate_write_markdown))
		rc = -EIO;
	if (gate_write_console(&res, stderr, !ctx->quiet) == -ENOMEM)
		rc = -ENOMEM;
	c = rc < 0 ? EXIT_ERROR : verdict_exit(&res, cu);
	gate_result_free(&res);
	return c;
}
