/*
 * store_tags.c - run tags in the store (table tags, schema v2): `isolat
 * tag RUN NAME` sets them, every command that takes a RUN resolves them
 * (store_resolve_ref).  Split from store.c, which keeps runs, cases and
 * samples.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "collectors/store.h"
#include "collectors/store_db.h"

/* Tag names: identifiers, so they never collide with "last" or read as
 * a UUID prefix in messages, and are safe in file names and CI output. */
static int tag_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || !strcmp(name, "last") ||
	    !((name[0] >= 'A' && name[0] <= 'Z') ||
	      (name[0] >= 'a' && name[0] <= 'z')))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	/* "bcbc", "cafe-01": a UUID prefix too (lowercase hex and '-', 4
	 * or more: store_resolve_run); as a tag it would hide the run it
	 * abbreviates (tags are looked up first). */
	return !(n >= 4 && strspn(name, "0123456789abcdef-") == n);
}

int store_resolve_ref(struct store *st, const char *arg, int64_t *run_id,
		      char uuid[37], char *err, size_t errsz)
{
	sqlite3_stmt *s;
	int found = 0;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT r.id, r.uuid FROM tags t JOIN runs r "
			       "ON r.id = t.run_id WHERE t.name = ?",
			       -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", store_path(st),
			 sqlite3_errmsg(store_db(st)));
		return -EIO;
	}
	sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *u = sqlite3_column_text(s, 1);

		*run_id = sqlite3_column_int64(s, 0);
		snprintf(uuid, 37, "%s", u ? (const char *)u : "");
		found = 1;
	}
	sqlite3_finalize(s);
	if (found)
		return 0;
	return store_resolve_run(st, arg, run_id, uuid, err, errsz);
}

int store_tag_set(struct store *st, const char *name, int64_t run_id,
		  char *err, size_t errsz)
{
	sqlite3_stmt *s;
	char now[32];
	int rc = -EIO;

	if (!tag_name_ok(name)) {
		snprintf(err, errsz, "'%.80s' is not a tag name: use 1 to 64 "
			 "characters of A-Z a-z 0-9 . _ -, starting with a "
			 "letter, not 'last' and not 4 or more lowercase hex "
			 "digits and '-' alone (that reads as a UUID prefix)",
			 name);
		return -EINVAL;
	}
	store_now(now, sizeof(now));
	if (sqlite3_prepare_v2(store_db(st),
			       "INSERT INTO tags(name, run_id, created_at) "
			       "VALUES (?,?,?) ON CONFLICT(name) DO UPDATE "
			       "SET run_id = excluded.run_id, created_at = "
			       "excluded.created_at", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 2, run_id);
		sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -EIO;
		sqlite3_finalize(s);
	}
	if (rc < 0) {
		snprintf(err, errsz, "%s: %s", store_path(st),
			 sqlite3_errmsg(store_db(st)));
		return -EIO;
	}
	return 0;
}

int store_tag_delete(struct store *st, const char *name)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "DELETE FROM tags WHERE name = ?",
			       -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -EIO;
	sqlite3_finalize(s);
	if (rc < 0)
		return rc;
	return sqlite3_changes(store_db(st)) > 0 ? 0 : -ENOENT;
}

int store_tag_list(struct store *st, store_tag_fn fn, void *ctx)
{
	sqlite3_stmt *s;
	int rc = 0, step;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT t.name, r.uuid, t.created_at FROM tags t"
			       " JOIN runs r ON r.id = t.run_id ORDER BY t.name",
			       -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW)
		rc = fn(ctx, (const char *)sqlite3_column_text(s, 0),
			(const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 2));
	if (!rc && step != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(s);
	return rc;
}
