/*
 * trace.c - see trace.h.  Every write goes through journal_write(), which
 * first appends the file's original value to the case's tuning journal
 * (fsync'd), so the run loop's tuning_undo() - or `isolat restore` after a
 * crash - puts back exactly what was there whatever happened in between.
 */
#include "harness/host/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/util.h"

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

/* The path as the journal names it (no root prefix). */
static int path_of(const struct trace_ctx *t, const char *file, char *buf,
		   size_t size)
{
	int n = snprintf(buf, size, "%s/%s", t->dir, file);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The same file on this host (or in the test's fake tree). */
static int host_path(const struct trace_ctx *t, const char *file, char *buf,
		     size_t size)
{
	int n = snprintf(buf, size, "%s%s/%s", t->root, t->dir, file);

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

/*
 * Journal file's value, then write v.  A file this kernel lacks is
 * skipped (returns -ENOENT, not journaled); so is a value that could not
 * be written back as read (an event in soft mode reads "0*").
 */
static int journal_write(struct trace_ctx *t, struct journal *j,
			 const char *file, const char *v)
{
	struct journal_rec *r = calloc(1, sizeof(*r));
	char path[1024], err[256];
	int rc;

	if (!r)
		return -ENOMEM;
	if ((rc = host_path(t, file, path, sizeof(path))) ||
	    (rc = read_small(path, r->orig, 256)))
		goto out;
	if (strchr(r->orig, '*') || strchr(r->orig, '[')) {
		rc = -EINVAL;
		goto out;
	}
	r->kind = JOURNAL_WRITE;
	snprintf(r->knob, sizeof(r->knob), "trace_threshold_us");
	snprintf(r->new_value, sizeof(r->new_value), "%s", v);
	if ((rc = path_of(t, file, r->path, sizeof(r->path))))
		goto out;
	if ((rc = journal_append(j, r, err, sizeof(err)))) {
		snprintf(t->why, sizeof(t->why), "%s", err);
		goto out;
	}
	t->changed++;
	rc = write_text(path, v, 0);
out:
	free(r);
	return rc;
}

static int is_empty_dir(const char *dir)
{
	char path[1100];
	struct stat sb;

	snprintf(path, sizeof(path), "%.1024s/tracing_on", dir);
	return stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	       stat(path, &sb) < 0;
}

/* Mount tracefs on the empty dir, journaled first so that a crash
 * leaves a record `isolat restore` unmounts. */
static int mount_tracefs(struct trace_ctx *t, struct journal *j,
			 const char *dir)
{
	struct journal_rec *r = calloc(1, sizeof(*r));
	char full[1024], err[256];
	int rc;

	if (!r)
		return -ENOMEM;
	r->kind = JOURNAL_MOUNT;
	snprintf(r->knob, sizeof(r->knob), "trace_threshold_us");
	snprintf(r->path, sizeof(r->path), "%s", dir);
	snprintf(r->orig, sizeof(r->orig), "absent");
	snprintf(r->new_value, sizeof(r->new_value), "tracefs");
	rc = journal_append(j, r, err, sizeof(err));
	free(r);
	if (rc < 0) {
		snprintf(t->why, sizeof(t->why), "%s", err);
		return rc;
	}
	t->changed++;
	snprintf(full, sizeof(full), "%s%s", t->root, dir);
	if (mount("nodev", full, "tracefs", 0, NULL) < 0) {
		rc = -errno;
		snprintf(t->why, sizeof(t->why), "cannot mount tracefs on "
			 "%s: %s", dir, strerror(errno));
		return rc;
	}
	t->mounted = 1;
	snprintf(t->dir, sizeof(t->dir), "%s", dir);
	return 0;
}

static int find_tracefs(struct trace_ctx *t, struct journal *j)
{
	static const char *const dirs[] = { "/sys/kernel/tracing",
					    "/sys/kernel/debug/tracing" };
	char path[1024];

	for (unsigned i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s%s/tracing_on", t->root,
			 dirs[i]);
		if (access(path, W_OK) == 0) {
			snprintf(t->dir, sizeof(t->dir), "%s", dirs[i]);
			return 0;
		}
	}
	/* The mount point is there but nothing is mounted (containers,
	 * minimal systems): mount it for this case only. */
	snprintf(path, sizeof(path), "%s%s", t->root, dirs[0]);
	/* Never a mount under a test's fake tree: it would be the host's
	 * one tracefs all the same. */
	if (is_empty_dir(path) && !t->root[0])
		return mount_tracefs(t, j, dirs[0]);
	snprintf(t->why, sizeof(t->why), "no tracefs (neither "
		 "/sys/kernel/tracing nor /sys/kernel/debug/tracing)");
	return -ENOENT;
}

/*
 * The kernel allocates its trace ring small at boot ("7 (expanded:
 * 1408)") and expands it for good the first time tracing is enabled;
 * there is no way back but a reboot (writing 1408 gives 1410 on 6.x).
 * Say so before it happens: a kept record in the journal (restore prints
 * it; nothing is written back) and t->ring for the case's facts.
 */
static int note_ring(struct trace_ctx *t, struct journal *j)
{
	struct journal_rec *r;
	char path[1024], v[128] = "", err[256];
	int rc;

	if (host_path(t, "buffer_size_kb", path, sizeof(path)) ||
	    read_small(path, v, sizeof(v)) || !strstr(v, "(expanded:"))
		return 0; /* already expanded (or unreadable): nothing new */
	if (!(r = calloc(1, sizeof(*r))))
		return -ENOMEM;
	r->kind = JOURNAL_KEPT;
	snprintf(r->knob, sizeof(r->knob), "trace_threshold_us");
	snprintf(r->orig, sizeof(r->orig), "%s", v);
	snprintf(r->new_value, sizeof(r->new_value), "expanded");
	rc = path_of(t, "buffer_size_kb", r->path, sizeof(r->path));
	if (rc == 0 && (rc = journal_append(j, r, err, sizeof(err))))
		snprintf(t->why, sizeof(t->why), "%s", err);
	free(r);
	if (rc == 0)
		snprintf(t->ring, sizeof(t->ring), "%s", v);
	return rc;
}

/* The setup failed: trace_end must then leave tracefs alone (what was
 * changed is in the journal); trace = "trace unavailable: why". */
static int give_up(struct trace_ctx *t, int rc, const char *what)
{
	char why[sizeof(t->why)];

	snprintf(why, sizeof(why), "%s", t->why);
	snprintf(t->why, sizeof(t->why), "%.40s %.120s: %.200s", what, t->dir,
		 why[0] ? why : strerror(-rc));
	t->dir[0] = '\0';
	return rc;
}

int trace_begin(struct trace_ctx *t, struct journal *j)
{
	char path[1024];
	int fd, rc;

	memset(t, 0, sizeof(*t));
	snprintf(t->root, sizeof(t->root), "%s", j->root);
	if ((rc = find_tracefs(t, j))) {
		t->dir[0] = '\0';
		return rc;
	}
	rc = note_ring(t, j);
	if (rc == 0)
		rc = journal_write(t, j, "tracing_on", "0");
	if (rc == 0)
		rc = journal_write(t, j, "current_tracer", "nop");
	if (rc)
		return give_up(t, rc, "cannot set up");
	/* Clear the ring so the stored trace is this case's. */
	host_path(t, "trace", path, sizeof(path));
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0)
		close(fd);
	for (unsigned i = 0; i < NEVENTS; i++) {
		rc = journal_write(t, j, events[i], "1");
		/* An event this kernel lacks is fine; a journal that cannot
		 * be written is not (nothing more may change then). */
		if (rc && rc != -ENOENT && rc != -EINVAL && rc != -EACCES)
			return give_up(t, rc, "cannot enable the events in");
	}
	/* tracing_on's original is journaled already: write it directly. */
	host_path(t, "tracing_on", path, sizeof(path));
	if ((rc = write_text(path, "1", 0)))
		return give_up(t, rc, "cannot start tracing in");
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

int trace_end(struct trace_ctx *t, fact_fn fact, void *ctx)
{
	char path[1024], on[16] = "";
	char msg[600];
	size_t len = 0;
	char *text;
	int rc = 0;

	if (t->ring[0]) {
		char now[128] = "?";

		if (t->dir[0]) {
			host_path(t, "buffer_size_kb", path, sizeof(path));
			read_small(path, now, sizeof(now));
		}
		snprintf(msg, sizeof(msg), "expanded by this case from its "
			 "boot state '%s' to %s KiB per CPU; the kernel cannot "
			 "shrink it back to the boot state (a reboot does): "
			 "not restored", t->ring, now);
		if ((rc = fact(ctx, "trace_ring", msg)))
			return rc;
	}
	if (!t->dir[0]) {
		snprintf(msg, sizeof(msg), "trace unavailable: %s",
			 t->why[0] ? t->why : "not set up");
		return fact(ctx, "trace", msg);
	}
	host_path(t, "tracing_on", path, sizeof(path));
	read_small(path, on, sizeof(on));
	/* Stop first so reading does not race new events; the journal
	 * puts tracing_on's original back afterwards. */
	write_text(path, "0", 0);
	rc = fact(ctx, "trace_stopped", strcmp(on, "0") ? "no" : "yes");
	host_path(t, "trace", path, sizeof(path));
	text = read_tail(path, &len);
	if (rc == 0) {
		if (text)
			rc = fact(ctx, "trace", text);
		else {
			snprintf(msg, sizeof(msg), "trace unavailable: cannot "
				 "read %s/trace", t->dir);
			rc = fact(ctx, "trace", msg);
		}
	}
	free(text);
	return rc;
}
