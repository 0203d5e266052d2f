/*
 * scenario_keys.c - print every scenario key as "SECTION KEY", one a line
 * (scenario_keys()), for tests/e2e/docs.sh to check the man page against.
 */
#include <stdio.h>

#include "harness/scenario/scenario.h"

static void print_key(void *ctx, const char *section, const char *key)
{
	(void)ctx;
	printf("%s %s\n", section, key);
}

int main(void)
{
	scenario_keys(print_key, NULL);
	return fflush(stdout) ? 2 : 0;
}
