/*
 * compare_match.c - which cases of several runs are "the same case", and
 * loading the pooled samples of one side of a match.  See compare.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reports/compare.h"

void cmp_case_key(const struct q_case *c, char *buf, size_t size)
{
	/* The name would carry ".rN" for repetitions; the four parameters
	 * are what makes a case, so build the key from them. */
	snprintf(buf, size, "%.40s.%.60s.%.40s.%.40s",
		 c->environment ? c->environment : "",
		 c->profile ? c->profile : "", c->workload ? c->workload : "",
		 c->load ? c->load : "");
}

static struct cmp_group *find_or_add(struct cmp_group **g, size_t *n,
				     size_t *cap, const char *key, int cpu)
{
	for (size_t i = 0; i < *n; i++)
		if ((*g)[i].cpu == cpu && !strcmp((*g)[i].key, key))
			return &(*g)[i];
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		void *p = realloc(*g, nc * sizeof(**g));

		if (!p)
			return NULL;
		*g = p;
		*cap = nc;
	}
	memset(&(*g)[*n], 0, sizeof(**g));
	snprintf((*g)[*n].key, sizeof((*g)[*n].key), "%s", key);
	(*g)[*n].cpu = cpu;
	return &(*g)[(*n)++];
}

static int side_add(struct cmp_side *s, const struct q_case *c,
		    const struct q_series *q)
{
	s->present = 1;
	s->emulated |= c->emulated;
	s->status = c->status;
	s->reason = c->reason;
	if (!s->interval_us)
		s->interval_us = c->interval_us;
	if (!q)
		return 0;
	void *p = realloc(s->series, (s->nseries + 1) * sizeof(*s->series));

	if (!p)
		return -ENOMEM;
	s->series = p;
	s->series[s->nseries++] = q->id;
	s->dropped += (uint64_t)q->dropped;
	s->unit = q->unit;
	return 0;
}

int cmp_match(const struct q_run *runs, size_t nruns,
	      struct cmp_group **out, size_t *ngroups)
{
	struct cmp_group *g = NULL;
	size_t n = 0, cap = 0;
	char key[200];

	if (nruns > CMP_MAX_RUNS)
		return -EINVAL;
	for (size_t r = 0; r < nruns; r++) {
		for (size_t ci = 0; ci < runs[r].ncases; ci++) {
			const struct q_case *c = &runs[r].cases[ci];
			struct cmp_group *grp;

			cmp_case_key(c, key, sizeof(key));
			if (c->nseries == 0) {
				grp = find_or_add(&g, &n, &cap, key, -1);
				if (!grp || side_add(&grp->side[r], c, NULL))
					goto nomem;
				continue;
			}
			for (size_t k = 0; k < c->nseries; k++) {
				grp = find_or_add(&g, &n, &cap, key,
						  c->series[k].cpu);
				if (!grp ||
				    side_add(&grp->side[r], c, &c->series[k]))
					goto nomem;
			}
		}
	}
	*out = g;
	*ngroups = n;
	return 0;
nomem:
	cmp_groups_free(g, n);
	return -ENOMEM;
}

void cmp_groups_free(struct cmp_group *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++)
		for (int r = 0; r < CMP_MAX_RUNS; r++)
			free(g[i].side[r].series);
	free(g);
}

struct collect {
	uint32_t *v;
	size_t n, cap;
};

static int collect_fn(void *ctx, uint64_t first_seq, const uint32_t *values,
		      uint32_t n)
{
	struct collect *c = ctx;

	(void)first_seq;
	if (c->n + n > c->cap) {
		size_t nc = c->cap ? c->cap : 65536;
		void *p;

		while (nc < c->n + n)
			nc *= 2;
		p = realloc(c->v, nc * sizeof(*c->v));
		if (!p)
			return -ENOMEM;
		c->v = p;
		c->cap = nc;
	}
	memcpy(c->v + c->n, values, n * sizeof(*values));
	c->n += n;
	return 0;
}

int cmp_side_samples(struct store *st, const struct cmp_side *s,
		     uint32_t **vals, size_t *n, size_t **lens)
{
	struct collect c = { 0 };
	size_t *l = calloc(s->nseries ? s->nseries : 1, sizeof(*l));
	int rc = 0;

	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < s->nseries && !rc; i++) {
		size_t before = c.n;

		rc = store_series_samples(st, s->series[i], collect_fn, &c);
		l[i] = c.n - before;
	}
	if (rc) {
		free(c.v);
		free(l);
		return rc;
	}
	*vals = c.v;
	*n = c.n;
	*lens = l;
	return 0;
}
