/*
 * gate_stats.c - the gate's statistics and threshold syntax: metric names,
 * margins ("+10%", "+50us"), absolute limits ("max=100us", "over=50us:0"),
 * per-unit metric values, Student's t tail and, for compare's per-block
 * marks, the one-sided Mann-Whitney U test.  Pure functions, unit-tested
 * in tests/unit/test_gate.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/gate.h"

const char *const gate_metric_name[GM_N] = {
	"p50", "p90", "p99", "p999", "p9999", "max", "dropped", "over", "run",
};

double gate_metric_p(enum gate_metric m)
{
	static const double p[GM_N] = { 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0,
					0.0, 0.0, 0.0 };
	return p[m];
}

int gate_metric_worst(enum gate_metric m)
{
	return m == GM_MAX || m == GM_DROPPED || m == GM_OVER || m == GM_RUN;
}

int gate_metric_find(const char *name)
{
	/* As the field writes them, too: p99.9, p99.99. */
	if (!strcmp(name, "p99.9"))
		return GM_P999;
	if (!strcmp(name, "p99.99"))
		return GM_P9999;
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
		/* "100us" reads as a ceiling, which a threshold is not: the
		 * change over the baseline is written +100us. */
		if (buf[0] != '+') {
			snprintf(err, errsz, "'%s': a threshold is a change over "
				 "the baseline, written +%s; for a ceiling use "
				 "--limit (or limit = in [gate])", buf, buf);
			return -EINVAL;
		}
		if (l->has_abs)
			goto twice;
		l->has_abs = 1;
		l->abs_ns = v * scale;
		l->abs_bare = !*end && v != 0;
		if (*end)
			l->abs_bare = -1; /* a unit was given */
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
			 "p999, p9999, max, dropped, over or run", name);
		return -EINVAL;
	}
	if ((m == GM_OVER || m == GM_RUN) && strcmp(eq + 1, "off") &&
	    !(th->over_ns > 0)) {
		snprintf(err, errsz, "%s: give the over latency first (--over-at"
			 " 50us, [gate] over_at, or a --limit %s=LAT:N)",
			 name, name);
		return -EINVAL;
	}
	return gate_metric_limit_parse(m, eq + 1, &th->m[m], err, errsz);
}

int gate_metric_limit_parse(int m, const char *value, struct gate_limit *out,
			    char *err, size_t errsz)
{
	int count = m == GM_DROPPED || m == GM_OVER || m == GM_RUN;
	struct gate_limit l;
	int rc = gate_limit_parse(value, &l, err, errsz);

	if (rc)
		return rc;
	if (!count && l.abs_bare > 0) {
		snprintf(err, errsz, "'%s': a latency change needs a unit: "
			 "+%gus, +%gns or +%gms (or a %%)", value, l.abs_ns,
			 l.abs_ns, l.abs_ns);
		return -EINVAL;
	}
	if (count && l.abs_bare < 0) {
		snprintf(err, errsz, "'%s': %s is a count: +N or +N%%, no unit",
			 value, gate_metric_name[m]);
		return -EINVAL;
	}
	*out = l;
	return 0;
}

int gate_latency_parse(const char *s, double *ns)
{
	char *end;
	double v, scale = 1.0;

	if (!(*s >= '0' && *s <= '9'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || !isfinite(v))
		return -EINVAL;
	if (!strcmp(end, "us"))
		scale = 1e3;
	else if (!strcmp(end, "ms"))
		scale = 1e6;
	else if (strcmp(end, "ns") && *end)
		return -EINVAL;
	*ns = v * scale;
	return 0;
}

int gate_alpha_parse(const char *s, double *alpha)
{
	char *end;
	double a;

	if (!strcmp(s, "off")) {
		*alpha = 0.0;
		return 0;
	}
	a = strtod(s, &end);
	if (end == s || *end || !(a > 0.0 && a < 0.5))
		return -EINVAL;
	*alpha = a;
	return 0;
}

/* A count "0", "12": digits only. */
static int count_parse(const char *s, double *v)
{
	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 15)
		return -EINVAL;
	*v = strtod(s, NULL);
	return 0;
}

int gate_limit_arg(struct gate_thresholds *th, const char *arg, char *err,
		   size_t errsz)
{
	const char *eq = strchr(arg, '='), *val;
	char name[16], lat[32];
	double v, at;
	int m;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		snprintf(err, errsz, "'%.80s'; expected METRIC=LIMIT, e.g. "
			 "max=100us or over=50us:0", arg);
		return -EINVAL;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	val = eq + 1;
	m = gate_metric_find(name);
	if (m < 0) {
		snprintf(err, errsz, "'%s' is not a metric; expected one of p50, "
			 "p90, p99, p999, p9999, max, dropped, over or run", name);
		return -EINVAL;
	}
	if (!strcmp(val, "off")) {
		th->has_ceil[m] = 0;
		return 0;
	}
	if (m == GM_OVER || m == GM_RUN) {
		const char *colon = strchr(val, ':');

		if (!colon || (size_t)(colon - val) >= sizeof(lat))
			goto bad;
		memcpy(lat, val, (size_t)(colon - val));
		lat[colon - val] = '\0';
		if (gate_latency_parse(lat, &at) || !(at > 0) ||
		    count_parse(colon + 1, &v))
			goto bad;
		if (th->over_ns > 0 && th->over_ns != at) {
			snprintf(err, errsz, "%s: one over latency per gate "
				 "(%gns already given)", arg, th->over_ns);
			return -EINVAL;
		}
		th->over_ns = at;
	} else if (m == GM_DROPPED) {
		if (count_parse(val, &v))
			goto bad;
	} else if (gate_latency_parse(val, &v)) {
		goto bad;
	}
	th->has_ceil[m] = 1;
	th->ceil[m] = v;
	return 0;
bad:
	snprintf(err, errsz, "'%.80s'; expected %s", arg,
		 m == GM_OVER || m == GM_RUN ? "LAT:COUNT, e.g. over=50us:0"
		 : m == GM_DROPPED ? "a count, e.g. dropped=0"
		 : "a latency, e.g. max=100us (us, ms, ns)");
	return -EINVAL;
}

static int cmp_u32(const void *x, const void *y);

/* Continued fraction of the incomplete beta (Lentz), as in Numerical
 * Recipes' betacf; converges fast for x < (a+1)/(a+b+2). */
static double betacf(double a, double b, double x)
{
	double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0), h;

	if (fabs(d) < 1e-300)
		d = 1e-300;
	d = 1.0 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a - 1.0 + m2) * (a + m2));
		d = 1.0 + aa * d;
		c = 1.0 + aa / c;
		d = fabs(d) < 1e-300 ? 1e300 : 1.0 / d;
		if (fabs(c) < 1e-300)
			c = 1e-300;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1.0 + m2));
		d = 1.0 + aa * d;
		c = 1.0 + aa / c;
		d = fabs(d) < 1e-300 ? 1e300 : 1.0 / d;
		if (fabs(c) < 1e-300)
			c = 1e-300;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < 1e-14)
			break;
	}
	return h;
}

/* Regularized incomplete beta I_x(a, b). */
static double ibeta(double a, double b, double x)
{
	double bt;

	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		 b * log1p(-x));
	if (x < (a + 1.0) / (a + b + 2.0))
		return bt * betacf(a, b, x) / a;
	return 1.0 - bt * betacf(b, a, 1.0 - x) / b;
}

double gate_t_sf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 0.0 : 1.0;
	tail = 0.5 * ibeta(df / 2.0, 0.5, df / (df + t * t));
	return t > 0 ? tail : 1.0 - tail;
}

int gate_unit_values(uint32_t *samples, size_t n, double over_ns,
		     struct gate_unit *u)
{
	size_t run = 0, best = 0, over = 0;

	for (int m = 0; m < GM_N; m++)
		u->v[m] = NAN;
	if (n == 0)
		return 0;
	/* In time order first: the longest run of overruns. */
	for (size_t i = 0; over_ns > 0 && i < n; i++) {
		if ((double)samples[i] > over_ns) {
			over++;
			if (++run > best)
				best = run;
		} else {
			run = 0;
		}
	}
	u->v[GM_OVER] = over_ns > 0 ? (double)over : NAN;
	u->v[GM_RUN] = over_ns > 0 ? (double)best : NAN;
	qsort(samples, n, sizeof(*samples), cmp_u32);
	for (int m = GM_P50; m <= GM_MAX; m++) {
		/* nearest rank, as collectors/stats.h */
		size_t rank = (size_t)ceil(gate_metric_p(m) * (double)n);

		if (rank < 1)
			rank = 1;
		if (rank > n)
			rank = n;
		u->v[m] = samples[rank - 1];
	}
	return 0;
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
