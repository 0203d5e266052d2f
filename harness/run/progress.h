/*
 * progress.h - what `isolat run` says while it runs.  On a terminal: the
 * live status line (case i/N, elapsed and remaining time, live maximum
 * latency).  When stderr is not a terminal (CI, LAVA, nohup): one line
 * when a case starts and one when it ends, with its worst maximum,
 * samples and status, so a long log shows progress.  Nothing with
 * --quiet.
 */
#ifndef ISOLAT_PROGRESS_H
#define ISOLAT_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct progress {
	int enabled;    /* the live line (stderr is a terminal) */
	int lines;      /* start / end lines (stderr is not) */
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

/* "isolat: [i/N] NAME: started (~T s)", when p->lines. */
void progress_case_start(struct progress *p, unsigned case_no,
			 const char *name, double case_s);
/* "isolat: [i/N] NAME: STATUS, worst max X us (cpu C), N samples[:
 * REASON]", from what the store holds for case_id, when p->lines. */
void progress_case_end(struct progress *p, struct store *st, int64_t case_id,
		       unsigned case_no, const char *name, const char *status,
		       const char *reason);

/*
 * The latency case of run uuid with the largest maximum, as
 * "worst max 48.2 us: NAME cpu 1" into buf ("" when none).  0 or -EIO.
 */
int progress_worst(struct store *st, const char *uuid, char *buf,
		   size_t size);

#endif
