/*
 * plan.h - a scenario expanded into cases for this host.
 *
 * environments x profiles x workloads x loads x repetitions, in that order
 * (the innermost loop varies fastest).  Every case gets its resolved
 * parameters (housekeeping CPU chosen, loops computed) and, when it cannot
 * run here, a skip reason - decided before anything runs, so the plan
 * stored in the database is the plan that was executed.
 */
#ifndef ISOLAT_PLAN_H
#define ISOLAT_PLAN_H

#include <stdint.h>
#include <stdio.h>

#include "harness/env/env.h"
#include "harness/net/net.h"
#include "harness/host/load.h"
#include "harness/scenario/scenario.h"
#include "harness/workload.h"

struct plan_case {
	unsigned idx;
	char name[256];
	const struct env_ops *env;
	const struct workload_ops *workload;
	/* netlat: the network path it crosses (harness/net/); else NULL. */
	const struct net_ops *net;
	struct load_spec load;      /* "none", "cpu", "cpu+memory" */
	struct cpulist load_cpus;   /* resolved placement (load_run.h) */
	const struct scn_profile *profile; /* NULL for "none" */
	const char *profile_name;
	unsigned repetition;
	struct scn_params params; /* housekeeping resolved */
	/* The host CPUs the measured CPUs run on: params.cpus for bare and
	 * lxc, the host CPUs the measured vCPUs are pinned to in a guest
	 * (env_ops.host_cpus).  Host tuning, loads and counters use these. */
	struct cpulist host_cpus;
	uint64_t loops;
	char skip_reason[256];    /* empty: runs */
};

struct plan {
	const struct scenario *scn;
	struct plan_case *cases;
	unsigned n;
	/* per environment of scn, what planning learned (env.h) */
	struct env_plan *envs;
	unsigned nenvs;
	/* what the command should tell the user ("isolat: ..." lines, or
	 * ""): planning itself prints nothing */
	char notes[1024];
};

/*
 * Expand scn against this host (online CPUs from sysfs_root, "/" normally).
 * Errors (e.g. a measured CPU that is not online) name FILE:LINE.
 */
int plan_build(const struct scenario *scn, const char *sysfs_root,
	       struct plan *plan, char *err, size_t errsz);
void plan_free(struct plan *plan);
void plan_print(const struct plan *plan, FILE *out);
/* Every parameter of the case as one JSON object (malloc'd). */
char *plan_case_json(const struct plan *plan, const struct plan_case *c);
/* Expected wall time of a case in seconds (for progress and deadlines). */
double plan_case_seconds(const struct plan_case *c);

/* The workload c is stored as: its name, and a network workload's path
 * (netlat-ovs), so the path is a dimension of every table, figure,
 * compare and gate. */
#define PLAN_WORKLOAD_MAX 64
void plan_case_workload(const struct plan_case *c, char *out, size_t size);

#endif
