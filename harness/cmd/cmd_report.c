/*
 * cmd_report.c - `isolat report RUN`: gnuplot plots and index.html.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "collectors/store.h"
#include "harness/cmd/cmd.h"
#include "reports/report.h"

static const char usage_text[] =
	"usage: isolat report [-o DIR] [--style plain|paper] [--autoscale] "
	"RUN\n"
	"\n"
	"Render index.html - the headline first (each environment against\n"
	"bare with the same profile and load), then the environment figures,\n"
	"the summary table, every case - and the run's plots (environment\n"
	"overlays and matrix, latency histogram per case, maximum per second\n"
	"over time, latency versus percentile, an overview) as SVG and PNG\n"
	"through gnuplot.  The gnuplot scripts and data files are kept beside\n"
	"them.  Default DIR: report-UUID beside the database (with the\n"
	"default database, results/report-UUID).\n"
	"Prints the path of index.html on stdout.\n"
	"RUN is a UUID, a unique prefix of one, a tag, or 'last'.\n"
	"--style paper: also a vector PDF of every plot (pdfcairo), a fixed\n"
	"colour per environment, paper fonts and line widths, EMULATED cases\n"
	"marked across the plot.\n"
	"--autoscale: each case's histogram its own x range (default: one\n"
	"range for every case, so cases compare by eye).\n";

/* Render run ref into outdir (NULL: beside the database). */
static int render(struct isolat_ctx *ctx, const char *ref,
		  const char *outdir, int style, int print_path)
{
	struct store *st = NULL;
	long long run_id;
	char uuid[37], err[2048], dir[4096];
	int rc;

	rc = cmd_open_run(ctx, "report", ref, &st, &run_id, uuid);
	if (rc != EXIT_OK)
		return rc;
	if (!outdir) {
		/* Beside the database, so --db elsewhere keeps things
		 * together. */
		const char *slash = strrchr(ctx->db_path, '/');
		int dlen = slash ? (int)(slash - ctx->db_path) : 1;

		snprintf(dir, sizeof(dir), "%.*s/report-%s", dlen,
			 slash ? ctx->db_path : ".", uuid);
		outdir = dir;
	}
	rc = report_render_style(st, run_id, outdir, style, err, sizeof(err));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "isolat report: %s\n", err);
		return rc == -ENOENT ? EXIT_NO_RESOURCE : EXIT_ERROR;
	}
	/* The path is the product of `isolat report`, said once on stdout;
	 * after `run --report` stdout stays the run's UUID alone and the
	 * path goes to stderr. */
	if (print_path)
		printf("%s/index.html\n", outdir);
	else if (!ctx->quiet)
		fprintf(stderr, "isolat report: %s/index.html\n", outdir);
	return EXIT_OK;
}

int cmd_report(struct isolat_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"style", required_argument, NULL, 's'},
		{"autoscale", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *outdir = NULL;
	int style = REPORT_PLAIN, autoscale = 0;
	int c;

	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		if (c == 'o') {
			outdir = optarg;
		} else if (c == 'a') {
			autoscale = REPORT_AUTOSCALE;
		} else if (c == 's' && (!strcmp(optarg, "plain") ||
					!strcmp(optarg, "paper"))) {
			style = strcmp(optarg, "paper") ? REPORT_PLAIN
							: REPORT_PAPER;
		} else if (c == 'h') {
			cmd_usage(stdout, usage_text);
			return EXIT_OK;
		} else if (c == 's') {
			fprintf(stderr, "isolat report: --style %s: expected "
				"plain or paper\n", optarg);
			return EXIT_USAGE;
		} else {
			cmd_usage(stderr, usage_text);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	return render(ctx, argv[optind], outdir, style | autoscale, 1);
}

int cmd_report_after_run(struct isolat_ctx *ctx, const char *uuid)
{
	return render(ctx, uuid, NULL, REPORT_PLAIN, 0);
}
