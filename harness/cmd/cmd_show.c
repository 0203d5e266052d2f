/*
 * cmd_show.c - `isolat show RUN`: host metadata, per-case summary table,
 * failures and events of one run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "collectors/store.h"
#include "harness/cmd/cmd.h"
#include "reports/show.h"
#include "reports/show_facts.h"

static const char usage_text[] =
	"usage: isolat show RUN\n"
	"       isolat show RUN --facts [CASE]\n"
	"\n"
	"Print the run's host metadata, every case with its per-CPU summary\n"
	"(count, min, p50, p99, p99.99, max, dropped), failed and skipped\n"
	"cases with their reasons, and the run's events.  RUN is a UUID, a\n"
	"unique prefix of one, a tag, or 'last'.\n"
	"\n"
	"  --facts [CASE]  instead, every fact recorded for each case (or\n"
	"                  case number CASE): tuning applied and refused\n"
	"                  (tune.*), guest placement (kvm.*, xen.*), the load's\n"
	"                  command (load.*), probes, perf support...\n";

int cmd_show(struct isolat_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{"facts", no_argument, NULL, 'f'},
		{0},
	};
	struct store *st = NULL;
	long long run_id;
	char uuid[37], err[1024], *end;
	int c, rc, facts = 0, case_idx = -1;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'f') {
			facts = 1;
			continue;
		}
		cmd_usage(c == 'h' ? stdout : stderr, usage_text);
		return c == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind + 1 + (facts && optind + 2 == argc) != argc) {
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	if (optind + 2 == argc) {
		long v = strtol(argv[optind + 1], &end, 10);

		if (*end || end == argv[optind + 1] || v < 0 || v > 1000000) {
			fprintf(stderr, "isolat show: --facts %s: expected a "
				"case number as isolat show RUN lists them\n",
				argv[optind + 1]);
			return EXIT_USAGE;
		}
		case_idx = (int)v;
	}
	rc = cmd_open_run(ctx, "show", argv[optind], &st, &run_id, uuid);
	if (rc != EXIT_OK)
		return rc;
	rc = facts ? show_facts(st, run_id, case_idx, stdout, err, sizeof(err))
		   : show_run(st, run_id, stdout, err, sizeof(err));
	store_close(st);
	if (rc < 0) {
		fprintf(stderr, "isolat show: %s\n", err);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}
