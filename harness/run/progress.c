/*
 * progress.c - see progress.h.
 */
#include "harness/run/progress.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "collectors/store.h"
#include "harness/util.h"

void progress_init(struct progress *p, int quiet, unsigned ncases,
		   double total_s)
{
	p->enabled = !quiet && isatty(2);
	p->lines = !quiet && !p->enabled;
	p->ncases = ncases;
	p->start = mono_now();
	p->total_s = total_s;
	p->done_s = 0;
	p->last_draw = 0;
}

static void fmt_time(char *buf, size_t size, double s)
{
	unsigned t = s < 0 ? 0 : (unsigned)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, size, "%uh%02um", t / 3600, t / 60 % 60);
	else
		snprintf(buf, size, "%um%02us", t / 60, t % 60);
}

void progress_draw(struct progress *p, unsigned case_no, const char *name,
		   double case_s, double elapsed_case, uint32_t max_ns)
{
	double now = mono_now(), left;
	char el[32], rem[32];

	if (!p->enabled || now - p->last_draw < 0.25)
		return;
	p->last_draw = now;
	left = p->total_s - p->done_s -
	       (elapsed_case < case_s ? elapsed_case : case_s);
	fmt_time(el, sizeof(el), now - p->start);
	fmt_time(rem, sizeof(rem), left);
	fprintf(stderr, "\r\033[K[%u/%u] %-32.32s elapsed %s, ~%s left, "
		"max %.1f us", case_no, p->ncases, name, el, rem,
		max_ns / 1000.0);
	fflush(stderr);
}

void progress_case_done(struct progress *p, double case_s)
{
	p->done_s += case_s;
}

void progress_clear(struct progress *p)
{
	if (p->enabled) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
}

void progress_case_start(struct progress *p, unsigned case_no,
			 const char *name, double case_s)
{
	if (!p->lines)
		return;
	fprintf(stderr, "isolat: [%u/%u] %s: started (~%.0f s)\n", case_no,
		p->ncases, name, case_s);
	fflush(stderr);
}

void progress_case_end(struct progress *p, struct store *st, int64_t case_id,
		       unsigned case_no, const char *name, const char *status,
		       const char *reason)
{
	sqlite3_stmt *s;
	int64_t samples = 0, max = -1;
	int cpu = -1;

	if (!p->lines)
		return;
	/* Worst maximum over the case's nanosecond series (latency, noise);
	 * samples over all of them. */
	if (st && sqlite3_prepare_v2(store_db(st),
			"SELECT (SELECT total(count) FROM series WHERE "
			"case_id = ?1), m.max, s.cpu FROM series s "
			"LEFT JOIN summaries m ON m.series_id = s.id "
			"WHERE s.case_id = ?1 AND s.unit = 'ns' "
			"ORDER BY m.max DESC LIMIT 1", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, case_id);
		if (sqlite3_step(s) == SQLITE_ROW) {
			samples = sqlite3_column_int64(s, 0);
			if (sqlite3_column_type(s, 1) != SQLITE_NULL)
				max = sqlite3_column_int64(s, 1);
			cpu = sqlite3_column_int(s, 2);
		}
		sqlite3_finalize(s);
	}
	fprintf(stderr, "isolat: [%u/%u] %s: %s", case_no, p->ncases, name,
		status);
	if (max >= 0)
		fprintf(stderr, ", worst max %.1f us (cpu %d)", max / 1000.0,
			cpu);
	fprintf(stderr, ", %" PRId64 " samples", samples);
	if (reason && *reason)
		fprintf(stderr, ": %s", reason);
	fputc('\n', stderr);
	fflush(stderr);
}

int progress_worst(struct store *st, const char *uuid, char *buf,
		   size_t size)
{
	sqlite3_stmt *s;
	int rc;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(store_db(st),
			"SELECT c.name, s.cpu, m.max FROM runs r "
			"JOIN cases c ON c.run_id = r.id "
			"JOIN series s ON s.case_id = c.id "
			"JOIN summaries m ON m.series_id = s.id "
			"WHERE r.uuid = ? AND s.unit = 'ns' AND "
			"coalesce(s.kind, 'latency') = 'latency' "
			"ORDER BY m.max DESC LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(buf, size, "worst max %.1f us: %s cpu %d",
			 sqlite3_column_int64(s, 2) / 1000.0,
			 (const char *)sqlite3_column_text(s, 0),
			 sqlite3_column_int(s, 1));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}
