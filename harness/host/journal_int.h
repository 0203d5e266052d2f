/*
 * journal_int.h - helpers shared by journal.c, journal_allow.c and
 * journal_host.c: the host's record kinds' checks (struct journal_kind).
 */
#ifndef ISOLAT_JOURNAL_INT_H
#define ISOLAT_JOURNAL_INT_H

#include <stddef.h>

/* Does s start with p? */
int journal_has_prefix(const char *s, const char *p);

/* "fifo:50" -> SCHED_FIFO, 50 (POLICY:0..99); 0 or -EINVAL. */
int journal_parse_policy(const char *v, int *policy, int *prio);

/* A kernel thread kthread_priority may change: ksoftirqd/N, ktimers/N,
 * rcuc/N. */
int journal_kthread_comm_ok(const char *comm);

/* /proc/PID/stat field 22 (start time, clock ticks after boot): with the
 * PID it names one process across PID reuse.  0 or -errno. */
#include <sys/types.h>
int journal_starttime(pid_t pid, unsigned long long *start);

/* A path a host record may name at all (journal_allow.c): absolute,
 * plain characters, no "..", no "//".  1 or 0. */
int journal_host_path(const char *path);

/* A record of something a case made ("absent" -> "created") with this
 * knob: 1, or 0 with why (journal_procs.c; backends use it too). */
int journal_made_rec_ok(const struct journal_rec *r, const char *knob,
			char *why, size_t whysz);

/* Append a record of kind with these fields: 0 or -errno with err. */
int journal_append_kind(struct journal *j, enum journal_kind kind,
			const char *knob, const char *path, const char *orig,
			const char *new_value, char *err, size_t errsz);
struct journal_rec;

/* path_ok of the host's kinds (journal_allow.c). */
int journal_write_path_ok(const char *path);
int journal_sched_path_ok(const char *path);
int journal_mkdir_path_ok(const char *path);
int journal_mount_path_ok(const char *path);
int journal_kept_path_ok(const char *path);

/* rec_ok of the host's kinds: 1, or 0 with why. */
int journal_write_rec_ok(const struct journal_rec *r, char *why,
			 size_t whysz);
int journal_sched_rec_ok(const struct journal_rec *r, char *why,
			 size_t whysz);
int journal_kept_rec_ok(const struct journal_rec *r, char *why,
			size_t whysz);

#endif
