/*
 * test_guest_place.c - a guest's placement on the host and its boot-time
 * isolation: vCPU -> host CPU (vcpu_pin and the default rule), the host
 * CPUs of a guest case, the emulator threads' CPUs, the profile's boot
 * keys on the guest's command line (kvm and xen), their plan-time checks
 * and the check of what the guest reports, and a whole plan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/env/kvm/kvm_cmd.h"
#include "harness/run/plan.h"
#include "harness/env/kvm/qmp.h"
#include "harness/scenario/scenario.h"
#include "harness/host/tuning.h"
#include "harness/env/xen/xen_cmd.h"

static char err[1024];

static void list(struct cpulist *l, const char *text)
{
	const char *why;

	assert_int_equal(cpulist_parse(text, l, &why), 0);
}

static const char *fmt(const struct cpulist *l)
{
	static char buf[256];

	cpulist_format(l, buf, sizeof(buf));
	return buf;
}

static void params(struct scn_params *p, const char *cpus, int hk,
		   unsigned vcpus)
{
	memset(p, 0, sizeof(*p));
	list(&p->cpus, cpus);
	p->housekeeping = hk;
	p->vcpus = vcpus;
}

static void test_vcpu_map(void **state)
{
	static struct scn_params p;
	struct cpulist online;
	unsigned short map[8];

	(void)state;
	list(&online, "0-3");
	params(&p, "1", 0, 3);
	/* Default: vCPU N on host CPU N. */
	assert_int_equal(kvm_vcpu_map(&p, &online, map, 3), 0);
	assert_int_equal(map[0], 0);
	assert_int_equal(map[1], 1);
	assert_int_equal(map[2], 2);
	/* vcpu_pin: vCPU i on its i-th CPU. */
	list(&p.vcpu_pin, "1-3");
	assert_int_equal(kvm_vcpu_map(&p, &online, map, 3), 0);
	assert_int_equal(map[0], 1);
	assert_int_equal(map[1], 2);
	assert_int_equal(map[2], 3);
	/* In the order written: vcpu_pin = 3,1,2 puts vCPU 0 on 3. */
	p.vcpu_pin.n = 3;
	p.vcpu_pin.cpu[0] = 3;
	p.vcpu_pin.cpu[1] = 1;
	p.vcpu_pin.cpu[2] = 2;
	assert_int_equal(kvm_vcpu_map(&p, &online, map, 3), 0);
	assert_int_equal(map[0], 3);
	assert_int_equal(map[1], 1);
	assert_int_equal(map[2], 2);
	list(&p.vcpu_pin, "2-3");
	assert_int_equal(kvm_vcpu_map(&p, &online, map, 3), -ERANGE);
	/* A guest wider than the host: the missing ones on housekeeping,
	 * the first CPU no measured vCPU is on. */
	p.vcpu_pin.n = 0;
	list(&online, "0-1");
	params(&p, "0", 1, 4);
	assert_int_equal(kvm_vcpu_map(&p, &online, map, 4), 0);
	assert_int_equal(map[0], 0);
	assert_int_equal(map[1], 1);
	assert_int_equal(map[2], 1);
	assert_int_equal(map[3], 1);
}

static void test_host_cpus(void **state)
{
	static struct scn_params p;
	static struct cpulist online, out, emu;

	(void)state;
	list(&online, "0-3");
	params(&p, "1", 0, 2);
	assert_int_equal(kvm_host_cpus(&p, "s.ini", &online, &out, err,
				       sizeof(err)), 0);
	assert_string_equal(fmt(&out), "1");
	/* Pinned: measured vCPU 1 is on host CPU 3. */
	list(&p.vcpu_pin, "2-3");
	p.vcpu_pin_line = 7;
	assert_int_equal(kvm_host_cpus(&p, "s.ini", &online, &out, err,
				       sizeof(err)), 0);
	assert_string_equal(fmt(&out), "3");
	/* Written order: vcpu_pin = 3,2 puts measured vCPU 1 on host 2. */
	p.vcpu_pin.n = 2;
	p.vcpu_pin.cpu[0] = 3;
	p.vcpu_pin.cpu[1] = 2;
	assert_int_equal(kvm_host_cpus(&p, "s.ini", &online, &out, err,
				       sizeof(err)), 0);
	assert_string_equal(fmt(&out), "2");
	list(&p.vcpu_pin, "2-3");
	assert_int_equal(kvm_host_cpus(&p, "s.ini", &online, &out, err,
				       sizeof(err)), 0);
	/* Emulator threads: the online CPUs no measured vCPU is on. */
	assert_int_equal(kvm_emulator_cpus(&p, &online, &out, &emu), 0);
	assert_string_equal(fmt(&emu), "0-2");
	strcpy(p.emulator_cpus, "housekeeping");
	assert_int_equal(kvm_emulator_cpus(&p, &online, &out, &emu), 0);
	assert_string_equal(fmt(&emu), "0-2");
	strcpy(p.emulator_cpus, "0");
	assert_int_equal(kvm_emulator_cpus(&p, &online, &out, &emu), 0);
	assert_string_equal(fmt(&emu), "0");
	/* Every online CPU measured: QEMU's other threads may go anywhere. */
	p.emulator_cpus[0] = '\0';
	assert_int_equal(kvm_emulator_cpus(&p, &online, &online, &emu), 0);
	assert_string_equal(fmt(&emu), "0-3");

	/* One host CPU per vCPU, online, else FILE:LINE. */
	list(&p.vcpu_pin, "3");
	assert_int_equal(kvm_host_cpus(&p, "s.ini", &online, &out, err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "s.ini:7: vcpu_pin = 3 pins 1 vCPU but "
			       "the guest has 2"));
	list(&p.vcpu_pin, "3-4");
	assert_int_equal(kvm_host_cpus(&p, "s.ini", &online, &out, err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "s.ini:7: vcpu_pin = 3-4: host CPU 4 is "
			       "not online on this host; expected CPUs from "
			       "0-3"));
	p.vcpu_pin.n = 0;
	strcpy(p.emulator_cpus, "0,9");
	p.emulator_cpus_line = 9;
	assert_int_equal(kvm_host_cpus(&p, "s.ini", &online, &out, err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "s.ini:9: emulator_cpus = 0,9: host CPU 9"
			       " is not online"));

	/* More vCPUs than QMP's list is read for: FILE:LINE, not a
	 * guest with some vCPU threads left unplaced. */
	p.emulator_cpus[0] = '\0';
	p.vcpus = QMP_MAX_VCPUS + 1;
	p.vcpus_line = 5;
	assert_int_equal(kvm_host_cpus(&p, "s.ini", &online, &out, err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "s.ini:5: vcpus gives the kvm guest 257 "
			       "vCPUs; expected at most 256"));
	p.vcpus = QMP_MAX_VCPUS;
	assert_int_equal(kvm_host_cpus(&p, "s.ini", &online, &out, err,
				       sizeof(err)), 0);
	p.vcpus = 2;

	/* Xen: the pCPUs of the measured vCPUs. */
	p.emulator_cpus[0] = '\0';
	list(&p.vcpu_pin, "2-3");
	assert_int_equal(xen_host_cpus(NULL, &p, "s.ini", &online, &out, err,
				       sizeof(err)), 0);
	assert_string_equal(fmt(&out), "3");
	p.vcpu_pin.n = 0;
	assert_int_equal(xen_host_cpus(NULL, &p, "s.ini", &online, &out, err,
				       sizeof(err)), 0);
	assert_string_equal(fmt(&out), "1");
}

static const char scn_text[] =
	"[scenario]\n"
	"name = g\n"
	"cpus = 1\n"
	"housekeeping = 0\n"
	"[profile full]\n"
	"isolcpus = 1\n"
	"nohz_full = 1\n"
	"rcu_nocbs = 1\n"
	"irqaffinity = 0\n"
	"skew_tick = 1\n"
	"[profile twice]\n"
	"guest_cmdline = isolcpus=domain,1\n"
	"isolcpus = 1\n"
	"[profile wide]\n"
	"nohz_full = 1-3\n"
	"[profile clash]\n"
	"guest_cmdline = nohz_full=0-1\n"
	"nohz_full = 1\n";

static void test_boot_args(void **state)
{
	static struct scenario s;
	static struct scn_params p;
	char buf[512];

	(void)state;
	assert_int_equal(scenario_parse_string("b.ini", scn_text, &s, err,
					       sizeof(err)), 0);
	buf[0] = '\0';
	assert_int_equal(tuning_guest_boot_args(&s.profiles[0], buf,
						sizeof(buf), NULL, 0), 0);
	assert_string_equal(buf, "isolcpus=1 nohz_full=1 rcu_nocbs=1 "
			    "irqaffinity=0 skew_tick=1");
	/* Onto the guest's command line, kvm and xen alike. */
	p = s.params;
	assert_int_equal(kvm_guest_cmdline(&p, &s.profiles[0], buf,
					   sizeof(buf)), 0);
	assert_string_equal(buf, "console=ttyS0 quiet isolcpus=1 nohz_full=1 "
			    "rcu_nocbs=1 irqaffinity=0 skew_tick=1");
	assert_int_equal(xen_guest_cmdline(&p, &s.profiles[0], buf,
					   sizeof(buf)), 0);
	assert_string_equal(buf, "console=hvc0 quiet isolat.channel=hvc0 "
			    "isolcpus=1 nohz_full=1 rcu_nocbs=1 "
			    "irqaffinity=0 skew_tick=1");
	assert_int_equal(kvm_guest_cmdline(&p, &s.profiles[0], buf, 40),
			 -ENOSPC);
	/* Already in guest_cmdline with the same CPUs: not twice. */
	assert_int_equal(kvm_guest_cmdline(&p, &s.profiles[1], buf,
					   sizeof(buf)), 0);
	assert_string_equal(buf, "console=ttyS0 quiet isolcpus=domain,1");
	/* With other CPUs: refused. */
	assert_int_equal(kvm_guest_cmdline(&p, &s.profiles[3], buf,
					   sizeof(buf)), -EINVAL);
	strcpy(buf, "quiet -- init-arg");
	assert_int_equal(tuning_guest_boot_args(&s.profiles[0], buf,
						sizeof(buf), err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "'--'"));
	/* Profile none, or one without boot keys: nothing added. */
	strcpy(buf, "x");
	assert_int_equal(tuning_guest_boot_args(NULL, buf, sizeof(buf), NULL,
						0), 0);
	assert_string_equal(buf, "x");

	/* Plan time: vCPU numbers, and no contradiction. */
	assert_int_equal(tuning_guest_boot_plan(&s.profiles[0], 2, "", err,
						sizeof(err)), 0);
	assert_int_equal(tuning_guest_boot_plan(&s.profiles[2], 2, "", err,
						sizeof(err)), -EOPNOTSUPP);
	assert_non_null(strstr(err, "profile wide: nohz_full = 1-3 names "
			       "vCPU 3, but the guest has vCPUs 0-1"));
	assert_int_equal(tuning_guest_boot_plan(&s.profiles[3], 2,
						" nohz_full=0-1", err,
						sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "profile clash: nohz_full = 1 but the "
			       "guest's command line (guest_cmdline) has "
			       "nohz_full=0-1"));
	scenario_free(&s);
}

static void test_boot_verify(void **state)
{
	static struct scenario s;
	const char *cmd = "console=ttyS0 quiet isolcpus=1 nohz_full=1 "
			  "rcu_nocbs=1 irqaffinity=0 skew_tick=1";

	(void)state;
	assert_int_equal(scenario_parse_string("b.ini", scn_text, &s, err,
					       sizeof(err)), 0);
	assert_int_equal(tuning_guest_boot_verify(&s.profiles[0], cmd, "1",
						  "1", err, sizeof(err)), 0);
	assert_int_equal(tuning_guest_boot_verify(NULL, NULL, NULL, NULL, err,
						  sizeof(err)), 0);
	/* Asked for, not applied: the guest reports no isolated CPU. */
	assert_int_equal(tuning_guest_boot_verify(&s.profiles[0], cmd, "",
						  "1", err, sizeof(err)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err, "profile full: the guest was booted with "
			       "isolcpus=1 but reports isolated = none"));
	/* A kernel without NO_HZ_FULL has no nohz_full file at all. */
	assert_int_equal(tuning_guest_boot_verify(&s.profiles[0], cmd, "1",
						  NULL, err, sizeof(err)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err, "nohz_full = nothing (no such file)"));
	assert_int_equal(tuning_guest_boot_verify(&s.profiles[0], cmd, "1",
						  "(null)", err, sizeof(err)),
			 -EOPNOTSUPP);
	/* The others from the command line it booted with. */
	assert_int_equal(tuning_guest_boot_verify(&s.profiles[0],
						  "isolcpus=1 nohz_full=1 "
						  "irqaffinity=0 skew_tick=1",
						  "1", "1", err, sizeof(err)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err, "rcu_nocbs=1 but its /proc/cmdline has "
			       "none"));
	assert_int_equal(tuning_guest_boot_verify(&s.profiles[0],
						  "rcu_nocbs=1 irqaffinity=0-1 "
						  "skew_tick=1", "1", "1", err,
						  sizeof(err)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err, "irqaffinity=0-1"));
	assert_int_equal(tuning_guest_boot_verify(&s.profiles[0],
						  "rcu_nocbs=1 irqaffinity=0",
						  "1", "1", err, sizeof(err)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err, "skew_tick=0"));
	scenario_free(&s);
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A kvm + bare plan on a 4-CPU host that was booted without isolcpus: the
 * kvm case of a profile with boot keys runs (they are the guest's), the
 * bare one is skipped; host CPUs follow vcpu_pin. */
static void test_plan(void **state)
{
	static struct scenario s;
	struct plan pl;
	char dir[] = "/tmp/isolat-gp-XXXXXX", text[1024], *json;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "sys/devices/system/cpu/online", "0-3\n");
	write_file(dir, "proc/cmdline", "quiet\n");
	write_file(dir, "boot/vmlinuz-1", "");
	write_file(dir, "lib/modules/1/modules.dep", "");
	snprintf(text, sizeof(text),
		 "[scenario]\nname = p\nenvironments = bare, kvm\n"
		 "profiles = full\ncpus = 1\nhousekeeping = 0\nvcpus = 2\n"
		 "kvm_kernel = %s/boot/vmlinuz-1\n"
		 "[profile full]\n"
		 "isolcpus = 1\n"
		 "vcpu_pin = 2-3\n"
		 "emulator_cpus = 0\n", dir);
	assert_int_equal(scenario_parse_string("p.ini", text, &s, err,
					       sizeof(err)), 0);
	assert_int_equal(plan_build(&s, dir, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.n, 2);
	assert_non_null(strstr(pl.cases[0].skip_reason,
			       "needs boot parameter isolcpus=1"));
	assert_string_equal(fmt(&pl.cases[0].host_cpus), "1");
	assert_string_equal(fmt(&pl.cases[1].host_cpus), "3");
	assert_null(strstr(pl.cases[1].skip_reason, "isolcpus"));
	json = plan_case_json(&pl, &pl.cases[1]);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"host_cpus\":\"3\""));
	assert_non_null(strstr(json, "\"vcpu_pin\":\"2-3\""));
	assert_non_null(strstr(json, "\"emulator_cpus\":\"0\""));
	assert_non_null(strstr(json, "\"guest_boot\":\"isolcpus=1\""));
	free(json);
	plan_free(&pl);
	scenario_free(&s);

	/* A pin list that does not cover the vCPUs: FILE:LINE. */
	snprintf(text, sizeof(text),
		 "[scenario]\nname = p\nenvironments = kvm\n"
		 "cpus = 1\nhousekeeping = 0\nvcpus = 2\n"
		 "kvm_kernel = %s/boot/vmlinuz-1\n"
		 "[profile full]\n"
		 "vcpu_pin = 3\n", dir);
	assert_int_equal(scenario_parse_string("q.ini", text, &s, err,
					       sizeof(err)), 0);
	strcpy(s.profiles_used.item[0], "full");
	s.profiles_used.n = 1;
	assert_int_equal(plan_build(&s, dir, &pl, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "q.ini:9: vcpu_pin = 3 pins 1 vCPU"));
	scenario_free(&s);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcpu_map),
		cmocka_unit_test(test_host_cpus),
		cmocka_unit_test(test_boot_args),
		cmocka_unit_test(test_boot_verify),
		cmocka_unit_test(test_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
