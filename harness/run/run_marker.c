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
	const char *slash = strrchr(journal, '/');

	if (!slash)
		snprintf(out, size, "run");
	else
		snprintf(out, size, "%.*s/run", (int)(slash - journal),
			 journal);
}

int run_marker_write(const char *journal, const char *db_path, char *err,
		     unsigned errsz)
{
	char path[PATH_MAX], abs[PATH_MAX], line[PATH_MAX + 2];
	int fd, n, rc = 0;

	/* The store is open: the file exists, realpath names it. */
	if (!realpath(db_path, abs)) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", db_path, strerror(errno));
		return rc;
	}
	run_marker_path(journal, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return rc;
	}
	n = snprintf(line, sizeof(line), "%s\n", abs);
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

/* The database path a marker holds: 0, -ENOENT (none), -EPERM (not a
 * 0600 file of ours: refused) or -EINVAL (not one absolute path). */
static int marker_read(const char *path, char *db, size_t dbsz)
{
	struct stat sb;
	ssize_t n;
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
	db[n - 1] = '\0';
	for (const char *p = db; *p; p++)
		if ((unsigned char)*p < 0x20)
			return -EINVAL;
	return 0;
}

int run_marker_settle(const char *journal, const char *who,
		      const char *skip_db, char *err, unsigned errsz)
{
	char path[PATH_MAX], db[PATH_MAX + 2], self[PATH_MAX], host[256] = "";
	struct store *st;
	unsigned n = 0;
	int rc;

	run_marker_path(journal, path, sizeof(path));
	rc = marker_read(path, db, sizeof(db));
	if (rc == -ENOENT)
		return 0;
	if (rc < 0) {
		snprintf(err, errsz, "%s: %s; inspect it and remove it",
			 path, rc == -EPERM ? "not a 0600 file of ours: "
			 "refused" : "not one absolute database path");
		return rc;
	}
	if (access(db, F_OK) < 0 ||
	    (skip_db && realpath(skip_db, self) && !strcmp(self, db))) {
		unlink(path);
		return 0;
	}
	rc = store_open(db, STORE_WRITE, &st, err, errsz);
	if (rc < 0)
		return rc;
	gethostname(host, sizeof(host) - 1);
	rc = store_runs_abandoned(st, host, &n);
	if (rc < 0)
		snprintf(err, errsz, "%s: %s", db, store_errmsg(st));
	store_close(st);
	if (rc < 0)
		return rc;
	if (n)
		fprintf(stderr, "%s: %u run%s in %s left 'running' by a "
			"harness that died: marked aborted\n", who, n,
			n > 1 ? "s" : "", db);
	unlink(path);
	return 0;
}
