/*
 * main.c - the isolat command: global options, then the command table.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cmd/cmd.h"

struct command {
	const char *name;
	int (*fn)(struct isolat_ctx *ctx, int argc, char **argv);
	const char *describe;
};

static const struct command commands[] = {
#define X(n, d) {#n, cmd_##n, d},
	CMDS(X)
#undef X
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: isolat [--db PATH] [--quiet] COMMAND [ARGS]\n"
		"\n"
		"Characterize real-time latency on bare metal, in containers "
		"and guests.\n"
		"\n"
		"global options:\n"
		"  --db PATH   database (default results/isolat.db)\n"
		"  --quiet     no progress or notes, errors only\n"
		"  --version   print the version\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name,
			commands[i].describe);
	fprintf(out, "\n`isolat COMMAND --help` for a command's options.\n"
		     "RUN arguments take a UUID, a unique prefix, a tag "
		     "(isolat tag), or 'last'.\n"
		     "man isolat, man isolat-scenario: the reference.\n"
		     "exit status: 0 ok, 1 a case failed (gate, trend: a "
		     "regression), 2 error, 3 not "
		     "possible here, 129 usage, 130 interrupted\n");
}

/* The command line as one string, stored with a run. */
static char *join_argv(int argc, char **argv)
{
	size_t n = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	s = malloc(n);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < argc; i++) {
		strcat(s, argv[i]);
		if (i + 1 < argc)
			strcat(s, " ");
	}
	return s;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	struct isolat_ctx ctx = {.db_path = "results/isolat.db"};
	int c, rc;
	char *joined;
	char *hargv[3] = {NULL, "--help", NULL};

	/* '+': stop at the command name; its options are its own. */
	while ((c = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!*optarg) {
				fprintf(stderr, "isolat: --db needs a path\n");
				return EXIT_USAGE;
			}
			ctx.db_path = optarg;
			break;
		case 'q':
			ctx.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("isolat %s\n", ISOLAT_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		if (optind + 1 >= argc) {
			usage(stdout);
			return EXIT_OK;
		}
		/* `isolat help CMD` == `isolat CMD --help` */
		hargv[0] = argv[optind + 1];
		optind = 0;
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]);
		     i++)
			if (!strcmp(commands[i].name, hargv[0]))
				return commands[i].fn(&ctx, 2, hargv);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, argv[optind]))
			continue;
		joined = join_argv(argc, argv);
		ctx.argv_text = joined ? joined : "isolat";
		int base = optind;

		optind = 0; /* glibc: re-initialise for the command's options */
		rc = commands[i].fn(&ctx, argc - base, argv + base);
		free(joined);
		return rc;
	}
	fprintf(stderr, "isolat: unknown command '%s'; see `isolat --help`\n",
		argv[optind]);
	return EXIT_USAGE;
}
