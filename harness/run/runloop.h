/*
 * runloop.h - one run of a plan: the lifecycle of the run (run_tool, in
 * run_tool.c) and of every case (run_plan, runloop.c), each in one place.
 *
 *   store run + every case as 'pending'  (before anything runs)
 *   for each case:
 *     skip?  -> 'skipped' with the reason
 *     env prepare -> start -> collect the stream (deadlines: HELLO within
 *     hello_timeout_s, the whole case within its length + grace_s)
 *     -> wait / stop -> ingest_finish -> 'done' or 'failed' with the reason
 *     -> env cleanup (every path)
 *   run 'done' | 'failed' | 'interrupted'
 *
 * SIGINT/SIGTERM stop the current case, mark it failed ("interrupted"), the
 * rest skipped, and the run interrupted.
 */
#ifndef ISOLAT_RUNLOOP_H
#define ISOLAT_RUNLOOP_H

#include <sys/types.h>

#include <stddef.h>

#include "collectors/store.h"
#include "harness/run/plan.h"

struct run_opts {
	int quiet;
	const char *argv_text; /* the command line, stored with the run */
	const char *sysroot;   /* "/" (hostinfo) */
	/* The static isolat-wl; NULL: the one beside the harness
	 * (workload_binary).  Unit tests name the build's. */
	const char *wl_path;
	/* The host tuning journal (its lock beside it); NULL:
	 * JOURNAL_DEFAULT.  Unit tests use a scratch one. */
	const char *journal;
	/* A dead harness's journal found before the run: undone by this,
	 * as `isolat restore` would (cmd_run: cmd_restore_dead), 0 when the
	 * host is back.  NULL: refused, the user runs restore. */
	int (*restore_dead)(void *ctx, const char *journal, pid_t pid);
	void *restore_ctx;
};

struct run_result {
	char uuid[37];
	unsigned done, failed, skipped;
	int interrupted;
	/* Some host tuning could not be undone: its records stay in the
	 * journal (run_tool). */
	int undo_left;
	/* Runs of this host left 'running' by a harness that died, marked
	 * aborted (run_tool, holding the lock). */
	unsigned abandoned;
	/* The worst latency maximum, "worst max 48.2 us: NAME cpu 1"
	 * (progress_worst), or "": for the run's final line. */
	char worst[256];
};

/*
 * The run lifecycle, in one place (rtla's run_tool()):
 *
 *   lock            one run or restore at a time (journal_lock; a
 *                   non-root function test goes on without it)
 *   stale journal   a dead harness's journal is undone first
 *                   (restore_dead), else refused: its tuning may still
 *                   be on
 *   store           opened; runs a dead harness left 'running' aborted
 *   plan            the run and every case stored 'pending' (run_plan)
 *   per case        tune -> prepare -> start -> collect -> stop ->
 *                   cleanup -> undo (runloop.c: run_case)
 *   finish          the run's status; tuning left in the journal said
 *                   in res->undo_left
 *
 * 0 when the run was carried out (cases may have failed: see res), or
 * -errno with err set (the lock is held elsewhere, a stale journal, the
 * database).  res->uuid is set once the run is recorded.
 */
int run_tool(const char *db_path, const struct plan *plan,
	     const struct run_opts *o, struct run_result *res, char *err,
	     size_t errsz);

/*
 * Run every case of plan into st.  Returns 0 when the run could be carried
 * out (cases may still have failed: see res), or -errno with err set when
 * the run itself could not be recorded (database, memory).
 */
int run_plan(struct store *st, const struct plan *plan,
	     const struct run_opts *o, struct run_result *res, char *err,
	     size_t errsz);

/* Install the SIGINT/SIGTERM handlers the run loop watches. */
void runloop_signals(void);

#endif
