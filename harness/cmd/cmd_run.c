/*
 * cmd_run.c - `isolat run SCENARIO`: validate, plan, then run every case.
 * Nothing is written before the scenario and the plan are known good.
 * The whole run holds the lock beside the tuning journal
 * (/run/isolat/lock, harness/host/journal.h): a second run or a restore is
 * refused instead of sharing the journal or removing this run's Xen
 * domain and cpupool as leftovers.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "collectors/store.h"
#include "harness/cmd/cmd.h"
#include "harness/host/journal.h"
#include "harness/run/plan.h"
#include "harness/run/runloop.h"

static const char usage_text[] =
	"usage: isolat run [--report] SCENARIO\n"
	"\n"
	"Run every case of SCENARIO, store every sample in the database and\n"
	"print the run's UUID on stdout.  Needs root (SCHED_FIFO, mlockall,\n"
	"/dev/cpu_dma_latency).  One run at a time: refused while another\n"
	"isolat run or restore holds /run/isolat/lock.\n"
	"\n"
	"  --report   render the report (as `isolat report`) afterwards\n"
	"  --help     this text\n";

int cmd_run(struct isolat_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"report", no_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct scenario scn;
	struct plan plan;
	struct store *st = NULL;
	struct run_opts ro = {.quiet = ctx->quiet,
			      .argv_text = ctx->argv_text, .sysroot = "/"};
	struct run_result res;
	char err[1024];
	int c, rc, report = 0, status, lock_fd = -1, undo_left = 0;
	int needs_rt;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'r') {
			report = 1;
		} else if (c == 'h') {
			cmd_usage(stdout, usage_text);
			return EXIT_OK;
		} else {
			cmd_usage(stderr, usage_text);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	if (scenario_load(argv[optind], &scn, err, sizeof(err)) < 0) {
		fprintf(stderr, "isolat run: %s\n", err);
		return EXIT_ERROR;
	}
	if (plan_build(&scn, "/", &plan, err, sizeof(err)) < 0) {
		fprintf(stderr, "isolat run: %s\n", err);
		scenario_free(&scn);
		return EXIT_ERROR;
	}
	fputs(plan.notes, stderr); /* what planning found to say */
	needs_rt = strcmp(scn.params.policy, "other") != 0;
	if (needs_rt && geteuid() != 0) {
		fprintf(stderr,
			"isolat run: %s: policy %s needs root (SCHED_FIFO/RR, "
			"mlockall, /dev/cpu_dma_latency); run as root, or set "
			"policy = other for a function test\n",
			scn.path, scn.params.policy);
		status = EXIT_NO_RESOURCE;
		goto out;
	}
	/* Before anything is touched: one run (or restore) at a time.  A
	 * non-root function test cannot have the lock under /run, and can
	 * change nothing of the host's either. */
	lock_fd = journal_lock(JOURNAL_DEFAULT, err, sizeof(err));
	if (lock_fd == -EWOULDBLOCK || (lock_fd < 0 && geteuid() == 0)) {
		fprintf(stderr, "isolat run: %s\n", err);
		status = EXIT_ERROR;
		goto out;
	}
	/* Host tuning a killed run left behind would be measured as the
	 * host's own state, and its originals must not be overwritten. */
	{
		pid_t jpid;
		int alive, jrc = journal_owner(JOURNAL_DEFAULT, &jpid, &alive);

		if (jrc != -ENOENT && !alive) {
			if (jrc == -EPERM)
				fprintf(stderr, "isolat run: %s: not a regular "
					"file owned by uid %d and writable by "
					"it alone; inspect it (`isolat restore` "
					"refuses it too), remove it once the "
					"host is back, then run again\n",
					JOURNAL_DEFAULT, (int)geteuid());
			else if (jrc < 0)
				fprintf(stderr, "isolat run: %s: %s; expected "
					"an isolat tuning journal: inspect and "
					"remove it, then run again\n",
					JOURNAL_DEFAULT, strerror(-jrc));
			else
				fprintf(stderr, "isolat run: %s: host tuning "
					"journal left by isolat pid %d, which "
					"is gone; the host may still be tuned: "
					"run `isolat restore` first\n",
					JOURNAL_DEFAULT, (int)jpid);
			status = EXIT_ERROR;
			goto out;
		}
	}
	rc = store_open(ctx->db_path, STORE_WRITE, &st, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "isolat run: %s\n", err);
		status = EXIT_ERROR;
		goto out;
	}
	/* Holding the lock, no other harness of this host runs: a run still
	 * marked running here was left by one that died. */
	if (lock_fd >= 0) {
		char host[256] = "";
		unsigned n = 0;

		if (gethostname(host, sizeof(host) - 1) == 0 &&
		    store_runs_abandoned(st, host, &n) == 0 && n)
			fprintf(stderr, "isolat run: %u earlier run%s of this "
				"host left 'running' by a harness that died: "
				"marked aborted\n", n, n > 1 ? "s" : "");
	}
	runloop_signals();
	rc = run_plan(st, &plan, &ro, &res, err, sizeof(err));
	if (res.uuid[0] && (rc == 0 || res.done + res.failed))
		printf("%s\n", res.uuid);
	fflush(stdout);
	/* An undo that failed leaves its records in the journal (the host
	 * is still partly tuned): say so, whatever the cases did. */
	{
		pid_t jpid;
		int alive;

		if (journal_owner(JOURNAL_DEFAULT, &jpid, &alive) == 0 &&
		    jpid == getpid()) {
			fprintf(stderr, "isolat run: some host tuning could "
				"not be undone (the cases' "
				"tune.restore.failed.* facts say which); it "
				"stays in %s: run `isolat restore`\n",
				JOURNAL_DEFAULT);
			undo_left = 1;
		}
	}
	if (rc < 0) {
		fprintf(stderr, "isolat run: %s\n", err);
		status = EXIT_ERROR;
		goto out;
	}
	if (!ctx->quiet)
		fprintf(stderr,
			"isolat run: %s: %u done, %u failed, %u skipped%s "
			"(isolat show %.8s)\n",
			scn.name, res.done, res.failed, res.skipped,
			res.interrupted ? ", interrupted" : "", res.uuid);
	/* Nothing measured because nothing could run here is not a pass: a
	 * CI gate must not go green on a host that lacks the environment. */
	status = res.interrupted ? EXIT_INTERRUPTED
		 : res.failed    ? EXIT_FAILED
		 : res.done == 0 ? EXIT_NO_RESOURCE
				 : EXIT_OK;
	if (undo_left && status == EXIT_OK)
		status = EXIT_FAILED;
	if (report && !res.interrupted) {
		int rs;

		store_close(st);
		st = NULL;
		rs = cmd_report_after_run(ctx, res.uuid);
		if (rs != EXIT_OK && status == EXIT_OK)
			status = rs;
	}
out:
	journal_unlock(lock_fd);
	store_close(st);
	plan_free(&plan);
	scenario_free(&scn);
	return status;
}
