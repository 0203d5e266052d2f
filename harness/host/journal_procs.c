/*
 * journal_procs.c - the journal records of what a case starts or makes on
 * the host besides tuning: a process (the host-side load) and the case's
 * work directory (see journal.h for the format; a backend's objects, such
 * as an LXC container, are its own kinds in its folder).  A
 * harness killed with -9 cleans none of them up itself; these records let
 * `isolat restore` - and the next run, which replays a dead harness's
 * journal first - end and remove exactly them, nothing else.
 */
#include "harness/host/journal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/host/journal_int.h"

int journal_append_kind(struct journal *j, enum journal_kind kind,
		  const char *knob, const char *path, const char *orig,
		  const char *new_value, char *err, size_t errsz)
{
	struct journal_rec *r = calloc(1, sizeof(*r));
	int rc;

	if (!r) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	r->kind = kind;
	snprintf(r->knob, sizeof(r->knob), "%s", knob);
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->orig, sizeof(r->orig), "%s", orig);
	snprintf(r->new_value, sizeof(r->new_value), "%s", new_value);
	rc = journal_append(j, r, err, errsz);
	free(r);
	return rc;
}

int journal_proc(struct journal *j, pid_t pid, const char *comm, char *err,
		 size_t errsz)
{
	unsigned long long start;
	char path[64], st[32];
	int rc = journal_starttime(pid, &start);

	if (rc < 0) {
		snprintf(err, errsz, "/proc/%d/stat: %s", (int)pid,
			 strerror(-rc));
		return rc;
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	snprintf(st, sizeof(st), "%llu", start);
	return journal_append_kind(j, JOURNAL_PROC, "load", path, st, comm, err, errsz);
}

int journal_workdir(struct journal *j, const char *path, char *err,
		    size_t errsz)
{
	return journal_append_kind(j, JOURNAL_WORKDIR, "workdir", path, "absent",
		      "created", err, errsz);
}


/* comm, process group and start time of root/proc/PID: 0, 1 for a
 * zombie (dead already, only not reaped yet - the next run's init may be
 * slow to reap what it inherited; its start time still tells whose PID
 * it is), or -1 when gone. */
static int stat_of(const char *root, long pid, char *comm, size_t size,
		   long *pgrp, unsigned long long *start)
{
	char state = '?';
	char path[600], buf[1024], *o, *c, *p;
	int fd, field;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/proc/%ld/stat", root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	o = strchr(buf, '(');
	c = strrchr(buf, ')');
	if (!o || !c || c < o)
		return -1;
	*c = '\0';
	snprintf(comm, size, "%s", o + 1);
	/* state ppid pgrp ... */
	if (sscanf(c + 1, " %c %*d %ld", &state, pgrp) != 2)
		return -1;
	p = c + 1;
	for (field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", start) != 1)
		return -1;
	return state == 'Z' || state == 'X';
}

/* The members of process group pgrp named stress-ng* that started at or
 * after start: SIGKILLed (not under a test's fake root).  How many. */
static int end_group(const char *root, long pgrp, unsigned long long start)
{
	char path[600], comm[64];
	unsigned long long st;
	struct dirent *e;
	long g;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/proc", root);
	if (!(d = opendir(path)))
		return 0;
	while ((e = readdir(d))) {
		long pid = strtol(e->d_name, NULL, 10);

		if (pid <= 0 || stat_of(root, pid, comm, sizeof(comm), &g,
					&st) != 0)
			continue;
		if (g != pgrp || st < start || strncmp(comm, "stress-ng", 9))
			continue;
		if (!root[0])
			kill((pid_t)pid, SIGKILL);
		n++;
	}
	closedir(d);
	return n;
}

static int undo_proc(const struct journal_rec *r, const char *root)
{
	long pid = strtol(r->path + strlen("/proc/"), NULL, 10), pgrp = 0;
	unsigned long long want = strtoull(r->orig, NULL, 10), start = 0;
	char comm[64];
	int st, same, ours, n;

	/* Still the process journaled: same start time, same name. */
	st = stat_of(root, pid, comm, sizeof(comm), &pgrp, &start);
	same = st >= 0 && start == want && !strcmp(comm, r->new_value);
	ours = same && st == 0;
	/* PID pid in use (running or a zombie) but not ours: it was handed
	 * out again, which the kernel does only once no group uses it as
	 * its ID - so group pid is the newcomer's, not our stressors'.
	 * Leave all of it alone (a start-time test would not do: the
	 * newcomer's children started after our leader too). */
	if (st >= 0 && !same)
		return JOURNAL_UNDO_GONE;
	if (ours && !root[0]) {
		kill((pid_t)pid, SIGKILL);
		if (pgrp == pid)
			kill(-(pid_t)pid, SIGKILL);
	}
	/* Its stressors, also when the leader died alone: group pid cannot
	 * have been handed to anyone else while they are in it (the kernel
	 * keeps a PID in use as a group ID), and they started after it. */
	n = end_group(root, pid, want);
	return ours || n ? 0 : JOURNAL_UNDO_GONE;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

static int undo_workdir(const struct journal_rec *r, const char *root)
{
	char path[1024];
	struct stat sb;

	snprintf(path, sizeof(path), "%s%s", root, r->path);
	if (lstat(path, &sb) < 0)
		return errno == ENOENT ? JOURNAL_UNDO_GONE : -errno;
	/* What mkdtemp-like creation made: ours alone.  Anything else on
	 * that name (a link, someone else's directory) is left alone. */
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() ||
	    (sb.st_mode & 07777) != 0700)
		return JOURNAL_UNDO_GONE;
	if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

static int all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* /proc/PID, as sched records name a process. */
static int proc_path_ok(const char *path)
{
	return journal_host_path(path) &&
	       journal_has_prefix(path, "/proc/") &&
	       all_digits(path + strlen("/proc/"));
}

/* The kind of process a proc record may end: the host-side load. */
static int proc_rec_ok(const struct journal_rec *r, char *why, size_t whysz)
{
	if (!strcmp(r->knob, "load") && all_digits(r->orig) &&
	    strlen(r->orig) <= 20 && !strcmp(r->new_value, "stress-ng"))
		return 1;
	snprintf(why, whysz, "%s: %.64s '%.64s' '%.64s' is not a process "
		 "isolat starts (load, a start time, stress-ng)", r->path,
		 r->knob, r->orig, r->new_value);
	return 0;
}

/* /tmp/isolat-[A-Za-z0-9]{6,16}: the work directories the run loop makes
 * (never the e2e tests' /tmp/isolat-e2e.X, nor anything below /tmp). */
static int workdir_path_ok(const char *path)
{
	const char *s = path + strlen("/tmp/isolat-");
	size_t n;

	if (!journal_host_path(path) ||
	    !journal_has_prefix(path, "/tmp/isolat-"))
		return 0;
	n = strlen(s);
	if (n < 6 || n > 16)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	return 1;
}

int journal_made_rec_ok(const struct journal_rec *r, const char *knob,
			char *why, size_t whysz)
{
	if (!strcmp(r->knob, knob) && !strcmp(r->orig, "absent") &&
	    !strcmp(r->new_value, "created"))
		return 1;
	snprintf(why, whysz, "%s: %.64s '%.64s' '%.64s' is not a record "
		 "isolat writes", r->path, r->knob, r->orig, r->new_value);
	return 0;
}

static int workdir_rec_ok(const struct journal_rec *r, char *why,
			  size_t whysz)
{
	return journal_made_rec_ok(r, "workdir", why, whysz);
}

static int say_proc(const struct journal_rec *r, int rc, char *buf,
		    size_t size)
{
	snprintf(buf, size, "%s process %s (%s): %s", r->knob, r->path,
		 r->new_value, rc == 0 ? "ended (SIGKILL, with its process "
		 "group)" : "already gone (or its PID reused): left alone");
	return 1;
}

static int say_workdir(const struct journal_rec *r, int rc, char *buf,
		       size_t size)
{
	snprintf(buf, size, "work directory %s: %s", r->path,
		 rc == 0 ? "removed" : "already gone");
	return 1;
}

const struct journal_kind_ops journal_kind_proc = {
	.word = "proc", .path_ok = proc_path_ok, .rec_ok = proc_rec_ok,
	.undo = undo_proc, .say = say_proc, .leftover = 1,
};

const struct journal_kind_ops journal_kind_workdir = {
	.word = "workdir", .path_ok = workdir_path_ok,
	.rec_ok = workdir_rec_ok, .undo = undo_workdir, .say = say_workdir,
	.leftover = 1,
};
