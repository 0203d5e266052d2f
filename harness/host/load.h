/*
 * load.h - background loads applied while measuring (table-driven).
 *
 * Every load but `none` is a stress-ng stressor (Debian package stress-ng)
 * with fixed arguments, listed once in loads.def; harness/host/load_run.c turns
 * a case's load into stress-ng's argv and starts / stops it.  A scenario
 * names a load or a combination of them, "cpu+memory": each part runs as
 * its own stressor in one stress-ng, on the same CPUs.
 *
 * Adding a load: one X(...) line in loads.def with its stressor option and
 * bounded extras, and a case in tests/unit/test_load.c for its argv.
 */
#ifndef ISOLAT_LOAD_H
#define ISOLAT_LOAD_H

#include <stddef.h>

#define LOAD_PARTS_MAX 4
#define LOAD_NAME_MAX 64

struct load_ops {
	const char *name;
	const char *describe;
	const char *stressor;          /* "--cpu"; NULL for none */
	const char *const *extra;      /* NULL-terminated fixed arguments */
};

/* A scenario's load entry: "none", "cpu" or "cpu+memory". */
struct load_spec {
	char name[LOAD_NAME_MAX]; /* as written */
	unsigned n;               /* parts; 0 for none */
	const struct load_ops *part[LOAD_PARTS_MAX];
};

extern const struct load_ops load_table[];
extern const unsigned load_count;

const struct load_ops *load_find(const char *name);
const char *load_names(void);
/*
 * Parse "cpu+memory": every part a known load, none twice, `none` only
 * alone, at most LOAD_PARTS_MAX.  0, or -EINVAL with the reason in why.
 */
int load_spec_parse(const char *text, struct load_spec *out, char *why,
		    size_t whysz);

#endif
