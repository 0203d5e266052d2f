/*
 * scenario_keys.h - a [scenario] key as its room's table declares it.
 *
 * Each room that reads scenario keys owns a .def table in its folder
 * (scenario_keys.def here, host/host_keys.def, env/guest/guest_keys.def,
 * env/kvm/kvm_keys.def, env/xen/xen_keys.def), listed once in
 * scenario_keys_all.def.  One line per key, the way fio engines declare
 * their .options; from it come the struct scn_params field (and
 * NAME_line), the parser and `isolat check --keys`.  Adding a key is one
 * line in one table.  The columns:
 *
 *   SCN_TOP(name, type, default, doc)       [scenario] only, parsed by
 *                                           scenario.c (name, lists, ...)
 *   SCN_UINT(name, ctype, min, max, ovr, default, doc)
 *                                           whole number in min..max
 *   SCN_WORD(name, size, "a|b|c", ovr, default, doc)
 *                                           one of the words, as text
 *   SCN_FLAG(name, field, "a|b", word, ovr, default, doc)
 *                                           int field: 1 when = word
 *   SCN_PATH(name, ovr, doc)                absolute path QEMU can take
 *   SCN_CMDLINE(name, doc)                  kernel parameters
 *   SCN_CPUS(name, max, ovr, doc)           CPU list (sorted, not empty),
 *                                           no CPU above max
 *   SCN_PINS(name, ovr, doc)                host CPUs in vCPU order
 *   SCN_CPUSPEC(name, "w1|w2", tail, ovr, default, doc)
 *                                           one of the words or a CPU
 *                                           list; tail says the list in
 *                                           messages
 *   SCN_ALIAS(name, target, doc)            another name of target
 *
 * ovr: 1 when a [profile NAME] may override it (how the guest is placed
 * and scheduled is part of isolation; what is measured is not).
 * default: the value as written in a file, applied before parsing; NULL
 * when unset means "the backend decides" (doc says what it does).
 */
#ifndef ISOLAT_SCENARIO_KEYS_H
#define ISOLAT_SCENARIO_KEYS_H

#include <stddef.h>
#include <stdint.h>

enum scn_kind {
	SCN_K_TOP, SCN_K_UINT, SCN_K_WORD, SCN_K_FLAG, SCN_K_PATH,
	SCN_K_CMDLINE, SCN_K_CPUS, SCN_K_PINS, SCN_K_CPUSPEC, SCN_K_ALIAS,
};

struct scn_key {
	const char *name;
	enum scn_kind kind;
	const char *top_type;  /* SCN_K_TOP: its type in words */
	size_t off, size;      /* the field in struct scn_params */
	size_t line_off;       /* its NAME_line */
	uint64_t min, max;     /* SCN_K_UINT; CPUS: max */
	const char *words;     /* WORD, FLAG, CPUSPEC: "a|b|c" */
	const char *arg;       /* FLAG: the word meaning 1; CPUSPEC: tail;
				* ALIAS: the target's name */
	int overridable;
	const char *def;
	const char *doc;
};

/* Every key, in table order; n set to their number. */
const struct scn_key *scn_keys(unsigned *n);

/* The key called name (aliases are keys of their own), or NULL. */
const struct scn_key *scn_key_find(const char *name);
/* The key nearest to a misspelt name (edit distance, a swap of two
 * letters counting one), when it is near enough to be the one meant:
 * at most 2 edits and fewer than half the name.  NULL otherwise. */
const struct scn_key *scn_key_nearest(const char *name);

/* The key a value lands in: an alias's target, else k itself. */
const struct scn_key *scn_key_target(const struct scn_key *k);

/* k's index in scn_keys(). */
unsigned scn_key_index(const struct scn_key *k);

#endif
