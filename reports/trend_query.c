/*
 * trend_query.c - the SQL of `isolat trend` and `isolat farm`: which
 * (host, scenario) pairs have runs, and the runs of one pair, oldest
 * first, with --last / --since applied.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/store_db.h"
#include "reports/trend.h"

static void cpy(char *dst, size_t size, const unsigned char *s)
{
	snprintf(dst, size, "%s", s ? (const char *)s : "");
}

int trend_query_pairs(struct store *st, struct trend_pick **out, size_t *n)
{
	static const char sql[] =
		"SELECT DISTINCT h.fingerprint, h.hostname, "
		"coalesce(r.scenario_name, '') FROM runs r "
		"JOIN hosts h ON h.id = r.host_id WHERE r.status = 'done' "
		"ORDER BY h.hostname, h.fingerprint, 3";
	struct trend_pick *p = NULL;
	sqlite3_stmt *s;
	size_t k = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 16;
			void *np = realloc(p, nc * sizeof(*p));

			if (!np) {
				sqlite3_finalize(s);
				free(p);
				return -ENOMEM;
			}
			p = np;
			cap = nc;
		}
		cpy(p[k].fingerprint, sizeof(p[k].fingerprint),
		    sqlite3_column_text(s, 0));
		cpy(p[k].hostname, sizeof(p[k].hostname),
		    sqlite3_column_text(s, 1));
		cpy(p[k].scenario, sizeof(p[k].scenario),
		    sqlite3_column_text(s, 2));
		k++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(p);
		return -EIO;
	}
	*out = p;
	*n = k;
	return 0;
}

int trend_query_runs(struct store *st, const char *fingerprint,
		     const char *scenario, long last, const char *since,
		     int64_t **ids, size_t *n)
{
	/* The newest N (by start, then id), returned oldest first. */
	static const char sql[] =
		"SELECT id FROM (SELECT r.id, r.started_at FROM runs r "
		"JOIN hosts h ON h.id = r.host_id WHERE h.fingerprint = ?1 "
		"AND coalesce(r.scenario_name, '') = ?2 AND r.status = 'done' "
		"AND (?3 IS NULL OR r.started_at >= ?3) "
		"ORDER BY r.started_at DESC, r.id DESC LIMIT ?4) "
		"ORDER BY started_at, id";
	sqlite3_stmt *s;
	int64_t *v = NULL;
	size_t k = 0, cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(s, 1, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, scenario, -1, SQLITE_STATIC);
	if (since)
		sqlite3_bind_text(s, 3, since, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, last > 0 ? last : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (k == cap) {
			size_t nc = cap ? cap * 2 : 32;
			void *np = realloc(v, nc * sizeof(*v));

			if (!np) {
				sqlite3_finalize(s);
				free(v);
				return -ENOMEM;
			}
			v = np;
			cap = nc;
		}
		v[k++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return -EIO;
	}
	*ids = v;
	*n = k;
	return 0;
}
