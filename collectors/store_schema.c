/*
 * store_schema.c - the migration steps, one SQL script per schema version
 * (see store_schema.h).
 */
#include "collectors/store.h"
#include "collectors/store_schema.h"

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
