/*
 * report_html.c - index.html of a rendered report.
 *
 * One self-contained page (inline CSS, no scripts, no external resources),
 * readable offline and from a CI artifact store.  Everything that came from
 * outside (metadata, names, reasons, event messages) goes through html()
 * (escaped; control characters and invalid UTF-8 replaced).  The summary
 * table has the same columns as `isolat show`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_int.h"
#include "reports/headline.h"
#include "reports/interrupts.h"
#include "reports/load_cmp.h"

/* Text, HTML-escaped (also safe inside a double-quoted attribute). */
static void html(FILE *f, const char *s)
{
	rpt_quote(f, s, RPT_Q_HTML);
}

static const char css[] =
	"body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1400px}"
	"table{border-collapse:collapse;margin:.5em 0 1em}"
	"td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;"
	"vertical-align:top}"
	"th{background:#eee}td.n{text-align:right;font-family:monospace}"
	"td.k{font-weight:bold;white-space:nowrap}"
	".banner{padding:.6em 1em;margin:1em 0;font-weight:bold;"
	"border:2px solid}"
	".emulated{background:#fff3cd;border-color:#c09000}"
	".flagged{background:#fde2e1;border-color:#c0392b}"
	".tag{font-weight:bold;padding:0 4px;border-radius:3px}"
	".tag.emu{background:#f0c36d}.tag.flag{background:#e88}"
	".plot{margin:.5em 0 1.5em}.plot img{max-width:100%;height:auto;"
	"border:1px solid #ddd}.links{font-size:90%}"
	"pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}"
	"td.na{color:#888;font-style:italic}.ratio{font-size:85%;color:#555}"
	"tr.emurow{background:#fff8e1}div.toc{background:#f6f6f6;"
	"padding:.3em 1em;margin:1em 0}div.toc li{display:inline;"
	"margin-right:1.2em}details.case{margin:.4em 0;border:1px solid #ddd;"
	"padding:.2em .6em}details.case>summary{cursor:pointer;"
	"font-weight:bold}table.params td{font-family:monospace}";

static void kv_row(FILE *f, const char *k, const char *v)
{
	fputs("<tr><td class=\"k\">", f);
	html(f, k);
	fputs("</td><td>", f);
	html(f, v && *v ? v : "-");
	fputs("</td></tr>\n", f);
}

static int meta_row(void *ctx, const char *key, const char *value)
{
	kv_row(ctx, key, value);
	return 0;
}

static void run_section(const struct q_run *run, FILE *f)
{
	struct q_counts n;
	char buf[256];

	query_case_counts(run, &n);
	fputs("<h2 id=\"run\">Run and host</h2>\n<table>\n", f);
	kv_row(f, "run", run->uuid);
	kv_row(f, "scenario", run->scenario_name);
	kv_row(f, "scenario file", run->scenario_path);
	kv_row(f, "status", run->status);
	kv_row(f, "started", run->started_at);
	kv_row(f, "finished", run->finished_at);
	kv_row(f, "tool version", run->tool_version);
	kv_row(f, "command", run->argv);
	snprintf(buf, sizeof(buf), "%zu: %d done, %d failed, %d skipped%s",
		 run->ncases, n.done, n.failed, n.skipped,
		 n.other ? ", others not finished" : "");
	kv_row(f, "cases", buf);
	fputs("</table>\n<h2 id=\"host\">Host</h2>\n<table>\n", f);
	kv_row(f, "hostname", run->hostname);
	kv_row(f, "model", run->host_model);
	kv_row(f, "CPU", run->cpu_model);
	snprintf(buf, sizeof(buf), "%d", run->ncpus);
	kv_row(f, "CPUs", buf);
	kv_row(f, "fingerprint", run->fingerprint);
	fputs("</table>\n<h3>Host metadata at run time</h3>\n<table>\n", f);
}

static void stat_cell(FILE *f, const struct q_series *q, uint32_t v)
{
	char buf[32] = "-";

	if (q->has_summary && q->sum.count)
		query_fmt_value(buf, sizeof(buf), v, q->unit);
	fprintf(f, "<td class=\"n\">%s</td>", buf);
}

/* A percentile p needs about 10 / (1 - p) samples (query_pct_need, as
 * `show` and `compare`); below that its "value" is one of the few largest
 * samples, and is shown as such. */
static void pct_cell(FILE *f, const struct q_series *q, uint32_t v, double p)
{
	uint64_t need = query_pct_need(p);

	if (q->has_summary && q->sum.count && q->sum.count < need) {
		fprintf(f, "<td class=\"n na\" title=\"%" PRIu64 " samples: "
			"this percentile needs about %" PRIu64 "\">n&lt;%" PRIu64
			"</td>", q->sum.count, need, need);
		return;
	}
	stat_cell(f, q, v);
}

static void avg_cell(FILE *f, const struct q_series *q)
{
	if (!q->has_summary || !q->sum.count)
		fputs("<td class=\"n\">-</td>", f);
	else if (query_unit_is_ns(q->unit))
		fprintf(f, "<td class=\"n\">%.1f</td>", q->sum.mean / 1000.0);
	else
		fprintf(f, "<td class=\"n\">%.1f</td>", q->sum.mean);
}

static void summary_row(FILE *f, const struct q_case *c,
			const struct q_series *q, int first, int rows)
{
	fputs("<tr>", f);
	if (first) {
		fprintf(f, "<td class=\"n\" rowspan=\"%d\">%d</td>"
			"<td rowspan=\"%d\"><a href=\"#case-%d\">", rows,
			c->idx, rows, c->idx);
		html(f, c->name);
		fputs("</a>", f);
		if (c->emulated)
			fputs(" <span class=\"tag emu\">EMULATED</span>", f);
		if (c->flagged)
			fputs(" <span class=\"tag flag\" title=\"samples lost "
			      "or something went wrong: see events\">!</span>",
			      f);
		fputs("</td>", f);
		const char *cols[] = { c->environment, c->profile, c->workload,
				       c->load, c->status };

		for (size_t i = 0; i < 5; i++) {
			fprintf(f, "<td rowspan=\"%d\">", rows);
			html(f, cols[i]);
			fputs("</td>", f);
		}
	}
	if (!q) {
		for (int i = 0; i < 11; i++)
			fputs("<td class=\"n\">-</td>", f);
		fputs("</tr>\n", f);
		return;
	}
	fprintf(f, "<td class=\"n\">%d</td><td class=\"n\">%" PRId64 "</td>",
		q->cpu, q->has_summary ? (int64_t)q->sum.count : q->count);
	stat_cell(f, q, q->sum.min);
	avg_cell(f, q);
	stat_cell(f, q, q->sum.max);
	stat_cell(f, q, q->sum.p50);
	pct_cell(f, q, q->sum.p99, 0.99);
	pct_cell(f, q, q->sum.p999, 0.999);
	pct_cell(f, q, q->sum.p9999, 0.9999);
	fprintf(f, "<td class=\"n\">%" PRId64 "</td>",
		q->has_summary ? (int64_t)q->sum.dropped : q->dropped);
	if (q->overruns < 0)
		fputs("<td class=\"n\">-</td></tr>\n", f);
	else
		fprintf(f, "<td class=\"n\">%" PRId64 "</td></tr>\n",
			q->overruns);
}

static void summary_section(const struct q_run *run, FILE *f)
{
	fputs("<h2 id=\"summary\">Summary</h2>\n<p>Latencies in µs (series "
	      "with another unit: plain values), exact over every sample. "
	      "Min / Avg / Max as cyclictest prints them, then the "
	      "percentiles; a percentile p needs about 10 / (1 - p) samples "
	      "and reads <i>n&lt;N</i> where a CPU has fewer. Min is the "
	      "single fastest wake-up, a best case: compare environments by "
	      "p50 and the tail, not by Min (docs/reports.md, \"Min\"). "
	      "Missed: whole periods skipped because a wake-up came after "
	      "the next deadline (as cyclictest skips them; not samples).</p>\n"
	      "<table>\n<tr><th>case</th><th>name</th><th>env</th>"
	      "<th>profile</th><th>workload</th><th>load</th><th>status</th>"
	      "<th>cpu</th><th>count</th><th>min</th><th>avg</th><th>max</th>"
	      "<th>p50</th><th>p99</th><th>p99.9</th><th>p99.99</th>"
	      "<th>dropped</th><th>missed</th></tr>\n", f);
	for (size_t i = 0; i < run->ncases; i++) {
		const struct q_case *c = &run->cases[i];
		int rows = c->nseries ? (int)c->nseries : 1;

		if (!c->nseries)
			summary_row(f, c, NULL, 1, 1);
		for (size_t k = 0; k < c->nseries; k++)
			summary_row(f, c, &c->series[k], k == 0, rows);
	}
	fputs("</table>\n", f);
}

void rpt_plot_block(FILE *f, const char *base, const char *alt, int width)
{
	fprintf(f, "<div class=\"plot\"><a href=\"%s.png\"><img src=\"%s.svg\" "
		"alt=\"", base, base);
	html(f, alt);
	/* The size the scripts draw at (see report_plot.c). */
	fprintf(f, "\" width=\"%d\" height=\"%d\"></a><br>\n"
		"<span class=\"links\"><a href=\"%s.png\">PNG</a> | "
		"<a href=\"%s.svg\">SVG</a> | <a href=\"%s.gp\">gnuplot "
		"script</a> | <a href=\"%s.dat\">data</a></span></div>\n",
		width, RPT_PLOT_H, base, base, base, base);
}

/*
 * The case's parameters as a table when they are one flat JSON object (as
 * the run loop stores them), else the raw text.  Only a reader's view: the
 * stored text is unchanged.
 */
static void params_table(FILE *f, const char *p)
{
	const char *s = p ? p : "";
	size_t n = strlen(s);

	if (n < 2 || s[0] != '{' || s[n - 1] != '}' ||
	    strpbrk(s + 1, "{[\\") != NULL) {
		fputs("<pre>", f);
		html(f, s);
		fputs("</pre>\n", f);
		return;
	}
	fputs("<table class=\"params\">\n", f);
	for (const char *q = s + 1; *q && *q != '}';) {
		char key[128], val[512];
		size_t kl = 0, vl = 0;
		int inq = 0;

		while (*q == ',' || *q == ' ')
			q++;
		if (*q != '"')
			break;
		for (q++; *q && *q != '"' && kl + 1 < sizeof(key); q++)
			key[kl++] = *q;
		key[kl] = '\0';
		if (*q++ != '"' || *q++ != ':')
			break;
		for (; *q && (inq || (*q != ',' && *q != '}')); q++) {
			if (*q == '"')
				inq = !inq;
			else if (vl + 1 < sizeof(val))
				val[vl++] = *q;
		}
		val[vl] = '\0';
		kv_row(f, key, val);
	}
	fputs("</table>\n", f);
}

/* What interrupted each CPU of the case (both sides), if counted. */
static void case_interrupts(const struct rpt *r, const struct q_case *c,
			    FILE *f)
{
	static const char *const side[] = { "host", "workload" };
	int any = 0;

	for (size_t k = 0; k < c->nseries; k++)
		for (int i = 0; i < 2; i++) {
			char line[1024];

			if (interrupts_line(r->st, c->id, side[i],
					    c->series[k].cpu, line,
					    sizeof(line)) || !line[0])
				continue;
			if (!any)
				fputs("<p>interrupts and counters (deltas over "
				      "the case; host = seen by the harness, "
				      "workload = inside the environment):"
				      "</p>\n<table>\n", f);
			any = 1;
			fprintf(f, "<tr><td class=\"k\">CPU %d, %s</td><td>",
				c->series[k].cpu, side[i]);
			html(f, line);
			fputs("</td></tr>\n", f);
		}
	if (any)
		fputs("</table>\n", f);
}

static void case_sections(const struct rpt *r, FILE *f)
{
	static const char *const what[RPT_NKINDS] = {
		"latency histogram", "maximum latency per second",
		"latency by percentile",
	};

	fprintf(f, "<h2 id=\"cases\">Cases (%zu)</h2>\n<p>Each case folded: "
		"open one for its parameters, counters and plots.</p>\n",
		r->run.ncases);
	for (size_t i = 0; i < r->run.ncases; i++) {
		const struct q_case *c = &r->run.cases[i];
		const struct rpt_case *rc = &r->cases[i];
		char t[320];
		int plots = 0;

		rpt_case_title(c, t, sizeof(t));
		fprintf(f, "<details class=\"case\" id=\"case-%d\"><summary>",
			c->idx);
		html(f, t);
		fputs("</summary>\n", f);
		if (c->emulated)
			fputs("<div class=\"banner emulated\">EMULATED (QEMU "
			      "TCG): a function test only; these numbers say "
			      "nothing about real-time behaviour.</div>\n", f);
		fprintf(f, "<p>sampling interval %" PRIu32 " µs (%s); "
			"status ", c->interval_us, c->interval_from);
		html(f, c->status);
		if (c->reason) {
			fputs(": ", f);
			html(f, c->reason);
		}
		fputs("</p>\n<p>parameters:</p>\n", f);
		params_table(f, c->params);
		case_interrupts(r, c, f);
		for (int k = 0; k < RPT_NKINDS; k++) {
			char base[128], alt[400];

			if (rc->plot[k].nblocks == 0)
				continue;
			snprintf(base, sizeof(base), "%s-%s", rc->stem,
				 rpt_kind_name[k]);
			snprintf(alt, sizeof(alt), "%s: %s", what[k], t);
			rpt_plot_block(f, base, alt, RPT_PLOT_W);
			plots++;
		}
		if (!plots)
			fputs("<p>No samples were stored for this case, so "
			      "there is nothing to plot.</p>\n", f);
		fputs("</details>\n", f);
	}
}

static void not_done_section(const struct q_run *run, FILE *f)
{
	int any = 0;

	for (size_t i = 0; i < run->ncases; i++) {
		const struct q_case *c = &run->cases[i];

		if (c->status && !strcmp(c->status, "done") && !c->reason)
			continue;
		if (!any)
			fputs("<h2 id=\"notdone\">Failed and skipped cases</h2>\n<table>\n"
			      "<tr><th>case</th><th>name</th><th>status</th>"
			      "<th>reason</th></tr>\n", f);
		any = 1;
		fprintf(f, "<tr><td class=\"n\">%d</td><td>", c->idx);
		html(f, c->name);
		if (c->emulated)
			fputs(" <span class=\"tag emu\">EMULATED</span>", f);
		fputs("</td><td>", f);
		html(f, c->status);
		fputs("</td><td>", f);
		html(f, c->reason ? c->reason : "(no reason recorded)");
		fputs("</td></tr>\n", f);
	}
	if (any)
		fputs("</table>\n", f);
}

static void events_section(const struct q_run *run, FILE *f)
{
	fprintf(f, "<h2 id=\"events\">Events (%zu)</h2>\n", run->nevents);
	if (!run->nevents) {
		fputs("<p>None: nothing was lost and nothing went wrong.</p>\n",
		      f);
		return;
	}
	fputs("<table>\n<tr><th>time</th><th>severity</th><th>case</th>"
	      "<th>series</th><th>kind</th><th>message</th></tr>\n", f);
	for (size_t i = 0; i < run->nevents; i++) {
		const struct q_event *e = &run->events[i];

		fputs("<tr><td>", f);
		html(f, e->at);
		fputs("</td><td>", f);
		html(f, e->severity);
		fputs("</td><td class=\"n\">", f);
		if (e->case_idx >= 0) {
			fprintf(f, "<a href=\"#case-%d\">%d</a>", e->case_idx,
				e->case_idx);
			for (size_t k = 0; k < run->ncases; k++)
				if (run->cases[k].idx == e->case_idx &&
				    run->cases[k].emulated)
					fputs(" <span class=\"tag emu\">"
					      "EMULATED</span>", f);
		}
		fputs("</td><td class=\"n\">", f);
		if (e->series_idx >= 0)
			fprintf(f, "%d", e->series_idx);
		fputs("</td><td>", f);
		html(f, e->kind);
		fputs("</td><td>", f);
		html(f, e->message);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/*
 * The table of contents, from the page as rendered (the headline and the
 * sections): every <h2 id="X">Title</h2> becomes a link, so a section that appears
 * (loads, profiles, spin, failed cases, ...) is never missing from it and
 * one that does not is never linked.
 */
static void toc(FILE *f, const char *body)
{
	static const char open_tag[] = "<h2 id=\"";

	fputs("<div class=\"toc\"><ul>", f);
	for (const char *p = strstr(body, open_tag); p;
	     p = strstr(p + 1, open_tag)) {
		const char *id = p + sizeof(open_tag) - 1;
		const char *q = strchr(id, '"'), *t, *e;

		if (!q || q[1] != '>' || !(e = strstr(q, "</h2>")))
			continue;
		fprintf(f, "<li><a href=\"#%.*s\">", (int)(q - id), id);
		/* The title's text; its tags (none today) left out. */
		for (t = q + 2; t < e; t++) {
			if (*t == '<')
				t = strchr(t, '>') ? strchr(t, '>') : e;
			else
				fputc(*t, f);
		}
		fputs("</a></li>", f);
	}
	fputs("</ul></div>\n", f);
}

/* Everything after the headline and the contents, in page order. */
static int sections(struct rpt *r, FILE *f)
{
	const struct q_run *run = &r->run;
	int ret;

	rpt_envfigs_html(r, f);
	summary_section(run, f);
	load_cmp_html(run, f);
	rpt_profiles_html(r, f);
	rpt_spin_html(r, f);
	for (int emu = 0; emu < 2; emu++) {
		if (!r->have_overview[emu])
			continue;
		fprintf(f, "<h2 id=\"overview%s\">Overview%s</h2>\n<p>p50, p99 "
			"and maximum of every case over all its CPUs (exact).%s"
			"</p>\n", emu ? "-emulated" : "",
			emu ? ": emulated cases" : "",
			emu ? " Emulated cases are kept apart from real ones: "
			"they are not comparable." : "");
		for (int p = 0; p < r->overview_parts[emu]; p++) {
			char base[48], alt[80];

			rpt_part_base(base, sizeof(base), emu ?
				      "overview-emulated" : "overview", p,
				      r->overview_parts[emu]);
			snprintf(alt, sizeof(alt), "overview of %s cases",
				 emu ? "the emulated" : "all");
			if (r->overview_parts[emu] > 1)
				snprintf(alt + strlen(alt), sizeof(alt) -
					 strlen(alt), " (%d of %d)", p + 1,
					 r->overview_parts[emu]);
			rpt_plot_block(f, base, alt, RPT_PLOT_W);
		}
	}
	case_sections(r, f);
	not_done_section(run, f);
	events_section(run, f);
	run_section(run, f);
	ret = query_meta_condensed(run, meta_row, f);
	fputs("</table>\n", f);
	return ret;
}

int rpt_html(struct rpt *r)
{
	const struct q_run *run = &r->run;
	int ret = 0;
	char now[32], *buf = NULL;
	size_t len = 0, head_len;
	FILE *body, *f = rpt_create(r, "index.html", &ret);

	if (!f)
		return ret;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n<title>isolat report: ", f);
	html(f, run->scenario_name);
	fputs(" on ", f);
	html(f, run->hostname);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
	fputs("<h1>isolat report: ", f);
	html(f, run->scenario_name);
	fputs(" on ", f);
	html(f, run->hostname);
	fputs("</h1>\n", f);
	if (run->any_emulated)
		fputs("<div class=\"banner emulated\">EMULATED: some cases ran "
		      "under emulation (QEMU TCG, no KVM). Their results are "
		      "function tests only, are marked EMULATED everywhere and "
		      "must not be compared with real measurements.</div>\n",
		      f);
	if (run->any_flagged)
		fputs("<div class=\"banner flagged\">! Some cases are flagged: "
		      "samples were lost or something went wrong while "
		      "measuring. See the events below.</div>\n", f);
	/* The answer first, then where everything else is: the sections
	 * are rendered into memory so the contents can list exactly them. */
	body = open_memstream(&buf, &len);
	if (!body) {
		fclose(f);
		snprintf(r->err, r->errsz, "out of memory writing index.html");
		return -ENOMEM;
	}
	headline_html(run, body);
	fflush(body);
	head_len = len;
	ret = sections(r, body);
	if (fclose(body) || !buf) {
		free(buf);
		fclose(f);
		snprintf(r->err, r->errsz, "out of memory writing index.html");
		return -ENOMEM;
	}
	fwrite(buf, 1, head_len, f);
	toc(f, buf);
	fwrite(buf + head_len, 1, len - head_len, f);
	free(buf);
	store_now(now, sizeof(now));
	fprintf(f, "<hr>\n<p class=\"links\">Rendered %s by isolat. Every plot "
		"has its gnuplot script (.gp) and data (.dat) in this folder; "
		"edit one and re-run it with <code>gnuplot NAME.gp</code> "
		"from here.</p>\n</body>\n</html>\n", now);
	if (ret) {
		fclose(f);
		snprintf(r->err, r->errsz, "out of memory writing index.html");
		return ret;
	}
	return rpt_close(r, f, "index.html");
}
