/*
 * journal_int.h - helpers shared by journal.c and journal_allow.c.
 */
#ifndef ISOLAT_JOURNAL_INT_H
#define ISOLAT_JOURNAL_INT_H

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

/* A name journal_path_allowed takes for a workdir / container record. */
int journal_workdir_ok(const char *path);
int journal_container_ok(const char *name);

#endif
