/*
 * show_facts.h - `isolat show RUN --facts [CASE]`: every fact recorded for
 * the run's cases (what tuning applied and refused, how a guest was placed,
 * the load's exact command, probes, perf support...), as "key = value".
 *
 * The summary table says how a case measured; the facts say why, and
 * without them a user would need sqlite3 to learn, say, that an IRQ
 * refused to leave a measured CPU.
 */
#ifndef ISOLAT_SHOW_FACTS_H
#define ISOLAT_SHOW_FACTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "collectors/store.h"

/*
 * Facts of every case of run_id (case_idx < 0) or of case case_idx, by case
 * then key; multi-line values are indented under their key.  Values longer
 * than 4 KiB (hwloc-like blobs) are shown by size only.
 * Returns 0, -ENOENT (no such case), -EIO; err says which.
 */
int show_facts(struct store *st, int64_t run_id, int case_idx, FILE *out,
	       char *err, size_t errsz);

#endif
