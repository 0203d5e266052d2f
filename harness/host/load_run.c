/*
 * load_run.c - see load_run.h: a case's background load through stress-ng.
 */
#include "harness/host/load_run.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collectors/ingest.h"
#include "harness/env/guest/elf_deps.h"
#include "harness/env/env.h"
#include "harness/host/journal.h"
#include "harness/run/plan.h"
#include "harness/run/proc.h"
#include "harness/util.h"

#define LOAD_OUT_KEEP (16 * 1024) /* tail of stress-ng's output kept */
#define LOAD_STOP_MS 5000         /* SIGTERM -> SIGKILL */

int load_spec_parse(const char *text, struct load_spec *out, char *why,
		    size_t whysz)
{
	char buf[LOAD_NAME_MAX], *save = NULL, *tok;

	memset(out, 0, sizeof(*out));
	if (strlen(text) >= sizeof(buf)) {
		snprintf(why, whysz, "'%s' is too long", text);
		return -EINVAL;
	}
	strcpy(out->name, text);
	strcpy(buf, text);
	/* strtok_r would accept "cpu++memory" and a trailing '+'. */
	if (!*text || text[0] == '+' || text[strlen(text) - 1] == '+' ||
	    strstr(text, "++")) {
		snprintf(why, whysz, "'%s': expected load names joined by "
			 "'+', such as cpu+memory", text);
		return -EINVAL;
	}
	for (tok = strtok_r(buf, "+", &save); tok;
	     tok = strtok_r(NULL, "+", &save)) {
		const struct load_ops *o = load_find(tok);

		if (!o) {
			snprintf(why, whysz, "unknown load '%s'; expected one "
				 "of: %s", tok, load_names());
			return -EINVAL;
		}
		if (!o->stressor) { /* none */
			if (strcmp(text, o->name)) {
				snprintf(why, whysz, "'%s': %s cannot be "
					 "combined", text, o->name);
				return -EINVAL;
			}
			return 0;
		}
		for (unsigned i = 0; i < out->n; i++)
			if (out->part[i] == o) {
				snprintf(why, whysz, "'%s': %s twice", text,
					 tok);
				return -EINVAL;
			}
		if (out->n == LOAD_PARTS_MAX) {
			snprintf(why, whysz, "'%s': more than %d loads "
				 "combined", text, LOAD_PARTS_MAX);
			return -EINVAL;
		}
		out->part[out->n++] = o;
	}
	return 0;
}

/* Append one argument (copied into cmd->buf). */
static int add(struct load_cmd *cmd, unsigned *argc, size_t *used,
	       const char *s)
{
	size_t n = strlen(s) + 1;

	if (*argc + 1 >= LOAD_ARGV_MAX || *used + n > sizeof(cmd->buf))
		return -ENOSPC;
	memcpy(cmd->buf + *used, s, n);
	cmd->argv[(*argc)++] = cmd->buf + *used;
	cmd->argv[*argc] = NULL;
	*used += n;
	return 0;
}

int load_cmd_build(struct load_cmd *cmd, const struct load_spec *ls,
		   const struct cpulist *cpus, unsigned instances,
		   unsigned timeout_s, const char *tmpdir, char *err,
		   size_t errsz)
{
	char num[32], list[1024], tmo[32];
	unsigned argc = 0;
	size_t used = 0;
	int rc = 0;

	cmd->argv[0] = NULL;
	if (ls->n == 0 || instances == 0 || cpus->n == 0) {
		snprintf(err, errsz, "load %s: nothing to run", ls->name);
		return -EINVAL;
	}
	if (cpulist_format(cpus, list, sizeof(list)) < 0) {
		snprintf(err, errsz, "load %s: CPU list too long", ls->name);
		return -ENOSPC;
	}
	snprintf(num, sizeof(num), "%u", instances);
	snprintf(tmo, sizeof(tmo), "%us", timeout_s);
	rc = add(cmd, &argc, &used, "stress-ng");
	for (unsigned i = 0; i < ls->n && rc == 0; i++) {
		rc = add(cmd, &argc, &used, ls->part[i]->stressor);
		if (rc == 0)
			rc = add(cmd, &argc, &used, num);
		for (const char *const *e = ls->part[i]->extra; *e && rc == 0;
		     e++)
			rc = add(cmd, &argc, &used, *e);
	}
	/* --timeout bounds a load the harness could not stop (killed);
	 * --metrics-brief gives the bogo-ops that show the load ran. */
	const char *tail[] = {"--taskset", list, "--timeout", tmo,
			      "--metrics-brief", "--temp-path", tmpdir, NULL};
	for (unsigned i = 0; tail[i] && rc == 0; i++)
		rc = add(cmd, &argc, &used, tail[i]);
	if (rc < 0)
		snprintf(err, errsz, "load %s: stress-ng argv too long",
			 ls->name);
	return rc;
}

void load_cmd_text(const struct load_cmd *cmd, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (unsigned i = 0; cmd->argv[i] && len < size; i++) {
		int n = snprintf(out + len, size - len, "%s%s", i ? " " : "",
				 cmd->argv[i]);

		if (n < 0)
			break;
		len += (size_t)n;
	}
}

int load_resolve_cpus(const char *spec, const struct cpulist *measured,
		      const struct cpulist *online, const char *avail_what,
		      struct cpulist *out, char *why, size_t whysz)
{
	struct cpulist want;
	const char *perr = NULL;
	int hk = !strcmp(spec, "housekeeping"), all = !strcmp(spec, "all");
	int meas = !strcmp(spec, "measured");

	out->n = 0;
	if (!hk && !all && !meas) {
		if (cpulist_parse(spec, &want, &perr) < 0 || want.n == 0) {
			snprintf(why, whysz, "load_cpus = %s: %s; expected "
				 "housekeeping, measured, all or a CPU list",
				 spec, perr ? perr : "empty list");
			return -EINVAL;
		}
		for (unsigned i = 0; i < want.n; i++)
			if (!cpulist_contains(online, want.cpu[i])) {
				char have[256];

				cpulist_format(online, have, sizeof(have));
				snprintf(why, whysz, "load_cpus = %s: CPU %u "
					 "is not %s; expected CPUs from %s",
					 spec, want.cpu[i], avail_what, have);
				return -EINVAL;
			}
		*out = want;
		return 0;
	}
	/* online is ascending, so out stays a valid cpulist. */
	for (unsigned i = 0; i < online->n; i++) {
		int m = cpulist_contains(measured, online->cpu[i]);

		if (all || (hk && !m) || (meas && m))
			out->cpu[out->n++] = online->cpu[i];
	}
	if (out->n == 0) {
		snprintf(why, whysz, "load_cpus = %s: no such CPU %s; "
			 "expected housekeeping, all or a CPU list", spec,
			 avail_what);
		return -EINVAL;
	}
	return 0;
}

int load_runs_inside(const struct plan_case *pc)
{
	return pc->load.n && pc->params.load_inside &&
	       !env_is(pc->env, ENV_HOST_PROCESS);
}

unsigned load_inside_settle_s(const struct plan_case *pc)
{
	return load_runs_inside(pc) ? pc->params.load_settle_s : 0;
}

/* The CPUs a load inside the case's environment may use, and what they
 * are called in messages. */
static const char *inside_cpus(const struct plan_case *c,
			       const struct cpulist *online,
			       struct cpulist *out)
{
	if (c->env->inside_cpus) {
		c->env->inside_cpus(&c->params, out);
		return "in the container's cpuset (the measured CPUs and the "
		       "housekeeping CPU)";
	}
	if (env_is(c->env, ENV_GUEST)) {
		c->env->guest_cpus(&c->params, out);
		return "a vCPU of the guest";
	}
	*out = *online;
	return "online on this host";
}

int load_plan_case(struct plan_case *c, const char *scn_path,
		   const struct cpulist *online, char *err, size_t errsz)
{
	char why[512], path[512];
	struct cpulist avail = *online;
	const char *what = "online on this host";
	struct elf_deps *deps;

	if (c->load.n == 0)
		return 0;
	/* measured / housekeeping: inside, the environment's own CPU
	 * numbers (a guest's vCPUs); host side, the host CPUs the measured
	 * ones run on (a guest's pinned vCPUs). */
	if (load_runs_inside(c))
		what = inside_cpus(c, online, &avail);
	if (load_resolve_cpus(c->params.load_cpus,
			      load_runs_inside(c) ? &c->params.cpus
						  : &c->host_cpus,
			      &avail, what, &c->load_cpus, why,
			      sizeof(why)) < 0) {
		snprintf(err, errsz, "%s:%d: %s%s", scn_path,
			 c->params.load_cpus_line ? c->params.load_cpus_line
						  : c->params.cpus_line,
			 why, load_runs_inside(c) ? " (load_side = inside)"
						  : "");
		return -EINVAL;
	}
	if (c->skip_reason[0])
		return 0;
	if (find_program(LOAD_PROGRAM, path, sizeof(path)) < 0) {
		snprintf(c->skip_reason, sizeof(c->skip_reason),
			 "load %s needs stress-ng: install it (apt-get "
			 "install stress-ng)", c->load.name);
		return 0;
	}
	/* A guest runs the host's stress-ng from its image: it must be
	 * able to carry it with every library it needs. */
	if (!load_runs_inside(c) || env_is(c->env, ENV_HOST_PROGRAMS))
		return 0;
	deps = malloc(sizeof(*deps));
	if (!deps)
		return -ENOMEM;
	if (elf_deps_resolve(path, NULL, deps, why, sizeof(why)) < 0) {
		/* why names the file (path included). */
		int n = snprintf(c->skip_reason, sizeof(c->skip_reason),
				 "load_side = inside: the %s guest image "
				 "cannot carry stress-ng: ", c->env->name);

		if (n > 0 && (size_t)n < sizeof(c->skip_reason))
			memcpy(c->skip_reason + n, why,
			       strnlen(why, sizeof(c->skip_reason) - 1 -
					    (size_t)n) + 1);
		c->skip_reason[sizeof(c->skip_reason) - 1] = '\0';
	}
	free(deps);
	return 0;
}

int load_inside_prepare(const struct plan_case *pc, struct load_inside *li,
			char **argv, unsigned *argc, unsigned max,
			const char *const **programs, fact_fn fact,
			void *ctx, char *err, size_t errsz)
{
	const struct scn_params *p = &pc->params;
	unsigned instances = p->load_instances ? p->load_instances
					       : pc->load_cpus.n;
	double bound = p->load_settle_s + plan_case_seconds(pc) +
		       p->hello_timeout_s + p->grace_s + 60;
	char text[2048], cpus[1024], num[32];
	unsigned n = 0;
	int rc;

	memset(li, 0, sizeof(*li));
	if (!load_runs_inside(pc))
		return 0;
	/* /tmp: the container's (in its rootfs, removed with the case's
	 * work directory) or the guest image's. */
	rc = load_cmd_build(&li->cmd, &pc->load, &pc->load_cpus, instances,
			    (unsigned)ceil(bound), "/tmp", err, errsz);
	if (rc < 0)
		return rc;
	while (li->cmd.argv[n])
		n++;
	/* What isolat-wl will accept, checked before it travels. */
	if (load_argv_check(li->cmd.argv, n, text, sizeof(text)) < 0) {
		snprintf(err, errsz, "load %s: %s", pc->load.name, text);
		return -EINVAL;
	}
	if (*argc + 2 + 2 * n + 1 > max) {
		snprintf(err, errsz, "load %s: workload argv too long",
			 pc->load.name);
		return -E2BIG;
	}
	if (!env_is(pc->env, ENV_HOST_PROGRAMS)) {
		if (find_program(LOAD_PROGRAM, li->program,
				 sizeof(li->program)) < 0) {
			snprintf(err, errsz, "load %s: stress-ng not found "
				 "(apt-get install stress-ng)", pc->load.name);
			return -ENOENT;
		}
		li->programs[0] = li->program;
		*programs = li->programs;
	}
	snprintf(li->settle, sizeof(li->settle), "%u", p->load_settle_s);
	argv[(*argc)++] = "--load-settle-s";
	argv[(*argc)++] = li->settle;
	for (unsigned i = 0; i < n; i++) {
		argv[(*argc)++] = "--load";
		argv[(*argc)++] = li->cmd.argv[i];
	}
	argv[*argc] = NULL;
	load_cmd_text(&li->cmd, text, sizeof(text));
	cpulist_format(&pc->load_cpus, cpus, sizeof(cpus));
	fact(ctx, "load.argv", text);
	fact(ctx, "load.cpus", cpus);
	fact(ctx, "load.side", "inside");
	fact(ctx, "load.settle_s", li->settle);
	snprintf(num, sizeof(num), "%u", instances);
	fact(ctx, "load.instances", num);
	return 0;
}

void load_inside_finish(const struct plan_case *pc, const struct ingest *in,
			fact_fn fact, void *ctx)
{
	const char *v = in ? ingest_fact(in, "end.load.exit") : NULL;
	char *text = NULL, key[64];
	size_t len = 0;
	FILE *f;

	if (!load_runs_inside(pc))
		return;
	fact(ctx, "load.exit", v ? v : "not reported: the workload sent no "
	     "END (see workload_log)");
	f = open_memstream(&text, &len);
	if (!f)
		return;
	for (unsigned i = 0; in; i++) {
		snprintf(key, sizeof(key), "end.load.metrics.%u", i);
		v = ingest_fact(in, key);
		if (!v)
			break;
		fprintf(f, "%s\n", v);
	}
	if (fclose(f) == 0 && len)
		fact(ctx, "load.metrics", text);
	free(text);
}

struct load_run {
	struct proc p;
	fact_fn fact;
	void *ctx;
	unsigned settle_s;
	char out[LOAD_OUT_KEEP + 1];
	size_t len;
};

static void keep(struct load_run *ld, const char *p, size_t n)
{
	tail_append(ld->out, &ld->len, LOAD_OUT_KEEP, p, n);
}

/* Read what stress-ng wrote, waiting up to timeout_ms; fds at EOF are
 * closed.  Reading keeps it from ever blocking on a full pipe. */
static void drain(struct load_run *ld, int timeout_ms)
{
	struct pollfd fds[2] = {{ld->p.out_fd, POLLIN, 0},
				{ld->p.err_fd, POLLIN, 0}};
	char buf[4096];

	if (ld->p.out_fd < 0 && ld->p.err_fd < 0) {
		if (timeout_ms > 0)
			poll(NULL, 0, timeout_ms);
		return;
	}
	if (poll(fds, 2, timeout_ms) <= 0)
		return;
	for (int i = 0; i < 2; i++) {
		int *fd = i ? &ld->p.err_fd : &ld->p.out_fd;
		ssize_t n;

		if (!fds[i].revents || *fd < 0)
			continue;
		n = read(*fd, buf, sizeof(buf));
		if (n > 0) {
			keep(ld, buf, (size_t)n);
		} else if (n == 0 || errno != EINTR) {
			close(*fd);
			*fd = -1;
		}
	}
}

int load_start(const struct plan_case *pc, const char *workdir,
	       struct journal *j, fact_fn fact, void *ctx,
	       struct load_run **out, char *err, size_t errsz)
{
	const struct scn_params *p = &pc->params;
	struct load_cmd cmd;
	struct load_run *ld;
	char path[512], text[2048], cpus[1024], num[32];
	unsigned instances = p->load_instances ? p->load_instances
					       : pc->load_cpus.n;
	double bound = p->load_settle_s + plan_case_seconds(pc) +
		       p->hello_timeout_s + p->grace_s + 60;
	int rc;

	*out = NULL;
	if (pc->load.n == 0 || load_runs_inside(pc))
		return 0; /* inside: isolat-wl starts it (load_inside_prepare) */
	if (find_program("stress-ng", path, sizeof(path)) < 0) {
		snprintf(err, errsz, "load %s: stress-ng not found (apt-get "
			 "install stress-ng)", pc->load.name);
		return -ENOENT;
	}
	rc = load_cmd_build(&cmd, &pc->load, &pc->load_cpus, instances,
			    (unsigned)ceil(bound), workdir, err, errsz);
	if (rc < 0)
		return rc;
	ld = calloc(1, sizeof(*ld));
	if (!ld)
		return -ENOMEM;
	ld->fact = fact;
	ld->ctx = ctx;
	ld->settle_s = p->load_settle_s;
	load_cmd_text(&cmd, text, sizeof(text));
	cpulist_format(&pc->load_cpus, cpus, sizeof(cpus));
	fact(ctx, "load.argv", text);
	fact(ctx, "load.cpus", cpus);
	/* load_side = inside on bare: the host is its inside. */
	fact(ctx, "load.side", p->load_inside ? "inside" : "host");
	snprintf(num, sizeof(num), "%u", p->load_settle_s);
	fact(ctx, "load.settle_s", num);
	snprintf(num, sizeof(num), "%u", instances);
	fact(ctx, "load.instances", num);
	/* SIGKILL should the harness die (its stressors follow it), and
	 * journaled, so restore or the next run ends what is left. */
	const struct proc_spec spec = {
		.path = path,
		.argv = cmd.argv,
		.fd = {PROC_FD_KEEP, PROC_FD_OUT, PROC_FD_ERR},
		.pdeathsig = SIGKILL,
	};
	rc = proc_spawn(&ld->p, &spec);
	if (rc < 0) {
		snprintf(err, errsz, "load %s: cannot start %s: %s",
			 pc->load.name, path, strerror(-rc));
		free(ld);
		return rc;
	}
	*out = ld;
	if (j && geteuid() == 0 &&
	    (rc = journal_proc(j, ld->p.pid, LOAD_PROGRAM, err, errsz)) < 0)
		return rc; /* load_stop ends it */
	return 0;
}

int load_settle(struct load_run *ld, const volatile sig_atomic_t *stop,
		char *err, size_t errsz)
{
	double until;

	if (!ld)
		return 0;
	until = mono_now() + ld->settle_s;
	/* At least one look: a stress-ng that rejects its arguments exits
	 * at once, and a case measured without its load must not pass. */
	do {
		if (*stop) {
			snprintf(err, errsz, "interrupted by signal %d while "
				 "the load settled", (int)*stop);
			return -EINTR;
		}
		drain(ld, 100);
		if (proc_wait(&ld->p, 0) == 0) {
			drain(ld, 0);
			snprintf(err, errsz, "stress-ng ended before the "
				 "measurement: %.400s", ld->out);
			return -ECHILD;
		}
	} while (mono_now() < until);
	return 0;
}

void load_stop(struct load_run *ld)
{
	char how[64];
	double until;
	int left;

	if (!ld)
		return;
	if (!ld->p.reaped && ld->p.pid > 0) {
		/* SIGTERM: stress-ng stops its stressors and prints the
		 * metrics; read them until every holder of the pipes is
		 * gone, then SIGKILL whatever is left of the group. */
		kill(-ld->p.pid, SIGTERM);
		until = mono_now() + LOAD_STOP_MS / 1000.0;
		while ((ld->p.out_fd >= 0 || ld->p.err_fd >= 0) &&
		       mono_now() < until)
			drain(ld, 100);
		left = (int)((until - mono_now()) * 1000);
		if (proc_wait(&ld->p, left > 0 ? left : 0) < 0) {
			kill(-ld->p.pid, SIGKILL);
			proc_wait(&ld->p, -1);
		}
		kill(-ld->p.pid, SIGKILL);
	}
	drain(ld, 0);
	if (WIFEXITED(ld->p.status))
		snprintf(how, sizeof(how), "exit status %d",
			 WEXITSTATUS(ld->p.status));
	else if (WIFSIGNALED(ld->p.status))
		snprintf(how, sizeof(how), "killed by signal %d",
			 WTERMSIG(ld->p.status));
	else
		snprintf(how, sizeof(how), "wait status 0x%x", ld->p.status);
	ld->fact(ld->ctx, "load.exit", how);
	ld->fact(ld->ctx, "load.metrics", ld->out);
	proc_close(&ld->p);
	free(ld);
}
