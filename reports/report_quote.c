/*
 * report_quote.c - text from outside (a database, a scenario) into the
 * formats the reports write: XML, HTML, Markdown and gnuplot strings.  One
 * walk for all of them: valid UTF-8 sequences pass unchanged, invalid bytes
 * are replaced (they would break the page or the SVG), control characters
 * become blanks unless the format has a way to write them.
 */
#include <string.h>

#include "reports/json.h"
#include "reports/report_int.h"

/* One ASCII byte c, escaped for how. */
static void quote_byte(FILE *f, unsigned char c, enum rpt_quote how)
{
	switch (how) {
	case RPT_Q_XML:
		switch (c) {
		case '&': fputs("&amp;", f); return;
		case '<': fputs("&lt;", f); return;
		case '>': fputs("&gt;", f); return;
		case '"': fputs("&quot;", f); return;
		case '\'': fputs("&apos;", f); return;
		case '\n': fputs("&#10;", f); return;
		case '\t': fputs("&#9;", f); return;
		}
		break;
	case RPT_Q_HTML:
		switch (c) {
		case '&': fputs("&amp;", f); return;
		case '<': fputs("&lt;", f); return;
		case '>': fputs("&gt;", f); return;
		case '"': fputs("&quot;", f); return;
		case '\'': fputs("&#39;", f); return;
		case '\n': case '\t': fputc(c, f); return;
		}
		break;
	case RPT_Q_MD:
		if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (strchr("\\`*_[]|#~!", c))
			fprintf(f, "\\%c", c);
		else
			break;
		return;
	case RPT_Q_GNUPLOT:
		/* Single-quoted: no escapes, a quote is doubled. */
		if (c == '\'')
			fputc('\'', f);
		break;
	}
	fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
}

void rpt_quote(FILE *f, const char *s, enum rpt_quote how)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p);

	if (how == RPT_Q_GNUPLOT)
		fputc('\'', f);
	for (size_t i = 0; i < len;) {
		size_t n = p[i] >= 0x80 ? json_utf8_len(p + i, len - i) : 1;

		if (n == 0) {
			/* U+FFFD; a gnuplot string stays ASCII-safe. */
			fputs(how == RPT_Q_GNUPLOT ? "?" : "\xef\xbf\xbd", f);
			i++;
		} else if (n > 1) {
			fwrite(p + i, 1, n, f);
			i += n;
		} else {
			quote_byte(f, p[i], how);
			i++;
		}
	}
	if (how == RPT_Q_GNUPLOT)
		fputc('\'', f);
}
