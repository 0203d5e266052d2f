/*
 * cmd_envs.c - `isolat envs`: every environment, workload and load, ready
 * or the exact reason it is not.
 */
#include <getopt.h>
#include <stdio.h>

#include "harness/cmd/cmd.h"
#include "harness/net/net.h"
#include "harness/env/env.h"
#include "harness/host/load.h"
#include "harness/util.h"
#include "harness/workload.h"

static const char usage_text[] =
	"usage: isolat envs [--all]\n"
	"\n"
	"List the environments (and workloads, loads, netlat's network\n"
	"paths) and whether each can run on this host, with the exact\n"
	"reason when not.  Exit 0 when all are ready, 3 when some are not.\n"
	"\n"
	"  --all   also the environments only isolat's own tests use (test)\n";

int cmd_envs(struct isolat_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c, status = EXIT_OK, all = 0;

	(void)ctx;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'a') {
			all = 1;
			continue;
		}
		cmd_usage(c == 'h' ? stdout : stderr, usage_text);
		return c == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind != argc) {
		cmd_usage(stderr, usage_text);
		return EXIT_USAGE;
	}
	printf("environments:\n");
	for (unsigned i = 0; env_table[i]; i++) {
		const struct env_ops *e = env_table[i];
		char why[512] = "";

		if ((e->flags & ENV_HIDDEN) && !all)
			continue;
		if (env_check_ops(e, why, sizeof(why)) == 0 &&
		    e->probe(why, sizeof(why)) == 0) {
			printf("  %-10s ready      %s\n", e->name,
			       why[0] ? why : e->describe);
		} else {
			printf("  %-10s not ready  %s\n", e->name, why);
			status = EXIT_NO_RESOURCE;
		}
	}
	printf("workloads:\n");
	for (unsigned i = 0; i < workload_count; i++) {
		const struct workload_ops *w = &workload_table[i];
		char why[512] = "";

		if (workload_probe(w, why, sizeof(why)) == 0) {
			printf("  %-10s ready      %s\n", w->name, w->describe);
		} else {
			printf("  %-10s not ready  %s\n", w->name, why);
			status = EXIT_NO_RESOURCE;
		}
	}
	/* Every load but none is a stress-ng stressor (loads.def). */
	printf("loads:\n");
	for (unsigned i = 0; i < load_count; i++) {
		const struct load_ops *l = &load_table[i];
		char path[512];

		if (!l->stressor ||
		    find_program("stress-ng", path, sizeof(path)) == 0) {
			printf("  %-10s ready      %s\n", l->name, l->describe);
		} else {
			printf("  %-10s not ready  stress-ng not found: "
			       "install it (apt-get install stress-ng)\n",
			       l->name);
			status = EXIT_NO_RESOURCE;
		}
	}
	/* netlat's network paths (harness/net/); one not ready skips
	 * only its netlat cases. */
	printf("networks:\n");
	for (unsigned i = 0; net_table[i]; i++) {
		const struct net_ops *nt = net_table[i];
		char why[256] = "";

		if (nt->probe(why, sizeof(why)) == 0) {
			printf("  %-10s ready      %s\n", nt->name,
			       nt->describe);
		} else {
			printf("  %-10s not ready  %s\n", nt->name, why);
			status = EXIT_NO_RESOURCE;
		}
	}
	return status;
}
