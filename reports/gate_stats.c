/*
 * gate_stats.c - the gate's statistics and threshold syntax: metric names,
 * limits ("+10%", "+50us"), per-block metric values and the one-sided
 * Mann-Whitney U test.  Pure functions, unit-tested in tests/unit/test_gate.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/gate.h"

const char *const gate_metric_name[GM_N] = {
	"p50", "p90", "p99", "p999", "p9999", "max", "dropped",
};

double gate_metric_p(enum gate_metric m)
{
	static const double p[GM_N] = { 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0,
					0.0 };
	return p[m];
}

int gate_metric_find(const char *name)
{
	for (int i = 0; i < GM_N; i++)
		if (!strcmp(name, gate_metric_name[i]))
			return i;
	return -1;
}

/* One limit token: "+N%", "+Nus", "+Nns", "+Nms", "+N". */
static int limit_token(const char *tok, size_t len, struct gate_limit *l,
		       char *err, size_t errsz)
{
	char buf[64], *end;
	double v, scale = 1.0;
	int rel = 0;

	if (len == 0 || len >= sizeof(buf))
		goto bad;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	/* Digits and one '.' only: strtod alone would take "-10" (a gate
	 * that fails on improvements), hex, "inf" and "nan". */
	{
		const char *q = buf[0] == '+' ? buf + 1 : buf;
		size_t nd = strspn(q, "0123456789.");

		if (nd == 0 || !(q[0] >= '0' && q[0] <= '9'))
			goto bad;
		errno = 0;
		v = strtod(q, &end);
		if (errno || end != q + nd || !isfinite(v))
			goto bad;
	}
	if (!strcmp(end, "%"))
		rel = 1;
	else if (!strcmp(end, "us"))
		scale = 1e3;
	else if (!strcmp(end, "ms"))
		scale = 1e6;
	else if (!strcmp(end, "ns") || !*end)
		scale = 1.0;
	else
		goto bad;
	if (rel) {
		if (l->has_rel)
			goto twice;
		l->has_rel = 1;
		l->rel = v / 100.0;
	} else {
		if (l->has_abs)
			goto twice;
		l->has_abs = 1;
		l->abs_ns = v * scale;
	}
	return 0;
twice:
	snprintf(err, errsz, "'%.*s': at most one relative (%%) and one "
		 "absolute limit per metric", (int)len, tok);
	return -EINVAL;
bad:
	snprintf(err, errsz, "'%.*s' is not a limit; expected +N%% (relative), "
		 "+Nus, +Nns, +Nms or +N (absolute), N >= 0", (int)len, tok);
	return -EINVAL;
}

int gate_limit_parse(const char *value, struct gate_limit *out, char *err,
		     size_t errsz)
{
	struct gate_limit l = { 0 };
	const char *p = value;
	int rc;

	/* "off": report the metric, never fail on it (e.g. max on a host
	 * known to have rare SMIs that say nothing about the change). */
	if (!strcmp(value, "off")) {
		*out = l;
		return 0;
	}

	while (*p) {
		size_t n;

		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n == 0)
			break;
		rc = limit_token(p, n, &l, err, errsz);
		if (rc)
			return rc;
		p += n;
	}
	if (!l.has_rel && !l.has_abs) {
		snprintf(err, errsz, "empty limit; expected e.g. +10%% or +50us");
		return -EINVAL;
	}
	*out = l;
	return 0;
}

int gate_threshold_arg(struct gate_thresholds *th, const char *arg,
		       char *err, size_t errsz)
{
	const char *eq = strchr(arg, '=');
	char name[16];
	int m;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		snprintf(err, errsz, "'%.80s'; expected METRIC=LIMIT, e.g. "
			 "p99=+10%%", arg);
		return -EINVAL;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	m = gate_metric_find(name);
	if (m < 0) {
		snprintf(err, errsz, "'%s' is not a metric; expected one of p50, p90, p99, "
			 "p999, p9999, max or dropped", name);
		return -EINVAL;
	}
	return gate_limit_parse(eq + 1, &th->m[m], err, errsz);
}

void gate_limit_fmt(const struct gate_limit *l, char *buf, size_t size)
{
	char a[24] = "", b[24] = "";

	if (l->has_rel)
		snprintf(a, sizeof(a), "+%g%%", l->rel * 100.0);
	if (l->has_abs) {
		if (l->abs_ns >= 1000.0)
			snprintf(b, sizeof(b), "+%gus", l->abs_ns / 1000.0);
		else
			snprintf(b, sizeof(b), "+%g", l->abs_ns);
	}
	snprintf(buf, size, "%s%s%s", a, *a && *b ? " and " : "", b);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

double gate_mwu_greater(double *a, size_t na, double *b, size_t nb)
{
	double n1 = (double)na, n2 = (double)nb, N = n1 + n2;
	double rank_b = 0.0, ties = 0.0, u, mu, var, z;
	size_t i = 0, j = 0;

	if (na == 0 || nb == 0)
		return 1.0;
	qsort(a, na, sizeof(*a), cmp_double);
	qsort(b, nb, sizeof(*b), cmp_double);
	/* Merge the two sorted samples; a run of equal values (from either
	 * side) shares the mean of its ranks. */
	while (i < na || j < nb) {
		double v = i < na && (j >= nb || a[i] <= b[j]) ? a[i] : b[j];
		size_t ca = 0, cb = 0;
		double first = (double)(i + j) + 1.0, t, mid;

		while (i < na && a[i] == v) {
			i++;
			ca++;
		}
		while (j < nb && b[j] == v) {
			j++;
			cb++;
		}
		t = (double)(ca + cb);
		mid = first + (t - 1.0) / 2.0;
		rank_b += mid * (double)cb;
		ties += t * t * t - t;
	}
	u = rank_b - n2 * (n2 + 1.0) / 2.0; /* pairs where b beats a */
	mu = n1 * n2 / 2.0;
	var = n1 * n2 / 12.0 * ((N + 1.0) - ties / (N * (N - 1.0)));
	if (!(var > 0.0))
		return 1.0;
	z = (u - mu - 0.5) / sqrt(var);
	return 0.5 * erfc(z / sqrt(2.0));
}

size_t gate_block_len(size_t n, uint32_t interval_us)
{
	size_t per_s = interval_us ? 1000000u / interval_us : 1000;
	size_t blen = per_s ? per_s : 1;

	if (n / blen < GATE_MIN_BLOCKS)
		blen = n / GATE_MIN_BLOCKS;
	if (blen < GATE_MIN_BLOCK_LEN)
		blen = GATE_MIN_BLOCK_LEN;
	return blen;
}

long gate_block_values(const uint32_t *samples, size_t n, size_t blen,
		       enum gate_metric m, double *out)
{
	uint32_t *tmp;
	long k = 0;
	double p = gate_metric_p(m);

	if (blen == 0)
		return 0;
	tmp = malloc(blen * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	for (size_t off = 0; off < n; off += blen) {
		size_t len = n - off < blen ? n - off : blen;
		size_t rank;

		if (len < (blen + 1) / 2)
			break; /* a short tail block would be a different
				* statistic than the others */
		memcpy(tmp, samples + off, len * sizeof(*tmp));
		qsort(tmp, len, sizeof(*tmp), cmp_u32);
		/* nearest rank, as collectors/stats.h */
		rank = (size_t)ceil(p * (double)len);
		if (rank < 1)
			rank = 1;
		if (rank > len)
			rank = len;
		out[k++] = tmp[rank - 1];
	}
	free(tmp);
	return k;
}
