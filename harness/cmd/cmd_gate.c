/*
 * cmd_gate.c - `isolat gate --baseline REF [--candidate REF]`: the
 * regression gate for CI.  Exit 0 pass, 1 regression (or a candidate case
 * that failed, or a baseline case with samples that the candidate lacks or
 * skipped: MISSING), 2 error (nothing comparable counts as an error: a gate
 * that compared nothing must not pass), 129 usage.
 *
 * Thresholds: GATE_DEFAULTS, replaced by the [gate] section of the
 * candidate run's stored scenario when it has one, then --threshold.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/store.h"
/* Its SQL moves to reports/ in its rewrite (issue 15), and this goes. */
#include "collectors/store_db.h"
#include "harness/cmd/cmd.h"
#include "reports/gate.h"

static const char usage_text[] =
	"usage: isolat gate --baseline REF [--candidate REF] [--threshold "
	"METRIC=LIMIT]...\n"
	"                   [--alpha A] [--junit FILE] [--markdown FILE]\n"
	"\n"
	"Compare the candidate run's cases with the baseline's (matched by\n"
	"environment, profile, workload, load; repetitions pooled; series by\n"
	"CPU).  A metric (p50 p90 p99 p999 p9999 max dropped) fails when it\n"
	"is over its limit AND the shift is significant: one-sided\n"
	"Mann-Whitney U on per-second (per-block) values, p < alpha.\n"
	"REF is a tag (`isolat tag`), a UUID, a unique prefix or 'last';\n"
	"the candidate defaults to 'last'.\n"
	"\n"
	"  --threshold M=LIMIT  e.g. p99=+10%  max=+50us  p9999=+20%,+5us\n"
	"                       max=off (reported, never fails)\n"
	"                       (overrides the scenario's [gate] section;\n"
	"                       without either: p99=+10% max=+50%)\n"
	"  --alpha A            significance level (default 0.01)\n"
	"  --junit FILE         JUnit XML, one testcase per case x CPU x metric\n"
	"  --markdown FILE      Markdown summary for a CI comment ('-': stdout)\n"
	"\n"
	"A baseline case with samples that the candidate lacks (or skipped\n"
	"while the baseline ran it) is MISSING and fails the gate; cases\n"
	"skipped in both runs are listed as skipped, with the reason.\n"
	"\n"
	"exit status: 0 pass, 1 regression, failed or missing case, 2 error,\n"
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

/* Defaults, then the candidate's [gate].  0 or an exit code. */
static int scenario_thresholds(struct store *st, int64_t cand,
			       const char *uuid, struct gate_opts *o)
{
	static const char *const defaults[] = { GATE_DEFAULTS };
	struct gate_thresholds th = { 0 };
	sqlite3_stmt *s;
	char err[512], origin[64];
	int found = 0, rc = 0;

	if (sqlite3_prepare_v2(store_db(st), "SELECT scenario_text FROM runs "
			       "WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return EXIT_ERROR;
	sqlite3_bind_int64(s, 1, cand);
	snprintf(origin, sizeof(origin), "%s scenario", uuid);
	if (sqlite3_step(s) == SQLITE_ROW)
		rc = gate_thresholds_ini((const char *)sqlite3_column_text(s, 0),
					 origin, &th, &o->alpha, &found, err,
					 sizeof(err));
	sqlite3_finalize(s);
	if (rc) {
		fprintf(stderr, "isolat gate: %s\n", err);
		return EXIT_ERROR;
	}
	if (found) {
		o->th = th;
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		gate_threshold_arg(&o->th, defaults[i], err, sizeof(err));
	return EXIT_OK;
}

int cmd_gate(struct isolat_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"baseline", required_argument, NULL, 'b'},
		{"candidate", required_argument, NULL, 'c'},
		{"threshold", required_argument, NULL, 't'},
		{"alpha", required_argument, NULL, 'a'},
		{"junit", required_argument, NULL, 'j'},
		{"markdown", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *base = NULL, *cand = "last", *junit = NULL, *md = NULL;
	const char *ths[32];
	size_t nth = 0;
	double alpha = -1;
	struct gate_opts o = { .alpha = GATE_ALPHA };
	struct gate_result res;
	struct store *st = NULL;
	int64_t bid, cid;
	char err[2048], bu[37], cu[37], *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': base = optarg; break;
		case 'c': cand = optarg; break;
		case 'j': junit = optarg; break;
		case 'm': md = optarg; break;
		case 't':
			if (nth == sizeof(ths) / sizeof(ths[0])) {
				fprintf(stderr, "isolat gate: too many "
					"--threshold\n");
				return EXIT_USAGE;
			}
			ths[nth++] = optarg;
			break;
		case 'a':
			alpha = strtod(optarg, &end);
			if (*end || !(alpha > 0 && alpha < 0.5)) {
				fprintf(stderr, "isolat gate: --alpha %s: give "
					"a level between 0 and 0.5\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			cmd_usage(stdout, usage_text);
			return EXIT_OK;
		default:
			cmd_usage(stderr, usage_text);
			return EXIT_USAGE;
		}
	}
	if (!base || optind != argc) {
		fprintf(stderr, "isolat gate: --baseline REF is required\n");
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	rc = store_open(ctx->db_path, STORE_READ, &st, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "isolat gate: %s\n", err);
		return EXIT_ERROR;
	}
	if (resolve(st, base, &bid, bu) || resolve(st, cand, &cid, cu)) {
		store_close(st);
		return EXIT_ERROR;
	}
	rc = scenario_thresholds(st, cid, cu, &o);
	for (size_t i = 0; i < nth && rc == EXIT_OK; i++) {
		if (gate_threshold_arg(&o.th, ths[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "isolat gate: --threshold %s\n", err);
			rc = EXIT_USAGE;
		}
	}
	if (alpha > 0)
		o.alpha = alpha;
	if (rc != EXIT_OK) {
		store_close(st);
		return rc;
	}
	rc = gate_run(st, bid, cid, &o, &res, err, sizeof(err));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "isolat gate: %s\n", err);
		gate_result_free(&res);
		return EXIT_ERROR;
	}
	snprintf(res.base_ref, sizeof(res.base_ref), "%s", base);
	snprintf(res.cand_ref, sizeof(res.cand_ref), "%s", cand);
	if (junit && write_file(junit, &res, gate_write_junit))
		rc = -EIO;
	if (md && write_file(md, &res, gate_write_markdown))
		rc = -EIO;
	if (gate_write_console(&res, stderr, !ctx->quiet) == -ENOMEM)
		rc = -ENOMEM;
	if (rc < 0)
		c = EXIT_ERROR;
	else if (res.nfail || res.nerror || res.nmissing)
		c = EXIT_FAILED;
	else if (res.npass == 0) {
		fprintf(stderr, "isolat gate: nothing was compared: no case of "
			"%s matches one of %s\n", cu, bu);
		c = EXIT_ERROR;
	} else
		c = EXIT_OK;
	gate_result_free(&res);
	return c;
}
