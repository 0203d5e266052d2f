/*
 * store_db.h - the SQLite handle behind a struct store, for the code that
 * speaks SQL: collectors/ (the store) and reports/ (the queries).  The
 * harness calls their functions and never includes this header (ci/lint:
 * tests/tools/size_lint.sh checks it) - except harness/cmd/cmd_gate.c,
 * whose rewrite (issue 15) moves its SQL to reports/ and drops it.
 */
#ifndef ISOLAT_STORE_DB_H
#define ISOLAT_STORE_DB_H

#include <sqlite3.h>

struct store;

sqlite3 *store_db(struct store *st);
/* The database file, for messages. */
const char *store_path(struct store *st);

#endif
