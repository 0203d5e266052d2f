/*
 * counters.c - see counters.h.  The parsing and delta logic is
 * workloads/irqstat.c, shared with the workload binary.
 */
#include "harness/run/counters.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/env/env.h"
#include "harness/host/trace.h"
#include "workloads/irqstat.h"

struct case_counters {
	struct cpulist cpus;
	struct irqstat irq0, sirq0;
	int irq_err, sirq_err;
	int tracing;              /* trace_begin() was called */
	struct trace_ctx trace;
	char trace_skip[200];     /* why no trace was attempted */
};

struct case_counters *case_counters_begin(const struct plan_case *pc,
					  struct journal *j)
{
	struct case_counters *cc = calloc(1, sizeof(*cc));

	if (!cc)
		return NULL;
	cc->cpus = pc->host_cpus; /* a guest: its pinned vCPUs */
	cc->irq_err = irqstat_read("/proc/interrupts", &cc->cpus, &cc->irq0);
	cc->sirq_err = irqstat_read("/proc/softirqs", &cc->cpus, &cc->sirq0);
	if (!pc->params.trace_threshold_us)
		return cc;
	/* Only a workload with the threshold (rtlat); the ring is not
	 * worth a trace that nothing stopped. */
	if (!(pc->workload->flags & WL_TRACE_THRESHOLD)) {
		snprintf(cc->trace_skip, sizeof(cc->trace_skip),
			 "trace unavailable: workload %s has no latency "
			 "threshold (rtlat only)", pc->workload->name);
		return cc;
	}
	/* Only a workload on the host can stop the host's ring. */
	if (!env_is(pc->env, ENV_HOST_PROCESS)) {
		snprintf(cc->trace_skip, sizeof(cc->trace_skip),
			 "trace unavailable: environment %s does not run the "
			 "workload against the host's tracefs", pc->env->name);
		return cc;
	}
	cc->tracing = 1;
	trace_begin(&cc->trace, j); /* failure: trace_end records why */
	return cc;
}

struct host_ctx {
	struct store *st;
	int64_t case_id;
	const char *kind;
};

static int store_delta(void *ctx, const struct irqstat_row *row,
		       unsigned cpu, uint64_t d)
{
	struct host_ctx *h = ctx;
	char name[IRQSTAT_NAME_MAX + 16], key[IRQSTAT_NAME_MAX];

	/* Zero rows would be most of the table and answer nothing. */
	if (!d)
		return 0;
	irqstat_key_name(row->name, key, sizeof(key));
	snprintf(name, sizeof(name), "%s.%s", h->kind, key);
	return store_counter(h->st, h->case_id, "host", (int)cpu, name,
			     (int64_t)d, 1, row->desc[0] ? row->desc : NULL);
}

static int host_deltas(struct host_ctx *h, const char *path,
		       const struct irqstat *before, int err,
		       const struct cpulist *cpus)
{
	struct irqstat after;
	char note[300];
	int rc = err;

	if (!rc)
		rc = irqstat_read(path, cpus, &after);
	if (rc) {
		snprintf(note, sizeof(note), "unavailable: %s: %s", path,
			 strerror(-rc));
		return store_counter(h->st, h->case_id, "host", -1, h->kind, 0,
				     0, note);
	}
	rc = irqstat_delta(before, &after, store_delta, h);
	irqstat_free(&after);
	return rc;
}

static int trace_fact(void *ctx, const char *key, const char *value)
{
	struct host_ctx *h = ctx;

	return store_case_fact(h->st, h->case_id, key, value);
}

int case_counters_end(struct case_counters *cc, struct store *st,
		      int64_t case_id)
{
	struct host_ctx h = { st, case_id, "irq" };
	int rc, rc2 = 0;

	if (!cc)
		return 0;
	rc = host_deltas(&h, "/proc/interrupts", &cc->irq0, cc->irq_err,
			 &cc->cpus);
	h.kind = "softirq";
	if (rc == 0)
		rc = host_deltas(&h, "/proc/softirqs", &cc->sirq0,
				 cc->sirq_err, &cc->cpus);
	/* Stop the ring whatever the store said. */
	if (cc->tracing)
		rc2 = trace_end(&cc->trace, trace_fact, &h);
	else if (cc->trace_skip[0])
		rc2 = store_case_fact(st, case_id, "trace", cc->trace_skip);
	irqstat_free(&cc->irq0);
	irqstat_free(&cc->sirq0);
	free(cc);
	return rc ? rc : rc2;
}
