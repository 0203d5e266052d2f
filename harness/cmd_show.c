/*
 * cmd_show.c - `isolat show RUN`: host metadata, per-case summary table,
 * failures and events of one run.
 */
#include <getopt.h>
#include <stdio.h>

#include "collectors/store.h"
#include "harness/cmd.h"
#include "reports/show.h"

static const char usage_text[] =
	"usage: isolat show RUN\n"
	"\n"
	"Print the run's host metadata, every case with its per-CPU summary\n"
	"(count, min, p50, p99, p99.99, max, dropped), failed and skipped\n"
	"cases with their reasons, and the run's events.  RUN is a UUID, a\n"
	"unique prefix of one, or 'last'.\n";

int cmd_show(struct isolat_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct store *st = NULL;
	long long run_id;
	char uuid[37], err[1024];
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		cmd_usage(c == 'h' ? stdout : stderr, usage_text);
		return c == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	rc = cmd_open_run(ctx, "show", argv[optind], &st, &run_id, uuid);
	if (rc != EXIT_OK)
		return rc;
	rc = show_run(st, run_id, stdout, err, sizeof(err));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "isolat show: %s\n", err);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}
