/*
 * merge.h - import runs from other isolat databases (board -> central).
 *
 * merge_import(central, board_path) copies every run of board_path whose
 * UUID central does not have yet, with its host, metadata, cases, case
 * facts, series, chunks, summaries, histograms, events, counters
 * (schema 3) and tags (schema 2), one
 * transaction per run (a failure leaves central as it was before that
 * run).  Runs already present are skipped, so importing the same board
 * twice changes nothing.  Runs still "running" on the board are skipped
 * too (merge again once they are finished).  A board tag whose name is
 * taken in central is not imported (central's tag wins; counted).
 *
 * A board at an older schema is read as it is (missing columns take
 * their defaults).  Adding a schema version: add its new tables / columns
 * to merge.c's copy list, guarded by the board's version.
 *
 * The board file is only read: it is never migrated or written, and no
 * -wal/-shm is created beside it (store_ro_uri(); docs/store.md), so a
 * board's database copied off a lab machine, on a read-only mount or
 * owned by another user stays as it was.  A file that is not an isolat
 * database, or one whose schema version is below 1 or newer than this
 * isolat knows, is refused with a message saying so.  Each run is
 * checked again under the central's write lock, so concurrent merges of
 * one board import it once.  merge_import() returns 0 or -errno with err
 * naming the file at fault (the central one when it is locked, read-only
 * or full), the run and the fix.
 */
#ifndef ISOLAT_MERGE_H
#define ISOLAT_MERGE_H

#include <stddef.h>

#include "collectors/store.h"

struct merge_stats {
	int imported, skipped_present, skipped_running, tags_conflict;
};

int merge_import(struct store *central, const char *board_path,
		 struct merge_stats *ms, char *err, size_t errsz);

#endif
