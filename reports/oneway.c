/*
 * oneway.c - see oneway.h.  Plain SQL over series and summaries.
 */
#include "reports/oneway.h"
#include "collectors/store_db.h"

#include <errno.h>
#include <stdint.h>

/* Series 1 is out, series 2 back (workloads/wl_netlat.c). */
static const char *half_name(int idx)
{
	return idx == 1 ? "out" : idx == 2 ? "back" : "?";
}

static void put_us(FILE *out, sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		fprintf(out, " %9s", "-");
	else
		fprintf(out, " %9.1f",
			(double)sqlite3_column_int64(s, col) / 1000.0);
}

/* Cases whose workload said its series 0 is a round trip (netlat's HELLO
 * fact netlat.series): the case table's values are round trips. */
static int rtt_cases(struct store *st, const struct q_run *r)
{
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_prepare_v2(store_db(st),
			"SELECT count(*) FROM case_facts f JOIN cases c ON "
			"c.id = f.case_id WHERE c.run_id = ? AND "
			"f.key = 'netlat.series'", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, r->id);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

int oneway_show(struct store *st, const struct q_run *r, FILE *out)
{
	sqlite3_stmt *s;
	int step, said = 0, nrtt = rtt_cases(st, r);

	if (nrtt < 0)
		return -EIO;
	if (nrtt > 0)
		fputs("netlat cases: the table gives the round trip (send to "
		      "reply received, user space)\n", out);

	if (sqlite3_prepare_v2(store_db(st),
			"SELECT c.idx, c.name, s.idx, s.count, m.p50, m.p99, "
			"m.max FROM series s JOIN cases c ON c.id = s.case_id "
			"LEFT JOIN summaries m ON m.series_id = s.id "
			"WHERE c.run_id = ? AND s.kind = 'oneway' "
			"ORDER BY c.idx, s.idx", -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(s, 1, r->id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (!said) {
			fputs("\nnetlat one way (µs; out: send to the "
			      "reflector's receive, back: its send to the "
			      "reply's receive; one host clock)\n", out);
			fprintf(out, "  %4s  %-40s %-5s %9s %9s %9s %9s\n",
				"case", "name", "half", "count", "p50", "p99",
				"max");
			said = 1;
		}
		fprintf(out, "  %4d  %-40.40s %-5s %9lld",
			sqlite3_column_int(s, 0),
			(const char *)sqlite3_column_text(s, 1),
			half_name(sqlite3_column_int(s, 2)),
			(long long)sqlite3_column_int64(s, 3));
		put_us(out, s, 4);
		put_us(out, s, 5);
		put_us(out, s, 6);
		fputc('\n', out);
	}
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? 0 : -EIO;
}
