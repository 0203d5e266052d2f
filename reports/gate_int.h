/*
 * gate_int.h - between gate.c (matching, units) and gate_decide.c (the
 * verdict of one row).  Not for other callers.
 */
#ifndef ISOLAT_GATE_INT_H
#define ISOLAT_GATE_INT_H

#include "reports/gate.h"

/*
 * Fill r (metric, emulated and unit_ns already set) from the baseline's
 * nb units and the candidate's nc units, dropped counts per side (NAN:
 * none), under o: values, p, verdict and message.
 */
void gate_decide(struct gate_row *r, const struct gate_unit *bu, size_t nb,
		 double b_dropped, const struct gate_unit *cu, size_t nc,
		 double c_dropped, const struct gate_opts *o);

#endif
