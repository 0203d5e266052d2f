/*
 * json.c - the streaming JSON writer declared in json.h.
 */
#include "reports/json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void json_init(struct json *j, FILE *f, int pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

static void fail(struct json *j, int err)
{
	if (!j->err)
		j->err = err;
}

static void indent(struct json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/*
 * Called before every value: checks that a value may go here and writes
 * the separator.  Returns 0 when the value may be written.
 */
static int before_value(struct json *j)
{
	if (j->err)
		return -1;
	if (j->depth == 0) {
		if (j->done) {
			fail(j, -EINVAL); /* a second top-level value */
			return -1;
		}
		return 0;
	}
	if (j->kind[j->depth - 1] == 'o') {
		if (!j->have_key) {
			fail(j, -EINVAL); /* object member without a key */
			return -1;
		}
		j->have_key = 0;
		return 0;
	}
	if (j->nonempty[j->depth - 1])
		fputc(',', j->f);
	j->nonempty[j->depth - 1] = 1;
	indent(j);
	return 0;
}

/* A scalar or a closed container completes the top-level value. */
static void after_value(struct json *j)
{
	if (j->depth == 0)
		j->done = 1;
}

void json_key(struct json *j, const char *key)
{
	if (j->err)
		return;
	if (j->depth == 0 || j->kind[j->depth - 1] != 'o' || j->have_key ||
	    !key) {
		fail(j, -EINVAL);
		return;
	}
	if (j->nonempty[j->depth - 1])
		fputc(',', j->f);
	j->nonempty[j->depth - 1] = 1;
	indent(j);
	fputc('"', j->f);
	json_escape(j->f, key, strlen(key));
	fputs(j->pretty ? "\": " : "\":", j->f);
	j->have_key = 1;
}

static void begin(struct json *j, char kind)
{
	if (before_value(j))
		return;
	if (j->depth == JSON_MAX_DEPTH) {
		fail(j, -EINVAL);
		return;
	}
	fputc(kind == 'o' ? '{' : '[', j->f);
	j->kind[j->depth] = kind;
	j->nonempty[j->depth] = 0;
	j->depth++;
}

static void end(struct json *j, char kind)
{
	if (j->err)
		return;
	if (j->depth == 0 || j->kind[j->depth - 1] != kind || j->have_key) {
		fail(j, -EINVAL);
		return;
	}
	j->depth--;
	if (j->nonempty[j->depth])
		indent(j);
	fputc(kind == 'o' ? '}' : ']', j->f);
	after_value(j);
}

void json_begin_object(struct json *j)
{
	begin(j, 'o');
}

void json_end_object(struct json *j)
{
	end(j, 'o');
}

void json_begin_array(struct json *j)
{
	begin(j, 'a');
}

void json_end_array(struct json *j)
{
	end(j, 'a');
}

size_t json_utf8_len(const unsigned char *p, size_t left)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f; /* U+D800..U+DFFF are surrogates */
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

void json_escape(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t n;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			fputc(c, f);
			i++;
			continue;
		}
		switch (c) {
		case '"': fputs("\\\"", f); i++; continue;
		case '\\': fputs("\\\\", f); i++; continue;
		case '\b': fputs("\\b", f); i++; continue;
		case '\f': fputs("\\f", f); i++; continue;
		case '\n': fputs("\\n", f); i++; continue;
		case '\r': fputs("\\r", f); i++; continue;
		case '\t': fputs("\\t", f); i++; continue;
		}
		if (c < 0x20) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		n = json_utf8_len(p + i, len - i);
		if (n == 0) {
			/* One replacement character per bad byte keeps the
			 * output valid and shows where the damage was. */
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		/* U+2028/U+2029 are valid JSON but end lines in JavaScript;
		 * escaping them keeps the output safe to embed in a page. */
		if (n == 3 && c == 0xe2 && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
			fprintf(f, "\\u%04x", p[i + 2] == 0xa8 ? 0x2028 : 0x2029);
			i += 3;
			continue;
		}
		fwrite(p + i, 1, n, f);
		i += n;
	}
}

void json_string_n(struct json *j, const char *s, size_t len)
{
	if (before_value(j))
		return;
	fputc('"', j->f);
	json_escape(j->f, s, len);
	fputc('"', j->f);
	after_value(j);
}

void json_string(struct json *j, const char *s)
{
	if (!s)
		json_null(j);
	else
		json_string_n(j, s, strlen(s));
}

void json_int(struct json *j, int64_t v)
{
	if (before_value(j))
		return;
	fprintf(j->f, "%" PRId64, v);
	after_value(j);
}

void json_uint(struct json *j, uint64_t v)
{
	if (before_value(j))
		return;
	fprintf(j->f, "%" PRIu64, v);
	after_value(j);
}

void json_fmt_double(char *buf, size_t size, double v)
{
	/* The fewest significant digits (15, 16 or 17) that strtod reads
	 * back as the same double: 54321.6472, not 54321.647199999999. */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (prec == 17 || strtod(buf, NULL) == v)
			break;
	}
	/* A locale with a decimal comma would make this invalid JSON (and
	 * strtod above would stop at the comma: 17 digits, still exact). */
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = '.';
}

void json_double(struct json *j, double v)
{
	char buf[40];

	if (!isfinite(v)) {
		/* JSON has no NaN or infinity. */
		json_null(j);
		return;
	}
	if (before_value(j))
		return;
	json_fmt_double(buf, sizeof(buf), v);
	fputs(buf, j->f);
	after_value(j);
}

void json_bool(struct json *j, int v)
{
	if (before_value(j))
		return;
	fputs(v ? "true" : "false", j->f);
	after_value(j);
}

void json_null(struct json *j)
{
	if (before_value(j))
		return;
	fputs("null", j->f);
	after_value(j);
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kv_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_kv_double(struct json *j, const char *key, double v)
{
	json_key(j, key);
	json_double(j, v);
}

void json_kv_bool(struct json *j, const char *key, int v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_kv_null(struct json *j, const char *key)
{
	json_key(j, key);
	json_null(j);
}

int json_finish(struct json *j)
{
	if (!j->err && (j->depth != 0 || !j->done))
		j->err = -EINVAL; /* unclosed containers or nothing written */
	if (!j->err) {
		fputc('\n', j->f);
		if (fflush(j->f) != 0 || ferror(j->f))
			j->err = -EIO;
	}
	return j->err;
}
