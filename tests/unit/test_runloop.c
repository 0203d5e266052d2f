/*
 * test_runloop.c - the whole run lifecycle (run_tool), without root,
 * through the hidden `test` environment (harness/env/test/, fio's null
 * engine): the lock and the stale-journal check on a scratch journal, a
 * scenario planned, every case stored 'pending', run (profile none: no
 * tuning), its stream ingested and the verdict stored - and the failure
 * paths a real workload or guest takes: a hang (no HELLO), a stream that
 * is no stream, a crash mid-case (no END), a backend that cannot start.
 * The real isolat-wl is the build's (build/isolat-wl; skipped when
 * absent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collectors/store.h"
#include "harness/env/env.h"
#include "harness/env/test/env_test.h"
#include "harness/host/journal.h"
#include "harness/run/plan.h"
#include "harness/run/runloop.h"
#include "harness/scenario/scenario.h"
#include "reports/query.h"

#include "test_dir.h"

struct fixture {
	char dir[64], db[128], ini[128], journal[128], wl[PATH_MAX + 32];
};

/* isolat-wl beside the test's build directory (build/tests/../isolat-wl,
 * build-san/tests/../isolat-wl), else build/isolat-wl from the top. */
static int find_wl(char *out, size_t size)
{
	char self[PATH_MAX - 64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/'))) {
			*slash = '\0';
			snprintf(out, size, "%s/../isolat-wl", self);
			if (access(out, X_OK) == 0)
				return 0;
		}
	}
	snprintf(out, size, "build/isolat-wl");
	return access(out, X_OK);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/isolat-runloop-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/r.db", f->dir);
	snprintf(f->ini, sizeof(f->ini), "%s/s.ini", f->dir);
	snprintf(f->journal, sizeof(f->journal), "%s/run/journal", f->dir);
	if (find_wl(f->wl, sizeof(f->wl)) < 0)
		f->wl[0] = '\0';
	env_test_set_fault(ENV_TEST_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	env_test_set_fault(ENV_TEST_OK);
	test_dir_done(f->dir);
	free(f);
	return 0;
}

/* A scenario of the test environment: policy other (no root), 200
 * wake-ups of 1 ms on the last online CPU, the writer on CPU 0. */
static void write_scenario(struct fixture *f, const char *extra)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	FILE *s = fopen(f->ini, "w");

	assert_non_null(s);
	fprintf(s, "[scenario]\nname = runloop\nenvironments = test\n"
		"profiles = none\nworkloads = rtlat\nloads = none\n"
		"cpus = %ld\nhousekeeping = 0\npolicy = other\n"
		"priority = 0\ninterval_us = 1000\nloops = 200\n"
		"hello_timeout_s = 1\ngrace_s = 1\n%s",
		ncpu > 1 ? ncpu - 1 : 0, extra);
	fclose(s);
}

/* Plan f's scenario and take it through run_tool: its return, err. */
static int run_rc(struct fixture *f, struct run_result *res, char *err,
		  size_t errsz)
{
	struct run_opts ro = {.quiet = 1, .argv_text = "test_runloop",
			      .sysroot = "/", .wl_path = f->wl,
			      .journal = f->journal};
	struct scenario scn;
	struct plan plan;
	int rc;

	assert_int_equal(scenario_load(f->ini, &scn, err, errsz), 0);
	assert_int_equal(plan_build(&scn, "/", &plan, err, errsz), 0);
	rc = run_tool(f->db, &plan, &ro, res, err, errsz);
	plan_free(&plan);
	scenario_free(&scn);
	return rc;
}

/* The same, and it must be carried out; r gets the run as stored. */
static void run(struct fixture *f, struct run_result *res, struct q_run *r)
{
	struct store *st;
	char err[1024] = "", uuid[37];
	int64_t run_id;

	assert_int_equal(run_rc(f, res, err, sizeof(err)), 0);
	assert_int_equal(store_open(f->db, STORE_READ, &st, err,
				    sizeof(err)), 0);
	assert_int_equal(store_resolve_run(st, res->uuid, &run_id, uuid, err,
					   sizeof(err)), 0);
	assert_int_equal(query_run_load(st, run_id, r, err, sizeof(err)), 0);
	store_close(st);
	assert_int_equal(res->undo_left, 0);
}

static void need_wl(struct fixture *f)
{
	if (!f->wl[0])
		skip(); /* no build/isolat-wl: `make` first */
}

/* The null engine's smoke: the case is done, every sample stored. */
static void test_done(void **state)
{
	struct fixture *f = *state;
	struct run_result res;
	struct q_run r;

	need_wl(f);
	write_scenario(f, "");
	run(f, &res, &r);
	assert_int_equal(res.done, 1);
	assert_int_equal(res.failed + res.skipped, 0);
	assert_string_equal(r.status, "done");
	assert_int_equal(r.ncases, 1);
	assert_string_equal(r.cases[0].environment, "test");
	assert_string_equal(r.cases[0].status, "done");
	assert_null(r.cases[0].reason);
	assert_int_equal(r.cases[0].nseries, 1);
	assert_int_equal(r.cases[0].series[0].count, 200);
	assert_int_equal(r.cases[0].emulated, 0);
	query_run_free(&r);
}

/* Every case of the plan is stored and run, in order, into one run. */
static void test_repetitions(void **state)
{
	struct fixture *f = *state;
	struct run_result res;
	struct q_run r;

	need_wl(f);
	write_scenario(f, "repetitions = 2\n");
	run(f, &res, &r);
	assert_int_equal(res.done, 2);
	assert_int_equal(r.ncases, 2);
	assert_int_equal(r.cases[0].repetition + 1, r.cases[1].repetition);
	query_run_free(&r);
}

/* A workload that never speaks: failed at hello_timeout_s, stopped, the
 * run goes on and is marked failed. */
static void test_hang(void **state)
{
	struct fixture *f = *state;
	struct run_result res;
	struct q_run r;

	write_scenario(f, "");
	env_test_set_fault(ENV_TEST_HANG);
	run(f, &res, &r);
	assert_int_equal(res.failed, 1);
	assert_int_equal(res.done, 0);
	assert_string_equal(r.status, "failed");
	assert_string_equal(r.cases[0].status, "failed");
	assert_string_equal(r.cases[0].reason,
			    "no HELLO from the workload within 1 s");
	query_run_free(&r);
}

/* Bytes that are no frame: nothing is taken for a sample. */
static void test_bad_stream(void **state)
{
	struct fixture *f = *state;
	struct run_result res;
	struct q_run r;

	write_scenario(f, "");
	env_test_set_fault(ENV_TEST_BAD_STREAM);
	run(f, &res, &r);
	assert_int_equal(res.failed, 1);
	assert_string_equal(r.cases[0].status, "failed");
	assert_non_null(strstr(r.cases[0].reason,
			       "the workload sent no HELLO (exit status 0)"));
	assert_int_equal(r.cases[0].nseries, 0);
	query_run_free(&r);
}

/* HELLO and samples, then SIGKILL: failed for the missing END, and what
 * arrived before is kept. */
static void test_crash_mid_case(void **state)
{
	struct fixture *f = *state;
	struct run_result res;
	struct q_run r;

	write_scenario(f, "");
	env_test_set_fault(ENV_TEST_CRASH);
	run(f, &res, &r);
	assert_int_equal(res.failed, 1);
	assert_string_equal(r.cases[0].status, "failed");
	assert_non_null(strstr(r.cases[0].reason,
			       "the stream ended without END (killed by "
			       "signal 9"));
	assert_int_equal(r.cases[0].nseries, 1);
	assert_int_equal(r.cases[0].series[0].count, 4);
	query_run_free(&r);
}

/* A backend that cannot start: the reason names the environment. */
static void test_no_start(void **state)
{
	struct fixture *f = *state;
	struct run_result res;
	struct q_run r;

	write_scenario(f, "");
	env_test_set_fault(ENV_TEST_NO_START);
	run(f, &res, &r);
	assert_int_equal(res.failed, 1);
	assert_string_equal(r.cases[0].reason,
			    "test: the test environment was told not to "
			    "start");
	query_run_free(&r);
}

/* One run at a time: a held lock refuses the run before anything is
 * stored. */
static void test_lock_held(void **state)
{
	struct fixture *f = *state;
	struct run_result res;
	char err[1024] = "";
	int fd;

	write_scenario(f, "");
	fd = journal_lock(f->journal, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(run_rc(f, &res, err, sizeof(err)), -EWOULDBLOCK);
	assert_non_null(strstr(err, "holds"));
	assert_int_equal(res.uuid[0], '\0');
	assert_int_equal(access(f->db, F_OK), -1);
	journal_unlock(fd);
}

/* A journal a dead harness left: the host may still be tuned, so the run
 * is refused and told to restore first. */
static void test_stale_journal(void **state)
{
	struct fixture *f = *state;
	struct run_result res;
	char err[1024] = "";
	FILE *j;
	pid_t dead = fork();
	int fd;

	/* A child that is reaped at once: its PID names no process. */
	assert_true(dead >= 0);
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	write_scenario(f, "");
	fd = journal_lock(f->journal, err, sizeof(err)); /* makes the dir */
	assert_true(fd >= 0);
	journal_unlock(fd);
	j = fopen(f->journal, "w");
	assert_non_null(j);
	fprintf(j, "isolat-journal 1\nowner %d 1\n", (int)dead);
	fclose(j);
	assert_int_equal(chmod(f->journal, 0600), 0);
	assert_int_equal(run_rc(f, &res, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "run `isolat restore` first"));
	assert_int_equal(access(f->db, F_OK), -1);
}

/* Hidden: not offered in the list of environments users see. */
static void test_hidden(void **state)
{
	const struct env_ops *t = env_find("test");

	(void)state;
	assert_non_null(t);
	assert_true(t->flags & ENV_HIDDEN);
	assert_null(strstr(env_names(), "test"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_done, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repetitions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hang, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_stream, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_mid_case, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_start, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lock_held, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stale_journal, setup,
						teardown),
		cmocka_unit_test(test_hidden),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
