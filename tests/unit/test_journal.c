/*
 * test_journal.c - the host tuning journal on a fake /proc and /sys tree:
 * records replay newest first, a replay twice changes nothing more, paths
 * outside the tuning allow-list are refused on append and on replay (a
 * tampered journal cannot make restore write /etc/passwd), a torn last
 * line is ignored, and the owner of a journal is told alive from dead.
 * Also the boot-time requirement check against a fake cmdline and sysfs,
 * the values each file may take, kernel-thread-only sched records, a
 * journal file only of ours, failed records kept, the run lock.
 * tracefs records: test_journal_trace.c; Xen records: test_journal_xen.c.
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

#include "harness/journal.h"
#include "harness/trace.h"
#include "harness/tuning.h"

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

/* A cgroup directory made by tuning goes away on replay; a second replay
 * of the same records finds it gone and is content. */
static void test_replay_mkdir(void **state)
{
	struct journal j;
	struct journal_rec r = {.kind = JOURNAL_MKDIR};
	char err[256] = "", dir[1024];

	(void)state;
	put("/sys/fs/cgroup/cpuset/cpuset.sched_load_balance", "1");
	journal_init(&j, jpath, root);
	strcpy(r.knob, "cpuset_isolate");
	strcpy(r.path, "/sys/fs/cgroup/cpuset/isolat.tune.isolated");
	strcpy(r.orig, "absent");
	strcpy(r.new_value, "created");
	assert_int_equal(journal_append(&j, &r, err, sizeof(err)), 0);
	snprintf(dir, sizeof(dir), "%s%s", root, r.path);
	assert_int_equal(mkdir(dir, 0755), 0);
	rec(&j, "cpuset_isolate",
	    "/sys/fs/cgroup/cpuset/cpuset.sched_load_balance", "1", "0");
	journal_close(&j);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), 0);
	assert_int_equal(access(dir, F_OK), -1);
	assert_string_equal(
		get("/sys/fs/cgroup/cpuset/cpuset.sched_load_balance"), "1");
}

static void test_append_refuses(void **state)
{
	struct journal j;
	struct journal_rec r = {.kind = JOURNAL_WRITE};
	char err[256] = "";

	(void)state;
	journal_init(&j, jpath, root);
	strcpy(r.knob, "x");
	strcpy(r.path, "/etc/passwd");
	assert_int_equal(journal_append(&j, &r, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "/etc/passwd"));
	assert_int_equal(access(jpath, F_OK), -1); /* nothing created */
	journal_close(&j);
}

static void test_replay_reverse(void **state)
{
	struct journal j;
	struct order o = {0};
	char err[256] = "";
	pid_t pid;
	int alive;

	(void)state;
	put("/proc/sys/kernel/timer_migration", "1");
	put("/proc/irq/24/smp_affinity", "3");
	journal_init(&j, jpath, root);
	/* Two changes of one file: only reverse order ends at "1". */
	rec(&j, "timer_migration", "/proc/sys/kernel/timer_migration", "1",
	    "0");
	rec(&j, "irq_affinity", "/proc/irq/24/smp_affinity", "3", "1");
	rec(&j, "timer_migration", "/proc/sys/kernel/timer_migration", "0",
	    "7");
	assert_int_equal(j.n, 3);
	journal_close(&j);
	assert_int_equal(journal_owner(jpath, &pid, &alive), 0);
	assert_int_equal(pid, getpid());
	assert_true(alive);
	assert_int_equal(journal_replay(jpath, root, note, &o, err,
					sizeof(err)), 0);
	assert_int_equal(o.n, 3);
	assert_string_equal(o.seen[0], "/proc/sys/kernel/timer_migration=0");
	assert_string_equal(o.seen[1], "/proc/irq/24/smp_affinity=3");
	assert_string_equal(o.seen[2], "/proc/sys/kernel/timer_migration=1");
	assert_string_equal(get("/proc/sys/kernel/timer_migration"), "1");
	assert_string_equal(get("/proc/irq/24/smp_affinity"), "3");
	assert_int_equal(access(jpath, F_OK), -1); /* removed */
}

static void test_replay_idempotent(void **state)
{
	struct journal j;
	char err[256] = "", copy[160], cmd_buf[64];
	FILE *in, *out;
	size_t n;

	(void)state;
	put("/sys/kernel/mm/transparent_hugepage/enabled", "madvise");
	journal_init(&j, jpath, root);
	/* A field with the separator, a newline and a backslash. */
	rec(&j, "t\thp\\x\ny", "/sys/kernel/mm/transparent_hugepage/enabled",
	    "madvise", "never");
	journal_close(&j);
	snprintf(copy, sizeof(copy), "%s/copy", root);
	in = fopen(jpath, "r");
	out = fopen(copy, "w");
	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(cmd_buf, 1, sizeof(cmd_buf), in)) > 0)
		fwrite(cmd_buf, 1, n, out);
	fclose(in);
	fclose(out);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), 0);
	assert_string_equal(get("/sys/kernel/mm/transparent_hugepage/enabled"),
			    "madvise");
	/* Again: no journal, nothing to do. */
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), -ENOENT);
	/* The same journal replayed a second time: same end state. */
	assert_int_equal(journal_replay(copy, root, NULL, NULL, err,
					sizeof(err)), 0);
	assert_string_equal(get("/sys/kernel/mm/transparent_hugepage/enabled"),
			    "madvise");
}

/* A tampered (or corrupt) journal: refused records write nothing, the
 * allowed ones are still undone, a torn last line is ignored. */
static void test_replay_refuses(void **state)
{
	char err[256] = "";
	FILE *f;

	(void)state;
	put("/etc/passwd", "safe");
	put("/proc/sys/kernel/timer_migration", "0");
	put("/run/isolat/.keep", "");
	f = fopen(jpath, "w");
	assert_non_null(f);
	fprintf(f, "isolat-journal 1\nowner 1 1\n"
		   "write\ttimer_migration\t/proc/sys/kernel/timer_migration"
		   "\t1\t0\n"
		   "write\tx\t/etc/passwd\tevil\tsafe\n"
		   "write\tx\t/proc/sys/kernel/../../../etc/passwd\tevil\t"
		   "safe\n"
		   "garbage line\n\n\n\n\n\n\n\n\n\n\n\n"
		   "write\ttimer_migration\t/proc/sys/kernel/timer_migration"
		   "\t5\t"); /* torn: no newline, change never made */
	fclose(f);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), -EINVAL);
	assert_string_equal(get("/etc/passwd"), "safe");
	assert_string_equal(get("/proc/sys/kernel/timer_migration"), "1");
	/* Not a journal at all: left alone. */
	f = fopen(jpath, "w");
	assert_non_null(f);
	fputs("root:x:0:0\n", f);
	fclose(f);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), -EINVAL);
	assert_int_equal(access(jpath, F_OK), 0);
	unlink(jpath);
}

/* Many short lines (a line per byte): the line table must hold them. */
static void test_replay_blank_lines(void **state)
{
	char err[256] = "";
	FILE *f;

	(void)state;
	put("/run/isolat/.keep", "");
	f = fopen(jpath, "w");
	assert_non_null(f);
	fputs("isolat-journal 1\nowner 1 1\n", f);
	for (int i = 0; i < 500; i++)
		fputc('\n', f);
	fclose(f);
	/* Blank lines are no records: nothing failed, the file goes. */
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), 0);
	assert_int_equal(access(jpath, F_OK), -1);
}

static void test_owner_dead(void **state)
{
	pid_t child = fork(), pid;
	int alive, st;
	FILE *f;

	(void)state;
	if (child == 0)
		_exit(0);
	waitpid(child, &st, 0);
	put("/run/isolat/.keep", "");
	f = fopen(jpath, "w");
	assert_non_null(f);
	fprintf(f, "isolat-journal 1\nowner %d 1\n", (int)child);
	fclose(f);
	assert_int_equal(journal_owner(jpath, &pid, &alive), 0);
	assert_int_equal(pid, child);
	assert_false(alive);
	unlink(jpath);
	assert_int_equal(journal_owner(jpath, &pid, &alive), -ENOENT);
}

static void test_boot_check(void **state)
{
	struct scn_profile p = {.name = "iso"};
	char why[256] = "";

	(void)state;
	tuning_profile_defaults(&p);
	put("/proc/cmdline", "quiet isolcpus=domain,managed_irq,1-3 "
			     "skew_tick=1 -- isolcpus=9");
	put("/sys/devices/system/cpu/isolated", "");
	assert_int_equal(tuning_boot_check(&p, root, why, sizeof(why)), 0);
	strcpy(p.isolcpus, "2");
	assert_int_equal(tuning_boot_check(&p, root, why, sizeof(why)), 0);
	strcpy(p.isolcpus, "4");
	assert_int_equal(tuning_boot_check(&p, root, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "isolcpus=4"));
	p.isolcpus[0] = '\0';
	strcpy(p.nohz_full, "1");
	assert_int_equal(tuning_boot_check(&p, root, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "none"));
	p.nohz_full[0] = '\0';
	p.skew_tick = 1;
	assert_int_equal(tuning_boot_check(&p, root, why, sizeof(why)), 0);
	put("/proc/cmdline", "quiet");
	assert_int_equal(tuning_boot_check(&p, root, why, sizeof(why)), 1);
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

static void write_journal(const char *text)
{
	FILE *f;

	put("/run/isolat/.keep", "");
	f = fopen(jpath, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A journal others could write (or a link, or someone else's file) is
 * refused before any record is read. */
static void test_journal_file_trusted(void **state)
{
	static const char text[] = "isolat-journal 1\nowner 1 1\n"
		"write\tt\t/proc/sys/kernel/timer_migration\t1\t0\n";
	char err[600] = "", target[256];
	pid_t pid;
	int alive;

	(void)state;
	put("/proc/sys/kernel/timer_migration", "0");
	write_journal(text);
	assert_int_equal(chmod(jpath, 0666), 0);
	assert_int_equal(journal_owner(jpath, &pid, &alive), -EPERM);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "refused"));
	assert_string_equal(get("/proc/sys/kernel/timer_migration"), "0");
	assert_int_equal(chmod(jpath, 0620), 0);
	assert_int_equal(journal_owner(jpath, &pid, &alive), -EPERM);
	/* someone else's */
	assert_int_equal(chmod(jpath, 0600), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(jpath, 65534, 65534), 0);
		assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
						sizeof(err)), -EPERM);
		assert_string_equal(get("/proc/sys/kernel/timer_migration"),
				    "0");
		assert_int_equal(chown(jpath, 0, 0), 0);
	}
	/* a link to a journal */
	snprintf(target, sizeof(target), "%s/run/isolat/real", root);
	assert_int_equal(rename(jpath, target), 0);
	assert_int_equal(symlink(target, jpath), 0);
	assert_int_equal(journal_owner(jpath, &pid, &alive), -EPERM);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), -EPERM);
	assert_string_equal(get("/proc/sys/kernel/timer_migration"), "0");
	unlink(jpath);
	/* And a good one is replayed. */
	write_journal(text);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), 0);
	assert_string_equal(get("/proc/sys/kernel/timer_migration"), "1");
}

/* An undo that fails keeps its record (and only it) in the journal; a
 * second replay retries just that one. */
static void test_replay_keeps_failed(void **state)
{
	struct journal j;
	struct order o = {0};
	char err[600] = "", dir[256];
	const char *text;

	(void)state;
	put("/proc/irq/24/smp_affinity", "3");
	put("/proc/irq/25/smp_affinity", "3");
	put("/proc/sys/kernel/timer_migration", "1");
	journal_init(&j, jpath, root);
	rec(&j, "irq_affinity", "/proc/irq/24/smp_affinity", "f", "1");
	rec(&j, "timer_migration", "/proc/sys/kernel/timer_migration", "1",
	    "0");
	rec(&j, "irq_affinity", "/proc/irq/25/smp_affinity", "f", "1");
	journal_close(&j);
	/* timer_migration cannot be written back: a directory now. */
	snprintf(dir, sizeof(dir), "%s/proc/sys/kernel/timer_migration",
		 root);
	assert_int_equal(unlink(dir), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), -EISDIR);
	assert_non_null(strstr(err, "1 record left in"));
	assert_string_equal(get("/proc/irq/24/smp_affinity"), "f");
	assert_string_equal(get("/proc/irq/25/smp_affinity"), "f");
	assert_int_equal(access(jpath, F_OK), 0);
	text = get("/run/isolat/journal");
	assert_true(!strncmp(text, "isolat-journal 1\nowner ", 23));
	assert_null(strstr(text, "smp_affinity"));
	assert_non_null(strstr(text, "\nwrite\ttimer_migration\t"
			       "/proc/sys/kernel/timer_migration\t1\t0\n"));
	/* The owner is still the same (the header is kept). */
	{
		pid_t pid;
		int alive;

		assert_int_equal(journal_owner(jpath, &pid, &alive), 0);
		assert_int_equal(pid, getpid());
	}
	/* Fixed: the retry undoes only that one, and the journal goes. */
	assert_int_equal(rmdir(dir), 0);
	put("/proc/sys/kernel/timer_migration", "0");
	put("/proc/irq/24/smp_affinity", "1");
	assert_int_equal(journal_replay(jpath, root, note, &o, err,
					sizeof(err)), 0);
	assert_int_equal(o.n, 1);
	assert_string_equal(get("/proc/sys/kernel/timer_migration"), "1");
	assert_string_equal(get("/proc/irq/24/smp_affinity"), "1");
	assert_int_equal(access(jpath, F_OK), -1);
}

/* Killed between create and the header's fsync: no change can come
 * before the header, so such a file is nothing to restore; it goes. */
static void test_partial_header(void **state)
{
	static const char *const partial[] = {
		"", "isol", "isolat-journal 1", "isolat-journal 1\n",
		"isolat-journal 1\nowner 12", "isolat-journal 1\nowner 12 34",
	};
	char err[600] = "";
	pid_t pid;
	int alive;

	(void)state;
	for (size_t i = 0; i < sizeof(partial) / sizeof(*partial); i++) {
		write_journal(partial[i]);
		assert_int_equal(journal_owner(jpath, &pid, &alive), -ENOENT);
		assert_int_equal(access(jpath, F_OK), -1);
		write_journal(partial[i]);
		assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
						sizeof(err)), 0);
		assert_int_equal(access(jpath, F_OK), -1);
	}
	/* Not a header's beginning: not a journal, left alone. */
	write_journal("isolat-journal 2\n");
	assert_int_equal(journal_owner(jpath, &pid, &alive), -EINVAL);
	assert_int_equal(access(jpath, F_OK), 0);
	write_journal("isolat-journal 1\nowner 1 1\n");
	assert_int_equal(journal_owner(jpath, &pid, &alive), 0);
	assert_int_equal(pid, 1);
	unlink(jpath);
}

/* A short write (file size limit) leaves no torn line: the next record
 * starts on a line of its own and every line parses. */
static void test_append_short_write(void **state)
{
	pid_t child;
	int st;

	(void)state;
	put("/run/isolat/.keep", "");
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct journal j;
		struct journal_rec r = {.kind = JOURNAL_WRITE};
		struct rlimit rl;
		struct stat sb;
		char err[600];
		int ok = 1;

		signal(SIGXFSZ, SIG_IGN);
		journal_init(&j, jpath, root);
		strcpy(r.knob, "timer_migration");
		strcpy(r.path, "/proc/sys/kernel/timer_migration");
		strcpy(r.orig, "1");
		strcpy(r.new_value, "0");
		ok &= journal_append(&j, &r, err, sizeof(err)) == 0;
		ok &= stat(jpath, &sb) == 0;
		getrlimit(RLIMIT_FSIZE, &rl);
		rl.rlim_cur = (rlim_t)sb.st_size + 20;
		ok &= setrlimit(RLIMIT_FSIZE, &rl) == 0;
		strcpy(r.knob, "irq_affinity");
		strcpy(r.path, "/proc/irq/24/smp_affinity");
		strcpy(r.orig, "ffffffff,ffffffff,ffffffff");
		ok &= journal_append(&j, &r, err, sizeof(err)) < 0;
		rl.rlim_cur = rl.rlim_max;
		ok &= setrlimit(RLIMIT_FSIZE, &rl) == 0;
		strcpy(r.orig, "3");
		ok &= journal_append(&j, &r, err, sizeof(err)) == 0;
		journal_close(&j);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_non_null(strstr(get("/run/isolat/journal"),
			       "\nwrite\ttimer_migration\t/proc/sys/kernel/"
			       "timer_migration\t1\t0\nwrite\tirq_affinity\t"
			       "/proc/irq/24/smp_affinity\t3\t0\n"));
	assert_null(strstr(get("/run/isolat/journal"), "ffff"));
}

/* Two processes: the second is refused with the holder's pid, and gets
 * the lock once the first lets it go. */
static void test_lock(void **state)
{
	char err[600] = "", lpath[256], want[64];
	int fd, pfd[2], st;
	pid_t child;

	(void)state;
	journal_lock_path(jpath, lpath, sizeof(lpath));
	assert_non_null(strstr(lpath, "/run/isolat/lock"));
	fd = journal_lock(jpath, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(pipe(pfd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char e[600] = "";
		int rc;
		char go;

		close(fd); /* the parent's (fork shares its lock) */
		rc = journal_lock(jpath, e, sizeof(e));

		snprintf(want, sizeof(want), "(pid %d)", (int)getppid());
		if (rc != -EWOULDBLOCK || !strstr(e, "another isolat run or "
		    "restore holds") || !strstr(e, want))
			_exit(1);
		if (read(pfd[0], &go, 1) != 1)
			_exit(2);
		rc = journal_lock(jpath, e, sizeof(e));
		_exit(rc >= 0 ? 0 : 3);
	}
	close(pfd[0]);
	usleep(100000);
	journal_unlock(fd);
	assert_int_equal(write(pfd[1], "g", 1), 1);
	close(pfd[1]);
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	{
		struct stat sb;

		assert_int_equal(stat(lpath, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_allowed_tracefs),
		cmocka_unit_test_setup_teardown(test_append_refuses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_reverse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_idempotent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_mkdir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_refuses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_blank_lines, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_owner_dead, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_boot_check, setup,
						teardown),
		cmocka_unit_test(test_values),
		cmocka_unit_test_setup_teardown(test_replay_tampered, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sched_kthread_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_journal_file_trusted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_keeps_failed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_partial_header, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_append_short_write, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
