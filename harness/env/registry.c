/*
 * registry.c - the tables of environments, workloads, loads and journal
 * record kinds, generated from their .def lists, and the lookups every
 * command uses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/env/env.h"
#include "harness/host/journal.h"
#include "harness/host/load.h"
#include "harness/util.h"
#include "harness/workload.h"

const struct env_ops *const env_table[] = {
#define X(n, colour, reference) &env_##n##_ops,
#include "harness/env/envs.def"
#undef X
	NULL,
};

const struct journal_kind_ops *const journal_kinds[JOURNAL_KINDS] = {
#define X(name, sym) [JOURNAL_##name] = &journal_kind_##sym,
#include "harness/env/journal_kinds.def"
#undef X
};

const struct journal_kind_ops *journal_kind_get(enum journal_kind kind)
{
	return (unsigned)kind < JOURNAL_KINDS ? journal_kinds[kind] : NULL;
}

const struct workload_ops workload_table[] = {
#define X(n, flags, d, needs, pkg) {#n, d, needs, pkg, flags},
#include "workloads/workloads.def"
#undef X
};
const unsigned workload_count =
	sizeof(workload_table) / sizeof(workload_table[0]);

/* File-scope compound literals: static storage, one per load. */
#define LOAD_NO_ARGS ((const char *const[]){NULL})
#define LOAD_ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
const struct load_ops load_table[] = {
#define X(n, d, stressor, extra) {#n, d, stressor, extra},
#include "harness/host/loads.def"
#undef X
};
#undef LOAD_NO_ARGS
#undef LOAD_ARGS
const unsigned load_count = sizeof(load_table) / sizeof(load_table[0]);

const struct env_ops *env_find(const char *name)
{
	for (unsigned i = 0; env_table[i]; i++)
		if (!strcmp(env_table[i]->name, name))
			return env_table[i];
	return NULL;
}

static const char *join(char *buf, size_t size, const char *(*nth)(unsigned))
{
	const char *n;

	buf[0] = '\0';
	for (unsigned i = 0; (n = nth(i)); i++) {
		size_t len = strlen(buf);

		snprintf(buf + len, size - len, "%s%s", i ? ", " : "", n);
	}
	return buf;
}

/* The i-th environment offered to users (hidden ones left out). */
static const char *env_nth(unsigned i)
{
	for (unsigned k = 0; env_table[k]; k++)
		if (!(env_table[k]->flags & ENV_HIDDEN) && i-- == 0)
			return env_table[k]->name;
	return NULL;
}

static const char *workload_nth(unsigned i)
{
	return i < workload_count ? workload_table[i].name : NULL;
}

static const char *load_nth(unsigned i)
{
	return i < load_count ? load_table[i].name : NULL;
}

const char *env_names(void)
{
	static char buf[256];

	return join(buf, sizeof(buf), env_nth);
}

const char *workload_names(void)
{
	static char buf[256];

	return join(buf, sizeof(buf), workload_nth);
}

const char *load_names(void)
{
	static char buf[256];

	return join(buf, sizeof(buf), load_nth);
}

int env_check_ops(const struct env_ops *o, char *why, size_t whysz)
{
	const char *missing = !o->name      ? "name"
			      : !o->probe   ? "probe"
			      : !o->prepare ? "prepare"
			      : !o->start   ? "start"
			      : !o->wait    ? "wait"
			      : !o->stop    ? "stop"
			      : !o->cleanup ? "cleanup"
			      : (o->flags & ENV_GUEST) && !o->guest_cpus
					    ? "guest_cpus"
					    : NULL;

	if (!missing)
		return 0;
	snprintf(why, whysz, "environment '%s' has no %s callback",
		 o->name ? o->name : "?", missing);
	return -EINVAL;
}

const struct workload_ops *workload_find(const char *name)
{
	for (unsigned i = 0; i < workload_count; i++)
		if (!strcmp(workload_table[i].name, name))
			return &workload_table[i];
	return NULL;
}

int workload_probe(const struct workload_ops *w, char *why, size_t whysz)
{
	char path[512];

	if (!w->needs)
		return 0;
	if (find_program(w->needs, path, sizeof(path)) == 0)
		return 0;
	snprintf(why, whysz, "%s not found: install it (apt-get install %s)",
		 w->needs, w->needs_package);
	return -ENOENT;
}

const struct load_ops *load_find(const char *name)
{
	for (unsigned i = 0; i < load_count; i++)
		if (!strcmp(load_table[i].name, name))
			return &load_table[i];
	return NULL;
}
