/*
 * isolat_sqlite.c - a loadable SQLite extension: every stored sample of an
 * isolat database as the virtual table isolat_samples, so sqlite3, Python
 * and R reach the samples without isolat (docs/formats.md, "SQL").
 *
 *   sqlite3 results/isolat.db -cmd '.load build/isolat_sqlite'
 *   SELECT cpu, max(value) FROM isolat_samples
 *    WHERE run_uuid = '...' AND environment = 'bare' GROUP BY cpu;
 *
 * Columns (as the samples CSV): run_uuid, case_idx, name, environment,
 * profile, workload, load, repetition, emulated, series, cpu, seq, value,
 * unit.  Equality on run_uuid, case_idx, name, environment, profile and
 * cpu is pushed down (xBestIndex) into the query that picks the series,
 * so only the chunks of matching series are read and decoded, one chunk
 * (at most 65536 values) at a time: a whole run is never held in memory.
 * A query that reads neither seq nor value (count(*)) decodes nothing: a
 * chunk's row count is its nsamples.
 *
 * isolat_chunks_decoded() returns how many chunks this connection decoded
 * (the tests prove the push-down with it).
 *
 * Built as its own shared object (Makefile: build/isolat_sqlite.so) with
 * collectors/codec*.c; it includes sqlite3ext.h, so every sqlite3_* call
 * goes through the loading process's SQLite.  isolat_sqlite_auto.c adds
 * isolat_sqlite_auto() for hosts whose Python sqlite3 cannot load
 * extensions (Debian 12's): it registers this module for every new
 * connection of the process.
 */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/codec.h"

int isolat_sqlite_register(sqlite3 *db, char **err,
			   const sqlite3_api_routines *api);

enum col {
	C_RUN, C_CASE, C_NAME, C_ENV, C_PROFILE, C_WORKLOAD, C_LOAD, C_REP,
	C_EMULATED, C_SERIES, C_CPU, C_SEQ, C_VALUE, C_UNIT, C_NCOLS
};

/* Columns whose equality constraint goes into the series query, with the
 * SQL it becomes (idxNum bit = index here). */
static const struct {
	enum col col;
	const char *sql;
} pushdown[] = {
	{C_RUN, "r.uuid = ?"},
	{C_CASE, "c.idx = ?"},
	{C_NAME, "c.name = ?"},
	{C_ENV, "c.environment = ?"},
	{C_PROFILE, "c.profile = ?"},
	{C_CPU, "s.cpu = ?"},
};
#define NPUSH (sizeof(pushdown) / sizeof(*pushdown))
#define IDX_NO_DECODE (1 << 16) /* neither seq nor value is read */

struct counter {
	sqlite3_int64 decoded;
};

struct vtab {
	sqlite3_vtab base;
	sqlite3 *db;
	struct counter *counter;
};

struct cursor {
	sqlite3_vtab_cursor base;
	sqlite3_stmt *series; /* one row per matching series */
	sqlite3_stmt *chunks; /* the chunks of the current series */
	int no_decode;
	int eof;
	sqlite3_int64 rowid;
	uint64_t first_seq;   /* of the current chunk */
	uint32_t n, pos;      /* values in the chunk, current one */
	uint32_t *values;     /* CODEC_CHUNK_SAMPLES */
};

static int vt_connect(sqlite3 *db, void *aux, int argc,
		      const char *const *argv, sqlite3_vtab **out, char **err)
{
	struct vtab *v;
	int rc;

	(void)argc;
	(void)argv;
	rc = sqlite3_declare_vtab(db,
		"CREATE TABLE x(run_uuid TEXT, case_idx INTEGER, name TEXT, "
		"environment TEXT, profile TEXT, workload TEXT, load TEXT, "
		"repetition INTEGER, emulated INTEGER, series INTEGER, "
		"cpu INTEGER, seq INTEGER, value INTEGER, unit TEXT)");
	if (rc != SQLITE_OK)
		return rc;
	v = sqlite3_malloc(sizeof(*v));
	if (!v)
		return SQLITE_NOMEM;
	memset(v, 0, sizeof(*v));
	v->db = db;
	v->counter = aux;
	*out = &v->base;
	(void)err;
	return SQLITE_OK;
}

static int vt_disconnect(sqlite3_vtab *base)
{
	sqlite3_free(base);
	return SQLITE_OK;
}

static int vt_best_index(sqlite3_vtab *base, sqlite3_index_info *ii)
{
	int argv_next = 1, mask = 0;

	(void)base;
	for (int i = 0; i < ii->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &ii->aConstraint[i];

		if (!c->usable || c->op != SQLITE_INDEX_CONSTRAINT_EQ)
			continue;
		for (unsigned k = 0; k < NPUSH; k++) {
			if ((int)pushdown[k].col != c->iColumn || (mask & (1 << k)))
				continue;
			mask |= 1 << k;
			/* argv order = pushdown order, fixed up below */
			ii->aConstraintUsage[i].argvIndex = (int)k + 1;
			ii->aConstraintUsage[i].omit = 1;
		}
	}
	/* Renumber the argv indexes densely in pushdown order. */
	for (unsigned k = 0; k < NPUSH; k++) {
		if (!(mask & (1 << k)))
			continue;
		for (int i = 0; i < ii->nConstraint; i++)
			if (ii->aConstraintUsage[i].argvIndex == (int)k + 1 &&
			    ii->aConstraint[i].iColumn == (int)pushdown[k].col)
				ii->aConstraintUsage[i].argvIndex = -argv_next;
		argv_next++;
	}
	for (int i = 0; i < ii->nConstraint; i++)
		if (ii->aConstraintUsage[i].argvIndex < 0)
			ii->aConstraintUsage[i].argvIndex =
				-ii->aConstraintUsage[i].argvIndex;
	if (!(ii->colUsed & ((sqlite3_uint64)1 << C_SEQ)) &&
	    !(ii->colUsed & ((sqlite3_uint64)1 << C_VALUE)))
		mask |= IDX_NO_DECODE;
	ii->idxNum = mask;
	/* Each pushed-down column divides the work. */
	ii->estimatedCost = 1e9;
	for (unsigned k = 0; k < NPUSH; k++)
		if (mask & (1 << k))
			ii->estimatedCost /= 10;
	return SQLITE_OK;
}

static int vt_open(sqlite3_vtab *base, sqlite3_vtab_cursor **out)
{
	struct cursor *c = sqlite3_malloc(sizeof(*c));

	(void)base;
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	c->values = sqlite3_malloc(CODEC_CHUNK_SAMPLES * sizeof(uint32_t));
	if (!c->values) {
		sqlite3_free(c);
		return SQLITE_NOMEM;
	}
	*out = &c->base;
	return SQLITE_OK;
}

static int vt_close(sqlite3_vtab_cursor *cur)
{
	struct cursor *c = (struct cursor *)cur;

	sqlite3_finalize(c->series);
	sqlite3_finalize(c->chunks);
	sqlite3_free(c->values);
	sqlite3_free(c);
	return SQLITE_OK;
}

static int vt_error(struct cursor *c, int rc, const char *fmt, ...)
{
	struct vtab *v = (struct vtab *)c->base.pVtab;
	va_list ap;

	va_start(ap, fmt);
	sqlite3_free(v->base.zErrMsg);
	v->base.zErrMsg = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	return rc;
}

/* The next chunk of the current series into c->values, or the next
 * series' first; c->eof at the end. */
static int next_chunk(struct cursor *c)
{
	struct vtab *v = (struct vtab *)c->base.pVtab;

	for (;;) {
		int rc;

		if (c->chunks) {
			rc = sqlite3_step(c->chunks);
			if (rc == SQLITE_ROW) {
				sqlite3_int64 n = sqlite3_column_int64(c->chunks,
								       1);
				const void *blob;
				int len;
				ssize_t got;

				c->first_seq = (uint64_t)sqlite3_column_int64(
					c->chunks, 0);
				c->pos = 0;
				if (n < 1 || n > CODEC_CHUNK_SAMPLES ||
				    sqlite3_column_int(c->chunks, 2) != 1)
					return vt_error(c, SQLITE_CORRUPT,
						"isolat_samples: series %lld: "
						"a chunk has a bad header",
						sqlite3_column_int64(
							c->series, 0));
				c->n = (uint32_t)n;
				if (c->no_decode)
					return SQLITE_OK;
				blob = sqlite3_column_blob(c->chunks, 3);
				len = sqlite3_column_bytes(c->chunks, 3);
				got = blob ? codec_decode(blob, (size_t)len,
							  c->values,
							  CODEC_CHUNK_SAMPLES)
					   : -EINVAL;
				v->counter->decoded++;
				if (got != n)
					return vt_error(c, SQLITE_CORRUPT,
						"isolat_samples: series %lld: "
						"a chunk is corrupt and cannot "
						"be decoded",
						sqlite3_column_int64(
							c->series, 0));
				return SQLITE_OK;
			}
			if (rc != SQLITE_DONE)
				return rc;
			sqlite3_finalize(c->chunks);
			c->chunks = NULL;
		}
		rc = sqlite3_step(c->series);
		if (rc == SQLITE_DONE) {
			c->eof = 1;
			return SQLITE_OK;
		}
		if (rc != SQLITE_ROW)
			return rc;
		rc = sqlite3_prepare_v2(v->db,
			c->no_decode
			? "SELECT first_seq, nsamples, codec FROM chunks "
			  "WHERE series_id = ? ORDER BY chunk_no"
			: "SELECT first_seq, nsamples, codec, data FROM chunks "
			  "WHERE series_id = ? ORDER BY chunk_no",
			-1, &c->chunks, NULL);
		if (rc != SQLITE_OK)
			return rc;
		sqlite3_bind_int64(c->chunks, 1,
				   sqlite3_column_int64(c->series, 0));
	}
}

static int vt_filter(sqlite3_vtab_cursor *cur, int idx_num,
		     const char *idx_str, int argc, sqlite3_value **argv)
{
	struct cursor *c = (struct cursor *)cur;
	struct vtab *v = (struct vtab *)cur->pVtab;
	char sql[1024];
	size_t n;
	int rc, a = 0;

	(void)idx_str;
	sqlite3_finalize(c->series);
	sqlite3_finalize(c->chunks);
	c->series = c->chunks = NULL;
	c->eof = 0;
	c->rowid = 0;
	c->n = c->pos = 0;
	c->no_decode = (idx_num & IDX_NO_DECODE) != 0;
	n = (size_t)snprintf(sql, sizeof(sql),
		"SELECT s.id, r.uuid, c.idx, c.name, c.environment, "
		"c.profile, c.workload, c.load, c.repetition, c.emulated, "
		"s.idx, s.cpu, s.unit FROM series s "
		"JOIN cases c ON c.id = s.case_id "
		"JOIN runs r ON r.id = c.run_id WHERE 1");
	for (unsigned k = 0; k < NPUSH; k++)
		if (idx_num & (1 << k))
			n += (size_t)snprintf(sql + n, sizeof(sql) - n,
					      " AND %s", pushdown[k].sql);
	snprintf(sql + n, sizeof(sql) - n, " ORDER BY r.id, c.idx, s.idx");
	rc = sqlite3_prepare_v2(v->db, sql, -1, &c->series, NULL);
	if (rc != SQLITE_OK)
		return vt_error(c, rc, "isolat_samples: %s (is this an "
				"isolat database?)", sqlite3_errmsg(v->db));
	for (unsigned k = 0; k < NPUSH && a < argc; k++)
		if (idx_num & (1 << k)) {
			sqlite3_bind_value(c->series, a + 1, argv[a]);
			a++;
		}
	rc = next_chunk(c);
	return rc;
}

static int vt_next(sqlite3_vtab_cursor *cur)
{
	struct cursor *c = (struct cursor *)cur;

	c->rowid++;
	if (++c->pos < c->n)
		return SQLITE_OK;
	return next_chunk(c);
}

static int vt_eof(sqlite3_vtab_cursor *cur)
{
	return ((struct cursor *)cur)->eof;
}

static int vt_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i)
{
	struct cursor *c = (struct cursor *)cur;

	switch (i) {
	case C_SEQ:
		sqlite3_result_int64(ctx, (sqlite3_int64)(c->first_seq +
							  c->pos));
		return SQLITE_OK;
	case C_VALUE:
		if (c->no_decode)
			sqlite3_result_null(ctx); /* not reached: unused */
		else
			sqlite3_result_int64(ctx, c->values[c->pos]);
		return SQLITE_OK;
	case C_UNIT:
		sqlite3_result_value(ctx, sqlite3_column_value(c->series, 12));
		return SQLITE_OK;
	default:
		/* run_uuid .. cpu are series-query columns 1..11 */
		sqlite3_result_value(ctx, sqlite3_column_value(c->series,
							      i + 1));
		return SQLITE_OK;
	}
}

static int vt_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = ((struct cursor *)cur)->rowid;
	return SQLITE_OK;
}

static const sqlite3_module samples_module = {
	.iVersion = 0,
	.xCreate = NULL, /* eponymous only: no CREATE VIRTUAL TABLE needed */
	.xConnect = vt_connect,
	.xBestIndex = vt_best_index,
	.xDisconnect = vt_disconnect,
	.xDestroy = vt_disconnect,
	.xOpen = vt_open,
	.xClose = vt_close,
	.xFilter = vt_filter,
	.xNext = vt_next,
	.xEof = vt_eof,
	.xColumn = vt_column,
	.xRowid = vt_rowid,
};

static void chunks_decoded(sqlite3_context *ctx, int argc, sqlite3_value **v)
{
	struct counter *k = sqlite3_user_data(ctx);

	(void)argc;
	(void)v;
	sqlite3_result_int64(ctx, k->decoded);
}

int isolat_sqlite_register(sqlite3 *db, char **err,
			   const sqlite3_api_routines *api)
{
	struct counter *k;
	int rc;

	SQLITE_EXTENSION_INIT2(api);
	k = sqlite3_malloc(sizeof(*k));
	if (!k)
		return SQLITE_NOMEM;
	k->decoded = 0;
	/* The module owns the counter (freed when the connection closes);
	 * the function only reads it. */
	rc = sqlite3_create_module_v2(db, "isolat_samples", &samples_module,
				      k, sqlite3_free);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(db, "isolat_chunks_decoded", 0,
						SQLITE_UTF8, k, chunks_decoded,
						NULL, NULL, NULL);
	if (rc != SQLITE_OK && err)
		*err = sqlite3_mprintf("isolat_sqlite: %s",
				       sqlite3_errmsg(db));
	return rc;
}

/* `.load isolat_sqlite` looks for sqlite3_isolatsqlite_init. */
int sqlite3_isolatsqlite_init(sqlite3 *db, char **err,
			      const sqlite3_api_routines *api)
{
	return isolat_sqlite_register(db, err, api);
}

int sqlite3_extension_init(sqlite3 *db, char **err,
			   const sqlite3_api_routines *api)
{
	return isolat_sqlite_register(db, err, api);
}
