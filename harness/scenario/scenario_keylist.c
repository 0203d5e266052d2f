/*
 * scenario_keylist.c - every key a scenario file may hold, by section,
 * taken from the parser's own tables (scn_key_names, the profile keys of
 * harness/host/tuning_keys.c, the gate's metric names), so the man page
 * test (tests/e2e/docs.sh through build/tools/scenario_keys) fails when a
 * key is added without documentation.
 *
 * One function on purpose: when the per-backend key tables (issue 13)
 * expose their iterator, this becomes a call to it.
 */
#include <stdio.h>
#include <string.h>

#include "harness/host/tuning.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/scenario_int.h"
#include "reports/gate.h"

/* fn for each item of a ", " separated list. */
static void each_listed(const char *list, const char *section,
			scenario_key_fn fn, void *ctx)
{
	char key[64];

	while (*list) {
		size_t n = strcspn(list, ", ");

		if (n && n < sizeof(key)) {
			memcpy(key, list, n);
			key[n] = '\0';
			fn(ctx, section, key);
		}
		list += n;
		list += strspn(list, ", ");
	}
}

void scenario_keys(scenario_key_fn fn, void *ctx)
{
	for (int k = 0; k < K_COUNT; k++)
		fn(ctx, "scenario", scn_key_names[k]);
	fn(ctx, "profile", "description");
	fn(ctx, "profile", "guest_cmdline");
	each_listed(scenario_profile_overridable(), "profile", fn, ctx);
	each_listed(tuning_profile_keys(), "profile", fn, ctx);
	for (int m = 0; m < GM_N; m++)
		fn(ctx, "gate", gate_metric_name[m]);
	fn(ctx, "gate", "alpha");
}
