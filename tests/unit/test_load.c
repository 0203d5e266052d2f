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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/host/load.h"
#include "harness/host/load_run.h"
#include "harness/run/plan.h"
#include "harness/scenario/scenario.h"

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
	/* 14 words, then the terminator (argv[15] is past it: never read,
	 * and not initialized - the sanitizer build's stack showed it). */
	assert_non_null(cmd.argv[13]);
	assert_null(cmd.argv[14]);

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
					   "online", &out, why, sizeof(why)),
			 0);
	cpulist_format(&out, text, sizeof(text));
	assert_string_equal(text, "0,3");
	assert_int_equal(load_resolve_cpus("measured", &meas, &online, "online on this host",
					   &out,
					   why, sizeof(why)), 0);
	cpulist_format(&out, text, sizeof(text));
	assert_string_equal(text, "1-2");
	assert_int_equal(load_resolve_cpus("all", &meas, &online, "online on this host",
					   &out, why,
					   sizeof(why)), 0);
	assert_int_equal(out.n, 4);
	assert_int_equal(load_resolve_cpus("3", &meas, &online, "online on this host",
					   &out, why,
					   sizeof(why)), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(load_resolve_cpus("7", &meas, &online, "online on this host",
					   &out, why,
					   sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "CPU 7 is not online on this host; "
				    "expected CPUs from 0-3"));
}

/* What isolat-wl accepts from --load: exactly what load_cmd_build makes,
 * nothing a shell or a path trick could use. */
static void test_argv_check(void **state)
{
	struct load_spec ls;
	struct load_cmd cmd;
	struct cpulist cpus;
	const char *perr;
	char why[256];
	unsigned n = 0;

	(void)state;
	assert_int_equal(load_spec_parse("cpu+memory+io+network", &ls, why,
					 sizeof(why)), 0);
	assert_int_equal(cpulist_parse("0,2-3", &cpus, &perr), 0);
	assert_int_equal(load_cmd_build(&cmd, &ls, &cpus, 3, 600, "/tmp", why,
					sizeof(why)), 0);
	while (cmd.argv[n])
		n++;
	assert_int_equal(load_argv_check(cmd.argv, n, why, sizeof(why)), 0);
	/* Not NULL-terminated where it says it ends. */
	assert_int_equal(load_argv_check(cmd.argv, n - 1, why, sizeof(why)),
			 -EINVAL);

	{
#define CHECK(want, ...) do { \
		char *const v[] = {__VA_ARGS__, NULL}; \
		assert_int_equal(load_argv_check(v, sizeof(v) / sizeof(v[0]) - \
						 1, why, sizeof(why)), want); \
	} while (0)
		CHECK(0, "stress-ng", "--cpu", "1", "--taskset", "0-1,3");
		CHECK(0, "stress-ng", "--temp-path", "/tmp/a.b/c");
		CHECK(-EINVAL, "sh", "-c", "x");
		CHECK(-EINVAL, "/usr/bin/stress-ng", "--cpu", "1");
		CHECK(-EINVAL, "stress-ng", "--cpu 1");
		CHECK(-EINVAL, "stress-ng", "--cpu", "1;reboot");
		CHECK(-EINVAL, "stress-ng", "$(x)");
		CHECK(-EINVAL, "stress-ng", "a\nb");
		CHECK(-EINVAL, "stress-ng", "");
		CHECK(-EINVAL, "stress-ng", "--temp-path", "/tmp/../etc");
		CHECK(-EINVAL, "stress-ng", "--temp-path", "/tmp/./x");
		CHECK(-EINVAL, "stress-ng", "--temp-path", "tmp/x");
		CHECK(-EINVAL, "stress-ng", "--job", "~/x");
#undef CHECK
	}
	assert_non_null(strstr(why, "not allowed"));
	{
		static char big[LOAD_ARG_LEN_MAX + 2];
		char *v[LOAD_ARGV_MAX + 2];

		memset(big, 'a', sizeof(big) - 1);
		v[0] = "stress-ng";
		v[1] = big;
		v[2] = NULL;
		assert_int_equal(load_argv_check(v, 2, why, sizeof(why)),
				 -EINVAL);
		for (unsigned i = 1; i <= LOAD_ARGV_MAX; i++)
			v[i] = "1";
		v[LOAD_ARGV_MAX + 1] = NULL;
		assert_int_equal(load_argv_check(v, LOAD_ARGV_MAX + 1, why,
						 sizeof(why)), -EINVAL);
		v[LOAD_ARGV_MAX] = NULL;
		assert_int_equal(load_argv_check(v, LOAD_ARGV_MAX, why,
						 sizeof(why)), 0);
	}
}

static char root[] = "/tmp/isolat-ld-XXXXXX";
static int made;

/* A fake sysfs with CPUs 0-3 online; the plan of a scenario against it. */
static int plan_envs(const char *envs, unsigned vcpus, const char *extra,
		     struct scenario *s, struct plan *pl, char *err,
		     size_t errsz)
{
	char text[1024], path[600];
	FILE *f;
	int rc;

	if (!made) {
		assert_non_null(mkdtemp(root));
		snprintf(path, sizeof(path), "%s/sys", root);
		mkdir(path, 0755);
		strcat(path, "/devices");
		mkdir(path, 0755);
		strcat(path, "/system");
		mkdir(path, 0755);
		strcat(path, "/cpu");
		mkdir(path, 0755);
		strcat(path, "/online");
		f = fopen(path, "w");
		assert_non_null(f);
		fputs("0-3\n", f);
		fclose(f);
		made = 1;
	}
	snprintf(text, sizeof(text), "[scenario]\nname = i\n"
		 "environments = %s\ncpus = 1\n"
		 "housekeeping = 0\nvcpus = %u\nloads = cpu\n%s", envs, vcpus,
		 extra);
	rc = scenario_parse_string("i.ini", text, s, err, errsz);
	assert_int_equal(rc, 0);
	rc = plan_build(s, root, pl, err, errsz);
	if (rc < 0)
		scenario_free(s);
	return rc;
}

static int plan_inside(const char *extra, struct scenario *s,
		       struct plan *pl, char *err, size_t errsz)
{
	return plan_envs("bare, lxc, kvm, xen", 3, extra, s, pl, err, errsz);
}

static const char *placement(const struct plan *pl, const char *env,
			     char *buf, size_t size)
{
	for (unsigned i = 0; i < pl->n; i++)
		if (!strcmp(pl->cases[i].env->name, env)) {
			cpulist_format(&pl->cases[i].load_cpus, buf, size);
			return buf;
		}
	return "?";
}

/* load_side = inside: placement against the container's cpuset (host
 * CPUs) or the guest's vCPUs; bare stays on the host; an out-of-reach CPU
 * is a FILE:LINE error; no "not yet supported" skip any more. */
static void test_plan_inside(void **state)
{
	struct scenario s;
	struct plan pl;
	char err[1024], b[64];

	(void)state;
	assert_int_equal(plan_inside("load_side = inside\n", &s, &pl, err,
				     sizeof(err)), 0);
	assert_string_equal(placement(&pl, "bare", b, sizeof(b)), "0,2-3");
	assert_string_equal(placement(&pl, "lxc", b, sizeof(b)), "0");
	assert_string_equal(placement(&pl, "kvm", b, sizeof(b)), "0,2");
	assert_string_equal(placement(&pl, "xen", b, sizeof(b)), "0,2");
	for (unsigned i = 0; i < pl.n; i++) {
		assert_int_equal(load_runs_inside(&pl.cases[i]),
				 strcmp(pl.cases[i].env->name, "bare") != 0);
		assert_null(strstr(pl.cases[i].skip_reason, "not yet"));
		assert_null(strstr(pl.cases[i].skip_reason, "load_side"));
	}
	plan_free(&pl);
	scenario_free(&s);

	assert_int_equal(plan_inside("load_side = inside\nload_cpus = all\n",
				     &s, &pl, err, sizeof(err)), 0);
	assert_string_equal(placement(&pl, "bare", b, sizeof(b)), "0-3");
	assert_string_equal(placement(&pl, "lxc", b, sizeof(b)), "0-1");
	assert_string_equal(placement(&pl, "kvm", b, sizeof(b)), "0-2");
	plan_free(&pl);
	scenario_free(&s);

	/* Host side: the host's CPUs for every environment. */
	assert_int_equal(plan_inside("", &s, &pl, err, sizeof(err)), 0);
	assert_string_equal(placement(&pl, "lxc", b, sizeof(b)), "0,2-3");
	assert_string_equal(placement(&pl, "kvm", b, sizeof(b)), "0,2-3");
	assert_int_equal(load_runs_inside(&pl.cases[1]), 0);
	plan_free(&pl);
	scenario_free(&s);

	/* CPU 3 is online, but not the container's. */
	assert_int_equal(plan_inside("load_side = inside\nload_cpus = 3\n",
				     &s, &pl, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "i.ini:9: load_cpus = 3: CPU 3 is not "
				    "in the container's cpuset"));
	assert_non_null(strstr(err, "(load_side = inside)"));
	/* CPU 2 is online, but in no guest of 2 vCPUs. */
	assert_int_equal(plan_envs("kvm", 2, "load_side = inside\n"
				   "load_cpus = 2\n", &s, &pl, err,
				   sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "CPU 2 is not a vCPU of the guest; "
				    "expected CPUs from 0-1"));
}

/* Collect facts into one text. */
static char facts[4096];
static int fact_cb(void *ctx, const char *key, const char *value)
{
	(void)ctx;
	snprintf(facts + strlen(facts), sizeof(facts) - strlen(facts),
		 "%s=%s\n", key, value);
	return 0;
}

/* The argv isolat-wl gets for a load inside, and the facts. */
static void test_inside_argv(void **state)
{
	struct scenario s;
	struct plan pl;
	struct load_inside *li = malloc(sizeof(*li));
	char err[1024], *argv[WL_ARGV_MAX] = {"isolat-wl", "rtlat", NULL};
	const char *const *programs = NULL;
	const struct plan_case *lxc = NULL, *kvm = NULL, *bare = NULL;
	unsigned argc = 2;
	int have = access("/usr/bin/stress-ng", X_OK) == 0 ||
		   access("/usr/local/bin/stress-ng", X_OK) == 0;

	(void)state;
	assert_non_null(li);
	assert_int_equal(plan_inside("load_side = inside\nload_settle_s = 3"
				     "\n", &s, &pl, err, sizeof(err)), 0);
	for (unsigned i = 0; i < pl.n; i++) {
		const char *n = pl.cases[i].env->name;

		if (!strcmp(n, "lxc"))
			lxc = &pl.cases[i];
		else if (!strcmp(n, "kvm"))
			kvm = &pl.cases[i];
		else if (!strcmp(n, "bare"))
			bare = &pl.cases[i];
	}
	assert_int_equal(load_inside_settle_s(lxc), 3);
	assert_int_equal(load_inside_settle_s(bare), 0);
	/* bare: nothing added (the host path runs it). */
	assert_int_equal(load_inside_prepare(bare, li, argv, &argc,
					     WL_ARGV_MAX, &programs, fact_cb,
					     NULL, err, sizeof(err)), 0);
	assert_int_equal(argc, 2);
	facts[0] = '\0';
	assert_int_equal(load_inside_prepare(lxc, li, argv, &argc,
					     WL_ARGV_MAX, &programs, fact_cb,
					     NULL, err, sizeof(err)), 0);
	assert_null(programs); /* the container has the host's /usr */
	assert_string_equal(argv[2], "--load-settle-s");
	assert_string_equal(argv[3], "3");
	assert_string_equal(argv[4], "--load");
	assert_string_equal(argv[5], "stress-ng");
	for (unsigned i = 4; i < argc; i += 2)
		assert_string_equal(argv[i], "--load");
	assert_null(argv[argc]);
	assert_non_null(strstr(facts, "load.argv=stress-ng --cpu 1 --taskset "
				      "0 --timeout "));
	assert_non_null(strstr(facts, "s --metrics-brief --temp-path "
				      "/tmp\n"));
	assert_non_null(strstr(facts, "load.cpus=0\nload.side=inside\n"
				      "load.settle_s=3\nload.instances=1\n"));

	argc = 2;
	argv[2] = NULL;
	if (have) {
		assert_int_equal(load_inside_prepare(kvm, li, argv, &argc,
						     WL_ARGV_MAX, &programs,
						     fact_cb, NULL, err,
						     sizeof(err)), 0);
		assert_non_null(programs);
		assert_non_null(strstr(programs[0], "/stress-ng"));
		assert_null(programs[1]);
		assert_string_equal(argv[argc - 1], "/tmp");
		assert_string_equal(argv[argc - 5], "--metrics-brief");
	}
	/* No room: an error, argv untouched. */
	argc = 2;
	argv[2] = NULL;
	assert_int_equal(load_inside_prepare(lxc, li, argv, &argc, 10,
					     &programs, fact_cb, NULL, err,
					     sizeof(err)), -E2BIG);
	assert_int_equal(argc, 2);
	assert_null(argv[2]);
	plan_free(&pl);
	scenario_free(&s);
	free(li);
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
		cmocka_unit_test(test_argv_check),
		cmocka_unit_test(test_plan_inside),
		cmocka_unit_test(test_inside_argv),
		cmocka_unit_test(test_scenario_keys),
	};

	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	if (made) {
		const char *const sub[] = {"/sys/devices/system/cpu/online",
					   "/sys/devices/system/cpu",
					   "/sys/devices/system",
					   "/sys/devices", "/sys", ""};
		char path[600];

		for (unsigned i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
			snprintf(path, sizeof(path), "%s%s", root, sub[i]);
			remove(path);
		}
	}
	return rc;
}
