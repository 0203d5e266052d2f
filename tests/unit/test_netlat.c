/*
 * test_netlat.c - netlat's harness side: the journal's network records
 * (only isolat- names, only /run/isolat/ovs-*), the RPS/XPS files it may
 * write back, the scenario keys (networks, peer, reply_timeout_us and the
 * path's isolation keys), cases expanding by network, QEMU's tap and
 * liblxc's phys end.
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

#include "harness/env/kvm/kvm_cmd.h"
#include "harness/env/lxc/lxc.h"
#include "harness/host/journal.h"
#include "harness/net/net.h"
#include "harness/run/plan.h"
#include "harness/scenario/scenario.h"

static int allowed(enum journal_kind k, const char *path, const char *orig)
{
	struct journal_rec r = {.kind = k};
	char why[256];

	/* as net_ip.c and net_ovs.c write them */
	snprintf(r.knob, sizeof(r.knob), "%s", journal_kind_get(k)->word);
	snprintf(r.path, sizeof(r.path), "%s", path);
	snprintf(r.orig, sizeof(r.orig), "%s", orig);
	snprintf(r.new_value, sizeof(r.new_value), "%s",
		 k == JOURNAL_OVS ? "netdev" : "created");
	return journal_rec_allowed(&r, why, sizeof(why));
}

static void test_records(void **state)
{
	(void)state;
	assert_true(allowed(JOURNAL_NETNS, "isolat-ab12-a", "absent"));
	assert_true(allowed(JOURNAL_LINK, "isolat-ab12-a0", "absent"));
	assert_true(allowed(JOURNAL_OVS, "/run/isolat/ovs-ab12",
			    "ovs-netdev:absent"));
	/* Never someone else's object. */
	assert_false(allowed(JOURNAL_NETNS, "blue", "absent"));
	assert_false(allowed(JOURNAL_LINK, "eth0", "absent"));
	assert_false(allowed(JOURNAL_LINK, "ovs-netdev", "absent"));
	assert_false(allowed(JOURNAL_LINK, "isolat-", "absent"));
	assert_false(allowed(JOURNAL_LINK, "isolat-toolongname", "absent"));
	assert_false(allowed(JOURNAL_LINK, "isolat-a/../b", "absent"));
	assert_false(allowed(JOURNAL_NETNS, "isolat-a b", "absent"));
	assert_false(allowed(JOURNAL_OVS, "/run/openvswitch", "ovs-netdev:absent"));
	assert_false(allowed(JOURNAL_OVS, "/run/isolat/ovs-../x",
			     "ovs-netdev:absent"));
	assert_false(allowed(JOURNAL_OVS, "/run/isolat/ovs-ab12", "rm -rf"));
	/* RPS/XPS of isolat's own host-side ends, masks only. */
	assert_true(allowed(JOURNAL_WRITE,
			    "/sys/class/net/isolat-ab12-ap/queues/rx-0/rps_cpus",
			    "0"));
	assert_true(allowed(JOURNAL_WRITE,
			    "/sys/class/net/isolat-ab12-bp/queues/tx-0/xps_cpus",
			    "00000003"));
	assert_false(allowed(JOURNAL_WRITE,
			     "/sys/class/net/isolat-ab12-ap/queues/rx-0/xps_cpus",
			     "0"));
	assert_false(allowed(JOURNAL_WRITE,
			     "/sys/class/net/eth0/queues/rx-0/rps_cpus", "0"));
	assert_false(allowed(JOURNAL_WRITE,
			     "/sys/class/net/isolat-ab12-ap/queues/rx-0/rps_cpus",
			     "0; reboot"));
	assert_false(allowed(JOURNAL_WRITE,
			     "/sys/class/net/isolat-ab12-ap/mtu", "1500"));
}

static void test_keys(void **state)
{
	struct scenario s;
	char err[1024];

	(void)state;
	assert_int_equal(scenario_parse_string("n.ini", "[scenario]\nname = n\n"
					       "workloads = netlat\ncpus = 1\n",
					       &s, err, sizeof(err)), 0);
	assert_int_equal(s.networks.n, 1);
	assert_string_equal(s.networks.item[0], "veth");
	assert_int_equal(s.params.reply_timeout_us, 10000);
	assert_int_equal(s.params.peer_cpu_line, 0); /* housekeeping */
	scenario_free(&s);

	assert_int_equal(scenario_parse_string("n.ini", "[scenario]\nname = n\n"
		"workloads = netlat\ncpus = 1\nnetworks = ovs, bridge\n"
		"reply_timeout_us = 500\npeer_cpu = 0\nprofiles = p\n"
		"[profile p]\novs_pmd_cpus = 0\nnet_rps_cpus = 0-1\n",
		&s, err, sizeof(err)), 0);
	assert_int_equal(s.networks.n, 2);
	assert_int_equal(s.params.reply_timeout_us, 500);
	assert_int_equal(s.params.peer_cpu, 0);
	{
		struct scn_params pr = s.params;

		scenario_profile_params(&s.profiles[0], &pr);
		assert_int_equal(pr.ovs_pmd_cpus.n, 1);
		assert_int_equal(pr.net_rps_cpus.n, 2);
	}
	scenario_free(&s);

	assert_int_equal(scenario_parse_string("b.ini", "[scenario]\nname = n\n"
		"cpus = 1\nnetworks = veth, wifi\n", &s, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "b.ini:4: networks: unknown network "
				    "'wifi'; expected one of: loopback, veth, "
				    "bridge, ovs"));
	scenario_free(&s);
	assert_int_equal(scenario_parse_string("p.ini", "[scenario]\nname = n\n"
		"cpus = 1\npeer = xen\n", &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "p.ini:4: peer = xen: expected bare or "
				    "lxc"));
	scenario_free(&s);
	assert_int_equal(scenario_parse_string("t.ini", "[scenario]\nname = n\n"
		"cpus = 1\nreply_timeout_us = 0\n", &s, err, sizeof(err)),
		-EINVAL);
	scenario_free(&s);
}

/* A fake sysfs with CPUs 0-3 online. */
static void fake_sysfs(char *dir)
{
	char p[512];
	FILE *f;

	strcpy(dir, "/tmp/isolat-test-netlat-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/sys", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/sys/devices", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/sys/devices/system", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/sys/devices/system/cpu", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/sys/devices/system/cpu/online", dir);
	assert_non_null(f = fopen(p, "w"));
	fputs("0-3\n", f);
	fclose(f);
}

/* Plan netlat on CPU 1 with peer_cpu = cpu in the fake sysfs dir: rc
 * want, and an error holding msg. */
static void peer_cpu_plan(const char *dir, const char *cpu, int want,
			  const char *msg)
{
	struct scenario s;
	struct plan pl;
	char ini[128], err[1024] = "";

	snprintf(ini, sizeof(ini), "[scenario]\nname = e\nworkloads = netlat\n"
		 "cpus = 1\npeer_cpu = %s\n", cpu);
	assert_int_equal(scenario_parse_string("q.ini", ini, &s, err,
					       sizeof(err)), 0);
	assert_int_equal(plan_build(&s, dir, &pl, err, sizeof(err)), want);
	assert_non_null(strstr(err, msg));
	if (want == 0)
		plan_free(&pl);
	scenario_free(&s);
}

static void test_plan(void **state)
{
	struct scenario s;
	struct plan pl;
	char err[1024], dir[64], cmd[128];

	(void)state;
	fake_sysfs(dir);
	assert_int_equal(scenario_parse_string("e.ini", "[scenario]\nname = e\n"
		"workloads = rtlat, netlat\nnetworks = veth, bridge\n"
		"cpus = 1\nhousekeeping = 0\nloops = 10\n", &s, err,
		sizeof(err)), 0);
	assert_int_equal(plan_build(&s, dir, &pl, err, sizeof(err)), 0);
	/* rtlat once, netlat once per network. */
	assert_int_equal(pl.n, 3);
	assert_string_equal(pl.cases[0].name, "bare.none.rtlat.none");
	assert_null(pl.cases[0].net);
	assert_string_equal(pl.cases[1].name, "bare.none.netlat-veth.none");
	assert_string_equal(pl.cases[2].name, "bare.none.netlat-bridge.none");
	assert_string_equal(pl.cases[2].net->name, "bridge");
	{
		char *json = plan_case_json(&pl, &pl.cases[2]);

		assert_non_null(strstr(json, "\"network\":\"bridge\""));
		free(json);
	}
	plan_free(&pl);
	scenario_free(&s);

	/* peer = lxc: the workload (and name) says where the reflector is,
	 * and a path without a container end (loopback) is skipped; the
	 * rtlat case is not a network case and keeps its name. */
	assert_int_equal(scenario_parse_string("p.ini", "[scenario]\nname = e\n"
		"workloads = rtlat, netlat\nnetworks = loopback, bridge\n"
		"peer = lxc\ncpus = 1\nhousekeeping = 0\nloops = 10\n", &s,
		err, sizeof(err)), 0);
	assert_int_equal(plan_build(&s, dir, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.n, 3);
	assert_string_equal(pl.cases[0].name, "bare.none.rtlat.none");
	assert_string_equal(pl.cases[1].name,
			    "bare.none.netlat-loopback-to-lxc.none");
	assert_string_equal(pl.cases[2].name,
			    "bare.none.netlat-bridge-to-lxc.none");
	assert_non_null(strstr(pl.cases[1].skip_reason,
			       "cannot reach a reflector in lxc"));
	{
		char wl[64];

		plan_case_workload(&pl.cases[2], wl, sizeof(wl));
		assert_string_equal(wl, "netlat-bridge-to-lxc");
	}
	plan_free(&pl);
	scenario_free(&s);
	/* A guest cannot be the peer: the choices named. */
	assert_int_equal(scenario_parse_string("k.ini", "[scenario]\nname = e\n"
		"workloads = netlat\npeer = kvm\n", &s, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "k.ini:4: peer = kvm: expected bare or lxc"));
	scenario_free(&s);

	/* netlat measures one CPU. */
	assert_int_equal(scenario_parse_string("c.ini", "[scenario]\nname = e\n"
		"workloads = netlat\ncpus = 1-2\nhousekeeping = 0\n", &s, err,
		sizeof(err)), 0);
	assert_int_equal(plan_build(&s, dir, &pl, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "c.ini:4: netlat measures on one CPU"));
	scenario_free(&s);

	/* peer_cpu: online here (CPUs 0-3), and not the measured CPU. */
	peer_cpu_plan(dir, "9", -EINVAL, "q.ini:5: peer_cpu = 9 is not online "
		      "on this host; expected a CPU from 0-3");
	peer_cpu_plan(dir, "1", -EINVAL, "q.ini:5: peer_cpu = 1 is a measured "
		      "CPU");
	peer_cpu_plan(dir, "3", 0, "");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_kvm_tap(void **state)
{
	struct kvm_cmd c = {
		.qemu = "/usr/bin/qemu-system-x86_64", .name = "isolat-case-0",
		.accel = "tcg", .vcpus = 2, .memory_mb = 512,
		.kernel = "/k/vmlinuz", .initrd = "/w/initrd",
		.cmdline = "console=ttyS0 isolat.net=198.18.0.1/24",
		.chan_base = "/w/chan", .qmp_path = "/w/qmp.sock",
		.tap = "isolat-ab12-at",
	};
	static struct kvm_argv a;
	int found = 0;

	(void)state;
	assert_int_equal(kvm_build_argv(&c, &a), 0);
	for (int i = 0; a.argv[i]; i++)
		if (!strcmp(a.argv[i], "tap,id=n0,ifname=isolat-ab12-at,"
					"script=no,downscript=no") &&
		    !strcmp(a.argv[i + 2], "virtio-net-pci,netdev=n0"))
			found = 1;
	assert_true(found);
	c.tap = "eth0";
	assert_int_equal(kvm_build_argv(&c, &a), -EINVAL);
	c.tap = "isolat-a,b";
	assert_int_equal(kvm_build_argv(&c, &a), -EINVAL);
}

static void test_lxc_phys(void **state)
{
	struct lxc_conf_in in = {
		.name = "isolat-123-c0-0abc", .rootfs = "/tmp/isolat-x/rootfs",
		.log_file = "/run/isolat/lxc/x/lxc.log", .cpuset = "0-1",
		.rt_period_us = -1, .rt_runtime_us = -1,
		.phys_link = "isolat-ab12-a0", .phys_addr = "198.18.0.1/24",
	};
	struct lxc_items it;
	char err[256];
	int type = 0, link = 0, addr = 0;

	(void)state;
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), 0);
	for (unsigned i = 0; i < it.n; i++) {
		type |= !strcmp(it.item[i].key, "lxc.net.0.type") &&
			!strcmp(it.item[i].value, "phys");
		link |= !strcmp(it.item[i].key, "lxc.net.0.link") &&
			!strcmp(it.item[i].value, "isolat-ab12-a0");
		addr |= !strcmp(it.item[i].key, "lxc.net.0.ipv4.address") &&
			!strcmp(it.item[i].value, "198.18.0.1/24");
	}
	assert_true(type && link && addr);
	in.phys_link = "eth0";
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), -EINVAL);
	in.phys_link = "isolat-ab12-a0";
	in.phys_addr = "10.0.0.1/8";
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_kvm_tap),
		cmocka_unit_test(test_lxc_phys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
