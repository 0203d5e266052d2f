/*
 * journal_fixture.h - a fake tree with a journal path (fake_tree.h), plus
 * rec() (journal a write, then make it) and note() (the order replay
 * undoes records in), for the journal's test programs.
 */
#ifndef ISOLAT_TEST_JOURNAL_FIXTURE_H
#define ISOLAT_TEST_JOURNAL_FIXTURE_H

#include <stdlib.h>

#include "harness/host/journal.h"

#include "fake_tree.h"

static inline int setup(void **state)
{
	(void)state;
	return fake_tree_make("/tmp/isolat-tj.XXXXXX");
}

static inline int teardown(void **state)
{
	(void)state;
	fake_tree_remove();
	return 0;
}

static inline void rec(struct journal *j, const char *knob, const char *path,
		const char *orig, const char *v)
{
	struct journal_rec *r = calloc(1, sizeof(*r));
	char err[256] = "";

	assert_non_null(r);
	r->kind = JOURNAL_WRITE;
	snprintf(r->knob, sizeof(r->knob), "%s", knob);
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->orig, sizeof(r->orig), "%s", orig);
	snprintf(r->new_value, sizeof(r->new_value), "%s", v);
	if (journal_append(j, r, err, sizeof(err)) != 0)
		fail_msg("append %s: %s", path, err);
	free(r);
	put(path, v); /* the change itself, after the journal */
}

struct order {
	char seen[8][128];
	int n;
};

static inline void note(void *ctx, const struct journal_rec *r, int rc)
{
	struct order *o = ctx;

	assert_int_equal(rc, 0);
	if (o->n < 8)
		snprintf(o->seen[o->n++], 128, "%.60s=%.60s", r->path, r->orig);
}

#endif
