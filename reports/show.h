/*
 * show.h - the text `isolat show RUN` and `isolat list` print.
 *
 * Plain text for a terminal or a CI log: aligned columns, latencies in
 * microseconds with one decimal, "EMULATED" on every emulated case and "!"
 * on every flagged one, so neither can be missed in a pasted table.
 */
#ifndef ISOLAT_SHOW_H
#define ISOLAT_SHOW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/store.h"

/*
 * Run header (uuid, scenario, status, start/finish times, tool version,
 * host), host metadata (condensed: governors collapsed, hwloc XML as its
 * size), the per-case summary table (one line per series), the reasons of
 * failed/skipped cases and the run's events.
 * Returns 0, -ENOENT (no such run), -EIO, -ENOMEM; err says which.
 */
int show_run(struct store *st, int64_t run_id, FILE *out, char *err,
	     size_t errsz);

/*
 * One line per run, oldest first: uuid, started_at, host, scenario,
 * status, cases done/failed/skipped (+ markers).  An empty database prints
 * a line saying so.  Returns 0 or -EIO.
 */
int list_runs(struct store *st, FILE *out, char *err, size_t errsz);

/*
 * The summary table alone (shared by show_run and tests): one line per
 * series, a case without series gets one line.  r is a struct q_run from
 * reports/query.h.
 */
struct q_run;
void show_case_table(const struct q_run *r, FILE *out);

#endif
