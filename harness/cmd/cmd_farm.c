/*
 * cmd_farm.c - `isolat farm -o DIR [--nights N] [--no-reports]`: the
 * farm page over a (merged, central) database (reports/farm.h).  Exit 0,
 * 1 when some board's last night is a regression, 2 error, 129 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/store.h"
#include "harness/cmd/cmd.h"
#include "reports/farm.h"

static const char usage_text[] =
	"usage: isolat farm -o DIR [--nights N] [--no-reports]\n"
	"\n"
	"One static page over every board (host) and scenario in the\n"
	"database (merge the boards' databases first: `isolat merge`):\n"
	"the last night's verdict (gated against up to 5 nights before it,\n"
	"with the run's [gate] section or the gate's defaults), small p99\n"
	"and max trends with change points, a trend page per board and\n"
	"scenario, and a link to each night's report.\n"
	"\n"
	"  -o DIR        the page: DIR/index.html\n"
	"  --nights N    nights per board and scenario (default 30)\n"
	"  --no-reports  do not render the night reports (the links then\n"
	"                point to DIR/nights/UUID/ for `isolat report -o`)\n"
	"\n"
	"Night reports already in DIR/nights/ are kept, so a nightly job\n"
	"renders only the new nights.\n"
	"\n"
	"exit status: 0, 2 error, 129 usage\n";

int cmd_farm(struct isolat_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"nights", required_argument, NULL, 'n'},
		{"no-reports", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct farm_opts o = { .nights = FARM_NIGHTS, .reports = 1 };
	const char *dir = NULL;
	struct store *st;
	char err[1024], *end;
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': dir = optarg; break;
		case 'R': o.reports = 0; break;
		case 'n':
			o.nights = strtol(optarg, &end, 10);
			if (*end || o.nights < 1 || o.nights > 100000) {
				fprintf(stderr, "isolat farm: --nights %s: give"
					" a number >= 1\n", optarg);
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
	if (!dir || optind != argc) {
		fprintf(stderr, "isolat farm: -o DIR is required\n");
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	if (store_open(ctx->db_path, STORE_READ, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "isolat farm: %s\n", err);
		return EXIT_ERROR;
	}
	rc = farm_render(st, dir, &o, err, sizeof(err));
	store_close(st);
	if (rc) {
		fprintf(stderr, "isolat farm: %s\n", err);
		return EXIT_ERROR;
	}
	if (!ctx->quiet)
		fprintf(stderr, "isolat farm: %s/index.html\n", dir);
	printf("%s/index.html\n", dir);
	return EXIT_OK;
}
