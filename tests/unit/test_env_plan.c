/*
 * test_env_plan.c - what planning learns of an environment lives in the
 * plan (struct env_plan), not in process statics: the xen backend's
 * answers are kept per plan and freed with it, and a planning helper
 * prints nothing (plan.notes is the command's to print).  Also what
 * planning checks of the board itself: a profile's cpufreq governor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/env/env.h"
#include "harness/env/xen/xen_cmd.h"
#include "harness/run/plan.h"
#include "harness/scenario/scenario.h"

static char err[1024];

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* xen_host_cpus keeps what it asked in the env_plan it is given: one
 * state per plan, reused by every case of it, freed by its owner. */
static void test_xen_state_per_plan(void **state)
{
	struct env_plan a = {0}, b = {0};
	struct scn_params p;
	struct cpulist online = {.n = 4, .cpu = {0, 1, 2, 3}}, out;
	void *first;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.cpus.n = 1;
	p.cpus.cpu[0] = 1;
	p.housekeeping = 0;
	assert_int_equal(xen_host_cpus(&a, &p, "s.ini", &online, &out, err,
				       sizeof(err)), 0);
	assert_non_null(a.priv);
	assert_non_null(a.free_priv);
	first = a.priv;
	assert_int_equal(xen_host_cpus(&a, &p, "s.ini", &online, &out, err,
				       sizeof(err)), 0);
	assert_ptr_equal(a.priv, first); /* the same plan: asked once */
	assert_int_equal(xen_host_cpus(&b, &p, "s.ini", &online, &out, err,
				       sizeof(err)), 0);
	assert_ptr_not_equal(b.priv, a.priv); /* another plan: its own */
	a.free_priv(a.priv);
	b.free_priv(b.priv);
	/* No env_plan (a caller outside planning): asks, keeps nothing. */
	assert_int_equal(xen_host_cpus(NULL, &p, "s.ini", &online, &out, err,
				       sizeof(err)), 0);
}

/* plan_build gives each environment its env_plan and plan_free releases
 * them (ASan's leak check holds it to that). */
static void test_plan_owns_env_state(void **state)
{
	static struct scenario s;
	struct plan pl;
	char dir[] = "/tmp/isolat-ep-XXXXXX", text[1024];

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "sys/devices/system/cpu/online", "0-3\n");
	write_file(dir, "proc/cmdline", "quiet\n");
	write_file(dir, "boot/vmlinuz-1", "");
	snprintf(text, sizeof(text),
		 "[scenario]\nname = p\nenvironments = bare, xen\n"
		 "cpus = 1\nhousekeeping = 0\nvcpus = 2\n"
		 "xen_kernel = %s/boot/vmlinuz-1\n", dir);
	assert_int_equal(scenario_parse_string("p.ini", text, &s, err,
					       sizeof(err)), 0);
	assert_int_equal(plan_build(&s, dir, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.nenvs, 2);
	assert_null(pl.envs[0].priv);     /* bare asks nothing */
	assert_non_null(pl.envs[1].priv); /* xen's answers, this plan's */
	if (access("/proc/xen/privcmd", F_OK) < 0 &&
	    access("/dev/xen/privcmd", F_OK) < 0)
		assert_string_equal(pl.notes, ""); /* not a dom0: nothing */
	plan_free(&pl);
	assert_null(pl.envs);
	scenario_free(&s);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* A governor the measured CPU's cpufreq does not offer: a FILE:LINE error
 * at plan time naming what it offers; no cpufreq at all: planned (the
 * case says "not applicable"). */
static void test_governor_at_plan(void **state)
{
	static struct scenario s;
	struct plan pl;
	char dir[] = "/tmp/isolat-ep-XXXXXX";
	const char *ini = "[scenario]\nname = g\ncpus = 1\nhousekeeping = 0\n"
			  "profiles = p\n[profile p]\ngovernor = turbo\n";

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "sys/devices/system/cpu/online", "0-3\n");
	write_file(dir, "proc/cmdline", "quiet\n");
	assert_int_equal(scenario_parse_string("g.ini", ini, &s, err,
					       sizeof(err)), 0);
	assert_int_equal(plan_build(&s, dir, &pl, err, sizeof(err)), 0);
	plan_free(&pl);
	write_file(dir, "sys/devices/system/cpu/cpu1/cpufreq/"
		   "scaling_available_governors", "performance powersave\n");
	assert_int_equal(plan_build(&s, dir, &pl, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "g.ini:7: [profile p]: governor = turbo: CPU "
			    "1 offers performance powersave; expected one of "
			    "those");
	scenario_free(&s);
	/* A whole word: "power" is not "powersave". */
	assert_int_equal(scenario_parse_string("g.ini", "[scenario]\nname = g\n"
		"cpus = 1\nhousekeeping = 0\nprofiles = p\n[profile p]\n"
		"governor = power\n", &s, err, sizeof(err)), 0);
	assert_int_equal(plan_build(&s, dir, &pl, err, sizeof(err)), -EINVAL);
	scenario_free(&s);
	assert_int_equal(scenario_parse_string("g.ini", "[scenario]\nname = g\n"
		"cpus = 1\nhousekeeping = 0\nprofiles = p\n[profile p]\n"
		"governor = powersave\n", &s, err, sizeof(err)), 0);
	assert_int_equal(plan_build(&s, dir, &pl, err, sizeof(err)), 0);
	plan_free(&pl);
	scenario_free(&s);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xen_state_per_plan),
		cmocka_unit_test(test_plan_owns_env_state),
		cmocka_unit_test(test_governor_at_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
