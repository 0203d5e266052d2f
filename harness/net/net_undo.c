/*
 * net_undo.c - netlat's journal record kinds (harness/host/journal.h),
 * each a struct journal_kind_ops listed in harness/env/journal_kinds.def
 * (NETNS, LINK, OVS):
 *
 *   netns netns isolat-NAME absent created
 *                      undo: `ip netns del NAME` if it is still there
 *   link link isolat-NAME absent created
 *                      undo: `ip link del NAME` if the host's namespace
 *                      has it (a veth: its peer goes with it)
 *   ovs ovs /run/isolat/ovs-TAG ovs-netdev:absent|present DATAPATH
 *                      undo: SIGTERM (then SIGKILL) to the ovsdb-server
 *                      and ovs-vswitchd of the pidfiles there - only a
 *                      process of that name whose command line names the
 *                      directory, never the system's OVS - then the
 *                      directory goes, and ovs-netdev when it was absent
 *                      before and no other ovs-vswitchd runs
 *
 * Names are checked before anything runs (path_ok, on append and on
 * replay): isolat-[A-Za-z0-9_.-]+ (links at most 15 characters, the
 * kernel's limit), the directory exactly /run/isolat/ovs-[a-z0-9]+.
 * All three are things a case made (leftover): `isolat restore` says
 * each one removed, or already gone.
 */
#include "harness/net/net.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/host/journal.h"
#include "harness/host/journal_int.h"
#include "harness/util.h"

#define OVS_DIR_PREFIX "/run/isolat/ovs-"

static int name_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n <= 7 || n > max || strncmp(s, "isolat-", 7))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return 0;
	return 1;
}

static int netns_path_ok(const char *path)
{
	return name_ok(path, 63);
}

static int link_path_ok(const char *path)
{
	return name_ok(path, 15);
}

static int ovs_path_ok(const char *path)
{
	const char *s;

	if (!path || strncmp(path, OVS_DIR_PREFIX, strlen(OVS_DIR_PREFIX)))
		return 0;
	s = path + strlen(OVS_DIR_PREFIX);
	return *s && strlen(s) <= 16 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(s);
}

/* Does /proc/PID belong to a process called comm whose command line
 * names dir? */
static int ours(pid_t pid, const char *comm, const char *dir)
{
	char path[64], buf[4096], c[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (read_text(path, c, sizeof(c)) < 0 || strcmp(c, comm))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	for (ssize_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[n] = '\0';
	return strstr(buf, dir) != NULL;
}

static void stop_daemon(const char *dir, const char *comm)
{
	char path[200], txt[32];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s.pid", dir, comm);
	if (read_text(path, txt, sizeof(txt)) < 0 || (pid = atoi(txt)) <= 1 ||
	    !ours(pid, comm, dir))
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 40 && ours(pid, comm, dir); i++)
		usleep(50000);
	if (ours(pid, comm, dir))
		kill(pid, SIGKILL);
	for (int i = 0; i < 40 && ours(pid, comm, dir); i++)
		usleep(50000);
}

/* Is any ovs-vswitchd running (ours are stopped by now)? */
int net_other_vswitchd(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d))) {
		char path[300], c[64];

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		/* "PID (ovs-vswitchd) S ...": a zombie (Z) runs nothing. */
		found = read_text(path, c, sizeof(c)) == 0 &&
			!strncmp(strchr(c, '(') ? strchr(c, '(') : c,
				 "(ovs-vswitchd) ", 15) &&
			strstr(c, ") Z") == NULL;
	}
	if (d)
		closedir(d);
	return found;
}

/* The object's state before (orig) and the datapath it ran (new). */
static int ovs_rec_ok(const struct journal_rec *r, char *why, size_t whysz)
{
	if (!strcmp(r->knob, "ovs") &&
	    (!strcmp(r->orig, "ovs-netdev:absent") ||
	     !strcmp(r->orig, "ovs-netdev:present")) &&
	    (!strcmp(r->new_value, "system") ||
	     !strcmp(r->new_value, "netdev")))
		return 1;
	snprintf(why, whysz, "%s: '%.64s' '%.64s' is not an ovs record's "
		 "state", r->path, r->orig, r->new_value);
	return 0;
}

static int netns_rec_ok(const struct journal_rec *r, char *why,
			size_t whysz)
{
	return journal_made_rec_ok(r, "netns", why, whysz);
}

static int link_rec_ok(const struct journal_rec *r, char *why, size_t whysz)
{
	return journal_made_rec_ok(r, "link", why, whysz);
}

static int undo_ovs(const struct journal_rec *r, const char *root)
{
	char err[256];
	DIR *d;
	struct dirent *e;
	struct stat st;
	int gone;

	/* A test's fake tree has no network objects. */
	if (root[0])
		return JOURNAL_UNDO_GONE;
	gone = stat(r->path, &st) < 0 && errno == ENOENT;
	stop_daemon(r->path, "ovs-vswitchd");
	stop_daemon(r->path, "ovsdb-server");
	if (!gone && (d = opendir(r->path))) {
		while ((e = readdir(d))) {
			char p[1024];

			/* OVS keeps .conf.db.~lock~ beside its database. */
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(p, sizeof(p), "%s/%s", r->path, e->d_name);
			unlink(p);
		}
		closedir(d);
		if (rmdir(r->path) < 0 && errno != ENOENT)
			return -errno;
	}
	if (!strcmp(r->orig, "ovs-netdev:absent") &&
	    net_link_exists("ovs-netdev") && !net_other_vswitchd()) {
		const char *del[] = {"ip", "link", "del", "ovs-netdev", NULL};

		return net_run("ip", del, NULL, 0, err, sizeof(err));
	}
	return gone ? JOURNAL_UNDO_GONE : 0;
}

static int undo_netns(const struct journal_rec *r, const char *root)
{
	const char *del[] = {"ip", "netns", "del", r->path, NULL};
	char err[256];

	if (root[0] || !net_netns_exists(r->path))
		return JOURNAL_UNDO_GONE;
	return net_run("ip", del, NULL, 0, err, sizeof(err));
}

static int undo_link(const struct journal_rec *r, const char *root)
{
	const char *del[] = {"ip", "link", "del", r->path, NULL};
	char err[256];

	/* A veth's peer, or a port its bridge took along, is gone already. */
	if (root[0] || !net_link_exists(r->path))
		return JOURNAL_UNDO_GONE;
	return net_run("ip", del, NULL, 0, err, sizeof(err));
}

static int say_netns(const struct journal_rec *r, int rc, char *buf,
		     size_t size)
{
	snprintf(buf, size, "network namespace %s: %s", r->path,
		 rc == 0 ? "deleted" : "already gone");
	return 1;
}

static int say_link(const struct journal_rec *r, int rc, char *buf,
		    size_t size)
{
	snprintf(buf, size, "link %s: %s", r->path,
		 rc == 0 ? "deleted" : "already gone");
	return 1;
}

static int say_ovs(const struct journal_rec *r, int rc, char *buf,
		   size_t size)
{
	snprintf(buf, size, "Open vSwitch of %s: %s", r->path,
		 rc == 0 ? "daemons stopped, directory removed"
			 : "already gone");
	return 1;
}

const struct journal_kind_ops journal_kind_net_netns = {
	.word = "netns", .path_ok = netns_path_ok, .rec_ok = netns_rec_ok,
	.undo = undo_netns, .say = say_netns, .leftover = 1,
};

const struct journal_kind_ops journal_kind_net_link = {
	.word = "link", .path_ok = link_path_ok, .rec_ok = link_rec_ok,
	.undo = undo_link, .say = say_link, .leftover = 1,
};

const struct journal_kind_ops journal_kind_net_ovs = {
	.word = "ovs", .path_ok = ovs_path_ok, .rec_ok = ovs_rec_ok,
	.undo = undo_ovs, .say = say_ovs, .leftover = 1,
};
