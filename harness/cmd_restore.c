/*
 * cmd_restore.c - `isolat restore`: put the host back after a run that
 * died mid-case (crash, kill -9, power cut of the harness only).  Replays
 * the tuning journal (harness/journal.h) in reverse order and removes it
 * (host tuning, and the Xen backend's domain, cpupool and dom0 pinning);
 * running it again finds nothing to do.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/cmd.h"
#include "harness/journal.h"

static const char usage_text[] =
	"usage: isolat restore [--journal PATH]\n"
	"\n"
	"Undo the host tuning a run left behind when it was killed: every\n"
	"change recorded in the tuning journal is written back to its\n"
	"original value, newest first, then the journal is removed.  Only\n"
	"paths host tuning may change are written (/proc/irq, /proc/sys/\n"
	"kernel, cpufreq, workqueue, transparent_hugepage, /sys/fs/cgroup,\n"
	"the tracefs settings of trace_threshold_us and its tracefs mount,\n"
	"kernel thread priorities).  On a Xen dom0 it also destroys the\n"
	"run's isolat-* domain, moves the pCPUs of its isolat-* cpupool back\n"
	"into Pool-0 and destroys the pool, and gives dom0's vCPUs their\n"
	"affinity back (with xl).  Needs root.  Nothing to do: exit 0.\n"
	"\n"
	"  --journal PATH  the journal (default " JOURNAL_DEFAULT ")\n"
	"  --help          this text\n";

struct restore_ctx {
	int quiet;
	unsigned ok, failed;
};

static void note(void *ctx, const struct journal_rec *r, int rc)
{
	struct restore_ctx *c = ctx;

	if (rc < 0) {
		c->failed++;
		fprintf(stderr, "isolat restore: %s %s: back to '%s' failed: "
			"%s\n", r->knob, r->path, r->orig, strerror(-rc));
		return;
	}
	c->ok++;
	if (c->quiet)
		return;
	if (r->kind == JOURNAL_DOMAIN)
		fprintf(stderr, "isolat restore: Xen domain %s: gone "
			"(destroyed if it was still there)\n", r->path);
	else if (r->kind == JOURNAL_CPUPOOL)
		fprintf(stderr, "isolat restore: Xen cpupool %s: pCPUs %s "
			"back in Pool-0, pool gone\n", r->path, r->orig);
	else if (r->kind == JOURNAL_DOM0PIN)
		fprintf(stderr, "isolat restore: Xen %s: hard affinity back "
			"to %s\n", r->path, r->orig);
	else
		fprintf(stderr, "isolat restore: %s %s: '%s' -> '%s'\n",
			r->knob, r->path, r->new_value, r->orig);
}

int cmd_restore(struct isolat_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"journal", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *path = JOURNAL_DEFAULT;
	struct restore_ctx rc_ctx = {.quiet = ctx->quiet};
	char err[1024] = "";
	pid_t pid;
	int c, alive, rc;

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
	rc = journal_replay(path, "", note, &rc_ctx, err, sizeof(err));
	if (rc < 0 && rc != -ENOENT) {
		fprintf(stderr, "isolat restore: %s\n", err);
		return EXIT_ERROR;
	}
	if (!ctx->quiet)
		fprintf(stderr, "isolat restore: %u change%s undone (journal "
			"of pid %d), %s removed\n", rc_ctx.ok,
			rc_ctx.ok == 1 ? "" : "s", (int)pid, path);
	return EXIT_OK;
}
