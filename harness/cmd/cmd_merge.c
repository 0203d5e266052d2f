/*
 * cmd_merge.c - `isolat merge CENTRAL.db BOARD.db...`: gather the runs of
 * several boards into one database for cross-board comparison.  Keyed on
 * run UUID: merging the same board again imports nothing.
 */
#include <getopt.h>
#include <stdio.h>

#include "collectors/merge.h"
#include "collectors/store.h"
#include "harness/cmd/cmd.h"

static const char usage_text[] =
	"usage: isolat merge CENTRAL.db BOARD.db...\n"
	"\n"
	"Import every finished run of each BOARD database that CENTRAL does\n"
	"not have yet (by run UUID), with its host, cases, samples, events\n"
	"and tags; one transaction per run.  CENTRAL is created if missing;\n"
	"the boards are only read.  Re-importing changes nothing.\n"
	"Then: isolat --db CENTRAL.db compare RUN RUN... for a board\n"
	"comparison.\n";

int cmd_merge(struct isolat_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct store *st;
	struct merge_stats ms;
	char err[2048];
	int c, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cmd_usage(stdout, usage_text);
			return EXIT_OK;
		}
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	if (argc - optind < 2) {
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	if (store_open(argv[optind], STORE_WRITE, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "isolat merge: %s\n", err);
		return EXIT_ERROR;
	}
	for (int i = optind + 1; i < argc; i++) {
		if (merge_import(st, argv[i], &ms, err, sizeof(err)) < 0) {
			fprintf(stderr, "isolat merge: %s\n", err);
			rc = EXIT_ERROR;
			continue;
		}
		if (!ctx->quiet)
			fprintf(stderr, "isolat merge: %s: %d imported, %d "
				"already present, %d still running (skipped)"
				"%s\n", argv[i], ms.imported,
				ms.skipped_present, ms.skipped_running,
				ms.tags_conflict ? ", some tags kept central's"
				" run" : "");
		printf("%s %d %d %d\n", argv[i], ms.imported,
		       ms.skipped_present, ms.skipped_running);
	}
	store_close(st);
	return rc;
}
