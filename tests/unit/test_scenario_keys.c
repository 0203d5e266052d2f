/*
 * test_scenario_keys.c - the rooms' key tables (scenario_keys_all.def):
 * scenario_key_iter lists exactly the keys the parser takes, every one
 * is taken in the section it is listed for, defaults land in the struct,
 * and "set twice" holds for every key (the per-key flags that replaced a
 * 64-bit mask).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness/scenario/scenario.h"
#include "harness/scenario/scenario_keys.h"

static char err[4096];

/* A value the key takes, by its type in words. */
static const char *sample(const struct scn_key_info *k)
{
	if (k->def)
		return k->def;
	if (!strncmp(k->type, "integer ", 8)) { /* its minimum */
		static char min[32];

		snprintf(min, sizeof(min), "%.*s",
			 (int)strcspn(k->type + 8, "."), k->type + 8);
		return !strcmp(min, "-1") ? "0" : min;
	}
	if (!strcmp(k->type, "path"))
		return "/nonexistent/kernel";
	if (!strcmp(k->type, "kernel parameters"))
		return "quiet";
	if (strstr(k->type, "cpulist") || !strncmp(k->type, "alias", 5))
		return "1";
	if (!strcmp(k->type, "text"))
		return "words";
	if (!strcmp(k->type, "0"))
		return "0";
	if (!strcmp(k->type, "name"))
		return "performance";
	return k->type; /* "a|b|c": one_key takes the first word */
}

struct seen {
	unsigned n;
	char names[256][64];
	int twice; /* write the key twice: "set twice" expected */
};

static int one_key(const struct scn_key_info *k, void *arg)
{
	struct seen *s = arg;
	char text[2048], word[64];
	const char *v = sample(k);
	struct scenario scn;

	if (!strcmp(k->name, "xen_rtds_period_us"))
		v = "10000"; /* not below the default budget */
	if (strchr(v, '|')) { /* a list of words: the first */
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(v, "|"), v);
		v = word;
	}
	if (!strcmp(k->section, "scenario")) {
		snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", k->name);
		snprintf(text, sizeof(text), "[scenario]\n%s%s%s = %s\n",
			 strcmp(k->name, "name") ? "name = t\n" : "",
			 strcmp(k->name, "cpus") ? "cpus = 1\n" : "",
			 k->name, v);
	} else {
		snprintf(text, sizeof(text), "[scenario]\nname = t\ncpus = 1\n"
			 "profiles = p\n[profile p]\n%s = %s\n", k->name, v);
	}
	if (s->twice) {
		char want[128];

		if (!strcmp(k->section, "profile") && !k->profile_overridable)
			return 0; /* description, tuning keys: not tables' */
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "%s = %s\n", k->name, v);
		snprintf(want, sizeof(want), "'%s' set twice", k->name);
		if (!scenario_parse_string("k.ini", text, &scn, err,
					   sizeof(err)) ||
		    !strstr(err, want))
			fail_msg("%s key %s twice: %s", k->section, k->name,
				 err);
		scenario_free(&scn);
		return 0;
	}
	/* vcpus must cover vCPU 1; housekeeping must not be measured */
	if (!strcmp(k->name, "vcpus") || !strcmp(k->name, "housekeeping"))
		snprintf(text, sizeof(text),
			 "[scenario]\nname = t\ncpus = 1\n%s = %s\n", k->name,
			 !strcmp(k->name, "vcpus") ? "2" : "0");
	if (scenario_parse_string("k.ini", text, &scn, err, sizeof(err)))
		fail_msg("%s key %s = %s refused: %s", k->section, k->name, v,
			 err);
	scenario_free(&scn);
	return 0;
}

static void test_every_key_taken(void **state)
{
	static struct seen s;
	struct scenario scn;

	(void)state;
	assert_int_equal(scenario_key_iter(one_key, &s), 0);
	assert_true(s.n >= 39); /* 39 before the tables; more may come */
	/* the unknown-key message lists exactly the iterated keys */
	assert_int_not_equal(scenario_parse_string("u.ini",
		"[scenario]\nname = t\ncpus = 1\nbogus = 1\n", &scn, err,
		sizeof(err)), 0);
	for (unsigned i = 0; i < s.n; i++) {
		char needle[80];

		snprintf(needle, sizeof(needle), "%s%s%s", i ? ", " : ": ",
			 s.names[i], i + 1 < s.n ? ", " : "");
		if (!strstr(err, needle))
			fail_msg("%s not listed in: %s", s.names[i], err);
	}
}

static int stop_at_third(const struct scn_key_info *k, void *arg)
{
	(void)k;
	return ++*(int *)arg == 3 ? 7 : 0;
}

static void test_iter_stops(void **state)
{
	int n = 0;

	(void)state;
	assert_int_equal(scenario_key_iter(stop_at_third, &n), 7);
	assert_int_equal(n, 3);
}

/* "set twice" for every key of the tables, the last one included. */
static void test_twice(void **state)
{
	static struct seen s = {.twice = 1};

	(void)state;
	assert_int_equal(scenario_key_iter(one_key, &s), 0);
}

/* The tables' defaults land in the struct as before them. */
static void test_defaults(void **state)
{
	struct scenario s;

	(void)state;
	assert_int_equal(scenario_parse_string("d.ini",
		"[scenario]\nname = t\ncpus = 1\n", &s, err, sizeof(err)), 0);
	assert_string_equal(s.params.policy, "fifo");
	assert_int_equal(s.params.priority, 95);
	assert_int_equal(s.params.interval_us, 1000);
	assert_int_equal(s.params.hello_timeout_s, 30);
	assert_int_equal(s.params.grace_s, 30);
	assert_int_equal(s.params.memory_mb, 512);
	assert_string_equal(s.params.kvm_accel, "auto");
	assert_string_equal(s.params.xen_type, "pv");
	assert_int_equal(s.params.xen_rtds_period_us, 10000);
	assert_int_equal(s.params.xen_rtds_budget_us, 10000);
	assert_string_equal(s.params.load_cpus, "housekeeping");
	assert_int_equal(s.params.load_settle_s, 2);
	assert_int_equal(s.params.load_inside, 0);
	assert_int_equal(s.params.mem_lock, 0);
	assert_int_equal(s.params.housekeeping, -1);
	assert_int_equal(s.params.duration_s, 10);
	assert_int_equal(s.params.policy_line, 0);
	scenario_free(&s);
}

/* Every alias names a key of the tables. */
static void test_aliases(void **state)
{
	unsigned n;
	const struct scn_key *keys = scn_keys(&n);

	(void)state;
	for (unsigned i = 0; i < n; i++)
		if (keys[i].kind == SCN_K_ALIAS) {
			assert_non_null(scn_key_find(keys[i].arg));
			assert_ptr_not_equal(scn_key_target(&keys[i]),
					     &keys[i]);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key_taken),
		cmocka_unit_test(test_iter_stops),
		cmocka_unit_test(test_twice),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_aliases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
