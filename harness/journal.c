/*
 * journal.c - see journal.h.  Append-before-change, fsync'd, replayed in
 * reverse; the parser treats a last line without its newline as never
 * written (the change it announced was not made either: the append comes
 * first and returns only after fsync).
 */
#include "harness/journal.h"

#include <ctype.h>
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

#include "harness/util.h"
#include "harness/xen_undo.h"

#define JOURNAL_MAGIC "isolat-journal 1"
#define JOURNAL_SIZE_MAX (16u << 20)

static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* [a-z0-9_]+ up to the next '/', which must come: the length, or 0. */
static size_t word_len(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");

	return s[n] == '/' ? n : 0;
}

/*
 * A tracefs file trace.c writes, by exact name under one of the two
 * places tracefs lives: a fixed list, plus the enable switch of one event
 * (never a group's, never a file that takes commands such as set_event or
 * kprobe_events).
 */
static int tracefs_file(const char *path)
{
	static const char *const dirs[] = { "/sys/kernel/tracing/",
					    "/sys/kernel/debug/tracing/" };
	static const char *const files[] = { "tracing_on", "current_tracer",
					     "buffer_size_kb",
					     "tracing_cpumask" };
	const char *s = NULL;
	size_t n;

	for (size_t i = 0; i < 2 && !s; i++)
		if (has_prefix(path, dirs[i]))
			s = path + strlen(dirs[i]);
	if (!s)
		return 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(s, files[i]))
			return 1;
	if (!has_prefix(s, "events/"))
		return 0;
	s += strlen("events/");
	if (!(n = word_len(s)))
		return 0;
	s += n + 1;
	if (!(n = word_len(s)))
		return 0;
	return !strcmp(s + n, "/enable");
}

/* The kind's word in the file, in enum journal_kind order. */
static const char *const kind_names[] = {
	"write", "sched", "mkdir", "mount", "domain", "cpupool", "dom0pin",
};

int journal_path_allowed(enum journal_kind kind, const char *path)
{
	const char *s;

	/* Xen objects: names, undone through xl (harness/xen_undo.c). */
	if (kind == JOURNAL_DOMAIN || kind == JOURNAL_CPUPOOL)
		return xen_undo_name_ok(path);
	if (kind == JOURNAL_DOM0PIN)
		return xen_undo_dom0_vcpu(path) >= 0;
	if (!path || path[0] != '/' || strlen(path) >= 512 ||
	    strstr(path, "..") || strstr(path, "//"))
		return 0;
	for (s = path; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/_.:-", *s))
			return 0;
	if (kind == JOURNAL_SCHED) {
		s = path + strlen("/proc/");
		return has_prefix(path, "/proc/") && all_digits(s, strlen(s));
	}
	if (kind == JOURNAL_MOUNT)
		return !strcmp(path, "/sys/kernel/tracing");
	if (kind == JOURNAL_MKDIR) {
		/* Only directories tuning names: never rmdir someone else's
		 * cgroup (systemd's, or the LXC backend's isolat.payload.*). */
		s = strrchr(path, '/');
		return has_prefix(path, "/sys/fs/cgroup/") &&
		       has_prefix(s, "/isolat.tune.") &&
		       s[strlen("/isolat.tune.")];
	}
	if (!strcmp(path, "/proc/irq/default_smp_affinity"))
		return 1;
	if (has_prefix(path, "/proc/irq/")) {
		const char *slash;

		s = path + strlen("/proc/irq/");
		slash = strchr(s, '/');
		return slash && all_digits(s, (size_t)(slash - s)) &&
		       !strcmp(slash, "/smp_affinity");
	}
	if (has_prefix(path, "/proc/sys/kernel/")) {
		s = path + strlen("/proc/sys/kernel/");
		return *s && !strchr(s, '/');
	}
	if (has_prefix(path, "/sys/devices/"))
		return strstr(path, "/cpufreq/") ||
		       has_prefix(path, "/sys/devices/virtual/workqueue/");
	if (has_prefix(path, "/sys/kernel/mm/transparent_hugepage/"))
		return path[strlen("/sys/kernel/mm/transparent_hugepage/")];
	if (has_prefix(path, "/sys/fs/cgroup/"))
		return path[strlen("/sys/fs/cgroup/")] != '\0';
	return tracefs_file(path);
}

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
static int proc_starttime(pid_t pid, unsigned long long *start)
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
		rc = -errno;
		snprintf(err, errsz, "%s: %s%s", j->path, strerror(errno),
			 rc == -EEXIST ? "; another isolat run is tuning "
			 "the host, or one died: then run `isolat restore`"
			 : "");
		return rc;
	}
	proc_starttime(getpid(), &start);
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
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (!journal_path_allowed(r->kind, r->path)) {
		snprintf(err, errsz, "%s: not a path host tuning may change",
			 r->path);
		return -EPERM;
	}
	if (j->fd < 0 && (rc = open_new(j, err, errsz)) < 0)
		return rc;
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	put_field(f, kind_names[r->kind], '\t');
	put_field(f, r->knob, '\t');
	put_field(f, r->path, '\t');
	put_field(f, r->orig, '\t');
	put_field(f, r->new_value, '\n');
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	rc = 0;
	if (write(j->fd, buf, len) != (ssize_t)len || fsync(j->fd) < 0)
		rc = errno ? -errno : -EIO;
	free(buf);
	if (rc < 0) {
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

static char *read_all(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
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
	int p = 0, fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
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
	if (strncmp(buf, JOURNAL_MAGIC "\nowner ", strlen(JOURNAL_MAGIC) + 7))
		return -EINVAL;
	if (sscanf(buf + strlen(JOURNAL_MAGIC) + 7, "%d %llu", &p, &start) != 2
	    || p <= 0)
		return -EINVAL;
	*pid = p;
	*alive = proc_starttime(p, &now) == 0 && now == start;
	return 0;
}

static int parse_policy(const char *v, int *policy, int *prio)
{
	static const struct { const char *name; int policy; } pol[] = {
		{"other", SCHED_OTHER}, {"fifo", SCHED_FIFO},
		{"rr", SCHED_RR}, {"batch", SCHED_BATCH},
		{"idle", SCHED_IDLE},
	};
	const char *colon = strchr(v, ':');

	if (!colon)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(pol) / sizeof(pol[0]); i++)
		if (strlen(pol[i].name) == (size_t)(colon - v) &&
		    !strncmp(v, pol[i].name, (size_t)(colon - v))) {
			*policy = pol[i].policy;
			*prio = atoi(colon + 1);
			return *prio >= 0 && *prio <= 99 ? 0 : -EINVAL;
		}
	return -EINVAL;
}

static int undo_sched(const struct journal_rec *r, const char *root)
{
	char path[1024], comm[64] = "";
	const char *want = strchr(r->knob, ':');
	struct sched_param sp = {0};
	int fd, policy, prio;
	ssize_t n;

	if (!want || parse_policy(r->orig, &policy, &prio) < 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s%s/comm", root, r->path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* the thread is gone */
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	comm[n > 0 ? n : 0] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	/* Another thread now has that PID: not ours to change. */
	if (strcmp(comm, want + 1))
		return 0;
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
	    has_prefix(r->path, "/proc/irq/"))
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

static int parse_rec(char *line, struct journal_rec *r)
{
	char *fld[6];
	int n = split_fields(line, fld, 6);
	size_t k;

	if (n != 5)
		return -EINVAL;
	for (k = 0; k < sizeof(kind_names) / sizeof(*kind_names); k++)
		if (!strcmp(fld[0], kind_names[k]))
			break;
	if (k == sizeof(kind_names) / sizeof(*kind_names))
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

int journal_replay(const char *path, const char *root, journal_note_fn note,
		   void *ctx, char *err, size_t errsz)
{
	size_t len, nlines = 0;
	char *buf = read_all(path, &len), **lines = NULL, *p;
	struct journal_rec *r = NULL;
	int first = 0;

	if (!buf) {
		int rc = errno ? -errno : -EIO;

		if (rc != -ENOENT)
			snprintf(err, errsz, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (strncmp(buf, JOURNAL_MAGIC "\n", strlen(JOURNAL_MAGIC) + 1)) {
		snprintf(err, errsz, "%s: not an isolat tuning journal (no "
			 "'%s' header); left as it is", path, JOURNAL_MAGIC);
		free(buf);
		return -EINVAL;
	}
	lines = calloc(len + 2, sizeof(*lines)); /* a line per byte at most */
	r = calloc(1, sizeof(*r));
	if (!lines || !r) {
		free(buf);
		free(lines);
		free(r);
		return -ENOMEM;
	}
	/* Complete lines only; skip the magic and owner lines. */
	for (p = buf; *p;) {
		char *nl = strchr(p, '\n');

		if (!nl)
			break;
		*nl = '\0';
		lines[nlines++] = p;
		p = nl + 1;
	}
	for (size_t i = nlines; i-- > 2;) {
		int rc;

		if (parse_rec(lines[i], r) < 0) {
			if (!first) {
				first = -EINVAL;
				snprintf(err, errsz, "%s: line %zu is not a "
					 "journal record; skipped", path,
					 i + 1);
			}
			continue;
		}
		if (!journal_path_allowed(r->kind, r->path)) {
			rc = -EPERM;
			if (!first)
				snprintf(err, errsz, "%s: line %zu: %s is not "
					 "a path host tuning may change; "
					 "refused", path, i + 1, r->path);
		} else {
			rc = r->kind == JOURNAL_SCHED   ? undo_sched(r, root)
			     : r->kind == JOURNAL_MKDIR ? undo_mkdir(r, root)
			     : r->kind == JOURNAL_MOUNT ? undo_mount(r, root)
			     : r->kind == JOURNAL_WRITE ? undo_write(r, root)
			     /* Xen's state is not under root: a fake tree
			      * (tests) has no Xen to undo. */
			     : root[0] ? 0 : xen_undo_record(NULL, r, NULL, 0);
			if (rc < 0 && !first)
				snprintf(err, errsz, "%s: %s", r->path,
					 strerror(-rc));
		}
		if (rc < 0 && !first)
			first = rc;
		if (note)
			note(ctx, r, rc);
	}
	free(lines);
	free(r);
	free(buf);
	/* Every record was tried; what failed stays failed on a retry. */
	if (unlink(path) < 0 && errno != ENOENT && !first) {
		first = -errno;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
	}
	return first;
}
