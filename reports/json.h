/*
 * json.h - a small streaming JSON writer on a FILE *.
 *
 * The only way isolat prints JSON: every string goes through one escaper
 * (quotes, backslash, all control characters, invalid UTF-8 replaced by
 * U+FFFD), numbers through one formatter (integers exact, doubles in the
 * shortest of %.15g/%.16g/%.17g that reads back bit for bit, NaN/inf as
 * null), and commas and nesting are tracked here instead of by hand.
 *
 * Usage:
 *
 *	struct json j;
 *	json_init(&j, stdout, 1);
 *	json_begin_object(&j);
 *	json_kv_string(&j, "format", "isolat-summary");
 *	json_key(&j, "cases");
 *	json_begin_array(&j);
 *	...
 *	json_end_array(&j);
 *	json_end_object(&j);
 *	rc = json_finish(&j);   0, -EINVAL (misuse) or -EIO (write error)
 *
 * Misuse (a value without a key inside an object, a key outside an object,
 * unbalanced ends, nesting deeper than JSON_MAX_DEPTH) is remembered and
 * reported by json_finish(); calls after the first error write nothing.
 */
#ifndef ISOLAT_JSON_H
#define ISOLAT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int pretty;   /* newline + two-space indent per level */
	int depth;
	int err;      /* first error, 0 while fine */
	int have_key; /* a key was written and awaits its value */
	int done;     /* the top-level value is complete */
	/* Per open container: 'o' object / 'a' array, and whether it already
	 * holds a member (so the next one needs a comma). */
	char kind[JSON_MAX_DEPTH];
	char nonempty[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f, int pretty);
/* Newline after the top-level value, flush; 0, -EINVAL or -EIO. */
int json_finish(struct json *j);

void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);

/* s == NULL writes null. */
void json_string(struct json *j, const char *s);
/* len bytes of s (may contain NUL, which is escaped as \u0000). */
void json_string_n(struct json *j, const char *s, size_t len);
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
void json_double(struct json *j, double v);
/* v as json_double writes it (finite v; buf >= 32 bytes); also what the
 * CSV exports print, so both formats agree digit for digit. */
void json_fmt_double(char *buf, size_t size, double v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);

/* key + value in one call. */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, int64_t v);
void json_kv_uint(struct json *j, const char *key, uint64_t v);
void json_kv_double(struct json *j, const char *key, double v);
void json_kv_bool(struct json *j, const char *key, int v);
void json_kv_null(struct json *j, const char *key);

/*
 * Write s as the body of a JSON string (no surrounding quotes) to f, with
 * the same escaping as json_string().  Exposed for the tests and for
 * writers that embed JSON text in another format.
 */
void json_escape(FILE *f, const char *s, size_t len);

/*
 * Length (2..4) of the valid multi-byte UTF-8 sequence at p (RFC 3629: no
 * overlongs, no surrogates, nothing above U+10FFFF; left bytes available),
 * or 0 if p does not start one.  ASCII bytes return 0 too.
 */
size_t json_utf8_len(const unsigned char *p, size_t left);

#endif
