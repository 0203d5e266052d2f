/*
 * wl_facts.c - the HELLO facts: what was asked for and what the system the
 * workload really runs on looks like (kernel, PREEMPT_RT, isolation knobs,
 * clocksource, namespaces).  Read from inside the environment, so a guest
 * or container reports its own view, not the host's.
 *
 * A fact that cannot be read (no /sys in an initramfs, a file this kernel
 * does not have) is left out rather than guessed: absent means unknown.
 */
#include "workloads/wl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/utsname.h>
#include <unistd.h>

/* First line of a small file, trailing blanks stripped; -1 if unreadable. */
static int read_line(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	do {
		n = read(fd, buf, size - 1);
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	for (size_t len = strlen(buf);
	     len && (buf[len - 1] == ' ' || buf[len - 1] == '\t');)
		buf[--len] = '\0';
	return 0;
}

static void add_file(struct wl_kv *kv, const char *key, const char *path)
{
	char buf[4096];

	if (read_line(path, buf, sizeof(buf)) == 0)
		wl_kv_add(kv, key, "%s", buf);
}

/*
 * hypervisor=: what the kernel says it runs on.  /sys/hypervisor/type
 * ("xen", with guest_type PV/PVH/HVM) where the kernel has it, else the
 * "Hypervisor detected: X" boot message (x86, any hypervisor: KVM, Xen
 * HVM, ...); absent on bare metal.  The kernel log needs CAP_SYSLOG,
 * which a guest's PID 1 has.
 */
static void add_hypervisor(struct wl_kv *kv)
{
	static char log[1 << 17];
	char type[64], guest[64] = "";
	const char *mark = "Hypervisor detected: ";
	char *m;
	int n;

	if (read_line("/sys/hypervisor/type", type, sizeof(type)) == 0 &&
	    type[0]) {
		read_line("/sys/hypervisor/guest_type", guest, sizeof(guest));
		wl_kv_add(kv, "hypervisor", "%s%s%s",
			  strcmp(type, "xen") ? type : "Xen", guest[0] ? " " : "",
			  guest);
		return;
	}
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);
	if (n <= 0)
		return;
	log[n] = '\0';
	m = strstr(log, mark);
	if (m) {
		m += strlen(mark);
		wl_kv_add(kv, "hypervisor", "%.*s", (int)strcspn(m, "\r\n"),
			  m);
	}
}

static void add_system(struct wl_kv *kv)
{
	struct utsname u;
	char buf[4096];
	ssize_t n;
	int rt = 0;

	if (uname(&u) == 0) {
		wl_kv_add(kv, "kernel_release", "%s", u.release);
		wl_kv_add(kv, "kernel_version", "%s", u.version);
		rt = strstr(u.version, "PREEMPT_RT") != NULL;
	}
	if (read_line("/sys/kernel/realtime", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "1") == 0)
		rt = 1;
	wl_kv_add(kv, "preempt_rt", "%s", rt ? "yes" : "no");
	add_file(kv, "cmdline", "/proc/cmdline");
	wl_kv_add(kv, "pid", "%ld", (long)getpid());
	n = readlink("/proc/self/ns/pid", buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		wl_kv_add(kv, "pidns", "%s", buf);
	}
	add_file(kv, "cgroup", "/proc/self/cgroup");
	add_file(kv, "clocksource",
		 "/sys/devices/system/clocksource/clocksource0/current_clocksource");
	add_file(kv, "isolated", "/sys/devices/system/cpu/isolated");
	add_file(kv, "nohz_full", "/sys/devices/system/cpu/nohz_full");
	add_hypervisor(kv);
	wl_kv_add(kv, "tool_version", "%s", ISOLAT_VERSION);
}

void wl_facts_hello(struct wl_kv *kv, const struct wl_opts *o)
{
	struct wl_series_desc sd[CPULIST_MAX];

	for (unsigned i = 0; i < o->cpus.n; i++)
		sd[i] = (struct wl_series_desc){ o->cpus.cpu[i], "ns",
						 "latency" };
	wl_facts_hello_series(kv, o, sd, o->cpus.n);
}

void wl_facts_hello_series(struct wl_kv *kv, const struct wl_opts *o,
			   const struct wl_series_desc *sd, unsigned n)
{
	char key[64];

	wl_kv_add(kv, "workload", "%s", o->workload);
	wl_kv_add(kv, "wire_version", "%d", WIRE_VERSION);
	/* Stream-wide unit for old collectors; series.I.unit overrides. */
	wl_kv_add(kv, "unit", "ns");
	wl_kv_add(kv, "nseries", "%u", n);
	for (unsigned i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "series.%u.cpu", i);
		wl_kv_add(kv, key, "%u", sd[i].cpu);
		snprintf(key, sizeof(key), "series.%u.unit", i);
		wl_kv_add(kv, key, "%s", sd[i].unit);
		snprintf(key, sizeof(key), "series.%u.kind", i);
		wl_kv_add(kv, key, "%s", sd[i].kind);
	}
	if (o->trace_threshold_us)
		wl_kv_add(kv, "trace_threshold_us", "%llu",
			  (unsigned long long)o->trace_threshold_us);
	wl_kv_add(kv, "interval_us", "%llu",
		  (unsigned long long)o->interval_us);
	wl_kv_add(kv, "loops", "%llu", (unsigned long long)o->loops);
	if (o->duration_s)
		wl_kv_add(kv, "duration_s", "%llu",
			  (unsigned long long)o->duration_s);
	wl_kv_add(kv, "policy", "%s", wl_policy_name(o->policy));
	wl_kv_add(kv, "priority", "%d", o->priority);
	wl_kv_add(kv, "housekeeping_cpu", "%u", o->housekeeping);
	add_system(kv);
	if (o->load)
		wl_load_hello(o->load, kv);
}
