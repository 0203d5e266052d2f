/*
 * gate.c - gate_run(): match the candidate's cases with the baseline's
 * (compare_match.c), and per case x CPU x metric decide pass / fail /
 * skip / error as gate.h describes.  The statistics are in gate_stats.c,
 * the writers in gate_out.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/stats.h"
#include "reports/compare.h"
#include "reports/gate.h"

static struct gate_row *new_row(struct gate_result *res, size_t *cap,
				const struct cmp_group *g, int metric)
{
	struct gate_row *r;

	if (res->nrows == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		void *p = realloc(res->rows, nc * sizeof(*res->rows));

		if (!p)
			return NULL;
		res->rows = p;
		*cap = nc;
	}
	r = &res->rows[res->nrows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->case_key, sizeof(r->case_key), "%s", g->key);
	r->cpu = g->cpu;
	r->metric = metric;
	r->base = r->cand = r->delta = r->rel = r->p = NAN;
	return r;
}

/* What one run holds for a case key, over its repetitions. */
struct key_state {
	int present;        /* a case with this key exists */
	int with_samples;   /* one of them is done and has samples */
	int all_skipped;    /* every one of them was skipped */
	int emulated;
	const char *reason; /* of the last skipped one */
};

static int has_samples(const struct q_case *c)
{
	for (size_t k = 0; k < c->nseries; k++)
		if (!c->series[k].has_summary || c->series[k].sum.count)
			return 1;
	return 0;
}

static void key_state(const struct q_run *run, const char *key,
		      struct key_state *ks)
{
	char k[200];

	memset(ks, 0, sizeof(*ks));
	ks->all_skipped = 1;
	for (size_t i = 0; i < run->ncases; i++) {
		const struct q_case *c = &run->cases[i];
		int skipped = c->status && !strcmp(c->status, "skipped");

		cmp_case_key(c, k, sizeof(k));
		if (strcmp(k, key))
			continue;
		ks->present = 1;
		ks->emulated |= c->emulated;
		if (skipped)
			ks->reason = c->reason;
		else
			ks->all_skipped = 0;
		if (c->status && !strcmp(c->status, "done") && has_samples(c))
			ks->with_samples = 1;
	}
	if (!ks->present)
		ks->all_skipped = 0;
}

/*
 * A baseline case with samples that the candidate lacks or skipped: one
 * MISSING row per case key (the first of its groups adds it).  1 when the
 * group is such a case (row added or already there), 0 when not, or
 * -ENOMEM.
 */
static int missing_row(struct gate_result *res, size_t *cap,
		       const struct q_run *runs, const struct cmp_group *g)
{
	struct key_state b, c;
	struct gate_row *r;
	struct cmp_group whole;

	key_state(&runs[0], g->key, &b);
	key_state(&runs[1], g->key, &c);
	if (!b.with_samples || (c.present && !c.all_skipped))
		return 0;
	for (size_t i = 0; i < res->nrows; i++)
		if (res->rows[i].verdict == GV_MISSING &&
		    !strcmp(res->rows[i].case_key, g->key))
			return 1;
	memset(&whole, 0, sizeof(whole));
	snprintf(whole.key, sizeof(whole.key), "%s", g->key);
	whole.cpu = -1;
	r = new_row(res, cap, &whole, -1);
	if (!r)
		return -ENOMEM;
	r->verdict = GV_MISSING;
	r->emulated = b.emulated || c.emulated;
	if (c.present)
		snprintf(r->message, sizeof(r->message), "skipped in the "
			 "candidate only (%.180s); the baseline has samples",
			 c.reason ? c.reason : "no reason given");
	else
		snprintf(r->message, sizeof(r->message), "the baseline has "
			 "samples of this case, the candidate has no such "
			 "case");
	return 1;
}

/* Rows that say why a group was not compared (or is an error). */
static int group_status_row(struct gate_result *res, size_t *cap,
			    const struct q_run *runs,
			    const struct cmp_group *g)
{
	const struct cmp_side *b = &g->side[0], *c = &g->side[1];
	struct gate_row *r;
	enum gate_verdict v = GV_SKIP;
	char msg[256];
	int m = missing_row(res, cap, runs, g);

	if (m < 0)
		return m;
	if (m)
		return 0;
	if (!c->present) {
		struct key_state cs;

		key_state(&runs[1], g->key, &cs);
		if (cs.present)
			snprintf(msg, sizeof(msg), "the candidate case has no "
				 "series on CPU %d", g->cpu);
		else if (b->status && !strcmp(b->status, "skipped"))
			snprintf(msg, sizeof(msg), "baseline case skipped "
				 "(%.160s), the candidate has no such case",
				 b->reason ? b->reason : "no reason given");
		else
			snprintf(msg, sizeof(msg), "in the baseline only "
				 "(baseline case %.20s, no samples): the "
				 "candidate has no such case",
				 b->status ? b->status : "?");
	} else if (c->status && !strcmp(c->status, "skipped")) {
		/* Skipped where the baseline has no samples of it either
		 * (a plan-time skip in both runs: not root, no KVM); the
		 * reason says so.  Skipped in the candidate only is
		 * MISSING (missing_row()). */
		snprintf(msg, sizeof(msg), "candidate case skipped: %.200s",
			 c->reason ? c->reason : "no reason given");
	} else if (c->status && strcmp(c->status, "done")) {
		/* A case that stopped working is a regression of its own. */
		v = GV_ERROR;
		snprintf(msg, sizeof(msg), "candidate case %.20s: %.180s",
			 c->status, c->reason ? c->reason : "no reason given");
	} else if (!b->present) {
		snprintf(msg, sizeof(msg), "new in the candidate: no baseline "
			 "to compare with");
	} else if (b->status && strcmp(b->status, "done")) {
		snprintf(msg, sizeof(msg), "baseline case %.20s: nothing to "
			 "compare with", b->status);
	} else if (b->emulated != c->emulated) {
		snprintf(msg, sizeof(msg), "%s: emulated and real results are "
			 "never compared", c->emulated ? "candidate EMULATED, "
			 "baseline real" : "baseline EMULATED, candidate real");
	} else if ((c->unit && !query_unit_is_ns(c->unit)) ||
		   (b->unit && !query_unit_is_ns(b->unit))) {
		/* Larger is worse holds for latencies (ns) only; a
		 * throughput series (ops) would need the opposite test. */
		snprintf(msg, sizeof(msg), "series unit %.16s: the gate judges "
			 "latency (ns) series only", c->unit ? c->unit : "?");
	} else if (g->cpu < 0 || !b->nseries || !c->nseries) {
		snprintf(msg, sizeof(msg), "no samples on one side");
		if (c->nseries == 0)
			v = GV_ERROR;
	} else {
		return 1; /* comparable */
	}
	r = new_row(res, cap, g, -1);
	if (!r)
		return -ENOMEM;
	r->verdict = v;
	r->emulated = c->emulated || b->emulated;
	snprintf(r->message, sizeof(r->message), "%s", msg);
	return 0;
}

struct side_data {
	uint32_t *v;
	size_t n, *lens, nseries;
	struct stats *st;
	uint32_t interval_us;
};

static void side_free(struct side_data *d)
{
	free(d->v);
	free(d->lens);
	stats_free(d->st);
}

static int side_load(struct store *st, const struct cmp_side *s,
		     struct side_data *d)
{
	int rc;

	memset(d, 0, sizeof(*d));
	d->nseries = s->nseries;
	d->interval_us = s->interval_us;
	rc = cmp_side_samples(st, s, &d->v, &d->n, &d->lens);
	if (rc)
		return rc;
	d->st = stats_new();
	if (!d->st)
		return -ENOMEM;
	return stats_add(d->st, d->v, d->n);
}

/* Per-block values of one side, each series blocked on its own so a
 * block never spans two repetitions. */
static long side_blocks(const struct side_data *d, enum gate_metric m,
			double **out)
{
	size_t cap = 1, off = 0;
	long k = 0;
	double *b;

	for (size_t i = 0; i < d->nseries; i++)
		cap += d->lens[i] / GATE_MIN_BLOCK_LEN + 1;
	b = malloc(cap * sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < d->nseries; i++) {
		size_t blen = gate_block_len(d->lens[i], d->interval_us);
		long got = gate_block_values(d->v + off, d->lens[i], blen, m,
					     b + k);

		if (got < 0) {
			free(b);
			return got;
		}
		k += got;
		off += d->lens[i];
	}
	*out = b;
	return k;
}

static int compare_metric(struct gate_row *r, struct side_data *bd,
			  struct side_data *cd, const struct cmp_group *g,
			  const struct gate_opts *o)
{
	const struct gate_limit *l = &o->th.m[r->metric];
	double *ba = NULL, *ca = NULL;
	long nb, nc;
	int over = 1;

	r->gated = l->has_rel || l->has_abs;
	if (r->gated)
		gate_limit_fmt(l, r->limit, sizeof(r->limit));
	if (r->metric == GM_DROPPED) {
		r->base = (double)g->side[0].dropped;
		r->cand = (double)g->side[1].dropped;
	} else {
		double p = gate_metric_p(r->metric);

		r->base = stats_quantile(bd->st, p);
		r->cand = stats_quantile(cd->st, p);
	}
	r->delta = r->cand - r->base;
	r->rel = r->base > 0 ? r->delta / r->base : NAN;
	if (l->has_rel)
		over &= r->base > 0 ? r->rel > l->rel : r->delta > 0;
	if (l->has_abs)
		over &= r->delta > l->abs_ns;
	if (r->metric != GM_DROPPED) {
		nb = side_blocks(bd, r->metric, &ba);
		if (nb < 0)
			return (int)nb;
		nc = side_blocks(cd, r->metric, &ca);
		if (nc < 0) {
			free(ba);
			return (int)nc;
		}
		r->nb_base = (size_t)nb;
		r->nb_cand = (size_t)nc;
		r->p = gate_mwu_greater(ba, (size_t)nb, ca, (size_t)nc);
		free(ba);
		free(ca);
	}
	if (!r->gated) {
		r->verdict = GV_PASS;
		snprintf(r->message, sizeof(r->message), "not gated "
			 "(informational)");
	} else if (!over) {
		r->verdict = GV_PASS;
		snprintf(r->message, sizeof(r->message), "within %s",
			 r->limit);
	} else if (r->metric != GM_DROPPED && !(r->p < o->alpha)) {
		r->verdict = GV_PASS;
		snprintf(r->message, sizeof(r->message), "over %s but not "
			 "significant (Mann-Whitney p = %.3g >= %g): noise",
			 r->limit, r->p, o->alpha);
	} else {
		r->verdict = GV_FAIL;
		if (r->metric == GM_DROPPED)
			snprintf(r->message, sizeof(r->message), "regression:"
				 " over %s", r->limit);
		else
			snprintf(r->message, sizeof(r->message), "regression:"
				 " over %s and significant (Mann-Whitney p = "
				 "%.3g < %g)", r->limit, r->p, o->alpha);
	}
	return 0;
}

static int compare_group(struct store *st, struct gate_result *res,
			 size_t *cap, const struct cmp_group *g,
			 const struct gate_opts *o)
{
	struct side_data bd, cd;
	int rc;

	rc = side_load(st, &g->side[0], &bd);
	if (!rc)
		rc = side_load(st, &g->side[1], &cd);
	else
		memset(&cd, 0, sizeof(cd));
	for (int m = 0; m < GM_N && !rc; m++) {
		struct gate_row *r = new_row(res, cap, g, m);

		if (!r) {
			rc = -ENOMEM;
			break;
		}
		r->emulated = g->side[1].emulated;
		r->unit_ns = query_unit_is_ns(g->side[1].unit);
		rc = compare_metric(r, &bd, &cd, g, o);
	}
	side_free(&bd);
	side_free(&cd);
	return rc;
}

int gate_run(struct store *st, int64_t base_id, int64_t cand_id,
	     const struct gate_opts *o, struct gate_result *res, char *err,
	     size_t errsz)
{
	struct q_run runs[2];
	struct cmp_group *g = NULL;
	size_t ng = 0, cap = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(runs, 0, sizeof(runs));
	res->alpha = o->alpha;
	rc = query_run_load(st, base_id, &runs[0], err, errsz);
	if (rc)
		return rc;
	rc = query_run_load(st, cand_id, &runs[1], err, errsz);
	if (rc)
		goto out;
	snprintf(res->base_uuid, sizeof(res->base_uuid), "%s", runs[0].uuid);
	snprintf(res->cand_uuid, sizeof(res->cand_uuid), "%s", runs[1].uuid);
	rc = cmp_match(runs, 2, &g, &ng);
	for (size_t i = 0; i < ng && !rc; i++) {
		rc = group_status_row(res, &cap, runs, &g[i]);
		if (rc == 1)
			rc = compare_group(st, res, &cap, &g[i], o);
	}
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory comparing runs");
	else if ((rc == -EINVAL || rc == -EIO) && *store_samples_error(st))
		snprintf(err, errsz, "%s", store_samples_error(st));
	else if (rc)
		snprintf(err, errsz, "reading samples: %s", strerror(-rc));
	for (size_t i = 0; i < res->nrows; i++) {
		switch (res->rows[i].verdict) {
		case GV_PASS: res->npass++; break;
		case GV_FAIL: res->nfail++; break;
		case GV_SKIP: res->nskip++; break;
		case GV_ERROR: res->nerror++; break;
		case GV_MISSING: res->nmissing++; break;
		}
	}
out:
	cmp_groups_free(g, ng);
	query_run_free(&runs[0]);
	query_run_free(&runs[1]);
	return rc;
}

void gate_result_free(struct gate_result *res)
{
	free(res->rows);
	res->rows = NULL;
	res->nrows = 0;
}
