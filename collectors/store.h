/*
 * store.h - the SQLite sample store.
 *
 * One database holds any number of runs from any number of hosts.  WAL mode;
 * the schema version is PRAGMA user_version and PRAGMA application_id is
 * STORE_APP_ID, so a file that is not an isolat database is refused instead
 * of being written to.  store.c migrates forward, one step per version, each
 * step in one transaction (BEGIN IMMEDIATE, the version read inside it, so
 * concurrent openers of a new file create it once).  A version below 0 or
 * above the newest is refused, file untouched.  docs/store.md says how
 * read-only files and boards are opened.
 *
 * Schema (version 1):
 *
 *   hosts    (id, fingerprint UNIQUE, hostname, model, cpu_model, ncpus)
 *   runs     (id, uuid UNIQUE, host_id, scenario_name, scenario_path,
 *             scenario_text, tool_version, argv, started_at, finished_at,
 *             status: running|done|failed|interrupted)
 *   run_meta (run_id, key, value)       host metadata as seen at run time
 *   cases    (id, run_id, idx, name, environment, profile, workload, load,
 *             repetition, params (JSON object of every parameter),
 *             status: pending|running|done|failed|skipped, reason,
 *             emulated (0/1), flagged (0/1: something was lost or went
 *             wrong; see events), started_at, finished_at)
 *   case_facts (case_id, key, value)    what the workload/backend reported
 *                                       (HELLO keys, applied tuning, logs)
 *   series   (id, case_id, idx, cpu, unit, count, dropped)
 *   chunks   (series_id, chunk_no, first_seq, nsamples, codec, data BLOB)
 *             codec = 1: collectors/codec.c "RANS1"; first_seq is the loop
 *             index of the chunk's first sample; chunks of a series are
 *             contiguous in chunk_no, and sample k of chunk c is sample
 *             (sum of nsamples of chunks < c) + k of the series.
 *   summaries(series_id, count, dropped, min, max, mean, stddev,
 *             p50, p90, p99, p999, p9999, p99999)   values in series.unit
 *   histograms(series_id, bucket_ns, data BLOB)  stats.h histogram blob
 *   events   (id, run_id, case_id NULL, series_id NULL, at, kind,
 *             severity: info|warning|error, message)
 *
 * Version 2 adds:
 *
 *   tags     (name PRIMARY KEY, run_id, created_at)   `isolat tag RUN NAME`;
 *             a RUN argument may be a tag name (store_resolve_ref)
 *
 * Version 3 adds (issue 7, spin workload and counters):
 *
 *   series.kind  latency | throughput | noise (default latency); unit is
 *                ns for latency and noise, ops for throughput
 *   counters (case_id, side: host|workload, cpu (-1: not per CPU), name,
 *             value INTEGER NULL, note)  per-case deltas: irq.<IRQ>,
 *             softirq.<NAME>, ctxsw.voluntary|nonvoluntary,
 *             perf.cycles|instructions|cache-misses; note holds the IRQ's
 *             description, or "unsupported: why" with value NULL.  side
 *             workload = seen from inside the environment (the guest's
 *             view for kvm/xen), host = the harness's /proc on the host.
 *
 * Times are UTC ISO-8601 text ("2026-11-24T17:00:00Z").
 */
#ifndef ISOLAT_STORE_H
#define ISOLAT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define STORE_APP_ID 0x49534c54 /* "ISLT" */
#define STORE_SCHEMA_VERSION 3

struct store;

enum store_mode {
	STORE_READ,   /* the file must exist and be an isolat database */
	STORE_WRITE,  /* created (with its directory) if missing, migrated */
};

/*
 * Open path.  On failure returns -errno-like code and writes a message
 * naming the file and the fix into err.  A newer schema than this binary
 * knows is refused (never downgraded).
 */
int store_open(const char *path, enum store_mode mode, struct store **out,
	       char *err, size_t errsz);
void store_close(struct store *st);
const char *store_errmsg(struct store *st);

int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

struct store_host {
	const char *fingerprint, *hostname, *model, *cpu_model;
	int ncpus;
};
int store_host_upsert(struct store *st, const struct store_host *h,
		      int64_t *host_id);

struct store_run {
	const char *uuid, *scenario_name, *scenario_path, *scenario_text;
	const char *tool_version, *argv;
	int64_t host_id;
};
int store_run_create(struct store *st, const struct store_run *r,
		     int64_t *run_id);
int store_run_meta(struct store *st, int64_t run_id, const char *key,
		   const char *value);
int store_run_finish(struct store *st, int64_t run_id, const char *status);
/*
 * Runs of host hostname still marked running, when the caller knows no
 * harness of this host is (it holds the run lock): a harness killed with
 * -9 never finished them.  They become 'aborted', their running case
 * 'failed' with that reason.  A case still 'running' in a run of this
 * host that did end (its recording failed on a full disk, and marking it
 * failed did too) becomes 'failed' as well.  *n: how many runs.  0 or
 * -EIO.
 */
int store_runs_abandoned(struct store *st, const char *hostname,
			 unsigned *n);

struct store_case {
	int idx, repetition;
	const char *name, *environment, *profile, *workload, *load;
	const char *params_json;
};
int store_case_create(struct store *st, int64_t run_id,
		      const struct store_case *c, int64_t *case_id);
/* status: pending|running|done|failed|skipped; reason may be NULL */
int store_case_status(struct store *st, int64_t case_id, const char *status,
		      const char *reason);
int store_case_set_emulated(struct store *st, int64_t case_id, int emulated);
int store_case_flag(struct store *st, int64_t case_id);
int store_case_fact(struct store *st, int64_t case_id, const char *key,
		    const char *value);

int store_series_create(struct store *st, int64_t case_id, unsigned idx,
			int cpu, const char *unit, int64_t *series_id);
/* kind: latency | throughput | noise (schema 3). */
int store_series_kind(struct store *st, int64_t series_id, const char *kind);
/* One counters row (replaces); has_value 0 stores value NULL. */
int store_counter(struct store *st, int64_t case_id, const char *side,
		  int cpu, const char *name, int64_t value, int has_value,
		  const char *note);
int store_chunk_put(struct store *st, int64_t series_id, uint32_t chunk_no,
		    uint64_t first_seq, uint32_t nsamples, const void *blob,
		    size_t len);
/* Writes series.count/dropped, the summary row and the histogram row. */
int store_series_finish(struct store *st, int64_t series_id,
			const struct summary *sum, uint32_t bucket_ns,
			const void *hist, size_t hist_len);

/* severity: "info" | "warning" | "error".  case_id/series_id 0 = none. */
int store_event(struct store *st, int64_t run_id, int64_t case_id,
		int64_t series_id, const char *kind, const char *severity,
		const char *message);

/*
 * Resolve a RUN argument: a full UUID, a unique UUID prefix (>= 4 chars) or
 * "last" (most recently started run).  uuid receives the full UUID.
 * Returns 0, -ENOENT (no such run) or -EINVAL (ambiguous prefix); err says
 * which and what to do.
 */
int store_resolve_run(struct store *st, const char *arg, int64_t *run_id,
		      char uuid[37], char *err, size_t errsz);

/*
 * The progress lines' worst maxima (store_worst.c), -1 when none; 0 or
 * -EIO.  store_case_worst: over case_id's nanosecond series, with its
 * samples.  store_run_worst: the latency series of run uuid with the
 * largest max, its case's name into name.
 */
int store_case_worst(struct store *st, int64_t case_id, int64_t *samples,
		     int64_t *max, int *cpu);
int store_run_worst(struct store *st, const char *uuid, char *name,
		    size_t namesz, int64_t *max, int *cpu);

/*
 * Resolve a RUN-or-TAG argument: a tag name (see store_tag_set) first,
 * then everything store_resolve_run accepts.  A tag that looks like a UUID
 * prefix wins over the prefix; `isolat tag` refuses such names anyway.
 */
int store_resolve_ref(struct store *st, const char *arg, int64_t *run_id,
		      char uuid[37], char *err, size_t errsz);

/*
 * Point tag name at run_id (created, or moved when it exists).  A name is
 * 1..64 bytes of [A-Za-z0-9._-], starting with a letter, and not "last";
 * -EINVAL with err saying so otherwise.  0 or -EIO.
 */
int store_tag_set(struct store *st, const char *name, int64_t run_id,
		  char *err, size_t errsz);
/* 0, -ENOENT (no such tag) or -EIO. */
int store_tag_delete(struct store *st, const char *name);
/* fn(ctx, name, run uuid, created_at) per tag, by name; stops at fn's
 * first non-zero return and returns it; 0 or -EIO. */
typedef int (*store_tag_fn)(void *ctx, const char *name, const char *uuid,
			    const char *created_at);
int store_tag_list(struct store *st, store_tag_fn fn, void *ctx);

/*
 * Call fn for every chunk of a series, in order, with the decoded values.
 * Returns 0, fn's first non-zero return, -EINVAL for a corrupt chunk or
 * -EIO when the chunks cannot be read (no chunks table, I/O error); then
 * store_samples_error() names the database file, run, case, series and
 * chunk, what is wrong and the fix ("" after a success or fn's error).
 */
typedef int (*store_samples_fn)(void *ctx, uint64_t first_seq,
				const uint32_t *values, uint32_t n);
int store_series_samples(struct store *st, int64_t series_id,
			 store_samples_fn fn, void *ctx);
const char *store_samples_error(struct store *st);

/*
 * Into out: a "file:" URI (SQLITE_OPEN_URI, or ATTACH) that opens the
 * database at path read-only and creates no file beside it: immutable=1
 * when everything committed is in the main file and nothing has it open,
 * mode=ro (through the existing -wal and -shm) when its -wal may hold
 * committed data.  0 or -ENAMETOOLONG.
 */
int store_ro_uri(const char *path, char *out, size_t size);

/* Current UTC time as ISO-8601 text into buf (>= 21 bytes). */
void store_now(char *buf, size_t size);

#endif
