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

#endif
