/*
 * cmd_trend.c - `isolat trend [--host H] [--scenario S] [--last N]
 * [--since DATE] [-o DIR]`: a board's nights as series per case x CPU x
 * metric, their change points (reports/trend.h), and, with -o, a page
 * with one plot per metric.  Exit 0, 1 when the newest change point is
 * a regression (for a nightly job), 2 error, 129 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/store.h"
#include "harness/cmd/cmd.h"
#include "reports/trend.h"

static const char usage_text[] =
	"usage: isolat trend [--host FP|HOSTNAME] [--scenario NAME]\n"
	"                    [--last N] [--since YYYY-MM-DD] [--alpha A]\n"
	"                    [--min-change PCT] [-o DIR]\n"
	"\n"
	"For one host (fingerprint or hostname) and scenario, one value per\n"
	"run (night) for every case x CPU x metric (p50 p99 p999 max), and\n"
	"the change points in each series: E-divisive means for where, a\n"
	"Welch t test between the segments for whether (p < alpha, default\n"
	"0.001, and a change of at least --min-change, default 5%).  Each\n"
	"change point is printed with the first run that shows it, its tool\n"
	"version, kernel release and command line, and what changed since\n"
	"the run before.  Works on a merged central database.\n"
	"\n"
	"  --host, --scenario  needed when the database has several\n"
	"  --last N            the newest N runs only\n"
	"  --since DATE        runs started on or after DATE\n"
	"  -o DIR              index.html and trend-METRIC.svg into DIR\n"
	"\n"
	"exit status: 0, 1 when the newest change point is a regression\n"
	"(a rise of a real case's latency), 2 error, 129 usage\n";

static int valid_date(const char *s)
{
	return strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
	       strspn(s, "0123456789-") == 10;
}

static int parse(int argc, char **argv, struct trend_opts *o,
		 const char **out)
{
	static const struct option opts[] = {
		{"host", required_argument, NULL, 'H'},
		{"scenario", required_argument, NULL, 's'},
		{"last", required_argument, NULL, 'n'},
		{"since", required_argument, NULL, 'S'},
		{"alpha", required_argument, NULL, 'a'},
		{"min-change", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': o->host = optarg; break;
		case 's': o->scenario = optarg; break;
		case 'o': *out = optarg; break;
		case 'n':
			o->last = strtol(optarg, &end, 10);
			if (*end || o->last < 2 || o->last > 100000) {
				fprintf(stderr, "isolat trend: --last %s: give "
					"a number of runs >= 2\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'S':
			if (!valid_date(optarg)) {
				fprintf(stderr, "isolat trend: --since %s: give"
					" a date YYYY-MM-DD\n", optarg);
				return EXIT_USAGE;
			}
			o->since = optarg;
			break;
		case 'a':
			o->alpha = strtod(optarg, &end);
			if (*end || !(o->alpha > 0 && o->alpha < 0.5)) {
				fprintf(stderr, "isolat trend: --alpha %s: give"
					" a level between 0 and 0.5\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'm':
			o->min_change = strtod(optarg, &end) / 100.0;
			if ((*end && strcmp(end, "%")) ||
			    !(o->min_change >= 0 && o->min_change < 100)) {
				fprintf(stderr, "isolat trend: --min-change %s:"
					" give a percentage, e.g. 5%%\n",
					optarg);
				return EXIT_USAGE;
			}
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

int cmd_trend(struct isolat_ctx *ctx, int argc, char **argv)
{
	struct trend_opts o = { .alpha = TREND_ALPHA,
				.min_change = TREND_MIN_CHANGE };
	struct trend_result res;
	struct store *st;
	const char *out = NULL;
	char err[1024];
	int rc, regression = 0;
	long at;

	rc = parse(argc, argv, &o, &out);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (store_open(ctx->db_path, STORE_READ, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "isolat trend: %s\n", err);
		return EXIT_ERROR;
	}
	rc = trend_build(st, &o, &res, err, sizeof(err));
	store_close(st);
	if (rc) {
		fprintf(stderr, "isolat trend: %s\n", err);
		trend_result_free(&res);
		return EXIT_ERROR;
	}
	rc = trend_write_text(&res, stdout);
	if (!rc && out)
		rc = trend_write_html(&res, out, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "isolat trend: %s\n", rc == -EIO && !out
			? "writing stdout failed" : err);
		trend_result_free(&res);
		return EXIT_ERROR;
	}
	/* As report and compare say where their page is. */
	if (out && !ctx->quiet)
		fprintf(stderr, "isolat trend: %s/index.html\n", out);
	at = trend_newest(&res, &regression);
	if (at >= 0 && !ctx->quiet)
		fprintf(stderr, "isolat trend: newest change point at run %ld "
			"(%s): %s\n", at + 1, res.runs[at].uuid, regression
			? "a regression (exit 1)" : "not a regression");
	trend_result_free(&res);
	return at >= 0 && regression ? EXIT_FAILED : EXIT_OK;
}
