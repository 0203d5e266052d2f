/*
 * progress.h - the live status line of `isolat run` on a terminal: case
 * i/N, elapsed and remaining time, live maximum latency.  Silent when
 * stderr is not a TTY or with --quiet, so logs and CI output stay clean.
 */
#ifndef ISOLAT_PROGRESS_H
#define ISOLAT_PROGRESS_H

#include <stdint.h>

struct progress {
	int enabled;
	unsigned ncases;
	double start, total_s, done_s; /* expected seconds: all, finished */
	double last_draw;
};

void progress_init(struct progress *p, int quiet, unsigned ncases,
		   double total_s);
/* case_s: expected length of the current case; elapsed_case: so far. */
void progress_draw(struct progress *p, unsigned case_no, const char *name,
		   double case_s, double elapsed_case, uint32_t max_ns);
void progress_case_done(struct progress *p, double case_s);
/* Erase the line before other output. */
void progress_clear(struct progress *p);

#endif
