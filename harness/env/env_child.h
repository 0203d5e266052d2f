/*
 * env_child.h - the callbacks of an environment whose workload is a plain
 * child process of the harness (bare, and the test environment): the
 * struct proc lives in env_case.priv.  Shared so the two backends cannot
 * drift apart in how they start, wait for and end that child.
 */
#ifndef ISOLAT_ENV_CHILD_H
#define ISOLAT_ENV_CHILD_H

#include <stddef.h>

struct env_case;
struct proc_spec;

/* prepare: a struct proc in ec->priv.  0 or -ENOMEM. */
int env_child_prepare(struct env_case *ec, char *err, size_t errsz);
/* start: spawn spec; its stdout is the stream, stderr the log. */
int env_child_start(struct env_case *ec, const struct proc_spec *spec,
		    char *err, size_t errsz);
int env_child_wait(struct env_case *ec, int timeout_ms, int *status);
/* SIGTERM to its process group: the workload drains and sends END. */
void env_child_interrupt(struct env_case *ec);
/* Stop (SIGTERM, then SIGKILL after grace_ms); cleanup also frees. */
void env_child_stop(struct env_case *ec, int grace_ms);
void env_child_cleanup(struct env_case *ec, int grace_ms);

#endif
