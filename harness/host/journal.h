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
 * Xen records (harness/env/xen/env_xen.c; undone through `xl`, an execve argv,
 * by harness/env/xen/xen_undo.c):
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

enum journal_kind {
	JOURNAL_WRITE, JOURNAL_SCHED, JOURNAL_MKDIR, JOURNAL_MOUNT,
	JOURNAL_DOMAIN, JOURNAL_CPUPOOL, JOURNAL_DOM0PIN, /* Xen */
	JOURNAL_KEPT,
	JOURNAL_PROC, JOURNAL_WORKDIR, JOURNAL_CONTAINER, /* journal_procs.c */
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
 * The Xen records name objects, not paths: isolat-[A-Za-z0-9_.-]+
 * (domain, cpupool, at most 63 characters) or Domain-0:V (dom0pin).
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
 * work directory it is about to make, an LXC container it is about to
 * create.  0 or -errno with err set.
 */
int journal_proc(struct journal *j, pid_t pid, const char *comm, char *err,
		 size_t errsz);
int journal_workdir(struct journal *j, const char *path, char *err,
		    size_t errsz);
int journal_container(struct journal *j, const char *name, char *err,
		      size_t errsz);

/* Their undo (journal_replay): 0 done, JOURNAL_UNDO_GONE nothing of
 * ours was left, or -errno. */
int journal_undo_proc(const struct journal_rec *r, const char *root);
int journal_undo_workdir(const struct journal_rec *r, const char *root);
int journal_undo_container(const struct journal_rec *r, const char *root);

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
