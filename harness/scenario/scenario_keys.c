/*
 * scenario_keys.c - every room's table of [scenario] keys in one array
 * (scenario_keys_all.def), looked up by name and listed for
 * `isolat check --keys` and the man pages (scenario_key_iter).
 */
#include "harness/scenario/scenario_keys.h"

#include <stdio.h>
#include <string.h>

#include "harness/host/tuning.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/scenario_int.h"
#include "workloads/cpulist.h"

#define FIELD(n) .off = offsetof(struct scn_params, n), \
	.size = sizeof(((struct scn_params *)0)->n)
#define LINE(n) .line_off = offsetof(struct scn_params, n##_line)

#define SCN_TOP(n, t, d, dc) \
	{.name = #n, .kind = SCN_K_TOP, .top_type = t, .def = d, .doc = dc},
#define SCN_UINT(n, ct, lo, hi, o, d, dc) \
	{.name = #n, .kind = SCN_K_UINT, FIELD(n), LINE(n), .min = lo, \
	 .max = hi, .overridable = o, .def = d, .doc = dc},
#define SCN_WORD(n, sz, ch, o, d, dc) \
	{.name = #n, .kind = SCN_K_WORD, FIELD(n), LINE(n), .words = ch, \
	 .overridable = o, .def = d, .doc = dc},
#define SCN_FLAG(n, f, ch, y, o, d, dc) \
	{.name = #n, .kind = SCN_K_FLAG, FIELD(f), LINE(n), .words = ch, \
	 .arg = y, .overridable = o, .def = d, .doc = dc},
#define SCN_PATH(n, o, dc) \
	{.name = #n, .kind = SCN_K_PATH, FIELD(n), LINE(n), \
	 .overridable = o, .doc = dc},
#define SCN_CMDLINE(n, dc) \
	{.name = #n, .kind = SCN_K_CMDLINE, FIELD(n), LINE(n), .doc = dc},
#define SCN_CPUS(n, hi, o, dc) \
	{.name = #n, .kind = SCN_K_CPUS, FIELD(n), LINE(n), .max = hi, \
	 .overridable = o, .doc = dc},
#define SCN_PINS(n, o, dc) \
	{.name = #n, .kind = SCN_K_PINS, FIELD(n), LINE(n), \
	 .overridable = o, .doc = dc},
#define SCN_CPUSPEC(n, w, t, o, d, dc) \
	{.name = #n, .kind = SCN_K_CPUSPEC, FIELD(n), LINE(n), .words = w, \
	 .arg = t, .overridable = o, .def = d, .doc = dc},
#define SCN_ALIAS(n, tgt, dc) \
	{.name = #n, .kind = SCN_K_ALIAS, .arg = #tgt, .doc = dc},

static const struct scn_key keys[] = {
#include "harness/scenario/scenario_keys_all.def"
};

_Static_assert(sizeof(keys) / sizeof(keys[0]) == SCN_NKEYS,
	       "SCN_NKEYS counts every key of scenario_keys_all.def");

const struct scn_key *scn_keys(unsigned *n)
{
	*n = SCN_NKEYS;
	return keys;
}

const struct scn_key *scn_key_find(const char *name)
{
	for (unsigned i = 0; i < SCN_NKEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* Optimal string alignment distance of a and b (both short: key names). */
static unsigned edit_distance(const char *a, const char *b)
{
	unsigned d[48][48];
	size_t la = strlen(a), lb = strlen(b);

	if (la >= 48 || lb >= 48)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			unsigned c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

const struct scn_key *scn_key_nearest(const char *name)
{
	const struct scn_key *best = NULL;
	unsigned bd = 3;

	for (unsigned i = 0; i < SCN_NKEYS; i++) {
		unsigned d = edit_distance(name, keys[i].name);

		if (d < bd) {
			bd = d;
			best = &keys[i];
		}
	}
	return best && 2 * bd < strlen(name) ? best : NULL;
}

const struct scn_key *scn_key_target(const struct scn_key *k)
{
	const struct scn_key *t;

	if (k->kind != SCN_K_ALIAS)
		return k;
	t = scn_key_find(k->arg);
	return t ? t : k; /* a dangling alias is caught by test_scenario.c */
}

unsigned scn_key_index(const struct scn_key *k)
{
	return (unsigned)(k - keys);
}

/* "a|b|c" then tail -> "a, b, c or tail" (tail NULL: "a, b or c"). */
void scn_words_join(const char *words, const char *tail, char *out,
		    size_t size)
{
	char list[16][64];
	unsigned n = 0;
	size_t len = 0;

	for (const char *s = words; *s && n < 16; n++) {
		size_t w = strcspn(s, "|");

		snprintf(list[n], sizeof(list[n]), "%.*s", (int)w, s);
		s += w + (s[w] == '|');
	}
	if (tail && n < 16)
		snprintf(list[n++], sizeof(list[0]), "%s", tail);
	out[0] = '\0';
	for (unsigned i = 0; i < n && len < size; i++) {
		int w = snprintf(out + len, size - len, "%s%s",
				 i == 0 ? "" : i + 1 == n ? " or " : ", ",
				 list[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* A key's type in words, for --keys and man pages. */
static void key_type(const struct scn_key *k, char *out, size_t size)
{
	switch (k->kind) {
	case SCN_K_TOP:
		snprintf(out, size, "%s", k->top_type);
		return;
	case SCN_K_UINT:
		snprintf(out, size, "integer %llu..%llu",
			 (unsigned long long)k->min,
			 (unsigned long long)k->max);
		return;
	case SCN_K_WORD:
	case SCN_K_FLAG:
		snprintf(out, size, "%s", k->words);
		return;
	case SCN_K_PATH:
		snprintf(out, size, "path");
		return;
	case SCN_K_CMDLINE:
		snprintf(out, size, "kernel parameters");
		return;
	case SCN_K_CPUS:
		if (k->max < CPULIST_MAX - 1)
			snprintf(out, size, "cpulist (CPUs 0..%llu)",
				 (unsigned long long)k->max);
		else
			snprintf(out, size, "cpulist");
		return;
	case SCN_K_PINS:
		snprintf(out, size, "cpulist in vCPU order");
		return;
	case SCN_K_CPUSPEC:
		snprintf(out, size, "%s|cpulist", k->words);
		return;
	case SCN_K_ALIAS:
		snprintf(out, size, "alias of %s", k->arg);
		return;
	}
}

static int iter_scenario(scenario_key_fn fn, void *arg, int profile)
{
	for (unsigned i = 0; i < SCN_NKEYS; i++) {
		const struct scn_key *k = &keys[i];
		const struct scn_key *t = scn_key_target(k);
		struct scn_key_info ki = {
			.section = profile ? "profile" : "scenario",
			.name = k->name, .doc = k->doc,
			/* unset in a profile: the scenario's value */
			.def = profile ? NULL : t->def,
			.profile_overridable = t->overridable,
		};
		char type[128];
		int rc;

		if (profile && !t->overridable)
			continue;
		key_type(k, type, sizeof(type));
		ki.type = type;
		rc = fn(&ki, arg);
		if (rc)
			return rc;
	}
	return 0;
}

int scenario_key_iter(scenario_key_fn fn, void *arg)
{
	static const struct scn_key_info own[] = {
		{.section = "profile", .name = "description", .type = "text",
		 .doc = "one line saying what the profile is for"},
		{.section = "profile", .name = "guest_cmdline",
		 .type = "kernel parameters",
		 .doc = "kernel parameters added after the scenario's "
			"guest_cmdline in a guest"},
	};
	int rc = iter_scenario(fn, arg, 0);

	for (unsigned i = 0; !rc && i < 2; i++)
		rc = fn(&own[i], arg);
	if (!rc)
		rc = iter_scenario(fn, arg, 1);
	return rc ? rc : tuning_profile_key_iter(fn, arg);
}
