/*
 * query.c - load one run from the store into a struct q_run (see
 * query.h).  The text helpers over a loaded run are in query_text.c.
 */
#include "reports/query.h"
#include "collectors/store_db.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* strdup of a column; NULL stays NULL.  *oom is set when strdup fails. */
static char *col_dup(sqlite3_stmt *s, int i, int *oom)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	char *d;

	if (!t)
		return NULL;
	d = strdup((const char *)t);
	if (!d)
		*oom = 1;
	return d;
}

/* Grow *arr (of *cap elements of size sz) to hold n + 1 elements. */
static int grow(void *arr, size_t *cap, size_t n, size_t sz)
{
	void **p = arr;
	size_t ncap;
	void *q;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	q = realloc(*p, ncap * sz);
	if (!q)
		return -ENOMEM;
	memset((char *)q + *cap * sz, 0, (ncap - *cap) * sz);
	*p = q;
	*cap = ncap;
	return 0;
}

static int prep(struct store *st, const char *sql, sqlite3_stmt **s,
		char *err, size_t errsz)
{
	if (sqlite3_prepare_v2(store_db(st), sql, -1, s, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "database query failed: %s",
			 store_errmsg(st));
		return -EIO;
	}
	return 0;
}

/* Finish a step loop: SQLITE_DONE is success, anything else an error. */
static int step_end(struct store *st, int step, int oom, char *err,
		    size_t errsz)
{
	if (oom) {
		snprintf(err, errsz, "out of memory reading the database");
		return -ENOMEM;
	}
	if (step != SQLITE_DONE) {
		snprintf(err, errsz, "database read failed: %s",
			 store_errmsg(st));
		return -EIO;
	}
	return 0;
}

static int load_run_row(struct store *st, struct q_run *r, char *err,
			size_t errsz)
{
	sqlite3_stmt *s;
	int rc, oom = 0, step;

	rc = prep(st,
		  "SELECT r.uuid, r.scenario_name, r.scenario_path, "
		  "r.tool_version, r.argv, r.started_at, r.finished_at, "
		  "r.status, h.hostname, h.model, h.cpu_model, h.fingerprint, "
		  "h.ncpus FROM runs r LEFT JOIN hosts h ON h.id = r.host_id "
		  "WHERE r.id = ?",
		  &s, err, errsz);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, r->id);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		r->uuid = col_dup(s, 0, &oom);
		r->scenario_name = col_dup(s, 1, &oom);
		r->scenario_path = col_dup(s, 2, &oom);
		r->tool_version = col_dup(s, 3, &oom);
		r->argv = col_dup(s, 4, &oom);
		r->started_at = col_dup(s, 5, &oom);
		r->finished_at = col_dup(s, 6, &oom);
		r->status = col_dup(s, 7, &oom);
		r->hostname = col_dup(s, 8, &oom);
		r->host_model = col_dup(s, 9, &oom);
		r->cpu_model = col_dup(s, 10, &oom);
		r->fingerprint = col_dup(s, 11, &oom);
		r->ncpus = sqlite3_column_int(s, 12);
		step = SQLITE_DONE;
	} else if (step == SQLITE_DONE) {
		sqlite3_finalize(s);
		snprintf(err, errsz, "no run with id %" PRId64
			 " in the database (see `isolat list`)", r->id);
		return -ENOENT;
	}
	sqlite3_finalize(s);
	return step_end(st, step, oom, err, errsz);
}

static int load_meta(struct store *st, struct q_run *r, char *err,
		     size_t errsz)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc, oom = 0, step;

	/* rowid order is collection order: hostinfo inserts in the order a
	 * reader wants (identity first, topology last). */
	rc = prep(st, "SELECT key, value FROM run_meta WHERE run_id = ? "
		  "ORDER BY rowid", &s, err, errsz);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, r->id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW && !oom) {
		if (grow(&r->meta, &cap, r->nmeta, sizeof(*r->meta))) {
			oom = 1;
			break;
		}
		r->meta[r->nmeta].key = col_dup(s, 0, &oom);
		r->meta[r->nmeta].value = col_dup(s, 1, &oom);
		r->nmeta++;
		if (!r->meta[r->nmeta - 1].key)
			oom = 1; /* key is NOT NULL: only strdup fails */
	}
	if (oom)
		step = SQLITE_DONE;
	sqlite3_finalize(s);
	return step_end(st, step, oom, err, errsz);
}

/* "interval_us": N inside the params JSON; the harness writes it flat. */
static uint32_t params_interval(const char *params)
{
	const char *p = params ? strstr(params, "\"interval_us\"") : NULL;
	unsigned long v;
	char *end;

	if (!p)
		return 0;
	p += strlen("\"interval_us\"");
	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != ':')
		return 0;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '"') /* tolerate a quoted number */
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	v = strtoul(p, &end, 10);
	return v > 0 && v <= 60000000UL ? (uint32_t)v : 0;
}

static int load_cases(struct store *st, struct q_run *r, char *err,
		      size_t errsz)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc, oom = 0, step;

	rc = prep(st,
		  "SELECT c.id, c.idx, c.repetition, c.name, c.environment, "
		  "c.profile, c.workload, c.load, c.params, c.status, "
		  "c.reason, c.started_at, c.finished_at, c.emulated, "
		  "c.flagged, (SELECT value FROM case_facts f WHERE "
		  "f.case_id = c.id AND f.key = 'interval_us') "
		  "FROM cases c WHERE c.run_id = ? ORDER BY c.idx",
		  &s, err, errsz);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, r->id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct q_case *c;
		const unsigned char *fact;
		unsigned long iv = 0;

		if (grow(&r->cases, &cap, r->ncases, sizeof(*r->cases))) {
			oom = 1;
			break;
		}
		c = &r->cases[r->ncases++];
		c->id = sqlite3_column_int64(s, 0);
		c->idx = sqlite3_column_int(s, 1);
		c->repetition = sqlite3_column_int(s, 2);
		c->name = col_dup(s, 3, &oom);
		c->environment = col_dup(s, 4, &oom);
		c->profile = col_dup(s, 5, &oom);
		c->workload = col_dup(s, 6, &oom);
		c->load = col_dup(s, 7, &oom);
		c->params = col_dup(s, 8, &oom);
		c->status = col_dup(s, 9, &oom);
		c->reason = col_dup(s, 10, &oom);
		c->started_at = col_dup(s, 11, &oom);
		c->finished_at = col_dup(s, 12, &oom);
		c->emulated = sqlite3_column_int(s, 13) != 0;
		c->flagged = sqlite3_column_int(s, 14) != 0;
		fact = sqlite3_column_text(s, 15);
		if (fact)
			iv = strtoul((const char *)fact, NULL, 10);
		c->interval_from = "reported by the workload";
		if (iv == 0 || iv > 60000000UL) {
			iv = params_interval(c->params);
			c->interval_from = "from the case parameters";
		}
		/* cyclictest's default interval; a guess is better than no
		 * time axis, and the HTML says where it came from. */
		if (!iv)
			c->interval_from = "not recorded: assumed";
		c->interval_us = iv ? (uint32_t)iv : 1000;
		r->any_emulated |= c->emulated;
		r->any_flagged |= c->flagged;
		if (oom)
			break;
	}
	if (oom)
		step = SQLITE_DONE;
	sqlite3_finalize(s);
	return step_end(st, step, oom, err, errsz);
}

static struct q_case *case_by_id(struct q_run *r, int64_t id)
{
	for (size_t i = 0; i < r->ncases; i++)
		if (r->cases[i].id == id)
			return &r->cases[i];
	return NULL;
}

static int load_series(struct store *st, struct q_run *r, char *err,
		       size_t errsz)
{
	sqlite3_stmt *s;
	int rc, oom = 0, step;
	struct q_case *c = NULL;
	size_t cap = 0;

	rc = prep(st,
		  "SELECT s.case_id, s.id, s.idx, s.cpu, s.unit, s.count, "
		  "s.dropped, m.series_id IS NOT NULL, m.count, m.dropped, "
		  "m.min, m.max, m.mean, m.stddev, m.p50, m.p90, m.p99, "
		  "m.p999, m.p9999, m.p99999, s.kind, "
		  "(SELECT CAST(value AS INTEGER) FROM case_facts f WHERE "
		  "f.case_id = c.id AND f.key = 'end.series.' || s.idx || "
		  "'.overruns') FROM series s "
		  "JOIN cases c ON c.id = s.case_id "
		  "LEFT JOIN summaries m ON m.series_id = s.id "
		  /* netlat's one-way series sit beside its round trip
		   * (series 0); tables, figures, compare and gate take
		   * the round trip only (export has them all). */
		  "WHERE c.run_id = ? AND s.kind <> 'oneway' "
		  "ORDER BY c.idx, s.idx",
		  &s, err, errsz);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, r->id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t case_id = sqlite3_column_int64(s, 0);
		struct q_series *q;

		if (!c || c->id != case_id) {
			c = case_by_id(r, case_id);
			cap = 0;
			if (!c)
				continue; /* cannot happen: same run */
		}
		if (grow(&c->series, &cap, c->nseries, sizeof(*c->series))) {
			oom = 1;
			break;
		}
		q = &c->series[c->nseries++];
		q->id = sqlite3_column_int64(s, 1);
		q->idx = sqlite3_column_int(s, 2);
		q->cpu = sqlite3_column_int(s, 3);
		q->unit = col_dup(s, 4, &oom);
		q->kind = col_dup(s, 20, &oom);
		q->count = sqlite3_column_int64(s, 5);
		q->dropped = sqlite3_column_int64(s, 6);
		q->overruns = sqlite3_column_type(s, 21) == SQLITE_NULL ? -1
			      : sqlite3_column_int64(s, 21);
		q->has_summary = sqlite3_column_int(s, 7);
		if (q->has_summary) {
			struct summary *m = &q->sum;

			m->count = (uint64_t)sqlite3_column_int64(s, 8);
			m->dropped = (uint64_t)sqlite3_column_int64(s, 9);
			m->min = (uint32_t)sqlite3_column_int64(s, 10);
			m->max = (uint32_t)sqlite3_column_int64(s, 11);
			m->mean = sqlite3_column_double(s, 12);
			m->stddev = sqlite3_column_double(s, 13);
			m->p50 = (uint32_t)sqlite3_column_int64(s, 14);
			m->p90 = (uint32_t)sqlite3_column_int64(s, 15);
			m->p99 = (uint32_t)sqlite3_column_int64(s, 16);
			m->p999 = (uint32_t)sqlite3_column_int64(s, 17);
			m->p9999 = (uint32_t)sqlite3_column_int64(s, 18);
			m->p99999 = (uint32_t)sqlite3_column_int64(s, 19);
		}
		if (oom)
			break;
	}
	if (oom)
		step = SQLITE_DONE;
	sqlite3_finalize(s);
	return step_end(st, step, oom, err, errsz);
}

static int load_events(struct store *st, struct q_run *r, char *err,
		       size_t errsz)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc, oom = 0, step;

	rc = prep(st,
		  "SELECT c.idx, se.idx, e.at, e.kind, e.severity, e.message "
		  "FROM events e LEFT JOIN cases c ON c.id = e.case_id "
		  "LEFT JOIN series se ON se.id = e.series_id "
		  "WHERE e.run_id = ? ORDER BY e.id",
		  &s, err, errsz);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, r->id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct q_event *e;

		if (grow(&r->events, &cap, r->nevents, sizeof(*r->events))) {
			oom = 1;
			break;
		}
		e = &r->events[r->nevents++];
		e->case_idx = sqlite3_column_type(s, 0) == SQLITE_NULL
				      ? -1 : sqlite3_column_int(s, 0);
		e->series_idx = sqlite3_column_type(s, 1) == SQLITE_NULL
					? -1 : sqlite3_column_int(s, 1);
		e->at = col_dup(s, 2, &oom);
		e->kind = col_dup(s, 3, &oom);
		e->severity = col_dup(s, 4, &oom);
		e->message = col_dup(s, 5, &oom);
		if (oom)
			break;
	}
	if (oom)
		step = SQLITE_DONE;
	sqlite3_finalize(s);
	return step_end(st, step, oom, err, errsz);
}

int query_run_load(struct store *st, int64_t run_id, struct q_run *r,
		   char *err, size_t errsz)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->id = run_id;
	rc = load_run_row(st, r, err, errsz);
	if (!rc)
		rc = load_meta(st, r, err, errsz);
	if (!rc)
		rc = load_cases(st, r, err, errsz);
	if (!rc)
		rc = load_series(st, r, err, errsz);
	if (!rc)
		rc = load_events(st, r, err, errsz);
	if (rc)
		query_run_free(r);
	return rc;
}

void query_run_free(struct q_run *r)
{
	char **run_strs[] = {
		&r->uuid, &r->scenario_name, &r->scenario_path,
		&r->tool_version, &r->argv, &r->started_at, &r->finished_at,
		&r->status, &r->hostname, &r->host_model, &r->cpu_model,
		&r->fingerprint,
	};

	for (size_t i = 0; i < sizeof(run_strs) / sizeof(run_strs[0]); i++)
		free(*run_strs[i]);
	for (size_t i = 0; i < r->nmeta; i++) {
		free(r->meta[i].key);
		free(r->meta[i].value);
	}
	free(r->meta);
	for (size_t i = 0; i < r->ncases; i++) {
		struct q_case *c = &r->cases[i];

		free(c->name);
		free(c->environment);
		free(c->profile);
		free(c->workload);
		free(c->load);
		free(c->params);
		free(c->status);
		free(c->reason);
		free(c->started_at);
		free(c->finished_at);
		for (size_t k = 0; k < c->nseries; k++) {
			free(c->series[k].unit);
			free(c->series[k].kind);
		}
		free(c->series);
	}
	free(r->cases);
	for (size_t i = 0; i < r->nevents; i++) {
		free(r->events[i].at);
		free(r->events[i].kind);
		free(r->events[i].severity);
		free(r->events[i].message);
	}
	free(r->events);
	memset(r, 0, sizeof(*r));
}
