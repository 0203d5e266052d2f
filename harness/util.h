/*
 * util.h - small helpers the harness shares: program lookup, run UUIDs,
 * reading short sysfs/proc files, locating the workload binary.
 */
#ifndef ISOLAT_UTIL_H
#define ISOLAT_UTIL_H

#include <stddef.h>

/*
 * The harness's one return convention (STYLE.md, "one error convention"):
 * a function returns 0 on success or a negative errno on failure, and
 * when it takes an error buffer (err/why, errsz/whysz) writes there what
 * went wrong and what is expected; it prints nothing fatal and never
 * exits - the command decides the exit code.  Outcomes that are not
 * errors but stop a case are negative errnos too, named where they are
 * declared: -EOPNOTSUPP "this host (or guest) cannot give it: skip",
 * -ENOENT "not mine" (a key another table owns).  Predicates named
 * is_/has_/valid_ or ending _ok return 1 or 0 and say so.  One family
 * keeps inih's handler convention because inih calls it: the scenario
 * parser's key handlers (harness/scenario/: 1 taken, 0 after scn_fail
 * wrote the FILE:LINE error), down to scn_param_key.
 */

/* Record one fact (key = value) about a case or a host: every layer that
 * reports what it applied or found takes this one callback type.  Its
 * return follows the convention above. */
typedef int (*fact_fn)(void *ctx, const char *key, const char *value);

/*
 * Write v to path as a shell's `>` would (O_TRUNC; never through a
 * symlink), plus extra open flags (O_CREAT for a test's fake tree).
 * /proc, sysfs, cgroupfs and tracefs ignore the truncation; a plain file
 * ends exact.  0 or -errno.
 */
int write_text(const char *path, const char *v, int extra_flags);

/* Find NAME in the system directories (never $PATH); 0 or -ENOENT. */
int find_program(const char *name, char *out, size_t size);

/* A random (version 4) UUID in lowercase text form; 0 or -errno. */
int uuid_v4(char out[37]);

/*
 * Read a small text file (at most size-1 bytes), trailing whitespace
 * trimmed.  0 or -errno.
 */
int read_text(const char *path, char *buf, size_t size);

/* Where `make install` puts things, relative to PREFIX/bin (Makefile). */
#define ISOLAT_LIBEXEC_REL "../libexec/isolat"
#define ISOLAT_DATA_REL "../share/isolat"

/*
 * Path of the static workload binary: isolat-wl next to the running
 * isolat (the build tree), else ISOLAT_LIBEXEC_REL from its directory
 * (installed, also when staged under a DESTDIR).  0 or -ENOENT with the
 * reason in why.
 */
int workload_binary(char *out, size_t size, char *why, size_t whysz);

/*
 * A SCENARIO argument: arg itself when it exists or names a path (has a
 * '/'); else a shipped scenario NAME or NAME.ini from the checkout's
 * scenarios/ (beside build/) or the installed ISOLAT_DATA_REL/scenarios.
 * The path into out (arg itself when no shipped one matches, so opening
 * it names what the user typed).
 */
void scenario_find(const char *arg, char *out, size_t size);

/*
 * Keep the last `keep` bytes of a growing text: append p[0..n) to buf
 * (which holds *len bytes, room for keep + 1), dropping the oldest bytes.
 * Logs of workloads and loads are kept this way.
 */
void tail_append(char *buf, size_t *len, size_t keep, const char *p,
		 size_t n);

/* Monotonic time in seconds. */
double mono_now(void);

#endif
