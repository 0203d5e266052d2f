/*
 * test_journal.c - the host tuning journal on a fake /proc and /sys tree:
 * records replay newest first, a replay twice changes nothing more, paths
 * outside the tuning allow-list are refused on append and on replay (a
 * tampered journal cannot make restore write /etc/passwd), a torn last
 * line is ignored, and the owner of a journal is told alive from dead.
 * Also the boot-time requirement check against a fake cmdline and sysfs,
 * and ftrace on threshold (trace.c) journaling its tracefs writes into the
 * case's journal, after tuning's, on a fake tracefs; and the Xen records
 * (domain, cpupool, dom0pin): only isolat-* names and Domain-0's vCPUs,
 * written in the documented format, replayed newest first beside host
 * tuning, a tampered name refused.
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
#include <sys/wait.h>
#include <unistd.h>

#include "harness/journal.h"
#include "harness/trace.h"
#include "harness/tuning.h"

#include "fake_tree.h"

static int setup(void **state)
{
	(void)state;
	return fake_tree_make("/tmp/isolat-tj.XXXXXX");
}

static int teardown(void **state)
{
	(void)state;
	fake_tree_remove();
	return 0;
}

static void rec(struct journal *j, const char *knob, const char *path,
		const char *orig, const char *v)
{
	struct journal_rec *r = calloc(1, sizeof(*r));
	char err[256] = "";

	assert_non_null(r);
	r->kind = JOURNAL_WRITE;
	snprintf(r->knob, sizeof(r->knob), "%s", knob);
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->orig, sizeof(r->orig), "%s", orig);
	snprintf(r->new_value, sizeof(r->new_value), "%s", v);
	if (journal_append(j, r, err, sizeof(err)) != 0)
		fail_msg("append %s: %s", path, err);
	free(r);
	put(path, v); /* the change itself, after the journal */
}

struct order {
	char seen[8][128];
	int n;
};

static void note(void *ctx, const struct journal_rec *r, int rc)
{
	struct order *o = ctx;

	assert_int_equal(rc, 0);
	if (o->n < 8)
		snprintf(o->seen[o->n++], 128, "%.60s=%.60s", r->path, r->orig);
}

static void test_allowed(void **state)
{
	static const char *const ok[] = {
		"/proc/irq/24/smp_affinity", "/proc/irq/default_smp_affinity",
		"/proc/sys/kernel/timer_migration",
		"/proc/sys/kernel/sched_rt_runtime_us",
		"/sys/devices/virtual/workqueue/cpumask",
		"/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor",
		"/sys/kernel/mm/transparent_hugepage/enabled",
		"/sys/fs/cgroup/cpuset/isolat.case/cpuset.cpus",
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
	/* A value with the separator, a newline and a backslash. */
	rec(&j, "thp", "/sys/kernel/mm/transparent_hugepage/enabled",
	    "mad\tvi\\se\nx", "never");
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
			    "mad\tvi\\se\nx");
	/* Again: no journal, nothing to do. */
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), -ENOENT);
	/* The same journal replayed a second time: same end state. */
	assert_int_equal(journal_replay(copy, root, NULL, NULL, err,
					sizeof(err)), 0);
	assert_string_equal(get("/sys/kernel/mm/transparent_hugepage/enabled"),
			    "mad\tvi\\se\nx");
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
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), -EINVAL);
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

#define TFS "/sys/kernel/tracing"

/* A fake tracefs as a kernel leaves it: tracing on, a function tracer
 * someone chose, events off, one event in soft mode, one the kernel lacks
 * (irq_vectors), an old ring. */
static void fake_tracefs(void)
{
	put(TFS "/tracing_on", "1\n");
	put(TFS "/current_tracer", "function\n");
	put(TFS "/trace", "old ring\n");
	put(TFS "/events/sched/sched_switch/enable", "0\n");
	put(TFS "/events/sched/sched_wakeup/enable", "0*\n");
	put(TFS "/events/irq/irq_handler_entry/enable", "0\n");
	put(TFS "/events/irq/irq_handler_exit/enable", "0\n");
	put(TFS "/events/irq/softirq_entry/enable", "0\n");
	put(TFS "/events/irq/softirq_exit/enable", "0\n");
}

static int trace_fact_cb(void *ctx, const char *key, const char *value)
{
	char *stopped = ctx;

	if (!strcmp(key, "trace_stopped"))
		snprintf(stopped, 16, "%s", value);
	return 0;
}

/* trace.c's changes land in the case's journal after tuning's: the
 * replay puts tracefs back first, then the profile's knob; values exact,
 * a soft-mode event and a missing one untouched. */
static void test_trace_journaled(void **state)
{
	struct journal j;
	struct trace_ctx t;
	struct order o = {0};
	char err[256] = "", stopped[16] = "";
	FILE *f;
	char text[4096];
	size_t n;

	(void)state;
	fake_tracefs();
	put("/proc/sys/kernel/timer_migration", "1");
	journal_init(&j, jpath, root);
	rec(&j, "timer_migration", "/proc/sys/kernel/timer_migration", "1",
	    "0");
	assert_int_equal(trace_begin(&t, &j), 0);
	assert_string_equal(t.dir, TFS);
	assert_false(t.mounted);
	assert_string_equal(get(TFS "/tracing_on"), "1");
	assert_string_equal(get(TFS "/current_tracer"), "nop");
	assert_string_equal(get(TFS "/trace"), "");
	assert_string_equal(get(TFS "/events/sched/sched_switch/enable"), "1");
	assert_string_equal(get(TFS "/events/irq/softirq_exit/enable"), "1");
	assert_string_equal(get(TFS "/events/sched/sched_wakeup/enable"),
			    "0*\n");
	/* 1 tuning record + tracing_on, current_tracer, 5 events. */
	assert_int_equal(j.n, 8);
	assert_int_equal(t.changed, 7);
	f = fopen(jpath, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_non_null(strstr(text, "write\ttrace_threshold_us\t" TFS
			       "/tracing_on\t1\t0\n"
			       "write\ttrace_threshold_us\t" TFS
			       "/current_tracer\tfunction\tnop\n"));
	assert_true(strstr(text, "timer_migration") <
		    strstr(text, "tracing_on"));
	assert_null(strstr(text, "sched_wakeup"));
	assert_null(strstr(text, "irq_vectors"));
	/* The workload did not stop the ring: trace_end says so and leaves
	 * restoring to the journal. */
	put(TFS "/trace", "ring text\n");
	assert_int_equal(trace_end(&t, trace_fact_cb, stopped), 0);
	assert_string_equal(stopped, "no");
	assert_string_equal(get(TFS "/tracing_on"), "0");
	assert_string_equal(get(TFS "/current_tracer"), "nop");
	journal_close(&j);
	assert_int_equal(journal_replay(jpath, root, note, &o, err,
					sizeof(err)), 0);
	assert_int_equal(o.n, 8);
	assert_string_equal(o.seen[0], TFS "/events/irq/softirq_exit/enable=0");
	assert_string_equal(o.seen[5], TFS "/current_tracer=function");
	assert_string_equal(o.seen[6], TFS "/tracing_on=1");
	assert_string_equal(o.seen[7], "/proc/sys/kernel/timer_migration=1");
	assert_string_equal(get(TFS "/tracing_on"), "1");
	assert_string_equal(get(TFS "/current_tracer"), "function");
	assert_string_equal(get(TFS "/events/sched/sched_switch/enable"), "0");
	assert_string_equal(get(TFS "/events/irq/irq_handler_exit/enable"),
			    "0");
	assert_string_equal(get(TFS "/events/sched/sched_wakeup/enable"),
			    "0*\n");
	assert_string_equal(get("/proc/sys/kernel/timer_migration"), "1");
	assert_int_equal(access(jpath, F_OK), -1);
}

/* The harness killed while tracing (no trace_end): the journal file alone
 * - what `isolat restore` reads - brings tracefs back; a profile "none"
 * case has only trace.c's records in it. */
static void test_trace_killed(void **state)
{
	struct journal j;
	struct trace_ctx t;
	char err[256] = "";

	(void)state;
	fake_tracefs();
	journal_init(&j, jpath, root);
	assert_int_equal(trace_begin(&t, &j), 0);
	assert_int_equal(j.n, 7);
	journal_close(&j); /* the process is gone; the file stays */
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), 0);
	assert_string_equal(get(TFS "/tracing_on"), "1");
	assert_string_equal(get(TFS "/current_tracer"), "function");
	assert_string_equal(get(TFS "/events/irq/softirq_entry/enable"), "0");
}

/* No tracefs: unavailable with the reason, nothing journaled; an empty
 * mount point in a fake tree is never mounted on (it would be the host's
 * one tracefs). */
static void test_trace_unavailable(void **state)
{
	struct journal j;
	struct trace_ctx t;
	char path[256], stopped[16] = "";

	(void)state;
	journal_init(&j, jpath, root);
	assert_int_equal(trace_begin(&t, &j), -ENOENT);
	assert_non_null(strstr(t.why, "no tracefs"));
	snprintf(path, sizeof(path), "%s/sys/kernel/tracing", root);
	put("/sys/kernel/.keep", "");
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(trace_begin(&t, &j), -ENOENT);
	assert_false(t.mounted);
	assert_int_equal(j.n, 0);
	assert_int_equal(access(jpath, F_OK), -1);
	assert_int_equal(trace_end(&t, trace_fact_cb, stopped), 0);
	journal_close(&j);
}

struct fact_log {
	char trace[512];
};

static int trace_fact_log(void *ctx, const char *key, const char *value)
{
	struct fact_log *l = ctx;

	if (!strcmp(key, "trace"))
		snprintf(l->trace, sizeof(l->trace), "%s", value);
	return 0;
}

/* A journal that cannot be written: nothing in tracefs changes, not even
 * at the end (trace_end must not stop a ring it never journaled), and
 * the case says why. */
static void test_trace_journal_fails(void **state)
{
	struct journal j;
	struct trace_ctx t;
	struct fact_log l = {""};
	char bad[256];

	(void)state;
	fake_tracefs();
	put("/run/file", "not a directory");
	snprintf(bad, sizeof(bad), "%s/run/file/journal", root);
	journal_init(&j, bad, root);
	assert_true(trace_begin(&t, &j) < 0);
	assert_string_equal(t.dir, "");
	assert_int_equal(trace_end(&t, trace_fact_log, &l), 0);
	assert_non_null(strstr(l.trace, "trace unavailable: cannot set up"));
	assert_non_null(strstr(l.trace, "/run/file"));
	assert_string_equal(get(TFS "/tracing_on"), "1\n");
	assert_string_equal(get(TFS "/current_tracer"), "function\n");
	assert_string_equal(get(TFS "/trace"), "old ring\n");
	journal_close(&j);
}

/* The Xen records name objects: only isolat-* domains and pools, only
 * Domain-0's vCPUs. */
static void test_allowed_xen(void **state)
{
	static const char *const names_ok[] = {
		"isolat-case-0", "isolat-pool-12", "isolat-probe-rtds",
		"isolat-stale", "isolat-a_b.c",
	};
	static const char *const names_bad[] = {
		"", "isolat-", "Domain-0", "Pool-0", "isolat-a/b",
		"isolat-x;rm", "isolat-x y", "xisolat-a", "/isolat-a",
		"isolat-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names_ok) / sizeof(*names_ok); i++) {
		assert_true(journal_path_allowed(JOURNAL_DOMAIN, names_ok[i]));
		assert_true(journal_path_allowed(JOURNAL_CPUPOOL,
						 names_ok[i]));
	}
	for (size_t i = 0; i < sizeof(names_bad) / sizeof(*names_bad); i++) {
		assert_false(journal_path_allowed(JOURNAL_DOMAIN,
						  names_bad[i]));
		assert_false(journal_path_allowed(JOURNAL_CPUPOOL,
						  names_bad[i]));
	}
	assert_true(journal_path_allowed(JOURNAL_DOM0PIN, "Domain-0:0"));
	assert_true(journal_path_allowed(JOURNAL_DOM0PIN, "Domain-0:15"));
	assert_false(journal_path_allowed(JOURNAL_DOM0PIN, "Domain-0:"));
	assert_false(journal_path_allowed(JOURNAL_DOM0PIN, "Domain-0:x"));
	assert_false(journal_path_allowed(JOURNAL_DOM0PIN, "Domain-0:-1"));
	assert_false(journal_path_allowed(JOURNAL_DOM0PIN, "isolat-a:0"));
	assert_false(journal_path_allowed(JOURNAL_DOM0PIN, "Domain-0"));
	/* Names are not paths, paths are not names. */
	assert_false(journal_path_allowed(JOURNAL_WRITE, "isolat-case-0"));
	assert_false(journal_path_allowed(JOURNAL_DOMAIN,
					  "/proc/sys/kernel/timer_migration"));
}

static void xrec(struct journal *j, enum journal_kind kind, const char *knob,
		 const char *obj, const char *orig, const char *v, int want)
{
	struct journal_rec *r = calloc(1, sizeof(*r));
	char err[256] = "";

	assert_non_null(r);
	r->kind = kind;
	snprintf(r->knob, sizeof(r->knob), "%s", knob);
	snprintf(r->path, sizeof(r->path), "%s", obj);
	snprintf(r->orig, sizeof(r->orig), "%s", orig);
	snprintf(r->new_value, sizeof(r->new_value), "%s", v);
	assert_int_equal(journal_append(j, r, err, sizeof(err)), want);
	free(r);
}

struct kinds {
	enum journal_kind kind[8];
	char seen[8][128];
	int n;
};

static void kind_note(void *ctx, const struct journal_rec *r, int rc)
{
	struct kinds *k = ctx;

	assert_int_equal(rc, 0);
	if (k->n < 8) {
		k->kind[k->n] = r->kind;
		snprintf(k->seen[k->n++], 128, "%.30s %.40s %.20s %.20s",
			 r->knob, r->path, r->orig, r->new_value);
	}
}

/* Xen records sit in the same journal as host tuning, are written in the
 * documented format and come back newest first with every field. */
static void test_xen_records(void **state)
{
	struct journal j;
	struct kinds k = {0};
	char err[256] = "", text[1024];
	FILE *f;
	size_t n;

	(void)state;
	put("/proc/sys/kernel/timer_migration", "1");
	journal_init(&j, jpath, root);
	rec(&j, "timer_migration", "/proc/sys/kernel/timer_migration", "1",
	    "0");
	xrec(&j, JOURNAL_DOM0PIN, "dom0_cpus", "Domain-0:0", "all", "0-1", 0);
	xrec(&j, JOURNAL_CPUPOOL, "xen_cpupool", "isolat-pool-3", "2-3",
	     "created", 0);
	xrec(&j, JOURNAL_DOMAIN, "xen", "isolat-case-3", "-", "created", 0);
	/* Refused before anything is written: never someone else's. */
	xrec(&j, JOURNAL_DOMAIN, "xen", "Domain-0", "-", "created", -EPERM);
	xrec(&j, JOURNAL_CPUPOOL, "xen_cpupool", "Pool-0", "0", "created",
	     -EPERM);
	journal_close(&j);
	f = fopen(jpath, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_non_null(strstr(text, "\ndom0pin\tdom0_cpus\tDomain-0:0\t"
			       "all\t0-1\n"));
	assert_non_null(strstr(text, "\ncpupool\txen_cpupool\tisolat-pool-3"
			       "\t2-3\tcreated\n"));
	assert_non_null(strstr(text, "\ndomain\txen\tisolat-case-3\t-\t"
			       "created\n"));
	assert_null(strstr(text, "Pool-0"));
	/* In a fake tree there is no Xen: the records parse and are passed
	 * over; the host tuning record is undone after them. */
	assert_int_equal(journal_replay(jpath, root, kind_note, &k, err,
					sizeof(err)), 0);
	assert_int_equal(k.n, 4);
	assert_int_equal(k.kind[0], JOURNAL_DOMAIN);
	assert_string_equal(k.seen[0], "xen isolat-case-3 - created");
	assert_int_equal(k.kind[1], JOURNAL_CPUPOOL);
	assert_string_equal(k.seen[1], "xen_cpupool isolat-pool-3 2-3 created");
	assert_int_equal(k.kind[2], JOURNAL_DOM0PIN);
	assert_string_equal(k.seen[2], "dom0_cpus Domain-0:0 all 0-1");
	assert_int_equal(k.kind[3], JOURNAL_WRITE);
	assert_string_equal(get("/proc/sys/kernel/timer_migration"), "1");
	assert_int_equal(access(jpath, F_OK), -1);
}

/* A tampered journal naming someone else's domain is refused on replay. */
static void test_xen_tampered(void **state)
{
	struct journal j;
	char err[256] = "";
	FILE *f;

	(void)state;
	journal_init(&j, jpath, root);
	xrec(&j, JOURNAL_DOMAIN, "xen", "isolat-case-0", "-", "created", 0);
	journal_close(&j);
	f = fopen(jpath, "a");
	assert_non_null(f);
	fputs("domain\txen\tDomain-0\t-\tcreated\n", f);
	fclose(f);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "Domain-0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_allowed_tracefs),
		cmocka_unit_test_setup_teardown(test_trace_journaled, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trace_killed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trace_unavailable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trace_journal_fails,
						setup, teardown),
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
		cmocka_unit_test(test_allowed_xen),
		cmocka_unit_test_setup_teardown(test_xen_records, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_xen_tampered, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
