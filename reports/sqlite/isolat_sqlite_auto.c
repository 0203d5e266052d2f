/*
 * isolat_sqlite_auto.c - isolat_sqlite_auto(): register the isolat_samples
 * module (isolat_sqlite.c) for every SQLite connection this process opens
 * from now on (sqlite3_auto_extension).  For a Python whose sqlite3 module
 * was built without load_extension (Debian 12's):
 *
 *   ctypes.CDLL("build/isolat_sqlite.so").isolat_sqlite_auto()
 *   con = sqlite3.connect("results/isolat.db")
 *
 * This file calls the real SQLite API (it does not include sqlite3ext.h),
 * so the shared object links -lsqlite3: the same libsqlite3.so.0 that
 * Python's _sqlite3 and the sqlite3 shell load.
 */
#include <sqlite3.h>

int sqlite3_isolatsqlite_init(sqlite3 *db, char **err,
			      const sqlite3_api_routines *api);
int isolat_sqlite_auto(void);

/* SQLITE_OK, or SQLite's error code. */
int isolat_sqlite_auto(void)
{
	return sqlite3_auto_extension(
		(void (*)(void))(void *)sqlite3_isolatsqlite_init);
}
