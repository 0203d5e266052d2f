/*
 * lxc_cgroup.c - the cgroup side of the `lxc` environment (see lxc.h).
 *
 * Why an RT budget: with RT group scheduling (CONFIG_RT_GROUP_SCHED, cgroup
 * v1 cpu controller), a new cgroup gets cpu.rt_runtime_us = 0, so
 * sched_setscheduler(SCHED_FIFO) inside a container fails with EPERM even
 * for root.  The kernel also requires every cgroup's runtime to fit in its
 * parent's, summed over siblings.  So the container gets the budget that is
 * free where it is created, and any parent between the root and the
 * harness's own cgroup that has too little is raised first, top down, and
 * put back afterwards, bottom up.  Every original value is written to a
 * journal file before it changes, so a crashed run is undone by the next.
 *
 * cgroup v2 has no RT group budget (the kernel refuses to enable the cpu
 * controller with RT groups), so there is nothing to set there.
 */
#include "harness/env/lxc/lxc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/util.h"

/* Is tok one of the comma-separated words of list? */
static int has_word(const char *list, const char *tok)
{
	size_t n = strlen(tok);

	for (const char *p = list; p && *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		if (len == n && !strncmp(p, tok, n))
			return 1;
		p = c ? c + 1 : NULL;
	}
	return 0;
}

/* Mount point of the v1 hierarchy holding ctrl, or of cgroup2 (ctrl
 * NULL).  0 or -ENOENT. */
static int find_mount(const char *ctrl, char *out, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (rc && fgets(line, sizeof(line), f)) {
		char mnt[4096], fstype[64], opts[1024];
		char *sep = strstr(line, " - ");
		char *p = line;

		/* id parent major:minor root MOUNTPOINT ... - TYPE SRC OPTS */
		if (!sep)
			continue;
		for (int i = 0; i < 4 && p; i++) {
			p = strchr(p, ' ');
			p = p ? p + 1 : NULL;
		}
		if (!p || sscanf(p, "%4095s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if ((!ctrl && !strcmp(fstype, "cgroup2")) ||
		    (ctrl && !strcmp(fstype, "cgroup") && has_word(opts, ctrl))) {
			snprintf(out, size, "%s", mnt);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/* Our cgroup path in the v1 hierarchy of ctrl ("" ctrl: the v2 one). */
static int self_cgroup(const char *ctrl, char *out, size_t size)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (rc && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : 0;

		if (!c2)
			continue;
		*c2 = '\0';
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		if ((!*ctrl && c1[1] == '\0') ||
		    (*ctrl && has_word(c1 + 1, ctrl))) {
			snprintf(out, size, "%s", c2 + 1);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/* v2: is ctrl listed in the root's cgroup.controllers? */
static int v2_has(const char *root, const char *ctrl)
{
	char path[4200], text[512];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	if (read_text(path, text, sizeof(text)) < 0)
		return 0;
	for (char *t = strtok(text, " "); t; t = strtok(NULL, " "))
		if (!strcmp(t, ctrl))
			return 1;
	return 0;
}

/* Locate ctrl: v1 hierarchy first (a hybrid host has both); it must be
 * attached to our process too (rel is only checked). */
static int locate(const char *ctrl, int *v2, char *root, char *dir,
		  size_t size)
{
	char rel[2048];

	if (find_mount(ctrl, root, size) == 0 &&
	    self_cgroup(ctrl, rel, sizeof(rel)) == 0) {
		*v2 = 0;
	} else if (find_mount(NULL, root, size) == 0 && v2_has(root, ctrl) &&
		   self_cgroup("", rel, sizeof(rel)) == 0) {
		*v2 = 1;
	} else {
		return -ENOENT;
	}
	/* liblxc running as root escapes to the root cgroup of each
	 * hierarchy (lxc.cgroup.relative is not set), so that is where the
	 * container's cgroup goes, whatever cgroup the harness is in. */
	(void)rel;
	snprintf(dir, size, "%s", root);
	return 0;
}

int lxc_cg_probe(struct lxc_cg *cg, char *why, size_t whysz)
{
	char root[4096], path[4200];

	memset(cg, 0, sizeof(*cg));
	if (locate("cpuset", &cg->cpuset_v2, root, cg->cpuset_dir,
		   sizeof(root)) < 0) {
		snprintf(why, whysz, "no cgroup cpuset controller mounted "
			 "(neither a v1 hierarchy nor in cgroup2's "
			 "cgroup.controllers)");
		return -ENOENT;
	}
	if (locate("cpu", &cg->cpu_v2, cg->cpu_root, cg->cpu_dir,
		   sizeof(cg->cpu_root)) < 0) {
		snprintf(why, whysz, "no cgroup cpu controller mounted "
			 "(neither a v1 hierarchy nor in cgroup2's "
			 "cgroup.controllers)");
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/cpu.rt_runtime_us", cg->cpu_dir);
	cg->rt_group = !cg->cpu_v2 && access(path, F_OK) == 0;
	return 0;
}

static int read_long(const char *path, long *v)
{
	char text[64], *end;
	int rc = read_text(path, text, sizeof(text));

	if (rc < 0)
		return rc;
	errno = 0;
	*v = strtol(text, &end, 10);
	return errno || end == text ? -EINVAL : 0;
}

static int write_long(const char *path, long v)
{
	char text[32];

	snprintf(text, sizeof(text), "%ld", v);
	return write_text(path, text, 0);
}

/* Sum of the children's cpu.rt_runtime_us of dir (-1 counts as 0: the
 * kernel only allows -1 where the parent is unlimited too). */
static long children_runtime(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long sum = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[4600];
		long v;

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/cpu.rt_runtime_us", dir,
			 e->d_name);
		if (read_long(path, &v) == 0 && v > 0)
			sum += v;
	}
	closedir(d);
	return sum;
}

static int journal_add(const char *journal, const char *path, long orig)
{
	/* 0600 whatever the umask: restore believes only such a file. */
	int fd = open(journal, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		      0600), rc = 0;
	FILE *f = fd < 0 ? NULL : fdopen(fd, "a");

	if (!f) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (fprintf(f, "%ld %s\n", orig, path) < 0)
		rc = -EIO;
	if (fflush(f) || fsync(fileno(f)))
		rc = -errno;
	fclose(f);
	return rc;
}

/* Make dirs[i] able to give `extra` more runtime to its children. */
static int make_room(char dirs[][4096], int i, long extra,
		     const char *journal, struct lxc_rt *rt, char *err,
		     size_t errsz)
{
	char path[4200];
	long cur, free_us;
	int rc;

	snprintf(path, sizeof(path), "%s/cpu.rt_runtime_us", dirs[i]);
	rc = read_long(path, &cur);
	if (rc < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (cur < 0)
		return 0; /* unlimited */
	free_us = cur - children_runtime(dirs[i]);
	if (free_us >= extra)
		return 0;
	if (i == 0 || rt->n == sizeof(rt->ch) / sizeof(rt->ch[0])) {
		snprintf(err, errsz, "no real-time budget left for the "
			 "container: %s is %ld us and its children hold %ld "
			 "us; lower a sibling's cpu.rt_runtime_us",
			 path, cur, cur - free_us);
		return -EBUSY;
	}
	rc = make_room(dirs, i - 1, extra - free_us, journal, rt, err, errsz);
	if (rc < 0)
		return rc;
	rc = journal_add(journal, path, cur);
	if (rc == 0)
		rc = write_long(path, cur + extra - free_us);
	if (rc < 0) {
		snprintf(err, errsz, "cannot raise %s to %ld: %s", path,
			 cur + extra - free_us, strerror(-rc));
		return rc;
	}
	snprintf(rt->ch[rt->n].path, sizeof(rt->ch[0].path), "%s", path);
	rt->ch[rt->n].orig = cur;
	rt->ch[rt->n].now = cur + extra - free_us;
	rt->n++;
	return 0;
}

/*
 * Can a new cgroup in dir really get runtime_us now?  A container's cgroup
 * that liblxc just removed still counts against its parent's budget until
 * the kernel releases it (after an RCU grace period), so a probe cgroup
 * asks the kernel itself, retrying for a while.  The probe gives its
 * budget back (0) before it goes, so it leaves no such debt itself.
 */
static int rt_probe(const char *dir, long period_us, long runtime_us,
		    int *waited_ms, char *err, size_t errsz)
{
	char probe[4200], path[4300];
	int rc = -EBUSY;

	*waited_ms = 0;
	snprintf(probe, sizeof(probe), "%s/isolat.rt-probe.%ld", dir,
		 (long)getpid());
	if (mkdir(probe, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errsz, "mkdir %s: %s", probe, strerror(errno));
		return -errno;
	}
	snprintf(path, sizeof(path), "%s/cpu.rt_period_us", probe);
	write_long(path, period_us);
	snprintf(path, sizeof(path), "%s/cpu.rt_runtime_us", probe);
	for (; *waited_ms <= 5000; *waited_ms += 20) {
		struct timespec nap = {0, 20 * 1000 * 1000};

		rc = write_long(path, runtime_us);
		if (rc == 0 || (rc != -EINVAL && rc != -EBUSY))
			break;
		nanosleep(&nap, NULL);
	}
	write_long(path, 0);
	rmdir(probe);
	if (rc < 0)
		snprintf(err, errsz, "the kernel refuses cpu.rt_runtime_us = "
			 "%ld below %s: %s (waited %d ms for released cgroups "
			 "to give theirs back)", runtime_us, dir, strerror(-rc),
			 *waited_ms);
	return rc;
}

/* A probe cgroup of a harness that crashed mid-probe still holds budget:
 * give it back and remove it. */
static void rt_probe_leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[4600], proc[64];
		long pid;

		if (strncmp(e->d_name, "isolat.rt-probe.", 16))
			continue;
		pid = strtol(e->d_name + 16, NULL, 10);
		snprintf(proc, sizeof(proc), "/proc/%ld", pid);
		if (pid <= 0 || access(proc, F_OK) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/cpu.rt_runtime_us", dir,
			 e->d_name);
		write_long(path, 0);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		rmdir(path);
	}
	closedir(d);
}

int lxc_rt_reserve(const struct lxc_cg *cg, const char *journal,
		   unsigned share, struct lxc_rt *rt, char *err, size_t errsz)
{
	static char dirs[16][4096];
	char path[4200];
	size_t rootlen = strlen(cg->cpu_root);
	long root_rt, free_us;
	int n = 0, rc;

	memset(rt, 0, sizeof(*rt));
	rt->period_us = rt->runtime_us = -1;
	if (!cg->rt_group)
		return 0;
	rt_probe_leftovers(cg->cpu_dir);
	/* The chain root .. the containers' parent, as directories. */
	snprintf(dirs[n++], sizeof(dirs[0]), "%s", cg->cpu_root);
	for (const char *p = cg->cpu_dir + rootlen; *p && n < 16;) {
		const char *s = strchr(p + 1, '/');

		snprintf(dirs[n], sizeof(dirs[0]), "%.*s",
			 (int)((s ? s : p + strlen(p)) - cg->cpu_dir),
			 cg->cpu_dir);
		n++;
		if (!s)
			break;
		p = s;
	}
	snprintf(path, sizeof(path), "%s/cpu.rt_period_us", dirs[n - 1]);
	rc = read_long(path, &rt->period_us);
	snprintf(path, sizeof(path), "%s/cpu.rt_runtime_us", dirs[0]);
	if (rc == 0)
		rc = read_long(path, &root_rt);
	if (rc < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(-rc));
		return rc;
	}
	/* What is free where the container goes; if nothing, what the
	 * root has free (parents are then raised to pass it down). */
	snprintf(path, sizeof(path), "%s/cpu.rt_runtime_us", dirs[n - 1]);
	rc = read_long(path, &free_us);
	if (rc < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(-rc));
		return rc;
	}
	free_us = free_us < 0 ? root_rt : free_us - children_runtime(dirs[n - 1]);
	if (free_us <= 0)
		free_us = (root_rt < 0 ? rt->period_us : root_rt) -
			  children_runtime(dirs[0]);
	if (free_us <= 0) {
		snprintf(err, errsz, "no real-time budget left for the "
			 "container: the children of %s hold all of its "
			 "cpu.rt_runtime_us (%ld)", dirs[0], root_rt);
		return -EBUSY;
	}
	if (free_us > rt->period_us)
		free_us = rt->period_us;
	/* A container beside another of the same case (netlat's peer,
	 * made first) leaves the rest to that one. */
	if (share > 1)
		free_us /= (long)share;
	rc = make_room(dirs, n - 1, free_us, journal, rt, err, errsz);
	if (rc == 0)
		rc = rt_probe(dirs[n - 1], rt->period_us, free_us,
			      &rt->waited_ms, err, errsz);
	if (rc < 0) {
		lxc_rt_restore(rt, journal);
		return rc;
	}
	rt->runtime_us = free_us;
	return 0;
}

/* Write v, again while the kernel says EBUSY: a cgroup just removed
 * holds its budget until it is freed (rt_probe waits the same way). */
static int write_settled(const char *path, long v)
{
	int rc = write_long(path, v);

	for (int i = 0; rc == -EBUSY && i < 100; i++) {
		usleep(50 * 1000);
		rc = write_long(path, v);
	}
	return rc;
}

int lxc_rt_restore(struct lxc_rt *rt, const char *journal)
{
	int rc = 0;

	/* Bottom up: a parent cannot drop below what its children hold. */
	while (rt->n > 0) {
		struct lxc_rt_change *c = &rt->ch[rt->n - 1];

		rc = write_settled(c->path, c->orig);
		if (rc < 0 && rc != -ENOENT) /* ENOENT: that cgroup is gone */
			break;
		rc = 0;
		rt->n--;
	}
	if (!journal)
		return rc;
	unlink(journal);
	if (rc < 0) {
		/* What is left, written again (liblxc's destroy took the
		 * container's directory with the journal in it), for
		 * restore and the next run to try once more. */
		char dir[4096], *slash;

		snprintf(dir, sizeof(dir), "%s", journal);
		if ((slash = strrchr(dir, '/'))) {
			*slash = '\0';
			mkdir(dir, 0700);
		}
		for (unsigned i = 0; i < rt->n; i++)
			journal_add(journal, rt->ch[i].path, rt->ch[i].orig);
	}
	return rc;
}

int lxc_rt_read_journal(const char *journal, struct lxc_rt *rt)
{
	FILE *f = fopen(journal, "re");
	char line[4200];
	struct stat sb;

	memset(rt, 0, sizeof(*rt));
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	/* Root writes what it says: only a journal this harness wrote (a
	 * regular file of ours that nobody else may write) is believed. */
	if (fstat(fileno(f), &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_uid != geteuid() || (sb.st_mode & (S_IWGRP | S_IWOTH))) {
		fclose(f);
		return -EPERM;
	}
	while (fgets(line, sizeof(line), f) &&
	       rt->n < sizeof(rt->ch) / sizeof(rt->ch[0])) {
		static const char knob[] = "/cpu.rt_runtime_us";
		struct lxc_rt_change *c = &rt->ch[rt->n];
		char *sp = strchr(line, ' '), *end;
		size_t len;

		if (!sp)
			continue;
		line[strcspn(line, "\n")] = '\0';
		*sp = '\0';
		errno = 0;
		c->orig = strtol(line, &end, 10);
		/* cpu.rt_runtime_us: -1 (unlimited) up to one period. */
		if (errno || end == line || *end || c->orig < -1 ||
		    c->orig > 1000000000L)
			continue;
		snprintf(c->path, sizeof(c->path), "%s", sp + 1);
		/* Only ever a cgroup's RT knob: the journal is ours, but a
		 * path from a file is still checked before root writes. */
		len = strlen(c->path);
		if (strncmp(c->path, "/sys/fs/cgroup/", 15) ||
		    strstr(c->path, "/../") || strstr(c->path, "/./") ||
		    strstr(c->path, "//") || len < 15 + sizeof(knob) - 1 ||
		    strcmp(c->path + len - (sizeof(knob) - 1), knob))
			continue;
		rt->n++;
	}
	fclose(f);
	return 0;
}

int lxc_rt_restore_journal(const char *journal)
{
	struct lxc_rt rt;
	int rc = lxc_rt_read_journal(journal, &rt);

	return rc < 0 ? rc : lxc_rt_restore(&rt, journal);
}

int lxc_cg_remove(const char *name)
{
	static const char *const ctrls[] = {
		"cpu", "cpuset", "cpuacct", "memory", "devices", "freezer",
		"blkio", "pids", "net_cls", "perf_event", "hugetlb",
		"name=systemd", "rdma", "misc", "",
	};
	int removed = 0;

	for (size_t i = 0; i < sizeof(ctrls) / sizeof(ctrls[0]); i++) {
		char root[4096], rel[2048], path[8300];

		if (!*ctrls[i]) {
			if (find_mount(NULL, root, sizeof(root)) < 0 ||
			    self_cgroup("", rel, sizeof(rel)) < 0)
				continue;
		} else if (find_mount(ctrls[i], root, sizeof(root)) < 0 ||
			   self_cgroup(ctrls[i], rel, sizeof(rel)) < 0) {
			continue;
		}
		for (int which = 0; which < 2; which++) {
			/* From where that run was (our cgroup) and from the
			 * root, where liblxc escapes to as root. */
			for (int at = 0; at < 2; at++) {
				snprintf(path, sizeof(path), "%s%s/%s%s", root,
					 at == 0 && strcmp(rel, "/") ? rel : "",
					 which ? LXC_CG_MONITOR : LXC_CG_PAYLOAD,
					 name);
				if (rmdir(path) == 0)
					removed++;
			}
		}
	}
	return removed;
}
