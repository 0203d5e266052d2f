/*
 * tuning_cpuset.c - cpuset_isolate: keep the scheduler's load balancing off
 * the measured CPUs without a reboot (see tuning_int.h).
 *
 * cgroup v1: as `cset shield` without moving tasks.  cgroup v2: an
 * isolated partition (cpuset.cpus.partition, Linux 6.2; "root" on older
 * kernels) the workload is born in (tuning_enter).  Every directory and
 * every file outside those directories is journaled before the change;
 * what is written inside a directory tuning made goes with it on undo.
 */
#include "harness/host/tuning_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/run/plan.h"
#include "harness/util.h"

#define CPUSET_V1 "/sys/fs/cgroup/cpuset"
#define TUNE_ISOLATED "isolat.tune.isolated"

/* A file of a cgroup directory tuning made.  O_CREAT: cgroupfs has every
 * file already and ignores it; a test's fake tree has none. */
static int write_own(const char *path, const char *v)
{
	return write_text(path, v, O_CREAT);
}

/* Is w one of the space-separated words of list? */
static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *s = list; (s = strstr(s, w)); s += n)
		if ((s == list || s[-1] == ' ') && (!s[n] || s[n] == ' ' ||
						    s[n] == '\n'))
			return 1;
	return 0;
}

/* One journal record, then nothing else: the caller makes the change. */
static int journal_rec(struct tuning *t, enum journal_kind kind,
		       const char *path, const char *orig, const char *v,
		       char *err, size_t errsz)
{
	struct journal_rec *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -ENOMEM;
	r->kind = kind;
	snprintf(r->knob, sizeof(r->knob), "cpuset_isolate");
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->orig, sizeof(r->orig), "%s", orig);
	snprintf(r->new_value, sizeof(r->new_value), "%s", v);
	rc = journal_append(&t->j, r, err, errsz);
	free(r);
	return rc;
}

/* mkdir of a cgroup of isolat's own, journaled first. */
static int make_dir(struct tuning *t, const char *path, char *err,
		    size_t errsz)
{
	char full[1024];
	int rc = journal_rec(t, JOURNAL_MKDIR, path, "absent", "created", err,
			     errsz);

	if (rc < 0)
		return rc;
	snprintf(full, sizeof(full), "%s%s", t->j.root, path);
	if (mkdir(full, 0755) < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s%s", path, strerror(errno),
			 rc == -EEXIST ? " (left by an earlier run: run "
			 "`isolat restore` or rmdir it)" : "");
		return rc;
	}
	return 0;
}

/* Write the files of a directory make_dir made, in order. */
static int write_files(struct tuning *t, const char *dir,
		       const char *const *files, const char *const *vals,
		       size_t n, char *err, size_t errsz)
{
	char file[1100];
	int rc;

	for (size_t i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s%s/%s", t->j.root, dir,
			 files[i]);
		rc = write_own(file, vals[i]);
		if (rc < 0) {
			snprintf(err, errsz, "%s/%s = %s: %s", dir, files[i],
				 vals[i], strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* A v1 cpuset of isolat's own. */
static int make_cpuset(struct tuning *t, const char *name,
		       const struct cpulist *cpus, const char *mems,
		       int balance, char *err, size_t errsz)
{
	static const char *const files[] = {
		"cpuset.cpus", "cpuset.mems", "cpuset.sched_load_balance",
	};
	char dir[300], list[512];
	const char *vals[3] = {list, mems, balance ? "1" : "0"};
	int rc;

	cpulist_format(cpus, list, sizeof(list));
	snprintf(dir, sizeof(dir), CPUSET_V1 "/%s", name);
	if ((rc = make_dir(t, dir, err, errsz)))
		return rc;
	return write_files(t, dir, files, vals, 3, err, errsz);
}

/*
 * cgroup v1, as `cset shield` does without moving tasks: the measured CPUs
 * in an isolat.tune.isolated cpuset with sched_load_balance 0, the
 * housekeeping CPUs in a balanced isolat.tune.housekeeping, and the root's
 * balancing off, so the scheduler builds no domain spanning a measured CPU
 * and load balancing pulls nothing onto it.  Not cpu_exclusive: the LXC
 * backend's cpuset of the same CPUs is a sibling and must still be
 * allowed.  Tasks stay where they are (the workload pins its own threads).
 */
static int cpuset_v1(struct tuning *t, const struct plan_case *pc,
		     const struct cpulist *hk, const char *mems, char *err,
		     size_t errsz)
{
	char orig[16] = "", cpus[256];
	int rc;

	if ((rc = make_cpuset(t, "isolat.tune.housekeeping", hk, mems, 1, err,
			      errsz)) ||
	    (rc = make_cpuset(t, TUNE_ISOLATED, &pc->host_cpus, mems, 0,
			      err, errsz)) ||
	    (rc = tuning_set_file(t, "cpuset_isolate",
				  CPUSET_V1 "/cpuset.sched_load_balance", "0",
				  orig, sizeof(orig), err, errsz)))
		return rc;
	cpulist_format(&pc->host_cpus, cpus, sizeof(cpus));
	tuning_fact(t, "tune.cpuset_isolate", "cgroup v1: " CPUSET_V1
		    "/" TUNE_ISOLATED " = %s without load balancing; root "
		    "sched_load_balance 0 (was %s)", cpus, orig);
	return 0;
}

int tuning_partition_valid(const char *readback, const char *want)
{
	size_t n = strlen(want);

	/* Invalid reads "isolated invalid (reason)" (6.x), "root invalid". */
	if (strncmp(readback, want, n))
		return -EINVAL;
	return readback[n] == '\0' || readback[n] == '\n' ? 0 : -EINVAL;
}

/* Where cgroup2 offers the cpuset controller: the unified mount, or a
 * hybrid host's /sys/fs/cgroup/unified; NULL when neither does. */
static const char *v2_mount(const struct tuning *t)
{
	static const char *const dirs[] = { "/sys/fs/cgroup",
					    "/sys/fs/cgroup/unified" };
	char path[1024], text[1024];

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s%s/cgroup.controllers",
			 t->j.root, dirs[i]);
		if (read_text(path, text, sizeof(text)) == 0 &&
		    has_word(text, "cpuset"))
			return dirs[i];
	}
	return NULL;
}

/* The partition's CPUs: the measured ones plus the workload's own
 * housekeeping CPU, since the whole workload process is born inside and
 * its writer thread runs there.  At least one other CPU stays outside. */
static int partition_cpus(const struct plan_case *pc,
			  const struct cpulist *hk, struct cpulist *out,
			  char *err, size_t errsz)
{
	int wl_hk = pc->params.housekeeping;
	unsigned rest = 0;

	if (wl_hk < 0 || !cpulist_contains(hk, (unsigned)wl_hk)) {
		snprintf(err, errsz, "cpuset_isolate: housekeeping CPU %d is "
			 "not an online unmeasured CPU", wl_hk);
		return -EINVAL;
	}
	for (unsigned i = 0; i < hk->n; i++)
		rest += hk->cpu[i] != (unsigned)wl_hk;
	if (!rest) {
		snprintf(err, errsz, "cpuset_isolate (cgroup v2): a partition "
			 "of the measured CPUs and the workload's housekeeping "
			 "CPU %d leaves no CPU to the rest of the system; "
			 "measure fewer CPUs", wl_hk);
		return -EINVAL;
	}
	out->n = 0;
	for (unsigned c = 0; c < CPULIST_MAX && out->n < CPULIST_MAX; c++)
		if (c == (unsigned)wl_hk ||
		    cpulist_contains(&pc->host_cpus, c))
			out->cpu[out->n++] = (unsigned short)c;
	return 0;
}

/*
 * cgroup v2: the root hands cpuset to its children (journaled: "-cpuset"
 * undoes it), isolat.tune.isolated gets the CPUs and becomes an isolated
 * partition (journaled, so undo makes it a member again before removing
 * it).  The kernel then takes those CPUs from every task outside and
 * builds no scheduling domain over them.  A kernel before 6.2 knows only
 * "root" partitions (their own domain, still balanced inside): used then,
 * and said so in the fact.
 */
static int cpuset_v2(struct tuning *t, const struct plan_case *pc,
		     const struct cpulist *hk, const char *mnt, char *err,
		     size_t errsz)
{
	static const char *const files[] = { "cpuset.cpus" };
	char dir[300], path[400], full[1100], text[1024], list[512];
	char rest[512];
	const char *vals[1] = { list }, *type = "isolated";
	struct cpulist cpus, others = {0};
	int rc;

	/* A backend that makes its workload's cgroup itself (liblxc)
	 * makes it outside the partition, where the measured CPUs are then
	 * unavailable. */
	if (env_is(pc->env, ENV_OWN_CGROUP)) {
		snprintf(err, errsz, "cpuset_isolate on cgroup v2 is not "
			 "supported for %s (its cgroup is made by the "
			 "environment outside the partition and could not use "
			 "the measured CPUs)", pc->env->name);
		return -EOPNOTSUPP;
	}
	/* A guest's emulator threads belong on host housekeeping CPUs,
	 * which a partition holding the whole hypervisor process would take
	 * from them. */
	if (!env_is(pc->env, ENV_HOST_PROCESS)) {
		snprintf(err, errsz, "cpuset_isolate on cgroup v2 is only "
			 "supported for bare cases, whose workload is a host "
			 "process (%s's processes would be born in the "
			 "partition and their other threads could not leave "
			 "it)", pc->env->name);
		return -EOPNOTSUPP;
	}
	if ((rc = partition_cpus(pc, hk, &cpus, err, errsz)))
		return rc;
	for (unsigned i = 0; i < hk->n; i++)
		if (!cpulist_contains(&cpus, hk->cpu[i]))
			others.cpu[others.n++] = hk->cpu[i];
	cpulist_format(&cpus, list, sizeof(list));
	cpulist_format(&others, rest, sizeof(rest));
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", mnt);
	snprintf(full, sizeof(full), "%s%s", t->j.root, path);
	if ((rc = read_text(full, text, sizeof(text))) < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (!has_word(text, "cpuset")) {
		if ((rc = journal_rec(t, JOURNAL_WRITE, path, "-cpuset",
				      "+cpuset", err, errsz)))
			return rc;
		if ((rc = write_own(full, "+cpuset")) < 0) {
			snprintf(err, errsz, "%s: +cpuset: %s", path,
				 strerror(-rc));
			return rc;
		}
	}
	snprintf(dir, sizeof(dir), "%s/" TUNE_ISOLATED, mnt);
	if ((rc = make_dir(t, dir, err, errsz)) ||
	    (rc = write_files(t, dir, files, vals, 1, err, errsz)))
		return rc;
	/* A new cgroup is a "member"; no need to read it (and a fake tree
	 * has nothing to read). */
	snprintf(path, sizeof(path), "%s/cpuset.cpus.partition", dir);
	snprintf(full, sizeof(full), "%s%s", t->j.root, path);
	if ((rc = journal_rec(t, JOURNAL_WRITE, path, "member", type, err,
			      errsz)))
		return rc;
	rc = write_own(full, type);
	if (rc == -EINVAL) {
		type = "root";
		if ((rc = journal_rec(t, JOURNAL_WRITE, path, "member", type,
				      err, errsz)))
			return rc;
		rc = write_own(full, type);
	}
	if (rc < 0) {
		snprintf(err, errsz, "%s = isolated: %s%s", path,
			 strerror(-rc), rc == -ENOENT ? " (cgroup v2 "
			 "partitions need Linux 5.11 or later)" : "");
		return rc;
	}
	/* The write succeeds even when the partition cannot be valid (CPUs
	 * not exclusive, ...): only the read-back tells. */
	if ((rc = read_text(full, text, sizeof(text))) < 0 ||
	    (rc = tuning_partition_valid(text, type)) < 0) {
		snprintf(err, errsz, "%s reads '%s' after writing %s; the "
			 "partition is not valid (are CPUs %s in another "
			 "partition or exclusive cpuset?)", path,
			 rc == -EINVAL ? text : strerror(-rc), type, list);
		return rc;
	}
	snprintf(t->join, sizeof(t->join), "%s/cgroup.procs", dir);
	tuning_fact(t, "tune.cpuset_isolate", "cgroup v2: %s partition %s%s "
		    "(cpus %s: the measured ones and the workload's "
		    "housekeeping CPU %d; every other task keeps %s); the "
		    "workload is started inside it", dir, type,
		    strcmp(type, "root") ? "" : " (the kernel refused "
		    "'isolated', which needs Linux 6.2: load balancing still "
		    "runs inside)", list, pc->params.housekeeping, rest);
	return 0;
}

int tuning_cpuset_isolate(struct tuning *t, const struct plan_case *pc,
			  const struct cpulist *hk, char *err, size_t errsz)
{
	char path[600], mems[256];
	const char *mnt;

	snprintf(path, sizeof(path), "%s" CPUSET_V1 "/cpuset.mems",
		 t->j.root);
	if (read_text(path, mems, sizeof(mems)) == 0)
		return cpuset_v1(t, pc, hk, mems, err, errsz);
	if ((mnt = v2_mount(t)))
		return cpuset_v2(t, pc, hk, mnt, err, errsz);
	snprintf(err, errsz, "cpuset_isolate: no cpuset controller (neither "
		 "a cgroup v1 hierarchy at " CPUSET_V1 " nor cpuset in "
		 "cgroup2's cgroup.controllers)");
	return -EOPNOTSUPP;
}

/* The harness's cgroup v2 cgroup.procs, from /proc/self/cgroup's "0::"
 * line, under the mount that holds t->join. */
static int own_cgroup(struct tuning *t, char *err, size_t errsz)
{
	char path[600], line[512], mnt[300];
	const char *tail = strstr(t->join, "/" TUNE_ISOLATED "/");
	FILE *f;
	int found = 0;

	snprintf(mnt, sizeof(mnt), "%.*s", (int)(tail - t->join), t->join);
	snprintf(path, sizeof(path), "%s/proc/self/cgroup", t->j.root);
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errsz, "/proc/self/cgroup: %s", strerror(errno));
		return -EIO;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "0::/", 4) || strstr(line, "..") ||
		    strstr(line, TUNE_ISOLATED))
			continue;
		snprintf(t->back, sizeof(t->back), "%s%s%scgroup.procs", mnt,
			 line + 3, line[4] ? "/" : "");
		found = 1;
	}
	fclose(f);
	if (!found) {
		snprintf(err, errsz, "/proc/self/cgroup has no cgroup v2 line");
		return -ENOENT;
	}
	return 0;
}

/* Write our pid to a cgroup.procs (as the journal names it). */
static int move_self(const struct tuning *t, const char *procs, char *err,
		     size_t errsz)
{
	char full[1200], pid[32];
	int fd, rc = 0;

	snprintf(full, sizeof(full), "%s%s", t->j.root, procs);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	/* O_APPEND: a fake tree keeps every pid written, as a log. */
	fd = open(full, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || write(fd, pid, strlen(pid)) != (ssize_t)strlen(pid))
		rc = -errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		snprintf(err, errsz, "moving the harness to %s: %s", procs,
			 strerror(-rc));
	return rc;
}

int tuning_enter(struct tuning *t, char *err, size_t errsz)
{
	int rc;

	if (!t->join[0])
		return 0;
	if ((rc = own_cgroup(t, err, errsz)) < 0)
		return rc;
	return move_self(t, t->join, err, errsz);
}

int tuning_leave(struct tuning *t, char *err, size_t errsz)
{
	char why[1400];
	int rc;

	if (!t->join[0] || !t->back[0])
		return 0;
	rc = move_self(t, t->back, why, sizeof(why));
	if (rc < 0 && err)
		snprintf(err, errsz, "%s", why);
	t->back[0] = '\0';
	return rc;
}
