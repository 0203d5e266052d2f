/*
 * scenario_params.c - one measurement parameter of a scenario: the
 * [scenario] defaults and a profile's overrides both come through
 * scn_param_key(), so a value means the same wherever it is written.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/scenario/scenario_int.h"
#include "workloads/cpulist.h"

/*
 * vcpu_pin: host CPUs in vCPU order ("5,4" puts vCPU 0 on 5), items N or
 * N-M (ascending), kept in the order written - unlike cpulist_parse,
 * which sorts.  A CPU twice would put two vCPUs on it: refused.
 */
static int pin_list_parse(const char *text, struct cpulist *out,
			  const char **why)
{
	unsigned char seen[CPULIST_MAX];
	const char *s = text;

	memset(seen, 0, sizeof(seen));
	out->n = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 0;
	for (;;) {
		unsigned long a, b;
		char *end;

		while (isspace((unsigned char)*s))
			s++;
		if (!isdigit((unsigned char)*s))
			return *why = "expected a CPU number", -EINVAL;
		a = strtoul(s, &end, 10);
		b = a;
		s = end;
		if (*s == '-') {
			s++;
			if (!isdigit((unsigned char)*s))
				return *why = "expected a CPU number after "
					      "'-'", -EINVAL;
			b = strtoul(s, &end, 10);
			s = end;
			if (b < a)
				return *why = "range end below start",
				       -EINVAL;
		}
		if (b >= CPULIST_MAX)
			return *why = "CPU number too large", -EINVAL;
		for (unsigned long c = a; c <= b; c++) {
			if (seen[c])
				return *why = "a host CPU listed twice (two "
					      "vCPUs on one CPU)", -EINVAL;
			seen[c] = 1;
			out->cpu[out->n++] = (unsigned short)c;
		}
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			return 0;
		if (*s != ',')
			return *why = "expected ',' between items", -EINVAL;
		s++;
	}
}


/* An absolute path QEMU can take as one argv element: no control
 * characters, and no ',' (QEMU's option syntax would split on it). */
static int valid_path(const char *v)
{
	if (v[0] != '/' || strlen(v) >= 1024)
		return 0;
	for (; *v; v++)
		if (iscntrl((unsigned char)*v) || *v == ',')
			return 0;
	return 1;
}

/* Kernel parameters: printable, no quotes or backslashes (the kernel's
 * own quoting would change their meaning), at most 1023 characters. */
int scn_valid_cmdline(const char *v)
{
	if (strlen(v) >= 1024)
		return 0;
	for (; *v; v++)
		if (!isprint((unsigned char)*v) || strchr("\"'\\`", *v))
			return 0;
	return 1;
}

int scn_num_key(struct parse *p, const char *key, const char *v,
		   uint64_t min, uint64_t max, uint64_t *out)
{
	if (scn_parse_u64(v, min, max, out) < 0)
		return scn_fail(p, "%s = %s: expected a whole number in %llu..%llu%s",
			    key, v, (unsigned long long)min,
			    (unsigned long long)max,
			    /* inih ends a value only at ';' */
			    strchr(v, '#') ? " (only ';' starts a comment "
					     "after a value)" : "");
	return 1;
}

/* One of k's words (WORD, FLAG), else the message says them all. */
static int word_key(struct parse *p, const struct scn_key *k,
		    const char *key, const char *v)
{
	char expect[256];
	size_t n = strlen(v);

	for (const char *w = k->words; *w;) {
		size_t len = strcspn(w, "|");

		if (len == n && !strncmp(w, v, n))
			return 1;
		w += len + (w[len] == '|');
	}
	scn_words_join(k->words, NULL, expect, sizeof(expect));
	return scn_fail(p, "%s = %s: expected %s", key, v, expect);
}

/* CPUSPEC: one of k's words or a non-empty CPU list. */
static int cpuspec_key(struct parse *p, const struct scn_key *k,
		       const char *key, const char *v)
{
	char expect[256];
	struct cpulist cl;
	const char *why = NULL;
	size_t n = strlen(v);

	for (const char *w = k->words; *w;) {
		size_t len = strcspn(w, "|");

		if (len == n && !strncmp(w, v, n))
			return 1;
		w += len + (w[len] == '|');
	}
	if (cpulist_parse(v, &cl, &why) == 0 && cl.n > 0)
		return 1;
	scn_words_join(k->words, k->arg, expect, sizeof(expect));
	return scn_fail(p, "%s = %s: expected %s", key, v, expect);
}

/* Whole number into a field of k->size bytes (int, unsigned, uint32_t
 * or uint64_t: the table's range keeps it in the field). */
static int uint_key(struct parse *p, const struct scn_key *k,
		    const char *key, const char *v, void *field)
{
	uint64_t x;

	if (!scn_num_key(p, key, v, k->min, k->max, &x))
		return 0;
	if (k->size == sizeof(uint64_t)) {
		memcpy(field, &x, sizeof(x));
	} else {
		uint32_t y = (uint32_t)x;

		memcpy(field, &y, sizeof(y));
	}
	return 1;
}

/* The kinds whose value is a CPU list of its own grammar. */
static int list_key(struct parse *p, const struct scn_key *k,
		    const char *key, const char *v, void *field)
{
	const char *why = NULL;
	struct cpulist *cl = field;

	if (k->kind == SCN_K_CPUS) {
		if (cpulist_parse(v, cl, &why) < 0 || cl->n == 0)
			return scn_fail(p, "%s = %s: %s; expected a CPU list "
				    "such as 1 or 2-3,5", key, v,
				    why ? why : "empty list");
		/* sorted: the last is the highest */
		if (cl->cpu[cl->n - 1] > k->max)
			return scn_fail(p, "%s = %s: expected CPUs below %llu",
				    key, v, (unsigned long long)k->max + 1);
		return 1;
	}
	if (pin_list_parse(v, cl, &why) < 0 || cl->n == 0)
		return scn_fail(p, "%s = %s: %s; expected host CPUs "
			    "in vCPU order such as 5,4 or 2-3 (vCPU "
			    "i is pinned to the i-th)",
			    key, v, why ? why : "empty list");
	return 1;
}

/* Kernel parameters, with the message [profile NAME] gives too. */
int scn_cmdline_key(struct parse *p, const char *key, const char *v)
{
	if (!scn_valid_cmdline(v))
		return scn_fail(p, "%s = %s: expected kernel parameters such "
			    "as isolcpus=1 nohz_full=1 (printable, no quotes "
			    "or backslashes)", key, v);
	return 1;
}

/* A measurement parameter: [scenario] sets the defaults, a [profile NAME]
 * may override those its table marks overridable.  Text fields are
 * copied after the check (which bounds them or they fit anyway). */
int scn_param_key(struct parse *p, const struct scn_key *k,
		  const char *key, const char *v, struct scn_params *pr)
{
	const struct scn_key *t = scn_key_target(k);
	char *field = (char *)pr + t->off;
	int ok = 0;

	switch (t->kind) {
	case SCN_K_UINT:
		ok = uint_key(p, t, key, v, field);
		break;
	case SCN_K_WORD:
	case SCN_K_CPUSPEC:
		ok = t->kind == SCN_K_WORD ? word_key(p, t, key, v)
					   : cpuspec_key(p, t, key, v);
		if (ok)
			snprintf(field, t->size, "%s", v);
		break;
	case SCN_K_FLAG:
		ok = word_key(p, t, key, v);
		if (ok)
			*(int *)(void *)field = !strcmp(v, t->arg);
		break;
	case SCN_K_PATH:
		if (!valid_path(v))
			return scn_fail(p, "%s = %s: expected an absolute path "
				    "without commas or control characters",
				    key, v);
		snprintf(field, t->size, "%s", v);
		ok = 1;
		break;
	case SCN_K_CMDLINE:
		ok = scn_cmdline_key(p, key, v);
		if (ok)
			snprintf(field, t->size, "%s", v);
		break;
	case SCN_K_CPUS:
	case SCN_K_PINS:
		ok = list_key(p, t, key, v, field);
		break;
	case SCN_K_TOP:
	case SCN_K_ALIAS: /* scenario.c's, and an alias of an alias */
		return 1;
	}
	if (ok)
		memcpy((char *)pr + t->line_off, &p->line, sizeof(int));
	return ok;
}

void scn_param_defaults(struct scn_params *pr)
{
	char err[256];
	struct parse p = {.file = "default", .err = err, .errsz = sizeof(err)};
	unsigned n;
	const struct scn_key *keys = scn_keys(&n);

	for (unsigned i = 0; i < n; i++)
		if (keys[i].def && keys[i].kind != SCN_K_TOP)
			scn_param_key(&p, &keys[i], keys[i].name, keys[i].def,
				      pr);
}
