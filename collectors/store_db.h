/*
 * store_db.h - the SQLite handle behind a struct store, for the code that
 * speaks SQL: collectors/ (the store) and reports/ (the queries).  The
 * harness calls their functions and never includes this header
 * (tests/tools/size_lint.sh checks it).
 */
#ifndef ISOLAT_STORE_DB_H
#define ISOLAT_STORE_DB_H

#include <sqlite3.h>

struct store;

sqlite3 *store_db(struct store *st);
/* The database file, for messages. */
const char *store_path(struct store *st);

#endif
