/*
 * net_bridge.c - a Linux bridge (isolat-TAG-br) in the host's namespace
 * with the two ends' ports: two veths, or a veth and a guest's tap.
 */
#include "harness/net/net.h"

#include <stdio.h>

static int bridge_probe(char *why, size_t whysz)
{
	(void)why;
	(void)whysz;
	return 0;
}

static int bridge_build(struct net_topo *t, char *err, size_t errsz)
{
	const char *add[] = {"ip", "link", "add", t->br, "type", "bridge",
			     NULL};
	const char *pa[] = {"ip", "link", "set", t->port_a, "master", t->br,
			    NULL};
	const char *pb[] = {"ip", "link", "set", t->port_b, "master", t->br,
			    NULL};
	int rc;

	if ((rc = net_link_journal(t, t->br, err, errsz)) < 0 ||
	    (rc = net_run("ip", add, NULL, 0, err, errsz)) < 0 ||
	    (rc = net_up(NULL, t->br, err, errsz)) < 0 ||
	    (rc = net_two_ports(t, err, errsz)) < 0 ||
	    (rc = net_run("ip", pa, NULL, 0, err, errsz)) < 0)
		return rc;
	return net_run("ip", pb, NULL, 0, err, errsz);
}

const struct net_ops net_bridge_ops = {
	.name = "bridge",
	.describe = "a Linux bridge with the two ends' ports",
	.ends = 1u << NET_END_NS | 1u << NET_END_LXC | 1u << NET_END_TAP,
	.probe = bridge_probe,
	.build = bridge_build,
};
