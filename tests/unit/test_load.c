/*
 * test_load.c - the load table and stress-ng argv building: combinations
 * parse part by part, bad ones say why, argv carries every stressor with
 * its instances and extras, the placement and the bounds; scenario keys
 * for placement are validated and resolved against the online CPUs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "harness/load.h"
#include "harness/load_run.h"
#include "harness/scenario.h"

static void test_table(void **state)
{
	(void)state;
	assert_non_null(load_find("none"));
	assert_null(load_find("none")->stressor);
	for (unsigned i = 0; i < load_count; i++) {
		const struct load_ops *o = &load_table[i];

		assert_ptr_equal(load_find(o->name), o);
		assert_non_null(o->extra);
		if (strcmp(o->name, "none"))
			assert_true(o->stressor && !strncmp(o->stressor, "--",
							   2));
	}
	for (const char *const *n = (const char *const[]){"cpu", "memory",
		"io", "sched", "timer", "network", NULL}; *n; n++)
		assert_non_null(load_find(*n));
}

static void test_spec(void **state)
{
	struct load_spec ls;
	char why[256];

	(void)state;
	assert_int_equal(load_spec_parse("none", &ls, why, sizeof(why)), 0);
	assert_int_equal(ls.n, 0);
	assert_int_equal(load_spec_parse("cpu", &ls, why, sizeof(why)), 0);
	assert_int_equal(ls.n, 1);
	assert_string_equal(ls.part[0]->name, "cpu");
	assert_int_equal(load_spec_parse("cpu+memory", &ls, why, sizeof(why)),
			 0);
	assert_int_equal(ls.n, 2);
	assert_string_equal(ls.name, "cpu+memory");
	assert_string_equal(ls.part[1]->name, "memory");

	assert_int_equal(load_spec_parse("cpu+bogus", &ls, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "unknown load 'bogus'"));
	assert_int_equal(load_spec_parse("cpu+cpu", &ls, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "twice"));
	assert_int_equal(load_spec_parse("none+cpu", &ls, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "cannot be combined"));
	assert_int_equal(load_spec_parse("cpu++io", &ls, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(load_spec_parse("cpu+", &ls, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(load_spec_parse("", &ls, why, sizeof(why)), -EINVAL);
	assert_int_equal(load_spec_parse("cpu+memory+io+sched+timer", &ls,
					 why, sizeof(why)), -EINVAL);
}

static void test_argv(void **state)
{
	struct load_spec ls;
	struct load_cmd cmd;
	struct cpulist cpus;
	const char *perr;
	char why[256], text[1024];

	(void)state;
	assert_int_equal(load_spec_parse("cpu+memory", &ls, why, sizeof(why)),
			 0);
	assert_int_equal(cpulist_parse("1,3", &cpus, &perr), 0);
	assert_int_equal(load_cmd_build(&cmd, &ls, &cpus, 2, 90, "/tmp/w",
					why, sizeof(why)), 0);
	load_cmd_text(&cmd, text, sizeof(text));
	assert_string_equal(text,
			    "stress-ng --cpu 2 --vm 2 --vm-bytes 64M "
			    "--taskset 1,3 --timeout 90s --metrics-brief "
			    "--temp-path /tmp/w");
	assert_null(cmd.argv[15]);

	assert_int_equal(load_spec_parse("network", &ls, why, sizeof(why)), 0);
	assert_int_equal(load_cmd_build(&cmd, &ls, &cpus, 1, 5, "/w", why,
					sizeof(why)), 0);
	load_cmd_text(&cmd, text, sizeof(text));
	/* Loopback only. */
	assert_non_null(strstr(text, "--udp 1 --udp-domain ipv4 --udp-if lo"));

	assert_int_equal(load_spec_parse("none", &ls, why, sizeof(why)), 0);
	assert_int_equal(load_cmd_build(&cmd, &ls, &cpus, 1, 5, "/w", why,
					sizeof(why)), -EINVAL);
}

static void test_resolve(void **state)
{
	struct cpulist online, meas, out;
	const char *perr;
	char why[256], text[64];

	(void)state;
	assert_int_equal(cpulist_parse("0-3", &online, &perr), 0);
	assert_int_equal(cpulist_parse("1,2", &meas, &perr), 0);
	assert_int_equal(load_resolve_cpus("housekeeping", &meas, &online,
					   &out, why, sizeof(why)), 0);
	cpulist_format(&out, text, sizeof(text));
	assert_string_equal(text, "0,3");
	assert_int_equal(load_resolve_cpus("measured", &meas, &online, &out,
					   why, sizeof(why)), 0);
	cpulist_format(&out, text, sizeof(text));
	assert_string_equal(text, "1-2");
	assert_int_equal(load_resolve_cpus("all", &meas, &online, &out, why,
					   sizeof(why)), 0);
	assert_int_equal(out.n, 4);
	assert_int_equal(load_resolve_cpus("3", &meas, &online, &out, why,
					   sizeof(why)), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(load_resolve_cpus("7", &meas, &online, &out, why,
					   sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "CPU 7 is not online"));
}

static void test_scenario_keys(void **state)
{
	struct scenario s;
	char err[1024];

	(void)state;
	assert_int_equal(scenario_parse_string("l.ini",
		"[scenario]\nname = l\ncpus = 1\n"
		"loads = none, cpu, cpu+memory\n"
		"load_cpus = measured\nload_settle_s = 0\n"
		"load_instances = 3\nload_side = inside\n",
		&s, err, sizeof(err)), 0);
	assert_int_equal(s.loads.n, 3);
	assert_string_equal(s.loads.item[2], "cpu+memory");
	assert_string_equal(s.params.load_cpus, "measured");
	assert_int_equal(s.params.load_settle_s, 0);
	assert_int_equal(s.params.load_instances, 3);
	assert_int_equal(s.params.load_inside, 1);
	scenario_free(&s);

	assert_int_equal(scenario_parse_string("d.ini",
		"[scenario]\nname = d\ncpus = 1\n", &s, err, sizeof(err)), 0);
	assert_string_equal(s.params.load_cpus, "housekeeping");
	assert_int_equal(s.params.load_settle_s, 2);
	assert_int_equal(s.params.load_inside, 0);
	scenario_free(&s);

	assert_int_equal(scenario_parse_string("b.ini",
		"[scenario]\nname = b\ncpus = 1\nloads = cpu+memroy\n",
		&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "b.ini:4: loads: unknown load "
				    "'cpu+memroy'"));
	assert_int_equal(scenario_parse_string("c.ini",
		"[scenario]\nname = c\ncpus = 1\nload_cpus = some\n",
		&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "c.ini:4: load_cpus = some"));
	assert_int_equal(scenario_parse_string("e.ini",
		"[scenario]\nname = e\ncpus = 1\nload_side = guest\n",
		&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "e.ini:4: load_side = guest"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_scenario_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
