/*
 * query_text.c - the text helpers of query.h: metadata lookup and
 * condensing (governors, hwloc XML), case counts, value formatting and
 * file-name stems.  Pure functions over a loaded struct q_run.
 */
#include "reports/query.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *query_meta(const struct q_run *r, const char *key)
{
	for (size_t i = 0; i < r->nmeta; i++)
		if (!strcmp(r->meta[i].key, key))
			return r->meta[i].value;
	return NULL;
}

void query_case_counts(const struct q_run *r, struct q_counts *n)
{
	memset(n, 0, sizeof(*n));
	for (size_t i = 0; i < r->ncases; i++) {
		const char *s = r->cases[i].status ? r->cases[i].status : "";

		if (!strcmp(s, "done"))
			n->done++;
		else if (!strcmp(s, "failed"))
			n->failed++;
		else if (!strcmp(s, "skipped"))
			n->skipped++;
		else
			n->other++;
	}
}

int query_unit_is_ns(const char *unit)
{
	return !unit || !strcmp(unit, "ns");
}

void query_fmt_value(char *buf, size_t size, uint64_t v, const char *unit)
{
	if (query_unit_is_ns(unit))
		snprintf(buf, size, "%.1f", (double)v / 1000.0);
	else
		snprintf(buf, size, "%" PRIu64, v);
}

uint64_t query_pct_need(double p)
{
	/* The max (p = 1) is a sample like any other: it needs none. */
	return p < 1.0 ? (uint64_t)llround(10.0 / (1.0 - p)) : 0;
}

int query_fmt_pct(char *buf, size_t size, uint64_t v, const char *unit,
		  uint64_t count, double p)
{
	uint64_t need = query_pct_need(p);

	if (count < need) {
		snprintf(buf, size, "n<%" PRIu64, need);
		return 1;
	}
	query_fmt_value(buf, size, v, unit);
	return 0;
}

void query_case_stem(const struct q_case *c, char *buf, size_t size)
{
	size_t n;
	const char *name = c->name ? c->name : "";

	n = (size_t)snprintf(buf, size, "case%03d-", c->idx);
	for (size_t i = 0; name[i] && i < 64 && n + 1 < size; i++) {
		unsigned char ch = (unsigned char)name[i];

		buf[n++] = (isalnum(ch) && ch < 0x80) || ch == '.' ||
				   ch == '_' || ch == '-'
				   ? (char)ch : '_';
	}
	if (n < size)
		buf[n] = '\0';
}

/* Governor condensing: is key "governor.N"?  Returns N or -1. */
static long governor_cpu(const char *key)
{
	char *end;
	long cpu;

	if (strncmp(key, "governor.", 9) || !isdigit((unsigned char)key[9]))
		return -1;
	cpu = strtol(key + 9, &end, 10);
	return *end ? -1 : cpu;
}

/* Append "a-b" / "a" to a CPU list in buf. */
static void append_range(char *buf, size_t size, long a, long b)
{
	size_t n = strlen(buf);

	if (n >= size)
		return;
	if (a == b)
		snprintf(buf + n, size - n, "%s%ld", n ? "," : "", a);
	else
		snprintf(buf + n, size - n, "%s%ld-%ld", n ? "," : "", a, b);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* The collapsed "governor" value (malloc'd), NULL when no governor keys
 * exist; *oom on allocation failure. */
static char *governor_line(const struct q_run *r, int *oom)
{
	size_t ngov = 0, size;
	const char *first = NULL;
	int same = 1;
	char *out;

	for (size_t i = 0; i < r->nmeta; i++) {
		if (governor_cpu(r->meta[i].key) < 0)
			continue;
		const char *v = r->meta[i].value ? r->meta[i].value : "";

		if (!first)
			first = v;
		else if (strcmp(first, v))
			same = 0;
		ngov++;
	}
	if (!ngov)
		return NULL;
	size = 64 + ngov * 24;
	for (size_t i = 0; i < r->nmeta; i++)
		if (governor_cpu(r->meta[i].key) >= 0 && r->meta[i].value)
			size += strlen(r->meta[i].value) + 8;
	out = calloc(1, size);
	if (!out) {
		*oom = 1;
		return NULL;
	}
	if (same) {
		snprintf(out, size, "%s x%zu", first, ngov);
		return out;
	}
	/* They differ: one "value (cpu list)" group per distinct value, in
	 * the order values first appear. */
	long *cpus = malloc(ngov * sizeof(*cpus));
	char *list = malloc(size);

	if (!cpus || !list) {
		free(cpus);
		free(list);
		free(out);
		*oom = 1;
		return NULL;
	}
	for (size_t i = 0; i < r->nmeta; i++) {
		const char *v = r->meta[i].value ? r->meta[i].value : "";
		size_t n = 0, seen = 0, len;

		if (governor_cpu(r->meta[i].key) < 0)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			if (governor_cpu(r->meta[k].key) >= 0 &&
			    !strcmp(r->meta[k].value ? r->meta[k].value : "",
				    v))
				seen = 1;
		if (seen)
			continue;
		for (size_t k = i; k < r->nmeta; k++)
			if (governor_cpu(r->meta[k].key) >= 0 &&
			    !strcmp(r->meta[k].value ? r->meta[k].value : "",
				    v))
				cpus[n++] = governor_cpu(r->meta[k].key);
		qsort(cpus, n, sizeof(*cpus), cmp_long);
		list[0] = '\0';
		for (size_t k = 0; k < n;) {
			size_t e = k;

			while (e + 1 < n && cpus[e + 1] == cpus[e] + 1)
				e++;
			append_range(list, size, cpus[k], cpus[e]);
			k = e + 1;
		}
		len = strlen(out);
		snprintf(out + len, size - len, "%s%s (%s)", len ? ", " : "",
			 v, list);
	}
	free(cpus);
	free(list);
	return out;
}

int query_meta_condensed(const struct q_run *r, query_meta_fn fn, void *ctx)
{
	const char *hwloc = query_meta(r, "hwloc_xml");
	const char *numa = query_meta(r, "numa_nodes");
	int oom = 0, rc = 0, gov_done = 0;
	char *gov = governor_line(r, &oom);

	if (oom)
		return -ENOMEM;
	for (size_t i = 0; i < r->nmeta && !rc; i++) {
		const char *k = r->meta[i].key;
		const char *v = r->meta[i].value ? r->meta[i].value : "";
		char buf[160];

		if (governor_cpu(k) >= 0) {
			if (!gov_done)
				rc = fn(ctx, "governor", gov);
			gov_done = 1;
		} else if (!strcmp(k, "hwloc_xml")) {
			/* The topology is for machines (re-render, lstopo);
			 * a person needs to know it is there. */
			if (v[0] == '<')
				snprintf(buf, sizeof(buf),
					 "%zu bytes of hwloc XML%s%.40s",
					 strlen(v), numa ? "; numa_nodes " : "",
					 numa ? numa : "");
			else
				snprintf(buf, sizeof(buf), "%.150s", v);
			rc = fn(ctx, "hwloc_xml", buf);
		} else if (!strcmp(k, "numa_nodes") && hwloc && hwloc[0] == '<') {
			continue; /* folded into the hwloc_xml line */
		} else {
			rc = fn(ctx, k, v);
		}
	}
	free(gov);
	return rc;
}
