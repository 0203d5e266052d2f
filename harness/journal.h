/*
 * journal.h - the host tuning journal: every change to the host is written
 * here (and fsync'd) BEFORE it is made, so whatever happens to the harness
 * (a signal, a crash, kill -9) the host can be put back: by the run loop
 * after each case, or by `isolat restore` after a crash.
 *
 * Default location: /run/isolat/journal.  /run is a tmpfs: after a reboot
 * the runtime settings are back to the boot defaults and the journal is
 * gone with them, which is exactly right.
 *
 * Format (text, one record per line, fields separated by one TAB; TAB,
 * newline and backslash inside a field are written \t, \n, \\):
 *
 *   isolat-journal 1
 *   owner PID STARTTIME          (the harness that made the changes:
 *                                 /proc/PID/stat field 22, so a reused
 *                                 PID is not taken for it)
 *   write KNOB PATH ORIGINAL NEW (a file under /proc, /sys: undo writes
 *                                 ORIGINAL back)
 *   sched KNOB PATH ORIGINAL NEW (PATH = /proc/PID of a kernel thread,
 *                                 KNOB = kthread_priority:COMM; values
 *                                 POLICY:PRIO; undone only while the
 *                                 thread still has that comm)
 *   mkdir KNOB PATH absent created (a cgroup directory tuning made,
 *                                 /sys/fs/cgroup/.../isolat.tune.X: undo
 *                                 removes it, and with it whatever was
 *                                 written inside it)
 *   mount KNOB PATH absent tracefs (tracefs that trace.c mounted on an
 *                                 empty /sys/kernel/tracing: undo
 *                                 unmounts it while it is still tracefs)
 *
 * write records also cover tracefs (trace.c: tracing_on, current_tracer,
 * events/GROUP/EVENT/enable, ... under /sys/kernel/tracing or
 * /sys/kernel/debug/tracing).  For a cgroup v2 cgroup.subtree_control
 * ORIGINAL is the word that switches the change back ("-cpuset"), since
 * that file is written with +/- words, never with its read-back list.
 *
 * Xen records (harness/env_xen.c; undone through `xl`, an execve argv,
 * by harness/xen_undo.c):
 *
 *   domain xen NAME - created    (written before `xl create`: undo
 *                                 destroys the domain NAME if it exists)
 *   cpupool xen_cpupool POOL PCPUS created
 *                                (written before the pCPUs leave Pool-0:
 *                                 undo moves PCPUS - and whatever else
 *                                 POOL holds - back into Pool-0, then
 *                                 destroys POOL if it exists)
 *   dom0pin dom0_cpus Domain-0:V HARD NEW
 *                                (written before dom0's vCPU V is
 *                                 pinned: undo pins it back to its hard
 *                                 affinity HARD, "all" or a CPU list)
 *
 * NAME and POOL are isolat-[A-Za-z0-9_.-]+: never someone else's domain
 * or pool.
 *
 * Undo replays the records in reverse order and is idempotent: it only
 * ever writes original values.  Every path is validated before anything is
 * written as root (journal_path_allowed).
 */
#ifndef ISOLAT_JOURNAL_H
#define ISOLAT_JOURNAL_H

#include <stddef.h>
#include <sys/types.h>

#define JOURNAL_DEFAULT "/run/isolat/journal"
#define JOURNAL_FIELD_MAX 4096

enum journal_kind {
	JOURNAL_WRITE, JOURNAL_SCHED, JOURNAL_MKDIR, JOURNAL_MOUNT,
	JOURNAL_DOMAIN, JOURNAL_CPUPOOL, JOURNAL_DOM0PIN, /* Xen */
};

struct journal_rec {
	enum journal_kind kind;
	char knob[128];
	char path[512];
	char orig[JOURNAL_FIELD_MAX];
	char new_value[JOURNAL_FIELD_MAX];
};

struct journal {
	char path[512]; /* the journal file */
	char root[256]; /* "" normally; a fake tree's prefix in tests */
	int fd;         /* -1 until the first record */
	unsigned n;     /* records appended */
};

/*
 * Is path (as the journal names it, without root) one the journal may
 * write?  Only /proc/irq/N/smp_affinity, /proc/irq/default_smp_affinity,
 * /proc/sys/kernel/NAME, /sys/devices/... cpufreq or workqueue files,
 * /sys/kernel/mm/transparent_hugepage/NAME, /sys/fs/cgroup/..., and the
 * tracefs files trace.c may write (tracing_on, current_tracer,
 * buffer_size_kb, tracing_cpumask, events/GROUP/EVENT/enable, under
 * /sys/kernel/tracing or /sys/kernel/debug/tracing) for write records;
 * /proc/PID for sched records; /sys/fs/cgroup/.../isolat.tune.X for mkdir
 * records; /sys/kernel/tracing for mount records.  No "..", no "//".
 * The Xen records name objects, not paths: isolat-[A-Za-z0-9_.-]+
 * (domain, cpupool, at most 63 characters) or Domain-0:V (dom0pin).
 */
int journal_path_allowed(enum journal_kind kind, const char *path);

/* Prepare j (no file is created until the first record). */
void journal_init(struct journal *j, const char *path, const char *root);

/* Append one record and fsync it; creates the file (with its header) on
 * the first call.  0 or -errno with err set. */
int journal_append(struct journal *j, const struct journal_rec *r,
		   char *err, size_t errsz);

/*
 * Who wrote the journal at path: 0 with *pid set (and *alive = 1 when that
 * process still runs), -ENOENT when there is none, -EINVAL when it is not a
 * journal.
 */
int journal_owner(const char *path, pid_t *pid, int *alive);

/* Called per record undone (or refused), for reports and case facts. */
typedef void (*journal_note_fn)(void *ctx, const struct journal_rec *r,
				int rc);

/*
 * Undo every record of the journal at path in reverse order, then remove
 * it.  Records with a path that is not allowed are refused (nothing
 * written).  Returns 0 when every record was undone or had nothing left to
 * undo; otherwise the first -errno (the journal is removed all the same
 * once every record was tried, so a second call finds nothing to do), with
 * err set.  -ENOENT: there is no journal.
 */
int journal_replay(const char *path, const char *root, journal_note_fn note,
		   void *ctx, char *err, size_t errsz);

/* Close j; its file stays (journal_replay removes it). */
void journal_close(struct journal *j);

#endif
