/*
 * runloop.h - one run of a plan: the lifecycle of every case, in one place.
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
};

struct run_result {
	char uuid[37];
	unsigned done, failed, skipped;
	int interrupted;
};

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
