/*
 * net_veth.c - a veth pair straight between the two ends: namespace A (or
 * the container) and namespace B.
 */
#include "harness/net/net.h"

#include <stdio.h>

static int veth_probe(char *why, size_t whysz)
{
	(void)why;
	(void)whysz;
	return 0;
}

static int veth_build(struct net_topo *t, char *err, size_t errsz)
{
	int rc;

	if ((rc = net_veth_add(t, t->if_a, t->if_b, err, errsz)) < 0 ||
	    (rc = net_tx_off(t, NULL, t->if_a, err, errsz)) < 0 ||
	    (rc = net_b_end(t, err, errsz)) < 0)
		return rc;
	if (t->end != NET_END_NS)
		return 0; /* the container's config takes if_a */
	if ((rc = net_link_to_ns(t->if_a, t->ns_a, err, errsz)) < 0)
		return rc;
	return net_addr_up(t->ns_a, t->if_a, t->addr_a, err, errsz);
}

const struct net_ops net_veth_ops = {
	.name = "veth",
	.describe = "a veth pair between the two ends",
	.ends = 1u << NET_END_NS | 1u << NET_END_LXC,
	.probe = veth_probe,
	.build = veth_build,
};
