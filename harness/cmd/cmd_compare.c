/*
 * cmd_compare.c - `isolat compare REF REF...`: one report overlaying the
 * matching cases of several runs (nights, profiles, boards after
 * `isolat merge`).  See reports/compare.h for what is in it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "collectors/store.h"
#include "harness/cmd/cmd.h"
#include "reports/compare.h"

static const char usage_text[] =
	"usage: isolat compare [-o DIR] REF REF...\n"
	"\n"
	"Render one report over up to 8 runs: per matching case and CPU the\n"
	"latency histograms, latency-versus-percentile curves and maximum\n"
	"per second of every run overlaid (colour: the case's environment, as\n"
	"in every figure; run A solid, B dashed, C dotted...), and a delta\n"
	"table (p50, p99, p99.99, max, dropped; \"n<N\" where the samples\n"
	"cannot support a percentile) against the first run with a\n"
	"shift mark against the first run (up or down, each a one-sided\n"
	"Mann-Whitney U on per-second p99 at p < 0.01:\n"
	"these two runs differ; whether beyond run-to-run noise is `gate`'s\n"
	"question, asked with several baseline runs).\n"
	"Cases match on environment, profile, workload and load; emulated\n"
	"and real cases are marked and never called comparable.\n"
	"REF: a tag, a UUID, a unique prefix or 'last'.\n"
	"Default DIR: compare-UUID1-UUID2... (8 characters each) beside the\n"
	"database.\n";

int cmd_compare(struct isolat_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *outdir = NULL;
	struct store *st;
	int64_t ids[CMP_MAX_RUNS];
	char uuid[37], err[2048], dir[4096];
	int c, rc, n;

	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		if (c == 'o') {
			outdir = optarg;
		} else if (c == 'h') {
			cmd_usage(stdout, usage_text);
			return EXIT_OK;
		} else {
			cmd_usage(stderr, usage_text);
			return EXIT_USAGE;
		}
	}
	n = argc - optind;
	if (n < 2 || n > CMP_MAX_RUNS) {
		fprintf(stderr, "isolat compare: give 2 to %d runs\n",
			CMP_MAX_RUNS);
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	if (store_open(ctx->db_path, STORE_READ, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "isolat compare: %s\n", err);
		return EXIT_ERROR;
	}
	{
		const char *slash = strrchr(ctx->db_path, '/');
		int dlen = slash ? (int)(slash - ctx->db_path) : 1;

		snprintf(dir, sizeof(dir), "%.*s/compare", dlen,
			 slash ? ctx->db_path : ".");
	}
	for (int i = 0; i < n; i++) {
		if (store_resolve_ref(st, argv[optind + i], &ids[i], uuid, err,
				      sizeof(err)) < 0) {
			fprintf(stderr, "isolat compare: %s\n", err);
			store_close(st);
			return EXIT_ERROR;
		}
		size_t l = strlen(dir);

		snprintf(dir + l, sizeof(dir) - l, "-%.8s", uuid);
	}
	if (!outdir)
		outdir = dir;
	rc = compare_render(st, ids, (size_t)n, outdir, err, sizeof(err));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "isolat compare: %s\n", err);
		return rc == -ENOENT ? EXIT_NO_RESOURCE : EXIT_ERROR;
	}
	printf("%s/index.html\n", outdir);
	return EXIT_OK;
}
