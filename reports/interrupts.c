/*
 * interrupts.c - see interrupts.h.  Plain SQL over the counters table;
 * text from outside (IRQ descriptions come from /proc of the measured
 * system) is printed with control characters replaced.
 */
#include "reports/interrupts.h"
#include "collectors/store_db.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Last blank-separated word of an IRQ description: the device
 * ("PCI-MSIX-0000:00:02.0 1-edge virtio1-req.0" -> "virtio1-req.0"). */
static const char *device_of(const char *desc)
{
	const char *sp = desc ? strrchr(desc, ' ') : NULL;

	return sp ? sp + 1 : desc ? desc : "";
}

static void append(char *buf, size_t size, size_t *len, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len + 1 >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + (size_t)n < size ? *len + (size_t)n : size - 1;
}

/* One source as people name it: "LOC", "IRQ 24 virtio0", "softirq RCU". */
static void source_name(const char *name, const char *note, char *out,
			size_t size)
{
	if (!strncmp(name, "softirq.", 8)) {
		snprintf(out, size, "softirq %s", name + 8);
	} else if (!strncmp(name, "irq.", 4)) {
		const char *irq = name + 4;

		if (*irq >= '0' && *irq <= '9')
			snprintf(out, size, "IRQ %s %s", irq, device_of(note));
		else
			snprintf(out, size, "%s", irq);
	} else {
		snprintf(out, size, "%s", name);
	}
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

int interrupts_line(struct store *st, int64_t case_id, const char *side,
		    int cpu, char *buf, size_t size)
{
	sqlite3_stmt *s;
	size_t len = 0;
	int step, n = 0;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT name, value, note FROM counters WHERE "
			       "case_id=? AND side=? AND cpu=? AND value > 0 "
			       "AND (name LIKE 'irq.%' OR name LIKE "
			       "'softirq.%') ORDER BY value DESC, name LIMIT ?",
			       -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_text(s, 2, side, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, cpu);
	sqlite3_bind_int(s, 4, INTERRUPTS_TOP);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		char src[128];

		source_name((const char *)sqlite3_column_text(s, 0),
			    (const char *)sqlite3_column_text(s, 2), src,
			    sizeof(src));
		append(buf, size, &len, "%s%s %" PRId64, n++ ? ", " : "", src,
		       (int64_t)sqlite3_column_int64(s, 1));
	}
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? 0 : -EIO;
}

int64_t interrupts_total(struct store *st, int64_t case_id, const char *side,
			 int cpu)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT sum(value) FROM counters WHERE case_id=? "
			       "AND side=? AND cpu=? AND (name LIKE 'irq.%' "
			       "OR name LIKE 'softirq.%')", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_text(s, 2, side, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, cpu);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* ctxsw and perf of the measuring thread on cpu: "ctxsw 0/12, cycles ..." */
static int thread_line(struct store *st, int64_t case_id, int cpu,
		       char *buf, size_t size)
{
	sqlite3_stmt *s;
	size_t len = 0;
	int step, n = 0;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT name, value, note FROM counters WHERE "
			       "case_id=? AND side='workload' AND cpu=? AND "
			       "(name LIKE 'ctxsw.%' OR name LIKE 'perf.%') "
			       "ORDER BY name", -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_int(s, 2, cpu);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);

		if (sqlite3_column_type(s, 1) == SQLITE_NULL)
			append(buf, size, &len, "%s%s unsupported",
			       n++ ? ", " : "", name);
		else
			append(buf, size, &len, "%s%s %" PRId64,
			       n++ ? ", " : "", name,
			       (int64_t)sqlite3_column_int64(s, 1));
	}
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? 0 : -EIO;
}

int interrupts_show(struct store *st, const struct q_run *r, FILE *out)
{
	static const char *const sides[] = { "host", "workload" };
	char line[2048];
	int any = 0, rc;

	for (size_t i = 0; i < r->ncases; i++) {
		const struct q_case *c = &r->cases[i];
		sqlite3_stmt *s;
		int step;

		if (sqlite3_prepare_v2(store_db(st),
				       "SELECT DISTINCT cpu FROM counters WHERE "
				       "case_id=? AND cpu >= 0 ORDER BY cpu",
				       -1, &s, NULL) != SQLITE_OK)
			return -EIO;
		sqlite3_bind_int64(s, 1, c->id);
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			int cpu = sqlite3_column_int(s, 0);

			if (!any++)
				fputs("\nwhat interrupted the measured CPUs "
				      "(deltas over each case; host = seen by "
				      "the harness, workload = seen inside the "
				      "environment)\n", out);
			for (unsigned k = 0; k < 2; k++) {
				rc = interrupts_line(st, c->id, sides[k], cpu,
						     line, sizeof(line));
				if (rc) {
					sqlite3_finalize(s);
					return rc;
				}
				if (line[0])
					fprintf(out, "  case %d %-8s what "
						"interrupted CPU %d: %s\n",
						c->idx, sides[k], cpu, line);
			}
			if ((rc = thread_line(st, c->id, cpu, line,
					      sizeof(line)))) {
				sqlite3_finalize(s);
				return rc;
			}
			if (line[0])
				fprintf(out, "  case %d %-8s thread on CPU %d: "
					"%s\n", c->idx, "workload", cpu, line);
		}
		sqlite3_finalize(s);
		if (step != SQLITE_DONE)
			return -EIO;
	}
	return 0;
}
