/*
 * net_ip.c - the commands network paths are made with: iproute2's `ip`,
 * `ethtool`, each an execve argv (never a shell string), and every object
 * journaled before the command that makes it.
 */
#include "harness/net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/host/journal.h"
#include "harness/util.h"

#define NET_CMD_TIMEOUT_MS 20000

/* Read the child's merged output until EOF or the deadline. */
static void read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	int waited = 0;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		char tmp[512];
		ssize_t n;

		if (poll(&p, 1, 200) == 0) {
			if ((waited += 200) >= NET_CMD_TIMEOUT_MS)
				break;
			continue;
		}
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (buf && len + 1 < size) {
			size_t k = (size_t)n < size - 1 - len ? (size_t)n
							    : size - 1 - len;

			memcpy(buf + len, tmp, k);
			len += k;
		}
	}
	if (buf && size)
		buf[len] = '\0';
}

int net_run(const char *prog, const char *const argv[], char *out,
	    size_t outsz, char *err, size_t errsz)
{
	return net_run_in(prog, argv, NULL, out, outsz, err, errsz);
}

int net_run_in(const char *prog, const char *const argv[], const char *rundir,
	       char *out, size_t outsz, char *err, size_t errsz)
{
	char run[160], db[160], log[160];
	char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C",
			run, db, log, NULL};
	char path[256], buf[2048];
	int pfd[2], status = 0;
	pid_t pid;

	if (find_program(prog, path, sizeof(path)) < 0) {
		snprintf(err, errsz, "%s not found (apt-get install %s)", prog,
			 !strcmp(prog, "ip") ? "iproute2"
			 : !strcmp(prog, "ethtool") ? "ethtool"
						    : "openvswitch-switch");
		return -ENOENT;
	}
	/* OVS's programs: every default path under our own directory. */
	snprintf(run, sizeof(run), "OVS_RUNDIR=%s", rundir ? rundir : "");
	snprintf(db, sizeof(db), "OVS_DBDIR=%s", rundir ? rundir : "");
	snprintf(log, sizeof(log), "OVS_LOGDIR=%s", rundir ? rundir : "");
	if (!rundir)
		envp[2] = NULL;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		dup2(nul, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execve(path, (char *const *)argv, envp);
		_exit(127);
	}
	close(pfd[1]);
	read_all(pfd[0], buf, sizeof(buf));
	close(pfd[0]);
	if (waitpid(pid, &status, WNOHANG) == 0) {
		/* Silent past the deadline: not ours to wait for forever. */
		usleep(100000);
		if (waitpid(pid, &status, WNOHANG) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
	}
	if (out)
		snprintf(out, outsz, "%s", buf);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(err, errsz, "%s %s failed: %s", prog, argv[1] ? argv[1] : "",
		 buf[0] ? buf : "no output");
	return -EIO;
}

int net_link_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

int net_netns_exists(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return stat(path, &st) == 0;
}

static int journal_obj(struct net_topo *t, enum journal_kind kind,
		       const char *knob, const char *name, const char *orig,
		       char *err, size_t errsz)
{
	struct journal_rec r = {.kind = kind};

	snprintf(r.knob, sizeof(r.knob), "%s", knob);
	snprintf(r.path, sizeof(r.path), "%s", name);
	snprintf(r.orig, sizeof(r.orig), "%s", orig);
	snprintf(r.new_value, sizeof(r.new_value), "created");
	return journal_append(t->j, &r, err, errsz);
}

int net_netns_add(struct net_topo *t, const char *name, char *err,
		  size_t errsz)
{
	const char *add[] = {"ip", "netns", "add", name, NULL};
	const char *lo[] = {"ip", "-n", name, "link", "set", "lo", "up", NULL};
	int rc;

	if (net_netns_exists(name)) {
		snprintf(err, errsz, "network namespace %s already exists: "
			 "not ours to take over (a crashed run? `isolat "
			 "restore`, or `ip netns del %s`)", name, name);
		return -EEXIST;
	}
	if ((rc = journal_obj(t, JOURNAL_NETNS, "netns", name, "absent", err,
			      errsz)) < 0 ||
	    (rc = net_run("ip", add, NULL, 0, err, errsz)) < 0)
		return rc;
	return net_run("ip", lo, NULL, 0, err, errsz);
}

int net_link_journal(struct net_topo *t, const char *name, char *err,
		     size_t errsz)
{
	if (net_link_exists(name)) {
		snprintf(err, errsz, "link %s already exists: not ours to "
			 "take over (a crashed run? `isolat restore`, or `ip "
			 "link del %s`)", name, name);
		return -EEXIST;
	}
	return journal_obj(t, JOURNAL_LINK, "link", name, "absent", err,
			   errsz);
}

int net_veth_add(struct net_topo *t, const char *a, const char *b,
		 char *err, size_t errsz)
{
	const char *add[] = {"ip", "link", "add", a, "type", "veth", "peer",
			     "name", b, NULL};
	int rc;

	/* Deleting either end deletes the pair: both journaled. */
	if ((rc = net_link_journal(t, a, err, errsz)) < 0 ||
	    (rc = net_link_journal(t, b, err, errsz)) < 0)
		return rc;
	return net_run("ip", add, NULL, 0, err, errsz);
}

int net_link_to_ns(const char *ifname, const char *ns, char *err,
		   size_t errsz)
{
	const char *mv[] = {"ip", "link", "set", ifname, "netns", ns, NULL};

	return net_run("ip", mv, NULL, 0, err, errsz);
}

int net_up(const char *ns, const char *ifname, char *err, size_t errsz)
{
	const char *up_ns[] = {"ip", "-n", ns, "link", "set", ifname, "up",
			       NULL};
	const char *up[] = {"ip", "link", "set", ifname, "up", NULL};

	return net_run("ip", ns ? up_ns : up, NULL, 0, err, errsz);
}

int net_addr_up(const char *ns, const char *ifname, const char *addr,
		char *err, size_t errsz)
{
	char cidr[32];
	const char *add[] = {"ip", "-n", ns, "addr", "add", cidr, "dev",
			     ifname, NULL};
	int rc;

	snprintf(cidr, sizeof(cidr), "%s%s", addr, NET_PREFIX);
	if ((rc = net_run("ip", add, NULL, 0, err, errsz)) < 0)
		return rc;
	return net_up(ns, ifname, err, errsz);
}

int net_tx_off(struct net_topo *t, const char *ns, const char *ifname,
	       char *err, size_t errsz)
{
	const char *in_ns[] = {"ip", "netns", "exec", ns, "ethtool", "-K",
			       ifname, "tx", "off", NULL};
	const char *host[] = {"ethtool", "-K", ifname, "tx", "off", NULL};
	char key[64];
	int rc = ns ? net_run("ip", in_ns, NULL, 0, err, errsz)
		    : net_run("ethtool", host, NULL, 0, err, errsz);

	snprintf(key, sizeof(key), "net.tx_offload.%s", ifname);
	if (t->fact)
		t->fact(t->fact_ctx, key, rc < 0 ? err : "off");
	return rc;
}

/* The reflector's veth end if_b, made in the host: TX offload off (the
 * setting goes with the link into a namespace or a container), then into
 * namespace B with its address - or left for the peer container's
 * config to take (lxc.net.0.type = phys, with the address). */
int net_b_end(struct net_topo *t, char *err, size_t errsz)
{
	int rc = net_tx_off(t, NULL, t->if_b, err, errsz);

	if (rc < 0 || t->end_b != NET_END_NS)
		return rc;
	if ((rc = net_link_to_ns(t->if_b, t->ns_b, err, errsz)) < 0)
		return rc;
	return net_addr_up(t->ns_b, t->if_b, t->addr_b, err, errsz);
}

/*
 * A bridge or OVS path's ends: B's veth (if_b into namespace B, port_b in
 * the host), and A's - a veth into namespace A, a veth whose if_a the
 * container takes, or a persistent tap QEMU opens by name.  Ports up, TX checksum offload off (a userspace
 * datapath forwards no UDP with it on).
 */
int net_two_ports(struct net_topo *t, char *err, size_t errsz)
{
	int rc;

	if ((rc = net_veth_add(t, t->if_b, t->port_b, err, errsz)) < 0 ||
	    (rc = net_b_end(t, err, errsz)) < 0 ||
	    (rc = net_up(NULL, t->port_b, err, errsz)) < 0 ||
	    (rc = net_tx_off(t, NULL, t->port_b, err, errsz)) < 0)
		return rc;
	if (t->end == NET_END_TAP) {
		/* The guest's tap is the port itself; made here (persistent)
		 * so it is in the bridge before QEMU opens it by name. */
		const char *tap[] = {"ip", "tuntap", "add", "dev", t->if_a,
				     "mode", "tap", NULL};

		snprintf(t->port_a, sizeof(t->port_a), "%s", t->if_a);
		if ((rc = net_link_journal(t, t->if_a, err, errsz)) < 0 ||
		    (rc = net_run("ip", tap, NULL, 0, err, errsz)) < 0 ||
		    (rc = net_up(NULL, t->if_a, err, errsz)) < 0)
			return rc;
		return net_tx_off(t, NULL, t->if_a, err, errsz);
	}
	if ((rc = net_veth_add(t, t->if_a, t->port_a, err, errsz)) < 0 ||
	    (rc = net_up(NULL, t->port_a, err, errsz)) < 0 ||
	    (rc = net_tx_off(t, NULL, t->port_a, err, errsz)) < 0 ||
	    (rc = net_tx_off(t, NULL, t->if_a, err, errsz)) < 0)
		return rc;
	if (t->end != NET_END_NS)
		return 0;
	if ((rc = net_link_to_ns(t->if_a, t->ns_a, err, errsz)) < 0)
		return rc;
	return net_addr_up(t->ns_a, t->if_a, t->addr_a, err, errsz);
}
