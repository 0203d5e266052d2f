/*
 * trace.c - see trace.h.  Every write goes through journal_write(), which
 * first records the file's original value, so trace_end() can put back
 * exactly what was there whatever happened in between.
 */
#include "harness/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* Per event, not per group: a group's enable reads "X" when mixed, which
 * cannot be written back. */
static const char *const events[] = {
	"events/sched/sched_switch/enable",
	"events/sched/sched_wakeup/enable",
	"events/irq/irq_handler_entry/enable",
	"events/irq/irq_handler_exit/enable",
	"events/irq/softirq_entry/enable",
	"events/irq/softirq_exit/enable",
	"events/irq_vectors/local_timer_entry/enable",
	"events/irq_vectors/local_timer_exit/enable",
};
#define NEVENTS (sizeof(events) / sizeof(events[0]))

static int path_of(const struct trace_ctx *t, const char *file, char *buf,
		   size_t size)
{
	int n = snprintf(buf, size, "%s/%s", t->dir, file);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_str(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;
	size_t len = strlen(v);

	if (fd < 0)
		return -errno;
	if (write(fd, v, len) != (ssize_t)len)
		rc = -errno;
	close(fd);
	return rc;
}

/* Journal file's value, then write v.  A file this kernel lacks is
 * skipped (returns -ENOENT, not journaled). */
static int journal_write(struct trace_ctx *t, const char *file,
			 const char *v)
{
	char path[512], orig[64];
	int rc;

	if ((rc = path_of(t, file, path, sizeof(path))))
		return rc;
	if ((rc = read_small(path, orig, sizeof(orig))))
		return rc;
	if (t->n == TRACE_JOURNAL_MAX)
		return -ENOSPC;
	snprintf(t->journal[t->n].file, sizeof(t->journal[t->n].file), "%s",
		 file);
	snprintf(t->journal[t->n].orig, sizeof(t->journal[t->n].orig), "%s",
		 orig);
	t->n++;
	return write_str(path, v);
}

static int is_empty_dir(const char *dir)
{
	char path[256];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/tracing_on", dir);
	return stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	       stat(path, &sb) < 0;
}

static int find_tracefs(struct trace_ctx *t)
{
	static const char *const dirs[] = { "/sys/kernel/tracing",
					    "/sys/kernel/debug/tracing" };
	char path[256];

	for (unsigned i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/tracing_on", dirs[i]);
		if (access(path, W_OK) == 0) {
			snprintf(t->dir, sizeof(t->dir), "%s", dirs[i]);
			return 0;
		}
	}
	/* The mount point is there but nothing is mounted (containers,
	 * minimal systems): mount it for this case only. */
	if (is_empty_dir(dirs[0])) {
		if (mount("nodev", dirs[0], "tracefs", 0, NULL) == 0) {
			t->mounted = 1;
			snprintf(t->dir, sizeof(t->dir), "%s", dirs[0]);
			return 0;
		}
		snprintf(t->why, sizeof(t->why), "cannot mount tracefs on "
			 "%s: %s", dirs[0], strerror(errno));
		return -errno;
	}
	snprintf(t->why, sizeof(t->why), "no tracefs (neither "
		 "/sys/kernel/tracing nor /sys/kernel/debug/tracing)");
	return -ENOENT;
}

int trace_begin(struct trace_ctx *t)
{
	char path[512];
	int fd, rc;

	memset(t, 0, sizeof(*t));
	if ((rc = find_tracefs(t)))
		return rc;
	rc = journal_write(t, "tracing_on", "0");
	if (rc == 0)
		rc = journal_write(t, "current_tracer", "nop");
	if (rc) {
		snprintf(t->why, sizeof(t->why), "cannot set up %s: %s",
			 t->dir, strerror(-rc));
		return rc;
	}
	/* Clear the ring so the stored trace is this case's. */
	path_of(t, "trace", path, sizeof(path));
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	for (unsigned i = 0; i < NEVENTS; i++)
		journal_write(t, events[i], "1"); /* absent events: fine */
	/* tracing_on is journaled already: write it directly. */
	path_of(t, "tracing_on", path, sizeof(path));
	if ((rc = write_str(path, "1"))) {
		snprintf(t->why, sizeof(t->why), "cannot start tracing: %s",
			 strerror(-rc));
		return rc;
	}
	return 0;
}

/* Tail of the trace text, at most TRACE_KEEP bytes, NUL-terminated. */
static char *read_tail(const char *path, size_t *len)
{
	char *buf = malloc(2 * (size_t)TRACE_KEEP + 1);
	size_t n = 0;
	int fd;

	*len = 0;
	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, 2 * (size_t)TRACE_KEEP - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == 2 * (size_t)TRACE_KEEP) {
			/* Keep the newest TRACE_KEEP bytes and read on. */
			memmove(buf, buf + TRACE_KEEP, TRACE_KEEP);
			n = TRACE_KEEP;
		}
	}
	close(fd);
	if (n > TRACE_KEEP) {
		memmove(buf, buf + n - TRACE_KEEP, TRACE_KEEP);
		n = TRACE_KEEP;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int trace_end(struct trace_ctx *t, trace_fact_fn fact, void *ctx)
{
	char path[512], on[16] = "";
	char msg[600];
	size_t len = 0;
	char *text;
	int rc = 0;

	if (!t->dir[0]) {
		snprintf(msg, sizeof(msg), "trace unavailable: %s",
			 t->why[0] ? t->why : "not set up");
		return fact(ctx, "trace", msg);
	}
	path_of(t, "tracing_on", path, sizeof(path));
	read_small(path, on, sizeof(on));
	/* Stop first so reading does not race new events. */
	write_str(path, "0");
	rc = fact(ctx, "trace_stopped", strcmp(on, "0") ? "no" : "yes");
	path_of(t, "trace", path, sizeof(path));
	text = read_tail(path, &len);
	if (rc == 0) {
		if (text)
			rc = fact(ctx, "trace", text);
		else {
			snprintf(msg, sizeof(msg), "trace unavailable: cannot "
				 "read %s", path);
			rc = fact(ctx, "trace", msg);
		}
	}
	free(text);
	/* Undo in reverse order; tracing_on (entry 0) last. */
	while (t->n > 0) {
		t->n--;
		if (path_of(t, t->journal[t->n].file, path, sizeof(path)) == 0)
			write_str(path, t->journal[t->n].orig);
	}
	if (t->mounted && umount2(t->dir, MNT_DETACH) == 0)
		t->mounted = 0;
	return rc;
}
