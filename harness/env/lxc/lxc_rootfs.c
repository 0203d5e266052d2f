/*
 * lxc_rootfs.c - the container's rootfs and the end of a container (see
 * lxc.h): what isolat makes on the host for a case, and how it is all
 * removed again - after the case, or at the next run after a crash.
 */
#include "harness/env/lxc/lxc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <lxc/lxccontainer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/util.h"

/* rm -r of a directory we made (no symlinks followed, one device). */
void lxc_remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d))) {
			char sub[4600];

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			if (e->d_type == DT_DIR)
				lxc_remove_tree(sub);
			else
				unlink(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* Stop and destroy one container of ours; idempotent. */
void lxc_destroy(const char *name)
{
	struct lxc_container *c = lxc_new(name, LXC_ISOLAT_PATH);
	char dir[512], journal[600];
	char rootfs[4200] = "";
	struct lxc_rt rt;

	/* The RT journal first: liblxc's destroy removes the container's
	 * directory, and the journal in it. */
	snprintf(dir, sizeof(dir), "%s/%s", LXC_ISOLAT_PATH, name);
	snprintf(journal, sizeof(journal), "%s/rt-journal", dir);
	if (lxc_rt_read_journal(journal, &rt) < 0)
		rt.n = 0;
	if (c) {
		if (c->is_running(c))
			c->stop(c);
		if (c->get_config_item(c, "lxc.rootfs.path", rootfs,
				       sizeof(rootfs)) < 0)
			rootfs[0] = '\0';
		if (c->is_defined(c))
			c->destroy(c); /* removes the rootfs too */
		lxc_put(c);
	}
	/* The crashed run's work directory held only the rootfs (a peer's:
	 * WORKDIR/peer/rootfs): the empty directories up to it go too. */
	{
		char *path = rootfs + (strncmp(rootfs, "dir:", 4) ? 0 : 4);
		char *slash = strrchr(path, '/');

		if (!strncmp(path, "/tmp/isolat-", 12) && slash &&
		    !strcmp(slash, "/rootfs")) {
			do {
				*slash = '\0';
			} while (rmdir(path) == 0 &&
				 (slash = strrchr(path, '/')) &&
				 slash > path + 4); /* not /tmp itself */
		}
	}
	lxc_cg_remove(name);
	/* Budget that cannot be put back keeps its journal, and so the
	 * directory (the caller's sign that the container is not gone). */
	if (lxc_rt_restore(&rt, journal) == 0)
		lxc_remove_tree(dir);
}

/* Is the harness that made a container still alive? */
static int owner_alive(long pid)
{
	char path[64], comm[64];

	if (pid == (long)getpid())
		return 1;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	return read_text(path, comm, sizeof(comm)) == 0 &&
	       !strcmp(comm, "isolat");
}

/* When a leftover container was made: its RT journal's mtime (written
 * as its budget was reserved), else its directory's; in ns. */
static long long made_ns(const char *name)
{
	char path[600];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s/rt-journal", LXC_ISOLAT_PATH, name);
	if (stat(path, &sb) < 0) {
		snprintf(path, sizeof(path), "%s/%s", LXC_ISOLAT_PATH, name);
		if (stat(path, &sb) < 0)
			return 0;
	}
	return (long long)sb.st_mtim.tv_sec * 1000000000LL +
	       sb.st_mtim.tv_nsec;
}

struct leftover {
	char name[256];
	long pid;
	long long made;
};

static int newest_first(const void *a, const void *b)
{
	const struct leftover *x = a, *y = b;

	return (x->made < y->made) - (x->made > y->made);
}

int lxc_leftovers(char *removed, size_t size)
{
	DIR *d = opendir(LXC_ISOLAT_PATH);
	struct leftover left[32];
	struct dirent *e;
	int n = 0;

	removed[0] = '\0';
	if (!d)
		return 0;
	while ((e = readdir(d)) && n < 32) {
		long pid;

		if (lxc_name_owner(e->d_name, &pid) < 0 || owner_alive(pid) ||
		    strlen(e->d_name) >= sizeof(left[0].name))
			continue;
		snprintf(left[n].name, sizeof(left[n].name), "%s", e->d_name);
		left[n].pid = pid;
		left[n].made = made_ns(e->d_name);
		n++;
	}
	closedir(d);
	/* Newest first, as a run ends them: a parent cgroup's RT budget
	 * raised for two containers (netlat's peer and the case's) goes
	 * back in reverse order.  A second pass for what still could not
	 * (lxc_destroy keeps its directory then). */
	qsort(left, (size_t)n, sizeof(left[0]), newest_first);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			char dir[600];
			struct stat sb;

			snprintf(dir, sizeof(dir), "%s/%.255s", LXC_ISOLAT_PATH,
				 left[i].name);
			if (pass && lstat(dir, &sb) < 0)
				continue;
			if (!pass)
				fprintf(stderr, "isolat: lxc: removing container "
					"%s left by a crashed run (pid %ld) from "
					"%s\n", left[i].name, left[i].pid,
					LXC_ISOLAT_PATH);
			lxc_destroy(left[i].name);
		}
	for (int i = 0; i < n; i++) {
		size_t len = strlen(removed);

		snprintf(removed + len, size - len, "%s%s (pid %ld)",
			 len ? ", " : "", left[i].name, left[i].pid);
	}
	return n;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out, rc = 0;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = -EIO;
			break;
		}
	if (n < 0)
		rc = -errno;
	if (close(out) < 0 && rc == 0)
		rc = -errno;
	close(in);
	return rc;
}

/* The host directories the workload needs, and how they appear inside:
 * a symlink where the host has one (merged /usr), else a bind mount. */
static const char *const host_dirs[] = {
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
};

int lxc_rootfs_make(const char *rootfs, const char *wl_path,
		    const char *binds[], unsigned *nbinds, char *err,
		    size_t errsz)
{
	static const char *const dirs[] = {"proc", "sys", "dev", "tmp",
					   "etc"};
	char path[4400], target[4096];
	int rc;

	*nbinds = 0;
	if (mkdir(rootfs, 0755) < 0) {
		snprintf(err, errsz, "mkdir %s: %s", rootfs,
			 strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", rootfs, dirs[i]);
		mkdir(path, 0755);
	}
	for (size_t i = 0; i < sizeof(host_dirs) / sizeof(host_dirs[0]); i++) {
		struct stat st;
		ssize_t n;

		if (lstat(host_dirs[i], &st) < 0)
			continue;
		snprintf(path, sizeof(path), "%s%s", rootfs, host_dirs[i]);
		if (S_ISLNK(st.st_mode)) {
			n = readlink(host_dirs[i], target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			rc = symlink(target, path);
		} else if (S_ISDIR(st.st_mode)) {
			rc = mkdir(path, 0755);
			binds[(*nbinds)++] = host_dirs[i];
		} else {
			continue;
		}
		if (rc < 0) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			return -errno;
		}
	}
	snprintf(path, sizeof(path), "%s/isolat-wl", rootfs);
	rc = copy_file(wl_path, path, 0755);
	if (rc < 0)
		snprintf(err, errsz, "copy %s into the rootfs: %s", wl_path,
			 strerror(-rc));
	return rc;
}
