/*
 * scenario_set.c - `isolat run --set KEY=VALUE`: a key of any section
 * given on the command line, validated exactly like the file's (it goes
 * through the same parser), with errors naming --set instead of a line.
 * KEY is a [scenario] key, gate.KEY a [gate] key, profile.NAME.KEY a key
 * of [profile NAME] (NAME may hold dots: KEY is after the last one).
 *
 * How: the file's own line for KEY in that section (if any) is turned
 * into a comment in place (so every other line keeps its number), and
 * each --set is appended as a section of its own.  The text stored with
 * the run is this rewritten text, so the run says what it ran with:
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

/* "[SECTION.]KEY=VALUE" -> the length before '=', or 0 when malformed. */
static size_t set_key_len(const char *set)
{
	const char *eq = strchr(set, '=');
	size_t n;

	if (!eq || eq == set || strpbrk(set, "\n\r"))
		return 0;
	n = (size_t)(eq - set);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)set[i]) && set[i] != '_' &&
		    set[i] != '.' && set[i] != '-')
			return 0;
	return n;
}

/* The section a --set goes to ("scenario", "gate", "profile NAME") and
 * where its KEY starts; -1 when a dotted name is neither. */
static int set_section(const char *set, char *section, size_t size,
		       const char **key)
{
	size_t n = set_key_len(set);
	const char *last = NULL;

	for (const char *p = set; p < set + n; p++)
		if (*p == '.')
			last = p;
	*key = last ? last + 1 : set;
	if (!last) {
		snprintf(section, size, "scenario");
		return 0;
	}
	if (!strncmp(set, "gate.", 5) && last == set + 4) {
		snprintf(section, size, "gate");
		return 0;
	}
	if (!strncmp(set, "profile.", 8) && last > set + 8) {
		snprintf(section, size, "profile %.*s",
			 (int)(last - set - 8), set + 8);
		return 0;
	}
	return -1;
}

/* "[ profile  x ]" -> "profile x": the section as set_section names it. */
static void section_of(const char *q, size_t len, char *out, size_t size)
{
	size_t n = 0;
	int space = 0;

	for (size_t i = 1; i < len && q[i] != ']' && n + 1 < size; i++) {
		if (q[i] == ' ' || q[i] == '\t') {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < size)
			out[n++] = ' ';
		space = 0;
		out[n++] = q[i];
	}
	out[n] = '\0';
}

/* Is line "KEY = ..." of section (KEY of a set of that section, or its
 * other name) in a way that a --set replaces? */
static int line_is_set(const char *line, size_t len, const char *section,
		       char *const *sets, unsigned nsets)
{
	size_t k = 0;

	while (k < len && (line[k] == ' ' || line[k] == '\t'))
		k++;
	line += k;
	len -= k;
	for (unsigned i = 0; i < nsets; i++) {
		char sec[160];
		const char *key;
		size_t n;

		if (set_section(sets[i], sec, sizeof(sec), &key) < 0 ||
		    strcmp(sec, section))
			continue;
		n = set_key_len(sets[i]) - (size_t)(key - sets[i]);
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
 * the number of the file's lines (set i's value is on line base + 3i + 3).
 */
static char *apply_sets(const char *text, char *const *sets, unsigned nsets,
			int *base)
{
	size_t len = strlen(text), cap = len * 2 + 64;
	char *out, section[160] = "";
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
		if (q < p + l && *q == '[')
			section_of(q, (size_t)(p + l - q), section,
				   sizeof(section));
		if (line_is_set(p, l, section, sets, nsets)) {
			memcpy(out + n, "; (--set) ", 10);
			n += 10;
		}
		memcpy(out + n, p, l);
		n += l;
		out[n++] = '\n';
		lines++;
		p += l + (nl ? 1 : 0);
	}
	*base = lines;
	for (unsigned i = 0; i < nsets; i++) {
		size_t k = set_key_len(sets[i]);
		const char *key;

		set_section(sets[i], section, sizeof(section), &key);
		n += (size_t)sprintf(out + n, "; --set\n[%s]\n%.*s = %s\n",
				     section, (int)(k - (size_t)(key - sets[i])),
				     key, sets[i] + k + 1);
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
	/* set i: "; --set", its section, its value on base + 3i + 3 */
	if (*end != ':' || line <= base || line > base + 3 * (long)nsets)
		return;
	msg = strdup(end + 1);
	if (!msg)
		return;
	snprintf(err, errsz, "%s: --set %s:%s", path,
		 sets[(line - base - 1) / 3], msg);
	free(msg);
}

/* A --set of a profile that profiles = does not list changes no case: a
 * mistake the run would hide (it measures without it), so refused. */
static int sets_reach_cases(const struct scenario *scn, char *const *sets,
			    unsigned nsets, char *err, size_t errsz)
{
	for (unsigned i = 0; i < nsets; i++) {
		char sec[160], list[1024] = "";
		const char *key, *name = sec + 8;
		size_t len = 0;
		unsigned j;

		if (set_section(sets[i], sec, sizeof(sec), &key) < 0 ||
		    strncmp(sec, "profile ", 8))
			continue;
		for (j = 0; j < scn->profiles_used.n; j++)
			if (!strcmp(scn->profiles_used.item[j], name))
				break;
		if (j < scn->profiles_used.n)
			continue;
		/* The way to add it: every profile listed, then it. */
		for (j = 0; j < scn->profiles_used.n && len < sizeof(list);
		     j++)
			len += (size_t)snprintf(list + len, sizeof(list) - len,
						"%s,", scn->profiles_used.item[j]);
		snprintf(err, errsz, "--set %s: profile %s is not in profiles "
			 "=, so no case would run with it; add it: --set "
			 "profiles=%s%s", sets[i], name, list, name);
		return -EINVAL;
	}
	return 0;
}

int scenario_load_set(const char *path, char *const *sets, unsigned nsets,
		      struct scenario *scn, char *err, size_t errsz)
{
	char *text;
	int rc, base = 0;

	if (!nsets)
		return scenario_load(path, scn, err, errsz);
	for (unsigned i = 0; i < nsets; i++) {
		char sec[160];
		const char *key;

		if (!set_key_len(sets[i]) ||
		    set_section(sets[i], sec, sizeof(sec), &key) < 0 ||
		    *key == '=' ||
		    memchr(key, '-', strcspn(key, "="))) {
			snprintf(err, errsz, "--set %s: expected KEY=VALUE "
				 "(a [scenario] key), gate.KEY=VALUE or "
				 "profile.NAME.KEY=VALUE, and a one-line value, "
				 "e.g. --set duration_s=2 or --set "
				 "profile.full.governor=performance", sets[i]);
			return -EINVAL;
		}
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
	else if ((rc = sets_reach_cases(scn, sets, nsets, err, errsz)) < 0)
		scenario_free(scn);
	return rc;
}
