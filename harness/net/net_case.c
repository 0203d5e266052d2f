/*
 * net_case.c - see net_case.h.  Names, namespaces, the path's build, the
 * isolation of the host-side veth ends (RPS/XPS masks, journaled write
 * records read back as facts), and the reflector process.
 */
#include "harness/net/net_case.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/host/journal.h"
#include "harness/run/plan.h"
#include "harness/run/proc.h"
#include "harness/util.h"

struct net_case {
	struct net_topo t;
	struct proc refl;
	int started;
	char peer[48], timeout[24];
	fact_fn fact;
	void *ctx;
};

static void names(struct net_case *nc, const struct plan_case *pc)
{
	struct net_topo *t = &nc->t;
	const char *g = t->tag;

	/* 4 hex digits: 7 + 4 + 3 = 14 characters, under IFNAMSIZ. */
	snprintf(t->tag, sizeof(t->tag), "%04x",
		 (unsigned)(getpid() * 31 + pc->idx * 7919) & 0xffffu);
	snprintf(t->ns_a, sizeof(t->ns_a), "isolat-%.4s-a", g);
	snprintf(t->ns_b, sizeof(t->ns_b), "isolat-%.4s-b", g);
	snprintf(t->if_a, sizeof(t->if_a), "isolat-%.4s-%s", g,
		 t->end == NET_END_TAP ? "at" : "a0");
	snprintf(t->if_b, sizeof(t->if_b), "isolat-%.4s-b0", g);
	snprintf(t->port_a, sizeof(t->port_a), "isolat-%.4s-ap", g);
	snprintf(t->port_b, sizeof(t->port_b), "isolat-%.4s-bp", g);
	snprintf(t->br, sizeof(t->br), "isolat-%.4s-br", g);
	snprintf(t->ovsdir, sizeof(t->ovsdir), "/run/isolat/ovs-%.4s", g);
	if (t->end != NET_END_NS)
		t->ns_a[0] = '\0';
}

/* RPS (rx) or XPS (tx) mask of a host-side end, journaled, read back. */
static int queue_mask(struct net_case *nc, const char *ifname, int rx,
		      const struct cpulist *cpus, char *err, size_t errsz)
{
	struct journal_rec *r;
	unsigned long long m = 0;
	char path[160], v[32], back[64], key[64];
	int rc;

	if (!cpus->n || !net_link_exists(ifname))
		return 0;
	for (unsigned i = 0; i < cpus->n; i++)
		if (cpus->cpu[i] < 64)
			m |= 1ull << cpus->cpu[i];
	snprintf(v, sizeof(v), "%llx", m);
	snprintf(path, sizeof(path), "/sys/class/net/%s/queues/%s-0/%s",
		 ifname, rx ? "rx" : "tx", rx ? "rps_cpus" : "xps_cpus");
	if (!(r = calloc(1, sizeof(*r))))
		return -ENOMEM;
	if ((rc = read_text(path, r->orig, sizeof(r->orig))) < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(-rc));
		free(r);
		return rc;
	}
	r->kind = JOURNAL_WRITE;
	snprintf(r->knob, sizeof(r->knob), "%s", rx ? "net_rps_cpus"
						    : "net_xps_cpus");
	snprintf(r->path, sizeof(r->path), "%s", path);
	snprintf(r->new_value, sizeof(r->new_value), "%s", v);
	rc = journal_append(nc->t.j, r, err, errsz);
	free(r);
	if (rc == 0 && (rc = write_text(path, v, 0)) < 0)
		snprintf(err, errsz, "%s: writing %s: %s", path, v,
			 strerror(-rc));
	if (rc == 0 && read_text(path, back, sizeof(back)) == 0 && nc->fact) {
		snprintf(key, sizeof(key), "net.%s.%s", rx ? "rps" : "xps",
			 ifname);
		nc->fact(nc->ctx, key, back);
	}
	return rc;
}

static int isolate(struct net_case *nc, char *err, size_t errsz)
{
	const struct scn_params *n = nc->t.params;
	const char *ports[] = {nc->t.port_a, nc->t.port_b};
	int rc = 0;

	for (unsigned i = 0; i < 2 && rc == 0; i++)
		if ((rc = queue_mask(nc, ports[i], 1, &n->net_rps_cpus, err,
				     errsz)) == 0)
			rc = queue_mask(nc, ports[i], 0, &n->net_xps_cpus, err,
					errsz);
	return rc;
}

/* The reflector in namespace B; 0 once it said "ready". */
static int start_reflector(struct net_case *nc, const struct plan_case *pc,
			   const char *wl_path, char *err, size_t errsz)
{
	const struct scn_params *p = &pc->params;
	char bind[48], cpu[16], prio[16], line[64] = "";
	char *argv[] = {"isolat-wl", (char *)pc->workload->name, "--role",
			"reflector", "--netns", nc->t.ns_b, "--bind", bind,
			"--cpus", cpu,
			"--policy", (char *)p->policy, "--priority", prio,
			NULL};
	const struct proc_spec spec = {
		.path = wl_path, .argv = argv,
		.fd = {PROC_FD_NULL, PROC_FD_OUT, PROC_FD_ERR},
		.pdeathsig = SIGKILL,
	};
	struct pollfd pfd;
	ssize_t n = 0;
	int rc;

	snprintf(bind, sizeof(bind), "%s:%d", nc->t.addr_b, NET_PORT);
	/* peer_cpu unset (line 0): the housekeeping CPU */
	snprintf(cpu, sizeof(cpu), "%d", p->peer_cpu_line ? p->peer_cpu
							  : p->housekeeping);
	snprintf(prio, sizeof(prio), "%d", p->priority);
	nc->refl.out_fd = nc->refl.err_fd = -1;
	if ((rc = proc_spawn(&nc->refl, &spec)) < 0) {
		snprintf(err, errsz, "cannot start the reflector: %s",
			 strerror(-rc));
		return rc;
	}
	nc->started = 1;
	pfd.fd = nc->refl.out_fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 10000) > 0)
		n = read(nc->refl.out_fd, line, sizeof(line) - 1);
	if (n <= 0 || strncmp(line, "ready", 5)) {
		char why[256] = "";

		if (nc->refl.err_fd >= 0 && (n = read(nc->refl.err_fd, why,
						     sizeof(why) - 1)) > 0)
			why[n] = '\0';
		why[strcspn(why, "\n")] = '\0';
		snprintf(err, errsz, "the reflector in %s did not start: %s",
			 nc->t.ns_b, why[0] ? why : "no ready in 10 s");
		return -EIO;
	}
	if (nc->fact) {
		nc->fact(nc->ctx, "net.reflector", bind);
		nc->fact(nc->ctx, "net.reflector_cpu", cpu);
	}
	return 0;
}

int net_case_setup(const struct plan_case *pc, struct journal *j,
		   const char *wl_path, fact_fn fact, void *ctx,
		   struct net_case **out, char *err, size_t errsz)
{
	struct net_case *nc = calloc(1, sizeof(*nc));
	struct net_topo *t;
	int rc;

	if (!nc)
		return -ENOMEM;
	*out = nc;
	t = &nc->t;
	t->end = (enum net_end)(pc->env->netlat_end - 1);
	t->j = j;
	t->fact = nc->fact = fact;
	t->fact_ctx = nc->ctx = ctx;
	t->params = &pc->params;
	t->addr_a = NET_ADDR_A;
	t->addr_b = NET_ADDR_B;
	names(nc, pc);
	if (fact) {
		fact(ctx, "net.path", pc->net->name);
		fact(ctx, "net.tag", t->tag);
	}
	if ((t->end == NET_END_NS &&
	     (rc = net_netns_add(t, t->ns_a, err, errsz)) < 0) ||
	    (!pc->net->one_namespace &&
	     (rc = net_netns_add(t, t->ns_b, err, errsz)) < 0) ||
	    (rc = pc->net->build(t, err, errsz)) < 0 ||
	    (rc = isolate(nc, err, errsz)) < 0)
		return rc;
	return start_reflector(nc, pc, wl_path, err, errsz);
}

int net_case_argv(struct net_case *nc, char **argv, unsigned *argc,
		  unsigned max)
{
	unsigned i = *argc;

	if (i + 8 > max)
		return -E2BIG;
	snprintf(nc->peer, sizeof(nc->peer), "%s:%d", nc->t.addr_b, NET_PORT);
	snprintf(nc->timeout, sizeof(nc->timeout), "%u",
		 nc->t.params->reply_timeout_us);
	argv[i++] = "--peer";
	argv[i++] = nc->peer;
	argv[i++] = "--reply-timeout-us";
	argv[i++] = nc->timeout;
	if (nc->t.end == NET_END_NS) {
		argv[i++] = "--netns";
		argv[i++] = nc->t.ns_a;
	}
	/* One host, one CLOCK_MONOTONIC: bare and lxc; a guest has its own. */
	if (nc->t.end != NET_END_TAP)
		argv[i++] = "--same-clock";
	argv[i] = NULL;
	*argc = i;
	return 0;
}

const struct net_topo *net_case_topo(const struct net_case *nc)
{
	return nc ? &nc->t : NULL;
}

void net_case_stop(struct net_case *nc)
{
	char buf[256];
	ssize_t n;

	if (!nc)
		return;
	if (nc->started) {
		proc_stop(&nc->refl, 2000);
		if (nc->refl.err_fd >= 0 &&
		    (n = read(nc->refl.err_fd, buf, sizeof(buf) - 1)) > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			if (nc->fact)
				nc->fact(nc->ctx, "net.reflector_log", buf);
		}
		proc_close(&nc->refl);
	}
	free(nc);
}

int net_case_begin(const struct env_case *ec, struct net_case **out,
		   char **argv, unsigned *argc, unsigned max, char *err,
		   size_t errsz)
{
	int rc = net_case_setup(ec->pc, ec->journal, ec->wl_path, ec->fact,
				ec->fact_ctx, out, err, errsz);

	if (rc == 0 && (rc = net_case_argv(*out, argv, argc, max)) < 0)
		snprintf(err, errsz, "too many arguments");
	return rc;
}
