/*
 * oneway.h - netlat's one-way times in `isolat show`.
 *
 * A netlat case stores its round trip as series 0 and, when initiator and
 * reflector read one clock (one host: bare, lxc), the two halves as series
 * of kind "oneway": out (send to the reflector's receive) and back (the
 * reflector's send to the reply's receive).  Tables, figures, compare and
 * gate take the round trip only (query.c); this prints the halves, which
 * say on which side of the path the time went.
 */
#ifndef ISOLAT_ONEWAY_H
#define ISOLAT_ONEWAY_H

#include <stdio.h>

#include "collectors/store.h"
#include "reports/query.h"

/* A line saying the case table is the round trip when the run has netlat
 * cases (their HELLO fact netlat.series), then a block of lines for the
 * cases with one-way series; nothing when there are none.  0 or -EIO. */
int oneway_show(struct store *st, const struct q_run *r, FILE *out);

#endif
