/*
 * test_lxc.c - the pure helpers of the lxc environment: the container's
 * config items (order, values, what is refused) and container names.
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

#include "harness/env/env.h"
#include "harness/env/lxc/lxc.h"

static const char *const binds[] = {"/usr", "/lib"};

static struct lxc_conf_in base(void)
{
	struct lxc_conf_in in = {
		.name = "isolat-123-c0-0abc",
		.rootfs = "/tmp/isolat-x/rootfs",
		.log_file = "/run/isolat/lxc/isolat-123-c0-0abc/lxc.log",
		.cpuset = "0-1",
		.rt_period_us = 1000000,
		.rt_runtime_us = 950000,
		.binds = binds,
		.nbinds = 2,
	};
	return in;
}

/* Index of the first item with key (and value, if not NULL), or -1. */
static int find(const struct lxc_items *it, const char *key,
		const char *value)
{
	for (unsigned i = 0; i < it->n; i++)
		if (!strcmp(it->item[i].key, key) &&
		    (!value || !strcmp(it->item[i].value, value)))
			return (int)i;
	return -1;
}

static void test_config_items(void **state)
{
	struct lxc_conf_in in = base();
	struct lxc_items it;
	char err[256], text[8192];

	(void)state;
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), 0);
	assert_true(find(&it, "lxc.rootfs.path", "dir:/tmp/isolat-x/rootfs") >= 0);
	assert_true(find(&it, "lxc.uts.name", in.name) >= 0);
	assert_true(find(&it, "lxc.cgroup.cpuset.cpus", "0-1") >= 0);
	assert_true(find(&it, "lxc.cgroup2.cpuset.cpus", NULL) < 0);
	/* period before runtime: the kernel checks runtime <= period */
	assert_true(find(&it, "lxc.cgroup.cpu.rt_period_us", "1000000") >= 0);
	assert_true(find(&it, "lxc.cgroup.cpu.rt_period_us", NULL) <
		    find(&it, "lxc.cgroup.cpu.rt_runtime_us", "950000"));
	assert_true(find(&it, "lxc.cap.keep", "sys_nice ipc_lock") >= 0);
	assert_true(find(&it, "lxc.prlimit.memlock", "unlimited") >= 0);
	assert_true(find(&it, "lxc.prlimit.rtprio", "99") >= 0);
	assert_true(find(&it, "lxc.net.0.type", "empty") >= 0);
	assert_true(find(&it, "lxc.mount.entry", "/usr usr none ro,bind 0 0") >= 0);
	assert_true(find(&it, "lxc.mount.entry", "/lib lib none ro,bind 0 0") >= 0);
	assert_true(find(&it, "lxc.cgroup.dir.container",
			 "isolat.payload.isolat-123-c0-0abc") >= 0);
	assert_true(find(&it, "lxc.cgroup.dir.monitor",
			 "isolat.monitor.isolat-123-c0-0abc") >= 0);
	assert_int_equal(lxc_conf_text(&it, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "lxc.cap.keep = sys_nice ipc_lock\n"));
	assert_int_equal(lxc_conf_text(&it, text, 16), -E2BIG);
}

static void test_config_variants(void **state)
{
	struct lxc_conf_in in = base();
	struct lxc_items it;
	char err[256];

	(void)state;
	/* cgroup v2: cpuset there, no RT budget items at all */
	in.cgroup2 = 1;
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), 0);
	assert_true(find(&it, "lxc.cgroup2.cpuset.cpus", "0-1") >= 0);
	assert_true(find(&it, "lxc.cgroup.cpu.rt_runtime_us", NULL) < 0);
	/* v1 without RT groups: no budget */
	in = base();
	in.rt_runtime_us = in.rt_period_us = -1;
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), 0);
	assert_true(find(&it, "lxc.cgroup.cpu.rt_runtime_us", NULL) < 0);
	/* limits the harness cannot raise are passed as they are */
	in = base();
	in.memlock = "8388608";
	in.rtprio = "0";
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), 0);
	assert_true(find(&it, "lxc.prlimit.memlock", "8388608") >= 0);
	assert_true(find(&it, "lxc.prlimit.rtprio", "0") >= 0);
	/* network asked for: no empty netns item */
	in = base();
	in.network = 1;
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), 0);
	assert_true(find(&it, "lxc.net.0.type", NULL) < 0);
}

static void test_config_refused(void **state)
{
	static const char *const bad_binds[] = {"/usr/../etc"};
	static const char *const root_bind[] = {"/"};
	struct lxc_conf_in in;
	struct lxc_items it;
	char err[256];

	(void)state;
	in = base();
	in.name = "Isolat_1";            /* not a safe cgroup/host name */
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "name"));
	in = base();
	in.rootfs = "relative/rootfs";
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), -EINVAL);
	in = base();
	in.rootfs = "/tmp/a b";           /* a blank splits a mount entry */
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), -EINVAL);
	in = base();
	in.log_file = "/tmp/x\nlxc.cap.keep = sys_admin";
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), -EINVAL);
	in = base();
	in.cpuset = "1; rm";
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), -EINVAL);
	in = base();
	in.cpuset = "";
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), -EINVAL);
	in = base();
	in.binds = bad_binds;
	in.nbinds = 1;
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), -EINVAL);
	in.binds = root_bind;
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), -EINVAL);
	in = base();
	in.memlock = "1\n2";
	assert_int_equal(lxc_conf_build(&in, &it, err, sizeof(err)), -EINVAL);
}

static void test_names(void **state)
{
	long pid = 0;

	(void)state;
	assert_int_equal(lxc_name_owner("isolat-4242-c3-deadbeef", &pid), 0);
	assert_int_equal(pid, 4242);
	assert_int_equal(lxc_name_owner("isolat-0-c3-x", &pid), -EINVAL);
	assert_int_equal(lxc_name_owner("isolat-12", &pid), -EINVAL);
	assert_int_equal(lxc_name_owner("isolat-12-x", &pid), -EINVAL);
	assert_int_equal(lxc_name_owner("other-12-c1-aa", &pid), -EINVAL);
	assert_int_equal(lxc_name_owner("isolat--1-c1-aa", &pid), -EINVAL);
}

static void put(const char *dir, const char *file, const char *value)
{
	char path[4300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(value, f);
	fclose(f);
}

static long get(const char *dir, const char *file)
{
	char path[4300], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	return strtol(buf, NULL, 10);
}

/* A cgroup-v1-like tree of plain files: root 950000 us, a parent "mid"
 * with 0 (as systemd leaves a slice), a sibling holding 100000.  The
 * container below mid gets what the root has free; mid is raised first
 * and put back afterwards. */
static void test_rt_budget_parents(void **state)
{
	char root[] = "/tmp/isolat-test-rt-XXXXXX", mid[256], sib[256];
	char probe[300], journal[300], err[512];
	struct lxc_cg cg;
	struct lxc_rt rt;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(mid, sizeof(mid), "%s/mid", root);
	snprintf(sib, sizeof(sib), "%s/sib", root);
	snprintf(journal, sizeof(journal), "%s/journal", root);
	assert_int_equal(mkdir(mid, 0755), 0);
	assert_int_equal(mkdir(sib, 0755), 0);
	put(root, "cpu.rt_runtime_us", "950000");
	put(root, "cpu.rt_period_us", "1000000");
	put(mid, "cpu.rt_runtime_us", "0");
	put(mid, "cpu.rt_period_us", "1000000");
	put(sib, "cpu.rt_runtime_us", "100000");
	/* the probe cgroup the kernel would make (plain files here) */
	snprintf(probe, sizeof(probe), "%s/isolat.rt-probe.%ld", mid,
		 (long)getpid());
	assert_int_equal(mkdir(probe, 0755), 0);
	put(probe, "cpu.rt_runtime_us", "0");
	put(probe, "cpu.rt_period_us", "1000000");

	memset(&cg, 0, sizeof(cg));
	cg.rt_group = 1;
	snprintf(cg.cpu_root, sizeof(cg.cpu_root), "%s", root);
	snprintf(cg.cpu_dir, sizeof(cg.cpu_dir), "%s", mid);
	assert_int_equal(lxc_rt_reserve(&cg, journal, 1, &rt, err, sizeof(err)),
			 0);
	assert_int_equal(rt.period_us, 1000000);
	assert_int_equal(rt.runtime_us, 850000);  /* 950000 - sibling's */
	assert_int_equal(rt.n, 1);
	assert_int_equal(get(mid, "cpu.rt_runtime_us"), 850000);
	assert_int_equal(rt.ch[0].orig, 0);
	assert_int_equal(access(journal, F_OK), 0);  /* journaled first */
	assert_int_equal(get(probe, "cpu.rt_runtime_us"), 0); /* given back */
	lxc_rt_restore(&rt, journal);
	assert_int_equal(get(mid, "cpu.rt_runtime_us"), 0);
	assert_int_equal(access(journal, F_OK), -1);
	lxc_rt_restore(&rt, journal);                /* idempotent */

	/* Two containers of one case (netlat's peer first, share 2): the
	 * peer takes half of what is free, the case's container the rest,
	 * and giving back in reverse order puts the parent back. */
	{
		struct lxc_rt rt2;
		char peer[300];

		assert_int_equal(lxc_rt_reserve(&cg, journal, 2, &rt, err,
						sizeof(err)), 0);
		assert_int_equal(rt.runtime_us, 425000);
		assert_int_equal(get(mid, "cpu.rt_runtime_us"), 425000);
		snprintf(peer, sizeof(peer), "%s/peer", mid);
		assert_int_equal(mkdir(peer, 0755), 0);
		put(peer, "cpu.rt_runtime_us", "425000");
		assert_int_equal(lxc_rt_reserve(&cg, journal, 1, &rt2, err,
						sizeof(err)), 0);
		assert_int_equal(rt2.runtime_us, 425000);
		assert_int_equal(get(mid, "cpu.rt_runtime_us"), 850000);
		lxc_rt_restore(&rt2, journal);
		assert_int_equal(get(mid, "cpu.rt_runtime_us"), 425000);
		lxc_rt_restore(&rt, journal);
		assert_int_equal(get(mid, "cpu.rt_runtime_us"), 0);
		snprintf(peer, sizeof(peer), "%s/peer/cpu.rt_runtime_us", mid);
		unlink(peer);
		snprintf(peer, sizeof(peer), "%s/peer", mid);
		assert_int_equal(rmdir(peer), 0);
	}

	/* Everything taken by the sibling: a clear reason, nothing written */
	put(sib, "cpu.rt_runtime_us", "950000");
	assert_int_equal(lxc_rt_reserve(&cg, journal, 1, &rt, err, sizeof(err)),
			 -EBUSY);
	assert_non_null(strstr(err, "no real-time budget left"));
	assert_int_equal(get(mid, "cpu.rt_runtime_us"), 0);

	/* A journal only ever restores cgroup RT knobs */
	put(root, "journal", "5 /etc/passwd\n");
	assert_int_equal(lxc_rt_restore_journal(journal), 0);
	assert_int_equal(access(journal, F_OK), -1);
	/* ... and only from a file nobody else could have written. */
	put(root, "journal", "5 /sys/fs/cgroup/cpu/x/cpu.rt_runtime_us\n");
	assert_int_equal(chmod(journal, 0664), 0);
	assert_int_equal(lxc_rt_restore_journal(journal), -EPERM);
	assert_int_equal(access(journal, F_OK), 0);
	unlink(journal);

	/* No RT groups: nothing to do */
	cg.rt_group = 0;
	assert_int_equal(lxc_rt_reserve(&cg, journal, 1, &rt, err, sizeof(err)),
			 0);
	assert_int_equal(rt.runtime_us, -1);

	for (const char *d = probe; d; d = d == probe ? mid : d == mid ? sib : NULL) {
		char path[400];

		snprintf(path, sizeof(path), "%s/cpu.rt_runtime_us", d);
		unlink(path);
		snprintf(path, sizeof(path), "%s/cpu.rt_period_us", d);
		unlink(path);
		rmdir(d);
	}
	put(root, "x", "");
	unlink(journal);
	{
		char path[400];

		snprintf(path, sizeof(path), "%s/x", root);
		unlink(path);
		snprintf(path, sizeof(path), "%s/cpu.rt_runtime_us", root);
		unlink(path);
		snprintf(path, sizeof(path), "%s/cpu.rt_period_us", root);
		unlink(path);
	}
	assert_int_equal(rmdir(root), 0);
}

/* A knob the kernel will not take back: restore stops there, keeps what
 * is left in rt and writes it to the journal again - into a directory
 * made anew, since liblxc's destroy took the old one with the journal. */
static void test_rt_restore_fails(void **state)
{
	char root[] = "/tmp/isolat-test-rtf-XXXXXX", dir[300], journal[400];
	char text[1200] = "", want[1200];
	struct lxc_rt rt = {0};
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/container", root);
	snprintf(journal, sizeof(journal), "%s/rt-journal", dir);
	put(root, "top", "900000");
	/* ch[1], restored first, is a directory: the write fails (EISDIR) */
	snprintf(rt.ch[0].path, sizeof(rt.ch[0].path), "%s/top", root);
	rt.ch[0].orig = 7;
	snprintf(rt.ch[1].path, sizeof(rt.ch[1].path), "%s", root);
	rt.ch[1].orig = 8;
	rt.n = 2;
	assert_true(lxc_rt_restore(&rt, journal) < 0);
	assert_int_equal(rt.n, 2);
	assert_int_equal(get(root, "top"), 900000); /* parent: not lowered */
	f = fopen(journal, "r");
	assert_non_null(f);
	assert_true(fread(text, 1, sizeof(text) - 1, f) > 0);
	fclose(f);
	snprintf(want, sizeof(want), "7 %s/top\n8 %s\n", root, root);
	assert_string_equal(text, want);
	/* Once the child is gone (ENOENT: nothing to put back), the rest
	 * is restored and the journal removed. */
	snprintf(rt.ch[1].path, sizeof(rt.ch[1].path), "%s/gone/knob", root);
	assert_int_equal(lxc_rt_restore(&rt, journal), 0);
	assert_int_equal(rt.n, 0);
	assert_int_equal(get(root, "top"), 7);
	assert_int_equal(access(journal, F_OK), -1);
	assert_int_equal(rmdir(dir), 0);
	snprintf(dir, sizeof(dir), "%s/top", root);
	unlink(dir);
	assert_int_equal(rmdir(root), 0);
}

static void test_registered(void **state)
{
	char why[256];

	(void)state;
	assert_ptr_equal(env_find("lxc"), &env_lxc_ops);
	assert_int_equal(env_check_ops(&env_lxc_ops, why, sizeof(why)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_items),
		cmocka_unit_test(test_config_variants),
		cmocka_unit_test(test_config_refused),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_rt_budget_parents),
		cmocka_unit_test(test_rt_restore_fails),
		cmocka_unit_test(test_registered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
