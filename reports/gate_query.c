/*
 * gate_query.c - the SQL the gate needs beyond query.c's run loader: a
 * run's stored scenario text (for its [gate] section) and the runs before
 * a candidate of the same host and scenario (--baseline-last N).  Kept in
 * reports/ so harness/cmd/ holds no SQL.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/store_db.h"
#include "reports/gate.h"

int gate_query_scenario_text(struct store *st, int64_t run_id, char **text)
{
	sqlite3_stmt *s;
	int rc = 0;

	*text = NULL;
	if (sqlite3_prepare_v2(store_db(st), "SELECT scenario_text FROM runs "
			       "WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(s, 1, run_id);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) {
		*text = strdup((const char *)sqlite3_column_text(s, 0));
		if (!*text)
			rc = -ENOMEM;
	}
	sqlite3_finalize(s);
	return rc;
}

long gate_query_previous(struct store *st, int64_t run_id, int64_t *ids,
			 size_t n)
{
	/* Same host and scenario name, finished, started before; ties of
	 * started_at (second resolution) broken by id. */
	static const char sql[] =
		"SELECT p.id FROM runs p JOIN runs c ON c.id = ?1 "
		"WHERE p.host_id = c.host_id AND p.id != c.id "
		"AND p.scenario_name IS c.scenario_name AND p.status = 'done' "
		"AND (p.started_at < c.started_at OR "
		"     (p.started_at = c.started_at AND p.id < c.id)) "
		"ORDER BY p.started_at DESC, p.id DESC LIMIT ?2";
	sqlite3_stmt *s;
	long k = 0;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)n);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && (size_t)k < n)
		ids[k++] = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? k : -EIO;
}

int gate_opts_for_run(struct store *st, int64_t run_id, const char *uuid,
		      struct gate_opts *o, char *err, size_t errsz)
{
	static const char *const defaults[] = { GATE_DEFAULTS };
	struct gate_thresholds th = { 0 };
	char origin[64], *text = NULL;
	int found = 0, rc;

	memset(o, 0, sizeof(*o));
	o->alpha = GATE_ALPHA;
	rc = gate_query_scenario_text(st, run_id, &text);
	if (rc) {
		snprintf(err, errsz, "reading run %s: %s", uuid,
			 store_errmsg(st));
		return rc;
	}
	snprintf(origin, sizeof(origin), "%s scenario", uuid);
	rc = gate_thresholds_ini(text, origin, &th, &o->alpha, &found, err,
				 errsz);
	free(text);
	if (rc)
		return rc;
	if (found) {
		o->th = th;
		return 0;
	}
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		gate_threshold_arg(&o->th, defaults[i], err, errsz);
	return 0;
}
