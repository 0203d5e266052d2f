/*
 * test_scenario.c - scenario parsing and planning: good files expand into
 * the right matrix; every kind of bad input names the right line.
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

#include "harness/run/plan.h"
#include "harness/scenario/scenario.h"

static char err[1024];

static const char good[] =
	"; a comment\n"
	"[scenario]\n"
	"name = t1\n"
	"environments = bare\n"
	"workloads = rtlat, cyclictest\n"
	"repetitions = 2\n"
	"cpus = 1\n"
	"interval_us = 200\n"
	"duration_s = 2\n"
	"\n"
	"[profile quiet]\n"
	"description = nothing yet\n"
	"guest_cmdline = isolcpus=1 nohz_full=1\n"
	"vcpu_priority = 90\n"
	"vcpu_pin = 2-3\n"
	"emulator_cpus = housekeeping\n"
	"xen_cpupool = yes\n"
	"xen_sched = rtds\n"
	"xen_rtds_budget_us = 500\n"
	"[profile loud]\n"
	"description = no guest knobs\n";

static void test_good(void **state)
{
	struct scenario s;

	(void)state;
	assert_int_equal(scenario_parse_string("g.ini", good, &s, err,
					       sizeof(err)), 0);
	assert_string_equal(s.name, "t1");
	assert_int_equal(s.workloads.n, 2);
	assert_string_equal(s.workloads.item[1], "cyclictest");
	assert_int_equal(s.repetitions, 2);
	assert_int_equal(s.params.cpus.n, 1);
	assert_int_equal(s.params.cpus.cpu[0], 1);
	assert_int_equal(s.params.priority, 95);
	assert_string_equal(s.params.policy, "fifo");
	assert_int_equal(scn_params_loops(&s.params), 10000);
	assert_int_equal(s.nprofiles, 2);
	assert_string_equal(s.profiles[0].name, "quiet");
	assert_string_equal(s.profiles[0].guest_cmdline,
			    "isolcpus=1 nohz_full=1");
	assert_int_equal(s.profiles[0].nover, 6);
	assert_int_equal(s.profiles[1].nover, 0);
	{
		/* Overrides land on a copy of the scenario's parameters. */
		struct scn_params q = s.params, r = s.params;

		assert_int_equal(scenario_profile_params(&s.profiles[0], &q),
				 0);
		assert_int_equal(q.vcpu_priority, 90);
		assert_int_equal(q.vcpu_pin.n, 2);
		assert_int_equal(q.vcpu_pin.cpu[1], 3);
		assert_string_equal(q.emulator_cpus, "housekeeping");
		assert_int_equal(q.xen_cpupool, 1);
		assert_string_equal(q.xen_sched, "rtds");
		assert_int_equal(q.xen_rtds_budget_us, 500);
		assert_int_equal(q.xen_rtds_period_us, 10000);
		assert_int_equal(q.interval_us, 200);
		assert_int_equal(s.params.vcpu_priority, 0);
		assert_int_equal(s.params.vcpu_pin.n, 0);
		assert_int_equal(scenario_profile_params(&s.profiles[1], &r),
				 0);
		assert_memory_equal(&r, &s.params, sizeof(r));
		assert_int_equal(scenario_profile_params(NULL, &r), 0);
	}
	scenario_free(&s);
}

/* vcpu_pin is "vCPU i on the i-th CPU" in the order written, never
 * sorted: 5,4 puts vCPU 0 on 5. */
static void test_vcpu_pin_order(void **state)
{
	static struct scenario s;
	struct scn_params q;
	char text[64];

	(void)state;
	assert_int_equal(scenario_parse_string("o.ini", "[scenario]\nname = x"
					       "\ncpus = 1\nvcpu_pin = 5,4,"
					       " 8-9 ,2\n[profile p]\n"
					       "xen_pcpus = 7,6\n", &s, err,
					       sizeof(err)), 0);
	assert_int_equal(s.params.vcpu_pin.n, 5);
	assert_int_equal(s.params.vcpu_pin.cpu[0], 5);
	assert_int_equal(s.params.vcpu_pin.cpu[1], 4);
	assert_int_equal(s.params.vcpu_pin.cpu[2], 8);
	assert_int_equal(s.params.vcpu_pin.cpu[3], 9);
	assert_int_equal(s.params.vcpu_pin.cpu[4], 2);
	cpulist_format(&s.params.vcpu_pin, text, sizeof(text));
	assert_string_equal(text, "5,4,8-9,2");
	q = s.params;
	assert_int_equal(scenario_profile_params(&s.profiles[0], &q), 0);
	assert_int_equal(q.vcpu_pin.n, 2);
	assert_int_equal(q.vcpu_pin.cpu[0], 7);
	assert_int_equal(q.vcpu_pin.cpu[1], 6);
	scenario_free(&s);
}

/* Each bad file: the line the error must name and a word it must say. */
static const struct {
	const char *text;
	int line;
	const char *says;
} bad[] = {
	{"[scenario]\nname = x\ncpus = 1\nworklaods = rtlat\n", 4,
	 "unknown key 'worklaods' in [scenario]; expected 'workloads', the "
	 "nearest key"},
	{"[scenario]\nname = x\ncpus = 1\nzzz = 1\n", 4,
	 "unknown key 'zzz' in [scenario]; expected one of: name,"},
	{"[scenario]\nname = x\ncpus = 1\n[scenaro]\nfoo = 1\n", 5,
	 "unknown section [scenaro]"},
	{"[scenario]\nname = x\ncpus = 1-\n", 3, "cpus = 1-"},
	{"[scenario]\nname = x\ncpus = 3-1\n", 3, "expected a CPU list"},
	{"[scenario]\nname = x\ncpus = 1\npriority = 100\n", 4, "0..99"},
	{"[scenario]\nname = x\ncpus = 1\npolicy = deadline\n", 4,
	 "expected fifo, rr or other"},
	{"[scenario]\nname = x\ncpus = 1\nworkloads = rtlat, nope\n", 4,
	 "unknown workload 'nope'"},
	{"[scenario]\nname = x\ncpus = 1\nenvironments = vmware\n", 4,
	 "unknown environment 'vmware'"},
	{"[scenario]\nname = x\ncpus = 1\ninterval_us = 10\n", 4,
	 "50..1000000"},
	{"[scenario]\nname = x\ncpus = 1\ninterval_us = 1e3\n", 4,
	 "expected a whole number"},
	{"[scenario]\nname = x\ncpus = 1\nloops = 5\nduration_s = 5\n", 5,
	 "both loops and duration_s"},
	{"[scenario]\nname = x\ncpus = 1\nhousekeeping = 1\n", 4,
	 "also a measured CPU"},
	{"[scenario]\nname = x\ncpus = 1\nname = y\n", 4, "set twice"},
	{"[scenario]\nname = x\ncpus = 1\nthis line is junk\n", 4,
	 "not a 'key = value' line"},
	{"[scenario]\nname = bad name!\ncpus = 1\n", 2, "name = bad name!"},
	{"[scenario]\nname = x\ncpus = 1\nprofiles = none, fast\n", 4,
	 "no [profile fast] section"},
	{"[scenario]\nname = x\ncpus = 1\nworkloads = rtlat, rtlat\n", 4,
	 "listed twice"},
	{"[scenario]\nname = x\ncpus = 1\n[profile a]\nisolcpu = 1\n", 5,
	 "unknown key 'isolcpu' in [profile a]"},
	{"[scenario]\nname = x\ncpus = 1\n[profile a]\nirq_affinity = 0\n",
	 5, "expected housekeeping"},
	{"[scenario]\nname = x\ncpus = 1\n[profile a]\nkthread_priority = 0\n",
	 5, "1..99"},
	{"[scenario]\nname = x\ncpus = 1\n[profile a]\nisolcpus = x\n", 5,
	 "expected a CPU list"},
	{"[scenario]\nname = x\ncpus = 1\n[profile a]\nthp = off\n", 5,
	 "never, madvise or always"},
	{"[scenario]\nname = x\ncpus = 1\nkvm_kernel = vmlinuz\n", 4,
	 "absolute path"},
	{"[scenario]\nname = x\ncpus = 1\nkvm_modules = /a,b\n", 4,
	 "without commas"},
	{"[scenario]\nname = x\ncpus = 1\nguest_cmdline = a=\"b c\"\n", 4,
	 "no quotes"},
	{"[scenario]\nname = x\ncpus = 1\nkvm_accel = hvf\n", 4,
	 "auto, kvm or tcg"},
	{"[scenario]\nname = x\ncpus = 1\nvcpu_priority = 120\n", 4,
	 "0..99"},
	{"[scenario]\nname = x\ncpus = 1\nmem_lock = maybe\n", 4,
	 "yes or no"},
	{"[scenario]\nname = x\ncpus = 1\nmemory_mb = 8\n", 4, "64.."},
	{"[scenario]\nname = x\ncpus = 1-2\nvcpus = 2\n", 4,
	 "uses vCPU 2"},
	{"[scenario]\nname = x\ncpus = 1\n[profile a]\nvcpu_priority = 100\n",
	 5, "0..99"},
	{"[scenario]\nname = x\ncpus = 1\n[profile a]\nvcpu_pin = 3-1\n",
	 5, "vcpu_pin = 3-1"},
	{"[scenario]\nname = x\ncpus = 1\nvcpu_pin = 4,5,4\n", 4,
	 "listed twice"},
	{"[scenario]\nname = x\ncpus = 1\nvcpu_pin = 2-4,3\n", 4,
	 "listed twice"},
	{"[scenario]\nname = x\ncpus = 1\nvcpu_pin = 5,,4\n", 4,
	 "vcpu_pin = 5,,4"},
	{"[scenario]\nname = x\ncpus = 1\nvcpu_pin = 5 4\n", 4,
	 "expected ','"},
	{"[scenario]\nname = x\ncpus = 1\nvcpu_pin = 2-3\nxen_pcpus = 2-3\n",
	 5, "set twice in [scenario]"},
	{"[scenario]\nname = x\ncpus = 1\nxen_pcpus = 2-3\nvcpu_pin = 2-3\n",
	 5, "set twice in [scenario]"},
	{"[scenario]\nname = x\ncpus = 1\n[profile a]\nxen_pcpus = 2\n"
	 "vcpu_pin = 3\n", 6, "set twice in [profile a]"},
	{"[scenario]\nname = x\ncpus = 1\n[profile a]\nemulator_cpus = hk\n",
	 5, "housekeeping or host CPUs"},
	{"[scenario]\nname = x\ncpus = 1\n[profile a]\nmem_lock = no\n"
	 "mem_lock = yes\n", 6, "set twice in [profile a]"},
	{"[scenario]\nname = x\ncpus = 1\nrepetitions = 3 # three\n", 4,
	 "only ';' starts a comment"},
	{"[scenario]\nname = x\ncpus = 1\nirq_affinity = housekeeping\n", 4,
	 "'irq_affinity' is a profile key"},
	{"[scenario]\nname = x\ncpus = 1\n[profile none]\ntimer_migration = 0\n",
	 5, "'none' is the untuned baseline"},
	{"[scenario]\nname = x\ncpus = 1\nprofiles = e\n[profile e]\n", 4,
	 "an empty section counts as none"},
	{"[scenario]\nname = x\ncpus = 1\n[profile a]\ninterval_us = 100\n",
	 5, "unknown key 'interval_us' in [profile a]"},
	{"[scenario]\nname = x\ncpus = 1\nprofiles = a\n[profile a]\n"
	 "xen_rtds_budget_us = 20000\n", 6, "exceeds xen_rtds_period_us"},
	{"[scenario]\nname = x\ncpus = 1\n[profile a]\nguest_cmdline = a\\b\n",
	 5, "no quotes or backslashes"},
	{"cpus = 1\n", 1, "outside any section"},
	{"[scenario]\nname = x\n  cpus = 1\n", 3, "line starts with blanks"},
	{"[scenario]\nname = x\ncpus = 1\n[gate]\np99 = +ten%\n", 5,
	 "p99"},
	{"[scenario]\nname = x\ncpus = 1\n[gate]\nlatency = +10%\n", 5,
	 "latency"},
	{"[scenario]\ncpus = 1\n", 1, "no 'name'"},
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct scenario s;
		char want[64];

		snprintf(want, sizeof(want), "b.ini:%d: ", bad[i].line);
		assert_int_equal(scenario_parse_string("b.ini", bad[i].text,
						       &s, err, sizeof(err)),
				 -EINVAL);
		if (strncmp(err, want, strlen(want)) ||
		    !strstr(err, bad[i].says))
			fail_msg("case %zu: got '%s', want '%s...%s'", i, err,
				 want, bad[i].says);
		/* Every message says what is expected, not only what is
		 * wrong. */
		assert_non_null(strstr(err, "expected"));
		scenario_free(&s);
	}
}

/* A line longer than inih's buffer is named as such, on its own line,
 * and does not shift the line numbers of later mistakes. */
static void test_long_line(void **state)
{
	char text[2048];
	struct scenario s;

	(void)state;
	snprintf(text, sizeof(text), "[scenario]\nname = x\ndescription = "
		 "%0600d\ncpus = 1\n", 0);
	assert_int_equal(scenario_parse_string("l.ini", text, &s, err,
					       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "l.ini:3: line longer than"));
	scenario_free(&s);
}

static void test_missing_file(void **state)
{
	struct scenario s;

	(void)state;
	assert_int_equal(scenario_load("/nonexistent/x.ini", &s, err,
				       sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x.ini"));
	scenario_free(&s);
}

/* A NUL byte is named by FILE:LINE (and column) of the first one, with
 * the fix, not just "contains NUL bytes" (issue 12 item 9). */
static void test_nul_byte(void **state)
{
	static const char text[] = "[scenario]\nname = x\ncp\0us = 1\n\0";
	char path[] = "/tmp/isolat-nul-XXXXXX";
	struct scenario s;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
			 (ssize_t)sizeof(text) - 1);
	close(fd);
	assert_int_equal(scenario_load(path, &s, err, sizeof(err)), -EINVAL);
	unlink(path);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, ":3: a NUL byte (column 3)"));
	assert_non_null(strstr(err, "remove the NUL bytes"));
	scenario_free(&s);
}

/* A fake sysfs with the given online CPU list. */
static char *fake_sysfs(const char *online)
{
	static char dir[64];
	char path[256];
	FILE *f;

	strcpy(dir, "/tmp/isolat-plan-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sys", dir);
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
	fprintf(f, "%s\n", online);
	fclose(f);
	return dir;
}

static void rm_fake(const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/online", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sys/devices/system/cpu", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys/devices/system", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys/devices", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys", dir);
	rmdir(path);
	rmdir(dir);
}

static void test_plan(void **state)
{
	struct scenario s;
	struct plan p;
	char *root = fake_sysfs("0-3");
	char *json;

	(void)state;
	assert_int_equal(scenario_parse_string("g.ini", good, &s, err,
					       sizeof(err)), 0);
	assert_int_equal(plan_build(&s, root, &p, err, sizeof(err)), 0);
	/* 1 env x 1 profile x 2 workloads x 1 load x 2 repetitions */
	assert_int_equal(p.n, 4);
	assert_string_equal(p.cases[0].name, "bare.none.rtlat.none.r0");
	assert_string_equal(p.cases[3].name, "bare.none.cyclictest.none.r1");
	assert_int_equal(p.cases[0].params.housekeeping, 0);
	assert_int_equal(p.cases[0].loops, 10000);
	json = plan_case_json(&p, &p.cases[1]);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"interval_us\":200"));
	assert_non_null(strstr(json, "\"cpus\":\"1\""));
	free(json);
	plan_free(&p);
	scenario_free(&s);
	rm_fake(root);
}

static void test_plan_cpu_offline(void **state)
{
	struct scenario s;
	struct plan p;
	char *root = fake_sysfs("0-1");
	static const char text[] = "[scenario]\nname = x\n\ncpus = 1,5\n";

	(void)state;
	assert_int_equal(scenario_parse_string("c.ini", text, &s, err,
					       sizeof(err)), 0);
	assert_int_equal(plan_build(&s, root, &p, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "c.ini:4: cpus: CPU 5 is not online"));
	scenario_free(&s);
	rm_fake(root);
}

static void test_plan_no_housekeeping(void **state)
{
	struct scenario s;
	struct plan p;
	char *root = fake_sysfs("0-1");
	static const char text[] = "[scenario]\nname = x\ncpus = 0-1\n";

	(void)state;
	assert_int_equal(scenario_parse_string("h.ini", text, &s, err,
					       sizeof(err)), 0);
	assert_int_equal(plan_build(&s, root, &p, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "h.ini:3:"));
	assert_non_null(strstr(err, "housekeeping"));
	scenario_free(&s);
	rm_fake(root);
}

/* environments = kvm with a guest kernel that is not there: an error at
 * plan time naming the kvm_kernel line (or, without qemu, a skip). */
static void test_plan_kvm_kernel(void **state)
{
	struct scenario s;
	struct plan p;
	char *root = fake_sysfs("0-1");
	static const char text[] = "[scenario]\nname = x\nenvironments = kvm\n"
		"cpus = 1\nkvm_kernel = /nonexistent/vmlinuz-1\n";
	int rc;

	(void)state;
	assert_int_equal(scenario_parse_string("k.ini", text, &s, err,
					       sizeof(err)), 0);
	rc = plan_build(&s, root, &p, err, sizeof(err));
	if (access("/usr/bin/qemu-system-x86_64", X_OK) == 0) {
		assert_int_equal(rc, -EINVAL);
		assert_non_null(strstr(err, "k.ini:5: kvm_kernel"));
		assert_non_null(strstr(err, "expected"));
	} else {
		assert_int_equal(rc, 0);
		assert_non_null(strstr(p.cases[0].skip_reason, "qemu"));
		plan_free(&p);
	}
	scenario_free(&s);
	rm_fake(root);
}

/* In a guest, cpus are vCPUs: a 2-CPU host plans a guest measuring vCPUs
 * 2-3, housekeeping on vCPU 0. */
static void test_plan_kvm_vcpus(void **state)
{
	char dir[] = "/tmp/isolat-kk-XXXXXX", path[256], text[512];
	char *root = fake_sysfs("0-1");
	struct scenario s;
	struct plan p;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/boot", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/boot/vmlinuz-1", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/lib", dir);
	mkdir(path, 0755);
	strcat(path, "/modules");
	mkdir(path, 0755);
	strcat(path, "/1");
	mkdir(path, 0755);
	strcat(path, "/modules.dep");
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(text, sizeof(text), "[scenario]\nname = x\n"
		 "environments = kvm\ncpus = 2-3\n"
		 "kvm_kernel = %s/boot/vmlinuz-1\n", dir);
	assert_int_equal(scenario_parse_string("v.ini", text, &s, err,
					       sizeof(err)), 0);
	assert_int_equal(plan_build(&s, root, &p, err, sizeof(err)), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.cases[0].params.housekeeping, 0);
	plan_free(&p);
	/* The same on bare: CPU 2 is not on this host. */
	s.environments.n = 1;
	strcpy(s.environments.item[0], "bare");
	assert_int_equal(plan_build(&s, root, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not online"));
	scenario_free(&s);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lib/modules/1", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/lib/modules", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/lib", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/boot/vmlinuz-1", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/boot", dir);
	rmdir(path);
	rmdir(dir);
	rm_fake(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_vcpu_pin_order),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_plan_cpu_offline),
		cmocka_unit_test(test_plan_no_housekeeping),
		cmocka_unit_test(test_plan_kvm_kernel),
		cmocka_unit_test(test_plan_kvm_vcpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
