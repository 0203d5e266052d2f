/*
 * net_loopback.c - the floor: both ends on the loopback device of one
 * namespace the harness makes (isolat-TAG-a), 127.0.0.1.  What the stack
 * alone costs, without a link.
 */
#include "harness/net/net.h"

#include <stdio.h>

static int loopback_probe(char *why, size_t whysz)
{
	(void)why;
	(void)whysz;
	return 0;
}

static int loopback_build(struct net_topo *t, char *err, size_t errsz)
{
	(void)err;
	(void)errsz;
	/* net_case.c made namespace A with lo up; B is the same one. */
	snprintf(t->ns_b, sizeof(t->ns_b), "%s", t->ns_a);
	t->addr_a = t->addr_b = "127.0.0.1";
	return 0;
}

const struct net_ops net_loopback_ops = {
	.name = "loopback",
	.describe = "both ends on lo inside one namespace (the floor)",
	.ends = 1u << NET_END_NS,
	.one_namespace = 1,
	.probe = loopback_probe,
	.build = loopback_build,
};
