/*
 * store.c - the SQLite sample store: open, migrate, write, resolve, read.
 *
 * The schema is documented in store.h.  Migrations are a list of steps; a
 * database at version v runs steps v..N-1, each in its own transaction, so a
 * crash mid-migration leaves a database at a well-defined version.
 */
#include "collectors/store.h"
#include "collectors/store_db.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collectors/codec.h"
#include "collectors/store_schema.h"

struct store {
	sqlite3 *db;
	char path[4096];
	char samples_err[6144]; /* store_samples_error(); path + 2K */
	char errbuf[4608];      /* store_errmsg() with its file and fix */
};

/* The migration steps and version checks live in store_schema.c. */

void store_now(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

sqlite3 *store_db(struct store *st)
{
	return st->db;
}

const char *store_path(struct store *st)
{
	return st->path;
}

/* SQLite's message; for a damaged, full or unwritable database also the
 * file and what to do, since every command reading a board can meet one
 * (a corrupt page is found only when a query reaches it). */
const char *store_errmsg(struct store *st)
{
	const char *msg = sqlite3_errmsg(st->db), *fix;

	switch (sqlite3_errcode(st->db)) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		fix = "the database is damaged: check it with sqlite3 FILE "
		      "'PRAGMA integrity_check', restore it from a copy or "
		      "salvage it with sqlite3 FILE .recover";
		break;
	case SQLITE_FULL:
		fix = "the disk is full: free space and run again";
		break;
	case SQLITE_READONLY:
	case SQLITE_PERM:
		fix = "no permission to write it: run as its owner or copy it";
		break;
	case SQLITE_IOERR:
		fix = "an I/O error: check the disk (dmesg)";
		break;
	default:
		return msg;
	}
	snprintf(st->errbuf, sizeof(st->errbuf), "%s: %s; %s", st->path, msg,
		 fix);
	return st->errbuf;
}

static int exec(struct store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0
									 : -EIO;
}

int store_begin(struct store *st)
{
	return exec(st, "BEGIN IMMEDIATE");
}

int store_commit(struct store *st)
{
	return exec(st, "COMMIT");
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* mkdir -p for the database's directory, so `--db results/x.db` just works
 * on a fresh checkout. */
static int make_parent_dirs(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

/* Size of path + suffix, or -1 when it does not exist. */
static long long side_file_size(const char *path, const char *suffix)
{
	char p[4096 + 16];
	struct stat sb;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &sb) == 0 ? (long long)sb.st_size : -1;
}

/*
 * Read-only, creating nothing beside the file.  immutable=1 (no locks, no
 * -shm, the -wal ignored) is right only when everything committed is in
 * the main file and nothing is writing it: no -wal (every WAL connection
 * keeps one, so nobody has the file open) and no hot -journal, or an
 * empty -wal without a -shm (left by a dead connection, holding nothing).
 * Otherwise, a -wal with data (a live writer, or one killed before its
 * checkpoint) is read through it with mode=ro, which uses the -wal and
 * -shm already there; SQLite has to create a -shm only for a -wal copied
 * without one.
 */
int store_ro_uri(const char *path, char *out, size_t size)
{
	long long wal = side_file_size(path, "-wal");
	long long shm = side_file_size(path, "-shm");
	int immutable = (wal < 0 || (wal == 0 && shm < 0)) &&
			side_file_size(path, "-journal") <= 0;
	const char *query = immutable ? "?immutable=1" : "?mode=ro";
	size_t o;

	if (size < 6)
		return -ENAMETOOLONG;
	o = (size_t)snprintf(out, size, "file:");
	/* "//" would start an authority: "/./" reads the same file. */
	if (path[0] == '/' && path[1] == '/') {
		if (o + 3 >= size)
			return -ENAMETOOLONG;
		memcpy(out + o, "/.", 2);
		o += 2;
	}
	for (const char *p = path; *p; p++) {
		if (o + 4 >= size)
			return -ENAMETOOLONG;
		if (*p == '%' || *p == '?' || *p == '#')
			o += (size_t)snprintf(out + o, size - o, "%%%02X",
					      (unsigned char)*p);
		else
			out[o++] = *p;
	}
	out[o] = '\0';
	if (o + strlen(query) + 1 > size)
		return -ENAMETOOLONG;
	strcat(out, query);
	return 0;
}

/* Can this process write path and create its -wal / -shm beside it? */
static int writable(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (access(path, W_OK) < 0 && errno != ENOENT)
		return 0;
	if (!slash)
		return access(".", W_OK) == 0;
	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path),
		 path);
	return access(dir, W_OK) == 0;
}

int store_open(const char *path, enum store_mode mode, struct store **out,
	       char *err, size_t errsz)
{
	struct store *st;
	int flags, rc, readonly;
	struct stat sb;
	char uri[3 * 4096 + 32];

	*out = NULL;
	if (strlen(path) >= sizeof(st->path)) {
		snprintf(err, errsz, "database path too long");
		return -ENAMETOOLONG;
	}
	if (mode == STORE_READ && stat(path, &sb) < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s; run `isolat run SCENARIO` first "
			 "or pass --db PATH", path, strerror(errno));
		return rc;
	}
	if (mode == STORE_WRITE) {
		rc = make_parent_dirs(path);
		if (rc < 0) {
			snprintf(err, errsz, "%s: cannot create its directory: "
				 "%s", path, strerror(-rc));
			return rc;
		}
	}
	/* Writing needs the file and its directory (for -wal, -shm):
	 * SQLite would open such a file read-only without a word and fail
	 * at the first write, blaming whatever was being written. */
	readonly = !writable(path);
	if (readonly && mode == STORE_WRITE) {
		rc = -errno;
		snprintf(err, errsz, "%s: cannot be written here (%s: the file "
			 "or its directory is read-only); make both writable "
			 "or give a database in a writable directory", path,
			 strerror(errno));
		return rc;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	strcpy(st->path, path);
	flags = mode == STORE_READ ? SQLITE_OPEN_READWRITE
				   : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	/* An archived database on read-only media can still be reported
	 * on: opened read-only, never migrated, nothing created beside. */
	if (readonly) {
		flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
		if (store_ro_uri(path, uri, sizeof(uri)) < 0) {
			snprintf(err, errsz, "database path too long");
			rc = -ENAMETOOLONG;
			goto fail;
		}
	}
	if (sqlite3_open_v2(readonly ? uri : path, &st->db, flags, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errsz, "%s: cannot open: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		rc = -EIO;
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 10000);
	sqlite3_extended_result_codes(st->db, 1);
	rc = readonly ? store_schema_check_current(st->db, path, err, errsz)
		      : store_schema_migrate(st->db, path, mode, err, errsz);
	if (rc < 0)
		goto fail;
	/* WAL: readers (report, show) never block the writer of a run. */
	if ((!readonly && exec(st, "PRAGMA journal_mode = WAL") < 0) ||
	    exec(st, "PRAGMA synchronous = NORMAL") < 0 ||
	    exec(st, "PRAGMA foreign_keys = ON") < 0) {
		snprintf(err, errsz, "%s: %s", path, sqlite3_errmsg(st->db));
		rc = -EIO;
		goto fail;
	}
	*out = st;
	return 0;
fail:
	sqlite3_close(st->db);
	free(st);
	return rc;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st);
}

/*
 * Prepare, bind arguments described by fmt, step once.
 * fmt chars: 't' text (const char *, NULL binds NULL), 'i' int64_t,
 * 'I' int64_t where 0 binds NULL, 'd' double, 'b' blob (ptr, size_t).
 * *rowid (if not NULL) receives the last inserted row id.
 */
static int run_stmt(struct store *st, int64_t *rowid, const char *sql,
		    const char *fmt, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int rc, i = 1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	va_start(ap, fmt);
	for (const char *f = fmt; *f; f++, i++) {
		switch (*f) {
		case 't':
			sqlite3_bind_text(s, i, va_arg(ap, const char *), -1,
					  SQLITE_TRANSIENT);
			break;
		case 'i':
			sqlite3_bind_int64(s, i, va_arg(ap, int64_t));
			break;
		case 'I': {
			int64_t v = va_arg(ap, int64_t);

			if (v)
				sqlite3_bind_int64(s, i, v);
			else
				sqlite3_bind_null(s, i);
			break;
		}
		case 'd':
			sqlite3_bind_double(s, i, va_arg(ap, double));
			break;
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);

			sqlite3_bind_blob64(s, i, p, n, SQLITE_STATIC);
			break;
		}
		}
	}
	va_end(ap);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return -EIO;
	if (rowid)
		*rowid = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_host_upsert(struct store *st, const struct store_host *h,
		      int64_t *host_id)
{
	sqlite3_stmt *s;
	int rc;

	rc = run_stmt(st, NULL,
		      "INSERT INTO hosts(fingerprint, hostname, model, "
		      "cpu_model, ncpus) VALUES (?,?,?,?,?) "
		      "ON CONFLICT(fingerprint) DO UPDATE SET "
		      "hostname = excluded.hostname",
		      "tttti", h->fingerprint, h->hostname, h->model,
		      h->cpu_model, (int64_t)h->ncpus);
	if (rc < 0)
		return rc;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id FROM hosts WHERE fingerprint = ?",
			       -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(s, 1, h->fingerprint, -1, SQLITE_TRANSIENT);
	rc = -EIO;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*host_id = sqlite3_column_int64(s, 0);
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

int store_run_create(struct store *st, const struct store_run *r,
		     int64_t *run_id)
{
	char now[32];

	store_now(now, sizeof(now));
	return run_stmt(st, run_id,
			"INSERT INTO runs(uuid, host_id, scenario_name, "
			"scenario_path, scenario_text, tool_version, argv, "
			"started_at) VALUES (?,?,?,?,?,?,?,?)",
			"titttttt", r->uuid, r->host_id, r->scenario_name,
			r->scenario_path, r->scenario_text, r->tool_version,
			r->argv, now);
}

int store_run_meta(struct store *st, int64_t run_id, const char *key,
		   const char *value)
{
	return run_stmt(st, NULL,
			"INSERT OR REPLACE INTO run_meta(run_id, key, value) "
			"VALUES (?,?,?)",
			"itt", run_id, key, value);
}

int store_run_finish(struct store *st, int64_t run_id, const char *status)
{
	char now[32];

	store_now(now, sizeof(now));
	return run_stmt(st, NULL,
			"UPDATE runs SET status = ?, finished_at = ? "
			"WHERE id = ?",
			"tti", status, now, run_id);
}

int store_runs_abandoned(struct store *st, const char *hostname,
			 unsigned *n)
{
	char now[32];
	int rc;

	*n = 0;
	store_now(now, sizeof(now));
	rc = run_stmt(st, NULL,
		      "UPDATE cases SET status = 'failed', reason = 'the "
		      "harness died during this case (a kill -9 or a crash; "
		      "found after it died, by isolat restore or a later "
		      "run)' "
		      "WHERE status = 'running' AND run_id IN (SELECT r.id "
		      "FROM runs r JOIN hosts h ON h.id = r.host_id "
		      "WHERE r.status = 'running' AND h.hostname = ?)",
		      "t", hostname);
	if (rc < 0)
		return rc;
	/* A case still 'running' in a run that ended (its recording failed,
	 * a full disk, and marking it failed did not fit either). */
	rc = run_stmt(st, NULL,
		      "UPDATE cases SET status = 'failed', reason = 'left "
		      "running when its run ended: recording it failed (a "
		      "full disk?), and so did marking it (found by a later "
		      "run on this host)' "
		      "WHERE status = 'running' AND run_id IN (SELECT r.id "
		      "FROM runs r JOIN hosts h ON h.id = r.host_id "
		      "WHERE r.status <> 'running' AND h.hostname = ?)",
		      "t", hostname);
	if (rc < 0)
		return rc;
	rc = run_stmt(st, NULL,
		      "UPDATE runs SET status = 'aborted', finished_at = ? "
		      "WHERE status = 'running' AND host_id IN "
		      "(SELECT id FROM hosts WHERE hostname = ?)",
		      "tt", now, hostname);
	if (rc == 0)
		*n = (unsigned)sqlite3_changes(store_db(st));
	return rc;
}

int store_case_create(struct store *st, int64_t run_id,
		      const struct store_case *c, int64_t *case_id)
{
	return run_stmt(st, case_id,
			"INSERT INTO cases(run_id, idx, name, environment, "
			"profile, workload, load, repetition, params) "
			"VALUES (?,?,?,?,?,?,?,?,?)",
			"iitttttit", run_id,
			(int64_t)c->idx, c->name, c->environment, c->profile,
			c->workload, c->load, (int64_t)c->repetition,
			c->params_json ? c->params_json : "{}");
}

int store_case_status(struct store *st, int64_t case_id, const char *status,
		      const char *reason)
{
	char now[32];

	store_now(now, sizeof(now));
	/* started_at is set when a case starts running, finished_at when it
	 * reaches a final state; pending touches neither. */
	if (!strcmp(status, "running"))
		return run_stmt(st, NULL,
				"UPDATE cases SET status = ?, reason = ?, "
				"started_at = ? WHERE id = ?",
				"ttti", status, reason, now, case_id);
	if (!strcmp(status, "pending"))
		return run_stmt(st, NULL,
				"UPDATE cases SET status = ?, reason = ? "
				"WHERE id = ?",
				"tti", status, reason, case_id);
	return run_stmt(st, NULL,
			"UPDATE cases SET status = ?, reason = ?, "
			"finished_at = ? WHERE id = ?",
			"ttti", status, reason, now, case_id);
}

int store_case_set_emulated(struct store *st, int64_t case_id, int emulated)
{
	return run_stmt(st, NULL, "UPDATE cases SET emulated = ? WHERE id = ?",
			"ii", (int64_t)(emulated != 0), case_id);
}

int store_case_flag(struct store *st, int64_t case_id)
{
	return run_stmt(st, NULL, "UPDATE cases SET flagged = 1 WHERE id = ?",
			"i", case_id);
}

int store_case_fact(struct store *st, int64_t case_id, const char *key,
		    const char *value)
{
	return run_stmt(st, NULL,
			"INSERT OR REPLACE INTO case_facts(case_id, key, value)"
			" VALUES (?,?,?)",
			"itt", case_id, key, value);
}

int store_series_create(struct store *st, int64_t case_id, unsigned idx,
			int cpu, const char *unit, int64_t *series_id)
{
	return run_stmt(st, series_id,
			"INSERT INTO series(case_id, idx, cpu, unit) "
			"VALUES (?,?,?,?)",
			"iiit", case_id, (int64_t)idx, (int64_t)cpu, unit);
}

int store_series_kind(struct store *st, int64_t series_id, const char *kind)
{
	return run_stmt(st, NULL, "UPDATE series SET kind=? WHERE id=?", "ti",
			kind, series_id);
}

int store_counter(struct store *st, int64_t case_id, const char *side,
		  int cpu, const char *name, int64_t value, int has_value,
		  const char *note)
{
	if (!has_value)
		return run_stmt(st, NULL,
				"INSERT OR REPLACE INTO counters(case_id, side,"
				" cpu, name, value, note) VALUES (?,?,?,?,NULL,?)",
				"ititt", case_id, side, (int64_t)cpu, name,
				note);
	return run_stmt(st, NULL,
			"INSERT OR REPLACE INTO counters(case_id, side, cpu,"
			" name, value, note) VALUES (?,?,?,?,?,?)",
			"ititit", case_id, side, (int64_t)cpu, name, value,
			note);
}

int store_chunk_put(struct store *st, int64_t series_id, uint32_t chunk_no,
		    uint64_t first_seq, uint32_t nsamples, const void *blob,
		    size_t len)
{
	return run_stmt(st, NULL,
			"INSERT INTO chunks(series_id, chunk_no, first_seq, "
			"nsamples, codec, data) VALUES (?,?,?,?,1,?)",
			"iiiib", series_id, (int64_t)chunk_no,
			(int64_t)first_seq, (int64_t)nsamples, blob, len);
}

int store_series_finish(struct store *st, int64_t series_id,
			const struct summary *m, uint32_t bucket_ns,
			const void *hist, size_t hist_len)
{
	int rc;

	rc = run_stmt(st, NULL,
		      "UPDATE series SET count = ?, dropped = ? WHERE id = ?",
		      "iii", (int64_t)m->count, (int64_t)m->dropped,
		      series_id);
	if (rc == 0)
		rc = run_stmt(st, NULL,
			      "INSERT OR REPLACE INTO summaries(series_id, "
			      "count, dropped, min, max, mean, stddev, p50, "
			      "p90, p99, p999, p9999, p99999) "
			      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
			      "iiiiiddiiiiii", series_id, (int64_t)m->count,
			      (int64_t)m->dropped, (int64_t)m->min,
			      (int64_t)m->max, m->mean, m->stddev,
			      (int64_t)m->p50, (int64_t)m->p90,
			      (int64_t)m->p99, (int64_t)m->p999,
			      (int64_t)m->p9999, (int64_t)m->p99999);
	if (rc == 0)
		rc = run_stmt(st, NULL,
			      "INSERT OR REPLACE INTO histograms(series_id, "
			      "bucket_ns, data) VALUES (?,?,?)",
			      "iib", series_id, (int64_t)bucket_ns,
			      hist ? hist : "", hist_len);
	return rc;
}

int store_event(struct store *st, int64_t run_id, int64_t case_id,
		int64_t series_id, const char *kind, const char *severity,
		const char *message)
{
	char now[32];

	store_now(now, sizeof(now));
	return run_stmt(st, NULL,
			"INSERT INTO events(run_id, case_id, series_id, at, "
			"kind, severity, message) VALUES (?,?,?,?,?,?,?)",
			"iIItttt", run_id, case_id, series_id, now, kind,
			severity, message);
}

int store_resolve_run(struct store *st, const char *arg, int64_t *run_id,
		      char uuid[37], char *err, size_t errsz)
{
	sqlite3_stmt *s;
	int n = 0, rc;
	size_t len = strlen(arg);

	if (!strcmp(arg, "last")) {
		rc = sqlite3_prepare_v2(st->db,
					"SELECT id, uuid FROM runs ORDER BY "
					"started_at DESC, id DESC LIMIT 1",
					-1, &s, NULL);
	} else {
		for (size_t i = 0; i < len; i++) {
			char c = arg[i];

			if (!((c >= '0' && c <= '9') ||
			      (c >= 'a' && c <= 'f') || c == '-')) {
				snprintf(err, errsz,
					 "'%s' is not a run or a tag: give a "
					 "UUID, a unique UUID prefix (lowercase "
					 "hex), a tag or 'last' (see `isolat "
					 "list`, `isolat tag --list`)", arg);
				return -EINVAL;
			}
		}
		if (len < 4 || len > 36) {
			snprintf(err, errsz,
				 "'%s': a run prefix needs 4 to 36 characters "
				 "(see `isolat list`)", arg);
			return -EINVAL;
		}
		rc = sqlite3_prepare_v2(st->db,
					"SELECT id, uuid FROM runs WHERE "
					"substr(uuid, 1, ?) = ? LIMIT 2",
					-1, &s, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int(s, 1, (int)len);
			sqlite3_bind_text(s, 2, arg, -1, SQLITE_TRANSIENT);
		}
	}
	if (rc != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", st->path,
			 sqlite3_errmsg(st->db));
		return -EIO;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n++ == 0) {
			const unsigned char *u = sqlite3_column_text(s, 1);

			*run_id = sqlite3_column_int64(s, 0);
			snprintf(uuid, 37, "%s", u ? (const char *)u : "");
		}
	}
	sqlite3_finalize(s);
	if (n == 0) {
		snprintf(err, errsz, "%s: no run matches '%s' (see `isolat "
			 "list`)", st->path, arg);
		return -ENOENT;
	}
	if (n > 1) {
		snprintf(err, errsz, "'%s' matches more than one run; give more "
			 "characters of the UUID (see `isolat list`)", arg);
		return -EINVAL;
	}
	return 0;
}

const char *store_samples_error(struct store *st)
{
	return st->samples_err;
}

/*
 * samples_err: what is wrong with series_id (the database file, run, case,
 * series and chunk) and the fix.  what: the fault; NULL for SQLite's
 * message (a table missing, an I/O error).
 */
static void samples_fault(struct store *st, int64_t series_id,
			  int64_t chunk_no, const char *what)
{
	char where[400], why[300];
	sqlite3_stmt *s;

	snprintf(why, sizeof(why), "%s", what ? what : sqlite3_errmsg(st->db));
	snprintf(where, sizeof(where), "series %lld", (long long)series_id);
	if (sqlite3_prepare_v2(st->db,
			       "SELECT r.uuid, c.idx, c.name, s.idx, s.cpu "
			       "FROM series s JOIN cases c ON c.id = s.case_id "
			       "JOIN runs r ON r.id = c.run_id WHERE s.id = ?",
			       -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, series_id);
		if (sqlite3_step(s) == SQLITE_ROW)
			snprintf(where, sizeof(where),
				 "run %s case %d (%s) series %d (cpu %d)",
				 (const char *)sqlite3_column_text(s, 0),
				 sqlite3_column_int(s, 1),
				 (const char *)sqlite3_column_text(s, 2),
				 sqlite3_column_int(s, 3),
				 sqlite3_column_int(s, 4));
		sqlite3_finalize(s);
	}
	if (chunk_no >= 0)
		snprintf(st->samples_err, sizeof(st->samples_err),
			 "%s: %s: sample chunk %lld is corrupt (%s); the "
			 "database is damaged: restore it from a copy or "
			 "re-run the case", st->path, where,
			 (long long)chunk_no, why);
	else
		snprintf(st->samples_err, sizeof(st->samples_err),
			 "%s: %s: reading its samples failed (%s); the "
			 "database is damaged or incomplete: restore it from a "
			 "copy or re-run the case", st->path, where, why);
}

int store_series_samples(struct store *st, int64_t series_id,
			 store_samples_fn fn, void *ctx)
{
	sqlite3_stmt *s;
	uint32_t *buf;
	int rc = 0, step;
	char why[96];

	st->samples_err[0] = '\0';
	buf = malloc(CODEC_CHUNK_SAMPLES * sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT chunk_no, first_seq, nsamples, codec, "
			       "data FROM chunks WHERE series_id = ? "
			       "ORDER BY chunk_no",
			       -1, &s, NULL) != SQLITE_OK) {
		samples_fault(st, series_id, -1, NULL);
		free(buf);
		return -EIO;
	}
	sqlite3_bind_int64(s, 1, series_id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t nsamples = sqlite3_column_int64(s, 2);
		const void *blob = sqlite3_column_blob(s, 4);
		int len = sqlite3_column_bytes(s, 4);
		ssize_t got = -1;

		if (sqlite3_column_int(s, 3) != 1)
			snprintf(why, sizeof(why), "codec %d, this isolat "
				 "knows 1", sqlite3_column_int(s, 3));
		else if (nsamples < 1 || nsamples > CODEC_CHUNK_SAMPLES)
			snprintf(why, sizeof(why), "%lld samples, expected 1 "
				 "to %d", (long long)nsamples,
				 CODEC_CHUNK_SAMPLES);
		else if (!blob)
			snprintf(why, sizeof(why), "no data");
		else if ((got = codec_decode(blob, (size_t)len, buf,
					     CODEC_CHUNK_SAMPLES)) != nsamples)
			snprintf(why, sizeof(why), "decodes to %zd of %lld "
				 "samples", got, (long long)nsamples);
		if (got != nsamples) {
			samples_fault(st, series_id,
				      sqlite3_column_int64(s, 0), why);
			rc = -EINVAL;
			break;
		}
		rc = fn(ctx, (uint64_t)sqlite3_column_int64(s, 1), buf,
			(uint32_t)got);
		if (rc)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW) {
		samples_fault(st, series_id, -1, NULL);
		rc = -EIO;
	}
	sqlite3_finalize(s);
	free(buf);
	return rc;
}
