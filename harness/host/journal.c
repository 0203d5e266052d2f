/*
 * journal.c - see journal.h (what records may say: journal_allow.c; the
 * host's record kinds: journal_host.c; the run lock: journal_lock.c).
 * Every kind is reached through its struct journal_kind: this file knows
 * the format, never what a record changes.  Append-before-change, fsync'd, replayed in
 * reverse; the parser treats a last line without its newline as never
 * written (the change it announced was not made either: the append comes
 * first and returns only after fsync).
 */
#include "harness/host/journal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "harness/host/journal_int.h"
#include "harness/util.h"

#define JOURNAL_MAGIC "isolat-journal 1"
#define JOURNAL_SIZE_MAX (16u << 20)

void journal_init(struct journal *j, const char *path, const char *root)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->path, sizeof(j->path), "%s", path);
	snprintf(j->root, sizeof(j->root), "%s", root ? root : "");
	j->fd = -1;
}

/* field with TAB, newline, backslash escaped, then sep. */
static void put_field(FILE *f, const char *v, char sep)
{
	for (; *v; v++) {
		if (*v == '\t')
			fputs("\\t", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else if (*v == '\\')
			fputs("\\\\", f);
		else
			fputc(*v, f);
	}
	fputc(sep, f);
}

/* /proc/PID/stat field 22: when the process started (clock ticks after
 * boot); with the PID it names one process across PID reuse. */
int journal_starttime(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* comm may contain spaces and ')': fields follow the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	p++;
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EINVAL;
	}
	return sscanf(p, " %llu", start) == 1 ? 0 : -EINVAL;
}

static int open_new(struct journal *j, char *err, size_t errsz)
{
	char dir[512], *slash;
	unsigned long long start = 0;
	int fd, rc;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", j->path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			rc = -errno;
			snprintf(err, errsz, "%s: %s", dir, strerror(errno));
			return rc;
		}
	}
	/* O_EXCL: a journal left by someone else must be restored first,
	 * never overwritten (its original values would be lost). */
	fd = open(j->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		pid_t owner = 0;
		int alive = 0;

		rc = -errno;
		if (rc == -EEXIST &&
		    journal_owner(j->path, &owner, &alive) == 0 &&
		    owner == getpid())
			snprintf(err, errsz, "%s: the undo of an earlier "
				 "case failed and what it left stays in this "
				 "journal: the host is still tuned; run "
				 "`isolat restore` once this run is over",
				 j->path);
		else
			snprintf(err, errsz, "%s: %s%s", j->path,
				 strerror(-rc), rc == -EEXIST ? "; another "
				 "isolat run is tuning the host, or one died: "
				 "then run `isolat restore`" : "");
		return rc;
	}
	journal_starttime(getpid(), &start);
	f = fdopen(dup(fd), "w");
	if (!f) {
		rc = -errno;
		close(fd);
		unlink(j->path);
		snprintf(err, errsz, "%s: %s", j->path, strerror(-rc));
		return rc;
	}
	fprintf(f, JOURNAL_MAGIC "\nowner %d %llu\n", (int)getpid(), start);
	if (fclose(f) != 0 || fsync(fd) < 0) {
		rc = -errno;
		close(fd);
		unlink(j->path);
		snprintf(err, errsz, "%s: %s", j->path, strerror(-rc));
		return rc;
	}
	/* The directory entry itself must survive a crash too. */
	if (slash && slash != dir) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	j->fd = fd;
	return 0;
}

int journal_append(struct journal *j, const struct journal_rec *r,
		   char *err, size_t errsz)
{
	char *buf = NULL, why[256];
	size_t len = 0;
	off_t end;
	ssize_t w;
	FILE *f;
	int rc;

	if (!journal_rec_allowed(r, why, sizeof(why))) {
		snprintf(err, errsz, "%s; refused (not journaled, not "
			 "changed)", why);
		return -EPERM;
	}
	if (j->fd < 0 && (rc = open_new(j, err, errsz)) < 0)
		return rc;
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	put_field(f, journal_kinds[r->kind]->word, '\t');
	put_field(f, r->knob, '\t');
	put_field(f, r->path, '\t');
	put_field(f, r->orig, '\t');
	put_field(f, r->new_value, '\n');
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	rc = 0;
	end = lseek(j->fd, 0, SEEK_END);
	errno = 0;
	w = end < 0 ? -1 : write(j->fd, buf, len);
	if (w != (ssize_t)len || fsync(j->fd) < 0)
		rc = w >= 0 && w < (ssize_t)len ? -ENOSPC
		     : errno ? -errno : -EIO;
	free(buf);
	if (rc < 0) {
		/* A torn line would swallow the next record: cut it off
		 * (the change it announced is not made either). */
		if (end >= 0 && ftruncate(j->fd, end) == 0)
			fsync(j->fd);
		snprintf(err, errsz, "%s: %s", j->path, strerror(-rc));
		return rc;
	}
	j->n++;
	return 0;
}

void journal_close(struct journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

/*
 * A journal file root may act on: a regular file (O_NOFOLLOW: not a
 * link) owned by whoever runs isolat (root) and writable by nobody else.
 * Anyone else able to write it could make `isolat restore` write what they
 * chose as root.  0 or -EPERM.
 */
static int file_trusted(int fd)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return -errno;
	if (!S_ISREG(sb.st_mode) || sb.st_uid != geteuid() ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM;
	return 0;
}

/* Open path for reading, only when it is trusted (errno: EPERM else). */
static int open_trusted(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc;

	if (fd < 0) {
		/* O_NOFOLLOW on a symlink */
		if (errno == ELOOP)
			errno = EPERM;
		return -1;
	}
	if ((rc = file_trusted(fd)) < 0) {
		close(fd);
		errno = -rc;
		return -1;
	}
	return fd;
}

/* The whole file is the beginning of a header whose writer died before
 * it was complete (fsync'd): no change can come before the header. */
static int header_partial(const char *buf, size_t len)
{
	static const char hdr[] = JOURNAL_MAGIC "\nowner ";
	size_t nl = 0;

	for (size_t i = 0; i < len; i++)
		nl += buf[i] == '\n';
	if (nl >= 2)
		return 0;
	if (len <= strlen(hdr))
		return !strncmp(buf, hdr, len);
	return !strncmp(buf, hdr, strlen(hdr)) &&
	       strspn(buf + strlen(hdr), "0123456789 ") == len - strlen(hdr);
}

static char *read_all(const char *path, size_t *len)
{
	int fd = open_trusted(path);
	size_t cap = 0;
	char *buf = NULL;
	ssize_t n;

	*len = 0;
	if (fd < 0)
		return NULL;
	for (;;) {
		if (cap - *len < 4096) {
			char *nb;

			if (cap >= JOURNAL_SIZE_MAX) {
				errno = EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap + 1);
			if (!nb)
				break;
			buf = nb;
		}
		n = read(fd, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			if (n < 0) {
				free(buf);
				return NULL;
			}
			buf[*len] = '\0';
			return buf;
		}
		*len += (size_t)n;
	}
	close(fd);
	free(buf);
	return NULL;
}

/* Split one line into at most max unescaped fields (in place). */
static int split_fields(char *line, char **fld, int max)
{
	int n = 0;
	char *w = line, *r = line;

	fld[n++] = w;
	for (; *r; r++) {
		if (*r == '\t') {
			*w++ = '\0';
			if (n == max)
				return -1;
			fld[n++] = w;
		} else if (*r == '\\' && r[1]) {
			r++;
			*w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return n;
}

int journal_owner(const char *path, pid_t *pid, int *alive)
{
	char buf[256];
	unsigned long long start = 0, now = 0;
	int p = 0, fd = open_trusted(path);
	ssize_t n;

	*alive = 0;
	*pid = 0;
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	/* Killed between create and header: nothing was changed. */
	if (header_partial(buf, (size_t)n)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
		return -ENOENT;
	}
	if (strncmp(buf, JOURNAL_MAGIC "\nowner ", strlen(JOURNAL_MAGIC) + 7))
		return -EINVAL;
	if (sscanf(buf + strlen(JOURNAL_MAGIC) + 7, "%d %llu", &p, &start) != 2
	    || p <= 0)
		return -EINVAL;
	*pid = p;
	*alive = journal_starttime(p, &now) == 0 && now == start;
	return 0;
}


static int parse_rec(char *line, struct journal_rec *r)
{
	char *fld[6];
	int n = split_fields(line, fld, 6);
	size_t k;

	if (n != 5)
		return -EINVAL;
	for (k = 0; k < JOURNAL_KINDS; k++)
		if (!strcmp(fld[0], journal_kinds[k]->word))
			break;
	if (k == JOURNAL_KINDS)
		return -EINVAL;
	r->kind = (enum journal_kind)k;
	if (strlen(fld[1]) >= sizeof(r->knob) ||
	    strlen(fld[2]) >= sizeof(r->path) ||
	    strlen(fld[3]) >= sizeof(r->orig) ||
	    strlen(fld[4]) >= sizeof(r->new_value))
		return -EINVAL;
	strcpy(r->knob, fld[1]);
	strcpy(r->path, fld[2]);
	strcpy(r->orig, fld[3]);
	strcpy(r->new_value, fld[4]);
	return 0;
}

/*
 * Replace the journal at path by its header and the lines keep[] marks
 * (in their order): a tmp file in the same directory, fsync'd, renamed
 * over it, the directory fsync'd.  0 or -errno.
 */
static int rewrite_kept(const char *path, char *const *lines,
			const size_t *lens, const char *keep, size_t nlines)
{
	char tmp[600], dir[600], *slash;
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < nlines && rc == 0; i++) {
		if (i >= 2 && !keep[i])
			continue;
		if (write(fd, lines[i], lens[i]) != (ssize_t)lens[i] ||
		    write(fd, "\n", 1) != 1)
			rc = errno ? -errno : -EIO;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	return 0;
}

/* A journal being replayed: its text, its lines, which of them stay. */
struct replay {
	const char *path;
	char *buf, *copy, **lines, *keep;
	size_t len, nlines, nfailed, *lens;
	struct journal_rec *r;
	int first; /* the first -errno, 0 so far */
};

static void replay_free(struct replay *rp)
{
	free(rp->lines);
	free(rp->lens);
	free(rp->keep);
	free(rp->copy);
	free(rp->r);
	free(rp->buf);
}

/* Read and check the journal: 1 to replay it, 0 when there was nothing
 * to undo (a partial header: removed), or -errno with err set. */
static int replay_open(struct replay *rp, char *err, size_t errsz)
{
	const char *path = rp->path;

	rp->buf = read_all(path, &rp->len);
	if (!rp->buf) {
		int rc = errno ? -errno : -EIO;

		if (rc == -EPERM)
			snprintf(err, errsz, "%s: not a regular file owned by "
				 "uid %d and writable by it alone; refused "
				 "(anyone who can write it could make restore "
				 "write what they chose as root): inspect it",
				 path, (int)geteuid());
		else if (rc != -ENOENT)
			snprintf(err, errsz, "%s: %s", path, strerror(-rc));
		return rc;
	}
	/* Killed between create and header: nothing was changed yet. */
	if (header_partial(rp->buf, rp->len)) {
		if (unlink(path) < 0 && errno != ENOENT) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			return -errno;
		}
		return 0;
	}
	if (strncmp(rp->buf, JOURNAL_MAGIC "\n", strlen(JOURNAL_MAGIC) + 1)) {
		snprintf(err, errsz, "%s: not an isolat tuning journal (no "
			 "'%s' header); left as it is", path, JOURNAL_MAGIC);
		return -EINVAL;
	}
	return 1;
}

/* Split rp->buf into complete lines (copy keeps each as written: parsing
 * unescapes buf in place, and the records that stay are rewritten from
 * it).  0 or -ENOMEM. */
static int replay_lines(struct replay *rp)
{
	size_t len = rp->len;
	char *p;

	rp->lines = calloc(len + 2, sizeof(*rp->lines)); /* a line per byte
							  * at most */
	rp->lens = calloc(len + 2, sizeof(*rp->lens));
	rp->keep = calloc(len + 2, 1);
	rp->copy = malloc(len + 1);
	rp->r = calloc(1, sizeof(*rp->r));
	if (!rp->lines || !rp->lens || !rp->keep || !rp->copy || !rp->r)
		return -ENOMEM;
	for (p = rp->buf; *p;) {
		char *nl = strchr(p, '\n');

		if (!nl)
			break;
		*nl = '\0';
		rp->lens[rp->nlines] = (size_t)(nl - p);
		rp->lines[rp->nlines++] = p;
		p = nl + 1;
	}
	memcpy(rp->copy, rp->buf, len + 1);
	return 0;
}

/* Undo the record on line i (unless refused); a failure keeps it. */
static void replay_one(struct replay *rp, size_t i, const char *root,
		       journal_note_fn note, void *ctx, char *err,
		       size_t errsz)
{
	struct journal_rec *r = rp->r;
	char why[600];
	int rc;

	if (parse_rec(rp->lines[i], r) < 0) {
		if (!rp->first)
			snprintf(err, errsz, "%s: line %zu is not a journal "
				 "record; kept", rp->path, i + 1);
		rp->first = rp->first ? rp->first : -EINVAL;
		rp->keep[i] = 1;
		rp->nfailed++;
		return;
	}
	if (!journal_rec_allowed(r, why, sizeof(why))) {
		rc = -EPERM;
		if (!rp->first)
			snprintf(err, errsz, "%s: line %zu: %s; refused "
				 "(nothing written)", rp->path, i + 1, why);
	} else {
		rc = journal_kinds[r->kind]->undo(r, root);
		if (rc < 0 && !rp->first)
			snprintf(err, errsz, "%s: %s", r->path, strerror(-rc));
	}
	if (rc < 0) {
		rp->first = rp->first ? rp->first : rc;
		rp->keep[i] = 1;
		rp->nfailed++;
	}
	if (note)
		note(ctx, r, rc);
}

/* Every record was tried.  Removed only when all were undone; what
 * failed stays (header and those records), so that no run measures a
 * host still tuned and a second restore retries just those. */
static void replay_finish(struct replay *rp, char *err, size_t errsz)
{
	const char *path = rp->path;
	int wrc;

	if (!rp->nfailed) {
		if (unlink(path) < 0 && errno != ENOENT) {
			rp->first = -errno;
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
		}
		return;
	}
	for (size_t i = 0; i < rp->nlines; i++)
		rp->lines[i] = rp->copy + (rp->lines[i] - rp->buf);
	wrc = rewrite_kept(path, rp->lines, rp->lens, rp->keep, rp->nlines);
	if (wrc < 0)
		snprintf(err + strlen(err), errsz - strlen(err),
			 "; and rewriting %s failed (%s): it still holds "
			 "every record", path, strerror(-wrc));
	else
		snprintf(err + strlen(err), errsz - strlen(err),
			 "; %zu record%s left in %s", rp->nfailed,
			 rp->nfailed == 1 ? "" : "s", path);
}

int journal_replay(const char *path, const char *root, journal_note_fn note,
		   void *ctx, char *err, size_t errsz)
{
	struct replay rp = {.path = path};
	int rc = replay_open(&rp, err, errsz);

	if (rc <= 0) {
		replay_free(&rp);
		return rc;
	}
	rc = replay_lines(&rp);
	if (rc < 0) {
		replay_free(&rp);
		return rc;
	}
	/* Newest first; lines 0 and 1 are the magic and the owner. */
	for (size_t i = rp.nlines; i-- > 2;)
		if (rp.lines[i][0]) /* blank: no record */
			replay_one(&rp, i, root, note, ctx, err, errsz);
	replay_finish(&rp, err, errsz);
	rc = rp.first;
	replay_free(&rp);
	return rc;
}
