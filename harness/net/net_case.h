/*
 * net_case.h - a netlat case's network, for the run loop: the path built
 * (journaled) and its reflector started before the environment starts the
 * initiator; the reflector stopped after the case.  Removal of the path
 * itself is the journal's replay (tuning_undo in the run loop, `isolat
 * restore` after a crash): one way out on every path.
 */
#ifndef ISOLAT_NET_CASE_H
#define ISOLAT_NET_CASE_H

#include <stddef.h>

#include "harness/net/net.h"

struct plan_case;
struct net_case;

/* Build pc's path (pc->net) into journal j and start its reflector
 * (wl_path: isolat-wl).  0 with *out set, or -errno with err set (what
 * was made is in j: the caller's replay removes it). */
int net_case_setup(const struct plan_case *pc, struct journal *j,
		   const char *wl_path, fact_fn fact, void *ctx,
		   struct net_case **out, char *err, size_t errsz);
/* net_case_setup for the case of ec (its plan case, journal, isolat-wl,
 * facts), then the initiator's options appended to argv (argc entries,
 * at most max): 0, or -errno with err set. */
struct env_case;
int net_case_begin(const struct env_case *ec, struct net_case **out,
		   char **argv, unsigned *argc, unsigned max, char *err,
		   size_t errsz);
/* Append the initiator's options (--peer, --netns, ...) to argv. */
int net_case_argv(struct net_case *nc, char **argv, unsigned *argc,
		  unsigned max);
const struct net_topo *net_case_topo(const struct net_case *nc);
/* Stop the reflector (its count of replies into a fact) and free.
 * NULL: nothing. */
void net_case_stop(struct net_case *nc);

#endif
