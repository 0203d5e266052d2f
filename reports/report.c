/*
 * report.c - report_render(): the order of the render, the output folder,
 * and finding gnuplot.  The pieces are in report_data.c (data files),
 * report_plot.c (scripts, running gnuplot) and report_html.c (index.html).
 */
#include "reports/report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/report_int.h"

const char *const rpt_kind_name[RPT_NKINDS] = { "hist", "maxsec", "pct" };

int report_find_gnuplot(char *buf, size_t size)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		struct stat sb;
		size_t len;

		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		len = (size_t)(end - p);
		/* An empty PATH element means the current directory; a
		 * report run as root must not pick up ./gnuplot. */
		if (len > 0 && len + sizeof("/gnuplot") <= size) {
			memcpy(buf, p, len);
			memcpy(buf + len, "/gnuplot", sizeof("/gnuplot"));
			if (buf[0] == '/' && access(buf, X_OK) == 0 &&
			    stat(buf, &sb) == 0 && S_ISREG(sb.st_mode))
				return 0;
		}
		if (!*end)
			break;
	}
	if (size)
		buf[0] = '\0';
	return -ENOENT;
}

/* mkdir -p outdir. */
static int make_dirs(const char *dir, char *err, size_t errsz)
{
	char buf[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf)) {
		snprintf(err, errsz, "report folder name is empty or too long");
		return -EINVAL;
	}
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			int e = errno;

			snprintf(err, errsz, "%s: cannot create folder: %s", buf,
				 strerror(e));
			/* An I/O error for the caller (exit 2), whatever the
			 * errno: -ENOENT means "gnuplot missing" (exit 3). */
			return -EIO;
		}
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

FILE *rpt_create(struct rpt *r, const char *name, int *rc)
{
	/* O_NOFOLLOW: reports are written as root into results/, where a
	 * planted symlink must not redirect a write. */
	int fd = openat(r->dirfd, name,
			O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
			0644);
	FILE *f;

	if (fd < 0) {
		*rc = -errno;
		snprintf(r->err, r->errsz, "%s/%s: cannot create: %s",
			 r->outdir, name, strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		*rc = -errno;
		close(fd);
		snprintf(r->err, r->errsz, "%s/%s: %s", r->outdir, name,
			 strerror(-*rc));
	}
	return f;
}

int rpt_close(struct rpt *r, FILE *f, const char *name)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		snprintf(r->err, r->errsz, "%s/%s: write failed (disk full?)",
			 r->outdir, name);
		return -EIO;
	}
	return 0;
}

/* snprintf at the end of buf. */
static void append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

void rpt_case_title(const struct q_case *c, char *buf, size_t size)
{
	const char *s = c->status ? c->status : "";

	/* Widths bound what a scenario's long names can do to a title. */
	snprintf(buf, size, "case %d %.60s: %.10s, %.20s, profile %.30s, "
		 "load %.20s", c->idx, c->name ? c->name : "",
		 c->environment ? c->environment : "",
		 c->workload ? c->workload : "", c->profile ? c->profile : "",
		 c->load ? c->load : "");
	if (c->repetition)
		append(buf, size, ", repetition %d", c->repetition);
	if (strcmp(s, "done"))
		append(buf, size, " - %.20s", s);
	if (c->emulated)
		append(buf, size, " (EMULATED)");
}

static void rpt_free(struct rpt *r)
{
	if (r->cases) {
		for (size_t i = 0; i < r->run.ncases; i++)
			for (int k = 0; k < RPT_NKINDS; k++)
				free(r->cases[i].plot[k].block);
		free(r->cases);
	}
	free(r->scripts);
	free(r->figs);
	query_run_free(&r->run);
	if (r->dirfd >= 0)
		close(r->dirfd);
}

int report_render(struct store *st, int64_t run_id, const char *outdir,
		  char *err, size_t errsz)
{
	return report_render_style(st, run_id, outdir, REPORT_PLAIN, err,
				   errsz);
}

int report_render_style(struct store *st, int64_t run_id, const char *outdir,
			int style, char *err, size_t errsz)
{
	struct rpt r = { .st = st, .outdir = outdir, .dirfd = -1,
			 .err = err, .errsz = errsz,
			 .paper = (style & ~REPORT_AUTOSCALE) == REPORT_PAPER,
			 .autoscale = !!(style & REPORT_AUTOSCALE) };
	int rc;

	/* Before anything is written: a missing gnuplot is the most likely
	 * failure and should leave no half-made folder behind. */
	if (report_find_gnuplot(r.gnuplot, sizeof(r.gnuplot)) < 0) {
		snprintf(err, errsz, "gnuplot not found in PATH: install it "
			 "(apt-get install gnuplot-nox)");
		return -ENOENT;
	}
	rc = query_run_load(st, run_id, &r.run, err, errsz);
	if (rc)
		return rc;
	rc = make_dirs(outdir, err, errsz);
	if (rc)
		goto out;
	r.dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r.dirfd < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: cannot open folder: %s", outdir,
			 strerror(errno));
		goto out;
	}
	r.cases = calloc(r.run.ncases ? r.run.ncases : 1, sizeof(*r.cases));
	if (!r.cases) {
		rc = -ENOMEM;
		snprintf(err, errsz, "out of memory rendering the report");
		goto out;
	}
	/* The shared histogram range, from the summaries (no samples). */
	for (size_t i = 0; i < r.run.ncases; i++) {
		const struct q_case *c = &r.run.cases[i];

		for (size_t k = 0; k < c->nseries; k++)
			if (query_unit_is_ns(c->series[k].unit) &&
			    c->series[k].has_summary &&
			    c->series[k].sum.count) {
				double lo = c->series[k].sum.min / 1000.0,
				       hi = c->series[k].sum.max / 1000.0;
				int e = c->emulated;

				if (hi > r.hist_xmax_us[e])
					r.hist_xmax_us[e] = hi;
				if (lo < r.hist_xmin_us[e] ||
				    r.hist_xmin_us[e] == 0)
					r.hist_xmin_us[e] = lo > 0.1 ? lo : 0.1;
			}
	}
	for (size_t i = 0; i < r.run.ncases && !rc; i++) {
		rc = rpt_case_data(&r, i);
		if (!rc)
			rc = rpt_case_scripts(&r, i);
	}
	for (int emu = 0; emu < 2 && !rc; emu++) {
		rc = rpt_overview_data(&r, emu);
		if (!rc && r.have_overview[emu])
			rc = rpt_overview_script(&r, emu);
	}
	if (!rc)
		rc = rpt_envfigs(&r);
	if (!rc)
		rc = rpt_spin(&r);
	if (!rc)
		rc = rpt_profiles(&r);
	if (!rc)
		rc = rpt_run_scripts(&r);
	if (!rc)
		rc = rpt_html(&r);
out:
	rpt_free(&r);
	return rc;
}
