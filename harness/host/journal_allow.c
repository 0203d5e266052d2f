/*
 * journal_allow.c - what a journal record may make root do: each kind's
 * own check (struct journal_kind_ops: path_ok, rec_ok), and for the host's
 * kinds the exact files isolat writes, each with the kind of value it may
 * write back, and the kernel threads it may reprioritize.  A backend's
 * kinds bring their checks with them (Xen: harness/env/xen/xen_undo.c).
 * journal_append() refuses anything else before it is written, and
 * journal_replay() refuses it again when reading a journal back (a file
 * on disk can have been edited since).  See journal.h.
 */
#include "harness/host/journal.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/host/journal_int.h"

static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int journal_has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* [a-z0-9_]+ up to the next '/', which must come: the length, or 0. */
static size_t word_len(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");

	return s[n] == '/' ? n : 0;
}

/*
 * A tracefs file trace.c writes, by exact name under one of the two
 * places tracefs lives: a fixed list, plus the enable switch of one event
 * (never a group's, never a file that takes commands such as set_event or
 * kprobe_events).
 */
static int tracefs_file(const char *path)
{
	static const char *const dirs[] = { "/sys/kernel/tracing/",
					    "/sys/kernel/debug/tracing/" };
	static const char *const files[] = { "tracing_on", "current_tracer",
					     "buffer_size_kb",
					     "tracing_cpumask" };
	const char *s = NULL;
	size_t n;

	for (size_t i = 0; i < 2 && !s; i++)
		if (journal_has_prefix(path, dirs[i]))
			s = path + strlen(dirs[i]);
	if (!s)
		return 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(s, files[i]))
			return 1;
	if (!journal_has_prefix(s, "events/"))
		return 0;
	s += strlen("events/");
	if (!(n = word_len(s)))
		return 0;
	s += n + 1;
	if (!(n = word_len(s)))
		return 0;
	return !strcmp(s + n, "/enable");
}


/* What a write record's ORIGINAL may be for its file. */
enum val_class {
	V_NONE = -1, V_MASK, V_INT, V_BOOL, V_WORD, V_CTRL, V_PARTITION,
};

/*
 * The class of the value a write record of path may write back, or
 * V_NONE when path is not one isolat writes.  Exact files only: every
 * knob tuning.c, tuning_cpuset.c and trace.c journal (grep journal_append,
 * tuning_set_file), nothing by directory.
 */
static enum val_class write_class(const char *path)
{
	static const struct { const char *path; enum val_class v; } exact[] = {
		{"/proc/irq/default_smp_affinity", V_MASK},
		{"/proc/sys/kernel/timer_migration", V_BOOL},
		{"/proc/sys/kernel/sched_rt_runtime_us", V_INT},
		{"/sys/devices/virtual/workqueue/cpumask", V_MASK},
		{"/sys/kernel/mm/transparent_hugepage/enabled", V_WORD},
		/* cgroup v1 root (tuning_cpuset.c: cpuset_v1) */
		{"/sys/fs/cgroup/cpuset/cpuset.sched_load_balance", V_BOOL},
		/* cgroup v2 root, unified or hybrid (cpuset_v2) */
		{"/sys/fs/cgroup/cgroup.subtree_control", V_CTRL},
		{"/sys/fs/cgroup/unified/cgroup.subtree_control", V_CTRL},
	};
	static const char *const v2[] = { "/sys/fs/cgroup/isolat.tune.",
					  "/sys/fs/cgroup/unified/isolat.tune." };
	const char *s, *slash;

	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (!strcmp(path, exact[i].path))
			return exact[i].v;
	if (journal_has_prefix(path, "/proc/irq/")) {
		s = path + strlen("/proc/irq/");
		slash = strchr(s, '/');
		return slash && all_digits(s, (size_t)(slash - s)) &&
		       !strcmp(slash, "/smp_affinity") ? V_MASK : V_NONE;
	}
	if (journal_has_prefix(path, "/sys/devices/system/cpu/cpu")) {
		s = path + strlen("/sys/devices/system/cpu/cpu");
		slash = strchr(s, '/');
		return slash && all_digits(s, (size_t)(slash - s)) &&
		       !strcmp(slash, "/cpufreq/scaling_governor") ? V_WORD
								   : V_NONE;
	}
	/* The partition file of a cgroup tuning made (isolat.tune.X). */
	for (size_t i = 0; i < 2; i++)
		if (journal_has_prefix(path, v2[i])) {
			s = path + strlen(v2[i]);
			slash = strchr(s, '/');
			return slash && slash != s &&
			       !strcmp(slash, "/cpuset.cpus.partition")
				       ? V_PARTITION : V_NONE;
		}
	/* netlat: RPS/XPS masks of the host-side ends isolat made
	 * (harness/net/net_case.c): /sys/class/net/isolat-X/queues/
	 * rx-N/rps_cpus or tx-N/xps_cpus. */
	if (journal_has_prefix(path, "/sys/class/net/isolat-")) {
		char q[8], f[16];
		unsigned qn;
		int used = 0;

		s = strchr(path + strlen("/sys/class/net/"), '/');
		if (!s || s - path - (long)strlen("/sys/class/net/") > 15 ||
		    sscanf(s, "/queues/%2[rtx]-%u/%15[a-z_]%n", q, &qn, f,
			   &used) != 3 || s[used] ||
		    !((!strcmp(q, "rx") && !strcmp(f, "rps_cpus")) ||
		      (!strcmp(q, "tx") && !strcmp(f, "xps_cpus"))))
			return V_NONE;
		return V_MASK;
	}
	if (tracefs_file(path)) {
		s = strrchr(path, '/') + 1;
		return !strcmp(s, "current_tracer")    ? V_WORD
		       : !strcmp(s, "buffer_size_kb")  ? V_INT
		       : !strcmp(s, "tracing_cpumask") ? V_MASK
						       : V_BOOL;
	}
	return V_NONE;
}

/* Is v a value of class c (the only values undo may write back)? */
static int value_ok(enum val_class c, const char *v)
{
	size_t n = strlen(v);

	switch (c) {
	case V_MASK: /* "3", "ff,ffffffff": hex groups, one comma apart */
		if (!n || n > 4000 || v[0] == ',' || v[n - 1] == ',' ||
		    strstr(v, ",,"))
			return 0;
		return strspn(v, "0123456789abcdefABCDEF,") == n;
	case V_INT:
		if (*v == '-')
			v++, n--;
		return all_digits(v, n) && n <= 10;
	case V_BOOL:
		return !strcmp(v, "0") || !strcmp(v, "1");
	case V_WORD: /* a governor, THP mode, tracer */
		return n && n <= 32 &&
		       strspn(v, "abcdefghijklmnopqrstuvwxyz_") == n;
	case V_CTRL:
		return !strcmp(v, "-cpuset") || !strcmp(v, "+cpuset");
	case V_PARTITION:
		return !strcmp(v, "member") || !strcmp(v, "root") ||
		       !strcmp(v, "isolated");
	default:
		return 0;
	}
}

/* A path a host record may name at all: absolute, plain characters, no
 * "..", no "//". */
int journal_host_path(const char *path)
{
	if (!path || path[0] != '/' || strlen(path) >= 512 ||
	    strstr(path, "..") || strstr(path, "//"))
		return 0;
	for (const char *s = path; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/_.:-", *s))
			return 0;
	return 1;
}

int journal_write_path_ok(const char *path)
{
	return journal_host_path(path) && write_class(path) != V_NONE;
}

int journal_sched_path_ok(const char *path)
{
	const char *s = path + strlen("/proc/");

	return journal_host_path(path) && journal_has_prefix(path, "/proc/") &&
	       all_digits(s, strlen(s));
}

int journal_mount_path_ok(const char *path)
{
	return journal_host_path(path) && !strcmp(path, "/sys/kernel/tracing");
}

/* Said, never written: still only the one file it may name. */
int journal_kept_path_ok(const char *path)
{
	return journal_host_path(path) && tracefs_file(path) &&
	       !strcmp(strrchr(path, '/'), "/buffer_size_kb");
}

/* Only directories tuning names: never rmdir someone else's cgroup
 * (systemd's, or the LXC backend's isolat.payload.*). */
int journal_mkdir_path_ok(const char *path)
{
	const char *s;

	if (!journal_host_path(path))
		return 0;
	s = strrchr(path, '/');
	return journal_has_prefix(path, "/sys/fs/cgroup/") &&
	       journal_has_prefix(s, "/isolat.tune.") &&
	       s[strlen("/isolat.tune.")];
}

int journal_path_allowed(enum journal_kind kind, const char *path)
{
	const struct journal_kind_ops *k = journal_kind_get(kind);

	return k && k->path_ok(path);
}

/* The kernel threads kthread_priority changes (tuning.c): COMM is
 * ksoftirqd/N, ktimers/N or rcuc/N. */
int journal_kthread_comm_ok(const char *comm)
{
	static const char *const names[] = {"ksoftirqd/", "ktimers/",
					    "rcuc/"};

	for (size_t i = 0; i < 3; i++)
		if (journal_has_prefix(comm, names[i])) {
			const char *n = comm + strlen(names[i]);

			return all_digits(n, strlen(n)) && strlen(n) <= 6;
		}
	return 0;
}

/* "N (expanded: M)": the boot state of tracefs' buffer_size_kb. */
static int unexpanded_ring(const char *v)
{
	size_t n = strspn(v, "0123456789"), m;

	if (!n || n > 10 || strncmp(v + n, " (expanded: ", 12))
		return 0;
	v += n + 12;
	m = strspn(v, "0123456789");
	return m && m <= 10 && !strcmp(v + m, ")");
}

int journal_write_rec_ok(const struct journal_rec *r, char *why,
			 size_t whysz)
{
	if (value_ok(write_class(r->path), r->orig))
		return 1;
	snprintf(why, whysz, "%s: '%.64s' is not a value isolat writes there",
		 r->path, r->orig);
	return 0;
}

int journal_kept_rec_ok(const struct journal_rec *r, char *why,
			size_t whysz)
{
	if (unexpanded_ring(r->orig))
		return 1;
	snprintf(why, whysz, "%s: '%.64s' is not the unexpanded trace ring's "
		 "state", r->path, r->orig);
	return 0;
}

int journal_sched_rec_ok(const struct journal_rec *r, char *why,
			 size_t whysz)
{
	int policy, prio;

	if (!strncmp(r->knob, "kthread_priority:", 17) &&
	    journal_kthread_comm_ok(r->knob + 17) &&
	    journal_parse_policy(r->orig, &policy, &prio) == 0)
		return 1;
	snprintf(why, whysz, "%s: %.64s '%.64s' is not a kernel thread "
		 "priority isolat changes", r->path, r->knob, r->orig);
	return 0;
}

int journal_rec_allowed(const struct journal_rec *r, char *why,
			size_t whysz)
{
	const struct journal_kind_ops *k = journal_kind_get(r->kind);

	if (!k || !k->path_ok(r->path)) {
		snprintf(why, whysz, "%s is not a path host tuning may "
			 "change", r->path);
		return 0;
	}
	return k->rec_ok ? k->rec_ok(r, why, whysz) : 1;
}

int journal_parse_policy(const char *v, int *policy, int *prio)
{
	static const struct { const char *name; int policy; } pol[] = {
		{"other", SCHED_OTHER}, {"fifo", SCHED_FIFO},
		{"rr", SCHED_RR}, {"batch", SCHED_BATCH},
		{"idle", SCHED_IDLE},
	};
	const char *colon = strchr(v, ':');

	if (!colon)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(pol) / sizeof(pol[0]); i++)
		if (strlen(pol[i].name) == (size_t)(colon - v) &&
		    !strncmp(v, pol[i].name, (size_t)(colon - v))) {
			*policy = pol[i].policy;
			if (!all_digits(colon + 1, strlen(colon + 1)) ||
			    strlen(colon + 1) > 2)
				return -EINVAL;
			*prio = atoi(colon + 1);
			return 0;
		}
	return -EINVAL;
}
