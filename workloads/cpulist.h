/*
 * cpulist.h - parse and print Linux CPU lists ("0-3,8,10-11").
 *
 * The same syntax as the kernel's cpulist format (isolcpus=, cpuset.cpus,
 * /sys/devices/system/cpu/isolated), shared by the harness (scenario
 * validation) and the workloads (--cpus).
 */
#ifndef ISOLAT_CPULIST_H
#define ISOLAT_CPULIST_H

#include <stddef.h>

#define CPULIST_MAX 1024 /* CPUs 0..CPULIST_MAX-1 */

struct cpulist {
	unsigned n;              /* number of CPUs, ascending, no duplicates */
	unsigned short cpu[CPULIST_MAX];
};

/*
 * Parse text into out.  Returns 0, or -EINVAL with a human reason in
 * *why (static string) - e.g. "range end below start".  An empty string is
 * an empty list.
 */
int cpulist_parse(const char *text, struct cpulist *out, const char **why);

/* Print as a compact list ("0-3,8") into buf; returns 0 or -ENOSPC. */
int cpulist_format(const struct cpulist *l, char *buf, size_t size);

int cpulist_contains(const struct cpulist *l, unsigned cpu);

#endif
