/*
 * test_journal.c - the host tuning journal on a fake /proc and /sys tree:
 * records replay newest first, a replay twice changes nothing more, paths
 * outside the tuning allow-list are refused on append and on replay (a
 * tampered journal cannot make restore write /etc/passwd), a torn last
 * line is ignored, and the owner of a journal is told alive from dead.
 * Also the boot-time requirement check against a fake cmdline and sysfs,
 * a journal file only of ours, failed records kept, the run lock.  What
 * records may say: test_journal_allow.c; tracefs records:
 * test_journal_trace.c; Xen records: test_journal_xen.c.
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
	assert_int_equal(tuning_boot_check(&p, root, why, sizeof(why)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(why, "isolcpus=4"));
	p.isolcpus[0] = '\0';
	strcpy(p.nohz_full, "1");
	assert_int_equal(tuning_boot_check(&p, root, why, sizeof(why)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(why, "none"));
	p.nohz_full[0] = '\0';
	p.skew_tick = 1;
	assert_int_equal(tuning_boot_check(&p, root, why, sizeof(why)), 0);
	put("/proc/cmdline", "quiet");
	assert_int_equal(tuning_boot_check(&p, root, why, sizeof(why)),
			 -EOPNOTSUPP);
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
