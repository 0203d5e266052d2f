/*
 * tuning.c - apply the run-time host knobs of a profile for one case and
 * undo them after it (see tuning.h): read the original, journal it, then
 * write; the journal is a file (journal.h) so the host can be restored
 * after a crash as well.  cpuset_isolate is tuning_cpuset.c.
 */
#include "harness/host/tuning.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/run/plan.h"
#include "harness/host/tuning_int.h"
#include "harness/util.h"

void tuning_fact(struct tuning *t, const char *key, const char *fmt, ...)
{
	char v[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (t->fact)
		t->fact(t->ctx, key, v);
}

/* strcpy that truncates (no format: nothing for -Wformat to doubt). */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* "always [madvise] never" -> "madvise": the form that can be written. */
static void selected_word(char *v)
{
	char *open_b = strchr(v, '['), *close_b;

	if (!open_b || !(close_b = strchr(open_b, ']')))
		return;
	*close_b = '\0';
	memmove(v, open_b + 1, strlen(open_b + 1) + 1);
}

int tuning_set_file(struct tuning *t, const char *knob, const char *path,
		    const char *v, char *orig_out, size_t origsz, char *err,
		    size_t errsz)
{
	struct journal_rec *r = calloc(1, sizeof(*r));
	char full[1024];
	int rc;

	if (!r)
		return -ENOMEM;
	t->write_failed = 0;
	snprintf(full, sizeof(full), "%s%s", t->j.root, path);
	rc = read_text(full, r->orig, sizeof(r->orig));
	if (rc < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(-rc));
		goto out;
	}
	selected_word(r->orig);
	if (orig_out)
		copy_str(orig_out, origsz, r->orig);
	if (!strcmp(r->orig, v))
		goto out;
	r->kind = JOURNAL_WRITE;
	snprintf(r->knob, sizeof(r->knob), "%s", knob);
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->new_value, sizeof(r->new_value), "%s", v);
	rc = journal_append(&t->j, r, err, errsz);
	if (rc < 0)
		goto out;
	rc = write_text(full, v, 0);
	t->write_failed = rc < 0;
	if (rc < 0)
		snprintf(err, errsz, "%s: writing %s: %s", path, v,
			 strerror(-rc));
out:
	free(r);
	return rc;
}

/* cpus as a kernel hex mask shaped like model ("3", "00000000,00000003"),
 * so an unchanged value reads back equal. */
static void mask_like(const struct cpulist *cpus, const char *model,
		      char *out, size_t size)
{
	unsigned groups = 1, width = (unsigned)strcspn(model, ",");
	size_t len = 0;

	for (const char *s = model; *s; s++)
		groups += *s == ',';
	if (width == 0 || width > 8)
		width = 8;
	out[0] = '\0';
	for (unsigned g = groups; g-- > 0;) {
		unsigned v = 0;

		for (unsigned i = 0; i < cpus->n; i++)
			if (cpus->cpu[i] / 32 == g)
				v |= 1u << (cpus->cpu[i] % 32);
		len += (size_t)snprintf(out + len, size - len, "%s%0*x",
					g + 1 == groups ? "" : ",",
					g + 1 == groups ? (int)width : 8, v);
		if (len >= size)
			return;
	}
}

/* The online CPUs that are not measured. */
static int housekeeping_cpus(const struct plan_case *pc, const char *root,
			     struct cpulist *hk, char *err, size_t errsz)
{
	struct cpulist online;
	char path[512], text[1024];
	const char *why = NULL;

	snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/online", root);
	if (read_text(path, text, sizeof(text)) < 0 ||
	    cpulist_parse(text, &online, &why) < 0) {
		snprintf(err, errsz, "%s: cannot read the online CPUs", path);
		return -EIO;
	}
	hk->n = 0;
	for (unsigned i = 0; i < online.n; i++)
		if (!cpulist_contains(&pc->host_cpus, online.cpu[i]))
			hk->cpu[hk->n++] = online.cpu[i];
	if (!hk->n) {
		snprintf(err, errsz, "no housekeeping CPU left");
		return -EINVAL;
	}
	return 0;
}

/* Every IRQ to the housekeeping CPUs; one that refuses (per-CPU, managed)
 * is a fact, not a failure. */
static int irq_affinity(struct tuning *t, const struct cpulist *hk,
			char *err, size_t errsz)
{
	char dirpath[512], path[512], full[600], orig[256], mask[512];
	char moved[2048] = "", refused[2048] = "";
	size_t ml = 0, rl = 0;
	unsigned nmoved = 0, nrefused = 0;
	struct dirent *de;
	DIR *d;
	int rc;

	snprintf(full, sizeof(full), "%s/proc/irq/default_smp_affinity",
		 t->j.root);
	if (read_text(full, orig, sizeof(orig)) < 0)
		orig[0] = '\0';
	mask_like(hk, orig, mask, sizeof(mask));
	rc = tuning_set_file(t, "irq_affinity",
			     "/proc/irq/default_smp_affinity", mask, NULL, 0,
			     err, errsz);
	if (rc < 0)
		return rc;
	snprintf(dirpath, sizeof(dirpath), "%s/proc/irq", t->j.root);
	d = opendir(dirpath);
	if (!d) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", dirpath, strerror(errno));
		return rc;
	}
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]) ||
		    strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		if (strlen(de->d_name) > 20)
			continue;
		snprintf(path, sizeof(path), "/proc/irq/%s/smp_affinity",
			 de->d_name);
		snprintf(full, sizeof(full), "%s/proc/irq/%s/smp_affinity",
			 t->j.root, de->d_name);
		if (read_text(full, orig, sizeof(orig)) < 0)
			continue;
		mask_like(hk, orig, mask, sizeof(mask));
		if (!strcmp(orig, mask))
			continue;
		rc = tuning_set_file(t, "irq_affinity", path, mask, NULL, 0,
				     err, errsz);
		if (rc == 0) {
			nmoved++;
			if (ml < sizeof(moved) - 16)
				ml += (size_t)snprintf(moved + ml,
						       sizeof(moved) - ml,
						       "%s%s", ml ? "," : "",
						       de->d_name);
		} else if (t->write_failed) {
			/* the kernel said no (EIO/EINVAL): record it */
			nrefused++;
			if (rl < sizeof(refused) - 32)
				rl += (size_t)snprintf(refused + rl,
						       sizeof(refused) - rl,
						       "%s%s (%s)",
						       rl ? ", " : "",
						       de->d_name,
						       strerror(-rc));
			err[0] = '\0';
		} else {
			closedir(d);
			return rc;
		}
	}
	closedir(d);
	cpulist_format(hk, mask, sizeof(mask));
	tuning_fact(t, "tune.irq_affinity", "%s", mask);
	tuning_fact(t, "tune.irq_affinity.moved", "%u: %s", nmoved, moved);
	if (nrefused)
		tuning_fact(t, "tune.irq_affinity.refused", "%u: %s",
			    nrefused, refused);
	return 0;
}

static const char *policy_name(int policy)
{
	switch (policy & ~SCHED_RESET_ON_FORK) {
	case SCHED_FIFO: return "fifo";
	case SCHED_RR: return "rr";
	case SCHED_BATCH: return "batch";
	case SCHED_IDLE: return "idle";
	default: return "other";
	}
}

/* ksoftirqd/N, ktimers/N, rcuc/N of the measured CPUs to SCHED_FIFO prio,
 * as tuned's realtime profile does. */
static int kthread_priority(struct tuning *t, const struct plan_case *pc,
			    int prio, char *err, size_t errsz)
{
	static const char *const names[] = {"ksoftirqd/", "ktimers/",
					    "rcuc/"};
	struct journal_rec *r = calloc(1, sizeof(*r));
	char path[600], comm[64], done[2048] = "";
	struct dirent *de;
	size_t dl = 0;
	DIR *d;
	int rc = 0;

	if (!r)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/proc", t->j.root);
	d = opendir(path);
	if (!d) {
		free(r);
		snprintf(err, errsz, "/proc: %s", strerror(errno));
		return -EIO;
	}
	while (rc == 0 && (de = readdir(d))) {
		struct sched_param sp = {0};
		int match = 0, pid, policy;

		if (strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/proc/%s/comm", t->j.root,
			 de->d_name);
		if (read_text(path, comm, sizeof(comm)) < 0)
			continue;
		for (size_t i = 0; i < 3 && !match; i++) {
			size_t n = strlen(names[i]);
			char *end;
			long cpu;

			if (strncmp(comm, names[i], n))
				continue;
			cpu = strtol(comm + n, &end, 10);
			match = end != comm + n && !*end && cpu >= 0 &&
				cpulist_contains(&pc->host_cpus,
						 (unsigned)cpu);
		}
		if (!match)
			continue;
		pid = atoi(de->d_name);
		policy = sched_getscheduler(pid);
		if (policy < 0 || sched_getparam(pid, &sp) < 0)
			continue; /* gone */
		r->kind = JOURNAL_SCHED;
		snprintf(r->knob, sizeof(r->knob), "kthread_priority:%s", comm);
		snprintf(r->path, sizeof(r->path), "/proc/%d", pid);
		snprintf(r->orig, sizeof(r->orig), "%s:%d",
			 policy_name(policy), sp.sched_priority);
		snprintf(r->new_value, sizeof(r->new_value), "fifo:%d", prio);
		if (!strcmp(r->orig, r->new_value))
			continue;
		rc = journal_append(&t->j, r, err, errsz);
		if (rc < 0)
			break;
		sp.sched_priority = prio;
		if (sched_setscheduler(pid, SCHED_FIFO, &sp) < 0) {
			rc = -errno;
			snprintf(err, errsz, "%s (pid %d): SCHED_FIFO %d: %s",
				 comm, pid, prio, strerror(errno));
			break;
		}
		if (dl < sizeof(done) - 64)
			dl += (size_t)snprintf(done + dl, sizeof(done) - dl,
					       "%s%s (was %s)", dl ? ", " : "",
					       comm, r->orig);
	}
	closedir(d);
	free(r);
	if (rc == 0)
		tuning_fact(t, "tune.kthread_priority", "fifo:%d: %s", prio,
			    dl ? done : "no such threads on the measured "
			    "CPUs");
	return rc;
}

/* One knob to one file, with its fact "NEW (was ORIG)". */
static int simple(struct tuning *t, const char *knob, const char *path,
		  const char *v, char *err, size_t errsz)
{
	char key[160], orig[256] = "";
	int rc = tuning_set_file(t, knob, path, v, orig, sizeof(orig), err,
				 errsz);

	if (rc < 0)
		return rc;
	snprintf(key, sizeof(key), "tune.%s", knob);
	tuning_fact(t, key, "%s (was %s)", v, orig);
	return 0;
}

int tuning_governor_plan(const char *root, const struct cpulist *cpus,
			 const char *gov, char *why, size_t whysz)
{
	char path[600], have[512], list[520], word[80];

	/* A whole word of the blank-separated list: " gov " in " list ". */
	snprintf(word, sizeof(word), " %s ", gov);
	for (unsigned i = 0; i < cpus->n; i++) {
		snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/cpu%u/"
			 "cpufreq/scaling_available_governors", root,
			 cpus->cpu[i]);
		if (read_text(path, have, sizeof(have)) < 0)
			continue; /* no cpufreq, or a driver without the list */
		snprintf(list, sizeof(list), " %s ", have);
		for (char *c = list; *c; c++)
			if (*c == '\t' || *c == '\n')
				*c = ' ';
		if (!strstr(list, word)) {
			snprintf(why, whysz, "governor = %s: CPU %u offers %s; "
				 "expected one of those", gov, cpus->cpu[i],
				 have);
			return -EINVAL;
		}
	}
	return 0;
}

static int governor(struct tuning *t, const struct plan_case *pc,
		    const char *gov, char *err, size_t errsz)
{
	char path[256], full[600], key[64];
	int rc;

	/* Planning said so already; the CPUs' drivers may change since. */
	if (tuning_governor_plan(t->j.root, &pc->host_cpus, gov, err,
				 errsz) < 0)
		return -EINVAL;

	for (unsigned i = 0; i < pc->host_cpus.n; i++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%u/cpufreq/"
			 "scaling_governor", pc->host_cpus.cpu[i]);
		snprintf(full, sizeof(full), "%s%s", t->j.root, path);
		if (access(full, F_OK) < 0) {
			tuning_fact(t, "tune.governor", "not applicable: no "
				    "cpufreq on CPU %u", pc->host_cpus.cpu[i]);
			return 0;
		}
		snprintf(key, sizeof(key), "governor.cpu%u",
			 pc->host_cpus.cpu[i]);
		rc = simple(t, key, path, gov, err, errsz);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void tuning_begin(struct tuning *t, const char *journal_path)
{
	memset(t, 0, sizeof(*t));
	journal_init(&t->j, journal_path, "");
}

int tuning_apply(struct tuning *t, const struct plan_case *pc,
		 const char *journal_path, fact_fn fct, void *ctx,
		 char *err, size_t errsz)
{
	const struct scn_profile *p = pc->profile;
	struct cpulist hk;
	char mask[512], orig[256], v[32];
	int rc = 0;

	/* A journal tuning_begin set up (it may hold the case's work
	 * directory already) is kept: one journal per case. */
	if (strcmp(t->j.path, journal_path) || t->j.root[0])
		tuning_begin(t, journal_path);
	t->fact = fct;
	t->ctx = ctx;
	if (!p)
		return 0;
	if (p->irq_affinity_hk || p->workqueue_hk || p->cpuset_isolate) {
		rc = housekeeping_cpus(pc, t->j.root, &hk, err, errsz);
		if (rc < 0)
			return rc;
	}
	if (p->irq_affinity_hk && (rc = irq_affinity(t, &hk, err, errsz)))
		return rc;
	if (p->workqueue_hk) {
		const char *wq = "/sys/devices/virtual/workqueue/cpumask";
		char full[600];

		snprintf(full, sizeof(full), "%s%s", t->j.root, wq);
		if (read_text(full, orig, sizeof(orig)) < 0) {
			tuning_fact(t, "tune.workqueue_cpumask",
				    "not applicable: no %s", wq);
		} else {
			mask_like(&hk, orig, mask, sizeof(mask));
			if ((rc = simple(t, "workqueue_cpumask", wq, mask, err,
					 errsz)))
				return rc;
		}
	}
	if (p->timer_migration >= 0) {
		snprintf(v, sizeof(v), "%d", p->timer_migration);
		if ((rc = simple(t, "timer_migration",
				 "/proc/sys/kernel/timer_migration", v, err,
				 errsz)))
			return rc;
	}
	if (p->rt_runtime_set) {
		snprintf(v, sizeof(v), "%lld", p->sched_rt_runtime_us);
		if ((rc = simple(t, "sched_rt_runtime_us",
				 "/proc/sys/kernel/sched_rt_runtime_us", v,
				 err, errsz)))
			return rc;
	}
	if (p->governor[0] && (rc = governor(t, pc, p->governor, err, errsz)))
		return rc;
	if (p->dma_latency == 0)
		tuning_fact(t, "tune.dma_latency", "0: held by the rtlat "
			    "workload (/dev/cpu_dma_latency) while it "
			    "measures");
	if (p->thp[0] &&
	    (rc = simple(t, "thp", "/sys/kernel/mm/transparent_hugepage/"
			 "enabled", p->thp, err, errsz)))
		return rc;
	if (p->kthread_priority &&
	    (rc = kthread_priority(t, pc, p->kthread_priority, err, errsz)))
		return rc;
	if (p->cpuset_isolate &&
	    (rc = tuning_cpuset_isolate(t, pc, &hk, err, errsz)))
		return rc;
	return 0;
}

static void undo_note(void *ctx, const struct journal_rec *r, int rc)
{
	struct tuning *t = ctx;

	/* What the case started or made (its load, work directory,
	 * container) is not host tuning: counted only when it failed. */
	if (rc >= 0 && (r->kind == JOURNAL_PROC ||
			r->kind == JOURNAL_WORKDIR ||
			r->kind == JOURNAL_CONTAINER))
		return;
	t->tuned++;

	if (rc < 0) {
		char key[200];

		t->undo_failed++;
		snprintf(key, sizeof(key), "tune.restore.failed.%.150s",
			 r->path);
		tuning_fact(t, key, "%s back to %s: %s", r->knob, r->orig,
			    strerror(-rc));
	} else if (rc == 0) {
		t->undone++;
	}
}

int tuning_undo(struct tuning *t, char *err, size_t errsz)
{
	int rc;

	/* Only a journal this case created is ours to replay. */
	if (t->j.fd < 0)
		return 0;
	journal_close(&t->j);
	rc = journal_replay(t->j.path, t->j.root, undo_note, t, err, errsz);
	/* A case that tuned nothing (profile none, no tracing) says
	 * nothing about tuning. */
	if (t->tuned)
		tuning_fact(t, "tune.restore", "%u change%s undone%s",
			    t->undone, t->undone == 1 ? "" : "s",
			    t->undo_failed ? ", some failed" : "");
	return rc;
}
