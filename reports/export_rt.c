/*
 * export_rt.c - one case in the shapes the field's tools read (export.h):
 *
 *   cyclictest-json  the file rt-tests' `cyclictest --json` writes (2.4:
 *                    file_version 1), for a latency case; a spin case in
 *                    the shape of `oslat --json` (its noise series)
 *   osadl            OSADL's "RT Dataset" 1.0 (github.com/osadl/
 *                    Latencyplot), which plot-rtdataset.py draws
 *
 * Both need whole-microsecond histograms.  They are counted here from the
 * samples themselves (one decode of the case), not from the stored
 * histogram, so they hold whatever bucket width a run stored; cyclictest
 * truncates its nanosecond clock difference to microseconds, and so does
 * this file.  docs/formats.md documents every field and its source.
 */
#include "reports/export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "reports/json.h"

/* Counts per whole microsecond of one series. */
struct us_hist {
	uint64_t *n;
	size_t len;    /* classes 0..len-1 */
	uint64_t total;
	uint32_t max_us;
};

static int us_hist_cb(void *ctx, uint64_t first_seq, const uint32_t *values,
		      uint32_t n)
{
	struct us_hist *h = ctx;

	(void)first_seq;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t us = values[i] / 1000;

		if (us >= h->len) {
			size_t len = h->len ? h->len : 1024;
			uint64_t *nn;

			while (len <= us)
				len *= 2;
			nn = realloc(h->n, len * sizeof(*nn));
			if (!nn)
				return -ENOMEM;
			memset(nn + h->len, 0, (len - h->len) * sizeof(*nn));
			h->n = nn;
			h->len = len;
		}
		h->n[us]++;
		if (us > h->max_us)
			h->max_us = us;
		h->total++;
	}
	return 0;
}

static int series_us_hist(struct store *st, const struct q_run *r,
			  const struct q_case *c, const struct q_series *q,
			  struct us_hist *h, char *err, size_t errsz)
{
	int rc;

	memset(h, 0, sizeof(*h));
	rc = store_series_samples(st, q->id, us_hist_cb, h);
	if ((rc == -EINVAL || rc == -EIO) && *store_samples_error(st))
		snprintf(err, errsz, "%s", store_samples_error(st));
	else if (rc == -EINVAL)
		snprintf(err, errsz, "run %s case %d (%s) series %d: a chunk "
			 "is corrupt and cannot be decoded; restore the "
			 "database from a copy or re-run the case", r->uuid,
			 c->idx, c->name, q->idx);
	else if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory decoding run %s case %d",
			 r->uuid, c->idx);
	else if (rc)
		snprintf(err, errsz, "reading samples of run %s case %d "
			 "failed: %s", r->uuid, c->idx, store_errmsg(st));
	return rc;
}

/* A metadata value, or NULL when missing or "unavailable (why)". */
static const char *meta(const struct q_run *r, const char *key)
{
	const char *v = query_meta(r, key);

	return v && strncmp(v, "unavailable", 11) ? v : NULL;
}

static int is_latency(const struct q_series *q)
{
	return query_unit_is_ns(q->unit) &&
	       (!q->kind || !strcmp(q->kind, "latency"));
}

static int is_noise(const struct q_series *q)
{
	return q->kind && !strcmp(q->kind, "noise");
}

static unsigned count_series(const struct q_case *c,
			     int (*pick)(const struct q_series *))
{
	unsigned n = 0;

	for (size_t k = 0; k < c->nseries; k++)
		n += pick(&c->series[k]) != 0;
	return n;
}

int export_case_rt_applies(const struct q_case *c, enum export_format fmt)
{
	if (fmt == EXPORT_OSADL)
		return count_series(c, is_latency) > 0;
	return count_series(c, is_latency) || count_series(c, is_noise);
}

/* "2026-12-03T08:09:41Z" -> "Thu, 03 Dec 2026 08:09:41 +0000" (RFC 2822,
 * English names whatever the locale, as cyclictest's strftime in C). */
static void rfc2822(const char *iso, char *buf, size_t size)
{
	static const char *const day[] = {"Sun", "Mon", "Tue", "Wed", "Thu",
					  "Fri", "Sat"};
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May",
					  "Jun", "Jul", "Aug", "Sep", "Oct",
					  "Nov", "Dec"};
	struct tm tm = {0};
	time_t t;

	buf[0] = '\0';
	if (!iso || !strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm))
		return;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d +0000",
		 day[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* cyclictest's return_code: 0 when it ran to the end. */
static int return_code(const struct q_case *c)
{
	return c->status && !strcmp(c->status, "done") ? 0 : 1;
}

static void rt_head(struct json *j, const struct q_run *r,
		    const struct q_case *c)
{
	const char *rt = meta(r, "preempt_rt");
	const char *machine = meta(r, "machine");
	char when[64], version[128];

	json_kv_int(j, "file_version", 1);
	json_kv_string(j, "cmdline:", r->argv ? r->argv : "isolat");
	snprintf(version, sizeof(version), "isolat %s",
		 r->tool_version ? r->tool_version : "?");
	json_kv_string(j, "rt_test_version:", version);
	rfc2822(c->started_at ? c->started_at : r->started_at, when,
		sizeof(when));
	json_kv_string(j, "start_time", when);
	rfc2822(c->finished_at, when, sizeof(when));
	json_kv_string(j, "end_time", when);
	json_kv_int(j, "return_code", return_code(c));
	json_key(j, "sysinfo");
	json_begin_object(j);
	json_kv_string(j, "sysname", "Linux");
	json_kv_string(j, "nodename", r->hostname ? r->hostname : "");
	json_kv_string(j, "release", meta(r, "kernel_release")
					     ?: "");
	json_kv_string(j, "version", meta(r, "kernel_version") ?: "");
	json_kv_string(j, "machine", machine ? machine : "");
	json_kv_int(j, "realtime", rt && !strcmp(rt, "yes"));
	json_end_object(j);
}

static void hist_obj(struct json *j, const struct us_hist *h)
{
	char key[24];

	json_key(j, "histogram");
	json_begin_object(j);
	for (size_t us = 0; us < h->len; us++) {
		if (!h->n[us])
			continue;
		snprintf(key, sizeof(key), "%zu", us);
		json_kv_uint(j, key, h->n[us]);
	}
	json_end_object(j);
}

/* isolat's mean (ns) in microseconds to two decimals, as cyclictest
 * prints its avg ("%.2f"). */
static double avg_us(const struct q_series *q)
{
	return q->has_summary ? (double)(int64_t)(q->sum.mean / 10.0 + 0.5)
					/ 100.0
			      : 0;
}

static void thread_stats(struct json *j, const struct q_series *q)
{
	json_kv_uint(j, "min", q->has_summary ? q->sum.min / 1000 : 0);
	json_kv_uint(j, "max", q->has_summary ? q->sum.max / 1000 : 0);
	json_kv_double(j, "avg", avg_us(q));
}

/* A spin case's measuring time on cpu: its throughput windows times the
 * window length, in seconds (oslat's "duration"). */
static double spin_duration(const struct q_case *c, int cpu)
{
	for (size_t k = 0; k < c->nseries; k++)
		if (c->series[k].cpu == cpu && c->series[k].kind &&
		    !strcmp(c->series[k].kind, "throughput"))
			return (double)c->series[k].count * c->interval_us /
			       1e6;
	return 0;
}

static int write_threads(struct json *j, struct store *st,
			 const struct q_run *r, const struct q_case *c,
			 int oslat, char *err, size_t errsz)
{
	unsigned t = 0;
	int rc = 0;

	json_key(j, "thread");
	json_begin_object(j);
	for (size_t k = 0; k < c->nseries && !rc; k++) {
		const struct q_series *q = &c->series[k];
		struct us_hist h;
		char key[24];

		if (oslat ? !is_noise(q) : !is_latency(q))
			continue;
		rc = series_us_hist(st, r, c, q, &h, err, errsz);
		if (rc) {
			free(h.n);
			break;
		}
		snprintf(key, sizeof(key), "%u", t++);
		json_key(j, key);
		json_begin_object(j);
		if (oslat) {
			json_kv_int(j, "cpu", q->cpu);
			json_kv_int(j, "freq", 0);
			json_kv_uint(j, "min", q->has_summary ? q->sum.min / 1000
							      : 0);
			json_kv_double(j, "avg", avg_us(q));
			json_kv_uint(j, "max", q->has_summary ? q->sum.max / 1000
							      : 0);
			json_kv_double(j, "duration",
				       spin_duration(c, q->cpu));
			hist_obj(j, &h);
		} else {
			hist_obj(j, &h);
			json_kv_uint(j, "cycles", h.total);
			thread_stats(j, q);
			json_kv_int(j, "cpu", q->cpu);
			json_kv_int(j, "node", 0);
		}
		json_end_object(j);
		free(h.n);
	}
	json_end_object(j);
	return rc;
}

static int rt_tests_json(struct store *st, const struct q_run *r,
			 const struct q_case *c, FILE *out, char *err,
			 size_t errsz)
{
	int oslat = !count_series(c, is_latency);
	struct json j;
	int rc;

	json_init(&j, out, 1);
	json_begin_object(&j);
	rt_head(&j, r, c);
	json_kv_uint(&j, "num_threads",
		     count_series(c, oslat ? is_noise : is_latency));
	if (!oslat)
		json_kv_int(&j, "resolution_in_ns", 0);
	rc = write_threads(&j, st, r, c, oslat, err, errsz);
	json_end_object(&j);
	if (rc)
		return rc;
	rc = json_finish(&j);
	if (rc)
		snprintf(err, errsz, "writing the %s export failed",
			 oslat ? "oslat-json" : "cyclictest-json");
	return rc;
}

/* --- OSADL RT Dataset ---------------------------------------------------- */

/* "2026-12-03T08:09:41Z" -> "2026-12-03T08:09:41+00:00", as
 * mk-rtdataset.py writes its timestamps. */
static void iso_offset(const char *iso, char *buf, size_t size)
{
	size_t n = iso ? strlen(iso) : 0;

	if (n && iso[n - 1] == 'Z')
		snprintf(buf, size, "%.*s+00:00", (int)(n - 1), iso);
	else
		snprintf(buf, size, "%s", iso ? iso : "");
}

/* vendor = the CPU model's first word without "(R)"; type = the rest. */
static void processor_json(struct json *j, const struct q_run *r)
{
	const char *model = r->cpu_model ? r->cpu_model : "";
	const char *sp = strchr(model, ' ');
	const char *machine = meta(r, "machine");
	char vendor[64];
	size_t n = sp ? (size_t)(sp - model) : strlen(model);
	char *paren;

	snprintf(vendor, sizeof(vendor), "%.*s", (int)n, model);
	paren = strchr(vendor, '(');
	if (paren)
		*paren = '\0';
	json_key(j, "processor");
	json_begin_object(j);
	json_kv_string(j, "family", machine ? machine : "unknown");
	json_kv_string(j, "vendor", vendor);
	json_kv_string(j, "type", sp ? sp + 1 : model);
	json_end_object(j);
}

/* The kernel configuration's non-empty, non-comment lines, when the run
 * was made on this host under the kernel it runs now (the store does not
 * keep the configuration); else []. */
static void kernel_config(struct json *j, const struct q_run *r)
{
	const char *rel = meta(r, "kernel_release");
	char host[256] = "", path[512], line[4096];
	struct utsname u;
	FILE *f = NULL;

	json_key(j, "config");
	json_begin_array(j);
	if (rel && r->hostname && gethostname(host, sizeof(host) - 1) == 0 &&
	    !strcmp(host, r->hostname) && uname(&u) == 0 &&
	    !strcmp(u.release, rel)) {
		snprintf(path, sizeof(path), "/boot/config-%s", rel);
		f = fopen(path, "r");
	}
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && line[0] != '#')
			json_string(j, line);
	}
	if (f)
		fclose(f);
	json_end_array(j);
}

/* The cyclictest command line of the same measurement; plot-rtdataset.py
 * reads the measured CPUs from its "-aCPUS " and titles the x axis with
 * it. */
static void cyclictest_line(const struct q_case *c, char *buf, size_t size,
			    uint64_t cycles)
{
	char cpus[256] = "";
	size_t n = 0;

	for (size_t k = 0; k < c->nseries && n + 12 < sizeof(cpus); k++)
		if (is_latency(&c->series[k]))
			n += (size_t)snprintf(cpus + n, sizeof(cpus) - n,
					      "%s%d", n ? "," : "",
					      c->series[k].cpu);
	snprintf(buf, size, "cyclictest -m -a%s -t%u -i%u -l%" PRIu64
		 " -q", cpus, count_series(c, is_latency), c->interval_us,
		 cycles);
}

/* "latency": granularity, maxima per CPU, and cores: the class axis
 * 0..classes-1, then one row of counts per CPU (h[0..ns-1]). */
static void osadl_latency(struct json *jp, const struct q_case *c,
			  const struct us_hist *h, unsigned ns, size_t classes)
{
	json_key(jp, "latency");
	json_begin_object(jp);
	json_kv_string(jp, "granularity", "microseconds");
	json_key(jp, "maxima");
	json_begin_array(jp);
	for (size_t k = 0; k < c->nseries; k++)
		if (is_latency(&c->series[k]))
			json_uint(jp, c->series[k].has_summary
					      ? c->series[k].sum.max / 1000 : 0);
	json_end_array(jp);
	json_key(jp, "cores");
	json_begin_array(jp);
	json_begin_array(jp);
	for (size_t us = 0; us < classes; us++)
		json_uint(jp, us);
	json_end_array(jp);
	for (unsigned i = 0; i < ns; i++) {
		json_begin_array(jp);
		for (size_t us = 0; us < classes; us++)
			json_uint(jp, us < h[i].len ? h[i].n[us] : 0);
		json_end_array(jp);
	}
	json_end_array(jp);
	json_end_object(jp);
}

static int osadl_json(struct store *st, const struct q_run *r,
		      const struct q_case *c, FILE *out, char *err,
		      size_t errsz)
{
	unsigned ns = count_series(c, is_latency), t = 0;
	struct us_hist *h = calloc(ns ? ns : 1, sizeof(*h));
	uint64_t cycles = 0;
	size_t classes = 0;
	char buf[1024];
	struct json j;
	int rc = 0;

	if (!h) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	for (size_t k = 0; k < c->nseries && !rc; k++) {
		if (!is_latency(&c->series[k]))
			continue;
		rc = series_us_hist(st, r, c, &c->series[k], &h[t], err,
				    errsz);
		if (h[t].total && h[t].max_us + 1u > classes)
			classes = h[t].max_us + 1u;
		if (h[t].total > cycles)
			cycles = h[t].total;
		t++;
	}
	if (rc)
		goto out;
	json_init(&j, out, 1);
	json_begin_object(&j);
	json_key(&j, "format");
	json_begin_object(&j);
	json_kv_string(&j, "name", "RT Dataset");
	json_kv_string(&j, "version", "1.0");
	json_end_object(&j);
	json_key(&j, "timestamps");
	json_begin_object(&j);
	/* A case without a start time (recorded before it began): the
	 * run's. */
	iso_offset(c->started_at ? c->started_at : r->started_at, buf,
		   sizeof(buf));
	json_kv_string(&j, "origin", buf);
	store_now(buf, sizeof(buf));
	iso_offset(buf, buf + 512, 512);
	json_kv_string(&j, "dataset", buf + 512);
	json_end_object(&j);
	json_key(&j, "system");
	json_begin_object(&j);
	json_kv_string(&j, "hostname", r->hostname);
	json_end_object(&j);
	processor_json(&j, r);
	json_key(&j, "kernel");
	json_begin_object(&j);
	/* Strings, never null: OSADL's plot-rtdataset.py concatenates
	 * them. */
	json_kv_string(&j, "version", meta(r, "kernel_release") ?: "unknown");
	kernel_config(&j, r);
	json_kv_string(&j, "cmdline", meta(r, "cmdline") ?: "");
	json_end_object(&j);
	json_key(&j, "condition");
	json_begin_object(&j);
	json_kv_string(&j, "load",
		       c->load && strcmp(c->load, "none") ? "heavy" : "idle");
	json_kv_uint(&j, "cycles", cycles);
	json_kv_uint(&j, "interval", c->interval_us);
	cyclictest_line(c, buf, sizeof(buf), cycles);
	json_kv_string(&j, "cyclictest", buf);
	json_end_object(&j);
	osadl_latency(&j, c, h, ns, classes);
	/* What the case was, for a reader that knows isolat (the plot
	 * script ignores keys it does not use). */
	json_key(&j, "isolat");
	json_begin_object(&j);
	json_kv_string(&j, "run_uuid", r->uuid);
	json_kv_int(&j, "case", c->idx);
	json_kv_string(&j, "name", c->name);
	json_kv_string(&j, "environment", c->environment);
	json_kv_string(&j, "profile", c->profile);
	json_kv_string(&j, "workload", c->workload);
	json_kv_string(&j, "load", c->load);
	json_kv_bool(&j, "emulated", c->emulated);
	json_end_object(&j);
	json_end_object(&j);
	rc = json_finish(&j);
	if (rc)
		snprintf(err, errsz, "writing the osadl export failed");
out:
	for (unsigned i = 0; i < ns; i++)
		free(h[i].n);
	free(h);
	return rc;
}

int export_case_rt(struct store *st, const struct q_run *r,
		   const struct q_case *c, enum export_format fmt, FILE *out,
		   char *err, size_t errsz)
{
	if (fmt != EXPORT_CYCLICTEST_JSON && fmt != EXPORT_OSADL) {
		snprintf(err, errsz, "internal error: format %d is not an "
			 "rt-tests or OSADL shape", (int)fmt);
		return -EINVAL;
	}
	if (!export_case_rt_applies(c, fmt)) {
		snprintf(err, errsz, "case %d (%s) is %s and has no %s; "
			 "expected a case with samples%s", c->idx, c->name,
			 c->status ? c->status : "?",
			 fmt == EXPORT_OSADL ? "latency series"
					     : "latency or spin noise series",
			 fmt == EXPORT_OSADL ? " of a latency workload (rtlat, "
					       "cyclictest)" : "");
		return -ENOENT;
	}
	return fmt == EXPORT_OSADL ? osadl_json(st, r, c, out, err, errsz)
				   : rt_tests_json(st, r, c, out, err, errsz);
}
