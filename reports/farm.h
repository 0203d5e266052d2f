/*
 * farm.h - the farm view: one static HTML page over a (merged, central)
 * database, what a lab with many boards opens in the morning.
 *
 *   DIR/index.html           boards (rows) x scenarios (columns); per
 *                            cell the last night's verdict (its gate
 *                            against up to FARM_BASE nights before it),
 *                            a small trend of p99 and max over the last
 *                            nights (change points marked), links to
 *                            the trend page and to each night's report
 *   DIR/cellN-{p99,max}.svg  the small trends
 *   DIR/cellN/               the trend page of a cell (trend_write_html)
 *   DIR/nights/UUID/         each night's report (report_render), only
 *                            when asked and not there yet: a nightly job
 *                            renders only the new night
 */
#ifndef ISOLAT_FARM_H
#define ISOLAT_FARM_H

#include <stddef.h>

#include "collectors/store.h"

#define FARM_BASE 5      /* nights before the last one, the baseline */
#define FARM_NIGHTS 30   /* nights shown per cell by default */

struct farm_opts {
	long nights;         /* per cell, newest */
	int reports;         /* render missing night reports */
};

/* 0 or -errno with err set. */
int farm_render(struct store *st, const char *dir, const struct farm_opts *o,
		char *err, size_t errsz);

#endif
