/*
 * test_journal_allow.c - what a journal record may make root do
 * (harness/host/journal_allow.c): exact files only, each with the values its
 * kind may take, tracefs by name, sched records only for ksoftirqd,
 * ktimers and rcuc kernel threads; a tampered journal writes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/host/journal.h"
#include "harness/host/trace.h"
#include "harness/host/tuning.h"

#include "journal_fixture.h"

static void test_allowed(void **state)
{
	static const char *const ok[] = {
		"/proc/irq/24/smp_affinity", "/proc/irq/default_smp_affinity",
		"/proc/sys/kernel/timer_migration",
		"/proc/sys/kernel/sched_rt_runtime_us",
		"/sys/devices/virtual/workqueue/cpumask",
		"/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor",
		"/sys/kernel/mm/transparent_hugepage/enabled",
		"/sys/fs/cgroup/cpuset/cpuset.sched_load_balance",
		"/sys/fs/cgroup/cgroup.subtree_control",
		"/sys/fs/cgroup/unified/cgroup.subtree_control",
		"/sys/fs/cgroup/isolat.tune.isolated/cpuset.cpus.partition",
		"/sys/fs/cgroup/unified/isolat.tune.isolated/"
		"cpuset.cpus.partition",
	};
	static const char *const bad[] = {
		"/etc/passwd", "", "proc/irq/24/smp_affinity",
		"/proc/irq/24/../../../etc/passwd", "/proc/irq/x/smp_affinity",
		"/proc/irq/24/spurious", "/proc/sys/vm/drop_caches",
		"/proc/sys/kernel/a/b", "/proc/sys/kernel/",
		"/sys/devices/system/cpu/cpu1/online",
		"/sys/kernel/mm/transparent_hugepage/",
		"/sys/fs/cgroup/", "/sys/fs/cgroup//x",
		"/proc/sys/kernel/core_pattern\n", "/proc/123",
		"/sys/devices/virtual/workqueue/../../../etc/x",
		/* Only the exact files isolat writes: none of these. */
		"/sys/fs/cgroup/cpuset/isolat.case/cpuset.cpus",
		"/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe",
		"/proc/sys/kernel/hotplug", "/proc/sys/kernel/sysrq",
		"/sys/fs/cgroup/cgroup.procs", "/sys/fs/cgroup/cgroup.kill",
		"/sys/fs/cgroup/system.slice/cgroup.procs",
		"/sys/fs/cgroup/system.slice/cgroup.kill",
		"/sys/fs/cgroup/system.slice/cgroup.subtree_control",
		"/sys/fs/cgroup/cpuset/release_agent",
		"/sys/fs/cgroup/cpuset/notify_on_release",
		"/sys/fs/cgroup/cpuset/tasks",
		"/sys/fs/cgroup/cpuset/isolat.tune.isolated/tasks",
		"/sys/fs/cgroup/isolat.tune.isolated/cgroup.procs",
		"/sys/fs/cgroup/system.slice/cpuset.cpus.partition",
		"/sys/fs/cgroup/isolat.tune./cpuset.cpus.partition",
		"/sys/kernel/mm/transparent_hugepage/defrag",
		"/sys/kernel/mm/transparent_hugepage/khugepaged/defrag",
		"/sys/devices/system/cpu/cpu1/cpufreq/scaling_max_freq",
		"/sys/devices/system/cpu/cpufreq/policy0/scaling_governor",
		"/sys/devices/virtual/workqueue/writeback/cpumask",
		"/proc/irq/24/smp_affinity_list",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!journal_path_allowed(JOURNAL_WRITE, ok[i]))
			fail_msg("refused %s", ok[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (journal_path_allowed(JOURNAL_WRITE, bad[i]))
			fail_msg("allowed %s", bad[i]);
	assert_true(journal_path_allowed(JOURNAL_SCHED, "/proc/123"));
	assert_false(journal_path_allowed(JOURNAL_SCHED, "/proc/self"));
	assert_false(journal_path_allowed(JOURNAL_SCHED, "/proc/12/comm"));
	assert_false(journal_path_allowed(JOURNAL_SCHED, "/etc/passwd"));
	/* rmdir only of cgroups tuning names, never LXC's or systemd's */
	assert_true(journal_path_allowed(JOURNAL_MKDIR,
		"/sys/fs/cgroup/cpuset/isolat.tune.isolated"));
	assert_false(journal_path_allowed(JOURNAL_MKDIR,
		"/sys/fs/cgroup/cpuset/isolat.payload.c0"));
	assert_false(journal_path_allowed(JOURNAL_MKDIR,
		"/sys/fs/cgroup/system.slice"));
	assert_false(journal_path_allowed(JOURNAL_MKDIR,
		"/sys/fs/cgroup/cpuset/isolat.tune."));
	assert_false(journal_path_allowed(JOURNAL_MKDIR, "/tmp/isolat.tune.x"));
}

/* tracefs: the exact files trace.c writes, in either place tracefs
 * lives; nothing that takes commands, no group switch, no instance. */
static void test_allowed_tracefs(void **state)
{
	static const char *const ok[] = {
		"/sys/kernel/tracing/tracing_on",
		"/sys/kernel/tracing/current_tracer",
		"/sys/kernel/tracing/buffer_size_kb",
		"/sys/kernel/tracing/tracing_cpumask",
		"/sys/kernel/tracing/events/sched/sched_switch/enable",
		"/sys/kernel/tracing/events/irq_vectors/local_timer_entry/"
		"enable",
		"/sys/kernel/debug/tracing/tracing_on",
		"/sys/kernel/debug/tracing/events/irq/softirq_exit/enable",
	};
	static const char *const bad[] = {
		"/sys/kernel/tracing/trace", "/sys/kernel/tracing/set_event",
		"/sys/kernel/tracing/kprobe_events",
		"/sys/kernel/tracing/set_ftrace_filter",
		"/sys/kernel/tracing/events/enable",
		"/sys/kernel/tracing/events/sched/enable",
		"/sys/kernel/tracing/events/sched/sched_switch/filter",
		"/sys/kernel/tracing/events/sched/sched_switch/trigger",
		"/sys/kernel/tracing/events/sched/sched_switch/enable/x",
		"/sys/kernel/tracing/events/sched//enable",
		"/sys/kernel/tracing/events/Sched/x/enable",
		"/sys/kernel/tracing/events/sched/../../tracing_on",
		"/sys/kernel/tracing/instances/x/tracing_on",
		"/sys/kernel/tracing/tracing_on/", "/sys/kernel/tracing/",
		"/sys/kernel/tracingx/tracing_on",
		"/sys/kernel/debug/tracing_on", "/sys/kernel/debug/x",
		"/sys/kernel/tracing/tracing_on\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!journal_path_allowed(JOURNAL_WRITE, ok[i]))
			fail_msg("refused %s", ok[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (journal_path_allowed(JOURNAL_WRITE, bad[i]))
			fail_msg("allowed %s", bad[i]);
	/* Only trace.c's own mount point is ever unmounted. */
	assert_true(journal_path_allowed(JOURNAL_MOUNT, "/sys/kernel/tracing"));
	assert_false(journal_path_allowed(JOURNAL_MOUNT,
					  "/sys/kernel/debug/tracing"));
	assert_false(journal_path_allowed(JOURNAL_MOUNT, "/sys"));
	assert_false(journal_path_allowed(JOURNAL_MOUNT, "/"));
	assert_false(journal_path_allowed(JOURNAL_MOUNT, "/proc"));
	assert_false(journal_path_allowed(JOURNAL_MKDIR,
					  "/sys/kernel/tracing"));
	assert_false(journal_path_allowed(JOURNAL_SCHED,
					  "/sys/kernel/tracing/tracing_on"));
}

static int wrec(const char *knob, const char *path, const char *orig)
{
	struct journal_rec *r = calloc(1, sizeof(*r));
	char why[600];
	int ok;

	assert_non_null(r);
	r->kind = JOURNAL_WRITE;
	snprintf(r->knob, sizeof(r->knob), "%s", knob);
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->orig, sizeof(r->orig), "%s", orig);
	ok = journal_rec_allowed(r, why, sizeof(why));
	free(r);
	return ok;
}

/* The value written back must be one of its file's kind: a mask, 0/1, an
 * integer, a word, +/-cpuset, a partition type. */
static void test_values(void **state)
{
	static const char *const ok[][2] = {
		{"/proc/irq/24/smp_affinity", "3"},
		{"/proc/irq/24/smp_affinity", "ffffffff,ffffffff"},
		{"/proc/irq/default_smp_affinity", "0f"},
		{"/sys/devices/virtual/workqueue/cpumask", "00000000,0000000f"},
		{"/proc/sys/kernel/timer_migration", "1"},
		{"/proc/sys/kernel/sched_rt_runtime_us", "950000"},
		{"/proc/sys/kernel/sched_rt_runtime_us", "-1"},
		{"/sys/devices/system/cpu/cpu3/cpufreq/scaling_governor",
		 "schedutil"},
		{"/sys/kernel/mm/transparent_hugepage/enabled", "madvise"},
		{"/sys/fs/cgroup/cpuset/cpuset.sched_load_balance", "1"},
		{"/sys/fs/cgroup/cgroup.subtree_control", "-cpuset"},
		{"/sys/fs/cgroup/isolat.tune.isolated/cpuset.cpus.partition",
		 "member"},
		{"/sys/kernel/tracing/tracing_on", "1"},
		{"/sys/kernel/tracing/current_tracer", "function_graph"},
		{"/sys/kernel/tracing/buffer_size_kb", "1408"},
		{"/sys/kernel/tracing/events/irq/softirq_exit/enable", "0"},
	};
	static const char *const bad[][2] = {
		{"/proc/irq/24/smp_affinity", ""},
		{"/proc/irq/24/smp_affinity", "3\nx"},
		{"/proc/irq/24/smp_affinity", "0-3"},
		{"/proc/irq/24/smp_affinity", ",3"},
		{"/proc/irq/24/smp_affinity", "3,,3"},
		{"/proc/sys/kernel/timer_migration", "2"},
		{"/proc/sys/kernel/timer_migration", "1 "},
		{"/proc/sys/kernel/sched_rt_runtime_us", "9x"},
		{"/proc/sys/kernel/sched_rt_runtime_us", "-"},
		{"/proc/sys/kernel/sched_rt_runtime_us", "12345678901"},
		{"/sys/devices/system/cpu/cpu3/cpufreq/scaling_governor",
		 "|/tmp/evil"},
		{"/sys/kernel/mm/transparent_hugepage/enabled", "Always"},
		{"/sys/kernel/mm/transparent_hugepage/enabled", "always never"},
		{"/sys/fs/cgroup/cpuset/cpuset.sched_load_balance", ""},
		{"/sys/fs/cgroup/cgroup.subtree_control", "-memory"},
		{"/sys/fs/cgroup/cgroup.subtree_control", "-cpuset -io"},
		{"/sys/fs/cgroup/isolat.tune.isolated/cpuset.cpus.partition",
		 "root invalid"},
		{"/sys/kernel/tracing/current_tracer", "nop\nx"},
		{"/sys/kernel/tracing/events/irq/softirq_exit/enable", "0*"},
	};
	struct journal_rec r = {.kind = JOURNAL_SCHED};
	char why[600];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!wrec("k", ok[i][0], ok[i][1]))
			fail_msg("refused %s = '%s'", ok[i][0], ok[i][1]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (wrec("k", bad[i][0], bad[i][1]))
			fail_msg("allowed %s = '%s'", bad[i][0], bad[i][1]);
	/* sched: kthread_priority of ksoftirqd/ktimers/rcuc only */
	strcpy(r.path, "/proc/15");
	strcpy(r.orig, "other:0");
	strcpy(r.knob, "kthread_priority:ksoftirqd/1");
	assert_true(journal_rec_allowed(&r, why, sizeof(why)));
	strcpy(r.knob, "kthread_priority:rcuc/12");
	assert_true(journal_rec_allowed(&r, why, sizeof(why)));
	strcpy(r.knob, "kthread_priority:ktimers/0");
	assert_true(journal_rec_allowed(&r, why, sizeof(why)));
	strcpy(r.knob, "kthread_priority:sshd");
	assert_false(journal_rec_allowed(&r, why, sizeof(why)));
	strcpy(r.knob, "kthread_priority:ksoftirqd/");
	assert_false(journal_rec_allowed(&r, why, sizeof(why)));
	strcpy(r.knob, "kthread_priority:rcuc/1x");
	assert_false(journal_rec_allowed(&r, why, sizeof(why)));
	strcpy(r.knob, "ksoftirqd/1");
	assert_false(journal_rec_allowed(&r, why, sizeof(why)));
	strcpy(r.knob, "kthread_priority:ksoftirqd/1");
	strcpy(r.orig, "fifo:1x");
	assert_false(journal_rec_allowed(&r, why, sizeof(why)));
	strcpy(r.orig, "fifo:100");
	assert_false(journal_rec_allowed(&r, why, sizeof(why)));
	strcpy(r.orig, "fifo:99");
	assert_true(journal_rec_allowed(&r, why, sizeof(why)));
}

/* What the reviewer's tampered journal tried: core_pattern to a pipe,
 * cgroup.kill / cgroup.procs of system.slice, a governor that is a
 * command.  Nothing is written; append refuses them too. */
static void test_replay_tampered(void **state)
{
	struct journal j;
	struct journal_rec r = {.kind = JOURNAL_WRITE};
	char err[600] = "";
	FILE *f;

	(void)state;
	put("/proc/sys/kernel/core_pattern", "core");
	put("/sys/fs/cgroup/system.slice/cgroup.kill", "0");
	put("/sys/fs/cgroup/system.slice/cgroup.procs", "");
	put("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
	    "performance");
	put("/proc/sys/kernel/timer_migration", "0");
	put("/run/isolat/.keep", "");
	f = fopen(jpath, "w");
	assert_non_null(f);
	fprintf(f, "isolat-journal 1\nowner 1 1\n"
		   "write\ttimer_migration\t/proc/sys/kernel/timer_migration"
		   "\t1\t0\n"
		   "write\tx\t/proc/sys/kernel/core_pattern\t|/tmp/evil\tcore\n"
		   "write\tx\t/sys/fs/cgroup/system.slice/cgroup.kill\t1\t0\n"
		   "write\tx\t/sys/fs/cgroup/system.slice/cgroup.procs\t1\t2\n"
		   "write\tgovernor.cpu0\t/sys/devices/system/cpu/cpu0/cpufreq/"
		   "scaling_governor\t$(reboot)\tperformance\n");
	fclose(f);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "scaling_governor"));
	assert_string_equal(get("/proc/sys/kernel/core_pattern"), "core");
	assert_string_equal(get("/sys/fs/cgroup/system.slice/cgroup.kill"),
			    "0");
	assert_string_equal(get("/sys/fs/cgroup/system.slice/cgroup.procs"),
			    "");
	assert_string_equal(
		get("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
		"performance");
	/* The good record is undone, and gone from the journal. */
	assert_string_equal(get("/proc/sys/kernel/timer_migration"), "1");
	assert_null(strstr(get("/run/isolat/journal"), "timer_migration"));
	assert_non_null(strstr(get("/run/isolat/journal"), "core_pattern"));
	unlink(jpath);
	/* Append refuses the same. */
	journal_init(&j, jpath, root);
	strcpy(r.knob, "x");
	strcpy(r.path, "/proc/sys/kernel/core_pattern");
	strcpy(r.orig, "core");
	assert_int_equal(journal_append(&j, &r, err, sizeof(err)), -EPERM);
	strcpy(r.path, "/proc/sys/kernel/timer_migration");
	strcpy(r.orig, "|/tmp/evil");
	assert_int_equal(journal_append(&j, &r, err, sizeof(err)), -EPERM);
	assert_int_equal(access(jpath, F_OK), -1);
	journal_close(&j);
}

/* sched: only a kernel thread (parent kthreadd or PF_KTHREAD) that still
 * has the recorded comm is changed back. */
static void test_sched_kthread_only(void **state)
{
	char err[600] = "", stat[256], comm[256], jtext[1024];
	pid_t child;
	int st;
	FILE *f;

	(void)state;
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		alarm(20); /* never outlives a failed test for long */
		pause();
		_exit(0);
	}
	assert_int_equal(sched_getscheduler(child), SCHED_OTHER);
	put("/run/isolat/.keep", "");
	/* A user process named like a kthread (parent 1, no PF_KTHREAD). */
	snprintf(stat, sizeof(stat), "/proc/%d/stat", (int)child);
	put(stat, "123 (ksoftirqd/0) S 1 1 1 0 -1 4194560 0 0");
	snprintf(comm, sizeof(comm), "/proc/%d/comm", (int)child);
	put(comm, "ksoftirqd/0\n");
	snprintf(jtext, sizeof(jtext), "isolat-journal 1\nowner 1 1\n"
		 "sched\tkthread_priority:ksoftirqd/0\t/proc/%d\tbatch:0\t"
		 "fifo:50\n", (int)child);
	f = fopen(jpath, "w");
	assert_non_null(f);
	fputs(jtext, f);
	fclose(f);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), 0);
	assert_int_equal(sched_getscheduler(child), SCHED_OTHER);
	/* A kthread, but another comm than the record's. */
	put(stat, "123 (ksoftirqd/1) S 2 0 0 0 -1 2129984 0 0");
	f = fopen(jpath, "w");
	assert_non_null(f);
	fputs(jtext, f);
	fclose(f);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), 0);
	assert_int_equal(sched_getscheduler(child), SCHED_OTHER);
	/* The record names a comm isolat never changes: refused. */
	put(stat, "123 (sshd) S 2 0 0 0 -1 2129984 0 0");
	snprintf(jtext, sizeof(jtext), "isolat-journal 1\nowner 1 1\n"
		 "sched\tkthread_priority:sshd\t/proc/%d\tbatch:0\t"
		 "fifo:50\n", (int)child);
	f = fopen(jpath, "w");
	assert_non_null(f);
	fputs(jtext, f);
	fclose(f);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), -EPERM);
	assert_int_equal(sched_getscheduler(child), SCHED_OTHER);
	unlink(jpath);
	/* The kernel thread itself (PF_KTHREAD, any parent): changed. */
	put(stat, "123 (ksoftirqd/0) S 0 0 0 0 -1 2129984 0 0");
	snprintf(jtext, sizeof(jtext), "isolat-journal 1\nowner 1 1\n"
		 "sched\tkthread_priority:ksoftirqd/0\t/proc/%d\tbatch:0\t"
		 "fifo:50\n", (int)child);
	f = fopen(jpath, "w");
	assert_non_null(f);
	fputs(jtext, f);
	fclose(f);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), 0);
	assert_int_equal(sched_getscheduler(child), SCHED_BATCH);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_allowed_tracefs),
		cmocka_unit_test(test_values),
		cmocka_unit_test_setup_teardown(test_replay_tampered, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sched_kthread_only, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
