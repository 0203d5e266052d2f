/*
 * show.c - `isolat show` and `isolat list` text (see show.h).
 *
 * Text that came from outside (case names from a scenario, messages from a
 * workload or a guest console) is printed with control characters replaced,
 * so a stray escape sequence cannot repaint the user's terminal.
 */
#include "reports/headline.h"
#include "reports/show.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "reports/interrupts.h"
#include "reports/oneway.h"
#include "reports/load_cmp.h"
#include "reports/profile_cmp.h"
#include "reports/query.h"
#include "collectors/store_db.h"

/* s with control characters (incl. newlines) as spaces, padded to width. */
static void put_clean(FILE *out, const char *s, int width)
{
	int n = 0;

	for (s = s ? s : ""; *s; s++, n++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
	for (; n < width; n++)
		fputc(' ', out);
}

static int max_width(int w, const char *s)
{
	int n = s ? (int)strlen(s) : 0;

	return n > w ? n : w;
}

static void put_stat(FILE *out, const struct q_series *q, uint32_t v)
{
	char buf[32];

	if (!q->has_summary || q->sum.count == 0) {
		fprintf(out, " %9s", "-");
		return;
	}
	query_fmt_value(buf, sizeof(buf), v, q->unit);
	fprintf(out, " %9s", buf);
}

/* A percentile: "n<N" where the series has fewer samples than p needs
 * (query_pct_need, as the HTML report); *marked set then. */
static void put_pct(FILE *out, const struct q_series *q, uint32_t v,
		    double p, int *marked)
{
	char buf[32];

	if (!q->has_summary || q->sum.count == 0) {
		fprintf(out, " %9s", "-");
		return;
	}
	*marked |= query_fmt_pct(buf, sizeof(buf), v, q->unit, q->sum.count,
				 p);
	fprintf(out, " %9s", buf);
}

/* One series' cells of the case table, from cpu to missed; "-" for a
 * case without series. */
static void series_cells(FILE *out, const struct q_series *q, int *marked,
			 int *missed)
{
	const struct summary *m;

	if (!q) {
		fprintf(out, " %4s %10s %9s %9s %9s %9s %9s %8s %8s", "-", "-",
			"-", "-", "-", "-", "-", "-", "-");
		return;
	}
	m = &q->sum;
	fprintf(out, " %4d %10" PRId64, q->cpu,
		q->has_summary ? (int64_t)m->count : q->count);
	put_stat(out, q, m->min);
	put_stat(out, q, m->p50);
	put_pct(out, q, m->p99, 0.99, marked);
	put_pct(out, q, m->p9999, 0.9999, marked);
	put_stat(out, q, m->max);
	fprintf(out, " %8" PRId64,
		q->has_summary ? (int64_t)m->dropped : q->dropped);
	if (q->overruns < 0)
		fprintf(out, " %8s", "-");
	else
		fprintf(out, " %8" PRId64, q->overruns);
	*missed |= q->overruns > 0;
}

void show_case_table(const struct q_run *r, FILE *out)
{
	int wn = 4, we = 3, wp = 7, ww = 8, wl = 4, ws = 6;
	int any_other_unit = 0, any_marked = 0, any_missed = 0;

	for (size_t i = 0; i < r->ncases; i++) {
		const struct q_case *c = &r->cases[i];

		wn = max_width(wn, c->name);
		we = max_width(we, c->environment);
		wp = max_width(wp, c->profile);
		ww = max_width(ww, c->workload);
		wl = max_width(wl, c->load);
		ws = max_width(ws, c->status);
	}
	fprintf(out, "%4s  %-*s  %-*s  %-*s  %-*s  %-*s  %-*s %4s %10s "
		"%9s %9s %9s %9s %9s %8s %8s\n",
		"case", wn, "name", we, "env", wp, "profile", ww, "workload",
		wl, "load", ws, "status", "cpu", "count", "min", "p50", "p99",
		"p99.99", "max", "dropped", "missed");
	for (size_t i = 0; i < r->ncases; i++) {
		const struct q_case *c = &r->cases[i];
		size_t nrows = c->nseries ? c->nseries : 1;

		for (size_t k = 0; k < nrows; k++) {
			const struct q_series *q =
				c->nseries ? &c->series[k] : NULL;

			if (k == 0) {
				fprintf(out, "%4d  ", c->idx);
				put_clean(out, c->name, wn);
				fputs("  ", out);
				put_clean(out, c->environment, we);
				fputs("  ", out);
				put_clean(out, c->profile, wp);
				fputs("  ", out);
				put_clean(out, c->workload, ww);
				fputs("  ", out);
				put_clean(out, c->load, wl);
				fputs("  ", out);
				put_clean(out, c->status, ws);
			} else {
				fprintf(out, "%*s", 4 + 2 + wn + 2 + we + 2 +
					wp + 2 + ww + 2 + wl + 2 + ws, "");
			}
			series_cells(out, q, &any_marked, &any_missed);
			if (k == 0 && c->emulated)
				fputs("  EMULATED", out);
			if (k == 0 && c->flagged)
				fputs("  !", out);
			if (q && !query_unit_is_ns(q->unit)) {
				fprintf(out, "  (unit: ");
				put_clean(out, q->unit, 0);
				fputc(')', out);
				any_other_unit = 1;
			}
			fputc('\n', out);
		}
	}
	fputs("latencies in µs", out);
	if (any_other_unit)
		fputs(" (series with another unit: plain values)", out);
	if (r->any_emulated)
		fputs("; EMULATED: measured under emulation (QEMU TCG), a "
		      "function test only, not comparable with real runs", out);
	if (r->any_flagged)
		fputs("; !: samples were lost or something went wrong (see "
		      "events)", out);
	fputc('\n', out);
	if (any_missed)
		fputs("missed: whole periods skipped because a wake-up came "
		      "after the next deadline (as cyclictest skips them; not "
		      "samples, so not in count)\n", out);
	if (any_marked)
		fputs("n<N: fewer samples than the percentile needs (about "
		      "10 / (1 - p), 100000 for p99.99): its value would be one "
		      "of the few largest samples\n", out);
}

static int meta_line(void *ctx, const char *key, const char *value)
{
	FILE *out = ctx;

	fputs("  ", out);
	put_clean(out, key, 22);
	fputc(' ', out);
	/* The kernel writes an empty CPU list for "none"; say so. */
	put_clean(out, value && *value ? value : "(none)", 0);
	fputc('\n', out);
	return 0;
}

static void header_line(FILE *out, const char *label, const char *value)
{
	fprintf(out, "%-10s ", label);
	put_clean(out, value && *value ? value : "-", 0);
	fputc('\n', out);
}

static void show_header(const struct q_run *r, FILE *out)
{
	struct q_counts n;
	char buf[512];

	query_case_counts(r, &n);
	header_line(out, "run", r->uuid);
	snprintf(buf, sizeof(buf), "%s%s%s%s", r->scenario_name ?
		 r->scenario_name : "-", r->scenario_path ? " (" : "",
		 r->scenario_path ? r->scenario_path : "",
		 r->scenario_path ? ")" : "");
	header_line(out, "scenario", buf);
	header_line(out, "status", r->status);
	header_line(out, "started", r->started_at);
	header_line(out, "finished", r->finished_at);
	header_line(out, "tool", r->tool_version);
	snprintf(buf, sizeof(buf), "%s (%s; %s; %d CPUs; fingerprint %s)",
		 r->hostname ? r->hostname : "-",
		 r->host_model ? r->host_model : "-",
		 r->cpu_model ? r->cpu_model : "-", r->ncpus,
		 r->fingerprint ? r->fingerprint : "-");
	header_line(out, "host", buf);
	snprintf(buf, sizeof(buf), "%zu: %d done, %d failed, %d skipped%s",
		 r->ncases, n.done, n.failed, n.skipped,
		 n.other ? ", others not finished" : "");
	header_line(out, "cases", buf);
	if (r->any_emulated)
		fputs("EMULATED: some cases ran under emulation (QEMU TCG); "
		      "their numbers are function tests only\n", out);
}

static void show_not_done(const struct q_run *r, FILE *out)
{
	int any = 0;

	for (size_t i = 0; i < r->ncases; i++) {
		const struct q_case *c = &r->cases[i];

		if (c->status && !strcmp(c->status, "done") && !c->reason)
			continue;
		if (!any)
			fputs("\ncases not done (or done with a note)\n", out);
		any = 1;
		fprintf(out, "  %4d  ", c->idx);
		put_clean(out, c->name, 0);
		fputs(": ", out);
		put_clean(out, c->status, 0);
		fputs(": ", out);
		put_clean(out, c->reason ? c->reason : "(no reason recorded)",
			  0);
		fputc('\n', out);
	}
}

static void show_events(const struct q_run *r, FILE *out)
{
	if (!r->nevents) {
		fputs("\nevents: none\n", out);
		return;
	}
	fprintf(out, "\nevents (%zu)\n", r->nevents);
	for (size_t i = 0; i < r->nevents; i++) {
		const struct q_event *e = &r->events[i];
		char where[48] = "run";

		if (e->case_idx >= 0 && e->series_idx >= 0)
			snprintf(where, sizeof(where), "case %d series %d",
				 e->case_idx, e->series_idx);
		else if (e->case_idx >= 0)
			snprintf(where, sizeof(where), "case %d", e->case_idx);
		fputs("  ", out);
		put_clean(out, e->at, 20);
		fputc(' ', out);
		put_clean(out, e->severity, 7);
		fprintf(out, " %-18s ", where);
		put_clean(out, e->kind, 0);
		fputs(": ", out);
		put_clean(out, e->message, 0);
		fputc('\n', out);
	}
}

int show_run(struct store *st, int64_t run_id, FILE *out, char *err,
	     size_t errsz)
{
	struct q_run r;
	int rc;

	rc = query_run_load(st, run_id, &r, err, errsz);
	if (rc)
		return rc;
	show_header(&r, out);
	/* The answer first: each environment against bare. */
	fputc('\n', out);
	headline_text(&r, out);
	fputs("\nhost metadata\n", out);
	if (!r.nmeta)
		fputs("  (none recorded)\n", out);
	rc = query_meta_condensed(&r, meta_line, out);
	if (rc) {
		snprintf(err, errsz, "out of memory formatting metadata");
	} else {
		fputc('\n', out);
		show_case_table(&r, out);
		load_cmp_text(&r, out);
		profile_cmp_text(&r, out);
		if (oneway_show(st, &r, out))
			fputs("\n(one-way times could not be read)\n", out);
		if (interrupts_show(st, &r, out))
			fputs("\n(counters could not be read)\n", out);
		show_not_done(&r, out);
		show_events(&r, out);
		if (fflush(out) != 0 || ferror(out)) {
			snprintf(err, errsz, "writing the run summary failed");
			rc = -EIO;
		}
	}
	query_run_free(&r);
	return rc;
}

int list_runs(struct store *st, FILE *out, char *err, size_t errsz)
{
	sqlite3_stmt *s;
	int step, n = 0;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT r.uuid, r.started_at, h.hostname, "
			       "r.scenario_name, r.status, "
			       "count(c.id), "
			       "coalesce(sum(c.status = 'done'), 0), "
			       "coalesce(sum(c.status = 'failed'), 0), "
			       "coalesce(sum(c.status = 'skipped'), 0), "
			       "coalesce(sum(c.emulated), 0), "
			       "coalesce(sum(c.flagged), 0) "
			       "FROM runs r LEFT JOIN hosts h ON h.id = r.host_id "
			       "LEFT JOIN cases c ON c.run_id = r.id "
			       "GROUP BY r.id ORDER BY r.started_at, r.id",
			       -1, &s, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "listing runs failed: %s",
			 store_errmsg(st));
		return -EIO;
	}
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		char cases[64];

		if (n++ == 0)
			fprintf(out, "%-36s  %-20s  %-16s  %-16s  %-11s  %s\n",
				"run", "started", "host", "scenario", "status",
				"cases done/failed/skipped");
		put_clean(out, (const char *)sqlite3_column_text(s, 0), 36);
		fputs("  ", out);
		put_clean(out, (const char *)sqlite3_column_text(s, 1), 20);
		fputs("  ", out);
		put_clean(out, (const char *)sqlite3_column_text(s, 2), 16);
		fputs("  ", out);
		put_clean(out, (const char *)sqlite3_column_text(s, 3), 16);
		fputs("  ", out);
		put_clean(out, (const char *)sqlite3_column_text(s, 4), 11);
		snprintf(cases, sizeof(cases), "%d/%d/%d of %d",
			 sqlite3_column_int(s, 6), sqlite3_column_int(s, 7),
			 sqlite3_column_int(s, 8), sqlite3_column_int(s, 5));
		fprintf(out, "  %s%s%s\n", cases,
			sqlite3_column_int(s, 9) ? "  EMULATED" : "",
			sqlite3_column_int(s, 10) ? "  !" : "");
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		snprintf(err, errsz, "listing runs failed: %s",
			 store_errmsg(st));
		return -EIO;
	}
	if (n == 0)
		fputs("no runs in this database yet (run `isolat run "
		      "SCENARIO`)\n", out);
	if (fflush(out) != 0 || ferror(out)) {
		snprintf(err, errsz, "writing the run list failed");
		return -EIO;
	}
	return 0;
}
