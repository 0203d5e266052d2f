/*
 * gate_decide.c - the verdict of one case x CPU x metric, from the
 * units (runs / repetitions) of both sides, as gate.h describes: the
 * absolute limit first, then the rule of a worst-case metric, or the
 * margin and the across-run t test of a distribution metric.
 *
 * Why log values for the test: a latency quantile is positive and its
 * run-to-run spread grows with its size (a host that is 20% slower is
 * 20% slower at every quantile), so the log is nearer to a normal with
 * one spread than the raw value; the margin stays relative to the
 * geometric mean, which is what "+10%" means to a reader.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/gate_int.h"

/* Mean and sample standard deviation of log(1 + v[m]) over n units. */
static void log_stats(const struct gate_unit *u, size_t n, int m,
		      double *mean, double *sd)
{
	double s = 0.0, ss = 0.0;

	for (size_t i = 0; i < n; i++)
		s += log1p(u[i].v[m]);
	*mean = n ? s / (double)n : NAN;
	for (size_t i = 0; i < n; i++) {
		double d = log1p(u[i].v[m]) - *mean;

		ss += d * d;
	}
	*sd = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
}

static double worst(const struct gate_unit *u, size_t n, int m)
{
	double w = NAN;

	for (size_t i = 0; i < n; i++)
		if (isnan(w) || u[i].v[m] > w)
			w = u[i].v[m];
	return w;
}

/* A value in the row's unit for a message: "20000.0 us", "3". */
static void fmt(char *buf, size_t size, const struct gate_row *r, double v)
{
	if (r->unit_ns)
		snprintf(buf, size, "%.1f us", v / 1000.0);
	else
		snprintf(buf, size, "%.0f", v);
}

static void render_ceil(struct gate_row *r, const struct gate_opts *o)
{
	char v[32];

	fmt(v, sizeof(v), r, o->th.ceil[r->metric]);
	if (r->metric == GM_OVER || r->metric == GM_RUN)
		snprintf(r->ceil, sizeof(r->ceil), "<= %s above %.1f us", v,
			 o->th.over_ns / 1000.0);
	else
		snprintf(r->ceil, sizeof(r->ceil), "<= %s", v);
}

/* The across-run test of a distribution metric: 1 when it fails. */
static int test_fails(struct gate_row *r, const struct gate_unit *bu,
		      size_t nb, const struct gate_unit *cu, size_t nc,
		      int over, const struct gate_opts *o)
{
	double mb, sb, mc, sc, se;

	log_stats(bu, nb, r->metric, &mb, &sb);
	log_stats(cu, nc, r->metric, &mc, &sc);
	if (!(o->alpha > 0)) {
		snprintf(r->message, sizeof(r->message), over ? "regression: "
			 "over %s (alpha off: the margin alone decides)"
			 : "within %s (alpha off)", r->limit);
		return over;
	}
	if (nb < 2) {
		r->gated = 0;
		snprintf(r->message, sizeof(r->message), "run-to-run spread "
			 "unknown (one baseline run): not gated; limits and "
			 "rules still apply.  Give several baseline runs or "
			 "repetitions (or --alpha off)");
		return 0;
	}
	se = sb * sqrt(1.0 / (double)nb + 1.0 / (double)nc);
	if (se > 0)
		r->p = gate_t_sf((mc - mb) / se, (double)(nb - 1));
	else
		r->p = mc > mb ? 0.0 : 1.0;
	if (!over) {
		snprintf(r->message, sizeof(r->message), "within %s", r->limit);
		return 0;
	}
	if (!(r->p < o->alpha)) {
		snprintf(r->message, sizeof(r->message), "over %s but inside "
			 "the baseline runs' spread (t test p = %.3g >= %g): "
			 "noise", r->limit, r->p, o->alpha);
		return 0;
	}
	snprintf(r->message, sizeof(r->message), "regression: over %s and "
		 "outside the baseline runs' spread (t test p = %.3g < %g, "
		 "%zu vs %zu runs)", r->limit, r->p, o->alpha, nb, nc);
	return 1;
}

void gate_decide(struct gate_row *r, const struct gate_unit *bu, size_t nb,
		 double b_dropped, const struct gate_unit *cu, size_t nc,
		 double c_dropped, const struct gate_opts *o)
{
	const struct gate_limit *l = &o->th.m[r->metric];
	int m = r->metric, rule = gate_metric_worst(m), over = 1;
	double cworst;
	char v[32], c[32];

	r->nb_base = nb;
	r->nb_cand = nc;
	r->gated = l->has_rel || l->has_abs;
	if (r->gated)
		gate_limit_fmt(l, r->limit, sizeof(r->limit));
	if (m == GM_DROPPED) {
		r->base = b_dropped;
		r->cand = cworst = c_dropped;
	} else if (rule) {
		r->base = worst(bu, nb, m);
		r->cand = cworst = worst(cu, nc, m);
	} else {
		double sd;

		log_stats(bu, nb, m, &r->base, &sd);
		log_stats(cu, nc, m, &r->cand, &sd);
		r->base = expm1(r->base);
		r->cand = expm1(r->cand);
		cworst = worst(cu, nc, m);
	}
	r->delta = r->cand - r->base;
	r->rel = r->base > 0 ? r->delta / r->base : NAN;
	if (o->th.has_ceil[m]) {
		render_ceil(r, o);
		r->gated = 1;
		if (cworst > o->th.ceil[m]) {
			fmt(v, sizeof(v), r, cworst);
			r->verdict = GV_FAIL;
			snprintf(r->message, sizeof(r->message), "over the "
				 "limit %s: the worst candidate run has %s",
				 r->ceil, v);
			return;
		}
	}
	r->verdict = GV_PASS;
	if (!l->has_rel && !l->has_abs) {
		snprintf(r->message, sizeof(r->message), r->ceil[0]
			 ? "within the limit %s" : "not gated (informational)",
			 r->ceil);
		return;
	}
	if (isnan(r->base)) {
		snprintf(r->message, sizeof(r->message), "no baseline: %s",
			 r->ceil[0] ? "within the limit" : "limits only");
		return;
	}
	if (rule) {
		/* cand > base x (1 + r) + d: a single event, no test */
		double bound = r->base * (1.0 + (l->has_rel ? l->rel : 0.0)) +
			       (l->has_abs ? l->abs_ns : 0.0);

		fmt(v, sizeof(v), r, bound);
		fmt(c, sizeof(c), r, r->cand);
		if (r->cand > bound) {
			r->verdict = GV_FAIL;
			snprintf(r->message, sizeof(r->message), "regression: "
				 "%s > %s, the baseline's worst %s %s", c, v,
				 gate_metric_name[m], r->limit);
		} else {
			snprintf(r->message, sizeof(r->message), "%s <= %s, "
				 "the baseline's worst %s %s", c, v,
				 gate_metric_name[m], r->limit);
		}
		return;
	}
	if (l->has_rel)
		over &= r->base > 0 ? r->rel > l->rel : r->delta > 0;
	if (l->has_abs)
		over &= r->delta > l->abs_ns;
	if (test_fails(r, bu, nb, cu, nc, over, o))
		r->verdict = GV_FAIL;
}
