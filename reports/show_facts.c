/*
 * show_facts.c - see show_facts.h.
 */
#include "reports/show_facts.h"
#include "collectors/store_db.h"

#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#define FACT_SHOWN_MAX 4096

static void print_value(FILE *out, const char *v)
{
	size_t len = strlen(v);

	if (len > FACT_SHOWN_MAX) {
		fprintf(out, "(%zu bytes; isolat export has it whole)\n", len);
		return;
	}
	/* Continuation lines under the value, so a key never hides. */
	for (const char *s = v; *s;) {
		size_t n = strcspn(s, "\n");

		fprintf(out, "%.*s\n", (int)n, s);
		s += n;
		if (*s == '\n' && *++s)
			fputs("      ", out);
	}
	if (!*v)
		fputc('\n', out);
}

int show_facts(struct store *st, int64_t run_id, int case_idx, FILE *out,
	       char *err, size_t errsz)
{
	sqlite3_stmt *q = NULL;
	int64_t last = -1;
	int rc, rows = 0;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT c.idx, c.name, f.key, f.value "
			       "FROM cases c LEFT JOIN case_facts f "
			       "ON f.case_id = c.id WHERE c.run_id = ?1 "
			       "AND (?2 < 0 OR c.idx = ?2) "
			       "ORDER BY c.idx, f.key", -1, &q, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "cannot read facts: %s",
			 sqlite3_errmsg(store_db(st)));
		return -EIO;
	}
	sqlite3_bind_int64(q, 1, run_id);
	sqlite3_bind_int(q, 2, case_idx);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t idx = sqlite3_column_int64(q, 0);
		const char *name = (const char *)sqlite3_column_text(q, 1);
		const char *key = (const char *)sqlite3_column_text(q, 2);
		const char *v = (const char *)sqlite3_column_text(q, 3);

		rows++;
		if (idx != last) {
			fprintf(out, "%scase %lld  %s\n", last >= 0 ? "\n" : "",
				(long long)idx, name ? name : "");
			last = idx;
		}
		if (!key) {
			fputs("  (no facts)\n", out);
			continue;
		}
		fprintf(out, "  %s = ", key);
		print_value(out, v ? v : "(null)");
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "cannot read facts: %s",
			 sqlite3_errmsg(store_db(st)));
		return -EIO;
	}
	if (!rows) {
		snprintf(err, errsz, case_idx < 0 ? "the run has no cases"
			 : "the run has no case %d (see isolat show RUN)",
			 case_idx);
		return -ENOENT;
	}
	return 0;
}
