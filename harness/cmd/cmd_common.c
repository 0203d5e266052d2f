/*
 * cmd_common.c - what several commands share: usage printing and opening
 * the database to resolve a RUN argument.
 */
#include <errno.h>
#include <stdio.h>

#include "collectors/store.h"
#include "harness/cmd/cmd.h"

void cmd_usage(FILE *out, const char *text)
{
	fputs(text, out);
}

int cmd_open_run(struct isolat_ctx *ctx, const char *cmd, const char *arg,
		 struct store **st, long long *run_id, char uuid[37])
{
	char err[1024];
	int64_t id;
	int rc;

	rc = store_open(ctx->db_path, STORE_READ, st, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "isolat %s: %s\n", cmd, err);
		return EXIT_ERROR;
	}
	if (!arg)
		return EXIT_OK;
	rc = store_resolve_ref(*st, arg, &id, uuid, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "isolat %s: %s\n", cmd, err);
		store_close(*st);
		*st = NULL;
		return EXIT_ERROR;
	}
	*run_id = id;
	return EXIT_OK;
}
