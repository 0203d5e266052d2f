/*
 * test_journal_kinds.c - the journal's record kinds come from one table
 * (harness/env/journal_kinds.def): every kind has its word, path check
 * and undo; words are unique and are the ones existing journals hold
 * (the on-disk format does not move when kinds are added or reordered);
 * a kind out of range is refused, never indexed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "harness/host/journal.h"

static void test_every_kind_complete(void **state)
{
	for (unsigned k = 0; k < JOURNAL_KINDS; k++) {
		const struct journal_kind_ops *o = journal_kind_get(k);

		assert_non_null(o);
		assert_non_null(o->word);
		assert_true(o->word[0]);
		assert_non_null(o->path_ok);
		assert_non_null(o->undo);
		for (unsigned m = 0; m < k; m++)
			assert_string_not_equal(o->word,
						journal_kinds[m]->word);
	}
	assert_null(journal_kind_get(JOURNAL_KINDS));
	assert_null(journal_kind_get((enum journal_kind)-1));
}

/* The words journals on disk already hold. */
static void test_words_stable(void **state)
{
	static const struct { enum journal_kind k; const char *w; } want[] = {
		{JOURNAL_WRITE, "write"},     {JOURNAL_SCHED, "sched"},
		{JOURNAL_MKDIR, "mkdir"},     {JOURNAL_MOUNT, "mount"},
		{JOURNAL_DOMAIN, "domain"},   {JOURNAL_CPUPOOL, "cpupool"},
		{JOURNAL_DOM0PIN, "dom0pin"}, {JOURNAL_KEPT, "kept"},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(journal_kinds[want[i].k]->word, want[i].w);
}

static void test_out_of_range_refused(void **state)
{
	struct journal_rec r = {.kind = JOURNAL_KINDS};
	char why[256] = "";

	strcpy(r.path, "/proc/sys/kernel/timer_migration");
	strcpy(r.orig, "1");
	assert_false(journal_path_allowed(JOURNAL_KINDS, r.path));
	assert_false(journal_rec_allowed(&r, why, sizeof(why)));
	assert_non_null(strstr(why, "not a path"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_complete),
		cmocka_unit_test(test_words_stable),
		cmocka_unit_test(test_out_of_range_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
