/*
 * store_schema.h - the schema migration steps of the store (store.h
 * documents the schema itself), and the checks store_open() makes of a
 * file's schema version before touching it.  Step v turns a version-v
 * database into version v + 1; steps are only ever appended, never
 * edited, so every database ever written can be brought forward.
 */
#ifndef ISOLAT_STORE_SCHEMA_H
#define ISOLAT_STORE_SCHEMA_H

#include <sqlite3.h>
#include <stddef.h>

#include "collectors/store.h"

extern const char *const store_migrations[];
extern const int store_nmigrations;

/*
 * Bring the database open on db (path: for messages) to the current
 * schema.  A version below 0 or above the newest, a foreign application
 * id, tables of another program, or (STORE_READ) an empty file are
 * refused with err naming path and the fix, before anything is written.
 * Migration steps run under BEGIN IMMEDIATE with the version read inside
 * the transaction, so two processes opening one new file never both
 * create it.  0, -EINVAL, -EPROTO or -EIO.
 */
int store_schema_migrate(sqlite3 *db, const char *path, enum store_mode mode,
			 char *err, size_t errsz);

/* A read-only database must already be at the current version (it
 * cannot be migrated).  0, -EINVAL or -EPROTO with err set. */
int store_schema_check_current(sqlite3 *db, const char *path, char *err,
			       size_t errsz);

#endif
