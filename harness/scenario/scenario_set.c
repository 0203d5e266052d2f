/*
 * scenario_set.c - `isolat run --set KEY=VALUE`: a [scenario] key given on
 * the command line, validated exactly like the file's (it goes through the
 * same parser), with errors naming --set instead of a line.
 *
 * How: the file's own line for KEY in [scenario] (if any) is turned into a
 * comment in place (so every other line keeps its number), and the --set
 * values are appended as one more [scenario] section.  The text stored
 * with the run is this rewritten text, so the run says what it ran with:
 *
 *   duration_s   = 5
 *   ...
 *   ; --set
 *   [scenario]
 *   duration_s = 2
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/scenario/scenario.h"

/* "KEY=VALUE" -> KEY's length, or 0 when malformed. */
static size_t set_key_len(const char *set)
{
	const char *eq = strchr(set, '=');
	size_t n;

	if (!eq || eq == set || strpbrk(set, "\n\r"))
		return 0;
	n = (size_t)(eq - set);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)set[i]) && set[i] != '_')
			return 0;
	return n;
}

/* Is line "KEY = ..." (KEY of sets[], or its other name) in a way that a
 * --set replaces? */
static int line_is_set(const char *line, size_t len, char *const *sets,
		       unsigned nsets)
{
	size_t k = 0;

	while (k < len && (line[k] == ' ' || line[k] == '\t'))
		k++;
	line += k;
	len -= k;
	for (unsigned i = 0; i < nsets; i++) {
		size_t n = set_key_len(sets[i]);
		const char *key = sets[i];
		/* vcpu_pin and its old name xen_pcpus are one key */
		const char *alias = !strncmp(key, "vcpu_pin", n) && n == 8
			? "xen_pcpus"
			: !strncmp(key, "xen_pcpus", n) && n == 9 ? "vcpu_pin"
								  : NULL;

		for (int a = 0; a < 2; a++, key = alias, n = alias
						 ? strlen(alias) : 0) {
			size_t j = n;

			if (!key || n == 0 || len <= n || strncmp(line, key, n))
				continue;
			while (j < len && (line[j] == ' ' || line[j] == '\t'))
				j++;
			if (j < len && (line[j] == '=' || line[j] == ':'))
				return 1;
		}
	}
	return 0;
}

/* The scenario text with sets applied (see the top), malloc'd; *base =
 * the line number of the appended [scenario] header. */
static char *apply_sets(const char *text, char *const *sets, unsigned nsets,
			int *base)
{
	size_t len = strlen(text), cap = len * 2 + 64;
	char *out, section[64] = "";
	const char *p = text;
	size_t n = 0;
	int lines = 0;

	for (unsigned i = 0; i < nsets; i++)
		cap += strlen(sets[i]) + 4;
	out = malloc(cap);
	if (!out)
		return NULL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		const char *q = p;

		while (q < p + l && (*q == ' ' || *q == '\t'))
			q++;
		if (q < p + l && *q == '[') {
			const char *end = memchr(q, ']', (size_t)(p + l - q));

			snprintf(section, sizeof(section), "%.*s",
				 end ? (int)(end - q - 1) : 0, q + 1);
		}
		if (!strcmp(section, "scenario") && line_is_set(p, l, sets,
								nsets)) {
			memcpy(out + n, "; (--set) ", 10);
			n += 10;
		}
		memcpy(out + n, p, l);
		n += l;
		out[n++] = '\n';
		lines++;
		p += l + (nl ? 1 : 0);
	}
	n += (size_t)sprintf(out + n, "; --set\n[scenario]\n");
	*base = lines + 2;
	for (unsigned i = 0; i < nsets; i++) {
		size_t k = set_key_len(sets[i]);

		n += (size_t)sprintf(out + n, "%.*s = %s\n", (int)k, sets[i],
				     sets[i] + k + 1);
	}
	out[n] = '\0';
	return out;
}

/* "FILE:LINE: msg" for an appended line -> "--set KEY=VALUE: msg". */
static void name_set(const char *path, char *err, size_t errsz, int base,
		     char *const *sets, unsigned nsets)
{
	size_t plen = strlen(path);
	char *end, *msg;
	long line;

	if (strncmp(err, path, plen) || err[plen] != ':')
		return;
	line = strtol(err + plen + 1, &end, 10);
	if (*end != ':' || line <= base || line > base + (long)nsets)
		return;
	msg = strdup(end + 1);
	if (!msg)
		return;
	snprintf(err, errsz, "%s: --set %s:%s", path, sets[line - base - 1],
		 msg);
	free(msg);
}

int scenario_load_set(const char *path, char *const *sets, unsigned nsets,
		      struct scenario *scn, char *err, size_t errsz)
{
	char *text;
	int rc, base = 0;

	if (!nsets)
		return scenario_load(path, scn, err, errsz);
	for (unsigned i = 0; i < nsets; i++)
		if (!set_key_len(sets[i])) {
			snprintf(err, errsz, "--set %s: expected KEY=VALUE "
				 "with a [scenario] key (letters, digits, '_') "
				 "and a one-line value, e.g. --set "
				 "duration_s=2", sets[i]);
			return -EINVAL;
		}
	rc = scenario_load(path, scn, err, errsz);
	if (rc < 0)
		return rc;
	text = apply_sets(scn->text, sets, nsets, &base);
	scenario_free(scn);
	if (!text) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	rc = scenario_parse_string(path, text, scn, err, errsz);
	free(text);
	if (rc < 0)
		name_set(path, err, errsz, base, sets, nsets);
	return rc;
}
