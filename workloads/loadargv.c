/*
 * loadargv.c - checking a load's argv on both sides (see loadargv.h).
 */
#include "workloads/loadargv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *const load_program_dirs[] = {
	"/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin", NULL,
};

/* An absolute path whose components are neither "." nor "..": the only
 * path a load names is its temp directory. */
static int clean_path(const char *a)
{
	if (a[0] != '/')
		return 0;
	for (const char *p = a; p; p = strchr(p + 1, '/')) {
		size_t n = strcspn(p + 1, "/");

		if ((n == 1 && p[1] == '.') ||
		    (n == 2 && p[1] == '.' && p[2] == '.'))
			return 0;
	}
	return 1;
}

int load_argv_check(char *const argv[], unsigned argc, char *why,
		    size_t whysz)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789._,:/=+-";

	if (argc == 0 || argc > LOAD_ARGV_MAX) {
		snprintf(why, whysz, "load argv has %u arguments; expected "
			 "1 to %d", argc, LOAD_ARGV_MAX);
		return -EINVAL;
	}
	if (!argv[0] || strcmp(argv[0], LOAD_PROGRAM)) {
		snprintf(why, whysz, "load program '%.64s': expected %s",
			 argv[0] ? argv[0] : "(null)", LOAD_PROGRAM);
		return -EINVAL;
	}
	for (unsigned i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t n = a ? strlen(a) : 0;

		if (n == 0 || n > LOAD_ARG_LEN_MAX) {
			snprintf(why, whysz, "load argument %u is empty or "
				 "longer than %d characters", i,
				 LOAD_ARG_LEN_MAX);
			return -EINVAL;
		}
		if (strspn(a, ok) != n) {
			snprintf(why, whysz, "load argument %u '%.64s': "
				 "character 0x%02x not allowed (expected "
				 "letters, digits and ._,:/=+-)", i, a,
				 (unsigned char)a[strspn(a, ok)]);
			return -EINVAL;
		}
		if (strchr(a, '/') && !clean_path(a)) {
			snprintf(why, whysz, "load argument %u '%.64s': a "
				 "path must be absolute, without . or .. "
				 "components", i, a);
			return -EINVAL;
		}
	}
	if (argv[argc]) {
		snprintf(why, whysz, "load argv is not NULL-terminated");
		return -EINVAL;
	}
	return 0;
}
