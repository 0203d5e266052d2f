/*
 * trend_detect.c - change points of one series: E-divisive means for
 * where, a Welch t test between the segments for whether (trend.h).
 * Pure functions, tested in tests/unit/test_trend.c.
 *
 * Why a t test and not E-divisive's permutation test: the permutation
 * test is random (two runs of a nightly job could disagree) and slow;
 * Hunter replaced it with a t test for the same reasons.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/gate.h"
#include "reports/trend.h"

static void mean_var(const double *a, size_t n, double *m, double *v)
{
	double s = 0.0, ss = 0.0;

	for (size_t i = 0; i < n; i++)
		s += a[i];
	*m = s / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (a[i] - *m) * (a[i] - *m);
	*v = n > 1 ? ss / (double)(n - 1) : 0.0;
}

double trend_welch_p(const double *a, size_t na, const double *b, size_t nb)
{
	double ma, va, mb, vb, se2, t, df;

	if (na < 2 || nb < 2)
		return 1.0;
	mean_var(a, na, &ma, &va);
	mean_var(b, nb, &mb, &vb);
	se2 = va / (double)na + vb / (double)nb;
	if (!(se2 > 0))
		return ma == mb ? 1.0 : 0.0;
	t = (mb - ma) / sqrt(se2);
	df = se2 * se2 / ((va / na) * (va / na) / (double)(na - 1) +
			  (vb / nb) * (vb / nb) / (double)(nb - 1));
	return 2.0 * gate_t_sf(fabs(t), df);
}

/* E-divisive means statistic of splitting x[0..n) at tau. */
static double energy(const double *x, size_t n, size_t tau)
{
	double xy = 0.0, xx = 0.0, yy = 0.0, m = (double)tau,
	       k = (double)(n - tau);

	for (size_t i = 0; i < tau; i++)
		for (size_t j = tau; j < n; j++)
			xy += fabs(x[i] - x[j]);
	for (size_t i = 0; i < tau; i++)
		for (size_t j = i + 1; j < tau; j++)
			xx += fabs(x[i] - x[j]);
	for (size_t i = tau; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			yy += fabs(x[i] - x[j]);
	xy = 2.0 * xy / (m * k);
	xx = m > 1 ? xx / (m * (m - 1) / 2.0) : 0.0;
	yy = k > 1 ? yy / (k * (k - 1) / 2.0) : 0.0;
	return m * k / (m + k) * (xy - xx - yy);
}

struct seg_ctx {
	const double *x;
	double alpha, min_change;
	size_t *pts, npts, cap;
};

static int significant(const struct seg_ctx *c, size_t s, size_t tau,
		       size_t e, double *p)
{
	double ma, va, mb, vb;

	mean_var(c->x + s, tau - s, &ma, &va);
	mean_var(c->x + tau, e - tau, &mb, &vb);
	*p = trend_welch_p(c->x + s, tau - s, c->x + tau, e - tau);
	if (!(*p < c->alpha))
		return 0;
	return fabs(mb - ma) >= c->min_change * fabs(ma);
}

static int split(struct seg_ctx *c, size_t s, size_t e)
{
	size_t best = 0;
	double q = -1.0, p;

	if (e - s < 2 * TREND_MIN_SEG)
		return 0;
	for (size_t tau = s + TREND_MIN_SEG; tau + TREND_MIN_SEG <= e; tau++) {
		double v = energy(c->x + s, e - s, tau - s);

		if (v > q) {
			q = v;
			best = tau;
		}
	}
	if (!best || !significant(c, s, best, e, &p))
		return 0;
	if (c->npts == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 8;
		void *np = realloc(c->pts, nc * sizeof(*c->pts));

		if (!np)
			return -ENOMEM;
		c->pts = np;
		c->cap = nc;
	}
	c->pts[c->npts++] = best;
	if (split(c, s, best) < 0)
		return -ENOMEM;
	return split(c, best, e);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

int trend_detect(const double *x, size_t n, double alpha, double min_change,
		 struct trend_cp **cps, size_t *ncps)
{
	double *v = malloc((n + 1) * sizeof(*v));
	size_t *idx = malloc((n + 1) * sizeof(*idx)), m = 0;
	struct seg_ctx c = { .alpha = alpha, .min_change = min_change };
	struct trend_cp *out = NULL;
	size_t k = 0;
	int rc = 0;

	*cps = NULL;
	*ncps = 0;
	if (!v || !idx) {
		rc = -ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i])) {
			idx[m] = i;
			v[m++] = x[i];
		}
	c.x = v;
	rc = split(&c, 0, m);
	if (rc < 0 || !c.npts)
		goto done;
	qsort(c.pts, c.npts, sizeof(*c.pts), cmp_size);
	out = calloc(c.npts, sizeof(*out));
	if (!out) {
		rc = -ENOMEM;
		goto done;
	}
	/* Second pass: each point against its neighbours' segments. */
	for (size_t i = 0; i < c.npts; i++) {
		size_t s = i ? c.pts[i - 1] : 0;
		size_t e = i + 1 < c.npts ? c.pts[i + 1] : m;
		double va, vb, p;

		if (!significant(&c, s, c.pts[i], e, &p))
			continue;
		mean_var(v + s, c.pts[i] - s, &out[k].before, &va);
		mean_var(v + c.pts[i], e - c.pts[i], &out[k].after, &vb);
		out[k].p = p;
		out[k++].at = idx[c.pts[i]];
	}
	*cps = out;
	*ncps = k;
	out = NULL;
done:
	free(out);
	free(c.pts);
	free(v);
	free(idx);
	return rc;
}
