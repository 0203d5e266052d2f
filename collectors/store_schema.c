/*
 * store_schema.c - the migration steps, one SQL script per schema version,
 * and the checks of a file's version and application id that decide
 * whether store_open() may migrate it (see store_schema.h).
 */
#include "collectors/store_schema.h"

#include <errno.h>
#include <stdio.h>

#include "collectors/store.h"

const char *const store_migrations[] = {
	/* 0 -> 1: the initial schema. */
	"CREATE TABLE hosts ("
	"  id INTEGER PRIMARY KEY,"
	"  fingerprint TEXT NOT NULL UNIQUE,"
	"  hostname TEXT, model TEXT, cpu_model TEXT, ncpus INTEGER);"
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  uuid TEXT NOT NULL UNIQUE,"
	"  host_id INTEGER NOT NULL REFERENCES hosts(id),"
	"  scenario_name TEXT, scenario_path TEXT, scenario_text TEXT,"
	"  tool_version TEXT, argv TEXT,"
	"  started_at TEXT NOT NULL, finished_at TEXT,"
	"  status TEXT NOT NULL DEFAULT 'running');"
	"CREATE TABLE run_meta ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL, value TEXT,"
	"  PRIMARY KEY (run_id, key));"
	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  idx INTEGER NOT NULL, name TEXT NOT NULL,"
	"  environment TEXT NOT NULL, profile TEXT NOT NULL,"
	"  workload TEXT NOT NULL, load TEXT NOT NULL,"
	"  repetition INTEGER NOT NULL DEFAULT 0,"
	"  params TEXT NOT NULL DEFAULT '{}',"
	"  status TEXT NOT NULL DEFAULT 'pending',"
	"  reason TEXT,"
	"  emulated INTEGER NOT NULL DEFAULT 0,"
	"  flagged INTEGER NOT NULL DEFAULT 0,"
	"  started_at TEXT, finished_at TEXT,"
	"  UNIQUE (run_id, idx));"
	"CREATE TABLE case_facts ("
	"  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL, value TEXT,"
	"  PRIMARY KEY (case_id, key));"
	"CREATE TABLE series ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
	"  idx INTEGER NOT NULL, cpu INTEGER NOT NULL,"
	"  unit TEXT NOT NULL DEFAULT 'ns',"
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  dropped INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (case_id, idx));"
	"CREATE TABLE chunks ("
	"  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,"
	"  chunk_no INTEGER NOT NULL,"
	"  first_seq INTEGER NOT NULL,"
	"  nsamples INTEGER NOT NULL,"
	"  codec INTEGER NOT NULL,"
	"  data BLOB NOT NULL,"
	"  PRIMARY KEY (series_id, chunk_no)) WITHOUT ROWID;"
	"CREATE TABLE summaries ("
	"  series_id INTEGER PRIMARY KEY REFERENCES series(id) ON DELETE CASCADE,"
	"  count INTEGER, dropped INTEGER, min INTEGER, max INTEGER,"
	"  mean REAL, stddev REAL, p50 INTEGER, p90 INTEGER, p99 INTEGER,"
	"  p999 INTEGER, p9999 INTEGER, p99999 INTEGER);"
	"CREATE TABLE histograms ("
	"  series_id INTEGER PRIMARY KEY REFERENCES series(id) ON DELETE CASCADE,"
	"  bucket_ns INTEGER NOT NULL, data BLOB NOT NULL);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  case_id INTEGER REFERENCES cases(id) ON DELETE CASCADE,"
	"  series_id INTEGER REFERENCES series(id) ON DELETE CASCADE,"
	"  at TEXT NOT NULL, kind TEXT NOT NULL, severity TEXT NOT NULL,"
	"  message TEXT);"
	"CREATE INDEX cases_run ON cases(run_id);"
	"CREATE INDEX series_case ON series(case_id);"
	"CREATE INDEX events_run ON events(run_id);",
	/* 1 -> 2: tags, names for runs (`isolat tag`, gate baselines).
	 * A tag points at a run by id; moving a tag is an UPDATE, and a
	 * run's deletion drops its tags.  Only this table: `isolat merge`
	 * needs nothing new, it keys on runs.uuid (already UNIQUE). */
	"CREATE TABLE tags ("
	"  name TEXT PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  created_at TEXT NOT NULL);"
	"CREATE INDEX tags_run ON tags(run_id);",
	/* 2 -> 3: spin and per-case counters (issue 7).  series.kind says
	 * what a series' values are (latency | throughput | noise; every
	 * older series measured latency).  counters: what interrupted the
	 * measured CPUs, one row per (side, cpu, name); value NULL with a
	 * note when the counter could not be read ("unsupported: ...").
	 * A table rather than case_facts: reports sum and rank them. */
	"ALTER TABLE series ADD COLUMN kind TEXT NOT NULL DEFAULT 'latency';"
	"CREATE TABLE counters ("
	"  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
	"  side TEXT NOT NULL,"
	"  cpu INTEGER NOT NULL DEFAULT -1,"
	"  name TEXT NOT NULL,"
	"  value INTEGER,"
	"  note TEXT,"
	"  PRIMARY KEY (case_id, side, cpu, name));",
};
const int store_nmigrations =
	(int)(sizeof(store_migrations) / sizeof(store_migrations[0]));

_Static_assert(sizeof(store_migrations) / sizeof(store_migrations[0]) ==
		       STORE_SCHEMA_VERSION,
	       "one migration step per schema version");

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*out = sqlite3_column_int(s, 0);
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

/*
 * May this file be used (and migrated) as it is?  version/appid as read
 * from its header.  Only the header is trusted, so every value a damaged
 * byte can produce must land in a refusal: user_version is a signed
 * 32-bit field, and a negative one would index before the steps.
 */
static int check_ids(sqlite3 *db, const char *path, enum store_mode mode,
		     int version, int appid, char *err, size_t errsz)
{
	int ntables = 0;

	if (version < 0) {
		snprintf(err, errsz, "%s: schema version %d is not one isolat "
			 "ever wrote (the file is damaged, or another program "
			 "wrote it); refusing to touch it: restore it from a "
			 "copy, or point --db at an isolat database or a new "
			 "file", path, version);
		return -EINVAL;
	}
	if (version > STORE_SCHEMA_VERSION) {
		snprintf(err, errsz, "%s: schema version %d is newer than this "
			 "isolat knows (%d); refusing to touch it: use the "
			 "newer isolat that wrote it (or, if none did, the file "
			 "is damaged: restore it from a copy)", path, version,
			 STORE_SCHEMA_VERSION);
		return -EPROTO;
	}
	if (appid != 0 && appid != STORE_APP_ID)
		goto foreign;
	if (appid == STORE_APP_ID)
		return 0;
	/* appid 0: a fresh file, or someone else's database with tables in
	 * it (never write into the latter). */
	if (version != 0)
		goto foreign;
	if (pragma_int(db, "SELECT count(*) FROM sqlite_master", &ntables) < 0) {
		snprintf(err, errsz, "%s: not a readable SQLite database (%s); "
			 "point --db at an isolat database or a new file",
			 path, sqlite3_errmsg(db));
		return -EINVAL;
	}
	if (ntables > 0)
		goto foreign;
	/* A reader never turns a file into a database. */
	if (mode != STORE_WRITE) {
		snprintf(err, errsz, "%s: empty, not an isolat database; run "
			 "`isolat run SCENARIO` first or pass --db PATH", path);
		return -EINVAL;
	}
	return 0;
foreign:
	snprintf(err, errsz, "%s: an SQLite database that isolat did not "
		 "create; refusing to touch it (point --db at an isolat "
		 "database or a new file)", path);
	return -EINVAL;
}

static int read_ids(sqlite3 *db, const char *path, int *version, int *appid,
		    char *err, size_t errsz)
{
	if (pragma_int(db, "PRAGMA user_version", version) == 0 &&
	    pragma_int(db, "PRAGMA application_id", appid) == 0)
		return 0;
	snprintf(err, errsz, "%s: not a readable SQLite database (%s); point "
		 "--db at an isolat database or a new file", path,
		 sqlite3_errmsg(db));
	return -EINVAL;
}

/* One step (version -> version + 1), inside the caller's transaction. */
static int migrate_step(sqlite3 *db, int version)
{
	char sql[64];
	int rc;

	rc = exec(db, store_migrations[version]);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
	if (rc == 0)
		rc = exec(db, sql);
	if (rc == 0 && version == 0) {
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
			 STORE_APP_ID);
		rc = exec(db, sql);
	}
	return rc;
}

int store_schema_migrate(sqlite3 *db, const char *path, enum store_mode mode,
			 char *err, size_t errsz)
{
	int version, appid, rc;

	/* First without the write lock: a current database (every open but
	 * the first) never waits for a writer, and a refused one is never
	 * locked or written.  One read transaction, so version, id and
	 * tables are one snapshot, never half of another's creation. */
	if (exec(db, "BEGIN") < 0) {
		snprintf(err, errsz, "%s: %s", path, sqlite3_errmsg(db));
		return -EIO;
	}
	rc = read_ids(db, path, &version, &appid, err, errsz);
	if (rc == 0)
		rc = check_ids(db, path, mode, version, appid, err, errsz);
	exec(db, "COMMIT");
	if (rc < 0 || version == STORE_SCHEMA_VERSION)
		return rc;
	/* Then each step with the version read again under the write lock:
	 * another process may have created or migrated the file since. */
	for (;;) {
		if (exec(db, "BEGIN IMMEDIATE") < 0) {
			snprintf(err, errsz, "%s: cannot lock it to bring its "
				 "schema up to date: %s; retry when the other "
				 "isolat writing it has finished", path,
				 sqlite3_errmsg(db));
			return -EIO;
		}
		rc = read_ids(db, path, &version, &appid, err, errsz);
		if (rc == 0)
			rc = check_ids(db, path, mode, version, appid, err,
				       errsz);
		if (rc == 0 && version == STORE_SCHEMA_VERSION)
			return exec(db, "COMMIT") == 0 ? 0 : -EIO;
		if (rc == 0 && migrate_step(db, version) < 0) {
			snprintf(err, errsz, "%s: migration to schema %d "
				 "failed: %s", path, version + 1,
				 sqlite3_errmsg(db));
			rc = -EIO;
		}
		if (rc == 0 && exec(db, "COMMIT") < 0) {
			snprintf(err, errsz, "%s: migration to schema %d "
				 "failed: %s", path, version + 1,
				 sqlite3_errmsg(db));
			rc = -EIO;
		}
		if (rc < 0) {
			if (!sqlite3_get_autocommit(db))
				exec(db, "ROLLBACK");
			return rc;
		}
	}
}

int store_schema_check_current(sqlite3 *db, const char *path, char *err,
			       size_t errsz)
{
	int version = -1, appid = 0;

	if (pragma_int(db, "PRAGMA user_version", &version) < 0 ||
	    pragma_int(db, "PRAGMA application_id", &appid) < 0) {
		/* Read-only, SQLite cannot create the -shm it needs for a
		 * -wal that holds data. */
		snprintf(err, errsz, "%s: cannot be read (%s); it is read-only"
			 " here: if a -wal is beside it, copy it with its -wal"
			 " and -shm into a writable directory", path,
			 sqlite3_errmsg(db));
		return -EINVAL;
	}
	if (appid != STORE_APP_ID) {
		snprintf(err, errsz, "%s: not an isolat database (read-only "
			 "file); point --db at an isolat database", path);
		return -EINVAL;
	}
	if (version < 0 || version > STORE_SCHEMA_VERSION)
		return check_ids(db, path, STORE_READ, version, appid, err,
				 errsz);
	if (version != STORE_SCHEMA_VERSION) {
		snprintf(err, errsz, "%s: read-only, schema version %d, this "
			 "isolat reads %d; copy it somewhere writable so it "
			 "can be migrated (or use a matching isolat)",
			 path, version, STORE_SCHEMA_VERSION);
		return -EPROTO;
	}
	return 0;
}
