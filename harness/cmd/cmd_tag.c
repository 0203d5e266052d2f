/*
 * cmd_tag.c - `isolat tag RUN NAME`: name a run (a gate baseline, "the
 * release 6.1 run").  Tags live in the database (schema v2, table tags);
 * every command that takes REF accepts them.  A tag moves when set again.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "collectors/store.h"
#include "harness/cmd/cmd.h"

static const char usage_text[] =
	"usage: isolat tag RUN NAME     point tag NAME at RUN (moves it)\n"
	"       isolat tag --delete NAME\n"
	"       isolat tag --list\n"
	"\n"
	"NAME: 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter,\n"
	"not 4+ lowercase hex digits and '-' alone (a UUID prefix).\n"
	"RUN is a UUID, a unique prefix, 'last' or another tag.\n";

static int print_tag(void *ctx, const char *name, const char *uuid,
		     const char *created_at)
{
	(void)ctx;
	printf("%-24s %s  %s\n", name, uuid, created_at);
	return 0;
}

int cmd_tag(struct isolat_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"delete", required_argument, NULL, 'd'},
		{"list", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *del = NULL;
	struct store *st;
	int64_t id;
	char uuid[37], err[1024];
	int c, list = 0, rc;

	while ((c = getopt_long(argc, argv, "hl", opts, NULL)) != -1) {
		if (c == 'd') {
			del = optarg;
		} else if (c == 'l') {
			list = 1;
		} else if (c == 'h') {
			cmd_usage(stdout, usage_text);
			return EXIT_OK;
		} else {
			cmd_usage(stderr, usage_text);
			return EXIT_USAGE;
		}
	}
	if ((del || list) ? optind != argc : optind + 2 != argc) {
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	/* STORE_WRITE would create a missing database; a tag needs a run. */
	rc = store_open(ctx->db_path, STORE_READ, &st, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "isolat tag: %s\n", err);
		return EXIT_ERROR;
	}
	if (list) {
		rc = store_tag_list(st, print_tag, NULL) < 0 ? EXIT_ERROR
							      : EXIT_OK;
	} else if (del) {
		rc = store_tag_delete(st, del);
		if (rc == -ENOENT)
			fprintf(stderr, "isolat tag: no tag '%s'\n", del);
		rc = rc ? EXIT_ERROR : EXIT_OK;
	} else if (store_resolve_ref(st, argv[optind], &id, uuid, err,
				     sizeof(err)) < 0 ||
		   store_tag_set(st, argv[optind + 1], id, err,
				 sizeof(err)) < 0) {
		fprintf(stderr, "isolat tag: %s\n", err);
		rc = EXIT_ERROR;
	} else {
		if (!ctx->quiet)
			fprintf(stderr, "isolat tag: %s -> %s\n",
				argv[optind + 1], uuid);
		rc = EXIT_OK;
	}
	store_close(st);
	return rc;
}
