/*
 * journal_lock.c - one isolat run or restore at a time per journal: an
 * exclusive flock() on the "lock" file beside it, holding the holder's
 * pid for the message the next one prints.  See journal.h.
 */
#include "harness/host/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

void journal_lock_path(const char *journal_path, char *out, size_t size)
{
	const char *slash = strrchr(journal_path, '/');

	if (!slash)
		snprintf(out, size, "lock");
	else
		snprintf(out, size, "%.*s/lock",
			 (int)(slash - journal_path), journal_path);
}

int journal_lock(const char *journal_path, char *err, size_t errsz)
{
	char path[600], dir[600], pid[32] = "";
	const char *slash;
	int fd, rc;
	ssize_t n;

	journal_lock_path(journal_path, path, sizeof(path));
	slash = strrchr(path, '/');
	if (slash && slash != path) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			rc = -errno;
			snprintf(err, errsz, "%s: %s", dir, strerror(errno));
			return rc;
		}
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
		if (rc == -EWOULDBLOCK) {
			n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strspn(pid, "0123456789")] = '\0';
			/* A holder that wrote no pid yet, or a stale one
			 * (a holder that is not isolat): not named. */
			if (pid[0] && kill(atoi(pid), 0) < 0 && errno == ESRCH)
				pid[0] = '\0';
			snprintf(err, errsz, "another isolat run or restore "
				 "holds %s (pid %s); nothing was changed: wait "
				 "for it to end", path, pid[0] ? pid : "?");
		} else {
			snprintf(err, errsz, "%s: flock: %s", path,
				 strerror(-rc));
		}
		close(fd);
		return rc;
	}
	/* Held for the whole command; the pid is for the message above. */
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) == 0 &&
	    pwrite(fd, pid, strlen(pid), 0) == (ssize_t)strlen(pid))
		fsync(fd);
	return fd;
}

void journal_unlock(int fd)
{
	if (fd >= 0) {
		/* No stale pid for the next refusal to name. */
		if (ftruncate(fd, 0) < 0) {
			/* nothing to do: the lock goes with close */
		}
		close(fd);
	}
}
