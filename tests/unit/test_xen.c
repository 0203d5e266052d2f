/*
 * test_xen.c - the xen backend's pure parts (harness/xen_cmd.c): the
 * domain config, xl's argv, the guest command line, the vCPU -> pCPU
 * rule, the parsers of xl's output, emulation detection; the xen scenario
 * keys; and the probe's reason on a host that is not a Xen dom0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/env.h"
#include "harness/scenario.h"
#include "harness/xen_cmd.h"

static void test_domcfg_pv(void **state)
{
	char buf[4096];
	struct xen_domcfg c = {
		.name = "isolat-case-0", .type = "pv", .kernel = "/k/vmlinux",
		.ramdisk = "/w/initrd", .extra = "console=hvc0 isolcpus=1",
		.vcpus = 2, .memory_mb = 256,
	};

	(void)state;
	assert_int_equal(xen_domcfg_format(&c, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "\nname = \"isolat-case-0\"\n"));
	assert_non_null(strstr(buf, "\ntype = \"pv\"\n"));
	assert_non_null(strstr(buf, "\nkernel = \"/k/vmlinux\"\n"));
	assert_non_null(strstr(buf, "\nramdisk = \"/w/initrd\"\n"));
	assert_non_null(strstr(buf, "\nextra = \"console=hvc0 isolcpus=1\"\n"));
	assert_non_null(strstr(buf, "\nvcpus = 2\n"));
	assert_non_null(strstr(buf, "\nmemory = 256\n"));
	assert_non_null(strstr(buf, "\non_crash = \"destroy\"\n"));
	/* No devices that need dom0 scripts or a device model. */
	assert_null(strstr(buf, "\ndisk"));
	assert_null(strstr(buf, "\nvif"));
	assert_null(strstr(buf, "\npool"));
	assert_null(strstr(buf, "tsc_mode"));
}

static void test_domcfg_pvh_pool(void **state)
{
	char buf[4096];
	struct xen_domcfg c = {
		.name = "isolat-case-1", .type = "pvh", .kernel = "/k",
		.ramdisk = "/r", .extra = "", .pool = "isolat-pool-1",
		.vcpus = 1, .memory_mb = 128,
	};

	(void)state;
	assert_int_equal(xen_domcfg_format(&c, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "\npool = \"isolat-pool-1\"\n"));
	/* QEMU TCG's SVM cannot emulate an intercepted RDTSCP. */
	assert_non_null(strstr(buf, "\ntsc_mode = \"native\"\n"));
	assert_int_equal(xen_domcfg_format(&c, buf, 40), -ENOSPC);
}

static void test_domcfg_rejects(void **state)
{
	char buf[4096];
	struct xen_domcfg c = {
		.name = "x", .type = "pv", .kernel = "/k\"; evil",
		.ramdisk = "/r", .extra = "", .vcpus = 1, .memory_mb = 64,
	};

	(void)state;
	assert_int_equal(xen_domcfg_format(&c, buf, sizeof(buf)), -EINVAL);
	c.kernel = "/k";
	c.extra = "a\nb = 1";
	assert_int_equal(xen_domcfg_format(&c, buf, sizeof(buf)), -EINVAL);
	c.extra = "back\\slash";
	assert_int_equal(xen_domcfg_format(&c, buf, sizeof(buf)), -EINVAL);
	c.extra = "";
	c.type = "hvm";
	assert_int_equal(xen_domcfg_format(&c, buf, sizeof(buf)), -EINVAL);
	c.type = "pv";
	c.vcpus = 0;
	assert_int_equal(xen_domcfg_format(&c, buf, sizeof(buf)), -EINVAL);
}

static void test_argv(void **state)
{
	struct xen_argv a;

	(void)state;
	assert_int_equal(xen_argv_init(&a, "xl"), -EINVAL);
	assert_int_equal(xen_argv_init(&a, "/usr/sbin/xl"), 0);
	assert_int_equal(xen_argv_add(&a, "%s", "vcpu-pin"), 0);
	assert_int_equal(xen_argv_add(&a, "%s", "isolat-case-3"), 0);
	assert_int_equal(xen_argv_add(&a, "%u", 1u), 0);
	assert_int_equal(xen_argv_add(&a, "cpus=[%s]", "\"2\",\"3\""), 0);
	assert_int_equal(a.n, 5);
	assert_string_equal(a.argv[0], "/usr/sbin/xl");
	assert_string_equal(a.argv[3], "1");
	assert_string_equal(a.argv[4], "cpus=[\"2\",\"3\"]");
	assert_null(a.argv[5]);
	/* One element stays one element: no shell, no newline smuggling. */
	assert_int_equal(xen_argv_add(&a, "%s", "x\ny"), -EINVAL);
	for (int i = a.n; i < XEN_ARGV_MAX - 1; i++)
		assert_int_equal(xen_argv_add(&a, "%d", i), 0);
	assert_int_equal(xen_argv_add(&a, "%s", "one too many"), -ENOSPC);
}

static const char scn_text[] =
	"[scenario]\n"
	"name = x\n"
	"environments = bare\n"
	"cpus = 1\n"
	"housekeeping = 0\n"
	"guest_cmdline = isolcpus=1\n"
	"xen_type = pvh\n"
	"xen_pcpus = 2-3\n"
	"xen_cpupool = yes\n"
	"xen_sched = rtds\n"
	"xen_rtds_period_us = 1000\n"
	"xen_rtds_budget_us = 500\n"
	"[profile iso]\n"
	"guest_cmdline = nohz_full=1\n";

static void test_scenario_keys(void **state)
{
	static struct scenario scn;
	char err[512], buf[1200];

	(void)state;
	assert_int_equal(scenario_parse_string("t.ini", scn_text, &scn, err,
					       sizeof(err)), 0);
	assert_string_equal(scn.params.xen_type, "pvh");
	assert_string_equal(scn.params.xen_sched, "rtds");
	assert_int_equal(scn.params.xen_cpupool, 1);
	assert_int_equal(scn.params.xen_rtds_period_us, 1000);
	assert_int_equal(scn.params.xen_rtds_budget_us, 500);
	/* vCPU i -> i-th listed pCPU, wrapping. */
	assert_int_equal(xen_vcpu_pcpu(&scn.params, 0, 4), 2);
	assert_int_equal(xen_vcpu_pcpu(&scn.params, 1, 4), 3);
	assert_int_equal(xen_vcpu_pcpu(&scn.params, 2, 4), 2);
	assert_int_equal(xen_guest_cmdline(&scn.params, &scn.profiles[0], buf,
					   sizeof(buf)), 0);
	assert_string_equal(buf, "console=hvc0 quiet isolat.channel=hvc0 "
			    "isolcpus=1 nohz_full=1");
	assert_int_equal(xen_guest_cmdline(&scn.params, NULL, buf, 20),
			 -ENOSPC);
	scn.params.vcpu_pin.n = 0;
	assert_int_equal(xen_vcpu_pcpu(&scn.params, 1, 4), 1);
	assert_int_equal(xen_vcpu_pcpu(&scn.params, 7, 4), 3);
	scenario_free(&scn);
}

static void test_scenario_key_errors(void **state)
{
	static struct scenario scn;
	char err[512];
	static const char *const bad[][2] = {
		{"xen_type = hvm\n", "expected pv or pvh"},
		{"xen_sched = sedf\n", "expected credit, credit2, rtds or null"},
		{"xen_cpupool = maybe\n", "expected yes or no"},
		{"xen_pcpus = 3-1\n", "xen_pcpus = 3-1"},
		{"xen_kernel = relative\n", "expected an absolute path"},
		{"xen_rtds_budget_us = 20000\n", "budget <= period"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];

		snprintf(text, sizeof(text), "[scenario]\nname = x\ncpus = 1\n"
			 "%s", bad[i][0]);
		assert_int_equal(scenario_parse_string("b.ini", text, &scn,
						       err, sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bad[i][1]))
			fail_msg("'%s': %s", bad[i][0], err);
		scenario_free(&scn);
	}
}

static const char xl_info[] =
	"host                   : dom0\n"
	"release                : 6.1.0-56-amd64\n"
	"nr_cpus                : 4\n"
	"virt_caps              : pv hvm hap\n"
	"xen_version            : 4.17.6-pre\n"
	"xen_scheduler          : credit2\n"
	"xen_commandline        : console=com1 smap=0\n";

static void test_info_get(void **state)
{
	char v[64];

	(void)state;
	assert_int_equal(xen_info_get(xl_info, "nr_cpus", v, sizeof(v)), 0);
	assert_string_equal(v, "4");
	assert_int_equal(xen_info_get(xl_info, "xen_version", v, sizeof(v)),
			 0);
	assert_string_equal(v, "4.17.6-pre");
	assert_int_equal(xen_info_get(xl_info, "virt_caps", v, sizeof(v)), 0);
	assert_string_equal(v, "pv hvm hap");
	/* "xen" is a prefix of other keys, not a key. */
	assert_int_equal(xen_info_get(xl_info, "xen", v, sizeof(v)), -ENOENT);
	assert_int_equal(xen_info_get(xl_info, "xen_scheduler", v, 4), 0);
	assert_string_equal(v, "cre");
}

static void test_names_with_prefix(void **state)
{
	static const char list[] =
		"Name                ID   Mem VCPUs\tState\tTime(s)\n"
		"Domain-0             0  1024     2     r-----      12.3\n"
		"isolat-case-0        3   256     2     -b----       0.4\n"
		"isolat-                4   256     1     -b----       0.4\n"
		"isolat-case-7        9   256     1     -b----       0.1\n";
	static const char pools[] =
		"Name               CPU list\n"
		"Pool-0             0,1\n"
		"isolat-pool-2      2,3\n";
	char names[4][64];

	(void)state;
	assert_int_equal(xen_names_with_prefix(list, XEN_NAME_PREFIX, names,
					       4), 2);
	assert_string_equal(names[0], "isolat-case-0");
	assert_string_equal(names[1], "isolat-case-7");
	assert_int_equal(xen_names_with_prefix(list, XEN_NAME_PREFIX, names,
					       1), 1);
	assert_int_equal(xen_names_with_prefix(pools, XEN_NAME_PREFIX, names,
					       4), 1);
	assert_string_equal(names[0], "isolat-pool-2");
	assert_int_equal(xen_names_with_prefix("", "isolat-", names, 4), 0);
}

static void test_emulated(void **state)
{
	(void)state;
	assert_int_equal(xen_host_emulated("processor\t: 0\nmodel name\t: "
					   "QEMU TCG CPU version 2.5+\n",
					   NULL), 1);
	assert_int_equal(xen_host_emulated("model name\t: QEMU Virtual CPU "
					   "version 2.5+\n", ""), 1);
	assert_int_equal(xen_host_emulated("model name\t: AMD EPYC 7763\n"
					   "flags\t: hypervisor\n",
					   "Dell Inc."), 0);
	assert_int_equal(xen_host_emulated("model name\t: Intel Xeon\n",
					   "QEMU"), 1);
	assert_int_equal(xen_host_emulated(NULL, NULL), 0);
}

/* On a host that is not a Xen dom0, the probe says so and why. */
static void test_probe_not_dom0(void **state)
{
	const struct env_ops *x = env_find("xen");
	char why[512] = "";

	(void)state;
	assert_non_null(x);
	if (access("/proc/xen/privcmd", F_OK) == 0 ||
	    access("/dev/xen/privcmd", F_OK) == 0)
		skip();
	assert_true(x->probe(why, sizeof(why)) < 0);
	assert_non_null(strstr(why, "not a Xen dom0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domcfg_pv),
		cmocka_unit_test(test_domcfg_pvh_pool),
		cmocka_unit_test(test_domcfg_rejects),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_scenario_keys),
		cmocka_unit_test(test_scenario_key_errors),
		cmocka_unit_test(test_info_get),
		cmocka_unit_test(test_names_with_prefix),
		cmocka_unit_test(test_emulated),
		cmocka_unit_test(test_probe_not_dom0),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
