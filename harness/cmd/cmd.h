/*
 * cmd.h - the isolat subcommands, dispatched from main.c's commands[].
 *
 * Each command is cmd_NAME(ctx, argc, argv) in harness/cmd/cmd_NAME.c, with
 * argv[0] the command's name.  It parses its own options (--help prints its
 * usage and returns 0), prints errors as "isolat NAME: ..." on stderr, and
 * returns one of the exit codes below; only main() exits.
 *
 * Adding a command:
 *   1. write harness/cmd/cmd_NAME.c with cmd_NAME() and its usage text;
 *   2. declare it here and add a row to commands[] in main.c (flags: needs
 *      root, opens the database);
 *   3. add it to the README's command list and a test under tests/.
 */
#ifndef ISOLAT_CMD_H
#define ISOLAT_CMD_H

#include <stdio.h>

enum exit_code {
	EXIT_OK = 0,          /* done, nothing failed */
	EXIT_FAILED = 1,      /* a case failed or a threshold was hit */
	EXIT_ERROR = 2,       /* bad input, database, I/O */
	EXIT_NO_RESOURCE = 3, /* needs something this host lacks (root, ...) */
	EXIT_USAGE = 129,     /* bad command line */
	EXIT_INTERRUPTED = 130,
};

struct isolat_ctx {
	const char *db_path;   /* --db, default results/isolat.db */
	int quiet;             /* --quiet */
	const char *argv_text; /* the whole command line, for the run record */
};

#define CMDS(X)                                                              \
	X(run, "run a scenario and store every sample")                     \
	X(check, "validate scenario files")                                 \
	X(plan, "print the cases a scenario expands to on this host")       \
	X(envs, "list environments and whether each can run here")          \
	X(list, "list the runs in the database")                            \
	X(show, "print a run: host metadata, cases, summaries, events")     \
	X(export, "export a run (csv, json, cyclictest-json, osadl)")       \
	X(report, "render a run's plots and index.html with gnuplot")       \
	X(compare, "one report overlaying matching cases of several runs")  \
	X(tag, "name a run (a baseline for gate)")                          \
	X(gate, "regression gate: candidate vs baseline, JUnit/Markdown")   \
	X(trend, "a board's nights per metric, with change points")         \
	X(farm, "one static page over many boards: verdicts, trends")       \
	X(merge, "import runs from board databases, idempotent by UUID")   \
	X(restore, "undo host tuning a crashed run left (tuning journal)")

#define X(n, d) int cmd_##n(struct isolat_ctx *ctx, int argc, char **argv);
CMDS(X)
#undef X

/* `isolat run` before it tunes anything: replay the journal at path that
 * the dead harness pid left, as `isolat restore` would (saying what it
 * did as "isolat run: ...").  EXIT_OK when all of it was undone. */
#include <sys/types.h>
int cmd_restore_dead(struct isolat_ctx *ctx, const char *path, pid_t pid);

/* Open the database of ctx for reading and resolve RUN; prints errors.
 * Returns 0 or an exit code. */
struct store;
int cmd_open_run(struct isolat_ctx *ctx, const char *cmd, const char *arg,
		 struct store **st, long long *run_id, char uuid[37]);

/* `isolat run --report`: the run's report beside the database, its path
 * on stderr only (stdout stays the UUID).  An exit code. */
int cmd_report_after_run(struct isolat_ctx *ctx, const char *uuid);

/* Print usage text to out. */
void cmd_usage(FILE *out, const char *text);

#endif
