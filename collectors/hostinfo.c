/*
 * hostinfo.c - the facts of the host a run was measured on.
 *
 * Every fact comes from one file under root (or from uname()/sysconf()/
 * hwloc when root is "/"), read through read_rel(), so that a test can
 * point root at a fake tree.  A fact that cannot be read is stored as
 * "unavailable (why)": a report must say what it does not know rather
 * than show an empty or guessed value.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <hwloc.h>

#include "collectors/hostinfo.h"
#include "workloads/cpulist.h"

#define VAL_MAX 4096      /* a sysfs/procfs value (cmdline is 2-4 KiB max) */
#define CPUINFO_MAX 65536 /* enough for the first CPUs' blocks */

/*
 * Read root/rel into out (size bytes, NUL-terminated), at most size - 1
 * bytes (a longer file is cut: only the start of /proc/cpuinfo matters),
 * trailing whitespace and NULs (device-tree strings end in one) trimmed.
 * Returns 0 or -errno.
 */
static int read_rel(const char *root, const char *rel, char *out, size_t size)
{
	char path[PATH_MAX];
	size_t n = 0, rl = strlen(root);
	int fd, w;

	if (size == 0)
		return -ENOSPC;
	/* "/" + "proc/x" must not become "//proc/x" in messages. */
	w = snprintf(path, sizeof(path), "%.*s/%s",
		     (int)(rl && root[rl - 1] == '/' ? rl - 1 : rl), root, rel);
	if (w < 0 || (size_t)w >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (n < size - 1) {
		ssize_t r = read(fd, out + n, size - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;

			close(fd);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	while (n > 0 && (out[n - 1] == '\0' || out[n - 1] == ' ' ||
			 out[n - 1] == '\n' || out[n - 1] == '\t' ||
			 out[n - 1] == '\r'))
		n--;
	out[n] = '\0';
	return 0;
}

static int set_unavailable(struct hostinfo *hi, const char *key,
			   const char *why)
{
	char v[600];

	snprintf(v, sizeof(v), "unavailable (%.500s)", why);
	return hostinfo_set(hi, key, v);
}

/* A fact that is a whole file; unreadable -> "unavailable (cannot read
 * /rel: reason)". */
static int add_file(struct hostinfo *hi, const char *root, const char *key,
		    const char *rel)
{
	char v[VAL_MAX], why[512];
	int rc = read_rel(root, rel, v, sizeof(v));

	if (rc == 0)
		return hostinfo_set(hi, key, v);
	snprintf(why, sizeof(why), "cannot read /%s: %s", rel, strerror(-rc));
	return set_unavailable(hi, key, why);
}

/* The selected word of a sysfs choice list: "always [madvise] never". */
static const char *selected(char *v, char open, char close)
{
	char *a = strchr(v, open), *b = a ? strchr(a + 1, close) : NULL;

	if (!b)
		return v;
	*b = '\0';
	return a + 1;
}

static int add_choice(struct hostinfo *hi, const char *root, const char *key,
		      const char *rel)
{
	char v[VAL_MAX], why[512];
	int rc = read_rel(root, rel, v, sizeof(v));

	if (rc == 0)
		return hostinfo_set(hi, key, selected(v, '[', ']'));
	snprintf(why, sizeof(why), "cannot read /%s: %s", rel, strerror(-rc));
	return set_unavailable(hi, key, why);
}

static int is_root(const char *root)
{
	return !strcmp(root, "/");
}

static int add_model(struct hostinfo *hi, const char *root)
{
	char vendor[256], product[256], v[600];

	if (read_rel(root, "sys/class/dmi/id/product_name", product,
		     sizeof(product)) == 0 && product[0]) {
		if (read_rel(root, "sys/class/dmi/id/sys_vendor", vendor,
			     sizeof(vendor)) == 0 && vendor[0]) {
			snprintf(v, sizeof(v), "%s %s", vendor, product);
			return hostinfo_set(hi, "model", v);
		}
		return hostinfo_set(hi, "model", product);
	}
	if (read_rel(root, "proc/device-tree/model", v, sizeof(v)) == 0 && v[0])
		return hostinfo_set(hi, "model", v);
	return set_unavailable(hi, "model", "no DMI or device tree");
}

/* Value of the first "key<tabs> : value" line of cpuinfo, or NULL. */
static const char *cpuinfo_field(const char *info, const char *key,
				 char *out, size_t size)
{
	size_t kl = strlen(key);
	const char *l = info;

	for (; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *c = l + kl;
		size_t n;

		if (strncmp(l, key, kl))
			continue;
		while (*c == ' ' || *c == '\t')
			c++;
		if (*c != ':')
			continue;
		c++;
		while (*c == ' ' || *c == '\t')
			c++;
		n = strcspn(c, "\n");
		if (n >= size)
			n = size - 1;
		memcpy(out, c, n);
		out[n] = '\0';
		return out;
	}
	return NULL;
}

/* Arm Ltd cores (implementer 0x41) commonly met on boards. */
static const char *arm_part_name(unsigned long part)
{
	static const struct {
		unsigned long part;
		const char *name;
	} parts[] = {
		{ 0xc07, "Cortex-A7" },    { 0xc09, "Cortex-A9" },
		{ 0xc0f, "Cortex-A15" },   { 0xd03, "Cortex-A53" },
		{ 0xd04, "Cortex-A35" },   { 0xd05, "Cortex-A55" },
		{ 0xd07, "Cortex-A57" },   { 0xd08, "Cortex-A72" },
		{ 0xd09, "Cortex-A73" },   { 0xd0a, "Cortex-A75" },
		{ 0xd0b, "Cortex-A76" },   { 0xd0c, "Neoverse-N1" },
		{ 0xd0d, "Cortex-A77" },   { 0xd40, "Neoverse-V1" },
		{ 0xd41, "Cortex-A78" },   { 0xd46, "Cortex-A510" },
		{ 0xd47, "Cortex-A710" },  { 0xd49, "Neoverse-N2" },
		{ 0xd4f, "Neoverse-V2" },
	};

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i].part == part)
			return parts[i].name;
	return NULL;
}

/* arm64 has no "model name": name each distinct core type ("CPU part"),
 * so that a big.LITTLE SoC reads "Cortex-A55 + Cortex-A76". */
static void arm_cores(const char *info, char *out, size_t size)
{
	char impl[32] = "?", one[64];
	unsigned long seen[8];
	size_t used = 0, nseen = 0, k;

	cpuinfo_field(info, "CPU implementer", impl, sizeof(impl));
	out[0] = '\0';
	for (const char *l = strstr(info, "CPU part"); l;
	     l = strstr(l + 1, "CPU part")) {
		char part[32];
		unsigned long p;
		const char *name;

		if (!cpuinfo_field(l, "CPU part", part, sizeof(part)))
			break;
		p = strtoul(part, NULL, 0);
		for (k = 0; k < nseen && seen[k] != p; k++)
			;
		if (k < nseen || nseen == 8)
			continue;
		seen[nseen++] = p;
		name = strtoul(impl, NULL, 0) == 0x41 ? arm_part_name(p) : NULL;
		if (name)
			snprintf(one, sizeof(one), "%s", name);
		else
			snprintf(one, sizeof(one),
				 "implementer %.20s part %.20s", impl, part);
		snprintf(out + used, size - used, "%s%s", used ? " + " : "",
			 one);
		used = strlen(out);
	}
}

static int add_cpu_model(struct hostinfo *hi, const char *root)
{
	static const char *const keys[] = { "model name", "cpu model", "uarch",
					    "cpu", "Hardware" };
	char *info = malloc(CPUINFO_MAX), v[512], why[300];
	int rc;

	if (!info)
		return -ENOMEM;
	rc = read_rel(root, "proc/cpuinfo", info, CPUINFO_MAX);
	if (rc < 0) {
		free(info);
		snprintf(why, sizeof(why), "cannot read /proc/cpuinfo: %s",
			 strerror(-rc));
		return set_unavailable(hi, "cpu_model", why);
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (cpuinfo_field(info, keys[i], v, sizeof(v)) && v[0]) {
			free(info);
			return hostinfo_set(hi, "cpu_model", v);
		}
	}
	arm_cores(info, v, sizeof(v));
	free(info);
	if (v[0])
		return hostinfo_set(hi, "cpu_model", v);
	return set_unavailable(hi, "cpu_model", "no model in /proc/cpuinfo");
}

/*
 * A CPU count from a sysfs list (online / possible); when root is "/" and
 * the list cannot be read, from sysconf().  list gets the parsed CPUs
 * (empty when only a count is known).
 */
static int add_cpu_count(struct hostinfo *hi, const char *root,
			 const char *key, const char *rel, int sc_name,
			 struct cpulist *list)
{
	char v[VAL_MAX], why[300];
	const char *err = "";
	long n;
	int rc = read_rel(root, rel, v, sizeof(v));

	list->n = 0;
	if (rc == 0 && cpulist_parse(v, list, &err) == 0 && list->n > 0) {
		snprintf(v, sizeof(v), "%u", list->n);
		return hostinfo_set(hi, key, v);
	}
	if (is_root(root) && (n = sysconf(sc_name)) > 0) {
		snprintf(v, sizeof(v), "%ld", n);
		return hostinfo_set(hi, key, v);
	}
	snprintf(why, sizeof(why), "cannot read /%s: %s", rel,
		 rc ? strerror(-rc) : err && *err ? err : "empty list");
	return set_unavailable(hi, key, why);
}

static int add_governors(struct hostinfo *hi, const char *root,
			 const struct cpulist *online, long ncpus)
{
	unsigned n = online->n ? online->n : (unsigned)(ncpus > 0 ? ncpus : 0);

	for (unsigned i = 0; i < n; i++) {
		unsigned cpu = online->n ? online->cpu[i] : i;
		char rel[96], key[32], v[VAL_MAX], why[300];
		int rc;

		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%u/"
			 "cpufreq/scaling_governor", cpu);
		snprintf(key, sizeof(key), "governor.%u", cpu);
		rc = read_rel(root, rel, v, sizeof(v));
		if (rc == 0)
			rc = hostinfo_set(hi, key, v);
		else if (rc == -ENOENT)
			rc = set_unavailable(hi, key, "no cpufreq");
		else {
			snprintf(why, sizeof(why), "cannot read /%s: %s", rel,
				 strerror(-rc));
			rc = set_unavailable(hi, key, why);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * One uname() field (hostname, kernel_release, kernel_version), or for a
 * fake root the procfs file holding the same text.
 */
static int add_uname(struct hostinfo *hi, const char *root, const char *key,
		     const char *rel)
{
	struct utsname u;
	char why[300];

	if (!is_root(root))
		return add_file(hi, root, key, rel);
	if (uname(&u) < 0) {
		snprintf(why, sizeof(why), "uname: %s", strerror(errno));
		return set_unavailable(hi, key, why);
	}
	if (!strcmp(key, "hostname"))
		return hostinfo_set(hi, key, u.nodename);
	return hostinfo_set(hi, key, !strcmp(key, "kernel_release")
					     ? u.release
					     : u.version);
}

/* uname's machine (x86_64, aarch64): the rt-tests and OSADL exports name
 * it; a sysroot has no file that says it. */
static int add_machine(struct hostinfo *hi, const char *root)
{
	struct utsname u;

	if (!is_root(root))
		return set_unavailable(hi, "machine", "not the running host");
	if (uname(&u) < 0)
		return set_unavailable(hi, "machine", strerror(errno));
	return hostinfo_set(hi, "machine", u.machine);
}

/* A whole word of s, so that "PREEMPT" does not match "PREEMPT_RT". */
static int has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = strstr(s, w); p; p = strstr(p + 1, w))
		if ((p == s || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

/*
 * preempt_rt and preempt_model.  The running model is only known for sure
 * from debugfs (PREEMPT_DYNAMIC kernels choose it at boot); otherwise it
 * is read from the version string ("#1 SMP PREEMPT_RT ...").
 */
static int add_preempt(struct hostinfo *hi, const char *root)
{
	const char *ver = hostinfo_get(hi, "kernel_version");
	char rt[32], v[VAL_MAX], cmd[VAL_MAX], *p;
	int known = ver && strncmp(ver, "unavailable (", 13);
	int is_rt = known && (strstr(ver, "PREEMPT_RT") ||
			      strstr(ver, "PREEMPT RT"));
	int rc;

	if (read_rel(root, "sys/kernel/realtime", rt, sizeof(rt)) == 0 &&
	    !strcmp(rt, "1"))
		is_rt = known = 1;
	if (known)
		rc = hostinfo_set(hi, "preempt_rt", is_rt ? "yes" : "no");
	else
		rc = set_unavailable(hi, "preempt_rt", "no kernel version, "
				     "no /sys/kernel/realtime");
	if (rc)
		return rc;

	if (read_rel(root, "sys/kernel/debug/sched/preempt", v, sizeof(v)) == 0
	    && v[0])
		return hostinfo_set(hi, "preempt_model", selected(v, '(', ')'));
	if (is_rt)
		return hostinfo_set(hi, "preempt_model", "rt");
	if (!known)
		return set_unavailable(hi, "preempt_model",
				       "no kernel version, no debugfs");
	if (has_word(ver, "PREEMPT_DYNAMIC")) {
		/* The boot choice is on the command line, if anywhere. */
		if (read_rel(root, "proc/cmdline", cmd, sizeof(cmd)) == 0 &&
		    (p = strstr(cmd, "preempt=")) &&
		    (p == cmd || p[-1] == ' ')) {
			p += strlen("preempt=");
			p[strcspn(p, " ")] = '\0';
			snprintf(v, sizeof(v), "%.64s (PREEMPT_DYNAMIC, "
				 "preempt= on the command line)", p);
			return hostinfo_set(hi, "preempt_model", v);
		}
		return hostinfo_set(hi, "preempt_model",
				    "dynamic (build default; "
				    "/sys/kernel/debug/sched/preempt not "
				    "readable)");
	}
	if (has_word(ver, "PREEMPT"))
		return hostinfo_set(hi, "preempt_model", "full");
	return hostinfo_set(hi, "preempt_model",
			    "none or voluntary (no PREEMPT in the version)");
}

/* hwloc's topology as XML, and the NUMA node count; only for the real
 * root (hwloc reads the live system). */
static int add_hwloc(struct hostinfo *hi, const char *root)
{
	hwloc_topology_t topo;
	char *xml = NULL, why[300], v[32];
	int len = 0, nodes, rc;
	struct cpulist list;
	const char *err;

	if (!is_root(root)) {
		rc = set_unavailable(hi, "hwloc_xml", "hwloc reads only the "
				     "live system, not a fake root");
		goto sysfs_nodes;
	}
	if (hwloc_topology_init(&topo) < 0) {
		snprintf(why, sizeof(why), "hwloc_topology_init: %s",
			 strerror(errno));
		rc = set_unavailable(hi, "hwloc_xml", why);
		goto sysfs_nodes;
	}
	if (hwloc_topology_load(topo) < 0 ||
	    hwloc_topology_export_xmlbuffer(topo, &xml, &len, 0) < 0) {
		snprintf(why, sizeof(why), "hwloc: %s", strerror(errno));
		hwloc_topology_destroy(topo);
		rc = set_unavailable(hi, "hwloc_xml", why);
		goto sysfs_nodes;
	}
	nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	rc = hostinfo_set(hi, "hwloc_xml", xml);
	hwloc_free_xmlbuffer(topo, xml);
	hwloc_topology_destroy(topo);
	if (rc || nodes <= 0)
		goto sysfs_nodes;
	snprintf(v, sizeof(v), "%d", nodes);
	return hostinfo_set(hi, "numa_nodes", v);

sysfs_nodes:
	/* Without hwloc the kernel's node list still gives the count. */
	if (rc)
		return rc;
	if (read_rel(root, "sys/devices/system/node/online", why,
		     sizeof(why)) == 0 &&
	    cpulist_parse(why, &list, &err) == 0 && list.n > 0) {
		snprintf(v, sizeof(v), "%u", list.n);
		return hostinfo_set(hi, "numa_nodes", v);
	}
	return set_unavailable(hi, "numa_nodes",
			       "no hwloc topology, no "
			       "/sys/devices/system/node/online");
}

/* On failure hi keeps what was collected; hostinfo_free() frees it. */
int hostinfo_collect(struct hostinfo *hi, const char *root)
{
	struct cpulist online, possible;
	long n;
	int rc;

	if (!root || !*root)
		root = "/";
	rc = add_uname(hi, root, "hostname", "proc/sys/kernel/hostname");
	if (!rc)
		rc = add_model(hi, root);
	if (!rc)
		rc = add_cpu_model(hi, root);
	if (!rc)
		rc = add_cpu_count(hi, root, "ncpus",
				   "sys/devices/system/cpu/online",
				   _SC_NPROCESSORS_ONLN, &online);
	if (!rc)
		rc = add_cpu_count(hi, root, "ncpus_possible",
				   "sys/devices/system/cpu/possible",
				   _SC_NPROCESSORS_CONF, &possible);
	if (!rc)
		rc = add_uname(hi, root, "kernel_release",
			       "proc/sys/kernel/osrelease");
	if (!rc)
		rc = add_uname(hi, root, "kernel_version",
			       "proc/sys/kernel/version");
	if (!rc)
		rc = add_machine(hi, root);
	if (!rc)
		rc = add_preempt(hi, root);
	if (!rc)
		rc = add_file(hi, root, "cmdline", "proc/cmdline");
	if (!rc)
		rc = add_file(hi, root, "isolated",
			      "sys/devices/system/cpu/isolated");
	if (!rc)
		rc = add_file(hi, root, "nohz_full",
			      "sys/devices/system/cpu/nohz_full");
	if (!rc)
		rc = add_file(hi, root, "clocksource",
			      "sys/devices/system/clocksource/clocksource0/"
			      "current_clocksource");
	if (!rc)
		rc = add_file(hi, root, "clocksource_available",
			      "sys/devices/system/clocksource/clocksource0/"
			      "available_clocksource");
	if (!rc) {
		const char *nc = hostinfo_get(hi, "ncpus");

		n = nc ? strtol(nc, NULL, 10) : 0;
		rc = add_governors(hi, root, &online, n);
	}
	if (!rc)
		rc = add_choice(hi, root, "thp",
				"sys/kernel/mm/transparent_hugepage/enabled");
	if (!rc)
		rc = add_choice(hi, root, "thp_defrag",
				"sys/kernel/mm/transparent_hugepage/defrag");
	if (!rc)
		rc = add_file(hi, root, "sched_rt_runtime_us",
			      "proc/sys/kernel/sched_rt_runtime_us");
	if (!rc)
		rc = add_file(hi, root, "sched_rt_period_us",
			      "proc/sys/kernel/sched_rt_period_us");
	if (!rc)
		rc = add_hwloc(hi, root);
	return rc;
}

void hostinfo_free(struct hostinfo *hi)
{
	for (size_t i = 0; i < hi->n; i++) {
		free(hi->items[i].key);
		free(hi->items[i].value);
	}
	free(hi->items);
	hi->items = NULL;
	hi->n = hi->cap = 0;
}

const char *hostinfo_get(const struct hostinfo *hi, const char *key)
{
	for (size_t i = 0; i < hi->n; i++)
		if (!strcmp(hi->items[i].key, key))
			return hi->items[i].value;
	return NULL;
}

int hostinfo_set(struct hostinfo *hi, const char *key, const char *value)
{
	char *v;

	if (!key || !value)
		return -EINVAL;
	v = strdup(value);
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < hi->n; i++) {
		if (!strcmp(hi->items[i].key, key)) {
			free(hi->items[i].value);
			hi->items[i].value = v;
			return 0;
		}
	}
	if (hi->n == hi->cap) {
		size_t cap = hi->cap ? hi->cap * 2 : 32;
		struct kv *items = realloc(hi->items, cap * sizeof(*items));

		if (!items) {
			free(v);
			return -ENOMEM;
		}
		hi->items = items;
		hi->cap = cap;
	}
	hi->items[hi->n].key = strdup(key);
	if (!hi->items[hi->n].key) {
		free(v);
		return -ENOMEM;
	}
	hi->items[hi->n++].value = v;
	return 0;
}

void hostinfo_fingerprint(const struct hostinfo *hi, char *buf, size_t size)
{
	static const char *const keys[] = { "model", "cpu_model", "ncpus" };
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64 */

	for (size_t k = 0; k < 3; k++) {
		const char *v = hostinfo_get(hi, keys[k]);

		if (k)
			h = (h ^ '|') * 0x100000001b3ull;
		for (const char *p = v ? v : ""; *p; p++)
			h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	}
	if (size)
		snprintf(buf, size, "%016llx", (unsigned long long)h);
}
