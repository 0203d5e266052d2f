/*
 * test_journal_procs.c - the journal records of what a case starts or
 * makes (harness/host/journal_procs.c): which proc, workdir and container
 * records are allowed; a proc record ends its process and group only
 * while /proc/PID/stat shows the start time and name journaled; a workdir
 * record removes only a 0700 directory of ours, following no symlink.
 * Real processes (this test's own children) and a real /tmp/isolat-X
 * directory: nothing else on the host is touched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/host/journal.h"

#include "test_dir.h"

static char dir[64], jpath[128], err[1024];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/isolat-tp.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(jpath, sizeof(jpath), "%s/journal", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_dir_rm(dir);
	return 0;
}

static struct journal_rec *mk(enum journal_kind kind, const char *knob,
			      const char *path, const char *orig,
			      const char *new_value)
{
	static struct journal_rec r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	snprintf(r.knob, sizeof(r.knob), "%s", knob);
	snprintf(r.path, sizeof(r.path), "%s", path);
	snprintf(r.orig, sizeof(r.orig), "%s", orig);
	snprintf(r.new_value, sizeof(r.new_value), "%s", new_value);
	return &r;
}

static int allowed(const struct journal_rec *r)
{
	char why[512];

	return journal_rec_allowed(r, why, sizeof(why));
}

static void test_allowed(void **state)
{
	(void)state;
	assert_true(allowed(mk(JOURNAL_PROC, "load", "/proc/123", "4567",
			       "stress-ng")));
	/* Another name, another knob, a start time that is not one. */
	assert_false(allowed(mk(JOURNAL_PROC, "load", "/proc/123", "4567",
				"sshd")));
	assert_false(allowed(mk(JOURNAL_PROC, "x", "/proc/123", "4567",
				"stress-ng")));
	assert_false(allowed(mk(JOURNAL_PROC, "load", "/proc/123", "-1",
				"stress-ng")));
	assert_false(allowed(mk(JOURNAL_PROC, "load", "/proc/self", "1",
				"stress-ng")));
	assert_false(allowed(mk(JOURNAL_PROC, "load", "/proc/1/../2", "1",
				"stress-ng")));

	assert_true(allowed(mk(JOURNAL_WORKDIR, "workdir",
			       "/tmp/isolat-Ab3dE9gH1k", "absent",
			       "created")));
	assert_true(allowed(mk(JOURNAL_WORKDIR, "workdir",
			       "/tmp/isolat-XyZ123", "absent", "created")));
	static const char *const bad_dirs[] = {
		"/tmp", "/tmp/", "/tmp/isolat-", "/tmp/isolat-abc",
		"/tmp/isolat-e2e.ABCDEF", "/tmp/isolat-tj.ABCDEF",
		"/tmp/isolat-ABCDEF/x", "/tmp/isolat-ABCDEF/..",
		"/tmp/isolat-../etc", "/etc", "/", "/tmp/isolat-ABCDEFGHIJKLMNOPQ",
		"/var/tmp/isolat-ABCDEF", "tmp/isolat-ABCDEF",
	};
	for (size_t i = 0; i < sizeof(bad_dirs) / sizeof(*bad_dirs); i++)
		if (allowed(mk(JOURNAL_WORKDIR, "workdir", bad_dirs[i],
			       "absent", "created")))
			fail_msg("workdir %s allowed", bad_dirs[i]);
	assert_false(allowed(mk(JOURNAL_WORKDIR, "workdir",
				"/tmp/isolat-XyZ123", "present", "created")));

	assert_true(allowed(mk(JOURNAL_CONTAINER, "lxc",
			       "isolat-4242-c3-0a1b2c3d", "absent",
			       "created")));
	static const char *const bad_names[] = {
		"isolat-4242-c3", "isolat-0-c3-00", "isolat--c3-00",
		"isolat-4242-c3-XYZ", "isolat-4242-c3-0a/../x",
		"other-4242-c3-0a", "isolat-4242-c3-0a ", "",
		"isolat-4242-cx-0a", "../isolat-4242-c3-0a",
	};
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(*bad_names); i++)
		if (allowed(mk(JOURNAL_CONTAINER, "lxc", bad_names[i],
			       "absent", "created")))
			fail_msg("container '%s' allowed", bad_names[i]);
}

/* A child named comm in process group pgrp (0: its own), sleeping. */
static pid_t sleeper(const char *comm, pid_t pgrp)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		setpgid(0, pgrp);
		prctl(PR_SET_NAME, comm);
		for (;;)
			pause();
	}
	setpgid(pid, pgrp);
	return pid;
}

static void wait_name(pid_t pid, const char *comm)
{
	char path[64], buf[64] = "";

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	for (int i = 0; i < 200; i++) {
		FILE *f = fopen(path, "r");

		if (f) {
			if (fgets(buf, sizeof(buf), f))
				buf[strcspn(buf, "\n")] = '\0';
			fclose(f);
		}
		if (!strcmp(buf, comm))
			return;
		usleep(5000);
	}
	fail_msg("pid %d never named %s", (int)pid, comm);
}

/* pid, a child of ours, SIGKILLed and left a zombie (not reaped). */
static void zombie(pid_t pid)
{
	siginfo_t si;

	kill(pid, SIGKILL);
	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT),
			 0);
}

struct seen {
	int rc[4];
	int n;
};

static void note_rc(void *ctx, const struct journal_rec *r, int rc)
{
	struct seen *s = ctx;

	(void)r;
	if (s->n < 4)
		s->rc[s->n++] = rc;
}

/* The journal's one proc record, its start time moved by delta ticks:
 * as if the PID had been handed to another process since. */
static void shift_start(int delta)
{
	char text[2048], *tab, *end;
	unsigned long long t;
	FILE *f = fopen(jpath, "r");
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	tab = strstr(text, "\t/proc/");
	assert_non_null(tab);
	tab = strchr(tab + 1, '\t');
	assert_non_null(tab);
	t = strtoull(tab + 1, &end, 10);
	assert_true(end > tab + 1 && *end == '\t' && t > 0);
	f = fopen(jpath, "w");
	assert_non_null(f);
	fprintf(f, "%.*s%llu%s", (int)(tab + 1 - text), text,
		t + (unsigned long long)(long long)delta, end);
	fclose(f);
	chmod(jpath, 0600);
}

/* A stress-ng leader and one stressor in its group, the leader journaled
 * as a proc record.  The leader; *member the stressor. */
static pid_t journaled_group(pid_t *member)
{
	struct journal j;
	pid_t lead = sleeper("stress-ng", 0);

	*member = sleeper("stress-ng-cpu", lead);
	wait_name(lead, "stress-ng");
	wait_name(*member, "stress-ng-cpu");
	journal_init(&j, jpath, "");
	assert_int_equal(journal_proc(&j, lead, "stress-ng", err,
				      sizeof(err)), 0);
	journal_close(&j);
	return lead;
}

/* Replay the journal's one record: its undo returned want. */
static void replay_one(int want)
{
	struct seen s = {0};

	assert_int_equal(journal_replay(jpath, "", note_rc, &s, err,
					sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rc[0], want);
}

static void assert_killed(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void test_proc(void **state)
{
	pid_t lead, member;
	int st;

	(void)state;
	lead = journaled_group(&member);
	replay_one(0);
	/* The leader and the member of its group: SIGKILLed. */
	assert_killed(lead);
	assert_killed(member);
	assert_int_equal(access(jpath, F_OK), -1);

	/* Our leader died alone and is a zombie nobody reaped yet: its
	 * stressor is still ended. */
	lead = journaled_group(&member);
	zombie(lead);
	replay_one(0);
	assert_killed(member);
	waitpid(lead, &st, 0);

	/* A PID that is not the process journaled (it was handed out again:
	 * an earlier or a later start time): left alone, and so is its
	 * group, although its members started after the time journaled. */
	for (int i = 0; i < 3; i++) {
		pid_t other = journaled_group(&member);

		shift_start(i == 1 ? 1 : -1);
		/* The third time the newcomer is a zombie (dead, not yet
		 * reaped): still not ours, and its group still not ours. */
		if (i == 2)
			zombie(other);
		replay_one(JOURNAL_UNDO_GONE);
		/* Still running: kill(pid, 0) would also pass for a zombie
		 * that a wrong undo had just killed. */
		if (i < 2)
			assert_int_equal(waitpid(other, &st, WNOHANG), 0);
		assert_int_equal(waitpid(member, &st, WNOHANG), 0);
		kill(member, SIGKILL);
		kill(other, SIGKILL);
		waitpid(member, &st, 0);
		waitpid(other, &st, 0);
	}
}

static void test_workdir(void **state)
{
	char wd[64], path[256], outside[256];
	struct journal j;
	struct seen s = {0};
	int fd;

	(void)state;
	snprintf(wd, sizeof(wd), "/tmp/isolat-T%09d", (int)getpid());
	snprintf(outside, sizeof(outside), "%s/outside", dir);
	fd = open(outside, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	journal_init(&j, jpath, "");
	assert_int_equal(journal_workdir(&j, wd, err, sizeof(err)), 0);
	journal_close(&j);
	assert_int_equal(mkdir(wd, 0700), 0);
	snprintf(path, sizeof(path), "%s/rootfs", wd);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/rootfs/link", wd);
	assert_int_equal(symlink(outside, path), 0);
	snprintf(path, sizeof(path), "%s/file", wd);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(journal_replay(jpath, "", note_rc, &s, err,
					sizeof(err)), 0);
	assert_int_equal(s.rc[0], 0);
	assert_int_equal(access(wd, F_OK), -1);
	assert_int_equal(access(outside, F_OK), 0); /* the link's target */

	/* Not 0700 (not what the run loop makes): left alone. */
	journal_init(&j, jpath, "");
	assert_int_equal(journal_workdir(&j, wd, err, sizeof(err)), 0);
	journal_close(&j);
	assert_int_equal(mkdir(wd, 0700), 0);
	chmod(wd, 0755);
	s.n = 0;
	assert_int_equal(journal_replay(jpath, "", note_rc, &s, err,
					sizeof(err)), 0);
	assert_int_equal(s.rc[0], JOURNAL_UNDO_GONE);
	assert_int_equal(access(wd, F_OK), 0);
	rmdir(wd);

	/* Already gone: nothing to do, the journal is removed. */
	journal_init(&j, jpath, "");
	assert_int_equal(journal_workdir(&j, wd, err, sizeof(err)), 0);
	journal_close(&j);
	assert_int_equal(journal_replay(jpath, "", NULL, NULL, err,
					sizeof(err)), 0);
	assert_int_equal(access(jpath, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed),
		cmocka_unit_test_setup_teardown(test_proc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_workdir, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
