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
#include <sys/stat.h>
#include <unistd.h>

#include "harness/env/env.h"
#include "harness/host/journal.h"
#include "harness/run/plan.h"
#include "harness/run/proc.h"
#include "harness/util.h"

struct net_case {
	struct net_topo t;
	struct proc refl;       /* a bare peer: the reflector in namespace B */
	int started;
	/* A peer environment (peer = lxc): the reflector runs in it, as
	 * that backend runs a workload, beside the case's own environment. */
	const struct env_ops *penv;
	struct env_case pec;
	struct plan_case ppc;   /* the case, placed on the reflector's CPU */
	struct net_topo pt;     /* the path as the peer sees it: if_b its end */
	int pprepared;
	char pwork[96];
	char bind[48], cpu[16], prio[16];
	char *rargv[16];
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
	if (t->end_b != NET_END_NS)
		t->ns_b[0] = '\0';
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

/* The reflector's argv, as a bare process (namespace B) or inside a peer
 * environment (which runs it as its workload): same options. */
static void reflector_argv(struct net_case *nc, const struct plan_case *pc)
{
	const struct scn_params *p = &pc->params;
	unsigned i = 0;

	snprintf(nc->bind, sizeof(nc->bind), "%s:%d", nc->t.addr_b, NET_PORT);
	/* peer_cpu unset (line 0): the housekeeping CPU */
	snprintf(nc->cpu, sizeof(nc->cpu), "%d", p->peer_cpu_line
		 ? p->peer_cpu : p->housekeeping);
	snprintf(nc->prio, sizeof(nc->prio), "%d", p->priority);
	nc->rargv[i++] = "isolat-wl";
	nc->rargv[i++] = (char *)pc->workload->name;
	nc->rargv[i++] = "--role";
	nc->rargv[i++] = "reflector";
	if (nc->t.end_b == NET_END_NS) {
		nc->rargv[i++] = "--netns";
		nc->rargv[i++] = nc->t.ns_b;
	}
	nc->rargv[i++] = "--bind";
	nc->rargv[i++] = nc->bind;
	nc->rargv[i++] = "--cpus";
	nc->rargv[i++] = nc->cpu;
	nc->rargv[i++] = "--policy";
	nc->rargv[i++] = (char *)p->policy;
	nc->rargv[i++] = "--priority";
	nc->rargv[i++] = nc->prio;
	nc->rargv[i] = NULL;
}

/* "ready" on fd within 10 s (the peer environment's start waited for its
 * first output already); 0, or -EIO with why from log_fd. */
static int await_ready(struct net_case *nc, int fd, int log_fd,
		       const char *where, char *err, size_t errsz)
{
	char line[64] = "", why[256] = "";
	struct pollfd pfd = {fd, POLLIN, 0};
	ssize_t n = 0;

	if (fd >= 0 && poll(&pfd, 1, 10000) > 0)
		n = read(fd, line, sizeof(line) - 1);
	if (n > 0 && !strncmp(line, "ready", 5)) {
		if (nc->fact) {
			nc->fact(nc->ctx, "net.reflector", nc->bind);
			nc->fact(nc->ctx, "net.reflector_cpu", nc->cpu);
		}
		return 0;
	}
	pfd.fd = log_fd;
	if (log_fd >= 0 && poll(&pfd, 1, 200) > 0 &&
	    (n = read(log_fd, why, sizeof(why) - 1)) > 0)
		why[n] = '\0';
	why[strcspn(why, "\n")] = '\0';
	snprintf(err, errsz, "the reflector in %s did not start: %s", where,
		 why[0] ? why : "no ready in 10 s");
	return -EIO;
}

/* The reflector in namespace B; 0 once it said "ready". */
static int start_reflector(struct net_case *nc, const char *wl_path,
			   char *err, size_t errsz)
{
	const struct proc_spec spec = {
		.path = wl_path, .argv = nc->rargv,
		.fd = {PROC_FD_NULL, PROC_FD_OUT, PROC_FD_ERR},
		.pdeathsig = SIGKILL,
	};
	int rc;

	nc->refl.out_fd = nc->refl.err_fd = -1;
	if ((rc = proc_spawn(&nc->refl, &spec)) < 0) {
		snprintf(err, errsz, "cannot start the reflector: %s",
			 strerror(-rc));
		return rc;
	}
	nc->started = 1;
	return await_ready(nc, nc->refl.out_fd, nc->refl.err_fd, nc->t.ns_b,
			   err, errsz);
}

/* The peer environment's facts: its own keys under "peer.". */
static int peer_fact(void *ctx, const char *key, const char *value)
{
	struct net_case *nc = ctx;
	char k[256];

	snprintf(k, sizeof(k), "peer.%s", key);
	return nc->fact ? nc->fact(nc->ctx, k, value) : 0;
}

/* The reflector as the workload of a peer environment (a container that
 * takes the veth end if_b), prepared and started as the run loop does a
 * case's, in the case's journal (a crash leaves it to `restore`), in a
 * folder of the case's work directory.  0 once it said "ready". */
static int start_peer(struct net_case *nc, const struct env_case *ec,
		      char *err, size_t errsz)
{
	struct cpulist one = {.n = 1};
	int rc;

	one.cpu[0] = (unsigned short)atoi(nc->cpu);
	nc->ppc = *ec->pc;
	nc->ppc.env = nc->penv;
	nc->ppc.params.cpus = one;
	nc->pt = nc->t;
	snprintf(nc->pt.if_a, sizeof(nc->pt.if_a), "%s", nc->t.if_b);
	nc->pt.addr_a = nc->t.addr_b;
	nc->pt.end = nc->t.end_b;
	snprintf(nc->pwork, sizeof(nc->pwork), "%s/peer", ec->workdir);
	if (mkdir(nc->pwork, 0700) < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", nc->pwork, strerror(errno));
		return rc;
	}
	nc->pec = (struct env_case){
		.pc = &nc->ppc, .wl_path = ec->wl_path, .wl_argv = nc->rargv,
		.workdir = nc->pwork, .fact = peer_fact, .fact_ctx = nc,
		.journal = ec->journal, .net = &nc->pt, .beside = 1,
		.stream_fd = -1, .log_fd = -1,
	};
	if (nc->fact)
		nc->fact(nc->ctx, "net.peer", nc->penv->name);
	nc->pprepared = 1;
	if ((rc = nc->penv->prepare(&nc->pec, err, errsz)) < 0 ||
	    (rc = nc->penv->start(&nc->pec, err, errsz)) < 0)
		return rc;
	nc->started = 1;
	return await_ready(nc, nc->pec.stream_fd, nc->pec.log_fd,
			   nc->penv->name, err, errsz);
}

const struct env_ops *net_peer_env(const struct scn_params *p)
{
	const struct env_ops *e = env_find(p->peer);

	return e && e->netlat_end != 1 + NET_END_NS ? e : NULL;
}

static int net_case_setup(const struct env_case *ec, struct net_case *nc,
			  char *err, size_t errsz)
{
	const struct plan_case *pc = ec->pc;
	struct net_topo *t = &nc->t;
	int rc;

	nc->penv = net_peer_env(&pc->params);
	t->end = (enum net_end)(pc->env->netlat_end - 1);
	t->end_b = nc->penv ? (enum net_end)(nc->penv->netlat_end - 1)
			    : NET_END_NS;
	t->j = ec->journal;
	t->fact = nc->fact = ec->fact;
	t->fact_ctx = nc->ctx = ec->fact_ctx;
	t->params = &pc->params;
	t->addr_a = NET_ADDR_A;
	t->addr_b = NET_ADDR_B;
	names(nc, pc);
	if (nc->fact) {
		nc->fact(nc->ctx, "net.path", pc->net->name);
		nc->fact(nc->ctx, "net.tag", t->tag);
	}
	if ((t->end == NET_END_NS &&
	     (rc = net_netns_add(t, t->ns_a, err, errsz)) < 0) ||
	    (!pc->net->one_namespace && t->end_b == NET_END_NS &&
	     (rc = net_netns_add(t, t->ns_b, err, errsz)) < 0) ||
	    (rc = pc->net->build(t, err, errsz)) < 0 ||
	    (rc = isolate(nc, err, errsz)) < 0)
		return rc;
	reflector_argv(nc, pc);
	return nc->penv ? start_peer(nc, ec, err, errsz)
			: start_reflector(nc, ec->wl_path, err, errsz);
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

/* What the reflector said last on stderr (its count of replies; a peer
 * environment's log may carry its own lines before): a fact. */
static void reflector_log(struct net_case *nc, int fd)
{
	char buf[4096], chunk[1024], *line;
	size_t len = 0, total = 0;
	ssize_t n;

	if (fd < 0)
		return;
	/* poll: what still holds the pipe may not have ended.  The tail is
	 * kept: the reflector's last line is its summary.  At most 1 MiB
	 * read, should something still be writing. */
	for (struct pollfd p = {fd, POLLIN, 0};
	     total < (1u << 20) && poll(&p, 1, 200) > 0 &&
	     (n = read(fd, chunk, sizeof(chunk))) > 0; total += (size_t)n)
		tail_append(buf, &len, sizeof(buf) - 1, chunk, (size_t)n);
	while (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	line = strrchr(buf, '\n');
	line = line ? line + 1 : buf;
	if (line[0] && nc->fact)
		nc->fact(nc->ctx, "net.reflector_log", line);
}

void net_case_stop(struct net_case *nc)
{
	if (!nc || !nc->started)
		return;
	nc->started = 0;
	if (nc->penv) {
		nc->penv->stop(&nc->pec);
		reflector_log(nc, nc->pec.log_fd);
		return;
	}
	proc_stop(&nc->refl, 2000);
	reflector_log(nc, nc->refl.err_fd);
	proc_close(&nc->refl);
}

void net_case_end(struct net_case *nc)
{
	if (!nc)
		return;
	net_case_stop(nc);
	if (nc->penv && nc->pprepared)
		nc->penv->cleanup(&nc->pec);
	free(nc);
}

int net_case_begin(const struct env_case *ec, struct net_case **out,
		   char **argv, unsigned *argc, unsigned max, char *err,
		   size_t errsz)
{
	struct net_case *nc = calloc(1, sizeof(*nc));
	int rc;

	if (!(*out = nc))
		return -ENOMEM;
	rc = net_case_setup(ec, nc, err, errsz);
	if (rc == 0 && (rc = net_case_argv(nc, argv, argc, max)) < 0)
		snprintf(err, errsz, "too many arguments");
	return rc;
}
