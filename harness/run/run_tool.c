/*
 * run_tool.c - the run lifecycle (runloop.h: run_tool), read top to
 * bottom like rtla's run_tool(): lock -> stale journal -> a dead run's
 * database settled -> store -> marker -> plan and cases (runloop.c) ->
 * finish, unwinding with goto labels.  What
 * `isolat run` prints and which exit it takes stay in cmd_run.c.
 */
#include "harness/run/runloop.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/host/journal.h"
#include "harness/run/progress.h"
#include "harness/run/run_marker.h"

/* Host tuning a killed run left behind would be measured as the host's
 * own state, and its originals must not be overwritten.  0, or -errno
 * with what to do in err. */
static int stale_journal(const struct run_opts *o, const char *journal,
			 char *err, size_t errsz)
{
	pid_t jpid;
	int alive, rc = journal_owner(journal, &jpid, &alive);

	if (rc == -ENOENT || alive)
		return 0;
	/* A harness that died (kill -9, a crash) left its journal: undone
	 * here as `isolat restore` would - its host tuning, the load it
	 * started, its work directory, its container - so nothing of it
	 * disturbs this run. */
	if (rc == 0 && geteuid() == 0 && o->restore_dead) {
		fprintf(stderr, "isolat run: %s: left by isolat pid %d, which "
			"is gone: restoring the host first\n", journal,
			(int)jpid);
		if (o->restore_dead(o->restore_ctx, journal, jpid) == 0)
			return 0;
	}
	if (rc == -EPERM)
		snprintf(err, errsz, "%s: not a regular file owned by uid %d "
			 "and writable by it alone; inspect it (`isolat "
			 "restore` refuses it too), remove it once the host "
			 "is back, then run again", journal, (int)geteuid());
	else if (rc < 0)
		snprintf(err, errsz, "%s: %s; expected an isolat tuning "
			 "journal: inspect and remove it, then run again",
			 journal, strerror(-rc));
	else
		snprintf(err, errsz, "%s: host tuning journal left by isolat "
			 "pid %d, which is gone; the host may still be tuned: "
			 "run `isolat restore` first", journal, (int)jpid);
	return rc < 0 ? rc : -EBUSY;
}

/* An undo that failed leaves its records in the journal, ours. */
static int tuning_left(const char *journal)
{
	pid_t jpid;
	int alive;

	return journal_owner(journal, &jpid, &alive) == 0 &&
	       jpid == getpid();
}

int run_tool(const char *db_path, const struct plan *plan,
	     const struct run_opts *o, struct run_result *res, char *err,
	     size_t errsz)
{
	const char *journal = o->journal ? o->journal : JOURNAL_DEFAULT;
	struct store *st = NULL;
	unsigned abandoned = 0;
	int lock_fd, rc, marked = 0, settled = 1, fresh;

	memset(res, 0, sizeof(*res));
	/* Before anything is touched: one run (or restore) at a time.  A
	 * non-root function test cannot have the lock under /run, and can
	 * change nothing of the host's either. */
	lock_fd = journal_lock(journal, err, errsz);
	if (lock_fd == -EWOULDBLOCK || (lock_fd < 0 && geteuid() == 0))
		return lock_fd;
	rc = stale_journal(o, journal, err, errsz);
	if (rc < 0)
		goto unlock;
	/* A run killed before this one may have written another
	 * database: its runs are marked there (ours just below). */
	if (lock_fd >= 0 &&
	    run_marker_settle(journal, "isolat run", db_path, err, errsz) < 0) {
		fprintf(stderr, "isolat run: %s\n", err);
		settled = 0;
	}
	fresh = access(db_path, F_OK) != 0;
	rc = store_open(db_path, STORE_WRITE, &st, err, errsz);
	if (rc < 0)
		goto unlock;
	/* The default is relative (results/isolat.db): an installed isolat
	 * run from / makes /results.  Said, so nobody looks for it. */
	if (fresh && !o->quiet)
		fprintf(stderr, "isolat run: new database %s\n", db_path);
	if (lock_fd >= 0) {
		/* Said now, before the cases' progress. */
		run_mark_abandoned(st, "isolat run", db_path, &abandoned);
		/* Which database this run writes, for `isolat restore`
		 * after a kill -9 (never over a dead run's marker that
		 * could not be settled: it stays for restore). */
		marked = settled &&
			 run_marker_write(journal, db_path, err, errsz) == 0;
		if (settled && !marked)
			fprintf(stderr, "isolat run: %s (after a kill -9, "
				"`isolat restore` cannot mark this run "
				"aborted; the next run with this --db does)\n",
				err);
	}
	/* The plan stored, then every case (runloop.c). */
	rc = run_plan(st, plan, o, res, err, errsz);
	res->abandoned = abandoned;
	res->undo_left = tuning_left(journal);
	if (res->uuid[0])
		progress_worst(st, res->uuid, res->worst, sizeof(res->worst));
	store_close(st);
	if (marked)
		run_marker_clear(journal);
unlock:
	journal_unlock(lock_fd);
	return rc;
}
