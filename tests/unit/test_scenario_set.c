/*
 * test_scenario_set.c - `isolat run --set KEY=VALUE` (scenario_set.c): the
 * value wins over the file's, is validated like the file's, errors name
 * --set, and the stored text says what was run; gate.KEY and
 * profile.NAME.KEY reach the other sections.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/scenario/scenario.h"

static char path[] = "/tmp/isolat-set-XXXXXX";

static int setup(void **state)
{
	int fd = mkstemp(path);
	static const char text[] =
		"[scenario]\nname = s\ncpus = 1\nhousekeeping = 0\n"
		"duration_s = 5\npriority = 90\n[profile p]\n"
		"description = x\n";

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void test_set_wins(void **state)
{
	char *sets[] = {"duration_s=2", "interval_us=500"};
	struct scenario scn;
	char err[1024] = "";

	(void)state;
	assert_int_equal(scenario_load_set(path, sets, 2, &scn, err,
					   sizeof(err)), 0);
	assert_int_equal(scn.params.duration_s, 2);
	assert_int_equal(scn.params.interval_us, 500);
	assert_int_equal(scn.params.priority, 90); /* the file's, kept */
	assert_non_null(strstr(scn.text, "; (--set) duration_s = 5\n"));
	assert_non_null(strstr(scn.text, "[scenario]\nduration_s = 2\n"));
	scenario_free(&scn);
	/* A profile's key and a [gate] key; a profile's line replaced in
	 * its own section only; a value with '-' (-1) is a value. */
	{
		char *more[] = {"profile.p.description=y", "gate.p99=+25%",
				"profile.q.timer_migration=0",
				"profiles=none,p,q", "sched_rt_runtime_us=-1"};

		assert_int_equal(scenario_load_set(path, more, 4, &scn, err,
						   sizeof(err)), 0);
		assert_string_equal(scn.profiles[0].description, "y");
		assert_non_null(strstr(scn.text, "; (--set) description = x\n"));
		assert_non_null(strstr(scn.text, "[profile p]\ndescription = y\n"));
		assert_non_null(strstr(scn.text, "[gate]\np99 = +25%\n"));
		assert_non_null(strstr(scn.text, "[profile q]\ntimer_migration "
				       "= 0\n"));
		scenario_free(&scn);
		/* sched_rt_runtime_us is a profile key: --set names it */
		assert_true(scenario_load_set(path, more + 4, 1, &scn, err,
					      sizeof(err)) < 0);
		assert_non_null(strstr(err, "--set sched_rt_runtime_us=-1:"));
	}
	/* the file alone, unchanged */
	assert_int_equal(scenario_load_set(path, NULL, 0, &scn, err,
					   sizeof(err)), 0);
	assert_int_equal(scn.params.duration_s, 5);
	scenario_free(&scn);
}

static void test_set_errors(void **state)
{
	char *unknown[] = {"duraton_s=2"}, *bad[] = {"duration_s=abc"};
	char *twice[] = {"loops=10", "loops=20"}, *malformed[] = {"x"};
	char *both[] = {"loops=100"};
	struct scenario scn;
	char err[1024] = "";

	(void)state;
	assert_true(scenario_load_set(path, unknown, 1, &scn, err,
				      sizeof(err)) < 0);
	assert_non_null(strstr(err, "--set duraton_s=2: unknown key"));
	assert_true(scenario_load_set(path, bad, 1, &scn, err,
				      sizeof(err)) < 0);
	assert_non_null(strstr(err, "--set duration_s=abc:"));
	assert_true(scenario_load_set(path, twice, 2, &scn, err,
				      sizeof(err)) < 0);
	assert_non_null(strstr(err, "--set loops=20:"));
	assert_true(scenario_load_set(path, malformed, 1, &scn, err,
				      sizeof(err)) < 0);
	assert_non_null(strstr(err, "--set x: expected KEY=VALUE"));
	{
		char *sect[] = {"nosuch.loops=1"}, *pkey[] = {"profile.p.nokey=1"};

		assert_true(scenario_load_set(path, sect, 1, &scn, err,
					      sizeof(err)) < 0);
		assert_non_null(strstr(err, "--set nosuch.loops=1: expected "
				       "KEY=VALUE (a [scenario] key), "
				       "gate.KEY=VALUE or profile.NAME.KEY"));
		assert_true(scenario_load_set(path, pkey, 1, &scn, err,
					      sizeof(err)) < 0);
		assert_non_null(strstr(err, "--set profile.p.nokey=1:"));
	}
	/* A profile no case runs (not in profiles =): the setting would
	 * change nothing, so it is refused with the way to add it. */
	{
		char *unused[] = {"profile.p.description=y"};

		assert_true(scenario_load_set(path, unused, 1, &scn, err,
					      sizeof(err)) < 0);
		assert_non_null(strstr(err, "--set profile.p.description=y: "
				       "profile p is not in profiles ="));
		assert_non_null(strstr(err, "--set profiles=none,p"));
	}
	/* loops with the file's duration_s: checked as in a file */
	assert_true(scenario_load_set(path, both, 1, &scn, err,
				      sizeof(err)) < 0);
	assert_non_null(strstr(err, "both loops and duration_s"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_wins),
		cmocka_unit_test(test_set_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
