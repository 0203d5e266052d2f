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
	int64_t samples = 0, max = -1;
	int cpu = -1;

	if (!p->lines)
		return;
	if (st)
		store_case_worst(st, case_id, &samples, &max, &cpu);
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
	char name[256];
	int64_t max;
	int cpu, rc = store_run_worst(st, uuid, name, sizeof(name), &max,
				      &cpu);

	buf[0] = '\0';
	if (rc == 0 && max >= 0)
		snprintf(buf, size, "worst max %.1f us: %s cpu %d",
			 max / 1000.0, name, cpu);
	return rc;
}
