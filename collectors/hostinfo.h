/*
 * hostinfo.h - host metadata collected once per run.
 *
 * Everything a reader needs years later to know what the numbers were
 * measured on: identity (hostname, DMI or device-tree model, CPU model and
 * count), hwloc topology as XML, kernel release and version string (and
 * whether it is PREEMPT_RT), /proc/cmdline, isolated / nohz_full CPU lists,
 * clocksource, cpufreq governor per CPU, THP mode, sched_rt_runtime_us.
 * Missing facts are recorded as "unavailable (reason)", never guessed.
 */
#ifndef ISOLAT_HOSTINFO_H
#define ISOLAT_HOSTINFO_H

#include <stddef.h>

struct kv {
	char *key, *value;
};

struct hostinfo {
	struct kv *items; /* in collection order; keys unique */
	size_t n, cap;
};

/*
 * Collect the facts of this host.  root is "/" normally; tests point it at a
 * fake tree (root/proc/cmdline, root/sys/..., root/etc/hostname is NOT used:
 * hostname comes from uname unless root != "/").  hwloc is skipped when
 * root != "/".  Returns 0 or -ENOMEM.
 */
int hostinfo_collect(struct hostinfo *hi, const char *root);
void hostinfo_free(struct hostinfo *hi);
const char *hostinfo_get(const struct hostinfo *hi, const char *key);
int hostinfo_set(struct hostinfo *hi, const char *key, const char *value);

/*
 * Stable identity of the board: "model|cpu_model|ncpus" hashed to 16 hex
 * digits, written into buf (>= 17 bytes).
 */
void hostinfo_fingerprint(const struct hostinfo *hi, char *buf, size_t size);

/*
 * Keys (all values are text):
 *   hostname, model, cpu_model, ncpus (online), ncpus_possible,
 *   kernel_release, kernel_version, machine (uname -m), preempt_rt
 *   (yes|no), preempt_model, cmdline, isolated, nohz_full, clocksource, clocksource_available,
 *   governor.CPU (one per CPU, e.g. governor.0), thp, thp_defrag,
 *   sched_rt_runtime_us, sched_rt_period_us, hwloc_xml, numa_nodes
 */

#endif
