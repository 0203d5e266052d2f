/*
 * wl_counters.c - what interrupted the measured CPUs, seen from inside the
 * workload's environment, reported as END keys (wire.h):
 *
 *   counter.irq.<IRQ>.cpu<N>=delta        /proc/interrupts, non-zero only
 *   counter.softirq.<NAME>.cpu<N>=delta   /proc/softirqs, non-zero only
 *   irqdesc.<IRQ>=text                    the row's description (device)
 *   counter.ctxsw.voluntary.cpu<N>=n      context switches of the
 *   counter.ctxsw.nonvoluntary.cpu<N>=n   measuring thread while measuring
 *   counter.perf.<event>.cpu<N>=n         perf_event_open on that thread:
 *                                         cycles, instructions, cache-misses
 *   counter.perf.<event>.cpu<N>=unsupported: <why>   when it cannot count
 *   counter.irq=unavailable: <why>        when /proc/interrupts is unreadable
 *
 * Snapshots and perf reads happen on the housekeeping (main) thread before
 * "go" and after the join, never in a measuring loop.  Context switches are
 * taken by each measuring thread itself with getrusage(RUSAGE_THREAD) just
 * outside its loop (wl_counters_ctxsw), because the task is gone by the
 * time the main thread could read /proc/self/task/TID/status.
 */
#include "workloads/wl.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	uint64_t config;
} perf_events[WL_PERF_N] = {
	{ "cycles", PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-misses", PERF_COUNT_HW_CACHE_MISSES },
};

int wl_counters_begin(struct wl_counters *c, const struct wl_opts *o)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->o = o;
	c->n = o->cpus.n;
	c->thr = calloc(c->n ? c->n : 1, sizeof(*c->thr));
	if (!c->thr)
		return -ENOMEM;
	for (unsigned i = 0; i < c->n; i++)
		for (unsigned e = 0; e < WL_PERF_N; e++)
			c->thr[i].perf_fd[e] = -1;
	rc = irqstat_read("/proc/interrupts", &o->cpus, &c->irq0);
	c->irq_err = rc;
	rc = irqstat_read("/proc/softirqs", &o->cpus, &c->sirq0);
	c->sirq_err = rc;
	return 0;
}

/* Start counting on a measuring thread (by TID); before "go". */
void wl_counters_thread(struct wl_counters *c, unsigned idx, pid_t tid)
{
	for (unsigned e = 0; e < WL_PERF_N; e++) {
		struct perf_event_attr a;
		long fd;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = PERF_TYPE_HARDWARE;
		a.config = perf_events[e].config;
		/* User and kernel: noise spent in the kernel is the point. */
		a.exclude_hv = 1;
		fd = syscall(SYS_perf_event_open, &a, tid, -1, -1,
			     PERF_FLAG_FD_CLOEXEC);
		c->thr[idx].perf_fd[e] = fd < 0 ? -1 : (int)fd;
		c->thr[idx].perf_err[e] = fd < 0 ? errno : 0;
	}
}

void wl_counters_ctxsw(struct wl_counters *c, unsigned idx,
		       const struct rusage *before, const struct rusage *after)
{
	c->thr[idx].have_ctxsw = 1;
	c->thr[idx].vcsw = (uint64_t)(after->ru_nvcsw - before->ru_nvcsw);
	c->thr[idx].ivcsw = (uint64_t)(after->ru_nivcsw - before->ru_nivcsw);
}

struct delta_ctx {
	struct wl_kv *kv;
	const char *kind;  /* "irq", "softirq" */
	int descs;         /* also send irqdesc.<IRQ> */
};

static int add_desc(void *ctx, const struct irqstat_row *row, unsigned cpu,
		    uint64_t d)
{
	struct delta_ctx *dc = ctx;
	char name[IRQSTAT_NAME_MAX], key[96];

	if (!d || !row->desc[0])
		return 0;
	irqstat_key_name(row->name, name, sizeof(name));
	snprintf(key, sizeof(key), "irqdesc.%s", name);
	wl_kv_add(dc->kv, key, "%s", row->desc);
	return 0;
}

static int add_delta(void *ctx, const struct irqstat_row *row, unsigned cpu,
		     uint64_t d)
{
	struct delta_ctx *dc = ctx;
	char name[IRQSTAT_NAME_MAX], key[96];

	if (!d)
		return 0;
	irqstat_key_name(row->name, name, sizeof(name));
	snprintf(key, sizeof(key), "counter.%s.%s.cpu%u", dc->kind, name, cpu);
	wl_kv_add(dc->kv, key, "%llu", (unsigned long long)d);
	return 0;
}

static void add_proc(struct wl_kv *kv, const char *kind, const char *path,
		     const struct irqstat *before, int err,
		     const struct cpulist *cpus)
{
	struct delta_ctx dc = { .kv = kv, .kind = kind };
	struct irqstat after;
	char key[64];
	int rc = err;

	if (!rc)
		rc = irqstat_read(path, cpus, &after);
	snprintf(key, sizeof(key), "counter.%s", kind);
	if (rc) {
		wl_kv_add(kv, key, "unavailable: %s: %s", path, strerror(-rc));
		return;
	}
	/* Descriptions first: the collector attaches them as it reads. */
	irqstat_delta(before, &after, add_desc, &dc);
	irqstat_delta(before, &after, add_delta, &dc);
	irqstat_free(&after);
}

void wl_counters_end(struct wl_counters *c, struct wl_kv *kv)
{
	char key[96];

	add_proc(kv, "irq", "/proc/interrupts", &c->irq0, c->irq_err,
		 &c->o->cpus);
	add_proc(kv, "softirq", "/proc/softirqs", &c->sirq0, c->sirq_err,
		 &c->o->cpus);
	for (unsigned i = 0; i < c->n; i++) {
		const struct wl_thread_counters *t = &c->thr[i];
		unsigned cpu = c->o->cpus.cpu[i];

		if (t->have_ctxsw) {
			snprintf(key, sizeof(key),
				 "counter.ctxsw.voluntary.cpu%u", cpu);
			wl_kv_add(kv, key, "%llu", (unsigned long long)t->vcsw);
			snprintf(key, sizeof(key),
				 "counter.ctxsw.nonvoluntary.cpu%u", cpu);
			wl_kv_add(kv, key, "%llu",
				  (unsigned long long)t->ivcsw);
		}
		for (unsigned e = 0; e < WL_PERF_N; e++) {
			uint64_t v;

			snprintf(key, sizeof(key), "counter.perf.%s.cpu%u",
				 perf_events[e].name, cpu);
			if (t->perf_fd[e] < 0)
				wl_kv_add(kv, key, "unsupported: %s",
					  strerror(t->perf_err[e] ? t->perf_err[e]
								  : ENOENT));
			else if (read(t->perf_fd[e], &v, sizeof(v)) !=
				 (ssize_t)sizeof(v))
				wl_kv_add(kv, key, "unsupported: read: %s",
					  strerror(errno));
			else
				wl_kv_add(kv, key, "%llu",
					  (unsigned long long)v);
		}
	}
}

void wl_counters_free(struct wl_counters *c)
{
	for (unsigned i = 0; c->thr && i < c->n; i++)
		for (unsigned e = 0; e < WL_PERF_N; e++)
			if (c->thr[i].perf_fd[e] >= 0)
				close(c->thr[i].perf_fd[e]);
	free(c->thr);
	irqstat_free(&c->irq0);
	irqstat_free(&c->sirq0);
	memset(c, 0, sizeof(*c));
}
