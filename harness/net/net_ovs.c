/*
 * net_ovs.c - Open vSwitch, started by isolat itself for the case: its own
 * ovsdb-server and ovs-vswitchd, database, sockets, pidfiles and logs
 * under /run/isolat/ovs-TAG (never the system's OVS, never its socket),
 * one bridge isolat-TAG-ov with the two ends' ports.
 *
 * datapath_type = system where the openvswitch kernel module is there and
 * no other ovs-vswitchd runs, netdev (the userspace datapath) otherwise;
 * a fact says which.  With
 * netdev, TX checksum offload must be off on the veths (net_two_ports
 * does it on every path): with it on, no UDP reaches the peer.
 *
 * Journaled before they exist: the directory with its daemons (an ovs
 * record: undo stops the daemons whose pidfiles are there and whose
 * command line names the directory, removes it, and the netdev
 * datapath's ovs-netdev device when it was not there before), the bridge
 * (a link record: its internal port is a device of that name).
 * Isolation (profile keys): other_config:pmd-cpu-mask from ovs_pmd_cpus,
 * ovs-vswitchd's threads placed on ovs_cpus; both read back as facts.
 */
#include "harness/net/net.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/host/journal.h"
#include "harness/scenario/scenario.h"
#include "harness/util.h"

#define OVS_SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"

static int ovs_probe(char *why, size_t whysz)
{
	static const char *const progs[] = {"ovsdb-server", "ovs-vswitchd",
					    "ovs-vsctl", "ovsdb-tool"};
	char path[256];

	for (size_t i = 0; i < 4; i++)
		if (find_program(progs[i], path, sizeof(path)) < 0) {
			snprintf(why, whysz, "Open vSwitch is not installed "
				 "(no %s): apt-get install openvswitch-switch",
				 progs[i]);
			return -ENOENT;
		}
	if (access(OVS_SCHEMA, R_OK) < 0) {
		snprintf(why, whysz, "no %s: apt-get install "
			 "openvswitch-switch", OVS_SCHEMA);
		return -ENOENT;
	}
	return 0;
}

/* system where the kernel module is there - unless another OVS (the
 * system's) already drives the kernel's datapaths: two ovs-vswitchd on
 * one kernel datapath would fight over it; the userspace one is ours
 * alone. */
static const char *datapath(void)
{
	struct stat st;

	return stat("/sys/module/openvswitch", &st) == 0 &&
	       !net_other_vswitchd() ? "system" : "netdev";
}

static void fact(struct net_topo *t, const char *k, const char *v)
{
	if (t->fact)
		t->fact(t->fact_ctx, k, v);
}

/* ovs-vsctl --db=unix:DIR/db.sock --timeout=20 ARGS... */
static int vsctl(struct net_topo *t, const char *const *args, char *out,
		 size_t outsz, char *err, size_t errsz)
{
	char db[160];
	const char *argv[24] = {"ovs-vsctl", db, "--timeout=20"};
	unsigned n = 3;

	snprintf(db, sizeof(db), "--db=unix:%s/db.sock", t->ovsdir);
	for (; *args && n < 23; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	return net_run_in("ovs-vsctl", argv, t->ovsdir, out, outsz, err,
			  errsz);
}

static int start_daemons(struct net_topo *t, char *err, size_t errsz)
{
	char f[6][160];
	const char *create[] = {"ovsdb-tool", "create", f[0], OVS_SCHEMA,
				NULL};
	const char *db[] = {"ovsdb-server", f[0], f[1], f[2], f[3],
			    "--no-chdir", "--detach", f[4], NULL};
	const char *sw[] = {"ovs-vswitchd", f[5], f[2], f[3], "--no-chdir",
			    "--detach", f[4], NULL};
	const char *init[] = {"--no-wait", "init", NULL};
	int rc;

	snprintf(f[0], 160, "%s/conf.db", t->ovsdir);
	snprintf(f[1], 160, "--remote=punix:%s/db.sock", t->ovsdir);
	snprintf(f[2], 160, "--pidfile=%s/ovsdb-server.pid", t->ovsdir);
	snprintf(f[3], 160, "--unixctl=%s/ovsdb-server.ctl", t->ovsdir);
	snprintf(f[4], 160, "--log-file=%s/ovsdb-server.log", t->ovsdir);
	if ((rc = net_run_in("ovsdb-tool", create, t->ovsdir, NULL, 0, err,
			     errsz)) < 0 ||
	    (rc = net_run_in("ovsdb-server", db, t->ovsdir, NULL, 0, err,
			     errsz)) < 0 ||
	    (rc = vsctl(t, init, NULL, 0, err, errsz)) < 0)
		return rc;
	snprintf(f[5], 160, "unix:%s/db.sock", t->ovsdir);
	snprintf(f[2], 160, "--pidfile=%s/ovs-vswitchd.pid", t->ovsdir);
	snprintf(f[3], 160, "--unixctl=%s/ovs-vswitchd.ctl", t->ovsdir);
	snprintf(f[4], 160, "--log-file=%s/ovs-vswitchd.log", t->ovsdir);
	return net_run_in("ovs-vswitchd", sw, t->ovsdir, NULL, 0, err, errsz);
}

/* "0x..." of a CPU list, for pmd-cpu-mask. */
static void cpumask_hex(const struct cpulist *l, char *out, size_t size)
{
	unsigned long long m = 0;

	for (unsigned i = 0; i < l->n; i++)
		if (l->cpu[i] < 64)
			m |= 1ull << l->cpu[i];
	snprintf(out, size, "%llx", m);
}

/* ovs-vswitchd's threads onto ovs_cpus; read back into a fact. */
/* One thread of ovs-vswitchd onto set, read back.  1 placed as asked, 0
 * refused or read back otherwise, -1 left alone (a PMD thread: its CPU
 * is pmd-cpu-mask's, and OVS pins it itself). */
static int place_thread(int pid, const char *tid, const cpu_set_t *set)
{
	char path[200], comm[32];
	cpu_set_t got;

	snprintf(path, sizeof(path), "/proc/%d/task/%.32s/comm", pid, tid);
	if (read_text(path, comm, sizeof(comm)) == 0 &&
	    !strncmp(comm, "pmd", 3))
		return -1;
	if (sched_setaffinity(atoi(tid), sizeof(*set), set) < 0 ||
	    sched_getaffinity(atoi(tid), sizeof(got), &got) < 0)
		return 0;
	return CPU_EQUAL(&got, set);
}

static void place_threads(struct net_topo *t, const struct cpulist *cpus)
{
	char path[200], pidtxt[32], fv[256], list[128];
	cpu_set_t set;
	DIR *d;
	struct dirent *e;
	unsigned moved = 0, failed = 0, pmd = 0;
	int pid, rc;

	snprintf(path, sizeof(path), "%s/ovs-vswitchd.pid", t->ovsdir);
	if (read_text(path, pidtxt, sizeof(pidtxt)) < 0)
		return fact(t, "net.ovs.threads", "no pidfile");
	pid = atoi(pidtxt);
	CPU_ZERO(&set);
	for (unsigned i = 0; i < cpus->n; i++)
		CPU_SET(cpus->cpu[i], &set);
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (!(d = opendir(path)))
		return fact(t, "net.ovs.threads", "process gone");
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			rc = place_thread(pid, e->d_name, &set);
			moved += rc == 1;
			failed += rc == 0;
			pmd += rc < 0;
		}
	closedir(d);
	cpulist_format(cpus, list, sizeof(list));
	snprintf(fv, sizeof(fv), "%u threads on CPUs %s, read back%s%s", moved,
		 list, failed ? "; some refused or read back otherwise" : "",
		 pmd ? "; PMD threads left to pmd-cpu-mask" : "");
	fact(t, "net.ovs.threads", fv);
}

static int isolate(struct net_topo *t, char *err, size_t errsz)
{
	const struct scn_params *p = t->params;
	char mask[64], arg[96], got[128];
	const char *set[] = {"set", "Open_vSwitch", ".", arg, NULL};
	const char *get[] = {"get", "Open_vSwitch", ".",
			     "other_config:pmd-cpu-mask", NULL};
	int rc;

	if (p && p->ovs_pmd_cpus.n) {
		cpumask_hex(&p->ovs_pmd_cpus, mask, sizeof(mask));
		snprintf(arg, sizeof(arg), "other_config:pmd-cpu-mask=%s",
			 mask);
		if ((rc = vsctl(t, set, NULL, 0, err, errsz)) < 0 ||
		    (rc = vsctl(t, get, got, sizeof(got), err, errsz)) < 0)
			return rc;
		got[strcspn(got, "\n")] = '\0';
		fact(t, "net.ovs.pmd_cpu_mask", got);
	}
	if (p && p->ovs_cpus.n)
		place_threads(t, &p->ovs_cpus);
	return 0;
}

static int ovs_build(struct net_topo *t, char *err, size_t errsz)
{
	struct journal_rec r = {.kind = JOURNAL_OVS};
	const char *dp = datapath();
	char dpset[64];
	const char *addbr[] = {"add-br", t->br, "--", "set", "bridge", t->br,
			       dpset, NULL};
	const char *pa[] = {"add-port", t->br, t->port_a, NULL};
	const char *pb[] = {"add-port", t->br, t->port_b, NULL};
	struct stat st;
	int rc;

	if (stat(t->ovsdir, &st) == 0) {
		snprintf(err, errsz, "%s already exists: not ours to take "
			 "over (a crashed run? `isolat restore`)", t->ovsdir);
		return -EEXIST;
	}
	/* The netdev datapath makes ovs-netdev; removed after only if it
	 * was not there before. */
	snprintf(r.knob, sizeof(r.knob), "ovs");
	snprintf(r.path, sizeof(r.path), "%s", t->ovsdir);
	snprintf(r.orig, sizeof(r.orig), "ovs-netdev:%s",
		 net_link_exists("ovs-netdev") ? "present" : "absent");
	snprintf(r.new_value, sizeof(r.new_value), "%s", dp);
	fact(t, "net.ovs.datapath", dp);
	fact(t, "net.ovs.rundir", t->ovsdir);
	if ((rc = journal_append(t->j, &r, err, errsz)) < 0)
		return rc;
	if (mkdir("/run/isolat", 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(t->ovsdir, 0700) < 0) {
		snprintf(err, errsz, "mkdir %s: %s", t->ovsdir,
			 strerror(errno));
		return -errno;
	}
	snprintf(dpset, sizeof(dpset), "datapath_type=%s", dp);
	if ((rc = start_daemons(t, err, errsz)) < 0 ||
	    (rc = isolate(t, err, errsz)) < 0 ||
	    (rc = net_link_journal(t, t->br, err, errsz)) < 0 ||
	    (rc = vsctl(t, addbr, NULL, 0, err, errsz)) < 0 ||
	    (rc = net_two_ports(t, err, errsz)) < 0 ||
	    (rc = vsctl(t, pa, NULL, 0, err, errsz)) < 0)
		return rc;
	return vsctl(t, pb, NULL, 0, err, errsz);
}

const struct net_ops net_ovs_ops = {
	.name = "ovs",
	.describe = "Open vSwitch started by isolat (own ovsdb-server and "
		    "ovs-vswitchd under /run/isolat)",
	.ends = 1u << NET_END_NS | 1u << NET_END_LXC | 1u << NET_END_TAP,
	.probe = ovs_probe,
	.build = ovs_build,
};
