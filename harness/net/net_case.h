/*
 * net_case.h - a netlat case's network, for the run loop: the path built
 * (journaled) and its reflector started before the environment starts the
 * initiator; the reflector stopped after the case, and a peer environment
 * cleaned up after the case's own.  Removal of the path
 * itself is the journal's replay (tuning_undo in the run loop, `isolat
 * restore` after a crash): one way out on every path.
 */
#ifndef ISOLAT_NET_CASE_H
#define ISOLAT_NET_CASE_H

#include <stddef.h>

#include "harness/net/net.h"

struct env_case;
struct net_case;
struct scn_params;

/* Build the path of ec's case (ec->pc->net) into its journal and start
 * its reflector - in namespace B, or in the peer environment - then
 * append the initiator's options to argv (argc entries, at most max).
 * 0 with *out set, or -errno with err set (what was made is in the
 * journal: the caller's replay removes it; net_case_end still to call). */
int net_case_begin(const struct env_case *ec, struct net_case **out,
		   char **argv, unsigned *argc, unsigned max, char *err,
		   size_t errsz);
/* Append the initiator's options (--peer, --netns, ...) to argv. */
int net_case_argv(struct net_case *nc, char **argv, unsigned *argc,
		  unsigned max);
const struct net_topo *net_case_topo(const struct net_case *nc);
/* Stop the reflector (its count of replies into a fact).  NULL: nothing. */
void net_case_stop(struct net_case *nc);
/* Stop it if still running, clean up a peer environment and free: after
 * the case's own environment's cleanup (the peer was made first: last
 * out, so the real-time budgets they share go back in order). */
void net_case_end(struct net_case *nc);
/* The environment netlat's reflector runs in when not bare (peer = lxc:
 * a container of its own), or NULL: bare, in namespace B. */
const struct env_ops *net_peer_env(const struct scn_params *p);

#endif
