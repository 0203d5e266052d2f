/*
 * workdir.c - a case's work directory (workdir.h): made under a journal
 * record so a harness killed with -9 leaves nothing behind, and removed
 * after the case.
 */
#include "harness/run/workdir.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/host/journal.h"

/*
 * The case's work directory, /tmp/isolat-XXXXXXXXXX (random letters and
 * digits), 0700.  As root its name is journaled before it is made, so a
 * harness killed with -9 leaves a journal that removes it (`isolat
 * restore`, or the next run); a non-root function test journals nothing.
 * 0 or -errno with err set.
 */
int workdir_make(struct journal *j, char *dir, size_t size,
			char *err, size_t errsz)
{
	static const char az[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[10];
	char name[sizeof(rnd) + 1];
	int rc, fd;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	rc = fd < 0 || read(fd, rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd);
	if (fd >= 0)
		close(fd);
	if (rc) {
		snprintf(err, errsz, "/dev/urandom: %s", strerror(errno));
		return -EIO;
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		name[i] = az[rnd[i] % (sizeof(az) - 1)];
	name[sizeof(rnd)] = '\0';
	snprintf(dir, size, "/tmp/isolat-%s", name);
	if (geteuid() == 0 && (rc = journal_workdir(j, dir, err, errsz)) < 0)
		return rc;
	if (mkdir(dir, 0700) < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		return rc;
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void workdir_remove(const char *dir)
{
	/* No symlink followed, no other file system entered. */
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
