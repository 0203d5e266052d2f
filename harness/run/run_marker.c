/*
 * run_marker.c - the database of the run holding the lock (run_marker.h).
 */
#include "harness/run/run_marker.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/store.h"
#include "harness/util.h"

void run_marker_path(const char *journal, char *out, unsigned size)
{
	/* Per journal and never the journal itself, whatever --journal. */
	snprintf(out, size, "%s.run", journal);
}

int run_marker_write(const char *journal, const char *db_path, char *err,
		     unsigned errsz)
{
	char path[PATH_MAX], abs[PATH_MAX], line[PATH_MAX + 64];
	struct stat sb;
	int fd, n, rc = 0;

	/* The store is open: the file exists, realpath names it; its
	 * device and inode let settle check it is still that file. */
	if (!realpath(db_path, abs) || stat(abs, &sb) < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", db_path, strerror(errno));
		return rc;
	}
	run_marker_path(journal, path, sizeof(path));
	/* A fresh file of ours, never one planted or left with other
	 * modes (settle removed any earlier one, or refused to run). */
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return rc;
	}
	n = snprintf(line, sizeof(line), "%s\n%llu %llu\n", abs,
		     (unsigned long long)sb.st_dev,
		     (unsigned long long)sb.st_ino);
	if (write(fd, line, (size_t)n) != n || fsync(fd) < 0) {
		rc = -EIO;
		snprintf(err, errsz, "%s: could not be written", path);
	}
	close(fd);
	if (rc)
		unlink(path);
	return rc;
}

void run_marker_clear(const char *journal)
{
	char path[PATH_MAX];

	run_marker_path(journal, path, sizeof(path));
	unlink(path);
}

/* The database path a marker holds, with its device and inode: 0,
 * -ENOENT (none), -EPERM (not a 0600 file of ours: refused) or -EINVAL
 * (not one absolute path and its identity). */
static int marker_read(const char *path, char *db, size_t dbsz,
		       unsigned long long *dev, unsigned long long *ino)
{
	struct stat sb;
	ssize_t n;
	char *nl;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -EPERM;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_uid != geteuid() || (sb.st_mode & 077)) {
		close(fd);
		return -EPERM;
	}
	n = read(fd, db, dbsz - 1);
	close(fd);
	if (n <= 1 || db[n - 1] != '\n' || db[0] != '/')
		return -EINVAL;
	db[n] = '\0';
	nl = strchr(db, '\n');
	*nl = '\0';
	if (sscanf(nl + 1, "%llu %llu", dev, ino) != 2)
		return -EINVAL;
	for (const char *p = db; *p; p++)
		if ((unsigned char)*p < 0x20)
			return -EINVAL;
	return 0;
}

/* Still the database the run wrote: the recorded path, no symlink at
 * its end, a regular file of ours with the recorded device and inode
 * (a user who can write its folder could have put another file there
 * since; root then must not write to it).  0, -ENOENT (gone), -EPERM. */
static int same_db(const char *db, unsigned long long dev,
		   unsigned long long ino)
{
	char now[PATH_MAX];
	struct stat sb;

	if (lstat(db, &sb) < 0)
		return errno == ENOENT ? -ENOENT : -EPERM;
	if (!S_ISREG(sb.st_mode) || sb.st_uid != geteuid() ||
	    (unsigned long long)sb.st_dev != dev ||
	    (unsigned long long)sb.st_ino != ino ||
	    !realpath(db, now) || strcmp(now, db))
		return -EPERM;
	return 0;
}

int run_mark_abandoned(struct store *st, const char *who, const char *db,
		       unsigned *n)
{
	char host[256] = "";
	int rc;

	*n = 0;
	if (gethostname(host, sizeof(host) - 1) < 0)
		return -errno;
	rc = store_runs_abandoned(st, host, n);
	if (rc == 0 && *n)
		fprintf(stderr, "%s: %u run%s in %s left 'running' by a "
			"harness that died: marked aborted\n", who, *n,
			*n > 1 ? "s" : "", db);
	return rc;
}

int run_marker_settle(const char *journal, const char *who,
		      const char *skip_db, char *err, unsigned errsz)
{
	char path[PATH_MAX], db[PATH_MAX + 64], self[PATH_MAX];
	unsigned long long dev, ino;
	struct store *st;
	unsigned n = 0;
	int rc;

	run_marker_path(journal, path, sizeof(path));
	rc = marker_read(path, db, sizeof(db), &dev, &ino);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0) {
		snprintf(err, errsz, "%s: %s; inspect it and remove it",
			 path, rc == -EPERM ? "not a 0600 file of ours: "
			 "refused" : "not one absolute database path");
		return rc;
	}
	rc = same_db(db, dev, ino);
	if (rc == -ENOENT ||
	    (skip_db && realpath(skip_db, self) && !strcmp(self, db))) {
		unlink(path);
		return 0;
	}
	if (rc < 0) {
		snprintf(err, errsz, "%s names %s, which is no longer the "
			 "database that run wrote (another file, a link, not "
			 "ours): not opened as root; `isolat --db` on the "
			 "right one, then remove %s", path, db, path);
		return rc;
	}
	/* Never created or migrated here: an existing isolat database. */
	rc = store_open(db, STORE_READ, &st, err, errsz);
	if (rc < 0)
		return rc;
	rc = run_mark_abandoned(st, who, db, &n);
	if (rc < 0)
		snprintf(err, errsz, "%s: %s", db, store_errmsg(st));
	store_close(st);
	if (rc < 0)
		return rc;
	unlink(path);
	return 0;
}
