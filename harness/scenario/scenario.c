/*
 * scenario.c - read a scenario file with libinih and validate every key.
 *
 * libinih does the INI syntax; this file owns the meaning.  Debian's inih is
 * built without INI_HANDLER_LINENO, so line numbers come from our own reader
 * callback (ini_parse_stream), which counts the lines it hands to inih: when
 * the handler runs, the last line read is the one being handled.
 */
#include "harness/scenario/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/env/env.h"
#include "harness/host/load.h"
#include "harness/scenario/scenario_int.h"
#include "harness/net/net.h"
#include "harness/host/tuning.h"
#include "harness/workload.h"
#include "reports/gate.h"

int scn_fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return 0;
	p->failed = 1;
	n = snprintf(p->err, p->errsz, "%s:%d: ", p->file, p->line);
	if (n < 0 || (size_t)n >= p->errsz)
		return 0;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return 0; /* tells inih to record an error; we stop on the first */
}

/* inih reader: hands out one line at a time and counts them. */
static char *reader(char *buf, int size, void *stream)
{
	struct parse *p = stream;
	const char *nl;
	size_t n;

	if (!*p->pos)
		return NULL;
	nl = strchr(p->pos, '\n');
	n = nl ? (size_t)(nl - p->pos) + 1 : strlen(p->pos);
	p->line++;
	/* inih would split a long line into pieces and a leading blank
	 * makes a line a continuation of the previous value: both would be
	 * reported as some other, later mistake.  Say what it is. */
	if (n >= (size_t)size) {
		scn_fail(p, "line longer than %d characters; expected shorter "
		     "lines (split lists, shorten the description)", size - 2);
		return NULL;
	}
	if ((*p->pos == ' ' || *p->pos == '\t') &&
	    p->pos[strspn(p->pos, " \t\r")] != '\n' &&
	    p->pos[strspn(p->pos, " \t\r")] != '\0') {
		scn_fail(p, "line starts with blanks; expected 'key = value' at "
		     "the start of the line (inih reads an indented line as "
		     "the continuation of the previous value)");
		return NULL;
	}
	memcpy(buf, p->pos, n);
	buf[n] = '\0';
	p->pos += n;
	return buf;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= SCN_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return 0;
	return 1;
}

int scn_parse_u64(const char *v, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	char *end;
	unsigned long long x;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || *end || x < min || x > max)
		return -EINVAL;
	*out = x;
	return 0;
}

typedef int (*known_fn)(const char *name);
static int known_load(const char *n);

/* Split "a, b ,c" into names, each checked by known(). */
static int parse_list(struct parse *p, const char *key, const char *v,
		      struct scn_list *out, known_fn known, const char *what)
{
	char buf[1024], *save = NULL, *tok;

	if (strlen(v) >= sizeof(buf))
		return scn_fail(p, "%s: list too long; expected at most %d names",
			    key, SCN_LIST_MAX);
	strcpy(buf, v);
	out->n = 0;
	out->line = p->line;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *e;

		while (isspace((unsigned char)*tok))
			tok++;
		e = tok + strlen(tok);
		while (e > tok && isspace((unsigned char)e[-1]))
			*--e = '\0';
		/* Loads combine with '+' (cpu+memory); known_load checks
		 * every part. */
		if (!valid_name(tok) &&
		    !(known == known_load && strchr(tok, '+')))
			return scn_fail(p, "%s: '%s' is not a name; expected a "
				    "comma-separated list of %s", key, tok,
				    what);
		if (known && !known(tok))
			return scn_fail(p, "%s: unknown %s '%s'; expected one of: "
				    "%s", key, what, tok,
				    !strcmp(what, "environment")   ? env_names()
				    : !strcmp(what, "workload")     ? workload_names()
				    : !strcmp(what, "load")         ? load_names()
				    : !strcmp(what, "network")      ? net_names()
								   : "");
		for (unsigned i = 0; i < out->n; i++)
			if (!strcmp(out->item[i], tok))
				return scn_fail(p, "%s: '%s' listed twice; expected "
					    "each %s once", key, tok, what);
		if (out->n == SCN_LIST_MAX)
			return scn_fail(p, "%s: more than %d entries; split the "
				    "scenario", key, SCN_LIST_MAX);
		strcpy(out->item[out->n++], tok);
	}
	if (out->n == 0)
		return scn_fail(p, "%s: empty list; expected at least one %s", key,
			    what);
	return 1;
}

static int known_env(const char *n) { return env_find(n) != NULL; }
static int known_workload(const char *n) { return workload_find(n) != NULL; }
static int known_net(const char *n) { return net_find(n) != NULL; }
static int known_load(const char *n)
{
	struct load_spec ls;
	char why[128];

	return load_spec_parse(n, &ls, why, sizeof(why)) == 0;
}


/* "unknown key" in [scenario]: every key of every room's table. */
static int unknown_scenario_key(struct parse *p, const char *key,
				const char *v)
{
	char known[2048] = "", why[256] = "";
	struct scn_profile probe;
	unsigned n;
	const struct scn_key *keys = scn_keys(&n), *near;

	/* A profile knob put in [scenario] is the likely mistake. */
	tuning_profile_defaults(&probe);
	if (tuning_profile_key(&probe, key, v, why, sizeof(why)) != -ENOENT)
		return scn_fail(p, "'%s' is a profile key, not a [scenario] "
			    "one; expected it in a [profile NAME] section, "
			    "with NAME listed in profiles =", key);
	near = scn_key_nearest(key);
	if (near)
		return scn_fail(p, "unknown key '%s' in [scenario]; expected "
				"'%s', the nearest key (every key: isolat check "
				"--keys)", key, near->name);
	for (unsigned i = 0; i < n; i++) {
		strcat(known, i ? ", " : "");
		strcat(known, keys[i].name);
	}
	return scn_fail(p, "unknown key '%s' in [scenario]; expected one of: "
		    "%s", key, known);
}

/* " (NEW and its old name OLD are one key)" when k has two names. */
static void alias_note(const struct scn_key *k, char *out, size_t size)
{
	const struct scn_key *t = scn_key_target(k);
	unsigned n;
	const struct scn_key *keys = scn_keys(&n);

	out[0] = '\0';
	for (unsigned i = 0; i < n; i++)
		if (keys[i].kind == SCN_K_ALIAS && scn_key_target(&keys[i]) == t)
			snprintf(out, size, " (%s and its old name %s are "
				 "one key)", t->name, keys[i].name);
}

/* The keys scenario.c itself stores, in struct scenario. */
static int top_key(struct parse *p, const char *key, const char *v)
{
	struct scenario *s = p->scn;
	uint64_t x;

	if (!strcmp(key, "name")) {
		if (!valid_name(v))
			return scn_fail(p, "name = %s: expected letters, digits, "
				    "'_', '.', '-' (at most %d)", v,
				    SCN_NAME_MAX - 1);
		strcpy(s->name, v);
		return 1;
	}
	if (!strcmp(key, "description")) {
		snprintf(s->description, sizeof(s->description), "%s", v);
		return 1;
	}
	if (!strcmp(key, "environments")) {
		s->environments_line = p->line;
		return parse_list(p, key, v, &s->environments, known_env,
				  "environment");
	}
	if (!strcmp(key, "profiles"))
		return parse_list(p, key, v, &s->profiles_used, NULL,
				  "profile");
	if (!strcmp(key, "workloads"))
		return parse_list(p, key, v, &s->workloads, known_workload,
				  "workload");
	if (!strcmp(key, "loads"))
		return parse_list(p, key, v, &s->loads, known_load, "load");
	if (!strcmp(key, "networks"))
		return parse_list(p, key, v, &s->networks, known_net,
				  "network");
	/* repetitions */
	if (!scn_num_key(p, key, v, 1, 1000, &x))
		return 0;
	s->repetitions = (unsigned)x;
	return 1;
}

static int scenario_key(struct parse *p, const char *key, const char *v)
{
	const struct scn_key *k = scn_key_find(key);
	unsigned id;
	char note[128];

	if (!k)
		return unknown_scenario_key(p, key, v);
	id = scn_key_index(scn_key_target(k));
	if (p->seen[id]) {
		alias_note(k, note, sizeof(note));
		return scn_fail(p, "'%s' set twice in [scenario]%s; expected once",
			    key, note);
	}
	p->seen[id] = 1;
	if (k->kind == SCN_K_TOP)
		return top_key(p, key, v);
	return scn_param_key(p, k, key, v, &p->scn->params);
}

/* The overridable keys, for "expected: ..." in [profile NAME]. */
static const char *overridable_names(void)
{
	static char names[512];
	unsigned n;
	const struct scn_key *keys = scn_keys(&n);

	if (!names[0])
		for (unsigned i = 0; i < n; i++)
			if (keys[i].overridable) {
				strcat(names, names[0] ? ", " : "");
				strcat(names, keys[i].name);
			}
	return names;
}

static int profile_override(struct parse *p, struct scn_profile *prof,
			    const struct scn_key *k, const char *key,
			    const char *v)
{
	struct scn_params scratch;
	struct scn_override *o;
	unsigned n;
	const struct scn_key *keys = scn_keys(&n);
	char note[128];

	for (unsigned i = 0; i < prof->nover; i++)
		if (scn_key_target(&keys[prof->over[i].key]) ==
		    scn_key_target(k)) {
			alias_note(k, note, sizeof(note));
			return scn_fail(p, "'%s' set twice in [profile %s]%s; "
				    "expected once", key, prof->name, note);
		}
	if (prof->nover == SCN_OVERRIDES_MAX)
		return scn_fail(p, "more than %d overrides in [profile %s]",
			    SCN_OVERRIDES_MAX, prof->name);
	if (strlen(v) >= sizeof(o->value))
		return scn_fail(p, "%s: value longer than %zu characters", key,
			    sizeof(o->value) - 1);
	/* Validated now, applied per case by scenario_profile_params(). */
	memset(&scratch, 0, sizeof(scratch));
	if (!scn_param_key(p, k, key, v, &scratch))
		return 0;
	o = &prof->over[prof->nover++];
	o->key = (int)scn_key_index(k);
	o->line = p->line;
	strcpy(o->value, v);
	return 1;
}

static int profile_key(struct parse *p, struct scn_profile *prof,
		       const char *key, const char *v)
{
	char why[256] = "";
	const struct scn_key *k = scn_key_find(key);
	int rc;

	if (!strcmp(key, "description")) {
		snprintf(prof->description, sizeof(prof->description), "%s",
			 v);
		return 1;
	}
	if (!strcmp(key, "guest_cmdline")) {
		if (!scn_cmdline_key(p, key, v))
			return 0;
		strcpy(prof->guest_cmdline, v);
		return 1;
	}
	if (k && scn_key_target(k)->overridable)
		return profile_override(p, prof, k, key, v);
	rc = tuning_profile_key(prof, key, v, why, sizeof(why));
	return rc == 0 ? 1
	       : rc != -ENOENT ? scn_fail(p, "%s = %s in [profile %s]: %s", key,
				      v, prof->name, why)
			: scn_fail(p, "unknown key '%s' in [profile %s]; expected: "
			       "description, guest_cmdline, %s, %s",
			       key, prof->name, overridable_names(),
			       tuning_profile_keys());
}

int scenario_profile_params(const struct scn_profile *prof,
			    struct scn_params *pr)
{
	char err[256];
	struct parse p = {.file = "profile", .err = err, .errsz = sizeof(err)};
	unsigned n;
	const struct scn_key *keys = scn_keys(&n);

	for (unsigned i = 0; prof && i < prof->nover; i++) {
		const struct scn_key *k = &keys[prof->over[i].key];

		p.line = prof->over[i].line;
		if (!scn_param_key(&p, k, k->name, prof->over[i].value, pr))
			return -EINVAL; /* validated at parse time */
	}
	return 0;
}

/* "[profile NAME]" -> the profile, created on first sight. */
static struct scn_profile *profile_section(struct parse *p,
					   const char *section)
{
	const char *name = section + strlen("profile");
	struct scenario *s = p->scn;

	while (isspace((unsigned char)*name))
		name++;
	if (!valid_name(name)) {
		scn_fail(p, "[%s]: expected [profile NAME] with NAME made of "
		     "letters, digits, '_', '.', '-'", section);
		return NULL;
	}
	/* 'none' is the untuned baseline every comparison is made against;
	 * tuning it would make 'what isolation buys back' a lie. */
	if (!strcmp(name, "none")) {
		scn_fail(p, "[profile none]: 'none' is the untuned baseline and "
		     "cannot be defined; expected another name for a tuned "
		     "profile");
		return NULL;
	}
	for (unsigned i = 0; i < s->nprofiles; i++)
		if (!strcmp(s->profiles[i].name, name))
			return &s->profiles[i];
	if (s->nprofiles == SCN_PROFILES_MAX) {
		scn_fail(p, "more than %d profiles; split the scenario",
		     SCN_PROFILES_MAX);
		return NULL;
	}
	strcpy(s->profiles[s->nprofiles].name, name);
	s->profiles[s->nprofiles].line = p->line;
	tuning_profile_defaults(&s->profiles[s->nprofiles]);
	return &s->profiles[s->nprofiles++];
}

static int handler(void *user, const char *section, const char *key,
		   const char *value)
{
	struct parse *p = user;

	if (p->failed)
		return 0;
	if (!strcmp(section, "scenario"))
		return scenario_key(p, key, value);
	if (!strncmp(section, "profile", 7) &&
	    (section[7] == ' ' || section[7] == '\t')) {
		struct scn_profile *prof = profile_section(p, section);

		return prof ? profile_key(p, prof, key, value) : 0;
	}
	if (!strcmp(section, "gate"))
		return 1; /* checked as a whole by gate_thresholds_ini() */
	if (!*section)
		return scn_fail(p, "'%s' outside any section; expected it under "
			    "[scenario]", key);
	return scn_fail(p, "unknown section [%s]; expected [scenario], "
		    "[profile NAME] or [gate]", section);
}

static void defaults(struct scenario *s)
{
	strcpy(s->environments.item[0], "bare");
	s->environments.n = 1;
	strcpy(s->profiles_used.item[0], "none");
	s->profiles_used.n = 1;
	strcpy(s->workloads.item[0], "rtlat");
	s->workloads.n = 1;
	strcpy(s->loads.item[0], "none");
	s->loads.n = 1;
	s->repetitions = 1;
	s->params.housekeeping = -1; /* the first CPU not measured */
	strcpy(s->networks.item[0], "veth");
	s->networks.n = 1;
	scn_param_defaults(&s->params);
}

/* The rooms' checks of their keys together (scenario_checks.def), on
 * [scenario] and on each profile over it, the error on the line of the
 * key blamed (a profile's own line for it, if it sets it). */
static int room_checks(struct parse *p)
{
	typedef int (*check_fn)(const struct scn_params *, const char **,
				char *, size_t);
	static const check_fn checks[] = {
#define X(fn) fn,
#include "harness/scenario/scenario_checks.def"
#undef X
	};
	struct scenario *s = p->scn;
	const char *blame = NULL;
	char why[512];

	for (size_t c = 0; c < sizeof(checks) / sizeof(checks[0]); c++) {
		if (checks[c](&s->params, &blame, why, sizeof(why)) < 0) {
			const struct scn_key *k = scn_key_find(blame);

			p->line = k ? *(const int *)((const char *)&s->params +
						     k->line_off) : 1;
			if (!p->line)
				p->line = 1;
			return scn_fail(p, "%s", why);
		}
		for (unsigned i = 0; i < s->nprofiles; i++) {
			struct scn_params mix = s->params;
			const struct scn_profile *pf = &s->profiles[i];

			scenario_profile_params(pf, &mix);
			if (checks[c](&mix, &blame, why, sizeof(why)) == 0)
				continue;
			p->line = pf->line;
			for (unsigned j = 0; j < pf->nover; j++)
				if ((unsigned)pf->over[j].key ==
				    scn_key_index(scn_key_find(blame)))
					p->line = pf->over[j].line;
			return scn_fail(p, "[profile %s]: %s", pf->name, why);
		}
	}
	return 1;
}

/* Checks that need the whole file: combinations and references. */
static int finish(struct parse *p)
{
	struct scenario *s = p->scn;
	struct scn_params *pr = &s->params;

	if (!p->seen[scn_key_index(scn_key_find("name"))]) {
		p->line = 1;
		return scn_fail(p, "no 'name' in [scenario]; expected name = "
			    "SOMETHING (letters, digits, '_', '.', '-')");
	}
	if (pr->loops && pr->duration_s) {
		p->line = pr->loops_line > pr->duration_s_line
				  ? pr->loops_line : pr->duration_s_line;
		return scn_fail(p, "both loops and duration_s are set; expected "
			    "one of them");
	}
	if (!pr->loops && !pr->duration_s)
		pr->duration_s = 10;
	if (pr->cpus.n == 0) {
		p->line = 1;
		return scn_fail(p, "no 'cpus' in [scenario]; expected the measured "
			    "CPUs, e.g. cpus = 1");
	}
	if (!room_checks(p))
		return 0;
	if (pr->housekeeping >= 0 &&
	    cpulist_contains(&pr->cpus, (unsigned)pr->housekeeping)) {
		p->line = pr->housekeeping_line;
		return scn_fail(p, "housekeeping = %d is also a measured CPU; "
			    "expected a CPU not in cpus", pr->housekeeping);
	}
	if (!strcmp(pr->policy, "other")) {
		/* SCHED_OTHER has no RT priority: 0 unless someone asked for
		 * one, which is a mistake worth saying. */
		if (pr->priority_line && pr->priority != 0) {
			p->line = pr->priority_line;
			return scn_fail(p, "priority = %d with policy other; "
				    "expected no priority (or 0) for "
				    "SCHED_OTHER", pr->priority);
		}
		pr->priority = 0;
	} else if (pr->priority < 1) {
		p->line = pr->priority_line;
		return scn_fail(p, "priority 0 with policy %s; expected 1..99",
			    pr->policy);
	}
	for (unsigned i = 0; i < s->profiles_used.n; i++) {
		const char *name = s->profiles_used.item[i];
		unsigned j;

		if (!strcmp(name, "none"))
			continue;
		for (j = 0; j < s->nprofiles; j++)
			if (!strcmp(s->profiles[j].name, name))
				break;
		if (j == s->nprofiles) {
			p->line = s->profiles_used.line;
			return scn_fail(p, "profiles: '%s' has no [profile %s] "
				    "section with keys (an empty section counts "
				    "as none: give it a description at least); "
				    "expected 'none' or a defined profile", name,
				    name);
		}
	}
	return 1;
}

int scenario_parse_string(const char *name, const char *text,
			  struct scenario *scn, char *err, size_t errsz)
{
	struct parse p = {
		.scn = scn, .file = name, .text = text, .pos = text,
		.err = err, .errsz = errsz,
	};
	int rc;

	memset(scn, 0, sizeof(*scn));
	snprintf(scn->path, sizeof(scn->path), "%s", name);
	defaults(scn);
	rc = ini_parse_stream(reader, &p, handler, &p);
	if (rc > 0 && !p.failed) {
		/* inih's own syntax error, on line rc. */
		p.line = rc;
		scn_fail(&p, "not a 'key = value' line, [section] or comment; "
		     "expected INI syntax as in scenarios/smoke.ini");
	} else if (rc < 0 && !p.failed) {
		snprintf(err, errsz, "%s: cannot parse (error %d)", name, rc);
		return -EINVAL;
	}
	if (!p.failed)
		finish(&p);
	if (p.failed)
		return -EINVAL;
	/* [gate]: the regression gate's limits, parsed by the gate itself
	 * so `isolat check` and `isolat gate` agree on every value. */
	{
		struct gate_thresholds th = {0};
		double alpha = 0;
		int found = 0;

		if (gate_thresholds_ini(text, name, &th, &alpha, &found, err,
					errsz) < 0)
			return -EINVAL;
	}
	scn->text = strdup(text);
	return scn->text ? 0 : -ENOMEM;
}

int scenario_load(const char *path, struct scenario *scn, char *err,
		  size_t errsz)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int rc;

	memset(scn, 0, sizeof(*scn));
	f = fopen(path, "r");
	if (!f) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s; expected a scenario file (see "
			 "scenarios/smoke.ini)", path, strerror(errno));
		return rc;
	}
	do {
		if (cap - len < 4096) {
			char *nb;

			if (cap >= (1u << 20)) {
				snprintf(err, errsz, "%s: larger than 1 MiB; "
					 "expected a scenario file", path);
				fclose(f);
				free(buf);
				return -EFBIG;
			}
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				fclose(f);
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		rc = -errno;
		snprintf(err, errsz, "%s: read error: %s", path,
			 strerror(errno));
		fclose(f);
		free(buf);
		return rc ? rc : -EIO;
	}
	fclose(f);
	buf[len] = '\0';
	if (strlen(buf) != len) {
		/* Where the first one is, so it can be found and removed. */
		size_t at = strlen(buf), line = 1, col = 1;

		for (size_t i = 0; i < at; i++, col++)
			if (buf[i] == '\n')
				line++, col = 0;
		snprintf(err, errsz, "%s:%zu: a NUL byte (column %zu); "
			 "expected a text scenario file: remove the NUL "
			 "bytes (tr -d '\\000' < FILE > NEW) or fix what "
			 "wrote the file", path, line, col);
		free(buf);
		return -EINVAL;
	}
	rc = scenario_parse_string(path, buf, scn, err, errsz);
	free(buf);
	return rc;
}

void scenario_free(struct scenario *scn)
{
	free(scn->text);
	scn->text = NULL;
}

uint64_t scn_params_loops(const struct scn_params *p)
{
	if (p->loops)
		return p->loops;
	return (uint64_t)p->duration_s * 1000000u / p->interval_us;
}
