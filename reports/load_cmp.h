/*
 * load_cmp.h - the "loads compared" table of `isolat show` and the HTML
 * report: each latency case's worst-CPU p99 and maximum next to the same
 * environment / profile / workload with load none.  Printed only when the
 * run has a done case under a background load.
 */
#ifndef ISOLAT_LOAD_CMP_H
#define ISOLAT_LOAD_CMP_H

#include <stdio.h>

#include "reports/query.h"

void load_cmp_text(const struct q_run *r, FILE *out);
void load_cmp_html(const struct q_run *r, FILE *f);

#endif
