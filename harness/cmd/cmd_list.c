/*
 * cmd_list.c - `isolat list`: the runs in the database.
 */
#include <getopt.h>
#include <stdio.h>

#include "collectors/store.h"
#include "harness/cmd/cmd.h"
#include "reports/show.h"

static const char usage_text[] =
	"usage: isolat list\n"
	"\n"
	"One line per run: UUID, start time, host, scenario, status and case\n"
	"counts.  RUN arguments of other commands take a UUID, a unique\n"
	"prefix of one, a tag, or 'last'.\n";

int cmd_list(struct isolat_ctx *ctx, int argc, char **argv)
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
	if (optind != argc) {
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	rc = cmd_open_run(ctx, "list", NULL, &st, &run_id, uuid);
	if (rc != EXIT_OK)
		return rc;
	rc = list_runs(st, stdout, err, sizeof(err));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "isolat list: %s\n", err);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}
