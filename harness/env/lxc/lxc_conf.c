/*
 * lxc_conf.c - the liblxc config items of one isolat container (see
 * lxc.h).  Pure: it touches neither liblxc nor the host, so the exact
 * config a case gets is unit-tested (tests/unit/test_lxc.c) and stored
 * with the case as text.
 */
#include "harness/env/lxc/lxc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add(struct lxc_items *out, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int add(struct lxc_items *out, const char *key, const char *fmt, ...)
{
	struct lxc_item *it;
	va_list ap;
	int n;

	if (out->n == LXC_ITEMS_MAX)
		return -E2BIG;
	it = &out->item[out->n];
	snprintf(it->key, sizeof(it->key), "%s", key);
	va_start(ap, fmt);
	n = vsnprintf(it->value, sizeof(it->value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(it->value))
		return -E2BIG;
	out->n++;
	return 0;
}

/* Config values are line-based: a newline would start a new item. */
static int plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* A name that is safe as a file name, a cgroup name and a hostname. */
static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 48)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-'))
			return 0;
	return 1;
}

/* An absolute path liblxc can take in a mount entry (blank-separated). */
static int valid_path(const char *s)
{
	return s && s[0] == '/' && plain(s) && !strchr(s, ' ') &&
	       !strchr(s, '\t') && !strstr(s, "/../");
}

static int valid_cpuset(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == ',' || *s == '-'))
			return 0;
	return 1;
}

/* "unlimited", "N" or "SOFT:HARD" (each a number or unlimited). */
static int valid_limit(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == ':' ||
		      strchr("unlimited", *s)))
			return 0;
	return 1;
}

/* The container's network: none but loopback, or netlat's end of the
 * path - a veth end isolat made, moved in by liblxc and given back to the
 * host when the container stops.  0, -EINVAL with err set, or add()'s
 * -E2BIG. */
static int net_conf(const struct lxc_conf_in *in, struct lxc_items *out,
		    char *err, size_t errsz)
{
	int rc = 0;

	if (!in->phys_link)
		return in->network ? 0 : add(out, "lxc.net.0.type", "empty");
	if (strncmp(in->phys_link, "isolat-", 7) ||
	    !valid_name(in->phys_link) || strlen(in->phys_link) > 15 ||
	    !in->phys_addr || strncmp(in->phys_addr, "198.1", 5) ||
	    !plain(in->phys_addr)) {
		snprintf(err, errsz, "network end '%s' %s: expected an isolat-* "
			 "link and a 198.18.0.0/15 address", in->phys_link,
			 in->phys_addr ? in->phys_addr : "");
		return -EINVAL;
	}
	rc |= add(out, "lxc.net.0.type", "phys");
	rc |= add(out, "lxc.net.0.link", "%s", in->phys_link);
	rc |= add(out, "lxc.net.0.name", "%s", in->phys_link);
	rc |= add(out, "lxc.net.0.ipv4.address", "%s", in->phys_addr);
	rc |= add(out, "lxc.net.0.flags", "up");
	return rc;
}

int lxc_conf_build(const struct lxc_conf_in *in, struct lxc_items *out,
		   char *err, size_t errsz)
{
	int rc = 0, prc;

	out->n = 0;
	if (!in->name || !valid_name(in->name)) {
		snprintf(err, errsz, "container name '%s': expected 1-48 of "
			 "a-z, 0-9, '-'", in->name ? in->name : "");
		return -EINVAL;
	}
	if (!valid_path(in->rootfs) || !valid_path(in->log_file)) {
		snprintf(err, errsz, "rootfs/log path must be absolute, "
			 "without blanks or '..'");
		return -EINVAL;
	}
	if ((in->memlock && !valid_limit(in->memlock)) ||
	    (in->rtprio && !valid_limit(in->rtprio))) {
		snprintf(err, errsz, "resource limit: expected unlimited, N "
			 "or SOFT:HARD");
		return -EINVAL;
	}
	if (!in->cpuset || !valid_cpuset(in->cpuset)) {
		snprintf(err, errsz, "cpuset '%s': expected a CPU list",
			 in->cpuset ? in->cpuset : "");
		return -EINVAL;
	}
	for (unsigned i = 0; i < in->nbinds; i++) {
		if (!valid_path(in->binds[i]) || !strcmp(in->binds[i], "/")) {
			snprintf(err, errsz, "bind mount '%s': expected an "
				 "absolute path below /", in->binds[i]);
			return -EINVAL;
		}
	}

	rc |= add(out, "lxc.uts.name", "%s", in->name);
	rc |= add(out, "lxc.rootfs.path", "dir:%s", in->rootfs);
	/* liblxc's own log: the reason a start failed is in it. */
	rc |= add(out, "lxc.log.file", "%s", in->log_file);
	rc |= add(out, "lxc.log.level", "INFO");
	/* The workload's stdio are our pipes, not a pty. */
	rc |= add(out, "lxc.console.path", "none");
	rc |= add(out, "lxc.tty.max", "0");
	rc |= add(out, "lxc.pty.max", "0");
	/* Its own /proc; /sys read-only (the workload reads isolation
	 * state from it); a minimal /dev. */
	rc |= add(out, "lxc.mount.auto", "proc:mixed sys:ro");
	rc |= add(out, "lxc.autodev", "1");
	/* The host's programs and libraries, read-only, so the dynamically
	 * linked cyclictest runs inside as well as the static isolat-wl. */
	for (unsigned i = 0; i < in->nbinds; i++)
		rc |= add(out, "lxc.mount.entry", "%s %s none ro,bind 0 0",
			  in->binds[i], in->binds[i] + 1);
	rc |= add(out, "lxc.mount.entry", "/etc/ld.so.cache etc/ld.so.cache "
		  "none ro,bind,optional,create=file 0 0");
	/* Both workloads hold /dev/cpu_dma_latency at 0 like on the host;
	 * autodev does not create this misc device. */
	rc |= add(out, "lxc.mount.entry", "/dev/cpu_dma_latency "
		  "dev/cpu_dma_latency none bind,optional,create=file 0 0");
	/* Keep the host's cgroup namespace: the workload's HELLO then shows
	 * the container's real cgroup path, which proves where it ran.
	 * "keep" replaces liblxc's default set, so name the user and time
	 * namespaces too: a user namespace without an idmap cannot even
	 * create /dev, and a time namespace would offset the clocks. */
	rc |= add(out, "lxc.namespace.keep", "user cgroup time");
	if ((prc = net_conf(in, out, err, errsz)) == -EINVAL)
		return prc;
	rc |= prc; /* -E2BIG: said below */
	/* Only what a measuring workload needs: sys_nice for SCHED_FIFO and
	 * affinity, ipc_lock for mlockall.  The limits make both work even
	 * without the capabilities (rtprio, memlock). */
	rc |= add(out, "lxc.cap.keep", "sys_nice ipc_lock");
	rc |= add(out, "lxc.prlimit.memlock", "%s",
		  in->memlock ? in->memlock : "unlimited");
	rc |= add(out, "lxc.prlimit.rtprio", "%s", in->rtprio ? in->rtprio : "99");
	/* Our own cgroup names, so cleanup and crash recovery know exactly
	 * which cgroups are ours (relative to the harness's cgroup). */
	rc |= add(out, "lxc.cgroup.dir.container", LXC_CG_PAYLOAD "%s",
		  in->name);
	rc |= add(out, "lxc.cgroup.dir.monitor", LXC_CG_MONITOR "%s",
		  in->name);
	if (in->cgroup2) {
		rc |= add(out, "lxc.cgroup2.cpuset.cpus", "%s", in->cpuset);
	} else {
		rc |= add(out, "lxc.cgroup.cpuset.cpus", "%s", in->cpuset);
		/* Period first: the kernel checks runtime <= period. */
		if (in->rt_period_us >= 0 && in->rt_runtime_us >= 0) {
			rc |= add(out, "lxc.cgroup.cpu.rt_period_us", "%ld",
				  in->rt_period_us);
			rc |= add(out, "lxc.cgroup.cpu.rt_runtime_us", "%ld",
				  in->rt_runtime_us);
		}
	}
	if (rc) {
		snprintf(err, errsz, "container config too large");
		return -E2BIG;
	}
	return 0;
}

int lxc_conf_text(const struct lxc_items *items, char *buf, size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (unsigned i = 0; i < items->n; i++) {
		int n = snprintf(buf + len, size - len, "%s = %s\n",
				 items->item[i].key, items->item[i].value);

		if (n < 0 || (size_t)n >= size - len)
			return -E2BIG;
		len += (size_t)n;
	}
	return 0;
}

int lxc_name_owner(const char *name, long *pid)
{
	const char *p;
	char *end;
	long v;

	if (strncmp(name, LXC_NAME_PREFIX, strlen(LXC_NAME_PREFIX)))
		return -EINVAL;
	p = name + strlen(LXC_NAME_PREFIX);
	if (*p < '1' || *p > '9')
		return -EINVAL;
	v = strtol(p, &end, 10);
	if (end[0] != '-' || end[1] != 'c' || v <= 0)
		return -EINVAL;
	*pid = v;
	return 0;
}
