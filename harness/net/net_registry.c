/*
 * net_registry.c - the table of network paths, generated from nets.def.
 */
#include "harness/net/net.h"

#include <string.h>

const struct net_ops *const net_table[] = {
#define X(n) &net_##n##_ops,
#include "harness/net/nets.def"
#undef X
	NULL,
};

const struct net_ops *net_find(const char *name)
{
	for (unsigned i = 0; net_table[i]; i++)
		if (!strcmp(net_table[i]->name, name))
			return net_table[i];
	return NULL;
}

const char *net_names(void)
{
	static char buf[256];

	if (!buf[0])
		for (unsigned i = 0; net_table[i]; i++) {
			if (i)
				strcat(buf, ", ");
			strcat(buf, net_table[i]->name);
		}
	return buf;
}
