/*
 * cmd_run.c - `isolat run SCENARIO`: validate, plan, then run every case
 * through the run's lifecycle (harness/run/runloop.h: run_tool), and say
 * what it did and which exit that is.  Nothing is written before the
 * scenario and the plan are known good.  The whole run holds the lock
 * beside the tuning journal (/run/isolat/lock, harness/host/journal.h): a
 * second run or a restore is refused instead of sharing the journal or
 * removing this run's Xen domain and cpupool as leftovers.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/cmd/cmd.h"
#include "harness/host/journal.h"
#include "harness/run/plan.h"
#include "harness/run/runloop.h"
#include "harness/util.h"

static const char usage_text[] =
	"usage: isolat run [--report] [--set KEY=VALUE]... SCENARIO\n"
	"\n"
	"SCENARIO is a file, or the name of a shipped one (smoke, quick,\n"
	"nightly, whitepaper).\n"
	"Run every case of SCENARIO, store every sample in the database and\n"
	"print the run's UUID on stdout.  Needs root (SCHED_FIFO, mlockall,\n"
	"/dev/cpu_dma_latency).  One run at a time: refused while another\n"
	"isolat run or restore holds /run/isolat/lock.  A tuning journal a\n"
	"killed harness left is undone first, as `isolat restore` would.\n"
	"\n"
	"  --report   render the report (as `isolat report`) afterwards\n"
	"  --set KEY=VALUE\n"
	"             set a [scenario] key (repeatable), validated like the\n"
	"             file's; the stored scenario text records it.\n"
	"             gate.KEY=VALUE: a [gate] key; profile.NAME.KEY=VALUE:\n"
	"             a key of [profile NAME], which profiles = must list\n"
	"  --help     this text\n"
	"\n"
	"On a terminal a live line shows the case, time left and maximum;\n"
	"otherwise (CI, LAVA, nohup) one line per case start and end.\n";

#define RUN_SETS_MAX 64

/* What the command line asked for besides SCENARIO. */
struct run_args {
	int report;
	char *sets[RUN_SETS_MAX]; /* --set KEY=VALUE, in order */
	unsigned nsets;
};

/* The exit of a run that was carried out: nothing measured because
 * nothing could run here is not a pass (a CI gate must not go green on a
 * host that lacks the environment); tuning left on the host is a
 * failure. */
static int run_status(const struct run_result *res)
{
	int status = res->interrupted ? EXIT_INTERRUPTED
		     : res->failed    ? EXIT_FAILED
		     : res->done == 0 ? EXIT_NO_RESOURCE
				      : EXIT_OK;

	return res->undo_left && status == EXIT_OK ? EXIT_FAILED : status;
}

/* What the run did, on stdout (the UUID alone) and stderr. */
static void run_said(const struct isolat_ctx *ctx, const struct scenario *scn,
		     const struct run_result *res, int rc)
{
	if (res->uuid[0] && (rc == 0 || res->done + res->failed))
		printf("%s\n", res->uuid);
	fflush(stdout);
	/* Whatever the cases did: the host is still partly tuned. */
	if (res->undo_left)
		fprintf(stderr, "isolat run: some host tuning could not be "
			"undone (the cases' tune.restore.failed.* facts say "
			"which); it stays in %s: run `isolat restore`\n",
			JOURNAL_DEFAULT);
	if (rc == 0 && !ctx->quiet)
		fprintf(stderr,
			"isolat run: %s: %u done, %u failed, %u skipped%s%s%s "
			"(isolat show %.8s)\n",
			scn->name, res->done, res->failed, res->skipped,
			res->interrupted ? ", interrupted" : "",
			res->worst[0] ? "; " : "", res->worst, res->uuid);
}

/* Options and SCENARIO: 0 to go on, or 1 with the exit in *exit_code
 * (--help, a usage error). */
static int run_args(int argc, char **argv, struct run_args *a,
		    int *exit_code)
{
	static const struct option opts[] = {
		{"report", no_argument, NULL, 'r'},
		{"set", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'r') {
			a->report = 1;
		} else if (c == 's' && a->nsets < RUN_SETS_MAX) {
			a->sets[a->nsets++] = optarg;
		} else if (c == 'h') {
			cmd_usage(stdout, usage_text);
			*exit_code = EXIT_OK;
			return 1;
		} else {
			break;
		}
	}
	if (c != -1 || optind + 1 != argc) {
		cmd_usage(stderr, usage_text);
		*exit_code = EXIT_USAGE;
		return 1;
	}
	return 0;
}

/*
 * scenario -> plan -> the run's lifecycle (run_tool: lock, stale
 * journal, store, cases, finish) -> what it did and the exit -> the
 * report when asked.
 */
/* run_opts.restore_dead: a dead harness's journal, undone as `isolat
 * restore` would before this run touches anything. */
static int restore_dead(void *ctx, const char *journal, pid_t pid)
{
	return cmd_restore_dead(ctx, journal, pid) == EXIT_OK ? 0 : -EBUSY;
}

int cmd_run(struct isolat_ctx *ctx, int argc, char **argv)
{
	struct scenario scn;
	struct plan plan;
	struct run_opts ro = {.quiet = ctx->quiet,
			      .argv_text = ctx->argv_text, .sysroot = "/",
			      .restore_dead = restore_dead,
			      .restore_ctx = ctx};
	struct run_result res;
	struct run_args args = {0};
	char err[1024], path[4096];
	int rc, status;

	if (run_args(argc, argv, &args, &status))
		return status;
	scenario_find(argv[optind], path, sizeof(path));
	if (scenario_load_set(path, args.sets, args.nsets, &scn, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "isolat run: %s\n", err);
		return EXIT_ERROR;
	}
	if (plan_build(&scn, "/", &plan, err, sizeof(err)) < 0) {
		fprintf(stderr, "isolat run: %s\n", err);
		scenario_free(&scn);
		return EXIT_ERROR;
	}
	fputs(plan.notes, stderr); /* what planning found to say */
	if (strcmp(scn.params.policy, "other") && geteuid() != 0) {
		fprintf(stderr,
			"isolat run: %s: policy %s needs root (SCHED_FIFO/RR, "
			"mlockall, /dev/cpu_dma_latency); run as root, or set "
			"policy = other for a function test\n",
			scn.path, scn.params.policy);
		status = EXIT_NO_RESOURCE;
		goto out;
	}
	runloop_signals();
	rc = run_tool(ctx->db_path, &plan, &ro, &res, err, sizeof(err));
	run_said(ctx, &scn, &res, rc);
	if (rc < 0) {
		fprintf(stderr, "isolat run: %s\n", err);
		status = EXIT_ERROR;
		goto out;
	}
	status = run_status(&res);
	if (args.report && !res.interrupted) {
		int rs = cmd_report_after_run(ctx, res.uuid);

		if (rs != EXIT_OK && status == EXIT_OK)
			status = rs;
	}
out:
	plan_free(&plan);
	scenario_free(&scn);
	return status;
}
