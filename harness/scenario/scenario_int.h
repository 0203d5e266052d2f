/*
 * scenario_int.h - what scenario.c (the file, its sections, the matrix)
 * and scenario_params.c (one measurement parameter's value) share.
 */
#ifndef ISOLAT_SCENARIO_INT_H
#define ISOLAT_SCENARIO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "harness/scenario/scenario.h"
#include "harness/scenario/scenario_keys.h"

/* The number of keys in scenario_keys_all.def (each expands to "+ 1"). */
#define SCN_COUNT1(...) + 1
#define SCN_TOP SCN_COUNT1
#define SCN_UINT SCN_COUNT1
#define SCN_WORD SCN_COUNT1
#define SCN_FLAG SCN_COUNT1
#define SCN_PATH SCN_COUNT1
#define SCN_CMDLINE SCN_COUNT1
#define SCN_CPUS SCN_COUNT1
#define SCN_PINS SCN_COUNT1
#define SCN_CPUSPEC SCN_COUNT1
#define SCN_ALIAS SCN_COUNT1
enum {
	SCN_NKEYS = 0
#include "harness/scenario/scenario_keys_all.def"
};
#undef SCN_TOP
#undef SCN_UINT
#undef SCN_WORD
#undef SCN_FLAG
#undef SCN_PATH
#undef SCN_CMDLINE
#undef SCN_CPUS
#undef SCN_PINS
#undef SCN_CPUSPEC
#undef SCN_ALIAS
#undef SCN_COUNT1

struct parse {
	struct scenario *scn;
	const char *file; /* for messages */
	const char *text, *pos;
	int line;
	int failed;
	char *err;
	size_t errsz;
	/* per key (scn_key_index of its target), to reject duplicates:
	 * sized by the tables, so their length is not capped */
	unsigned char seen[SCN_NKEYS];
};

/* "FILE:LINE: " + the message into p->err (the first error only); 0. */
int scn_fail(struct parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A whole number in min..max; 0 or -EINVAL. */
int scn_parse_u64(const char *v, uint64_t min, uint64_t max, uint64_t *out);

/* key = v as a whole number in min..max, else scn_fail; 1 or 0. */
int scn_num_key(struct parse *p, const char *key, const char *v,
		uint64_t min, uint64_t max, uint64_t *out);

/* Kernel parameters a guest command line may take as they are. */
int scn_valid_cmdline(const char *v);
/* key = v as kernel parameters, else scn_fail; 1 or 0. */
int scn_cmdline_key(struct parse *p, const char *key, const char *v);

/* Key k (not SCN_K_TOP), written as key, of [scenario] or a profile's
 * override of one, into pr; 1, or 0 after scn_fail. */
int scn_param_key(struct parse *p, const struct scn_key *k, const char *key,
		  const char *v, struct scn_params *pr);

/* The defaults of the tables' keys into pr (zeroed by the caller). */
void scn_param_defaults(struct scn_params *pr);

/* "a|b|c" and tail -> "a, b, c or tail" (tail NULL: "a, b or c"). */
void scn_words_join(const char *words, const char *tail, char *out,
		    size_t size);

#endif
