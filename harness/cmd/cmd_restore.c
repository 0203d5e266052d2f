/*
 * cmd_restore.c - `isolat restore`: put the host back after a run that
 * died mid-case (crash, kill -9, power cut of the harness only).  Replays
 * the tuning journal (harness/host/journal.h) in reverse order and removes it
 * (host tuning, the Xen backend's domain, cpupool and dom0 pinning, and
 * what the case started or made: its load, work directory, container);
 * running it again finds nothing to do.  What could not be undone stays
 * in the journal (exit non-zero); running it again retries just that.
 * Holds the lock beside the journal (/run/isolat/lock) throughout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/cmd/cmd.h"
#include "harness/host/journal.h"
#include "harness/run/run_marker.h"

static const char usage_text[] =
	"usage: isolat restore [--journal PATH]\n"
	"\n"
	"Undo the host tuning a run left behind when it was killed: every\n"
	"change recorded in the tuning journal is written back to its\n"
	"original value, newest first, then the journal is removed.  Only\n"
	"the exact files host tuning writes are written, and only with a\n"
	"value of their kind (IRQ and workqueue masks, timer_migration,\n"
	"sched_rt_runtime_us, cpufreq governors, transparent_hugepage,\n"
	"isolat's cpuset settings, the tracefs settings of\n"
	"trace_threshold_us and its tracefs mount, ksoftirqd/ktimers/rcuc\n"
	"priorities); any other record is refused.  What could not be\n"
	"undone stays in the journal (exit status non-zero): fix the cause\n"
	"and run restore again.  On a Xen dom0 it also destroys the\n"
	"run's isolat-* domain, moves the pCPUs of its isolat-* cpupool back\n"
	"into Pool-0 and destroys the pool, and gives dom0's vCPUs their\n"
	"affinity back (with xl).  What a killed case started or made is\n"
	"ended or removed too: its stress-ng (only while /proc/PID/stat still\n"
	"shows the start time and name journaled), its /tmp/isolat-*\n"
	"work directory, its LXC container, and netlat's isolat-*\n"
	"network namespaces, links (veth, bridge) and its own Open vSwitch\n"
	"(never the system's) (docs/restore.md).  The killed run is marked\n"
	"'aborted' in the database it was writing.  The next\n"
	"isolat run does all this itself before it starts.  Needs root.\n"
	"Nothing to do: exit 0.\n"
	"Refused while another isolat run or restore holds the lock\n"
	"beside the journal (" JOURNAL_DEFAULT "'s directory: lock).\n"
	"\n"
	"  --journal PATH  the journal (default " JOURNAL_DEFAULT "); the\n"
	"                  lock is PATH's directory's 'lock'\n"
	"  --help          this text\n";

struct restore_ctx {
	int quiet;
	const char *who; /* "isolat restore", or "isolat run" */
	unsigned ok, failed, gone, kept;
	unsigned ended; /* things a case started or made: ended, removed */
	unsigned vanished; /* ... or already gone (not ours to touch) */
};

/* A thing a case started or made (the kind's leftover flag): ended or
 * removed, or already gone (said only without --quiet). */
static void note_left(struct restore_ctx *c, const struct journal_rec *r,
		      const struct journal_kind_ops *k, int rc)
{
	char msg[JOURNAL_FIELD_MAX + 1024];

	if (rc == 0)
		c->ended++;
	else
		c->vanished++;
	if (c->quiet)
		return;
	if (k->say && k->say(r, rc, msg, sizeof(msg)))
		fprintf(stderr, "%s: %s\n", c->who, msg);
	else
		fprintf(stderr, "%s: %s %s: %s\n", c->who, r->knob, r->path,
			rc == 0 ? "ended or removed" : "already gone");
}

static void note(void *ctx, const struct journal_rec *r, int rc)
{
	struct restore_ctx *c = ctx;
	const struct journal_kind_ops *k = journal_kind_get(r->kind);
	char msg[JOURNAL_FIELD_MAX + 1024];

	if (rc < 0) {
		c->failed++;
		fprintf(stderr, "%s: %s %s: back to '%s' failed: %s\n",
			c->who, r->knob, r->path, r->orig, strerror(-rc));
		return;
	}
	if (k && k->leftover) {
		note_left(c, r, k, rc);
		return;
	}
	/* Said whatever --quiet: these are what restore did not do. */
	if (rc == JOURNAL_UNDO_KEPT) {
		c->kept++;
		if (k && k->say && k->say(r, rc, msg, sizeof(msg)))
			fprintf(stderr, "%s: %s\n", c->who, msg);
		else
			fprintf(stderr, "%s: %s %s: kept as it "
				"is: the kernel cannot take '%s' back\n",
				c->who, r->knob, r->path, r->new_value);
		return;
	}
	if (rc == JOURNAL_UNDO_GONE) {
		c->gone++;
		fprintf(stderr, "%s: %s %s: left alone: no longer the process "
			"journaled (gone, or its PID reused), so '%s' was not "
			"written\n", c->who, r->knob, r->path, r->orig);
		return;
	}
	c->ok++;
	if (c->quiet)
		return;
	/* A kind may say what undoing it means (Xen: a domain gone). */
	if (k && k->say && k->say(r, rc, msg, sizeof(msg)))
		fprintf(stderr, "%s: %s\n", c->who, msg);
	else
		fprintf(stderr, "%s: %s %s: '%s' -> '%s'\n", c->who,
			r->knob, r->path, r->new_value, r->orig);
}

static int restore(struct isolat_ctx *ctx, const char *path,
		   struct restore_ctx *rc_ctx);
static int replay(struct isolat_ctx *ctx, const char *path, pid_t pid,
		  struct restore_ctx *rc_ctx);

int cmd_restore(struct isolat_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"journal", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *path = JOURNAL_DEFAULT;
	struct restore_ctx rc_ctx = {.quiet = ctx->quiet,
				     .who = "isolat restore"};
	char err[1024] = "";
	int c, lock_fd, status;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j' && *optarg) {
			path = optarg;
		} else if (c == 'h') {
			cmd_usage(stdout, usage_text);
			return EXIT_OK;
		} else {
			cmd_usage(stderr, usage_text);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	/* Never beside a live run (or another restore): nothing touched. */
	lock_fd = journal_lock(path, err, sizeof(err));
	if (lock_fd == -EWOULDBLOCK || (lock_fd < 0 && geteuid() == 0)) {
		fprintf(stderr, "isolat restore: %s\n", err);
		return EXIT_ERROR;
	}
	/* Not root: no lock to be had under /run; what follows reads
	 * only, and refuses before writing anything. */
	status = restore(ctx, path, &rc_ctx);
	/* The killed run itself: 'aborted' in its database now, not at the
	 * next run that happens to open that database. */
	if (lock_fd >= 0 &&
	    run_marker_settle(path, "isolat restore", NULL, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "isolat restore: %s\n", err);
		if (status == EXIT_OK)
			status = EXIT_ERROR;
	}
	journal_unlock(lock_fd);
	return status;
}

static int restore(struct isolat_ctx *ctx, const char *path,
		   struct restore_ctx *rc_ctx)
{
	pid_t pid;
	int alive, rc;

	rc = journal_owner(path, &pid, &alive);
	if (rc == -ENOENT) {
		if (!ctx->quiet)
			fprintf(stderr, "isolat restore: no journal at %s; "
				"nothing to restore\n", path);
		return EXIT_OK;
	}
	if (rc == -EINVAL) {
		fprintf(stderr, "isolat restore: %s: not an isolat tuning "
			"journal; left as it is\n", path);
		return EXIT_ERROR;
	}
	if (rc == -EPERM) {
		fprintf(stderr, "isolat restore: %s: not a regular file owned "
			"by uid %d and writable by it alone; refused (anyone "
			"who can write it could make restore write what they "
			"chose as root): inspect it, and remove it once the "
			"host is back\n", path, (int)geteuid());
		return EXIT_ERROR;
	}
	if (rc < 0) {
		fprintf(stderr, "isolat restore: %s: %s\n", path,
			strerror(-rc));
		return rc == -EACCES ? EXIT_NO_RESOURCE : EXIT_ERROR;
	}
	/* A live harness undoes its own changes after the case; restoring
	 * under it would fight it. */
	if (alive && pid != getpid()) {
		fprintf(stderr, "isolat restore: %s belongs to a running "
			"isolat (pid %d); it restores the host itself when "
			"its case ends (stop it with SIGINT/SIGTERM)\n", path,
			(int)pid);
		return EXIT_ERROR;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "isolat restore: needs root to write the "
			"original values back; run as root\n");
		return EXIT_NO_RESOURCE;
	}
	return replay(ctx, path, pid, rc_ctx);
}

/* The replay itself, and what it says (restore's and run's). */
static int replay(struct isolat_ctx *ctx, const char *path, pid_t pid,
		  struct restore_ctx *rc_ctx)
{
	char err[1024] = "";
	int rc = journal_replay(path, "", note, rc_ctx, err, sizeof(err));

	if (rc < 0 && rc != -ENOENT) {
		fprintf(stderr, "%s: %s\n", rc_ctx->who, err);
		if (access(path, F_OK) == 0)
			fprintf(stderr, "%s: %u change%s undone, %u not: %s "
				"keeps %s (the host is still partly tuned); "
				"fix the cause and run `isolat restore` again "
				"(a refused record never will be undone: "
				"inspect it)\n", rc_ctx->who, rc_ctx->ok,
				rc_ctx->ok == 1 ? "" : "s", rc_ctx->failed,
				path, rc_ctx->failed == 1 ? "it" : "them");
		return EXIT_ERROR;
	}
	if (!ctx->quiet || rc_ctx->gone || rc_ctx->kept)
		fprintf(stderr, "%s: %u change%s undone, %u left alone, %u "
			"the kernel cannot undo, %u thing%s a case left "
			"(processes, directories, containers, namespaces, "
			"links, OVS) ended or removed and %u already gone "
			"(journal of pid %d), %s removed\n", rc_ctx->who,
			rc_ctx->ok, rc_ctx->ok == 1 ? "" : "s", rc_ctx->gone,
			rc_ctx->kept, rc_ctx->ended,
			rc_ctx->ended == 1 ? "" : "s", rc_ctx->vanished,
			(int)pid, path);
	return EXIT_OK;
}

int cmd_restore_dead(struct isolat_ctx *ctx, const char *path, pid_t pid)
{
	/* Said whatever --quiet: what a run undid of another is news. */
	struct restore_ctx rc_ctx = {.quiet = 0, .who = "isolat run"};

	return replay(ctx, path, pid, &rc_ctx);
}
