/*
 * tuning_keys.c - the host keys of [profile NAME] (parsing) and the
 * boot-time requirements checked at plan time.  See tuning.h.
 */
#include "harness/host/tuning.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/util.h"

void tuning_profile_defaults(struct scn_profile *p)
{
	p->timer_migration = -1;
	p->dma_latency = -1;
	p->skew_tick = -1;
}

/* The host keys of a [profile NAME], in the order messages list them. */
static const struct {
	const char *name, *type, *doc;
} tuning_keys[] = {
	{"irq_affinity", "housekeeping",
	 "move every IRQ it can to the housekeeping CPUs"},
	{"workqueue_cpumask", "housekeeping",
	 "unbound workqueues on the housekeeping CPUs"},
	{"timer_migration", "integer 0..1", "kernel.timer_migration"},
	{"sched_rt_runtime_us", "integer -1..2147483647",
	 "RT throttling budget; -1: none"},
	{"governor", "name", "cpufreq governor of the measured CPUs"},
	{"dma_latency", "0", "hold /dev/cpu_dma_latency at 0 (rtlat)"},
	{"thp", "never|madvise|always", "transparent huge pages"},
	{"kthread_priority", "integer 1..99",
	 "SCHED_FIFO priority of the measured CPUs' kernel threads"},
	{"cpuset_isolate", "yes|no",
	 "an isolated cgroup v2 cpuset partition for the measured CPUs"},
	{"isolcpus", "cpulist", "boot parameter: required of the host, "
	 "set on a guest's command line"},
	{"nohz_full", "cpulist", "boot parameter, as isolcpus"},
	{"rcu_nocbs", "cpulist", "boot parameter, as isolcpus"},
	{"irqaffinity", "cpulist", "boot parameter, as isolcpus"},
	{"skew_tick", "integer 0..1", "boot parameter, as isolcpus"},
};

const char *tuning_profile_keys(void)
{
	static char list[512];

	if (!list[0])
		for (size_t i = 0; i < sizeof(tuning_keys) /
				       sizeof(tuning_keys[0]); i++) {
			strcat(list, i ? ", " : "");
			strcat(list, tuning_keys[i].name);
		}
	return list;
}

int tuning_profile_key_iter(scenario_key_fn fn, void *arg)
{
	for (size_t i = 0; i < sizeof(tuning_keys) / sizeof(tuning_keys[0]);
	     i++) {
		struct scn_key_info ki = {
			.section = "profile", .name = tuning_keys[i].name,
			.type = tuning_keys[i].type, .doc = tuning_keys[i].doc,
		};
		int rc = fn(&ki, arg);

		if (rc)
			return rc;
	}
	return 0;
}

static int whole(const char *v, long long min, long long max,
		 long long *out)
{
	char *end;
	long long x;

	if (!*v)
		return -EINVAL;
	errno = 0;
	x = strtoll(v, &end, 10);
	if (errno || *end || x < min || x > max)
		return -EINVAL;
	*out = x;
	return 0;
}

static int cpus_key(char *dst, size_t size, const char *v, char *why,
		    size_t whysz)
{
	struct cpulist l;
	const char *w = NULL;

	if (cpulist_parse(v, &l, &w) < 0 || l.n == 0) {
		snprintf(why, whysz, "%s; expected a CPU list such as 1 or "
			 "2-3", w ? w : "empty list");
		return -EINVAL;
	}
	cpulist_format(&l, dst, size);
	return 0;
}

int tuning_profile_key(struct scn_profile *p, const char *key,
		       const char *v, char *why, size_t whysz)
{
	long long x;

	why[0] = '\0';
	if (!strcmp(key, "irq_affinity") ||
	    !strcmp(key, "workqueue_cpumask")) {
		if (strcmp(v, "housekeeping")) {
			snprintf(why, whysz, "expected housekeeping (the "
				 "online CPUs that are not measured)");
			return -EINVAL;
		}
		*(key[0] == 'i' ? &p->irq_affinity_hk : &p->workqueue_hk) = 1;
		return 0;
	}
	if (!strcmp(key, "timer_migration") || !strcmp(key, "skew_tick")) {
		if (whole(v, 0, 1, &x) < 0) {
			snprintf(why, whysz, "expected 0 or 1");
			return -EINVAL;
		}
		*(key[0] == 't' ? &p->timer_migration : &p->skew_tick) =
			(int)x;
		return 0;
	}
	if (!strcmp(key, "sched_rt_runtime_us")) {
		if (whole(v, -1, 2147483647LL, &x) < 0) {
			snprintf(why, whysz, "expected -1 (no RT throttling) "
				 "or microseconds per sched_rt_period_us");
			return -EINVAL;
		}
		p->sched_rt_runtime_us = x;
		p->rt_runtime_set = 1;
		return 0;
	}
	if (!strcmp(key, "governor")) {
		size_t n = strlen(v);

		if (n == 0 || n >= sizeof(p->governor) ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") != n) {
			snprintf(why, whysz, "expected a cpufreq governor "
				 "name such as performance");
			return -EINVAL;
		}
		strcpy(p->governor, v);
		return 0;
	}
	if (!strcmp(key, "dma_latency")) {
		if (strcmp(v, "0")) {
			snprintf(why, whysz, "expected 0 (the rtlat workload "
				 "holds /dev/cpu_dma_latency at 0)");
			return -EINVAL;
		}
		p->dma_latency = 0;
		return 0;
	}
	if (!strcmp(key, "thp")) {
		if (strcmp(v, "never") && strcmp(v, "madvise") &&
		    strcmp(v, "always")) {
			snprintf(why, whysz, "expected never, madvise or "
				 "always");
			return -EINVAL;
		}
		strcpy(p->thp, v);
		return 0;
	}
	if (!strcmp(key, "kthread_priority")) {
		if (whole(v, 1, 99, &x) < 0) {
			snprintf(why, whysz, "expected a SCHED_FIFO priority "
				 "1..99");
			return -EINVAL;
		}
		p->kthread_priority = (int)x;
		return 0;
	}
	if (!strcmp(key, "cpuset_isolate")) {
		if (strcmp(v, "yes") && strcmp(v, "no")) {
			snprintf(why, whysz, "expected yes or no");
			return -EINVAL;
		}
		p->cpuset_isolate = !strcmp(v, "yes");
		return 0;
	}
	if (!strcmp(key, "isolcpus"))
		return cpus_key(p->isolcpus, sizeof(p->isolcpus), v, why,
				whysz);
	if (!strcmp(key, "nohz_full"))
		return cpus_key(p->nohz_full, sizeof(p->nohz_full), v, why,
				whysz);
	if (!strcmp(key, "rcu_nocbs"))
		return cpus_key(p->rcu_nocbs, sizeof(p->rcu_nocbs), v, why,
				whysz);
	if (!strcmp(key, "irqaffinity"))
		return cpus_key(p->irqaffinity, sizeof(p->irqaffinity), v,
				why, whysz);
	return -ENOENT;
}

/* Value of the last NAME=VALUE on a kernel command line ("" if absent;
 * -ENOENT when NAME is not there at all). */
static int cmdline_param(const char *cmdline, const char *name, char *out,
			 size_t size)
{
	size_t n = strlen(name);
	const char *s = cmdline;
	int found = -ENOENT;

	while (*s) {
		size_t len;

		while (*s == ' ')
			s++;
		len = strcspn(s, " ");
		/* Everything after "--" is for init. */
		if (len == 2 && !strncmp(s, "--", 2))
			break;
		if (len > n && !strncmp(s, name, n) && s[n] == '=') {
			snprintf(out, size, "%.*s", (int)(len - n - 1),
				 s + n + 1);
			found = 0;
		}
		s += len;
	}
	return found;
}

/* isolcpus=[flag,...,]LIST: drop the flags (domain, nohz, managed_irq). */
static const char *strip_flags(const char *v)
{
	const char *s = v;

	while (isalpha((unsigned char)*s)) {
		const char *c = strchr(s, ',');

		if (!c)
			return "";
		s = c + 1;
	}
	return s;
}

/* Is every CPU of want in have? */
static int subset(const char *want, const char *have)
{
	struct cpulist w, h;
	const char *why;

	if (cpulist_parse(want, &w, &why) < 0 ||
	    cpulist_parse(have, &h, &why) < 0)
		return 0;
	for (unsigned i = 0; i < w.n; i++)
		if (!cpulist_contains(&h, w.cpu[i]))
			return 0;
	return 1;
}

static int same(const char *a, const char *b)
{
	return subset(a, b) && subset(b, a);
}

/* The host's CPU set for a boot knob: sysfs where the kernel reports
 * what it did, else what the command line asked for. */
static void host_set(const char *root, const char *cmdline, const char *name,
		     const char *sysfs, char *out, size_t size, char *src,
		     size_t srcsz)
{
	char path[512], v[1024];

	out[0] = '\0';
	if (sysfs) {
		snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/%s",
			 root, sysfs);
		if (read_text(path, v, sizeof(v)) == 0 && v[0] &&
		    strcmp(v, "(null)")) {
			snprintf(out, size, "%s", v);
			snprintf(src, srcsz, "/sys/devices/system/cpu/%s",
				 sysfs);
			return;
		}
	}
	if (sysfs)
		snprintf(src, srcsz, "/sys/devices/system/cpu/%s, "
			 "/proc/cmdline", sysfs);
	else
		snprintf(src, srcsz, "/proc/cmdline");
	if (cmdline_param(cmdline, name, v, sizeof(v)) == 0)
		snprintf(out, size, "%s", strip_flags(v));
}

int tuning_boot_check(const struct scn_profile *p, const char *root,
		      char *why, size_t whysz)
{
	static const struct {
		const char *name, *sysfs;
		size_t off;
		int exact;
	} knobs[] = {
		{"isolcpus", "isolated", offsetof(struct scn_profile,
						  isolcpus), 0},
		{"nohz_full", "nohz_full", offsetof(struct scn_profile,
						    nohz_full), 0},
		{"rcu_nocbs", NULL, offsetof(struct scn_profile, rcu_nocbs),
		 0},
		{"irqaffinity", NULL, offsetof(struct scn_profile,
					       irqaffinity), 1},
	};
	char path[512], cmdline[4096] = "", have[1024], src[96], v[64];
	const char *r = strcmp(root, "/") ? root : "";

	if (!p)
		return 0;
	snprintf(path, sizeof(path), "%s/proc/cmdline", r);
	read_text(path, cmdline, sizeof(cmdline));
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		const char *want = (const char *)p + knobs[i].off;

		if (!want[0])
			continue;
		host_set(r, cmdline, knobs[i].name, knobs[i].sysfs, have,
			 sizeof(have), src, sizeof(src));
		if (have[0] && (knobs[i].exact ? same(want, have)
					       : subset(want, have)))
			continue;
		snprintf(why, whysz, "profile %s needs boot parameter %s=%s; "
			 "this host has %s%s%s (%s)", p->name, knobs[i].name,
			 want, have[0] ? knobs[i].name : "none",
			 have[0] ? "=" : "", have, src);
		return -EOPNOTSUPP;
	}
	if (p->skew_tick >= 0) {
		int rc = cmdline_param(cmdline, "skew_tick", v, sizeof(v));
		int host = rc == 0 ? atoi(v) : 0;

		if (host != p->skew_tick) {
			snprintf(why, whysz, "profile %s needs boot parameter "
				 "skew_tick=%d; this host boots with "
				 "skew_tick=%d (/proc/cmdline)", p->name,
				 p->skew_tick, host);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/* --- the same keys on a guest's kernel command line ------------------- */

/* The boot keys that name CPUs, in the order they go on a command line;
 * report: which of the guest's sysfs files says what its kernel did (-1:
 * none, its /proc/cmdline is all there is); exact: the whole set. */
static const struct {
	const char *name;
	size_t off;
	int report, exact;
} guest_knobs[] = {
	{"isolcpus", offsetof(struct scn_profile, isolcpus), 0, 0},
	{"nohz_full", offsetof(struct scn_profile, nohz_full), 1, 0},
	{"rcu_nocbs", offsetof(struct scn_profile, rcu_nocbs), -1, 0},
	{"irqaffinity", offsetof(struct scn_profile, irqaffinity), -1, 1},
};

#define NGUEST_KNOBS (sizeof(guest_knobs) / sizeof(guest_knobs[0]))

static int has_init_args(const char *cmdline)
{
	for (const char *s = cmdline; *s;) {
		size_t len;

		while (*s == ' ')
			s++;
		len = strcspn(s, " ");
		if (len == 2 && !strncmp(s, "--", 2))
			return 1;
		s += len;
	}
	return 0;
}

static int append_arg(char *cmdline, size_t size, const char *name,
		      const char *v)
{
	size_t len = strlen(cmdline);
	int n = snprintf(cmdline + len, size - len, "%s%s=%s",
			 len ? " " : "", name, v);

	if (n < 0 || (size_t)n >= size - len) {
		cmdline[len] = '\0';
		return -ENOSPC;
	}
	return 0;
}

/* One key onto cmdline: not again when it is there with the same value
 * (a different one is a contradiction nobody could measure). */
static int guest_arg(const struct scn_profile *p, char *cmdline,
		     size_t size, const char *name, const char *want,
		     int is_cpus, char *why, size_t whysz)
{
	char have[1024];

	if (cmdline_param(cmdline, name, have, sizeof(have)) == 0) {
		if (is_cpus ? same(want, strip_flags(have))
			    : atoi(have) == atoi(want))
			return 0;
		if (why)
			snprintf(why, whysz, "profile %s: %s = %s but the "
				 "guest's command line (guest_cmdline) has "
				 "%s=%s; expected one of them, or the same "
				 "value", p->name, name, want, name, have);
		return -EINVAL;
	}
	/* skew_tick=0 is the kernel's default: nothing to add. */
	if (!is_cpus && !strcmp(want, "0"))
		return 0;
	if (has_init_args(cmdline)) {
		if (why)
			snprintf(why, whysz, "profile %s: %s = %s cannot "
				 "follow '--' in guest_cmdline (the kernel hands "
				 "what follows to init); expected no '--'",
				 p->name, name, want);
		return -EINVAL;
	}
	if (append_arg(cmdline, size, name, want) < 0) {
		if (why)
			snprintf(why, whysz, "guest command line too long for "
				 "%s=%s", name, want);
		return -ENOSPC;
	}
	return 0;
}

int tuning_guest_boot_args(const struct scn_profile *p, char *cmdline,
			   size_t size, char *why, size_t whysz)
{
	char v[16];
	int rc = 0;

	if (!p)
		return 0;
	for (size_t i = 0; i < NGUEST_KNOBS && rc == 0; i++) {
		const char *want = (const char *)p + guest_knobs[i].off;

		if (want[0])
			rc = guest_arg(p, cmdline, size, guest_knobs[i].name,
				       want, 1, why, whysz);
	}
	if (rc == 0 && p->skew_tick >= 0) {
		snprintf(v, sizeof(v), "%d", p->skew_tick);
		rc = guest_arg(p, cmdline, size, "skew_tick", v, 0, why,
			       whysz);
	}
	return rc;
}

int tuning_guest_boot_plan(const struct scn_profile *p, unsigned nvcpus,
			   const char *guest_cmdline, char *why, size_t whysz)
{
	char scratch[4096];
	int rc;

	if (!p)
		return 0;
	for (size_t i = 0; i < NGUEST_KNOBS; i++) {
		const char *want = (const char *)p + guest_knobs[i].off;
		struct cpulist l;
		const char *w;

		if (!want[0] || cpulist_parse(want, &l, &w) < 0)
			continue;
		if (l.n && l.cpu[l.n - 1] >= nvcpus) {
			snprintf(why, whysz, "profile %s: %s = %s names vCPU "
				 "%u, but the guest has vCPUs 0-%u (in a guest "
				 "the boot keys are the guest kernel's)",
				 p->name, guest_knobs[i].name, want,
				 l.cpu[l.n - 1], nvcpus - 1);
			return -EOPNOTSUPP;
		}
	}
	snprintf(scratch, sizeof(scratch), "%s", guest_cmdline);
	rc = tuning_guest_boot_args(p, scratch, sizeof(scratch), why, whysz);
	return rc == -ENOSPC ? 0 : rc; /* too long: the backend says so */
}

int tuning_guest_boot_verify(const struct scn_profile *p,
			     const char *cmdline, const char *isolated,
			     const char *nohz_full, char *why, size_t whysz)
{
	/* isolcpus and nohz_full: what the guest kernel reports it did;
	 * the rest it does not report, so its command line as booted. */
	const char *reported[2] = {isolated, nohz_full};
	static const char *const file[2] = {"isolated", "nohz_full"};
	char have[1024], v[16];

	if (!p)
		return 0;
	for (size_t i = 0; i < NGUEST_KNOBS; i++) {
		const char *want = (const char *)p + guest_knobs[i].off;
		int r = guest_knobs[i].report;
		const char *got;
		int ok;

		if (!want[0])
			continue;
		if (r >= 0) {
			got = reported[r];
		} else {
			ok = cmdline && cmdline_param(cmdline,
						      guest_knobs[i].name,
						      have, sizeof(have)) == 0;
			got = ok ? have : NULL;
		}
		ok = got && (guest_knobs[i].exact ? same(want, got)
						  : subset(want, got));
		if (ok)
			continue;
		if (r >= 0)
			snprintf(why, whysz, "profile %s: the guest was booted "
				 "with %s=%s but reports %s = %s (its "
				 "/sys/devices/system/cpu/%s): the guest "
				 "kernel did not apply it", p->name,
				 guest_knobs[i].name, want, file[r],
				 !got ? "nothing (no such file)"
				 : got[0] && strcmp(got, "(null)") ? got
				 : "none", file[r]);
		else
			snprintf(why, whysz, "profile %s: the guest was booted "
				 "with %s=%s but its /proc/cmdline has %s%s%s",
				 p->name, guest_knobs[i].name, want,
				 got ? guest_knobs[i].name : "none",
				 got ? "=" : "", got ? got : "");
		return -EOPNOTSUPP;
	}
	if (p->skew_tick >= 0) {
		int guest = cmdline && cmdline_param(cmdline, "skew_tick", v,
						     sizeof(v)) == 0
			    ? atoi(v) : 0;

		if (guest != p->skew_tick) {
			snprintf(why, whysz, "profile %s: the guest was booted "
				 "with skew_tick=%d but its /proc/cmdline has "
				 "skew_tick=%d", p->name, p->skew_tick, guest);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}
