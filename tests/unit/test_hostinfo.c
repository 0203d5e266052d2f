/*
 * test_hostinfo.c - unit tests of host metadata collection
 * (collectors/hostinfo.c).
 *
 * Fake /proc and /sys trees are built in a mkdtemp() directory and passed
 * as root, so every key can be checked against known content: an x86 board
 * with a PREEMPT_RT kernel and a device tree, an arm64 big.LITTLE board with
 * DMI and a PREEMPT_DYNAMIC kernel, and an empty tree where every fact must
 * read "unavailable (...)".  One last test runs on the real root for the
 * hwloc topology.
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>

#include "collectors/hostinfo.h"

/* Write root/rel (n bytes of s), creating the directories on the way. */
static void put_n(const char *root, const char *rel, const char *s, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void put(const char *root, const char *rel, const char *s)
{
	put_n(root, rel, s, strlen(s));
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

static void rm_tree(const char *root)
{
	assert_int_equal(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void expect(const struct hostinfo *hi, const char *key,
		   const char *want)
{
	const char *v = hostinfo_get(hi, key);

	if (!v || strcmp(v, want))
		fail_msg("%s: got \"%s\", want \"%s\"", key, v ? v : "(none)",
			 want);
}

/* The value exists and starts with prefix (e.g. "unavailable ("). */
static void expect_prefix(const struct hostinfo *hi, const char *key,
			  const char *prefix)
{
	const char *v = hostinfo_get(hi, key);

	if (!v || strncmp(v, prefix, strlen(prefix)))
		fail_msg("%s: got \"%s\", want \"%s...\"", key,
			 v ? v : "(none)", prefix);
}

/* Every key hostinfo.h promises, except the per-CPU governor.N. */
static const char *const all_keys[] = {
	"hostname", "model", "cpu_model", "ncpus", "ncpus_possible",
	"kernel_release", "kernel_version", "preempt_rt", "preempt_model",
	"cmdline", "isolated", "nohz_full", "clocksource",
	"clocksource_available", "thp", "thp_defrag", "sched_rt_runtime_us",
	"sched_rt_period_us", "hwloc_xml", "numa_nodes",
};

static void expect_all_keys(const struct hostinfo *hi)
{
	for (size_t i = 0; i < sizeof(all_keys) / sizeof(all_keys[0]); i++)
		if (!hostinfo_get(hi, all_keys[i]))
			fail_msg("key %s missing", all_keys[i]);
}

static char *fake_root(void)
{
	char *root = strdup("/tmp/isolat-hostinfo-XXXXXX");

	assert_non_null(root);
	assert_non_null(mkdtemp(root));
	return root;
}

static const char x86_cpuinfo[] =
	"processor\t: 0\n"
	"vendor_id\t: GenuineIntel\n"
	"cpu family\t: 6\n"
	"model\t\t: 158\n"
	"model name\t: Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz\n"
	"cpu MHz\t\t: 3200.000\n\n"
	"processor\t: 1\n"
	"model name\t: Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz\n";

static void test_fake_rt_board(void **state)
{
	static const char dt_model[] = "Raspberry Pi 4 Model B Rev 1.4";
	char *root = fake_root(), fp[17], fp2[17];
	struct hostinfo hi = { 0 };

	put(root, "proc/cmdline", "BOOT_IMAGE=/vmlinuz isolcpus=2-3 "
	    "nohz_full=2-3 rcu_nocbs=2-3\n");
	put(root, "proc/cpuinfo", x86_cpuinfo);
	put(root, "sys/devices/system/cpu/online", "0-3\n");
	put(root, "sys/devices/system/cpu/possible", "0-7\n");
	put(root, "sys/devices/system/cpu/isolated", "2-3\n");
	put(root, "sys/devices/system/cpu/nohz_full", "2-3\n");
	put(root, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
	    "performance\n");
	put(root, "sys/devices/system/cpu/cpu1/cpufreq/scaling_governor",
	    "schedutil\n");
	put(root, "sys/kernel/mm/transparent_hugepage/enabled",
	    "always [madvise] never\n");
	put(root, "proc/sys/kernel/sched_rt_runtime_us", "-1\n");
	put(root, "proc/sys/kernel/sched_rt_period_us", "1000000\n");
	put(root, "proc/sys/kernel/osrelease", "6.1.0-rt-amd64\n");
	put(root, "proc/sys/kernel/version",
	    "#1 SMP PREEMPT_RT Debian 6.1.55-1 (2023-09-29)\n");
	put(root, "proc/sys/kernel/hostname", "board7\n");
	/* Device-tree strings carry their NUL. */
	put_n(root, "proc/device-tree/model", dt_model, sizeof(dt_model));
	put(root, "sys/devices/system/clocksource/clocksource0/"
	    "current_clocksource", "tsc\n");
	put(root, "sys/devices/system/clocksource/clocksource0/"
	    "available_clocksource", "tsc hpet acpi_pm \n");
	put(root, "sys/devices/system/node/online", "0-1\n");

	assert_int_equal(hostinfo_collect(&hi, root), 0);
	expect_all_keys(&hi);
	expect(&hi, "hostname", "board7");
	expect(&hi, "model", dt_model);
	expect(&hi, "cpu_model", "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz");
	expect(&hi, "ncpus", "4");
	expect(&hi, "ncpus_possible", "8");
	expect(&hi, "kernel_release", "6.1.0-rt-amd64");
	expect(&hi, "kernel_version",
	       "#1 SMP PREEMPT_RT Debian 6.1.55-1 (2023-09-29)");
	expect(&hi, "preempt_rt", "yes");
	expect(&hi, "preempt_model", "rt");
	expect(&hi, "cmdline", "BOOT_IMAGE=/vmlinuz isolcpus=2-3 "
	       "nohz_full=2-3 rcu_nocbs=2-3");
	expect(&hi, "isolated", "2-3");
	expect(&hi, "nohz_full", "2-3");
	expect(&hi, "clocksource", "tsc");
	expect(&hi, "clocksource_available", "tsc hpet acpi_pm");
	expect(&hi, "governor.0", "performance");
	expect(&hi, "governor.1", "schedutil");
	expect(&hi, "governor.2", "unavailable (no cpufreq)");
	expect(&hi, "governor.3", "unavailable (no cpufreq)");
	assert_null(hostinfo_get(&hi, "governor.4")); /* not online */
	expect(&hi, "thp", "madvise");
	expect(&hi, "thp_defrag", "unavailable (cannot read /sys/kernel/mm/"
	       "transparent_hugepage/defrag: No such file or directory)");
	expect(&hi, "sched_rt_runtime_us", "-1");
	expect(&hi, "sched_rt_period_us", "1000000");
	expect_prefix(&hi, "hwloc_xml", "unavailable (");
	expect(&hi, "numa_nodes", "2");

	/* Fingerprint: FNV-1a 64 of "model|cpu_model|ncpus". */
	{
		char s[256];
		uint64_t h = 0xcbf29ce484222325ull;

		snprintf(s, sizeof(s), "%s|%s|4", dt_model,
			 "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz");
		for (const char *p = s; *p; p++)
			h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
		snprintf(fp2, sizeof(fp2), "%016llx", (unsigned long long)h);
	}
	hostinfo_fingerprint(&hi, fp, sizeof(fp));
	assert_int_equal(strlen(fp), 16);
	assert_string_equal(fp, fp2);
	/* Another core count is another board. */
	assert_int_equal(hostinfo_set(&hi, "ncpus", "2"), 0);
	expect(&hi, "ncpus", "2");
	hostinfo_fingerprint(&hi, fp2, sizeof(fp2));
	assert_string_not_equal(fp, fp2);

	hostinfo_free(&hi);
	assert_int_equal(hi.n, 0);
	rm_tree(root);
	free(root);
}

static const char arm_cpuinfo[] =
	"processor\t: 0\nBogoMIPS\t: 48.00\nCPU implementer\t: 0x41\n"
	"CPU architecture: 8\nCPU variant\t: 0x2\nCPU part\t: 0xd05\n\n"
	"processor\t: 1\nCPU implementer\t: 0x41\nCPU part\t: 0xd05\n\n"
	"processor\t: 4\nCPU implementer\t: 0x41\nCPU part\t: 0xd0b\n\n"
	"processor\t: 5\nCPU implementer\t: 0x41\nCPU part\t: 0xd0b\n";

static void test_fake_arm_board(void **state)
{
	char *root = fake_root();
	struct hostinfo hi = { 0 };

	put(root, "proc/cpuinfo", arm_cpuinfo);
	put(root, "sys/class/dmi/id/sys_vendor", "Radxa\n");
	put(root, "sys/class/dmi/id/product_name", "ROCK 5B\n");
	put(root, "proc/device-tree/model", "ignored when DMI is there");
	put(root, "sys/devices/system/cpu/online", "0-1,4-5\n");
	put(root, "sys/devices/system/cpu/cpu4/cpufreq/scaling_governor",
	    "ondemand\n");
	put(root, "proc/sys/kernel/version",
	    "#1 SMP PREEMPT_DYNAMIC Thu Jan  1 00:00:00 UTC 2024\n");
	put(root, "proc/cmdline", "console=ttyS2 preempt=full quiet\n");
	put(root, "sys/kernel/mm/transparent_hugepage/defrag",
	    "always defer defer+madvise [madvise] never\n");

	assert_int_equal(hostinfo_collect(&hi, root), 0);
	expect_all_keys(&hi);
	expect(&hi, "model", "Radxa ROCK 5B");
	expect(&hi, "cpu_model", "Cortex-A55 + Cortex-A76");
	expect(&hi, "ncpus", "4");
	expect(&hi, "governor.4", "ondemand");
	expect(&hi, "governor.5", "unavailable (no cpufreq)");
	assert_null(hostinfo_get(&hi, "governor.2"));
	expect(&hi, "preempt_rt", "no");
	expect(&hi, "preempt_model",
	       "full (PREEMPT_DYNAMIC, preempt= on the command line)");
	expect(&hi, "thp_defrag", "madvise");
	expect_prefix(&hi, "thp", "unavailable (cannot read ");
	expect_prefix(&hi, "ncpus_possible", "unavailable (");
	hostinfo_free(&hi);

	/* debugfs knows the running model; /sys/kernel/realtime says RT. */
	put(root, "sys/kernel/debug/sched/preempt",
	    "none voluntary (full) lazy\n");
	put(root, "sys/kernel/realtime", "1\n");
	assert_int_equal(hostinfo_collect(&hi, root), 0);
	expect(&hi, "preempt_model", "full");
	expect(&hi, "preempt_rt", "yes");
	hostinfo_free(&hi);
	rm_tree(root);
	free(root);
}

static void test_preempt_from_version(void **state)
{
	static const struct {
		const char *version, *model;
	} cases[] = {
		{ "#1 SMP PREEMPT Mon Jan 1 2024", "full" },
		{ "#1 SMP PREEMPT RT Mon Jan 1 2024", "rt" },
		{ "#1 SMP Mon Jan 1 2024",
		  "none or voluntary (no PREEMPT in the version)" },
		{ "#1 SMP PREEMPT_DYNAMIC Mon Jan 1 2024",
		  "dynamic (build default; /sys/kernel/debug/sched/preempt "
		  "not readable)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *root = fake_root();
		struct hostinfo hi = { 0 };

		put(root, "proc/sys/kernel/version", cases[i].version);
		assert_int_equal(hostinfo_collect(&hi, root), 0);
		expect(&hi, "preempt_model", cases[i].model);
		expect(&hi, "preempt_rt", i == 1 ? "yes" : "no");
		hostinfo_free(&hi);
		rm_tree(root);
		free(root);
	}
}

/* Nothing readable: every fact says so, nothing is guessed. */
static void test_empty_root(void **state)
{
	char *root = fake_root(), fp[17];
	struct hostinfo hi = { 0 };

	assert_int_equal(hostinfo_collect(&hi, root), 0);
	expect_all_keys(&hi);
	for (size_t i = 0; i < sizeof(all_keys) / sizeof(all_keys[0]); i++)
		expect_prefix(&hi, all_keys[i], "unavailable (");
	expect(&hi, "model", "unavailable (no DMI or device tree)");
	expect(&hi, "cmdline", "unavailable (cannot read /proc/cmdline: No "
	       "such file or directory)");
	assert_null(hostinfo_get(&hi, "governor.0"));
	hostinfo_fingerprint(&hi, fp, sizeof(fp));
	assert_int_equal(strlen(fp), 16);
	hostinfo_free(&hi);
	rm_tree(root);
	free(root);
}

static void test_set_get(void **state)
{
	struct hostinfo hi = { 0 };
	char small[8];

	assert_null(hostinfo_get(&hi, "a"));
	for (int i = 0; i < 100; i++) {
		char k[16];

		snprintf(k, sizeof(k), "k%d", i);
		assert_int_equal(hostinfo_set(&hi, k, k), 0);
	}
	assert_int_equal(hostinfo_set(&hi, "k7", "seven"), 0);
	assert_int_equal(hi.n, 100);
	expect(&hi, "k7", "seven");
	expect(&hi, "k99", "k99");
	assert_string_equal(hi.items[0].key, "k0"); /* collection order */
	assert_int_equal(hostinfo_set(&hi, "x", NULL), -EINVAL);
	/* A short buffer gets a truncated, terminated fingerprint. */
	hostinfo_fingerprint(&hi, small, sizeof(small));
	assert_int_equal(strlen(small), 7);
	hostinfo_free(&hi);
	hostinfo_free(&hi); /* twice is harmless */
}

static void test_real_root(void **state)
{
	struct hostinfo hi = { 0 };
	struct utsname u;
	const char *xml;
	char fp[17], fp2[17];

	assert_int_equal(hostinfo_collect(&hi, "/"), 0);
	expect_all_keys(&hi);
	assert_int_equal(uname(&u), 0);
	expect(&hi, "kernel_release", u.release);
	expect(&hi, "hostname", u.nodename);
	xml = hostinfo_get(&hi, "hwloc_xml");
	if (strncmp(xml, "<?xml", 5))
		fail_msg("hwloc_xml: %.200s", xml);
	assert_true(atoi(hostinfo_get(&hi, "ncpus")) >= 1);
	assert_true(atoi(hostinfo_get(&hi, "numa_nodes")) >= 1);
	expect_prefix(&hi, "preempt_rt", "");
	assert_true(!strcmp(hostinfo_get(&hi, "preempt_rt"), "yes") ||
		    !strcmp(hostinfo_get(&hi, "preempt_rt"), "no"));
	hostinfo_fingerprint(&hi, fp, sizeof(fp));
	hostinfo_free(&hi);
	/* Stable across collections. */
	assert_int_equal(hostinfo_collect(&hi, "/"), 0);
	hostinfo_fingerprint(&hi, fp2, sizeof(fp2));
	assert_string_equal(fp, fp2);
	hostinfo_free(&hi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_rt_board),
		cmocka_unit_test(test_fake_arm_board),
		cmocka_unit_test(test_preempt_from_version),
		cmocka_unit_test(test_empty_root),
		cmocka_unit_test(test_set_get),
		cmocka_unit_test(test_real_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
