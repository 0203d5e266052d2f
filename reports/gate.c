/*
 * gate.c - gate_run_multi(): match the candidate's cases with each
 * baseline run's (compare_match.c), gather the units (series: one per
 * run or repetition) of both sides, and per case x CPU x metric decide
 * pass / fail / skip / error (gate_decide.c) as gate.h describes; then
 * the emulated policy.  The statistics are in gate_stats.c, the writers
 * in gate_out.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/stats.h"
#include "reports/compare.h"
#include "reports/gate.h"
#include "reports/gate_int.h"

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
static int any_ceil(const struct gate_opts *o)
{
	for (int m = 0; m < GM_N; m++)
		if (o->th.has_ceil[m])
			return 1;
	return 0;
}

static int group_status_row(struct gate_result *res, size_t *cap,
			    const struct q_run *runs,
			    const struct cmp_group *g,
			    const struct gate_opts *o)
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
	} else if (!b->present && g->cpu >= 0 && c->nseries && any_ceil(o) &&
		   (!c->unit || query_unit_is_ns(c->unit))) {
		return 1; /* new: no baseline, but the limits apply */
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

/* The units of one side: one per series (a repetition of one run). */
struct side_units {
	struct gate_unit *u;
	size_t n;
	double dropped;       /* the worst run's lost samples */
};

static int units_add(struct store *st, const struct cmp_side *s,
		     double over_ns, struct side_units *d)
{
	uint32_t *v = NULL;
	size_t n = 0, *lens = NULL, off = 0;
	void *p;
	int rc;

	if (!s->present || !s->nseries)
		return 0;
	if ((double)s->dropped > d->dropped || isnan(d->dropped))
		d->dropped = (double)s->dropped;
	rc = cmp_side_samples(st, s, &v, &n, &lens);
	if (rc)
		return rc;
	p = realloc(d->u, (d->n + s->nseries) * sizeof(*d->u));
	if (!p) {
		rc = -ENOMEM;
		goto out;
	}
	d->u = p;
	for (size_t i = 0; i < s->nseries; i++) {
		if (lens[i])
			gate_unit_values(v + off, lens[i], over_ns,
					 &d->u[d->n++]);
		off += lens[i];
	}
out:
	free(v);
	free(lens);
	return rc;
}

/* The group of the same key and CPU in a list, NULL when none. */
static const struct cmp_group *find_group(const struct cmp_group *g,
					  size_t n, const char *key, int cpu)
{
	for (size_t i = 0; i < n; i++)
		if (g[i].cpu == cpu && !strcmp(g[i].key, key))
			return &g[i];
	return NULL;
}

/* Baseline runs after the first, each matched with the candidate. */
struct extra_base {
	struct cmp_group *g;
	size_t ng;
	struct q_run run;
};

/* A baseline side matched to the candidate with other parameters: a
 * note per case and baseline run (called for a case's first CPU only).
 * Keys and values come from databases (merged boards): anything but
 * printable text is '?', so a note cannot break a terminal or the
 * Markdown's code block. */
static void params_note(struct gate_result *res, const struct cmp_group *g,
			const struct cmp_side *b, const char *base_uuid)
{
	char diff[256], line[512];
	size_t len = strlen(res->notes), n;

	if (!b->present || !g->side[1].present ||
	    !cmp_params_diff(b->params, g->side[1].params, diff, sizeof(diff)))
		return;
	n = (size_t)snprintf(line, sizeof(line), "  %.200s: baseline %.8s "
			     "differs: %s", g->key, base_uuid ? base_uuid
			     : "?", diff);
	n = n < sizeof(line) - 2 ? n : sizeof(line) - 2;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == '`' ||
		    line[i] == 0x7f)
			line[i] = '?';
	memcpy(line + n, "\n", 2);
	res->nnotes++;
	if (len + n + 1 < sizeof(res->notes))
		memcpy(res->notes + len, line, n + 2);
}

static int compare_group(struct store *st, struct gate_result *res,
			 size_t *cap, const struct cmp_group *g,
			 const struct extra_base *xb, size_t nxb,
			 const struct gate_opts *o, int first_cpu)
{
	struct side_units bu = { .dropped = NAN }, cu = { .dropped = NAN };
	int rc = 0;

	if (first_cpu)
		params_note(res, g, &g->side[0], res->base_uuid);
	for (size_t i = 0; i < nxb && first_cpu; i++) {
		const struct cmp_group *x = find_group(xb[i].g, xb[i].ng,
						       g->key, g->cpu);

		if (x)
			params_note(res, g, &x->side[0], xb[i].run.uuid);
	}
	if (g->side[0].present && g->side[0].status &&
	    !strcmp(g->side[0].status, "done") &&
	    g->side[0].emulated == g->side[1].emulated)
		rc = units_add(st, &g->side[0], o->th.over_ns, &bu);
	for (size_t i = 0; i < nxb && !rc; i++) {
		const struct cmp_group *x = find_group(xb[i].g, xb[i].ng,
						       g->key, g->cpu);

		/* Only done cases of the same kind (real / emulated). */
		if (x && x->side[0].status && !strcmp(x->side[0].status,
						      "done") &&
		    x->side[0].emulated == g->side[1].emulated)
			rc = units_add(st, &x->side[0], o->th.over_ns, &bu);
	}
	if (!rc)
		rc = units_add(st, &g->side[1], o->th.over_ns, &cu);
	for (int m = 0; m < GM_N && !rc; m++) {
		struct gate_row *r;

		if ((m == GM_OVER || m == GM_RUN) && !(o->th.over_ns > 0))
			continue;
		r = new_row(res, cap, g, m);
		if (!r) {
			rc = -ENOMEM;
			break;
		}
		r->emulated = g->side[1].emulated;
		r->unit_ns = query_unit_is_ns(g->side[1].unit) &&
			     m != GM_OVER && m != GM_RUN;
		gate_decide(r, bu.u, bu.n, bu.dropped, cu.u, cu.n,
			    cu.dropped, o);
	}
	free(bu.u);
	free(cu.u);
	return rc;
}

/* Under GATE_EMU_SHOW an emulated case's metric rows and verdicts are
 * shown, never counted against the candidate. */
static void emulated_policy(struct gate_result *res, const struct gate_opts *o)
{
	static const char why[] = "EMULATED: shown, not gated (--emulated "
				  "gate gates it)";

	for (size_t i = 0; i < res->nrows; i++) {
		struct gate_row *r = &res->rows[i];
		char msg[sizeof(r->message)];

		if (!r->emulated || o->emulated == GATE_EMU_GATE)
			continue;
		if (r->metric >= 0)
			res->nemulated++;
		if (r->verdict == GV_PASS) {
			r->verdict = GV_SKIP;
			r->gated = 0;
			snprintf(r->message, sizeof(r->message), "%s", why);
		} else if (r->verdict != GV_SKIP) {
			snprintf(msg, sizeof(msg), "%s; would be %s: %.150s",
				 why, r->verdict == GV_FAIL ? "FAIL"
				 : r->verdict == GV_ERROR ? "ERROR" : "MISSING",
				 r->message);
			snprintf(r->message, sizeof(r->message), "%s", msg);
			r->verdict = GV_SKIP;
			r->gated = 0;
		}
	}
}

static void count_rows(struct gate_result *res)
{
	for (size_t i = 0; i < res->nrows; i++) {
		const struct gate_row *r = &res->rows[i];

		switch (r->verdict) {
		case GV_PASS: res->npass++; break;
		case GV_FAIL: res->nfail++; break;
		case GV_SKIP: res->nskip++; break;
		case GV_ERROR: res->nerror++; break;
		case GV_MISSING: res->nmissing++; break;
		}
		if (r->metric >= 0 && !r->emulated &&
		    (r->verdict == GV_PASS || r->verdict == GV_FAIL))
			res->nreal++;
	}
}

static int load_extra(struct store *st, const int64_t *ids, size_t n,
		      const struct q_run *cand, struct extra_base *xb,
		      char *err, size_t errsz)
{
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		struct q_run pair[2];

		memset(pair, 0, sizeof(pair));
		rc = query_run_load(st, ids[i], &pair[0], err, errsz);
		if (!rc) {
			pair[1] = *cand;
			rc = cmp_match(pair, 2, &xb[i].g, &xb[i].ng);
			if (rc)
				snprintf(err, errsz, "out of memory matching "
					 "cases");
		}
		/* The groups point at the run's strings (status, reason,
		 * unit): free it only after them, in gate_run_multi(). */
		xb[i].run = pair[0];
	}
	return rc;
}

int gate_run(struct store *st, int64_t base_id, int64_t cand_id,
	     const struct gate_opts *o, struct gate_result *res, char *err,
	     size_t errsz)
{
	return gate_run_multi(st, &base_id, 1, cand_id, o, res, err, errsz);
}

int gate_run_multi(struct store *st, const int64_t *base_ids, size_t nbase,
		   int64_t cand_id, const struct gate_opts *o,
		   struct gate_result *res, char *err, size_t errsz)
{
	struct q_run runs[2];
	struct cmp_group *g = NULL;
	struct extra_base xb[GATE_MAX_BASE];
	size_t ng = 0, cap = 0, nxb = nbase ? nbase - 1 : 0;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	memset(runs, 0, sizeof(runs));
	memset(xb, 0, sizeof(xb));
	res->alpha = o->alpha;
	res->over_ns = o->th.over_ns;
	res->nbase = nbase;
	if (nbase > GATE_MAX_BASE || (!nbase && !any_ceil(o))) {
		snprintf(err, errsz, "give 1 to %d baseline runs, or limits "
			 "(--limit) to gate on without a baseline",
			 GATE_MAX_BASE);
		return -EINVAL;
	}
	/* No baseline: every candidate case is "new", judged by the
	 * limits alone (group_status_row()). */
	if (nbase)
		rc = query_run_load(st, base_ids[0], &runs[0], err, errsz);
	if (rc)
		return rc;
	rc = query_run_load(st, cand_id, &runs[1], err, errsz);
	if (rc)
		goto out;
	snprintf(res->base_uuid, sizeof(res->base_uuid), "%s",
		 runs[0].uuid ? runs[0].uuid : "");
	snprintf(res->cand_uuid, sizeof(res->cand_uuid), "%s", runs[1].uuid);
	rc = load_extra(st, base_ids + 1, nxb, &runs[1], xb, err, errsz);
	if (rc)
		goto out;
	rc = cmp_match(runs, 2, &g, &ng);
	for (size_t i = 0; i < ng && !rc; i++) {
		rc = group_status_row(res, &cap, runs, &g[i], o);
		if (rc == 1)
			rc = compare_group(st, res, &cap, &g[i], xb, nxb, o,
					   i == 0 || strcmp(g[i].key,
							    g[i - 1].key));
	}
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory comparing runs");
	else if ((rc == -EINVAL || rc == -EIO) && *store_samples_error(st))
		snprintf(err, errsz, "%s", store_samples_error(st));
	else if (rc)
		snprintf(err, errsz, "reading samples: %s", strerror(-rc));
	emulated_policy(res, o);
	count_rows(res);
out:
	for (size_t i = 0; i < nxb; i++) {
		cmp_groups_free(xb[i].g, xb[i].ng);
		query_run_free(&xb[i].run);
	}
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
