/*
 * gate_out.c - the gate's verdict as JUnit XML (one testcase per case x
 * CPU x metric, for Jenkins / GitLab test reports) and as Markdown (for a
 * merge-request comment).
 *
 * Every piece of text that came from a database (case names, reasons) goes
 * through one escaper per format: XML entities with control characters and
 * invalid UTF-8 replaced (XML 1.0 cannot carry them at all), Markdown with
 * the characters that would start markup, a table cell or HTML escaped.
 * Format versions: JUnit "isolat-gate-junit 1", Markdown "isolat-gate-md 1"
 * (named in a property / comment, bumped on incompatible change).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/gate.h"
#include "reports/report_int.h"

static const char *const verdict_name[] = { "pass", "FAIL", "skipped",
					    "ERROR", "MISSING" };

void gate_xml_escape(FILE *f, const char *s)
{
	rpt_quote(f, s, RPT_Q_XML);
}

static void md_escape(FILE *f, const char *s)
{
	rpt_quote(f, s, RPT_Q_MD);
}

static const char *metric_of(const struct gate_row *r)
{
	return r->metric < 0 ? "case" : gate_metric_name[r->metric];
}

/* A value for people: microseconds for latencies, counts as integers. */
static void fmt_val(char *buf, size_t size, const struct gate_row *r,
		    double v)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else if (r->metric == GM_DROPPED || !r->unit_ns)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.1f us", v / 1000.0);
}

static void fmt_delta(char *buf, size_t size, const struct gate_row *r)
{
	char d[32];

	if (isnan(r->delta)) {
		snprintf(buf, size, "-");
		return;
	}
	if (r->metric == GM_DROPPED || !r->unit_ns)
		snprintf(d, sizeof(d), "%+.0f", r->delta);
	else
		snprintf(d, sizeof(d), "%+.1f us", r->delta / 1000.0);
	if (isnan(r->rel))
		snprintf(buf, size, "%s", d);
	else
		snprintf(buf, size, "%s (%+.1f%%)", d, r->rel * 100.0);
}

static void row_detail(char *buf, size_t size, const struct gate_row *r)
{
	char b[32], c[32], d[48];

	fmt_val(b, sizeof(b), r, r->base);
	fmt_val(c, sizeof(c), r, r->cand);
	fmt_delta(d, sizeof(d), r);
	if (r->metric < 0)
		snprintf(buf, size, "%s", r->message);
	else if (isnan(r->p))
		snprintf(buf, size, "baseline %s, candidate %s, delta %s: %s",
			 b, c, d, r->message);
	else
		snprintf(buf, size, "baseline %s, candidate %s, delta %s, "
			 "Mann-Whitney p = %.3g (%zu vs %zu blocks): %s", b, c,
			 d, r->p, r->nb_base, r->nb_cand, r->message);
}

int gate_write_junit(const struct gate_result *res, FILE *f)
{
	char cls[260], detail[600];

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"isolat gate\" tests=\"%zu\" "
		"failures=\"%d\" errors=\"%d\" skipped=\"%d\">\n", res->nrows,
		res->nfail, res->nerror + res->nmissing, res->nskip);
	fputs("  <testsuite name=\"", f);
	gate_xml_escape(f, res->cand_ref[0] ? res->cand_ref : res->cand_uuid);
	fprintf(f, "\" tests=\"%zu\" failures=\"%d\" errors=\"%d\" "
		"skipped=\"%d\">\n", res->nrows, res->nfail,
		res->nerror + res->nmissing, res->nskip);
	fputs("    <properties>\n"
	      "      <property name=\"format\" value=\"isolat-gate-junit 1\"/>\n"
	      "      <property name=\"baseline\" value=\"", f);
	gate_xml_escape(f, res->base_uuid);
	fputs("\"/>\n      <property name=\"baseline_ref\" value=\"", f);
	gate_xml_escape(f, res->base_ref);
	fputs("\"/>\n      <property name=\"candidate\" value=\"", f);
	gate_xml_escape(f, res->cand_uuid);
	fprintf(f, "\"/>\n      <property name=\"alpha\" value=\"%g\"/>\n"
		"    </properties>\n", res->alpha);
	for (size_t i = 0; i < res->nrows; i++) {
		const struct gate_row *r = &res->rows[i];

		if (r->cpu >= 0)
			snprintf(cls, sizeof(cls), "isolat.%s.cpu%d",
				 r->case_key, r->cpu);
		else
			snprintf(cls, sizeof(cls), "isolat.%s", r->case_key);
		row_detail(detail, sizeof(detail), r);
		fputs("    <testcase classname=\"", f);
		gate_xml_escape(f, cls);
		fputs("\" name=\"", f);
		gate_xml_escape(f, metric_of(r));
		if (r->emulated)
			fputs(" (EMULATED)", f);
		fputs("\">", f);
		if (r->verdict == GV_FAIL || r->verdict == GV_ERROR ||
		    r->verdict == GV_MISSING) {
			fprintf(f, "\n      <%s type=\"%s\" message=\"",
				r->verdict == GV_FAIL ? "failure" : "error",
				r->verdict == GV_FAIL ? "regression"
				: r->verdict == GV_MISSING ? "missing-case"
				: "case-failed");
			gate_xml_escape(f, r->message);
			fputs("\">", f);
			gate_xml_escape(f, detail);
			fprintf(f, "</%s>\n    ",
				r->verdict == GV_FAIL ? "failure" : "error");
		} else if (r->verdict == GV_SKIP) {
			fputs("\n      <skipped message=\"", f);
			gate_xml_escape(f, r->message);
			fputs("\"/>\n    ", f);
		} else {
			fputs("\n      <system-out>", f);
			gate_xml_escape(f, detail);
			fputs("</system-out>\n    ", f);
		}
		fputs("</testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	return fflush(f) || ferror(f) ? -EIO : 0;
}

int gate_write_markdown(const struct gate_result *res, FILE *f)
{
	const char *verdict = res->nfail || res->nerror || res->nmissing
			      ? "REGRESSION" : "pass";

	fputs("<!-- isolat-gate-md 1 -->\n", f);
	fprintf(f, "### isolat gate: %s\n\n", verdict);
	fputs("candidate `", f);
	md_escape(f, res->cand_uuid);
	fputs("`", f);
	if (res->cand_ref[0] && strcmp(res->cand_ref, res->cand_uuid)) {
		fputs(" (", f);
		md_escape(f, res->cand_ref);
		fputs(")", f);
	}
	fputs(" against baseline `", f);
	md_escape(f, res->base_uuid);
	fputs("`", f);
	if (res->base_ref[0] && strcmp(res->base_ref, res->base_uuid)) {
		fputs(" (", f);
		md_escape(f, res->base_ref);
		fputs(")", f);
	}
	fprintf(f, ": %d passed, %d failed, %d errors, %d missing, %d "
		"skipped.  A metric fails when it is over its limit and the "
		"shift is significant (one-sided Mann-Whitney U on per-block "
		"values, p < %g); a baseline case the candidate lacks or "
		"skipped is missing and fails the gate.\n\n", res->npass,
		res->nfail, res->nerror, res->nmissing, res->nskip,
		res->alpha);
	for (size_t i = 0; i < res->nrows; i++) {
		const struct gate_row *r = &res->rows[i];

		if (r->verdict != GV_MISSING)
			continue;
		fputs("**MISSING** `", f);
		md_escape(f, r->case_key);
		fputs("`", f);
		if (r->emulated)
			fputs(" (EMULATED)", f);
		fputs(": ", f);
		md_escape(f, r->message);
		fputs("  \n", f);
	}
	if (res->nmissing)
		fputs("\n", f);
	fputs("| case | cpu | metric | baseline | candidate | delta | p | "
	      "limit | verdict |\n"
	      "|---|---:|---|---:|---:|---:|---:|---|---|\n", f);
	for (size_t i = 0; i < res->nrows; i++) {
		const struct gate_row *r = &res->rows[i];
		char b[32], c[32], d[48];

		fmt_val(b, sizeof(b), r, r->base);
		fmt_val(c, sizeof(c), r, r->cand);
		fmt_delta(d, sizeof(d), r);
		fputs("| ", f);
		md_escape(f, r->case_key);
		if (r->emulated)
			fputs(" (EMULATED)", f);
		if (r->cpu >= 0)
			fprintf(f, " | %d | ", r->cpu);
		else
			fputs(" | - | ", f);
		fprintf(f, "%s | %s | %s | %s | ", metric_of(r), b, c, d);
		if (isnan(r->p))
			fputs("- | ", f);
		else
			fprintf(f, "%.3g | ", r->p);
		md_escape(f, r->limit[0] ? r->limit : "-");
		fprintf(f, " | %s", r->verdict == GV_FAIL ? "**FAIL**"
			: r->verdict == GV_MISSING ? "**MISSING**"
			: verdict_name[r->verdict]);
		if (r->verdict != GV_PASS) {
			fputs(": ", f);
			md_escape(f, r->message);
		}
		fputs(" |\n", f);
	}
	return fflush(f) || ferror(f) ? -EIO : 0;
}

/* The CPUs of the skipped rows of one case and reason: "cpu 2,3", "". */
static void skip_cpus(const struct gate_result *res, size_t from,
		      unsigned char *done, char *buf, size_t size)
{
	const struct gate_row *a = &res->rows[from];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = from; i < res->nrows; i++) {
		const struct gate_row *r = &res->rows[i];

		if (done[i] || r->verdict != GV_SKIP ||
		    strcmp(r->case_key, a->case_key) ||
		    strcmp(r->message, a->message))
			continue;
		done[i] = 1;
		if (r->cpu >= 0 && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%d",
						len ? "," : "cpu ", r->cpu);
	}
}

/* Text for a terminal: control characters blanked. */
static void plain(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
}

int gate_write_console(const struct gate_result *res, FILE *f, int summary)
{
	unsigned char *done = calloc(res->nrows + 1, 1);

	if (!done)
		return -ENOMEM;
	if (summary)
		fprintf(f, "isolat gate: %s vs baseline %s: %d passed, %d "
			"failed, %d errors, %d missing, %d skipped\n",
			res->cand_uuid, res->base_uuid, res->npass, res->nfail,
			res->nerror, res->nmissing, res->nskip);
	for (size_t i = 0; i < res->nrows; i++) {
		const struct gate_row *r = &res->rows[i];
		char cpus[160];

		if (r->verdict == GV_PASS || (r->verdict == GV_SKIP &&
					      (done[i] || !summary)))
			continue;
		fprintf(f, "isolat gate: %s ", r->verdict == GV_SKIP
			? "skipped" : verdict_name[r->verdict]);
		plain(f, r->case_key);
		if (r->emulated)
			fputs(" (EMULATED)", f);
		if (r->verdict == GV_SKIP) {
			skip_cpus(res, i, done, cpus, sizeof(cpus));
			if (cpus[0])
				fprintf(f, " %s", cpus);
		} else if (r->verdict != GV_MISSING) {
			fprintf(f, " cpu %d %s", r->cpu, metric_of(r));
		}
		fputs(": ", f);
		plain(f, r->message);
		fputc('\n', f);
	}
	free(done);
	return fflush(f) || ferror(f) ? -EIO : 0;
}
