/*
 * merge.c - merge_import(): copy runs from a board's database into a
 * central one (see merge.h).
 *
 * The board is ATTACHed read-only (store_ro_uri(): immutable=1, or mode=ro
 * when its -wal may hold committed data), so nothing is created beside
 * it, and copied with INSERT ... SELECT.  Row ids differ between databases, so children
 * are found again by their natural keys, which the schema makes unique:
 * cases by (run_id, idx), series by (case_id, idx), hosts by fingerprint.
 */
#include "collectors/merge.h"
#include "collectors/store_db.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The new case / series of the same (idx) as the board's, for joins. */
#define NC "JOIN b.cases oc ON oc.id = x.case_id " \
	   "JOIN main.cases nc ON nc.run_id = :rid AND nc.idx = oc.idx "
#define NS "JOIN b.series os ON os.id = x.series_id " \
	   "JOIN b.cases oc ON oc.id = os.case_id " \
	   "JOIN main.cases nc ON nc.run_id = :rid AND nc.idx = oc.idx " \
	   "JOIN main.series ns ON ns.case_id = nc.id AND ns.idx = os.idx "

/* Everything below a run, in foreign-key order. */
static const char *const copy_sql[] = {
	"INSERT INTO main.run_meta(run_id, key, value) "
	"SELECT :rid, key, value FROM b.run_meta WHERE run_id = :bid",
	"INSERT INTO main.cases(run_id, idx, name, environment, profile, "
	"workload, load, repetition, params, status, reason, emulated, "
	"flagged, started_at, finished_at) "
	"SELECT :rid, idx, name, environment, profile, workload, load, "
	"repetition, params, status, reason, emulated, flagged, started_at, "
	"finished_at FROM b.cases WHERE run_id = :bid ORDER BY idx",
	"INSERT INTO main.case_facts(case_id, key, value) "
	"SELECT nc.id, x.key, x.value FROM b.case_facts x " NC
	"WHERE oc.run_id = :bid",
	/* series: below, its columns depend on the board's schema */
	NULL,
	"INSERT INTO main.chunks(series_id, chunk_no, first_seq, nsamples, "
	"codec, data) SELECT ns.id, x.chunk_no, x.first_seq, x.nsamples, "
	"x.codec, x.data FROM b.chunks x " NS "WHERE oc.run_id = :bid",
	"INSERT INTO main.summaries(series_id, count, dropped, min, max, mean,"
	" stddev, p50, p90, p99, p999, p9999, p99999) SELECT ns.id, x.count, "
	"x.dropped, x.min, x.max, x.mean, x.stddev, x.p50, x.p90, x.p99, "
	"x.p999, x.p9999, x.p99999 FROM b.summaries x " NS
	"WHERE oc.run_id = :bid",
	"INSERT INTO main.histograms(series_id, bucket_ns, data) "
	"SELECT ns.id, x.bucket_ns, x.data FROM b.histograms x " NS
	"WHERE oc.run_id = :bid",
	/* Events may name no case or no series: LEFT JOINs, NULL stays. */
	"INSERT INTO main.events(run_id, case_id, series_id, at, kind, "
	"severity, message) SELECT :rid, nc.id, ns.id, e.at, e.kind, "
	"e.severity, e.message FROM b.events e "
	"LEFT JOIN b.cases oc ON oc.id = e.case_id "
	"LEFT JOIN main.cases nc ON nc.run_id = :rid AND nc.idx = oc.idx "
	"LEFT JOIN b.series os ON os.id = e.series_id "
	"LEFT JOIN main.series ns ON ns.case_id = nc.id AND ns.idx = os.idx "
	"WHERE e.run_id = :bid ORDER BY e.id",
};

/* series before schema 3 had no kind: the default (latency) is right. */
static const char series_v1_sql[] =
	"INSERT INTO main.series(case_id, idx, cpu, unit, count, dropped) "
	"SELECT nc.id, x.idx, x.cpu, x.unit, x.count, x.dropped "
	"FROM b.series x " NC "WHERE oc.run_id = :bid ORDER BY nc.id, x.idx";
static const char series_v3_sql[] =
	"INSERT INTO main.series(case_id, idx, cpu, unit, count, dropped, "
	"kind) SELECT nc.id, x.idx, x.cpu, x.unit, x.count, x.dropped, x.kind "
	"FROM b.series x " NC "WHERE oc.run_id = :bid ORDER BY nc.id, x.idx";
/* Schema 3: per-case counters. */
static const char counters_sql[] =
	"INSERT INTO main.counters(case_id, side, cpu, name, value, note) "
	"SELECT nc.id, x.side, x.cpu, x.name, x.value, x.note "
	"FROM b.counters x " NC "WHERE oc.run_id = :bid";

static int exec_bound(sqlite3 *db, const char *sql, int64_t rid,
		      int64_t bid, int64_t *rowid)
{
	sqlite3_stmt *s;
	int rc, i;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	if ((i = sqlite3_bind_parameter_index(s, ":rid")) > 0)
		sqlite3_bind_int64(s, i, rid);
	if ((i = sqlite3_bind_parameter_index(s, ":bid")) > 0)
		sqlite3_bind_int64(s, i, bid);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -EIO;
	if (rowid)
		*rowid = sqlite3_last_insert_rowid(db);
	return 0;
}

static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

/* What failed, kept before ROLLBACK resets SQLite's message. */
struct import_fault {
	int code; /* extended SQLite result code */
	char msg[256];
};

/* One run, in one transaction.  *tags_lost counts tag names taken.
 * 0, 1 (central has it already) or -errno with f filled. */
static int import_run(struct store *st, int64_t bid, int64_t version,
		      int *tags_lost, struct import_fault *f)
{
	sqlite3 *db = store_db(st);
	int64_t hid, rid, before = 0, after = 0;
	sqlite3_stmt *s;
	int rc;

	if (store_begin(st) < 0) {
		rc = -EIO;
		goto fail;
	}
	/* Another merge of the same board may have imported it since the
	 * list was made: decided again under the write lock. */
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM main.runs m JOIN b.runs r "
			       "ON r.uuid = m.uuid WHERE r.id = ?", -1, &s,
			       NULL) != SQLITE_OK) {
		rc = -EIO;
		goto fail;
	}
	sqlite3_bind_int64(s, 1, bid);
	rc = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	if (rc) {
		store_rollback(st);
		return 1;
	}
	rc = exec_bound(db, "INSERT INTO main.hosts(fingerprint, hostname, "
			"model, cpu_model, ncpus) SELECT h.fingerprint, "
			"h.hostname, h.model, h.cpu_model, h.ncpus FROM "
			"b.hosts h JOIN b.runs r ON r.host_id = h.id WHERE "
			"r.id = :bid ON CONFLICT(fingerprint) DO NOTHING",
			0, bid, NULL);
	if (rc)
		goto fail;
	rc = -EIO;
	if (sqlite3_prepare_v2(db, "SELECT m.id FROM main.hosts m JOIN b.hosts"
			       " h ON h.fingerprint = m.fingerprint JOIN b.runs"
			       " r ON r.host_id = h.id WHERE r.id = ?", -1, &s,
			       NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, bid);
	if (sqlite3_step(s) == SQLITE_ROW) {
		hid = sqlite3_column_int64(s, 0);
		rc = 0;
	}
	sqlite3_finalize(s);
	if (rc)
		goto fail;
	rc = exec_bound(db, "INSERT INTO main.runs(uuid, host_id, "
			"scenario_name, scenario_path, scenario_text, "
			"tool_version, argv, started_at, finished_at, status) "
			"SELECT uuid, :rid, scenario_name, scenario_path, "
			"scenario_text, tool_version, argv, started_at, "
			"finished_at, status FROM b.runs WHERE id = :bid",
			hid, bid, &rid);
	for (size_t i = 0; !rc && i < sizeof(copy_sql) / sizeof(*copy_sql);
	     i++)
		rc = exec_bound(db, copy_sql[i] ? copy_sql[i] : version >= 3
				? series_v3_sql : series_v1_sql, rid, bid,
				NULL);
	if (!rc && version >= 3)
		rc = exec_bound(db, counters_sql, rid, bid, NULL);
	if (!rc && version >= 2) {
		rc = query_int(db, "SELECT count(*) FROM main.tags", &before);
		if (!rc)
			rc = exec_bound(db, "INSERT INTO main.tags(name, run_id,"
					" created_at) SELECT name, :rid, "
					"created_at FROM b.tags WHERE run_id = "
					":bid ORDER BY name ON CONFLICT(name) "
					"DO NOTHING", rid, bid, NULL);
		if (!rc)
			rc = query_int(db, "SELECT count(*) FROM main.tags",
				       &after);
		if (!rc) {
			int64_t want = 0;
			char q[96];

			snprintf(q, sizeof(q), "SELECT count(*) FROM b.tags "
				 "WHERE run_id = %lld", (long long)bid);
			rc = query_int(db, q, &want);
			*tags_lost += (int)(want - (after - before));
		}
	}
	if (!rc)
		rc = store_commit(st);
	if (!rc)
		return 0;
fail:
	f->code = sqlite3_extended_errcode(db);
	snprintf(f->msg, sizeof(f->msg), "%s", sqlite3_errmsg(db));
	store_rollback(st);
	return rc ? rc : -EIO;
}

/* err for a run that could not be imported: which file is at fault (the
 * central database takes every write; the board is only read) and the
 * fix. */
static void import_error(sqlite3 *db, const char *board, int64_t bid,
			 const struct import_fault *f, char *err, size_t errsz)
{
	const char *central = sqlite3_db_filename(db, "main");
	char run[64] = "?";
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, "SELECT uuid FROM b.runs WHERE id = ?", -1,
			       &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, bid);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
			snprintf(run, sizeof(run), "%s",
				 (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	switch (f->code & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		snprintf(err, errsz, "%s: locked by another process (a run or a"
			 " merge writing it) for longer than 10 s, so run %s of "
			 "%s was not imported; merge again when it has finished"
			 " (runs imported before are kept)", central, run,
			 board);
		break;
	case SQLITE_READONLY:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		snprintf(err, errsz, "%s: writing run %s of %s into it failed:"
			 " %s; make the central database writable (or free "
			 "space) and merge again (runs imported before are "
			 "kept)", central, run, board, f->msg);
		break;
	default:
		snprintf(err, errsz, "%s: importing its run %s into %s failed:"
			 " %s; check both files (sqlite3 FILE 'PRAGMA "
			 "integrity_check') and merge again (runs imported "
			 "before are kept)", board, run, central, f->msg);
	}
}

/* The board must be an isolat database this isolat can read.  real: its
 * resolved path, where its -wal would be. */
static int check_board(sqlite3 *db, const char *path, const char *real,
		       int64_t *version, char *err, size_t errsz)
{
	int64_t appid = 0;
	char wal[PATH_MAX + 8];
	struct stat sb;

	if (query_int(db, "PRAGMA b.application_id", &appid) < 0 ||
	    query_int(db, "PRAGMA b.user_version", version) < 0) {
		snprintf(wal, sizeof(wal), "%s-wal", real);
		if (stat(wal, &sb) == 0 && sb.st_size > 0)
			snprintf(err, errsz, "%s: cannot be read (%s): its "
				 "-wal holds data not yet in the main file and "
				 "SQLite needs a -shm beside it to read that; "
				 "copy the board with its -wal (and -shm) into "
				 "a writable directory and merge from there",
				 path, sqlite3_errmsg(db));
		else
			snprintf(err, errsz, "%s: not a readable SQLite "
				 "database (%s); refusing to import from it",
				 path, sqlite3_errmsg(db));
		return -EINVAL;
	}
	if (appid != STORE_APP_ID) {
		snprintf(err, errsz, "%s: not an isolat database; refusing to "
			 "import from it", path);
		return -EINVAL;
	}
	if (*version < 1) {
		snprintf(err, errsz, "%s: schema version %lld is not one isolat "
			 "ever wrote (the file is damaged); refusing to import "
			 "from it: restore it from a copy", path,
			 (long long)*version);
		return -EINVAL;
	}
	if (*version > STORE_SCHEMA_VERSION) {
		snprintf(err, errsz, "%s: schema version %lld is newer than "
			 "this isolat knows (%d); merge with the newer isolat "
			 "that wrote it (or, if none did, the file is damaged: "
			 "restore it from a copy)", path, (long long)*version,
			 STORE_SCHEMA_VERSION);
		return -EPROTO;
	}
	return 0;
}

/* The ids of the board's runs to import (attached as b): neither in the
 * central database already nor still running (counted in ms).  0,
 * -ENOMEM, or -EIO with the error in db. */
static int board_runs(sqlite3 *db, struct merge_stats *ms, int64_t **out,
		      size_t *n)
{
	sqlite3_stmt *s = NULL;
	int64_t *ids = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT r.id, r.status, EXISTS (SELECT 1 "
			       "FROM main.runs m WHERE m.uuid = r.uuid) FROM "
			       "b.runs r ORDER BY r.started_at, r.id", -1, &s,
			       NULL) != SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(s, 1);

		if (sqlite3_column_int(s, 2)) {
			ms->skipped_present++;
			continue;
		}
		if (status && !strcmp(status, "running")) {
			ms->skipped_running++;
			continue;
		}
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			void *p = realloc(ids, nc * sizeof(*ids));

			if (!p) {
				sqlite3_finalize(s);
				free(ids);
				return -ENOMEM;
			}
			ids = p;
			cap = nc;
		}
		ids[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	*out = ids;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int merge_import(struct store *st, const char *board_path,
		 struct merge_stats *ms, char *err, size_t errsz)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL;
	char uri[PATH_MAX + 32], real[PATH_MAX], mainreal[PATH_MAX];
	const char *mainfile = sqlite3_db_filename(db, "main");
	int64_t version = 0, *ids = NULL;
	size_t n = 0;
	struct stat sb;
	int rc, attached = 0;

	memset(ms, 0, sizeof(*ms));
	/* ATTACH would create a missing file: check first. */
	if (stat(board_path, &sb) < 0 || !realpath(board_path, real)) {
		snprintf(err, errsz, "%s: %s", board_path, strerror(errno));
		return -ENOENT;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errsz, "%s: not a regular file", board_path);
		return -EINVAL;
	}
	if (mainfile && realpath(mainfile, mainreal) &&
	    !strcmp(mainreal, real)) {
		snprintf(err, errsz, "%s: is the central database itself",
			 board_path);
		return -EINVAL;
	}
	/* The board is never written, not even migrated, and nothing is
	 * created beside it: a read-only URI (store_ro_uri says which). */
	if (store_ro_uri(real, uri, sizeof(uri)) < 0) {
		snprintf(err, errsz, "%s: path too long", board_path);
		return -ENAMETOOLONG;
	}
	if (sqlite3_prepare_v2(db, "ATTACH DATABASE ? AS b", -1, &s, NULL) !=
	    SQLITE_OK)
		goto sqlerr;
	sqlite3_bind_text(s, 1, uri, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_DONE)
		goto sqlerr;
	attached = 1;
	rc = check_board(db, board_path, real, &version, err, errsz);
	if (rc)
		goto out;
	/* Which runs to take: ids first, then one transaction each. */
	rc = board_runs(db, ms, &ids, &n);
	if (rc == -ENOMEM) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	if (rc)
		goto sqlerr;
	rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		struct import_fault f = { 0, "" };

		rc = import_run(st, ids[i], version, &ms->tags_conflict, &f);
		if (rc == 1) {
			ms->skipped_present++;
			rc = 0;
		} else if (rc) {
			import_error(db, board_path, ids[i], &f, err, errsz);
		} else {
			ms->imported++;
		}
	}
	goto out;
sqlerr:
	snprintf(err, errsz, "%s: %s", board_path, sqlite3_errmsg(db));
	rc = -EIO;
out:
	sqlite3_finalize(s);
	free(ids);
	if (attached)
		sqlite3_exec(db, "DETACH DATABASE b", NULL, NULL, NULL);
	return rc;
}
