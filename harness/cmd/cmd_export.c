/*
 * cmd_export.c - `isolat export RUN`: every sample (bit-exact) or the
 * per-series summaries as CSV or JSON, to stdout or a file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "collectors/store.h"
#include "harness/cmd/cmd.h"
#include "reports/export.h"

static const char usage_text[] =
	"usage: isolat export [--samples | --format csv|json] [-o FILE] RUN\n"
	"\n"
	"  --samples        every sample of every series, CSV:\n"
	"                   case,name,environment,workload,series,cpu,seq,"
	"value_ns\n"
	"  --format FORMAT  per-series summaries as csv (default) or json\n"
	"  -o, --output F   write to F instead of stdout\n"
	"RUN is a UUID, a unique prefix of one, or 'last'.\n";

int cmd_export(struct isolat_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"samples", no_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	enum export_format fmt = EXPORT_CSV;
	const char *output = NULL;
	struct store *st = NULL;
	long long run_id;
	char uuid[37], err[1024];
	int c, rc, samples = 0, format_given = 0;
	FILE *out = stdout;

	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			samples = 1;
			break;
		case 'f':
			format_given = 1;
			if (!strcmp(optarg, "csv")) {
				fmt = EXPORT_CSV;
			} else if (!strcmp(optarg, "json")) {
				fmt = EXPORT_JSON;
			} else {
				fprintf(stderr, "isolat export: --format %s: "
					"expected csv or json\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			cmd_usage(stdout, usage_text);
			return EXIT_OK;
		default:
			cmd_usage(stderr, usage_text);
			return EXIT_USAGE;
		}
	}
	if (samples && format_given) {
		fprintf(stderr, "isolat export: --samples and --format do not "
			"go together: the samples are always CSV (case, cpu, "
			"seq, value); expected one of them\n");
		return EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	rc = cmd_open_run(ctx, "export", argv[optind], &st, &run_id, uuid);
	if (rc != EXIT_OK)
		return rc;
	if (output) {
		out = fopen(output, "w");
		if (!out) {
			fprintf(stderr, "isolat export: %s: %s\n", output,
				strerror(errno));
			store_close(st);
			return EXIT_ERROR;
		}
	}
	rc = samples ? export_samples(st, run_id, out, err, sizeof(err))
		     : export_summaries(st, run_id, fmt, out, err,
					sizeof(err));
	if (fflush(out) != 0 && rc == 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "write error: %s", strerror(errno));
	}
	if (out != stdout)
		fclose(out);
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "isolat export: %s\n", err);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}
