/*
 * cmd_check.c - `isolat check FILE...` and `isolat plan FILE`: validate
 * scenarios without touching the host or the database.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "harness/cmd/cmd.h"
#include "harness/run/plan.h"
#include "reports/gate.h"

static const char check_usage[] =
	"usage: isolat check SCENARIO...\n"
	"       isolat check --keys\n"
	"\n"
	"Validate scenario files: syntax, every key and value, and the CPUs\n"
	"against this host.  Errors are FILE:LINE: what; expected.  Nothing is\n"
	"run or written.  SCENARIO: a file, or the name of a shipped one, as\n"
	"for `isolat run`.\n"
	"\n"
	"--keys: every key a scenario file may hold, one a line, tab-separated:\n"
	"SECTION NAME TYPE DEFAULT DOC (section scenario, profile or gate;\n"
	"default '-' when unset: the doc says who decides).\n";

static const char plan_usage[] =
	"usage: isolat plan SCENARIO\n"
	"\n"
	"Print the cases SCENARIO expands to on this host, with their\n"
	"parameters and any skip reason.  Nothing is run or written.\n"
	"SCENARIO: a file, or the name of a shipped one, as for `isolat run`.\n";

static int print_key(const struct scn_key_info *k, void *arg)
{
	fprintf(arg, "%s\t%s\t%s\t%s\t%s\n", k->section, k->name, k->type,
		k->def ? k->def : "-", k->doc);
	return 0;
}

/* A [gate] key, printed as check --keys prints the others. */
static int print_gate_key(const char *name, const char *type,
			  const char *doc, void *arg)
{
	struct scn_key_info k = {.section = "gate", .name = name,
				 .type = type, .doc = doc};

	return print_key(&k, arg);
}

/* --help (both), --keys (check only): else the commands take files. */
static int parse_help(int argc, char **argv, const char *text)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{"keys", no_argument, NULL, 'k'},
		{0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cmd_usage(stdout, text);
			return EXIT_OK;
		}
		if (c == 'k' && text == check_usage && optind == argc) {
			scenario_key_iter(print_key, stdout);
			gate_key_iter(print_gate_key, stdout);
			return EXIT_OK;
		}
		cmd_usage(stderr, text);
		return EXIT_USAGE;
	}
	return -1;
}

/* A [profile NAME] nobody lists is most likely a forgotten profiles =
 * entry: said, not refused (a scenario may keep spare profiles). */
static void warn_unused_profiles(const struct scenario *s)
{
	for (unsigned i = 0; i < s->nprofiles; i++) {
		unsigned j;

		for (j = 0; j < s->profiles_used.n; j++)
			if (!strcmp(s->profiles_used.item[j],
				    s->profiles[i].name))
				break;
		if (j == s->profiles_used.n)
			fprintf(stderr, "%s:%d: warning: [profile %s] is not "
				"in profiles =, so none of its cases run\n",
				s->path, s->profiles[i].line,
				s->profiles[i].name);
	}
}

int cmd_check(struct isolat_ctx *ctx, int argc, char **argv)
{
	int rc = parse_help(argc, argv, check_usage), status = EXIT_OK;

	if (rc >= 0)
		return rc;
	if (optind >= argc) {
		cmd_usage(stderr, check_usage);
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		struct scenario scn;
		struct plan plan;
		char err[1024], path[4096];

		/* A shipped name (smoke, quick...) as `run` takes it. */
		scenario_find(argv[i], path, sizeof(path));
		if (scenario_load(path, &scn, err, sizeof(err)) < 0 ||
		    plan_build(&scn, "/", &plan, err, sizeof(err)) < 0) {
			fprintf(stderr, "isolat check: %s\n", err);
			status = EXIT_ERROR;
			scenario_free(&scn);
			continue;
		}
		warn_unused_profiles(&scn);
		fputs(plan.notes, stderr);
		if (!ctx->quiet)
			printf("%s: ok (%u case%s)\n", path, plan.n,
			       plan.n == 1 ? "" : "s");
		plan_free(&plan);
		scenario_free(&scn);
	}
	return status;
}

int cmd_plan(struct isolat_ctx *ctx, int argc, char **argv)
{
	int rc = parse_help(argc, argv, plan_usage);
	struct scenario scn;
	struct plan plan;
	char err[1024], path[4096];

	(void)ctx;
	if (rc >= 0)
		return rc;
	if (optind + 1 != argc) {
		cmd_usage(stderr, plan_usage);
		return EXIT_USAGE;
	}
	scenario_find(argv[optind], path, sizeof(path));
	if (scenario_load(path, &scn, err, sizeof(err)) < 0 ||
	    plan_build(&scn, "/", &plan, err, sizeof(err)) < 0) {
		fprintf(stderr, "isolat plan: %s\n", err);
		scenario_free(&scn);
		return EXIT_ERROR;
	}
	warn_unused_profiles(&scn);
	fputs(plan.notes, stderr);
	plan_print(&plan, stdout);
	plan_free(&plan);
	scenario_free(&scn);
	return EXIT_OK;
}
