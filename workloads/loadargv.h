/*
 * loadargv.h - the argv of a background load that runs inside a container
 * or a guest: the harness hands it to isolat-wl as `--load ARG` options
 * (harness/host/load_run.c), isolat-wl starts it before measuring
 * (workloads/wl_load.c).  Both sides check it with load_argv_check(), so
 * a guest never executes what the harness would not have built.
 *
 * Shared by the harness and the static workload binary: no allocation,
 * no dependency beyond libc.
 */
#ifndef ISOLAT_LOADARGV_H
#define ISOLAT_LOADARGV_H

#include <stddef.h>

/* Arguments of one load command, argv[0] included. */
#define LOAD_ARGV_MAX 48
/* Bytes of one argument, NUL excluded. */
#define LOAD_ARG_LEN_MAX 255
/* The only program a load may run. */
#define LOAD_PROGRAM "stress-ng"
/* isolat-wl's whole argv, a load's `--load ARG` pairs included. */
#define WL_ARGV_MAX (40 + 2 * LOAD_ARGV_MAX + 4)

/* Where isolat-wl looks for LOAD_PROGRAM inside (NULL-terminated): the
 * host's /usr in a container, the image's copy at its host path in a
 * guest. */
extern const char *const load_program_dirs[];

/*
 * argv[0..argc) is a load command isolat would build: argv[0] is
 * LOAD_PROGRAM, at most LOAD_ARGV_MAX arguments, each 1..LOAD_ARG_LEN_MAX
 * characters from [A-Za-z0-9._,:/=+-], an argument with a '/' an
 * absolute path without "." or ".." components; argv[argc] is NULL.
 * 0, or -EINVAL with the reason in why.
 */
int load_argv_check(char *const argv[], unsigned argc, char *why,
		    size_t whysz);

#endif
