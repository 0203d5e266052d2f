/*
 * test_json.c - the JSON writer: escaping of every awkward byte, exact
 * numbers, NaN/inf as null, and misuse reported instead of broken output.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reports/json.h"
#include "tests/unit/json_check.h"

static void test_json_writer(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;
	const char nasty[] = "q\"b\\ \x01\x1f\n\t\r\b\f \xc3\xa9 \xff \xed\xa0\x80 "
			     "\xe2\x80\xa8 end";

	json_init(&j, f, 0);
	json_begin_object(&j);
	json_kv_string(&j, "s", nasty);
	json_kv_string(&j, "null", NULL);
	json_key(&j, "nul");
	json_string_n(&j, "a\0b", 3);
	json_kv_int(&j, "i", INT64_MIN);
	json_kv_uint(&j, "u", UINT64_MAX);
	json_kv_double(&j, "d", 0.1);
	json_kv_double(&j, "nan", NAN);
	json_kv_double(&j, "inf", -INFINITY);
	json_kv_bool(&j, "b", 1);
	json_key(&j, "a");
	json_begin_array(&j);
	json_int(&j, 1);
	json_begin_object(&j);
	json_end_object(&j);
	json_begin_array(&j);
	json_end_array(&j);
	json_end_array(&j);
	json_end_object(&j);
	assert_int_equal(json_finish(&j), 0);
	fclose(f);
	assert_true(json_valid(buf));
	assert_non_null(strstr(buf, "\"s\":\"q\\\"b\\\\ \\u0001\\u001f\\n\\t\\r"
				    "\\b\\f \xc3\xa9 \\ufffd \\ufffd\\ufffd"
				    "\\ufffd \\u2028 end\""));
	assert_non_null(strstr(buf, "\"nul\":\"a\\u0000b\""));
	assert_non_null(strstr(buf, "\"i\":-9223372036854775808"));
	assert_non_null(strstr(buf, "\"u\":18446744073709551615"));
	/* Shortest round trip: 0.1, not 0.10000000000000001. */
	assert_non_null(strstr(buf, "\"d\":0.1,"));
	assert_non_null(strstr(buf, "\"nan\":null,\"inf\":null"));
	assert_non_null(strstr(buf, "\"a\":[1,{},[]]"));
	assert_true(strtod(strstr(buf, "\"d\":") + 4, NULL) == 0.1);
	free(buf);

	/* Issue 17: 54321.6472 printed as 54321.647199999999 before; every
	 * value still reads back bit for bit. */
	{
		static const double v[] = {54321.6472, 1.0 / 3, 1e300,
					   5e-324, 38.21, 0, -2.5};
		char num[40];

		json_fmt_double(num, sizeof(num), 54321.6472);
		assert_string_equal(num, "54321.6472");
		json_fmt_double(num, sizeof(num), 38.21);
		assert_string_equal(num, "38.21");
		for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
			json_fmt_double(num, sizeof(num), v[i]);
			assert_true(strtod(num, NULL) == v[i]);
		}
	}

	/* Misuse is reported, not printed as broken JSON silently. */
	f = open_memstream(&buf, &len);
	json_init(&j, f, 1);
	json_begin_object(&j);
	json_int(&j, 3); /* no key */
	json_end_object(&j);
	assert_int_equal(json_finish(&j), -EINVAL);
	json_init(&j, f, 1);
	json_begin_array(&j);
	assert_int_equal(json_finish(&j), -EINVAL); /* unclosed */
	fclose(f);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
