/*
 * journal_host.c - the host's own journal record kinds (journal.h): what
 * host tuning and trace.c change and how each is put back.  Their checks
 * are in journal_allow.c; a backend's kinds live in its folder (Xen:
 * harness/env/xen/xen_undo.c); all are listed in
 * harness/env/journal_kinds.def.
 */
#include "harness/host/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "harness/host/journal_int.h"
#include "harness/util.h"

#define PF_KTHREAD_FLAG 0x00200000u /* include/linux/sched.h */

/*
 * Is PID (under root) a kernel thread whose comm is want?  From
 * /proc/PID/stat: comm between the first '(' and the last ')', then the
 * parent (field 4: kthreadd, PID 2) or the PF_KTHREAD flag (field 9).
 * 1, 0 (not, or gone).
 */
static int is_kthread(const char *root, const char *pidpath,
		      const char *want)
{
	char path[1024], buf[1024], *open_p, *close_p;
	unsigned long flags = 0;
	int ppid = -1, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s%s/stat", root, pidpath);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p)
		return 0;
	*close_p = '\0';
	if (strcmp(open_p + 1, want) || !journal_kthread_comm_ok(open_p + 1))
		return 0;
	/* state ppid pgrp session tty_nr tpgid flags */
	if (sscanf(close_p + 1, " %*c %d %*d %*d %*d %*d %lu", &ppid,
		   &flags) != 2)
		return 0;
	return ppid == 2 || (flags & PF_KTHREAD_FLAG);
}

static int undo_sched(const struct journal_rec *r, const char *root)
{
	const char *want = strchr(r->knob, ':');
	struct sched_param sp = {0};
	int policy, prio;

	if (!want || journal_parse_policy(r->orig, &policy, &prio) < 0)
		return -EINVAL;
	/* Gone, or the PID now names another thread (a user process, a
	 * thread renamed to look like one): not ours to change. */
	if (!is_kthread(root, r->path, want + 1))
		return JOURNAL_UNDO_GONE;
	sp.sched_priority = prio;
	if (sched_setscheduler(atoi(r->path + strlen("/proc/")), policy,
			       &sp) < 0)
		return errno == ESRCH ? 0 : -errno;
	return 0;
}

static int undo_write(const struct journal_rec *r, const char *root)
{
	char path[1024];
	int rc;

	snprintf(path, sizeof(path), "%s%s", root, r->path);
	rc = write_text(path, r->orig, 0);
	if (rc == -ENOENT)
		return 0; /* gone: nothing to undo */
	/* An IRQ that refused the change refuses it back as well. */
	if ((rc == -EIO || rc == -EINVAL || rc == -EPERM) &&
	    journal_has_prefix(r->path, "/proc/irq/"))
		rc = 0;
	return rc;
}

static int undo_mkdir(const struct journal_rec *r, const char *root)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s%s", root, r->path);
	if (rmdir(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* Only while tracefs is still what is mounted there: never unmount
 * something someone else put on that directory since. */
static int undo_mount(const struct journal_rec *r, const char *root)
{
	char path[1024];
	struct statfs sf;

	snprintf(path, sizeof(path), "%s%s", root, r->path);
	if (statfs(path, &sf) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (sf.f_type != TRACEFS_MAGIC)
		return 0;
	if (umount2(path, MNT_DETACH) < 0)
		return errno == EINVAL ? 0 : -errno;
	return 0;
}

/* The kernel cannot shrink the trace ring back: nothing is written, and
 * restore says so. */
static int undo_kept(const struct journal_rec *r, const char *root)
{
	return JOURNAL_UNDO_KEPT;
}

static int say_kept(const struct journal_rec *r, int rc, char *buf,
		    size_t size)
{
	if (rc != JOURNAL_UNDO_KEPT)
		return 0;
	snprintf(buf, size, "%s: cannot be put back: the kernel expanded its "
		 "trace ring when tracing was first enabled (boot state '%s') "
		 "and cannot shrink it back; only a reboot restores the boot "
		 "state", r->path, r->orig);
	return 1;
}

const struct journal_kind_ops journal_kind_write = {
	.word = "write",
	.path_ok = journal_write_path_ok,
	.rec_ok = journal_write_rec_ok,
	.undo = undo_write,
};

const struct journal_kind_ops journal_kind_sched = {
	.word = "sched",
	.path_ok = journal_sched_path_ok,
	.rec_ok = journal_sched_rec_ok,
	.undo = undo_sched,
};

const struct journal_kind_ops journal_kind_mkdir = {
	.word = "mkdir",
	.path_ok = journal_mkdir_path_ok,
	.undo = undo_mkdir,
};

const struct journal_kind_ops journal_kind_mount = {
	.word = "mount",
	.path_ok = journal_mount_path_ok,
	.undo = undo_mount,
};

const struct journal_kind_ops journal_kind_kept = {
	.word = "kept",
	.path_ok = journal_kept_path_ok,
	.rec_ok = journal_kept_rec_ok,
	.undo = undo_kept,
	.say = say_kept,
};
