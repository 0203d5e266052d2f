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
#include <string.h>

#include "reports/gate.h"
#include "reports/report_int.h"

static const char *const verdict_name[] = { "pass", "FAIL", "skipped",
					    "ERROR" };

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
		res->nfail, res->nerror, res->nskip);
	fputs("  <testsuite name=\"", f);
	gate_xml_escape(f, res->cand_ref[0] ? res->cand_ref : res->cand_uuid);
	fprintf(f, "\" tests=\"%zu\" failures=\"%d\" errors=\"%d\" "
		"skipped=\"%d\">\n", res->nrows, res->nfail, res->nerror,
		res->nskip);
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
		if (r->verdict == GV_FAIL || r->verdict == GV_ERROR) {
			fprintf(f, "\n      <%s type=\"%s\" message=\"",
				r->verdict == GV_FAIL ? "failure" : "error",
				r->verdict == GV_FAIL ? "regression"
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
	const char *verdict = res->nfail || res->nerror ? "REGRESSION"
							: "pass";

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
	fprintf(f, ": %d passed, %d failed, %d errors, %d skipped.  A metric "
		"fails when it is over its limit and the shift is significant "
		"(one-sided Mann-Whitney U on per-block values, p < %g).\n\n",
		res->npass, res->nfail, res->nerror, res->nskip, res->alpha);
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
				    : verdict_name[r->verdict]);
		if (r->verdict != GV_PASS) {
			fputs(": ", f);
			md_escape(f, r->message);
		}
		fputs(" |\n", f);
	}
	return fflush(f) || ferror(f) ? -EIO : 0;
}
