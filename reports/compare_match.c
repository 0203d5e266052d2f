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
	if (!s->params)
		s->params = c->params;
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

/* One "key":value member of a flat JSON object at *p: key and value
 * (a string's quotes dropped, escapes kept as written) into k and v;
 * *p moved past it.  1, 0 at the end, -1 if malformed. */
static int next_member(const char **p, char *k, size_t ksz, char *v,
		       size_t vsz)
{
	const char *s = *p, *e;
	size_t n;

	while (*s == ' ' || *s == ',' || *s == '{')
		s++;
	if (*s == '}' || !*s)
		return 0;
	if (*s != '"' || !(e = strchr(s + 1, '"')) || e[1] != ':')
		return -1;
	n = (size_t)(e - s - 1);
	snprintf(k, ksz, "%.*s", (int)(n < ksz ? n : ksz - 1), s + 1);
	s = e + 2;
	if (*s == '"') {
		for (e = s + 1; *e && *e != '"'; e++)
			if (*e == '\\' && e[1])
				e++;
		if (!*e)
			return -1;
		n = (size_t)(e - s - 1);
		snprintf(v, vsz, "%.*s", (int)(n < vsz ? n : vsz - 1), s + 1);
		e++;
	} else {
		e = s + strcspn(s, ",}");
		n = (size_t)(e - s);
		snprintf(v, vsz, "%.*s", (int)(n < vsz ? n : vsz - 1), s);
	}
	*p = e;
	return 1;
}

/* Value of key in the flat object o into v; 1 found, 0 not, -1 bad. */
static int member_of(const char *o, const char *key, char *v, size_t vsz)
{
	char k[64];
	int rc;

	while ((rc = next_member(&o, k, sizeof(k), v, vsz)) > 0)
		if (!strcmp(k, key))
			return 1;
	return rc;
}

int cmp_params_diff(const char *a, const char *b, char *out, size_t size)
{
	char k[64], va[256], vb[256];
	const char *p = a;
	size_t len;
	int n = 0, rc;

	out[0] = '\0';
	if (!a && !b)
		return 0; /* neither recorded: nothing to tell apart */
	if (!a || !b || *a != '{' || *b != '{') {
		snprintf(out, size, "parameters not recorded in both");
		return 1;
	}
	while ((rc = next_member(&p, k, sizeof(k), va, sizeof(va))) > 0) {
		if (!strcmp(k, "scenario") || !strcmp(k, "repetition"))
			continue;
		rc = member_of(b, k, vb, sizeof(vb));
		if (rc < 0)
			break;
		if (rc == 0)
			snprintf(vb, sizeof(vb), "(none)");
		else if (!strcmp(va, vb))
			continue;
		len = strlen(out);
		snprintf(out + len, size - len, "%s%s %s -> %s",
			 n ? "; " : "", k, va, vb);
		n++;
	}
	if (rc < 0) {
		snprintf(out, size, "parameters not readable");
		return 1;
	}
	return n;
}
