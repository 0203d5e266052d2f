/*
 * net.h - network paths for the netlat workload: the topology a case's
 * datagrams cross, built by the harness per case and removed after it.
 *
 * One path per file behind one table of operations (net_loopback.c,
 * net_veth.c, net_bridge.c, net_ovs.c), listed once in nets.def, like the
 * environment backends (harness/env/env.h).  Nothing outside a path's file
 * knows it by name.
 *
 * Every object a path makes is journaled BEFORE it is made (journal.h:
 * netns, link and ovs record kinds of net_undo.c), into the case's
 * journal: the run loop's replay after the case, a SIGINT/SIGTERM and
 * `isolat restore` after kill -9 all remove it the same way.  Names are
 * isolat-TAG-xx (TAG: 4 hex digits per case); a name already taken is an
 * error, never a takeover.  Addresses come from 198.18.0.0/15 (RFC 2544,
 * benchmarking) only: the initiator's end is 198.18.0.1/24, the
 * reflector's 198.18.0.2/24 (loopback: 127.0.0.1 inside one namespace).
 *
 * The ends: the initiator - the measured end - runs where the case's
 * environment runs it: bare in namespace A (isolat-TAG-a), lxc in the
 * container (the veth end if_a handed over by liblxc's config,
 * lxc.net.0.type = phys), kvm in the guest (a tap if_a in the bridge or
 * OVS, virtio-net in the guest).  The reflector runs where `peer` says:
 * bare in namespace B (isolat-TAG-b), or in a container of its own that
 * takes the veth end if_b the same way (net_case.c).
 *
 * Adding a path: write harness/net/net_NAME.c defining
 * `const struct net_ops net_NAME_ops`, add X(NAME) to nets.def, and a case
 * in tests/e2e/netlat.sh that lands samples across it.
 */
#ifndef ISOLAT_NET_H
#define ISOLAT_NET_H

#include <stddef.h>

#include "harness/util.h" /* fact_fn */

struct journal;
struct scn_params;

#define NET_ADDR_A "198.18.0.1"
#define NET_ADDR_B "198.18.0.2"
#define NET_PREFIX "/24"
#define NET_PORT 7471 /* the reflector's UDP port */

/* Where an end of the path lives (the initiator's: any; the
 * reflector's: NS or LXC). */
enum net_end {
	NET_END_NS,   /* bare: namespace A (the reflector: B) */
	NET_END_LXC,  /* a veth end handed to a container */
	NET_END_TAP,  /* a tap for a guest's virtio-net */
};

struct net_topo {
	enum net_end end;          /* the initiator's end */
	enum net_end end_b;        /* the reflector's end */
	char tag[8];
	char ns_a[32], ns_b[32];   /* "" unless that end is NET_END_NS */
	char if_a[16], if_b[16];   /* the two ends (if_b in ns_b, if any) */
	char port_a[16], port_b[16]; /* bridge-side peers, host namespace */
	char br[16];               /* bridge / OVS bridge */
	char ovsdir[96];           /* /run/isolat/ovs-TAG */
	const char *addr_a, *addr_b;
	const struct scn_params *params;
	struct journal *j;
	fact_fn fact;
	void *fact_ctx;
};

struct net_ops {
	const char *name;
	const char *describe;
	/* The ends it supports, either side: bit (1 << enum net_end). */
	unsigned ends;
	/* Both ends in one namespace (A); no B is made. */
	int one_namespace;
	/* 0 when usable here; else -errno and why (the fix). */
	int (*probe)(char *why, size_t whysz);
	/* Make the path (namespaces exist already); journal first. */
	int (*build)(struct net_topo *t, char *err, size_t errsz);
};

#define X(n) extern const struct net_ops net_##n##_ops;
#include "harness/net/nets.def"
#undef X

extern const struct net_ops *const net_table[];
const struct net_ops *net_find(const char *name);
/* "loopback, veth, ..." for messages. */
const char *net_names(void);

/* --- net_ip.c: the commands, journaled (used by the paths) ---------- */

/* Run a system program (found by find_program) with argv, output kept
 * in out (may be NULL); 0, or -EIO with its output in err. */
int net_run(const char *prog, const char *const argv[], char *out,
	    size_t outsz, char *err, size_t errsz);
/* The same with OVS_RUNDIR, OVS_DBDIR and OVS_LOGDIR set to rundir. */
int net_run_in(const char *prog, const char *const argv[], const char *rundir,
	       char *out, size_t outsz, char *err, size_t errsz);
/* Is NAME a link in the host's namespace / a named namespace? */
int net_link_exists(const char *name);
int net_netns_exists(const char *name);
/* Journal, then make: namespace NAME; veth pair A/B; a link NAME that
 * something else (bridge, OVS, QEMU) will make, journaled only. */
int net_netns_add(struct net_topo *t, const char *name, char *err,
		  size_t errsz);
int net_veth_add(struct net_topo *t, const char *a, const char *b,
		 char *err, size_t errsz);
int net_link_journal(struct net_topo *t, const char *name, char *err,
		     size_t errsz);
/* ip link set IF netns NS; addr add; up (ns NULL: the host's). */
int net_link_to_ns(const char *ifname, const char *ns, char *err,
		   size_t errsz);
int net_addr_up(const char *ns, const char *ifname, const char *addr,
		char *err, size_t errsz);
int net_up(const char *ns, const char *ifname, char *err, size_t errsz);
/* TX checksum offload off (ethtool -K IF tx off), recorded as a fact. */
int net_tx_off(struct net_topo *t, const char *ns, const char *ifname,
	       char *err, size_t errsz);
/* The reflector's end if_b (made already) where end_b says. */
int net_b_end(struct net_topo *t, char *err, size_t errsz);
/* The two ends as a path makes them for every end kind: A's veth (or
 * tap, journaled only) and B's veth, their host-side ports up. */
int net_two_ports(struct net_topo *t, char *err, size_t errsz);

/* --- net_undo.c: journal record kinds netns, link, ovs ------------ */

/* Is an ovs-vswitchd (not a zombie) running on this host? */
int net_other_vswitchd(void);

#endif
