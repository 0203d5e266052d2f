/*
 * json_check.h - a tiny JSON validator for the tests: json_valid(text)
 * says whether text is exactly one well-formed JSON value.  Header-only,
 * included by the test programs that check JSON output.
 */
#ifndef ISOLAT_TEST_JSON_CHECK_H
#define ISOLAT_TEST_JSON_CHECK_H

#include <stdlib.h>
#include <string.h>

/* A tiny JSON validator: returns the position after one value, or NULL. */
static const char *jv(const char *s);

static const char *jws(const char *s)
{
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	return s;
}

static const char *jstr(const char *s)
{
	if (*s++ != '"')
		return NULL;
	while (*s != '"') {
		if ((unsigned char)*s < 0x20)
			return NULL;
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF",
						    s[i]) || !s[i])
						return NULL;
				s += 4;
			} else if (!*s || !strchr("\"\\/bfnrt", *s)) {
				return NULL;
			}
		}
		s++;
	}
	return s + 1;
}

static const char *jv(const char *s)
{
	char *end;

	s = jws(s);
	if (*s == '{' || *s == '[') {
		char close = *s == '{' ? '}' : ']';
		int obj = *s == '{';

		s = jws(s + 1);
		if (*s == close)
			return s + 1;
		for (;;) {
			if (obj) {
				s = jstr(jws(s));
				if (!s)
					return NULL;
				s = jws(s);
				if (*s++ != ':')
					return NULL;
			}
			s = jv(s);
			if (!s)
				return NULL;
			s = jws(s);
			if (*s == ',') {
				s++;
				continue;
			}
			return *s == close ? s + 1 : NULL;
		}
	}
	if (*s == '"')
		return jstr(s);
	if (!strncmp(s, "true", 4) || !strncmp(s, "null", 4))
		return s + 4;
	if (!strncmp(s, "false", 5))
		return s + 5;
	if (*s != '-' && (*s < '0' || *s > '9'))
		return NULL;
	strtod(s, &end);
	return end > s ? end : NULL;
}

static int json_valid(const char *s)
{
	s = jv(s);
	return s && *jws(s) == '\0';
}

#endif
