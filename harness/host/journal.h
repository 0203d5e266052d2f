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
 *   write KNOB PATH ORIGINAL NEW (one of the files isolat writes, see
 *                                 journal_path_allowed: undo writes
 *                                 ORIGINAL back, only when it is a value
 *                                 of that file's kind)
 *   sched KNOB PATH ORIGINAL NEW (PATH = /proc/PID of a kernel thread,
 *                                 KNOB = kthread_priority:COMM with COMM
 *                                 ksoftirqd/N, ktimers/N or rcuc/N;
 *                                 values POLICY:PRIO; undone only while
 *                                 PID is still a kernel thread - parent
 *                                 kthreadd or PF_KTHREAD in its stat -
 *                                 with that comm)
 *   mkdir KNOB PATH absent created (a cgroup directory tuning made,
 *                                 /sys/fs/cgroup/.../isolat.tune.X: undo
 *                                 removes it, and with it whatever was
 *                                 written inside it)
 *   mount KNOB PATH absent tracefs (tracefs that trace.c mounted on an
 *                                 empty /sys/kernel/tracing: undo
 *                                 unmounts it while it is still tracefs)
 *   kept KNOB PATH ORIGINAL NEW  (a change the kernel made as a side
 *                                 effect and cannot take back: PATH is
 *                                 tracefs' buffer_size_kb, ORIGINAL its
 *                                 boot state "N (expanded: M)" - the ring
 *                                 is expanded for good the first time
 *                                 tracing is enabled.  Undo writes
 *                                 nothing and says so: the note gets
 *                                 JOURNAL_UNDO_KEPT)
 *
 *   proc load /proc/PID START COMM
 *                                (a process a case started on the host,
 *                                 today stress-ng, the host-side load:
 *                                 START is /proc/PID/stat field 22, COMM
 *                                 the only name allowed, "stress-ng".
 *                                 Undo SIGKILLs it and its process group
 *                                 only while /proc/PID/stat still shows
 *                                 that START and COMM; with the leader
 *                                 gone, the members of group PID named
 *                                 stress-ng* that started at or after
 *                                 START.  Written right after the fork:
 *                                 the child has PR_SET_PDEATHSIG SIGKILL
 *                                 before that, so none outlives a harness
 *                                 killed in between)
 *   workdir workdir PATH absent created
 *                                (the case's work directory,
 *                                 /tmp/isolat-[A-Za-z0-9]{6,16}: written
 *                                 before it is made; undo removes it and
 *                                 everything in it - no symlink followed,
 *                                 one file system - only while it is a
 *                                 directory owned by the euid, mode 0700)
 *   container lxc NAME absent created
 *                                (an LXC container isolat-PID-cN-HEX in
 *                                 /run/isolat/lxc, written before it is
 *                                 made: undo stops and destroys it, its
 *                                 rootfs, cgroups and RT budgets, through
 *                                 harness/env/lxc's lxc_destroy)
 *
 * write records also cover tracefs (trace.c: tracing_on, current_tracer,
 * events/GROUP/EVENT/enable, ... under /sys/kernel/tracing or
 * /sys/kernel/debug/tracing).  For a cgroup v2 cgroup.subtree_control
 * ORIGINAL is the word that switches the change back ("-cpuset"), since
 * that file is written with +/- words, never with its read-back list.
 *
 * Those are the host's kinds (harness/host/journal_host.c).  A backend
 * that changes the host outside its own processes adds kinds of its own,
 * documented beside them (Xen's domain, cpupool, dom0pin:
 * harness/env/xen/xen_undo.h; netlat's netns, link, ovs:
 * harness/net/net_undo.c).  Every kind is a struct journal_kind_ops
 * listed in harness/env/journal_kinds.def: adding one is that struct
 * (word, path_ok, optional rec_ok, undo, optional say) and one line.
 *
 * Undo replays the records in reverse order and is idempotent: it only
 * ever writes original values.  Every record is validated before anything
 * is written as root (journal_rec_allowed: the exact file, and the value
 * written back).  The journal file itself is only read when it is a
 * regular file (not a link) owned by the euid and writable by no one
 * else.  A replay removes the journal only when every record was undone
 * (or had nothing left to undo); otherwise the file is rewritten (tmp
 * file, fsync, rename) with its header and the records that failed, so
 * the next `isolat run` refuses to measure a host still tuned and a
 * second `isolat restore` retries just those.  A file that is only the
 * beginning of a header (killed between create and the header's fsync)
 * holds no change: replay and journal_owner remove it.
 *
 * The lock: `isolat run` and `isolat restore` hold an exclusive flock()
 * on the file "lock" beside the journal (/run/isolat/lock) for their
 * whole duration (journal_lock), so that two of them never journal into
 * one file or undo each other's live Xen domain.  The holder's pid is in
 * the file, for the refusal's message.
 */
#ifndef ISOLAT_JOURNAL_H
#define ISOLAT_JOURNAL_H

#include <stddef.h>
#include <sys/types.h>

#define JOURNAL_DEFAULT "/run/isolat/journal"
#define JOURNAL_FIELD_MAX 4096

/* One per kind in harness/env/journal_kinds.def (JOURNAL_WRITE, ...,
 * and a backend's own, e.g. JOURNAL_DOMAIN); JOURNAL_KINDS counts them. */
enum journal_kind {
#define X(name, sym) JOURNAL_##name,
#include "harness/env/journal_kinds.def"
#undef X
	JOURNAL_KINDS
};

/* What a replay's note gets besides 0 (undone) and -errno (failed): the
 * record is done with, but nothing was written back. */
#define JOURNAL_UNDO_KEPT 1 /* the kernel cannot undo it (a kept record) */
#define JOURNAL_UNDO_GONE 2 /* its object is gone or no longer the one
			     * journaled (a sched record's PID): left
			     * alone */

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
 * What the journal knows of a record kind, declared by whoever makes such
 * records (the host's tuning: harness/host/journal_host.c; a backend: in
 * its folder) and listed in harness/env/journal_kinds.def; journal.c and
 * journal_allow.c only ever go through it.
 */
struct journal_kind_ops {
	const char *word; /* the record's first field in the file */
	/* The record's PATH field (as journaled, without root) is one this
	 * kind may name: 1 or 0.  Checked on append and again on replay. */
	int (*path_ok)(const char *path);
	/* Optional.  The rest of the record (the value undo writes back, the
	 * knob): 1, or 0 with why set. */
	int (*rec_ok)(const struct journal_rec *r, char *why, size_t whysz);
	/* Undo r (root: "" normally, a fake tree's prefix in tests): 0,
	 * JOURNAL_UNDO_KEPT, JOURNAL_UNDO_GONE or -errno.  Idempotent. */
	int (*undo)(const struct journal_rec *r, const char *root);
	/* Optional.  What `isolat restore` says of r after undo returned rc
	 * (0 or JOURNAL_UNDO_KEPT), written to buf without the "isolat
	 * restore: " prefix: 1, or 0 for the generic line. */
	int (*say)(const struct journal_rec *r, int rc, char *buf,
		   size_t size);
	/* 1: a thing a case started or made (a process, a work directory,
	 * a container) rather than a setting: restore counts it as ended or
	 * removed, and JOURNAL_UNDO_GONE is no news (already gone). */
	int leftover;
};

#define X(name, sym) extern const struct journal_kind_ops journal_kind_##sym;
#include "harness/env/journal_kinds.def"
#undef X

/* Indexed by enum journal_kind (harness/env/registry.c). */
extern const struct journal_kind_ops *const journal_kinds[JOURNAL_KINDS];

/* journal_kinds[kind], or NULL for a value out of range. */
const struct journal_kind_ops *journal_kind_get(enum journal_kind kind);

/*
 * Is path (as the journal names it, without root) one the journal may
 * write?  For write records exactly the files isolat writes, and the kind
 * of value each takes back:
 *   /proc/irq/N/smp_affinity, /proc/irq/default_smp_affinity,
 *   /sys/devices/virtual/workqueue/cpumask        hex mask ("ff,ffffffff")
 *   /proc/sys/kernel/timer_migration              0 or 1
 *   /proc/sys/kernel/sched_rt_runtime_us          an integer
 *   /sys/devices/system/cpu/cpuN/cpufreq/scaling_governor,
 *   /sys/kernel/mm/transparent_hugepage/enabled   a word [a-z_]+
 *   /sys/fs/cgroup/cpuset/cpuset.sched_load_balance   0 or 1
 *   /sys/fs/cgroup[/unified]/cgroup.subtree_control   +cpuset or -cpuset
 *   /sys/fs/cgroup[/unified]/isolat.tune.X/cpuset.cpus.partition
 *                                                 member, root, isolated
 *   tracefs (trace.c, under /sys/kernel/tracing or
 *   /sys/kernel/debug/tracing): tracing_on, events/GROUP/EVENT/enable
 *   (0 or 1), current_tracer (a word), buffer_size_kb (an integer),
 *   tracing_cpumask (a mask).
 * Never cgroup.procs, cgroup.kill, tasks, release_agent, core_pattern....
 * Also
 * /proc/PID for sched records; /sys/fs/cgroup/.../isolat.tune.X for mkdir
 * records; /sys/kernel/tracing for mount records.  No "..", no "//".
 * A backend's kinds check their own (Xen's name objects, not paths).
 */
int journal_path_allowed(enum journal_kind kind, const char *path);

/* journal_path_allowed, and the value a write record writes back is one
 * of its file's kind, and a sched record names a kernel thread isolat
 * changes (kthread_priority:ksoftirqd/N, ktimers/N, rcuc/N) with a valid
 * POLICY:PRIO.  1, or 0 with why set. */
struct journal_rec;
int journal_rec_allowed(const struct journal_rec *r, char *why,
			size_t whysz);

/* Prepare j (no file is created until the first record). */
void journal_init(struct journal *j, const char *path, const char *root);

/* Append one record and fsync it; creates the file (with its header) on
 * the first call.  0 or -errno with err set. */
int journal_append(struct journal *j, const struct journal_rec *r,
		   char *err, size_t errsz);

/*
 * Who wrote the journal at path: 0 with *pid set (and *alive = 1 when that
 * process still runs), -ENOENT when there is none (a file that is only a
 * partial header is removed: call with the lock held), -EINVAL when it is
 * not a journal, -EPERM when the file is not one root may trust (not a
 * regular file owned by the euid, or writable by group/others).
 */
int journal_owner(const char *path, pid_t *pid, int *alive);

/* Called per record undone (or refused), for reports and case facts:
 * rc is 0 (undone), JOURNAL_UNDO_KEPT, JOURNAL_UNDO_GONE or -errno. */
typedef void (*journal_note_fn)(void *ctx, const struct journal_rec *r,
				int rc);

/*
 * Undo every record of the journal at path in reverse order.  Records
 * journal_rec_allowed refuses are not undone (nothing written; -EPERM).
 * Returns 0 when every record was undone or had nothing left to undo: the
 * journal is removed.  Otherwise the first -errno, with err set (ending
 * "; N records left in PATH"): the journal is rewritten with its header
 * and only the records that failed, in their order.  -ENOENT: there is no
 * journal; -EPERM (before any record): the file is not trusted (see
 * journal_owner).
 */
int journal_replay(const char *path, const char *root, journal_note_fn note,
		   void *ctx, char *err, size_t errsz);

/*
 * What a case starts or makes on the host (journal_procs.c): the record
 * (built, validated, appended and fsync'd) for a process it started, the
 * work directory it is about to make.  0 or -errno with err set.  Their
 * undo (kinds proc, workdir) ends the process only while /proc/PID/stat
 * still shows the start time and name journaled, and removes only a
 * root-owned 0700 directory.  A backend's objects are its own kinds (an
 * LXC container: harness/env/lxc/lxc_journal.c).
 */
int journal_proc(struct journal *j, pid_t pid, const char *comm, char *err,
		 size_t errsz);
int journal_workdir(struct journal *j, const char *path, char *err,
		    size_t errsz);

/* Close j; its file stays (journal_replay removes it). */
void journal_close(struct journal *j);

/* The lock file of a journal: "lock" in its directory
 * (/run/isolat/lock for JOURNAL_DEFAULT). */
void journal_lock_path(const char *journal_path, char *out, size_t size);

/*
 * Take the exclusive, non-blocking flock() on journal_lock_path (making
 * the directory 0700 and the file 0600 if needed) and write our pid into
 * it.  Returns the fd to keep open for the command's whole duration
 * (journal_unlock, or exit, releases it); -EWOULDBLOCK with err "another
 * isolat run or restore holds PATH (pid N)..." when held; else -errno.
 */
int journal_lock(const char *journal_path, char *err, size_t errsz);
void journal_unlock(int fd);

#endif
