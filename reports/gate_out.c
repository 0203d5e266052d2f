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
			 "t test p = %.3g (%zu vs %zu runs): %s", b, c,
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
	if (res->alpha > 0)
		fprintf(f, "\"/>\n      <property name=\"alpha\" value=\"%g\""
			"/>\n", res->alpha);
	else
		fputs("\"/>\n      <property name=\"alpha\" value=\"off\"/>\n",
		      f);
	fprintf(f, "      <property name=\"baseline_runs\" value=\"%zu\"/>\n"
		"    </properties>\n", res->nbase);
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

static void md_row(FILE *f, const struct gate_row *r)
{
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
	md_escape(f, r->ceil[0] ? r->ceil : r->limit[0] ? r->limit : "-");
	fprintf(f, " | %s", r->verdict == GV_FAIL ? "**FAIL**"
		: r->verdict == GV_MISSING ? "**MISSING**"
		: r->verdict == GV_ERROR ? "**ERROR**"
		: verdict_name[r->verdict]);
	if (r->verdict != GV_PASS) {
		fputs(": ", f);
		md_escape(f, r->message);
	}
	fputs(" |\n", f);
}

static const char md_head[] =
	"| case | cpu | metric | baseline | candidate | delta | p | limit | "
	"verdict |\n|---|---:|---|---:|---:|---:|---:|---|---|\n";

static int is_bad(const struct gate_row *r)
{
	return r->verdict == GV_FAIL || r->verdict == GV_ERROR ||
	       r->verdict == GV_MISSING;
}

/* Size of a change for ranking: |relative delta|, compared rows only. */
static double change_of(const struct gate_row *r)
{
	if (r->metric < 0 || isnan(r->rel))
		return -1.0;
	return fabs(r->rel);
}

/* Row indexes of the (up to) n largest changes that are not failures. */
static size_t largest(const struct gate_result *res, size_t *top, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < res->nrows; i++) {
		double c = change_of(&res->rows[i]);
		size_t j;

		if (c < 0 || is_bad(&res->rows[i]))
			continue;
		if (k < n)
			k++;
		else if (c <= change_of(&res->rows[top[n - 1]]))
			continue;
		for (j = k - 1; j > 0 && change_of(&res->rows[top[j - 1]]) < c;
		     j--)
			top[j] = top[j - 1];
		top[j] = i;
	}
	return k;
}

/* Write rows to f while the text stays under budget; returns how many
 * were left out.  mark: rows already written. */
static size_t md_rows_budget(FILE *f, const struct gate_result *res,
			     const unsigned char *mark, long budget)
{
	size_t left = 0;

	for (size_t i = 0; i < res->nrows; i++) {
		if (mark[i])
			continue;
		if (ftell(f) > budget) {
			left++;
			continue;
		}
		md_row(f, &res->rows[i]);
	}
	return left;
}

static void md_header(const struct gate_result *res, FILE *f)
{
	const char *verdict = res->nfail || res->nerror || res->nmissing
			      ? "REGRESSION" : res->nreal ? "pass"
			      : "nothing real compared";

	fprintf(f, "### isolat gate: %s\n\n", verdict);
	fprintf(f, "%d failed, %d errors, %d missing, %d passed, %d skipped",
		res->nfail, res->nerror, res->nmissing, res->npass,
		res->nskip);
	if (res->nemulated)
		fprintf(f, " (%d rows of emulated cases shown, not gated)",
			res->nemulated);
	fputs(".  Candidate `", f);
	md_escape(f, res->cand_uuid);
	fputs("`", f);
	if (res->cand_ref[0] && strcmp(res->cand_ref, res->cand_uuid)) {
		fputs(" (", f);
		md_escape(f, res->cand_ref);
		fputs(")", f);
	}
	if (!res->nbase) {
		fputs(", no baseline: limits only.\n\n", f);
		return;
	}
	fprintf(f, " against %zu baseline run%s (first `", res->nbase,
		res->nbase == 1 ? "" : "s");
	md_escape(f, res->base_uuid);
	fputs("`", f);
	if (res->base_ref[0] && strcmp(res->base_ref, res->base_uuid)) {
		fputs(", ", f);
		md_escape(f, res->base_ref);
	}
	fputs(").\n\n", f);
}

int gate_write_markdown(const struct gate_result *res, FILE *f)
{
	unsigned char *mark = calloc(res->nrows + 1, 1);
	size_t top[10], ntop, left, badleft = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (!mark)
		return -ENOMEM;
	/* Built in memory so the budget is counted exactly. */
	m = open_memstream(&buf, &len);
	if (!m) {
		free(mark);
		return -ENOMEM;
	}
	fputs("<!-- isolat-gate-md 2 -->\n", m);
	md_header(res, m);
	if (res->nnotes) {
		fprintf(m, "Note: %u baseline case%s ran with other parameters "
			"than the candidate's (gated as matched):\n\n```\n%s```\n\n",
			res->nnotes, res->nnotes == 1 ? "" : "s", res->notes);
	}
	if (res->nfail || res->nerror || res->nmissing) {
		fputs("#### Failures\n\n", m);
		fputs(md_head, m);
		for (size_t i = 0; i < res->nrows; i++)
			if (is_bad(&res->rows[i])) {
				mark[i] = 1;
				if (ftell(m) < GATE_MD_MAX - 8000)
					md_row(m, &res->rows[i]);
				else
					badleft++;
			}
		if (badleft)
			fprintf(m, "\n%zu more failures left out to keep this "
				"comment short: the JUnit file has every row.\n",
				badleft);
		fputs("\n", m);
	}
	ntop = largest(res, top, 10);
	if (ntop) {
		fputs("#### Largest changes\n\n", m);
		fputs(md_head, m);
		for (size_t i = 0; i < ntop; i++) {
			mark[top[i]] = 1;
			md_row(m, &res->rows[top[i]]);
		}
		fputs("\n", m);
	}
	fputs("<details><summary>All other rows</summary>\n\n", m);
	fputs(md_head, m);
	left = md_rows_budget(m, res, mark, GATE_MD_MAX - 2000);
	if (left)
		fprintf(m, "\n%zu more rows left out to keep this comment "
			"short: the JUnit file has every row.\n", left);
	fputs("\n</details>\n\nLimits fail on the worst candidate run; max, "
	      "dropped, over and run fail by rule (candidate > baseline worst "
	      "x (1 + r) + d); quantiles fail when over the margin and outside "
	      "the baseline runs' spread (one-sided t test", m);
	if (res->alpha > 0)
		fprintf(m, ", p < %g", res->alpha);
	else
		fputs(" off: the margin alone", m);
	fputs(").  A baseline case the candidate lacks or skipped is "
	      "missing and fails the gate.\n", m);
	fclose(m);
	free(mark);
	if (!buf)
		return -ENOMEM;
	fwrite(buf, 1, len, f);
	free(buf);
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
		/* One row per metric: each CPU once. */
		int seen = 0;

		for (size_t k = from; k < i && !seen; k++)
			seen = res->rows[k].cpu == r->cpu &&
			       !strcmp(res->rows[k].case_key, r->case_key);
		if (r->cpu >= 0 && !seen && len < size)
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
	if (summary && res->nbase > 1)
		fprintf(f, "isolat gate: %s vs %zu baseline runs (first %s): %d "
			"passed, %d failed, %d errors, %d missing, %d skipped\n",
			res->cand_uuid, res->nbase, res->base_uuid, res->npass,
			res->nfail, res->nerror, res->nmissing, res->nskip);
	else if (summary && !res->nbase)
		fprintf(f, "isolat gate: %s, no baseline, limits only: %d "
			"passed, %d failed, %d errors, %d missing, %d skipped\n",
			res->cand_uuid, res->npass, res->nfail, res->nerror,
			res->nmissing, res->nskip);
	else if (summary)
		fprintf(f, "isolat gate: %s vs baseline %s: %d passed, %d "
			"failed, %d errors, %d missing, %d skipped\n",
			res->cand_uuid, res->base_uuid, res->npass, res->nfail,
			res->nerror, res->nmissing, res->nskip);
	if (summary && res->nnotes)
		fprintf(f, "isolat gate: note: %u baseline case%s ran with "
			"other parameters than the candidate's (as `isolat "
			"compare` says); gated as matched:\n%s", res->nnotes,
			res->nnotes == 1 ? "" : "s", res->notes);
	for (size_t i = 0; summary && i < res->nrows; i++)
		if (strstr(res->rows[i].message, "run-to-run spread unknown")) {
			fputs("isolat gate: note: one baseline run: run-to-run "
			      "spread unknown, quantiles (p50 .. p9999) shown, "
			      "not gated; limits and rules apply.  Give several "
			      "baseline runs (--baseline again, --baseline-last "
			      "N) or repetitions\n", f);
			break;
		}
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
			if (r->cpu >= 0)
				fprintf(f, " cpu %d", r->cpu);
			fprintf(f, " %s", metric_of(r));
		}
		fputs(": ", f);
		plain(f, r->message);
		fputc('\n', f);
	}
	free(done);
	return fflush(f) || ferror(f) ? -EIO : 0;
}
