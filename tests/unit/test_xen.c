/*
 * test_xen.c - the xen backend's pure parts (harness/env/xen/xen_cmd.c): the
 * domain config, xl's argv, the guest command line, the vCPU -> pCPU
 * rule, the parsers of xl's output, emulation detection; the xen scenario
 * keys; and the probe's reason on a host that is not a Xen dom0.  Also
 * the isolation parts: xl's listings (list -c, cpupool-list -c,
 * vcpu-list), where dom0 may run, the per-case placement check, dom0_cpus
 * as a profile key.  The xl calls that undo each journaled Xen change:
 * test_xen_undo.c.
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

#include "harness/env/env.h"
#include "harness/host/journal.h"
#include "harness/scenario/scenario.h"
#include "harness/env/xen/xen_cmd.h"
#include "harness/env/xen/xen_undo.h"
#include "harness/env/xen/xen_xl.h"

#include <stdlib.h>
#include <sys/stat.h>

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

#include "xen_listings.h"

static void test_listings(void **state)
{
	struct cpulist cl;
	char pool[64] = "";

	(void)state;
	assert_true(xen_list_has(xl_list, "isolat-case-0"));
	assert_true(xen_list_has(xl_list, "Domain-0"));
	/* Whole first column only. */
	assert_false(xen_list_has(xl_list, "isolat-case"));
	assert_false(xen_list_has(xl_list, "isolat-case-01"));
	assert_int_equal(xen_list_pool(xl_list_c, "Domain-0", pool,
				       sizeof(pool)), 0);
	assert_string_equal(pool, "Pool-0");
	assert_int_equal(xen_list_pool(xl_list_c, "nope", pool, sizeof(pool)),
			 -ENOENT);
	assert_int_equal(xen_pool_cpus(pools, "Pool-0", &cl), 0);
	assert_int_equal(cl.n, 2);
	assert_int_equal(cl.cpu[1], 1);
	assert_int_equal(xen_pool_cpus(pools, "isolat-pool-0", &cl), 0);
	assert_int_equal(cl.n, 2);
	assert_int_equal(cl.cpu[0], 2);
	assert_int_equal(xen_pool_cpus(pools, "isolat-stale", &cl), 0);
	assert_int_equal(cl.n, 0);
	assert_int_equal(xen_pool_cpus(pools, "isolat-pool", &cl), -ENOENT);
	xen_pooled_cpus(pools, &cl);
	assert_int_equal(cl.n, 4);
}

static void test_dom0_placement(void **state)
{
	struct xen_vcpu v[8];
	struct cpulist pool0, guest, out;
	const char *why;
	int n;

	(void)state;
	n = xen_vcpu_list_parse(vcpus, "Domain-0", v, 8);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].vcpu, 0);
	assert_int_equal(v[0].pcpu, 1);
	assert_string_equal(v[0].hard, "all");
	assert_string_equal(v[0].soft, "all");
	assert_int_equal(v[1].pcpu, -1);
	assert_string_equal(v[1].hard, "0-1");
	assert_int_equal(xen_vcpu_list_parse(vcpus, "isolat-case-0", v + 2, 6),
			 1);
	assert_int_equal(xen_affinity_cpus("all", 4, &out), 0);
	assert_int_equal(out.n, 4);
	assert_int_equal(xen_affinity_cpus("1,3-9", 4, &out), 0);
	assert_int_equal(out.n, 2);
	assert_int_equal(xen_affinity_cpus("none?", 4, &out), -EINVAL);

	cpulist_parse("2-3", &guest, &why);
	/* dom0 in a Pool-0 of 0-1: "all" stays there. */
	cpulist_parse("0-1", &pool0, &why);
	assert_int_equal(xen_dom0_overlap(v, 2, &pool0, 4, &guest, &out), 0);
	assert_int_equal(out.n, 0);
	/* No pool: "all" reaches the guest's pCPUs. */
	cpulist_parse("0-3", &pool0, &why);
	assert_int_equal(xen_dom0_overlap(v, 2, &pool0, 4, &guest, &out), 0);
	assert_int_equal(out.n, 2);
	/* Pinned away (only vCPU 1, 0-1): nothing shared. */
	assert_int_equal(xen_dom0_overlap(v + 1, 1, &pool0, 4, &guest, &out),
			 0);
	assert_int_equal(out.n, 0);
	/* Running there now counts even if the affinity says otherwise. */
	v[1].pcpu = 3;
	assert_int_equal(xen_dom0_overlap(v + 1, 1, &pool0, 4, &guest, &out),
			 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.cpu[0], 3);
	/* Unreadable affinity: assume the worst. */
	snprintf(v[1].hard, sizeof(v[1].hard), "?");
	v[1].pcpu = 0;
	assert_int_equal(xen_dom0_overlap(v + 1, 1, &pool0, 4, &guest, &out),
			 -EINVAL);
	assert_int_equal(out.n, 2);
}

static void test_case_check(void **state)
{
	static struct scn_params p;
	const char *w;
	char why[256];

	(void)state;
	memset(&p, 0, sizeof(p));
	cpulist_parse("2-3", &p.vcpu_pin, &w);
	assert_int_equal(xen_case_check(&p, 2, 4, pools, why, sizeof(why)),
			 0);
	assert_int_equal(xen_case_check(&p, 2, 3, pools, why, sizeof(why)),
			 -ENODEV);
	assert_non_null(strstr(why, "pCPU 3 does not exist"));
	/* A pool that would take every pCPU of Pool-0. */
	p.xen_cpupool = 1;
	cpulist_parse("0-1", &p.vcpu_pin, &w);
	assert_int_equal(xen_case_check(&p, 2, 4, pools, why, sizeof(why)),
			 -ENODEV);
	assert_non_null(strstr(why, "dom0 needs one"));
	/* pCPUs of a pool that is not ours. */
	cpulist_parse("1-2", &p.vcpu_pin, &w);
	assert_int_equal(xen_case_check(&p, 2, 4,
					"Pool-0 0,1\nmine 2,3\n", why,
					sizeof(why)), -ENODEV);
	assert_non_null(strstr(why, "in cpupool mine"));
	/* Leftover isolat pools give their pCPUs back: fine. */
	assert_int_equal(xen_case_check(&p, 2, 4, pools, why, sizeof(why)),
			 0);
	/* dom0_cpus: on the guest's pCPUs, or nothing left. */
	p.xen_cpupool = 0;
	snprintf(p.dom0_cpus, sizeof(p.dom0_cpus), "0-1");
	assert_int_equal(xen_case_check(&p, 2, 4, pools, why, sizeof(why)),
			 -ENODEV);
	assert_non_null(strstr(why, "is one of the guest's"));
	snprintf(p.dom0_cpus, sizeof(p.dom0_cpus), "housekeeping");
	assert_int_equal(xen_case_check(&p, 2, 4, pools, why, sizeof(why)),
			 0);
	cpulist_parse("0-3", &p.vcpu_pin, &w);
	assert_int_equal(xen_case_check(&p, 4, 4, pools, why, sizeof(why)),
			 -ENODEV);
	assert_non_null(strstr(why, "no pCPU left for dom0"));
}

static void test_dom0_cpus_key(void **state)
{
	static struct scenario scn;
	static struct scn_params pr;
	char err[512];
	static const char text[] =
		"[scenario]\nname = t\nenvironments = xen\ncpus = 1\nprofiles = none, fenced\n"
		"[profile fenced]\nvcpu_pin = 2-3\nxen_cpupool = yes\n"
		"dom0_cpus = housekeeping\n";

	(void)state;
	assert_int_equal(scenario_parse_string("t.ini", text, &scn, err,
					       sizeof(err)), 0);
	assert_string_equal(scn.params.dom0_cpus, "");
	pr = scn.params;
	assert_int_equal(scenario_profile_params(&scn.profiles[0], &pr), 0);
	assert_string_equal(pr.dom0_cpus, "housekeeping");
	assert_int_equal(pr.xen_cpupool, 1);
	scenario_free(&scn);
	assert_true(scenario_parse_string(
		"t.ini", "[scenario]\nname = t\ncpus = 1\nenvironments = xen\nprofiles = p\n"
		"[profile p]\ndom0_cpus = most\n", &scn, err,
		sizeof(err)) < 0);
	assert_non_null(strstr(err, "dom0_cpus = most: expected "
			       "housekeeping"));
	scenario_free(&scn);
	/* The backend checks each case's own placement at plan time. */
	assert_non_null(env_find("xen")->probe_case);
}

/* Item: a vCPU line with a long affinity is read whole; the count of
 * dom0's vCPUs comes from `xl list`. */
static void test_vcpu_list_long(void **state)
{
	static char text[16384];
	static struct xen_vcpu v[4];
	const char *aff = evens(400);

	(void)state;
	assert_true(strlen(aff) > 127);
	snprintf(text, sizeof(text),
		 "Name                                ID  VCPU   CPU State   "
		 "Time(s) Affinity (Hard / Soft)\n"
		 "Domain-0                             0     0    2   r--      "
		 "28.6  %s / all\n"
		 "Domain-0                             0     1    -   --p      "
		 " 0.0  all / %s\n"
		 "Domain-0                             0     2    4   -b-      "
		 " 0.0  0-3 /\n", aff, aff);
	/* The third line has no soft affinity: not parsed (the caller
	 * compares the count with `xl list`). */
	assert_int_equal(xen_vcpu_list_parse(text, "Domain-0", v, 4), 2);
	assert_int_equal(v[0].vcpu, 0);
	assert_int_equal(v[0].pcpu, 2);
	assert_string_equal(v[0].hard, aff);
	assert_string_equal(v[0].soft, "all");
	assert_int_equal(v[1].vcpu, 1);
	assert_int_equal(v[1].pcpu, -1);
	assert_string_equal(v[1].hard, "all");
	assert_string_equal(v[1].soft, aff);
	assert_int_equal(v[0].online, 1);
	assert_int_equal(v[1].online, 0); /* "--p" */
	/* Three lines of Domain-0, two read: the caller fails on that. */
	assert_int_equal(xen_vcpu_list_lines(text, "Domain-0"), 3);
	assert_int_equal(xen_vcpu_list_lines(vcpus, "Domain-0"), 2);
	assert_int_equal(xen_vcpu_list_lines(vcpus, "Domain"), 0);
	/* Not a prefix match on the name. */
	assert_int_equal(xen_vcpu_list_parse(text, "Domain", v, 4), 0);
	/* An offline vCPU ("--p"): listed, not counted by `xl list`. */
	assert_int_equal(xen_vcpu_list_parse(vcpus, "Domain-0", v, 4), 2);
	assert_int_equal(v[0].online, 1);
	assert_int_equal(v[1].online, 0);

	assert_int_equal(xen_list_vcpus(xl_list, "Domain-0"), 1);
	assert_int_equal(xen_list_vcpus(xl_list, "isolat-case-0"), 2);
	assert_int_equal(xen_list_vcpus(xl_list_c, "Domain-0"), 1);
	assert_int_equal(xen_list_vcpus(xl_list, "isolat-case"), -ENOENT);
	assert_int_equal(xen_list_vcpus("Domain-0 0 1024 x r 1.0\n",
					"Domain-0"), -ENOENT);
}

/* Item: host_cpus counts Xen's pCPUs, and a short vcpu_pin is an error
 * at plan time, never a wrap (two vCPUs on one pCPU). */
static void test_host_cpus_xen(void **state)
{
	static struct scn_params p;
	static struct cpulist out;
	const char *w;
	char err[512] = "";

	(void)state;
	memset(&p, 0, sizeof(p));
	p.housekeeping = -1;
	p.vcpus = 8;
	cpulist_parse("6", &p.cpus, &w);
	/* vCPU 6 on pCPU 6 of an 8-pCPU Xen, on the last of a 4-pCPU one. */
	assert_int_equal(xen_host_cpus_on(&p, "s.ini", 8, &out, err,
					  sizeof(err)), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.cpu[0], 6);
	assert_int_equal(xen_host_cpus_on(&p, "s.ini", 4, &out, err,
					  sizeof(err)), 0);
	assert_int_equal(out.cpu[0], 3);

	p.vcpus = 3;
	cpulist_parse("1", &p.cpus, &w);
	cpulist_parse("4-5", &p.vcpu_pin, &w);
	p.vcpu_pin_line = 7;
	assert_int_equal(xen_host_cpus_on(&p, "s.ini", 8, &out, err,
					  sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "s.ini:7: vcpu_pin = 4-5 pins 2 vCPUs but "
			       "the guest has 3 (vCPUs 0-2)"));
	assert_int_equal(xen_vcpu_pin_check(&p, "s.ini", err, sizeof(err)),
			 -EINVAL);
	/* The op itself (no Xen here: dom0's online CPUs stand in). */
	{
		static struct cpulist online;

		cpulist_parse("0-7", &online, &w);
		assert_int_equal(xen_host_cpus(NULL, &p, "s.ini", &online, &out, err,
					       sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "s.ini:7: vcpu_pin"));
	}
	cpulist_parse("4-6", &p.vcpu_pin, &w);
	assert_int_equal(xen_host_cpus_on(&p, "s.ini", 8, &out, err,
					  sizeof(err)), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.cpu[0], 5);
	assert_int_equal(xen_vcpu_pin_check(&p, "s.ini", err, sizeof(err)), 0);
}

/* Item: cpupool-create's cpus=[...] whole for any number of pCPUs. */
static void test_pool_cpus_arg(void **state)
{
	static struct cpulist cl;
	static char buf[4096];
	const char *w;

	(void)state;
	cpulist_parse("2", &cl, &w);
	assert_int_equal(xen_pool_cpus_arg(&cl, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "cpus=[\"2\"]");
	cpulist_parse("0-127", &cl, &w);
	assert_int_equal(xen_pool_cpus_arg(&cl, buf, 16 + 8 * cl.n), 0);
	assert_int_equal(strncmp(buf, "cpus=[\"0\",\"1\",", 14), 0);
	assert_non_null(strstr(buf, ",\"70\",\"71\","));
	assert_string_equal(buf + strlen(buf) - 6, "\"127\"]");
	/* Too small: an error, never a cut list. */
	assert_int_equal(xen_pool_cpus_arg(&cl, buf, 512), -ENOSPC);
	assert_int_equal(xen_pool_cpus_arg(&cl, buf, strlen("cpus=[]")),
			 -ENOSPC);
	cl.n = 0;
	assert_int_equal(xen_pool_cpus_arg(&cl, buf, 8), 0);
	assert_string_equal(buf, "cpus=[]");
}

/* Item: xl is looked for in fixed system directories, never $PATH. */
static void test_find_xl_not_path(void **state)
{
	char dir[] = "/tmp/isolat-xl-XXXXXX", xl[64], out[1024] = "";
	const char *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(xl, sizeof(xl), "%s/xl", dir);
	f = fopen(xl, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	assert_int_equal(chmod(xl, 0755), 0);
	setenv("PATH", dir, 1);
	if (xen_find_xl(out, sizeof(out)) == 0) {
		assert_true(strncmp(out, dir, strlen(dir)) != 0);
		assert_true(out[0] == '/');
	} else {
		assert_string_equal(out, "");
	}
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	unlink(xl);
	rmdir(dir);
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
		cmocka_unit_test(test_listings),
		cmocka_unit_test(test_dom0_placement),
		cmocka_unit_test(test_case_check),
		cmocka_unit_test(test_dom0_cpus_key),
		cmocka_unit_test(test_vcpu_list_long),
		cmocka_unit_test(test_host_cpus_xen),
		cmocka_unit_test(test_pool_cpus_arg),
		cmocka_unit_test(test_find_xl_not_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
