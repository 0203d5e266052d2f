/*
 * plan.c - expand a scenario into the cases of this host (see plan.h).
 */
#include "harness/run/plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/host/load_run.h"
#include "harness/net/net_case.h"
#include "harness/host/tuning.h"
#include "harness/util.h"
#include "reports/json.h"

static int online_cpus(const char *root, struct cpulist *out, char *err,
		       size_t errsz)
{
	char path[4096], text[4096];
	const char *why = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/online",
		 strcmp(root, "/") ? root : "");
	rc = read_text(path, text, sizeof(text));
	if (rc < 0) {
		snprintf(err, errsz, "%s: %s (is sysfs mounted?)", path,
			 strerror(-rc));
		return rc;
	}
	if (cpulist_parse(text, out, &why) < 0) {
		snprintf(err, errsz, "%s: '%s': %s", path, text, why);
		return -EINVAL;
	}
	return 0;
}

/* Check the CPUs against this host and pick the housekeeping CPU. */
static int resolve_params(const struct scenario *scn,
			  const struct cpulist *online, struct scn_params *p,
			  char *err, size_t errsz)
{
	char have[256];

	cpulist_format(online, have, sizeof(have));
	for (unsigned i = 0; i < p->cpus.n; i++) {
		if (!cpulist_contains(online, p->cpus.cpu[i])) {
			snprintf(err, errsz,
				 "%s:%d: cpus: CPU %u is not online on this "
				 "host; expected CPUs from %s",
				 scn->path, p->cpus_line, p->cpus.cpu[i],
				 have);
			return -EINVAL;
		}
	}
	if (p->housekeeping >= 0) {
		if (!cpulist_contains(online, (unsigned)p->housekeeping)) {
			snprintf(err, errsz,
				 "%s:%d: housekeeping = %d is not online on "
				 "this host; expected a CPU from %s",
				 scn->path, p->housekeeping_line,
				 p->housekeeping, have);
			return -EINVAL;
		}
		return 0;
	}
	for (unsigned i = 0; i < online->n; i++) {
		if (!cpulist_contains(&p->cpus, online->cpu[i])) {
			p->housekeeping = online->cpu[i];
			return 0;
		}
	}
	snprintf(err, errsz,
		 "%s:%d: cpus: every online CPU (%s) is measured, so the "
		 "writer thread has nowhere to run; expected at least one "
		 "CPU left for housekeeping",
		 scn->path, p->cpus_line, have);
	return -EINVAL;
}

/*
 * Boot-time isolation of a case.  bare, lxc: the host's, a requirement
 * (tuning_boot_check).  A guest: its own kernel, which isolat boots with
 * the keys on its command line, so the CPUs must be vCPUs of the guest and
 * agree with guest_cmdline.  -EOPNOTSUPP with why: skip the case; -EINVAL
 * with err: the scenario is wrong; 0: fine.
 */
static int boot_plan(const struct scenario *scn, const struct plan_case *c,
		     const char *root, char *why, size_t whysz, char *err,
		     size_t errsz)
{
	char cmdline[2100];
	struct cpulist vcpus;
	int rc;

	if (!env_is(c->env, ENV_GUEST))
		return tuning_boot_check(c->profile, root, why, whysz);
	if (!c->profile)
		return 0;
	c->env->guest_cpus(&c->params, &vcpus);
	snprintf(cmdline, sizeof(cmdline), "%s %s", c->params.guest_cmdline,
		 c->profile->guest_cmdline);
	rc = tuning_guest_boot_plan(c->profile, vcpus.n, cmdline, why, whysz);
	if (rc == -EINVAL)
		snprintf(err, errsz, "%s:%d: %s", scn->path, c->profile->line,
			 why);
	return rc;
}

static const struct scn_profile *find_profile(const struct scenario *scn,
					      const char *name)
{
	for (unsigned i = 0; i < scn->nprofiles; i++)
		if (!strcmp(scn->profiles[i].name, name))
			return &scn->profiles[i];
	return NULL;
}

/* A workload measured across a network path (netlat): its cases
 * expand by the scenario's networks =. */
static int by_network(const struct workload_ops *w)
{
	return w && (w->flags & WL_NETWORK);
}

/* Cases per workload along the network axis: one per network. */
static unsigned nets_of(const struct scenario *scn, unsigned w)
{
	return by_network(workload_find(scn->workloads.item[w]))
		       ? scn->networks.n : 1;
}

/* A reflector in an environment of its own (peer = lxc) that cannot run
 * here: the path cannot reach it, or that environment is not ready.  1
 * with why. */
static int peer_skip(const struct plan_case *c, char *why, size_t whysz)
{
	const struct env_ops *peer = net_peer_env(&c->params);
	char pwhy[200] = "";

	if (!peer)
		return 0;
	if (!(c->net->ends & (1u << (peer->netlat_end - 1)))) {
		snprintf(why, whysz, "netlat: network %s cannot reach a "
			 "reflector in %s (%s)", c->net->name, peer->name,
			 c->net->describe);
		return 1;
	}
	if (peer->probe(pwhy, sizeof(pwhy)) < 0) {
		snprintf(why, whysz, "netlat: peer %s not ready: %.150s",
			 peer->name, pwhy);
		return 1;
	}
	return 0;
}

/* A netlat case that cannot run here: the path is missing (OVS not
 * installed) or the environment cannot hold its end.  1 with why. */
static int net_skip(const struct plan_case *c, char *why, size_t whysz)
{
	char pwhy[200] = "";
	int end = c->env->netlat_end;

	if (!end) {
		snprintf(why, whysz, "netlat: the %s environment has no "
			 "network end yet (bare, lxc, kvm do)", c->env->name);
		return 1;
	}
	if (!(c->net->ends & (1u << (end - 1)))) {
		snprintf(why, whysz, "netlat: network %s cannot reach an end "
			 "in %s (%s)", c->net->name, c->env->name,
			 c->net->describe);
		return 1;
	}
	if (c->net->probe(pwhy, sizeof(pwhy)) < 0) {
		snprintf(why, whysz, "network %s not ready: %.150s", c->net->name,
			 pwhy);
		return 1;
	}
	return peer_skip(c, why, whysz);
}

/* A network workload measures one CPU (its initiator thread). */
static int net_cpus(const struct scenario *scn, char *err, size_t errsz)
{
	for (unsigned w = 0; w < scn->workloads.n; w++)
		if (by_network(workload_find(scn->workloads.item[w])) &&
		    scn->params.cpus.n != 1) {
			snprintf(err, errsz, "%s:%d: %s measures on one CPU "
				 "(its initiator thread) but cpus names %u; "
				 "expected cpus = N", scn->path,
				 scn->params.cpus_line, scn->workloads.item[w],
				 scn->params.cpus.n);
			return -EINVAL;
		}
	return 0;
}

/* The reflector's CPU of a network case, when peer_cpu names one: online
 * here, and not one of the case's measured host CPUs (the reflector would
 * compete with the initiator whose replies it sends). */
static int peer_cpu_check(const struct scenario *scn,
			  const struct plan_case *c,
			  const struct cpulist *online, char *err,
			  size_t errsz)
{
	const struct scn_params *p = &c->params;
	char have[256];

	if (!c->net || !p->peer_cpu_line)
		return 0;
	cpulist_format(online, have, sizeof(have));
	if (!cpulist_contains(online, (unsigned)p->peer_cpu)) {
		snprintf(err, errsz, "%s:%d: peer_cpu = %d is not online on "
			 "this host; expected a CPU from %s", scn->path,
			 p->peer_cpu_line, p->peer_cpu, have);
		return -EINVAL;
	}
	if (cpulist_contains(&c->host_cpus, (unsigned)p->peer_cpu)) {
		cpulist_format(&c->host_cpus, have, sizeof(have));
		snprintf(err, errsz, "%s:%d: peer_cpu = %d is a measured CPU "
			 "of case %s (host CPUs %s): the reflector would "
			 "compete with the initiator it answers; expected "
			 "another CPU, or no peer_cpu (housekeeping)",
			 scn->path, p->peer_cpu_line, p->peer_cpu, c->name,
			 have);
		return -EINVAL;
	}
	return 0;
}

/* Keys of netlat in a scenario without a network workload change nothing:
 * said in the plan's notes (a warning, as for an unlisted profile). */
static void net_keys_unused(const struct scenario *scn, struct plan *plan)
{
	const struct scn_params *p = &scn->params;
	int line = scn->networks.line ? scn->networks.line
		   : p->peer_line ? p->peer_line : p->peer_cpu_line;
	size_t len = strlen(plan->notes);

	for (unsigned w = 0; w < scn->workloads.n; w++)
		if (by_network(workload_find(scn->workloads.item[w])))
			return;
	if (line)
		snprintf(plan->notes + len, sizeof(plan->notes) - len,
			 "%s:%d: warning: netlat's keys (networks, peer, "
			 "peer_cpu) change nothing without a network workload;"
			 " expected netlat in workloads =\n", scn->path, line);
}

/* What every case of one environment shares while planning. */
struct plan_env {
	const struct scenario *scn;
	const char *sysfs_root;
	const struct env_ops *env;
	struct env_plan *ep;      /* what the backend learns (env.h) */
	struct scn_params params; /* resolved against the CPUs it sees */
	struct cpulist online;    /* the host's */
	int ok;                   /* ready here */
	char why[200];            /* why not (or the backend's note) */
};

/* Resolve the parameters against the CPUs the workload will see (the
 * host's, or a guest's vCPUs) and ask whether the environment is ready.
 * 0, or -errno with err set (-EINVAL: the scenario is wrong here). */
static int plan_env_init(struct plan_env *pe, char *err, size_t errsz)
{
	const struct env_ops *env = pe->env;
	struct cpulist seen = pe->online;
	char why[1024] = "";
	int rc;

	pe->params = pe->scn->params;
	if (env_is(env, ENV_GUEST))
		env->guest_cpus(&pe->scn->params, &seen);
	rc = resolve_params(pe->scn, &seen, &pe->params, err, errsz);
	if (rc < 0)
		return rc;
	if (!env->probe_scenario) {
		pe->ok = env->probe(pe->why, sizeof(pe->why)) == 0;
		return 0;
	}
	rc = env->probe_scenario(pe->ep, pe->scn, why, sizeof(why));
	if (rc == -EINVAL) {
		snprintf(err, errsz, "%s", why);
		return rc;
	}
	snprintf(pe->why, sizeof(pe->why), "%.199s", why);
	pe->ok = rc == 0;
	return 0;
}

/* Why c cannot run here, into c->skip_reason (left empty when it can):
 * the environment, the workload's program, the network path, boot-time isolation the host
 * lacks (brc -EOPNOTSUPP, bwhy: never measured as if it were set), the
 * case's own
 * placement (the profile may place a guest differently). */
static void plan_skip(const struct plan_env *pe, struct plan_case *c,
		      int brc, const char *bwhy)
{
	const struct env_ops *env = pe->env;
	size_t sz = sizeof(c->skip_reason);
	char why[200] = "";

	if (!pe->ok)
		snprintf(c->skip_reason, sz, "environment %s not ready: %s",
			 env->name, pe->why);
	else if (c->workload->needs && !env_is(env, ENV_HOST_PROGRAMS))
		snprintf(c->skip_reason, sz, "workload %s needs %s, which the "
			 "%s environment does not provide (only isolat's own "
			 "workloads run there)", c->workload->name,
			 c->workload->needs, env->name);
	else if (workload_probe(c->workload, why, sizeof(why)) < 0)
		snprintf(c->skip_reason, sz, "workload %s cannot run: %s",
			 c->workload->name, why);
	else if (c->net && net_skip(c, why, sizeof(why)))
		snprintf(c->skip_reason, sz, "%s", why);
	else if (brc == -EOPNOTSUPP)
		snprintf(c->skip_reason, sz, "%s", bwhy);
	else if (env->probe_case &&
		 env->probe_case(pe->ep, c, why, sizeof(why)) < 0)
		snprintf(c->skip_reason, sz, "%s", why);
}

/* One case of environment pe: profile p, workload w, network nw (of a
 * network workload), load l, repetition r.  0, or -errno with err set
 * (the scenario is wrong here). */
static int plan_case(const struct plan_env *pe, struct plan_case *c,
		     unsigned p, unsigned w, unsigned nw, unsigned l,
		     unsigned r, char *err, size_t errsz)
{
	const struct scenario *scn = pe->scn;
	char why[200] = "", bwhy[256] = "", wl[64];
	int rc, brc;

	c->env = pe->env;
	c->profile_name = scn->profiles_used.item[p];
	c->profile = find_profile(scn, c->profile_name);
	c->workload = workload_find(scn->workloads.item[w]);
	c->net = by_network(c->workload) ? net_find(scn->networks.item[nw])
					 : NULL;
	/* Validated by the scenario parser already. */
	load_spec_parse(scn->loads.item[l], &c->load, why, sizeof(why));
	c->repetition = r;
	c->params = pe->params;
	/* The profile's own placement of the guest. */
	scenario_profile_params(c->profile, &c->params);
	c->loops = scn_params_loops(&pe->params);
	/* Host tuning, loads and counters act on these. */
	c->host_cpus = c->params.cpus;
	rc = pe->env->host_cpus
		? pe->env->host_cpus(pe->ep, &c->params, scn->path,
				     &pe->online, &c->host_cpus, err, errsz)
		: 0;
	if (rc < 0)
		return rc;
	brc = boot_plan(scn, c, pe->sysfs_root, bwhy, sizeof(bwhy), err,
			errsz);
	if (brc < 0 && brc != -EOPNOTSUPP) /* that one: skipped, with bwhy */
		return brc;
	/* a network workload's case names its path and a peer other than
	 * bare: netlat-ovs, netlat-ovs-to-lxc */
	plan_case_workload(c, wl, sizeof(wl));
	snprintf(c->name, sizeof(c->name), "%s.%s.%s.%s", pe->env->name,
		 c->profile_name, wl, c->load.name);
	if (scn->repetitions > 1) {
		size_t len = strlen(c->name);

		snprintf(c->name + len, sizeof(c->name) - len, ".r%u", r);
	}
	if ((rc = peer_cpu_check(scn, c, &pe->online, err, errsz)) < 0)
		return rc;
	/* A governor this board's cpufreq does not offer: said now, with
	 * the profile's line, not as a failed write mid-run. */
	if (c->profile && c->profile->governor[0] &&
	    tuning_governor_plan(pe->sysfs_root, &c->host_cpus,
				 c->profile->governor, why, sizeof(why)) < 0) {
		snprintf(err, errsz, "%s:%d: [profile %s]: %s", scn->path,
			 c->profile->line, c->profile_name, why);
		return -EINVAL;
	}
	plan_skip(pe, c, brc, bwhy);
	return load_plan_case(c, scn->path, &pe->online, err, errsz);
}

int plan_build(const struct scenario *scn, const char *sysfs_root,
	       struct plan *plan, char *err, size_t errsz)
{
	struct plan_env pe = {.scn = scn, .sysfs_root = sysfs_root};
	size_t n = (size_t)scn->environments.n * scn->profiles_used.n *
		   scn->workloads.n * (scn->networks.n ? scn->networks.n : 1) *
		   scn->loads.n * scn->repetitions;
	unsigned idx = 0;
	int rc;

	memset(plan, 0, sizeof(*plan));
	if ((rc = net_cpus(scn, err, errsz)) < 0)
		return rc;
	rc = online_cpus(sysfs_root, &pe.online, err, errsz);
	if (rc < 0)
		return rc;
	plan->cases = calloc(n, sizeof(*plan->cases));
	plan->envs = calloc(scn->environments.n, sizeof(*plan->envs));
	if (!plan->cases || !plan->envs) {
		plan_free(plan);
		return -ENOMEM;
	}
	plan->nenvs = scn->environments.n;
	plan->scn = scn;
	net_keys_unused(scn, plan);
	for (unsigned e = 0; e < scn->environments.n && rc == 0; e++) {
		pe.env = env_find(scn->environments.item[e]);
		pe.ep = &plan->envs[e];
		pe.why[0] = '\0';
		rc = plan_env_init(&pe, err, errsz);
		for (unsigned p = 0; p < scn->profiles_used.n; p++)
		for (unsigned w = 0; w < scn->workloads.n; w++)
		for (unsigned nw = 0; nw < nets_of(scn, w); nw++)
		for (unsigned l = 0; l < scn->loads.n; l++)
		for (unsigned r = 0; r < scn->repetitions && rc == 0; r++) {
			plan->cases[idx].idx = idx;
			rc = plan_case(&pe, &plan->cases[idx++], p, w, nw, l,
				       r, err, errsz);
		}
		if (pe.ep->note[0])
			snprintf(plan->notes + strlen(plan->notes),
				 sizeof(plan->notes) - strlen(plan->notes),
				 "isolat: %s\n", pe.ep->note);
	}
	if (rc < 0) {
		plan_free(plan);
		return rc;
	}
	plan->n = idx;
	return 0;
}

void plan_free(struct plan *plan)
{
	for (unsigned e = 0; plan->envs && e < plan->nenvs; e++)
		if (plan->envs[e].free_priv)
			plan->envs[e].free_priv(plan->envs[e].priv);
	free(plan->envs);
	plan->envs = NULL;
	plan->nenvs = 0;
	free(plan->cases);
	plan->cases = NULL;
	plan->n = 0;
}

double plan_case_seconds(const struct plan_case *c)
{
	return (double)c->loops * c->params.interval_us / 1e6;
}

void plan_print(const struct plan *plan, FILE *out)
{
	const struct scenario *scn = plan->scn;
	double total = 0;
	int w = 36; /* the name column: as wide as the longest name */

	for (unsigned i = 0; i < plan->n; i++)
		if ((int)strlen(plan->cases[i].name) > w)
			w = (int)strlen(plan->cases[i].name);
	fprintf(out, "scenario %s (%s): %u case%s\n", scn->name, scn->path,
		plan->n, plan->n == 1 ? "" : "s");
	fprintf(out, "%4s  %-*s %-6s %-10s %-11s %-10s %-6s %-4s %-6s "
		"%-9s %s\n", "case", w, "name", "env", "profile", "workload",
		"load", "cpus", "hk", "host", "loops", "status");
	for (unsigned i = 0; i < plan->n; i++) {
		const struct plan_case *c = &plan->cases[i];
		char cpus[64], host[64];

		cpulist_format(&c->params.cpus, cpus, sizeof(cpus));
		cpulist_format(&c->host_cpus, host, sizeof(host));
		fprintf(out,
			"%4u  %-*s %-6s %-10s %-11s %-10s %-6s %-4d %-6s %-9llu "
			"%s%s\n",
			c->idx, w, c->name, c->env->name, c->profile_name,
			c->workload->name, c->load.name, cpus,
			c->params.housekeeping, host,
			(unsigned long long)c->loops,
			c->skip_reason[0] ? "skip: " : "run",
			c->skip_reason);
		if (!c->skip_reason[0])
			total += plan_case_seconds(c);
	}
	fprintf(out, "host: the host CPUs the measured CPUs run on (in a "
		"guest: where its measured vCPUs are pinned)\n");
	fprintf(out, "parameters: policy %s, priority %d, interval %u us; "
		"about %.0f s of measuring\n",
		scn->params.policy, scn->params.priority,
		scn->params.interval_us, total);
}

/* How a guest is placed and booted (what its profile chose). */
static void guest_json(struct json *j, const struct plan_case *c)
{
	const struct scn_params *p = &c->params;
	struct cpulist vcpus;
	char text[1024] = "";

	c->env->guest_cpus(p, &vcpus);
	json_kv_uint(j, "vcpus", vcpus.n);
	if (p->vcpu_pin.n) {
		cpulist_format(&p->vcpu_pin, text, sizeof(text));
		json_kv_string(j, "vcpu_pin", text);
	}
	json_kv_int(j, "vcpu_priority", p->vcpu_priority);
	json_kv_string(j, "emulator_cpus",
		       p->emulator_cpus[0] ? p->emulator_cpus : "housekeeping");
	json_kv_string(j, "mem_lock", p->mem_lock ? "yes" : "no");
	text[0] = '\0';
	tuning_guest_boot_args(c->profile, text, sizeof(text), NULL, 0);
	if (text[0])
		json_kv_string(j, "guest_boot", text);
}

char *plan_case_json(const struct plan *plan, const struct plan_case *c)
{
	char *buf = NULL, cpus[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;
	int rc;

	if (!f)
		return NULL;
	cpulist_format(&c->params.cpus, cpus, sizeof(cpus));
	json_init(&j, f, 0);
	json_begin_object(&j);
	json_kv_string(&j, "scenario", plan->scn->name);
	json_kv_string(&j, "environment", c->env->name);
	json_kv_string(&j, "profile", c->profile_name);
	json_kv_string(&j, "workload", c->workload->name);
	if (c->net)
		json_kv_string(&j, "network", c->net->name);
	json_kv_string(&j, "load", c->load.name);
	if (c->load.n) {
		char lcpus[256];

		cpulist_format(&c->load_cpus, lcpus, sizeof(lcpus));
		json_kv_string(&j, "load_cpus", lcpus);
		json_kv_string(&j, "load_side",
			       c->params.load_inside ? "inside" : "host");
		json_kv_uint(&j, "load_settle_s", c->params.load_settle_s);
		json_kv_uint(&j, "load_instances",
			     c->params.load_instances ? c->params.load_instances
						      : c->load_cpus.n);
	}
	json_kv_uint(&j, "repetition", c->repetition);
	json_kv_string(&j, "cpus", cpus);
	json_kv_int(&j, "housekeeping", c->params.housekeeping);
	cpulist_format(&c->host_cpus, cpus, sizeof(cpus));
	json_kv_string(&j, "host_cpus", cpus);
	if (env_is(c->env, ENV_GUEST))
		guest_json(&j, c);
	json_kv_string(&j, "policy", c->params.policy);
	json_kv_int(&j, "priority", c->params.priority);
	json_kv_uint(&j, "interval_us", c->params.interval_us);
	json_kv_uint(&j, "loops", c->loops);
	if (c->params.duration_s)
		json_kv_uint(&j, "duration_s", c->params.duration_s);
	json_kv_uint(&j, "hello_timeout_s", c->params.hello_timeout_s);
	json_kv_uint(&j, "grace_s", c->params.grace_s);
	if (c->params.trace_threshold_us)
		json_kv_uint(&j, "trace_threshold_us",
			     c->params.trace_threshold_us);
	if (c->skip_reason[0])
		json_kv_string(&j, "skip_reason", c->skip_reason);
	json_end_object(&j);
	rc = json_finish(&j);
	if (fclose(f) != 0 || rc < 0) {
		free(buf);
		return NULL;
	}
	/* json_finish ends the document with a newline; keep the column
	 * tidy. */
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	return buf;
}

void plan_case_workload(const struct plan_case *c, char *out, size_t size)
{
	const struct env_ops *peer = c->net ? net_peer_env(&c->params) : NULL;

	snprintf(out, size, "%s%s%s%s%s", c->workload->name, c->net ? "-" : "",
		 c->net ? c->net->name : "", peer ? "-to-" : "",
		 peer ? peer->name : "");
}
