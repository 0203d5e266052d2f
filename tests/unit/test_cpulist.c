/*
 * test_cpulist.c - CPU list parsing and printing: the kernel's syntax is
 * accepted (blanks, ranges, groups), anything ambiguous is refused with a
 * reason, and format() output parses back to the same set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/cpulist.h"

static struct cpulist l, l2; /* 2 KiB each: keep off the stack */

static void fmt_ok(const char *text, const char *want)
{
	char buf[8192];
	const char *why = "unset";

	if (cpulist_parse(text, &l, &why) != 0)
		fail_msg("'%s' refused: %s", text, why);
	assert_null(why);
	assert_int_equal(cpulist_format(&l, buf, sizeof(buf)), 0);
	if (strcmp(buf, want))
		fail_msg("'%s' -> '%s', want '%s'", text, buf, want);
}

static void test_valid(void **state)
{
	(void)state;
	fmt_ok("", "");
	fmt_ok("   ", "");
	fmt_ok("0", "0");
	fmt_ok("0-3,8,10-11", "0-3,8,10-11");
	fmt_ok(" 0 - 3 , 8 ,\t10-11\n", "0-3,8,10-11");
	fmt_ok("3,1,2", "1-3");
	fmt_ok("1,1,1-2,2", "1-2");
	fmt_ok("5-5", "5");
	fmt_ok("4,6", "4,6");
	fmt_ok("1023", "1023");
	fmt_ok("0-1023", "0-1023");
	fmt_ok("007", "7");
	fmt_ok("0-15:2/4", "0-1,4-5,8-9,12-13");
	fmt_ok("0-7:1/2", "0,2,4,6");
	fmt_ok("0-7:4/4", "0-7");
	assert_int_equal(l.n, 8);
}

static void bad(const char *text, const char *reason)
{
	const char *why = NULL;

	l.n = 99;
	assert_int_equal(cpulist_parse(text, &l, &why), -EINVAL);
	assert_non_null(why);
	if (!strstr(why, reason))
		fail_msg("'%s': reason '%s', want '%s'", text, why, reason);
}

static void test_invalid(void **state)
{
	(void)state;
	bad("1-", "without an end");
	bad("1- ,2", "without an end");
	bad("a", "not a CPU number");
	bad("1,a", "not a CPU number");
	bad("-1", "not a CPU number");
	bad("3-1", "end below start");
	bad("1024", "too large");
	bad("0-1024", "too large");
	bad("99999999999999999999", "too large");
	bad(",", "empty element");
	bad("1,", "empty element");
	bad(",1", "empty element");
	bad("1,,2", "empty element");
	bad("1 2", "unexpected character");
	bad("1;2", "unexpected character");
	bad("1-2-3", "malformed range");
	bad("0x3", "unexpected character");
	bad("0-7:0/2", "0 < used <= group");
	bad("0-7:3/2", "0 < used <= group");
	bad("0-7:1", "group form");
	bad("0-7:1/0", "0 < used <= group");
	assert_int_equal(cpulist_parse(NULL, &l, NULL), -EINVAL);
	/* why may be NULL */
	assert_int_equal(cpulist_parse("x", &l, NULL), -EINVAL);
}

static void test_contains(void **state)
{
	(void)state;
	assert_int_equal(cpulist_parse("1-3,8,100", &l, NULL), 0);
	assert_true(cpulist_contains(&l, 1));
	assert_true(cpulist_contains(&l, 3));
	assert_true(cpulist_contains(&l, 8));
	assert_true(cpulist_contains(&l, 100));
	assert_false(cpulist_contains(&l, 0));
	assert_false(cpulist_contains(&l, 4));
	assert_false(cpulist_contains(&l, 1023));
	assert_int_equal(cpulist_parse("", &l, NULL), 0);
	assert_false(cpulist_contains(&l, 0));
}

static void test_format_nospace(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(cpulist_parse("0-3,8,10-11", &l, NULL), 0);
	assert_int_equal(cpulist_format(&l, buf, 0), -ENOSPC);
	assert_int_equal(cpulist_format(&l, buf, 5), -ENOSPC);
	assert_string_equal(buf, "");
	assert_int_equal(cpulist_format(&l, buf, 4), -ENOSPC);
	assert_int_equal(cpulist_parse("0-3", &l, NULL), 0);
	assert_int_equal(cpulist_format(&l, buf, 4), 0); /* exact fit */
	assert_string_equal(buf, "0-3");
}

/* Random sets: format, parse back, same set. */
static void test_round_trip(void **state)
{
	static char buf[8192];

	(void)state;
	srand(4242);
	for (int iter = 0; iter < 2000; iter++) {
		int density = rand() % 100;

		l.n = 0;
		for (unsigned c = 0; c < CPULIST_MAX; c++)
			if (rand() % 100 < density / 4 + (iter % 3 ? 0 : 50))
				l.cpu[l.n++] = (unsigned short)c;
		assert_int_equal(cpulist_format(&l, buf, sizeof(buf)), 0);
		assert_int_equal(cpulist_parse(buf, &l2, NULL), 0);
		assert_int_equal(l2.n, l.n);
		assert_memory_equal(l2.cpu, l.cpu, l.n * sizeof(l.cpu[0]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_format_nospace),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
