/*
 * test_journal_trace.c - ftrace on threshold (trace.c) journals its tracefs
 * writes into the case's journal after tuning's, on a fake tracefs: replay
 * puts tracefs back first, a kill before trace_end is undone by replay,
 * no tracefs or an unwritable journal changes nothing.
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

struct ring_seen {
	char fact[600];
	int kept, undone;
};

static int ring_fact_cb(void *ctx, const char *key, const char *value)
{
	struct ring_seen *r = ctx;

	if (!strcmp(key, "trace_ring"))
		snprintf(r->fact, sizeof(r->fact), "%s", value);
	return 0;
}

static void ring_note(void *ctx, const struct journal_rec *rec, int rc)
{
	struct ring_seen *r = ctx;

	if (rc == JOURNAL_UNDO_KEPT) {
		assert_int_equal(rec->kind, JOURNAL_KEPT);
		r->kept++;
	} else {
		assert_int_equal(rc, 0);
		r->undone++;
	}
}

/* A freshly booted kernel's ring is unexpanded; tracing expands it for
 * good.  trace_begin journals that as a kept record before anything
 * else, the case gets the fact trace_ring, and replay reports the record
 * as kept - never undone, buffer_size_kb never written.  An already
 * expanded ring gives neither. */
static void test_trace_ring_kept(void **state)
{
	struct journal j;
	struct trace_ctx t;
	struct ring_seen seen = {0};
	char err[256] = "", text[4096];
	FILE *f;
	size_t n;

	(void)state;
	fake_tracefs();
	put(TFS "/buffer_size_kb", "7 (expanded: 1408)\n");
	journal_init(&j, jpath, root);
	assert_int_equal(trace_begin(&t, &j), 0);
	assert_string_equal(t.ring, "7 (expanded: 1408)");
	assert_int_equal(j.n, 8); /* kept + tracing_on, tracer, 5 events */
	f = fopen(jpath, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_non_null(strstr(text, "kept\ttrace_threshold_us\t" TFS
			       "/buffer_size_kb\t7 (expanded: 1408)\t"
			       "expanded\n"));
	/* The kernel expands it when tracing starts (here, by hand). */
	put(TFS "/buffer_size_kb", "1410\n");
	assert_int_equal(trace_end(&t, ring_fact_cb, &seen), 0);
	assert_non_null(strstr(seen.fact, "'7 (expanded: 1408)' to 1410 KiB"));
	assert_non_null(strstr(seen.fact, "cannot shrink it back"));
	journal_close(&j);
	assert_int_equal(journal_replay(jpath, root, ring_note, &seen, err,
					sizeof(err)), 0);
	assert_int_equal(seen.kept, 1);
	assert_int_equal(seen.undone, 7);
	assert_string_equal(get(TFS "/buffer_size_kb"), "1410\n");
	assert_int_equal(access(jpath, F_OK), -1);

	/* Expanded already (a host that traced since boot): no record. */
	memset(&seen, 0, sizeof(seen));
	journal_init(&j, jpath, root);
	assert_int_equal(trace_begin(&t, &j), 0);
	assert_string_equal(t.ring, "");
	assert_int_equal(j.n, 7);
	assert_int_equal(trace_end(&t, ring_fact_cb, &seen), 0);
	assert_string_equal(seen.fact, "");
	journal_close(&j);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_trace_journaled, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trace_ring_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trace_killed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trace_unavailable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trace_journal_fails, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
