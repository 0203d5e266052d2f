/*
 * test_tuning_cpuset.c - cpuset_isolate on fake cgroup trees (this CI host
 * binds the cpuset controller to cgroup v1, so the v2 path can only be
 * exercised here): what is written where and in which order, what the
 * journal holds, that the harness enters and leaves the v2 partition, that
 * undo runs newest first (partition back to member, directory removed,
 * subtree_control switched back) and leaves the tree as it was; the
 * refusals (lxc on v2, no CPU left to the system, no cpuset at all) change
 * nothing.  A fake tree cannot act as the kernel: where cgroupfs would drop
 * a directory's files with it, the test does that itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/env/env.h"
#include "harness/host/journal.h"
#include "harness/run/plan.h"
#include "harness/host/tuning_int.h"

#include "fake_tree.h"

/* What cgroupfs does on rmdir: the directory's files go with it. */
static void drop_files(const char *rel)
{
	char path[512], file[1024];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(file, sizeof(file), "%s/%s", path,
				 de->d_name);
			unlink(file);
		}
	closedir(d);
}

static int setup(void **state)
{
	(void)state;
	if (fake_tree_make("/tmp/isolat-tc.XXXXXX") < 0)
		return -1;
	put("/run/isolat/.keep", "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_tree_remove();
	return 0;
}

static char last_fact[4096];

static int fact_cb(void *ctx, const char *key, const char *value)
{
	(void)ctx;
	if (!strcmp(key, "tune.cpuset_isolate"))
		snprintf(last_fact, sizeof(last_fact), "%s", value);
	return 0;
}

static void init(struct tuning *t)
{
	memset(t, 0, sizeof(*t));
	journal_init(&t->j, jpath, root);
	t->fact = fact_cb;
	last_fact[0] = '\0';
}

/* Measured 2-3, the workload's housekeeping CPU 1, online 0-3. */
static void case_of(struct plan_case *pc, struct cpulist *hk,
		    const char *env)
{
	memset(pc, 0, sizeof(*pc));
	pc->env = env_find(env);
	assert_non_null(pc->env);
	pc->params.cpus.n = 2;
	pc->params.cpus.cpu[0] = 2;
	pc->params.cpus.cpu[1] = 3;
	pc->host_cpus = pc->params.cpus; /* plan.c does this for bare */
	pc->params.housekeeping = 1;
	hk->n = 2;
	hk->cpu[0] = 0;
	hk->cpu[1] = 1;
}

/* The journal's records, one line each, without the header. */
static const char *records(void)
{
	static char buf[8192];
	const char *s = buf;
	FILE *f = fopen(jpath, "r");
	size_t n;

	if (!f)
		return "";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	for (int i = 0; i < 2 && s; i++)
		if ((s = strchr(s, '\n')))
			s++;
	return s ? s : "";
}

#define V2 "/sys/fs/cgroup"
#define PART V2 "/isolat.tune.isolated"

static void v2_tree(const char *subtree)
{
	put(V2 "/cgroup.controllers", "cpuset cpu io memory pids");
	put(V2 "/cgroup.subtree_control", subtree);
	put(V2 "/user.slice/s.scope/cgroup.procs", "");
	put("/proc/self/cgroup", "0::/user.slice/s.scope\n");
}

struct undo_log {
	char seen[8][200];
	int n;
};

/* Replay's per-record callback: records the order, checks the partition
 * is a member again before its directory goes, then does what cgroupfs
 * would (the directory's files vanish with it). */
static void undo_note(void *ctx, const struct journal_rec *r, int rc)
{
	struct undo_log *u = ctx;

	assert_int_equal(rc, 0);
	if (u->n < 8)
		snprintf(u->seen[u->n++], 200, "%s %.150s",
			 r->kind == JOURNAL_MKDIR ? "rmdir" : "write", r->path);
	if (!strcmp(r->path, PART "/cpuset.cpus.partition")) {
		assert_string_equal(get(r->path), "member");
		drop_files(PART);
	}
}

static void test_v2_apply_undo(void **state)
{
	struct plan_case pc;
	struct cpulist hk;
	struct tuning t;
	struct undo_log u = {0};
	char err[512] = "", want[200];

	(void)state;
	v2_tree("cpu memory");
	case_of(&pc, &hk, "bare");
	init(&t);
	if (tuning_cpuset_isolate(&t, &pc, &hk, err, sizeof(err)) != 0)
		fail_msg("apply: %s", err);
	/* What was written, where. */
	assert_string_equal(get(V2 "/cgroup.subtree_control"), "+cpuset");
	assert_string_equal(get(PART "/cpuset.cpus"), "1-3");
	assert_string_equal(get(PART "/cpuset.cpus.partition"), "isolated");
	assert_string_equal(t.join, PART "/cgroup.procs");
	assert_non_null(strstr(last_fact, "partition isolated"));
	assert_non_null(strstr(last_fact, "cpus 1-3"));
	assert_non_null(strstr(last_fact, "keeps 0"));
	/* The journal, in the order of the changes, before each. */
	assert_string_equal(records(),
		"write\tcpuset_isolate\t" V2 "/cgroup.subtree_control\t"
		"-cpuset\t+cpuset\n"
		"mkdir\tcpuset_isolate\t" PART "\tabsent\tcreated\n"
		"write\tcpuset_isolate\t" PART "/cpuset.cpus.partition\t"
		"member\tisolated\n");
	/* The harness goes in for the start and back to its own cgroup. */
	put(PART "/cgroup.procs", "");
	assert_int_equal(tuning_enter(&t, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%d", (int)getpid());
	assert_string_equal(get(PART "/cgroup.procs"), want);
	assert_string_equal(t.back, V2 "/user.slice/s.scope/cgroup.procs");
	assert_int_equal(tuning_leave(&t, err, sizeof(err)), 0);
	assert_string_equal(get(V2 "/user.slice/s.scope/cgroup.procs"), want);
	assert_int_equal(t.back[0], '\0');
	/* Undo newest first: member, rmdir, subtree_control switched back. */
	journal_close(&t.j);
	assert_int_equal(journal_replay(jpath, root, undo_note, &u, err,
					sizeof(err)), 0);
	assert_int_equal(u.n, 3);
	assert_string_equal(u.seen[0], "write " PART "/cpuset.cpus.partition");
	assert_string_equal(u.seen[1], "rmdir " PART);
	assert_string_equal(u.seen[2], "write " V2 "/cgroup.subtree_control");
	assert_false(exists(PART));
	assert_string_equal(get(V2 "/cgroup.subtree_control"), "-cpuset");
	assert_false(exists("/run/isolat/journal"));
}

/* cpuset already handed out by the root (systemd does): not touched, so
 * not journaled; a hybrid host's /sys/fs/cgroup/unified is found too; the
 * root cgroup as the harness's own. */
static void test_v2_subtree_ready_unified(void **state)
{
	struct plan_case pc;
	struct cpulist hk;
	struct tuning t;
	char err[512] = "";

	(void)state;
	put(V2 "/unified/cgroup.controllers", "cpuset memory");
	put(V2 "/unified/cgroup.subtree_control", "memory cpuset");
	put(V2 "/unified/cgroup.procs", "");
	put("/proc/self/cgroup", "1:cpu:/\n0::/\n");
	case_of(&pc, &hk, "bare");
	init(&t);
	if (tuning_cpuset_isolate(&t, &pc, &hk, err, sizeof(err)) != 0)
		fail_msg("apply: %s", err);
	assert_string_equal(get(V2 "/unified/cgroup.subtree_control"),
			    "memory cpuset");
	assert_string_equal(records(),
		"mkdir\tcpuset_isolate\t" V2 "/unified/isolat.tune.isolated"
		"\tabsent\tcreated\n"
		"write\tcpuset_isolate\t" V2 "/unified/isolat.tune.isolated/"
		"cpuset.cpus.partition\tmember\tisolated\n");
	put(V2 "/unified/isolat.tune.isolated/cgroup.procs", "");
	assert_int_equal(tuning_enter(&t, err, sizeof(err)), 0);
	assert_string_equal(t.back, V2 "/unified/cgroup.procs");
	assert_int_equal(tuning_leave(&t, err, sizeof(err)), 0);
	drop_files(V2 "/unified/isolat.tune.isolated");
	t.fact = NULL;
	assert_int_equal(tuning_undo(&t, err, sizeof(err)), 0);
	assert_int_equal(t.undone, 2);
	assert_false(exists(V2 "/unified/isolat.tune.isolated"));
	assert_string_equal(get(V2 "/unified/cgroup.subtree_control"),
			    "memory cpuset");
}

/* Refusals happen before any change: no journal, no directory. */
static void test_v2_refusals(void **state)
{
	struct plan_case pc;
	struct cpulist hk;
	struct tuning t;
	char err[512] = "";

	(void)state;
	v2_tree("cpu memory");
	case_of(&pc, &hk, "lxc");
	init(&t);
	assert_int_equal(tuning_cpuset_isolate(&t, &pc, &hk, err,
					       sizeof(err)), -EOPNOTSUPP);
	assert_non_null(strstr(err, "lxc"));
	/* QEMU born in the partition would hold its emulator threads. */
	case_of(&pc, &hk, "kvm");
	assert_int_equal(tuning_cpuset_isolate(&t, &pc, &hk, err,
					       sizeof(err)), -EOPNOTSUPP);
	assert_non_null(strstr(err, "only supported for bare"));
	/* Only the workload's housekeeping CPU would be left. */
	case_of(&pc, &hk, "bare");
	hk.n = 1;
	hk.cpu[0] = 1;
	assert_int_equal(tuning_cpuset_isolate(&t, &pc, &hk, err,
					       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no CPU to the rest"));
	assert_false(exists("/run/isolat/journal"));
	assert_false(exists(PART));
	assert_string_equal(get(V2 "/cgroup.subtree_control"), "cpu memory");
	/* No cpuset anywhere (cgroup2 without the controller). */
	put(V2 "/cgroup.controllers", "cpu memory");
	case_of(&pc, &hk, "bare");
	assert_int_equal(tuning_cpuset_isolate(&t, &pc, &hk, err,
					       sizeof(err)), -EOPNOTSUPP);
	assert_non_null(strstr(err, "no cpuset controller"));
	/* Without a partition there is nothing to enter. */
	assert_int_equal(tuning_enter(&t, err, sizeof(err)), 0);
	assert_int_equal(tuning_leave(&t, err, sizeof(err)), 0);
}

static void test_partition_valid(void **state)
{
	(void)state;
	assert_int_equal(tuning_partition_valid("isolated", "isolated"), 0);
	assert_int_equal(tuning_partition_valid("root", "root"), 0);
	assert_int_equal(tuning_partition_valid("isolated invalid (Cpu list "
		"in cpuset.cpus not exclusive)", "isolated"), -EINVAL);
	assert_int_equal(tuning_partition_valid("root invalid", "root"),
			 -EINVAL);
	assert_int_equal(tuning_partition_valid("member", "isolated"),
			 -EINVAL);
	assert_int_equal(tuning_partition_valid("root", "isolated"), -EINVAL);
	assert_int_equal(tuning_partition_valid("", "isolated"), -EINVAL);
}

/* cgroup v1 takes precedence where the cpuset controller is bound to it
 * (this host): two cpusets, the root's balancing off; undone in reverse. */
static void test_v1_apply_undo(void **state)
{
	struct plan_case pc;
	struct cpulist hk;
	struct tuning t;
	char err[512] = "";

	(void)state;
	put("/sys/fs/cgroup/cpuset/cpuset.mems", "0");
	put("/sys/fs/cgroup/cpuset/cpuset.sched_load_balance", "1");
	v2_tree("cpu");
	case_of(&pc, &hk, "bare");
	init(&t);
	if (tuning_cpuset_isolate(&t, &pc, &hk, err, sizeof(err)) != 0)
		fail_msg("apply: %s", err);
	assert_string_equal(get("/sys/fs/cgroup/cpuset/isolat.tune.isolated/"
				"cpuset.cpus"), "2-3");
	assert_string_equal(get("/sys/fs/cgroup/cpuset/isolat.tune.isolated/"
				"cpuset.sched_load_balance"), "0");
	assert_string_equal(get("/sys/fs/cgroup/cpuset/isolat.tune."
				"housekeeping/cpuset.cpus"), "0-1");
	assert_string_equal(get("/sys/fs/cgroup/cpuset/isolat.tune."
				"housekeeping/cpuset.mems"), "0");
	assert_string_equal(get("/sys/fs/cgroup/cpuset/"
				"cpuset.sched_load_balance"), "0");
	assert_non_null(strstr(last_fact, "cgroup v1"));
	assert_string_equal(t.join, ""); /* tasks stay where they are */
	assert_string_equal(records(),
		"mkdir\tcpuset_isolate\t/sys/fs/cgroup/cpuset/isolat.tune."
		"housekeeping\tabsent\tcreated\n"
		"mkdir\tcpuset_isolate\t/sys/fs/cgroup/cpuset/isolat.tune."
		"isolated\tabsent\tcreated\n"
		"write\tcpuset_isolate\t/sys/fs/cgroup/cpuset/cpuset.sched_"
		"load_balance\t1\t0\n");
	assert_int_equal(tuning_enter(&t, err, sizeof(err)), 0);
	drop_files("/sys/fs/cgroup/cpuset/isolat.tune.isolated");
	drop_files("/sys/fs/cgroup/cpuset/isolat.tune.housekeeping");
	t.fact = NULL;
	assert_int_equal(tuning_undo(&t, err, sizeof(err)), 0);
	assert_int_equal(t.undone, 3);
	assert_string_equal(get("/sys/fs/cgroup/cpuset/"
				"cpuset.sched_load_balance"), "1");
	assert_false(exists("/sys/fs/cgroup/cpuset/isolat.tune.isolated"));
	assert_false(exists("/sys/fs/cgroup/cpuset/isolat.tune.housekeeping"));
	assert_string_equal(get(V2 "/cgroup.subtree_control"), "cpu");
}

/* A directory left by a crashed run that was never restored: the case
 * fails with the way out; the record written first lets restore remove
 * it. */
static void test_leftover_dir(void **state)
{
	struct plan_case pc;
	struct cpulist hk;
	struct tuning t;
	char err[512] = "";

	(void)state;
	v2_tree("cpuset");
	put(PART "/cpuset.cpus", "2-3");
	drop_files(PART);
	case_of(&pc, &hk, "bare");
	init(&t);
	assert_int_equal(tuning_cpuset_isolate(&t, &pc, &hk, err,
					       sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "isolat restore"));
	assert_int_equal(tuning_undo(&t, err, sizeof(err)), 0);
	assert_false(exists(PART));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partition_valid),
		cmocka_unit_test_setup_teardown(test_v2_apply_undo, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_v2_subtree_ready_unified,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_v1_apply_undo, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_leftover_dir, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
