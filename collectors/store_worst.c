/*
 * store_worst.c - the worst maxima the run's progress lines print: one
 * case's (after it ends) and the run's (the final line).  Kept in
 * collectors/ so harness/run/progress.c speaks no SQL (store_db.h).
 */
#include <errno.h>
#include <stdio.h>

#include "collectors/store.h"
#include "collectors/store_db.h"

int store_case_worst(struct store *st, int64_t case_id, int64_t *samples,
		     int64_t *max, int *cpu)
{
	sqlite3_stmt *s;
	int rc;

	*samples = 0;
	*max = -1;
	*cpu = -1;
	/* Worst maximum over the case's nanosecond series (latency, noise);
	 * samples over all of them.  netlat's one-way series are halves of
	 * the same round trips, not samples of their own: left out. */
	if (sqlite3_prepare_v2(store_db(st),
			"SELECT (SELECT total(count) FROM series WHERE "
			"case_id = ?1 AND kind <> 'oneway'), m.max, s.cpu "
			"FROM series s "
			"LEFT JOIN summaries m ON m.series_id = s.id "
			"WHERE s.case_id = ?1 AND s.unit = 'ns' "
			"AND s.kind <> 'oneway' "
			"ORDER BY m.max DESC LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(s, 1, case_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*samples = sqlite3_column_int64(s, 0);
		if (sqlite3_column_type(s, 1) != SQLITE_NULL)
			*max = sqlite3_column_int64(s, 1);
		*cpu = sqlite3_column_int(s, 2);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int store_run_worst(struct store *st, const char *uuid, char *name,
		    size_t namesz, int64_t *max, int *cpu)
{
	sqlite3_stmt *s;
	int rc;

	name[0] = '\0';
	*max = -1;
	*cpu = -1;
	if (sqlite3_prepare_v2(store_db(st),
			"SELECT c.name, s.cpu, m.max FROM runs r "
			"JOIN cases c ON c.run_id = r.id "
			"JOIN series s ON s.case_id = c.id "
			"JOIN summaries m ON m.series_id = s.id "
			"WHERE r.uuid = ? AND s.unit = 'ns' AND "
			"coalesce(s.kind, 'latency') = 'latency' "
			"ORDER BY m.max DESC LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(name, namesz, "%s",
			 (const char *)sqlite3_column_text(s, 0));
		*cpu = sqlite3_column_int(s, 1);
		*max = sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}
