/*
 * test_journal_xen.c - the Xen records (domain, cpupool, dom0pin): only
 * isolat-* names and Domain-0's vCPUs, written in the documented format,
 * replayed newest first beside host tuning, a tampered name refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/host/journal.h"
#include "harness/host/trace.h"
#include "harness/host/tuning.h"

#include "journal_fixture.h"

/* The Xen records name objects: only isolat-* domains and pools, only
 * Domain-0's vCPUs. */
static void test_allowed_xen(void **state)
{
	static const char *const names_ok[] = {
		"isolat-case-0", "isolat-pool-12", "isolat-probe-rtds",
		"isolat-stale", "isolat-a_b.c",
	};
	static const char *const names_bad[] = {
		"", "isolat-", "Domain-0", "Pool-0", "isolat-a/b",
		"isolat-x;rm", "isolat-x y", "xisolat-a", "/isolat-a",
		"isolat-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names_ok) / sizeof(*names_ok); i++) {
		assert_true(journal_path_allowed(JOURNAL_DOMAIN, names_ok[i]));
		assert_true(journal_path_allowed(JOURNAL_CPUPOOL,
						 names_ok[i]));
	}
	for (size_t i = 0; i < sizeof(names_bad) / sizeof(*names_bad); i++) {
		assert_false(journal_path_allowed(JOURNAL_DOMAIN,
						  names_bad[i]));
		assert_false(journal_path_allowed(JOURNAL_CPUPOOL,
						  names_bad[i]));
	}
	assert_true(journal_path_allowed(JOURNAL_DOM0PIN, "Domain-0:0"));
	assert_true(journal_path_allowed(JOURNAL_DOM0PIN, "Domain-0:15"));
	assert_false(journal_path_allowed(JOURNAL_DOM0PIN, "Domain-0:"));
	assert_false(journal_path_allowed(JOURNAL_DOM0PIN, "Domain-0:x"));
	assert_false(journal_path_allowed(JOURNAL_DOM0PIN, "Domain-0:-1"));
	assert_false(journal_path_allowed(JOURNAL_DOM0PIN, "isolat-a:0"));
	assert_false(journal_path_allowed(JOURNAL_DOM0PIN, "Domain-0"));
	/* Names are not paths, paths are not names. */
	assert_false(journal_path_allowed(JOURNAL_WRITE, "isolat-case-0"));
	assert_false(journal_path_allowed(JOURNAL_DOMAIN,
					  "/proc/sys/kernel/timer_migration"));
}

static void xrec(struct journal *j, enum journal_kind kind, const char *knob,
		 const char *obj, const char *orig, const char *v, int want)
{
	struct journal_rec *r = calloc(1, sizeof(*r));
	char err[256] = "";

	assert_non_null(r);
	r->kind = kind;
	snprintf(r->knob, sizeof(r->knob), "%s", knob);
	snprintf(r->path, sizeof(r->path), "%s", obj);
	snprintf(r->orig, sizeof(r->orig), "%s", orig);
	snprintf(r->new_value, sizeof(r->new_value), "%s", v);
	assert_int_equal(journal_append(j, r, err, sizeof(err)), want);
	free(r);
}

struct kinds {
	enum journal_kind kind[8];
	char seen[8][128];
	int n;
};

static void kind_note(void *ctx, const struct journal_rec *r, int rc)
{
	struct kinds *k = ctx;

	assert_int_equal(rc, 0);
	if (k->n < 8) {
		k->kind[k->n] = r->kind;
		snprintf(k->seen[k->n++], 128, "%.30s %.40s %.20s %.20s",
			 r->knob, r->path, r->orig, r->new_value);
	}
}

/* Xen records sit in the same journal as host tuning, are written in the
 * documented format and come back newest first with every field. */
static void test_xen_records(void **state)
{
	struct journal j;
	struct kinds k = {0};
	char err[256] = "", text[1024];
	FILE *f;
	size_t n;

	(void)state;
	put("/proc/sys/kernel/timer_migration", "1");
	journal_init(&j, jpath, root);
	rec(&j, "timer_migration", "/proc/sys/kernel/timer_migration", "1",
	    "0");
	xrec(&j, JOURNAL_DOM0PIN, "dom0_cpus", "Domain-0:0", "all", "0-1", 0);
	xrec(&j, JOURNAL_CPUPOOL, "xen_cpupool", "isolat-pool-3", "2-3",
	     "created", 0);
	xrec(&j, JOURNAL_DOMAIN, "xen", "isolat-case-3", "-", "created", 0);
	/* Refused before anything is written: never someone else's. */
	xrec(&j, JOURNAL_DOMAIN, "xen", "Domain-0", "-", "created", -EPERM);
	xrec(&j, JOURNAL_CPUPOOL, "xen_cpupool", "Pool-0", "0", "created",
	     -EPERM);
	journal_close(&j);
	f = fopen(jpath, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_non_null(strstr(text, "\ndom0pin\tdom0_cpus\tDomain-0:0\t"
			       "all\t0-1\n"));
	assert_non_null(strstr(text, "\ncpupool\txen_cpupool\tisolat-pool-3"
			       "\t2-3\tcreated\n"));
	assert_non_null(strstr(text, "\ndomain\txen\tisolat-case-3\t-\t"
			       "created\n"));
	assert_null(strstr(text, "Pool-0"));
	/* In a fake tree there is no Xen: the records parse and are passed
	 * over; the host tuning record is undone after them. */
	assert_int_equal(journal_replay(jpath, root, kind_note, &k, err,
					sizeof(err)), 0);
	assert_int_equal(k.n, 4);
	assert_int_equal(k.kind[0], JOURNAL_DOMAIN);
	assert_string_equal(k.seen[0], "xen isolat-case-3 - created");
	assert_int_equal(k.kind[1], JOURNAL_CPUPOOL);
	assert_string_equal(k.seen[1], "xen_cpupool isolat-pool-3 2-3 created");
	assert_int_equal(k.kind[2], JOURNAL_DOM0PIN);
	assert_string_equal(k.seen[2], "dom0_cpus Domain-0:0 all 0-1");
	assert_int_equal(k.kind[3], JOURNAL_WRITE);
	assert_string_equal(get("/proc/sys/kernel/timer_migration"), "1");
	assert_int_equal(access(jpath, F_OK), -1);
}

/* A tampered journal naming someone else's domain is refused on replay. */
static void test_xen_tampered(void **state)
{
	struct journal j;
	char err[256] = "";
	FILE *f;

	(void)state;
	journal_init(&j, jpath, root);
	xrec(&j, JOURNAL_DOMAIN, "xen", "isolat-case-0", "-", "created", 0);
	journal_close(&j);
	f = fopen(jpath, "a");
	assert_non_null(f);
	fputs("domain\txen\tDomain-0\t-\tcreated\n", f);
	fclose(f);
	assert_int_equal(journal_replay(jpath, root, NULL, NULL, err,
					sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "Domain-0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed_xen),
		cmocka_unit_test_setup_teardown(test_xen_records, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_xen_tampered, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
