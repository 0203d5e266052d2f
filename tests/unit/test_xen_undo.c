/*
 * test_xen_undo.c - the xl calls that undo each journaled Xen change
 * (harness/env/xen/xen_undo.c), planned from xl's current listings: a domain
 * destroyed only if it exists, a pool's pCPUs back to Pool-0 and the pool
 * gone, dom0's affinity back whole however long, leftover probe pools,
 * idempotent on a second plan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/env/env.h"
#include "harness/host/journal.h"
#include "harness/scenario/scenario.h"
#include "harness/env/xen/xen_cmd.h"
#include "harness/env/xen/xen_undo.h"
#include "harness/env/xen/xen_xl.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "xen_listings.h"

/* "w0 w1 ..." of undo call i. */
static const char *call(const struct xen_undo *u, unsigned i)
{
	static char buf[8192];

	buf[0] = '\0';
	for (int k = 0; k < XEN_UNDO_WORDS && u->cmd[i][k]; k++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
			 k ? " " : "", u->cmd[i][k]);
	return buf;
}

static void test_undo_plan(void **state)
{
	static struct xen_undo u;
	static struct journal_rec r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.kind = JOURNAL_DOMAIN;
	strcpy(r.path, "isolat-case-0");
	assert_int_equal(xen_undo_plan(&r, xl_list, "", &u), 0);
	assert_int_equal(u.n, 1);
	assert_string_equal(call(&u, 0), "destroy isolat-case-0");
	/* Gone already: nothing to do (idempotent). */
	strcpy(r.path, "isolat-case-1");
	assert_int_equal(xen_undo_plan(&r, xl_list, "", &u), 0);
	assert_int_equal(u.n, 0);
	/* Never someone else's domain, whatever the journal says. */
	strcpy(r.path, "Domain-0");
	assert_int_equal(xen_undo_plan(&r, xl_list, "", &u), -EINVAL);

	r.kind = JOURNAL_CPUPOOL;
	strcpy(r.path, "isolat-pool-0");
	strcpy(r.orig, "2-3");
	assert_int_equal(xen_undo_plan(&r, "", pools, &u), 0);
	assert_int_equal(u.n, 5);
	assert_string_equal(call(&u, 0), "cpupool-cpu-remove isolat-pool-0 2");
	assert_string_equal(call(&u, 1), "cpupool-cpu-add Pool-0 2");
	assert_string_equal(call(&u, 2), "cpupool-cpu-remove isolat-pool-0 3");
	assert_string_equal(call(&u, 3), "cpupool-cpu-add Pool-0 3");
	assert_string_equal(call(&u, 4), "cpupool-destroy isolat-pool-0");
	/* Crashed between leaving Pool-0 and the pool's creation: the free
	 * pCPUs go back, pCPUs already in Pool-0 stay. */
	assert_int_equal(xen_undo_plan(&r, "", "Name CPU list\nPool-0 0,1,3\n",
				       &u), 0);
	assert_int_equal(u.n, 1);
	assert_string_equal(call(&u, 0), "cpupool-cpu-add Pool-0 2");
	/* A leftover found by name (orig ""): whatever it holds. */
	strcpy(r.orig, "");
	assert_int_equal(xen_undo_plan(&r, "", pools, &u), 0);
	assert_int_equal(u.n, 5);
	strcpy(r.path, "isolat-stale");
	assert_int_equal(xen_undo_plan(&r, "", pools, &u), 0);
	assert_int_equal(u.n, 1);
	assert_string_equal(call(&u, 0), "cpupool-destroy isolat-stale");
	strcpy(r.path, "Pool-0");
	assert_int_equal(xen_undo_plan(&r, "", pools, &u), -EINVAL);
	strcpy(r.path, "isolat-pool-0");
	strcpy(r.orig, "2-x");
	assert_int_equal(xen_undo_plan(&r, "", pools, &u), -EINVAL);

	r.kind = JOURNAL_DOM0PIN;
	strcpy(r.path, "Domain-0:1");
	strcpy(r.orig, "all");
	assert_int_equal(xen_undo_plan(&r, "", "", &u), 0);
	assert_int_equal(u.n, 1);
	assert_string_equal(call(&u, 0), "vcpu-pin Domain-0 1 all");
	strcpy(r.orig, "0-1,3");
	assert_int_equal(xen_undo_plan(&r, "", "", &u), 0);
	assert_string_equal(call(&u, 0), "vcpu-pin Domain-0 1 0-1,3");
	strcpy(r.orig, "-f");
	assert_int_equal(xen_undo_plan(&r, "", "", &u), -EINVAL);
	strcpy(r.orig, "all");
	strcpy(r.path, "isolat-case-0:1");
	assert_int_equal(xen_undo_plan(&r, "", "", &u), -EINVAL);

	r.kind = JOURNAL_WRITE;
	assert_int_equal(xen_undo_plan(&r, "", "", &u), -EINVAL);
}


/* Item: a dom0pin record's affinity is given back whole, never cut. */
static void test_undo_dom0_long_affinity(void **state)
{
	static struct xen_undo u;
	static struct journal_rec r;
	char want[4200];

	(void)state;
	memset(&r, 0, sizeof(r));
	r.kind = JOURNAL_DOM0PIN;
	strcpy(r.path, "Domain-0:3");
	strcpy(r.orig, evens(46));
	assert_true(strlen(r.orig) > 63);
	assert_int_equal(xen_undo_plan(&r, "", "", &u), 0);
	assert_int_equal(u.n, 1);
	snprintf(want, sizeof(want), "vcpu-pin Domain-0 3 %s", evens(46));
	assert_string_equal(call(&u, 0), want);
	assert_string_equal(u.cmd[0][3], r.orig);
	assert_null(u.cmd[0][4]);
	/* As long as any: every even pCPU of 1024. */
	strcpy(r.orig, evens(1022));
	assert_true(strlen(r.orig) > 2000);
	assert_int_equal(xen_undo_plan(&r, "", "", &u), 0);
	assert_string_equal(u.cmd[0][3], evens(1022));
	/* A field without its end (never written so): no call at all. */
	memset(r.orig, '1', sizeof(r.orig));
	assert_int_equal(xen_undo_plan(&r, "", "", &u), -EINVAL);
	assert_int_equal(u.n, 0);
}

/* Every xl call a record needs is planned, however many pCPUs (200 were
 * the most once, the rest silently dropped). */
static void test_undo_plan_full(void **state)
{
	static struct xen_undo u;
	static struct journal_rec r;
	static char pools_big[8192];

	(void)state;
	memset(&r, 0, sizeof(r));
	r.kind = JOURNAL_CPUPOOL;
	strcpy(r.path, "isolat-pool-9");
	/* 300 free pCPUs: 300 cpupool-cpu-add calls. */
	strcpy(r.orig, "0-299");
	assert_int_equal(xen_undo_plan(&r, "", "Name CPU list\n", &u), 0);
	assert_int_equal(u.n, 300);
	assert_string_equal(call(&u, 299), "cpupool-cpu-add Pool-0 299");
	/* Every pCPU there is, in the pool: out, back, and the pool gone. */
	snprintf(pools_big, sizeof(pools_big),
		 "Name CPU list\nisolat-pool-9 0-%u\n", CPULIST_MAX - 1);
	snprintf(r.orig, sizeof(r.orig), "0-%u", CPULIST_MAX - 1);
	assert_int_equal(xen_undo_plan(&r, "", pools_big, &u), 0);
	assert_int_equal(u.n, 2 * CPULIST_MAX + 1);
	assert_string_equal(call(&u, 2 * CPULIST_MAX - 2),
			    "cpupool-cpu-remove isolat-pool-9 1023");
	assert_string_equal(call(&u, 2 * CPULIST_MAX),
			    "cpupool-destroy isolat-pool-9");
}

/* A crashed scheduler probe's pool goes with a cpupool record's undo. */
static void test_undo_probe_pool(void **state)
{
	static struct xen_undo u;
	static struct journal_rec r;
	static const char with_probe[] =
		"Name               CPU list\n"
		"Pool-0             0,1\n"
		"isolat-pool-0      2,3\n"
		"isolat-probe-rtds  \n"
		"isolat-probe-x     1\n";

	(void)state;
	memset(&r, 0, sizeof(r));
	r.kind = JOURNAL_CPUPOOL;
	strcpy(r.path, "isolat-pool-0");
	strcpy(r.orig, "2-3");
	assert_int_equal(xen_undo_plan(&r, "", with_probe, &u), 0);
	assert_int_equal(u.n, 6);
	assert_string_equal(call(&u, 4), "cpupool-destroy isolat-pool-0");
	/* Empty ones only: a probe pool never holds a pCPU. */
	assert_string_equal(call(&u, 5), "cpupool-destroy isolat-probe-rtds");
	/* Found by name as a leftover (the next case's cleanup). */
	strcpy(r.path, "isolat-probe-rtds");
	strcpy(r.orig, "");
	assert_int_equal(xen_undo_plan(&r, "", with_probe, &u), 0);
	assert_int_equal(u.n, 1);
	assert_string_equal(call(&u, 0), "cpupool-destroy isolat-probe-rtds");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_undo_plan),
		cmocka_unit_test(test_undo_dom0_long_affinity),
		cmocka_unit_test(test_undo_plan_full),
		cmocka_unit_test(test_undo_probe_pool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
