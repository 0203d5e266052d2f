/*
 * run_marker.h - which database a live run writes, in a file beside its
 * journal (JOURNAL.run: /run/isolat/journal.run), written once the
 * run holds the lock and removed when it ends.  A harness killed with
 * kill -9 leaves it, so `isolat restore` (or the next run, whatever its
 * own --db) can mark that run 'aborted' in the right database at once,
 * instead of leaving it 'running' (and `last`) until a later run opens
 * that same database.  Only a 0600 regular file of our uid holding one
 * absolute path (and the database's device and inode) is believed, as
 * for the journal, and the database is written only while it is still
 * that file, ours, reached without a symlink.
 */
#ifndef ISOLAT_RUN_MARKER_H
#define ISOLAT_RUN_MARKER_H

struct store;

/* The marker's path for a journal at journal: journal ".run". */
void run_marker_path(const char *journal, char *out, unsigned size);

/* Record db_path (made absolute) as the database of the run holding the
 * lock of journal.  0 or -errno (err set). */
int run_marker_write(const char *journal, const char *db_path, char *err,
		     unsigned errsz);

/* The run ended: remove the marker. */
void run_marker_clear(const char *journal);

/* Holding the lock, no harness of this host runs: its runs still
 * 'running' in st (the database at db) were left by one that died; mark
 * them aborted (store_runs_abandoned) and say how many on stderr as who.
 * 0 or -errno. */
int run_mark_abandoned(struct store *st, const char *who, const char *db,
		       unsigned *n);

/*
 * Holding the lock: a marker left by a harness that died names a
 * database; mark its runs of this host still 'running' aborted (and their
 * running cases failed), say so on stderr as who, and remove the marker.
 * A database that is gone (or is skip_db, which the caller marks itself)
 * only removes the marker; one that is no longer the file the run wrote
 * is refused (-EPERM).  0 (nothing left, or done), or -errno with
 * why in err (the marker kept, to try again).
 */
int run_marker_settle(const char *journal, const char *who,
		      const char *skip_db, char *err, unsigned errsz);

#endif
