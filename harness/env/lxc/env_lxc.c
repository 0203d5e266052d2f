/*
 * env_lxc.c - the `lxc` environment: the workload inside a real container,
 * driven through the liblxc C API (never the lxc-* tools).
 *
 * Decisions (see also lxc.h, lxc_conf.c, lxc_cgroup.c):
 *
 * - Rootfs: <workdir>/rootfs, made here per case: the static isolat-wl
 *   copied in as /isolat-wl, empty mount points, and the host's /usr (and
 *   /bin, /sbin, /lib*, as symlinks where the host has merged /usr, else as
 *   bind mounts) read-only, so the dynamically linked cyclictest runs too.
 *   No distribution download.  /proc, /sys (ro) and /dev come from
 *   lxc.mount.auto and lxc.autodev.
 * - Name and place: "isolat-<harness pid>-c<case>-<random>" in the private
 *   lxcpath /run/isolat/lxc.  The config is saved there (lxc-ls -P shows a
 *   running case), and so are liblxc's log and the RT journal.  cleanup()
 *   destroys the container on every path.  A container whose harness pid
 *   is gone is a leftover of a crashed run: prepare() stops it, destroys
 *   it, removes its cgroups and restores the RT budgets from its journal,
 *   with a note on stderr and a fact.
 * - Starting: liblxc's start() blocks until the container ends unless it
 *   daemonizes, and daemonizing would close our pipes.  So start() forks a
 *   child (the "monitor") that puts the stream pipe on fd 3, the log pipe
 *   on fds 1 and 2, /dev/null on 0, closes every other fd, keeps liblxc
 *   from closing fds (want_close_all_fds(false): liblxc then only logs
 *   "inherited fd 3"), and calls c->start(c, 1, argv) - lxc-init as PID 1,
 *   as lxc-execute does.  lxc-init hands fds 0-3 on to the workload,
 *   whose argv says --out-fd 3.  The monitor exits with the workload's
 *   status; wait() reaps it.  start() returns once the workload wrote its
 *   first bytes, or fails with liblxc's error if the container ended
 *   before that.
 * - cgroups: lxc.cgroup.dir.{container,monitor} name the container's
 *   cgroups isolat.payload.<name> / isolat.monitor.<name>; liblxc running
 *   as root creates them at the root of each hierarchy.  cpuset = the
 *   measured CPUs + the housekeeping CPU.  With cgroup v1 RT groups the
 *   container gets cpu.rt_runtime_us = what is free at its parent (all of
 *   the root's 950000 us on a quiet host), checked with a probe cgroup
 *   because a just-removed container's budget comes back only after an
 *   RCU grace period; parents below the root (none in this layout) would
 *   be raised top down and restored bottom up in cleanup (lxc_cgroup.c).
 *   Every value is a fact "lxc.rt_runtime_us.<path>".  cgroup v2 has no
 *   RT group budget: lxc.rt_budget says so.
 * - Limits and privileges: memlock unlimited, rtprio 99 (or the current
 *   hard limits where the harness lacks CAP_SYS_RESOURCE to raise them:
 *   fact lxc.prlimit), capabilities sys_nice + ipc_lock only, an empty
 *   network namespace (loopback only), the host's user, cgroup and time
 *   namespaces (lxc_conf.c says why); /dev/cpu_dma_latency bound in.
 *
 * Facts stored with the case: lxc.name, lxc.lxcpath, lxc.version,
 * lxc.config (every item), lxc.cpuset, lxc.cgroup.layout, lxc.rt_*, lxc.host_pidns,
 * lxc.host_cgroup, lxc.init_pid, lxc.log (liblxc's log of the container),
 * lxc.leftover_removed.  The workload's HELLO adds pidns and cgroup as seen
 * inside, which differ from lxc.host_pidns / lxc.host_cgroup.
 */
#include <errno.h>
#include <fcntl.h>
#include <lxc/lxccontainer.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/env/env.h"
#include "harness/host/journal.h"
#include "harness/net/net.h"
#include "harness/host/load_run.h"
#include "harness/env/lxc/lxc.h"
#include "harness/run/plan.h"
#include "harness/run/proc.h"
#include "harness/util.h"

#define LOG_FACT_MAX (32 * 1024) /* tail of liblxc's log kept as a fact */

struct lxc_priv {
	char name[64];
	char dir[512];       /* LXC_ISOLAT_PATH/name */
	char rootfs[4200];
	char log[600];       /* liblxc's log */
	char journal[600];   /* RT budget journal */
	char net_addr[32];   /* netlat: the address of its end, /24 */
	struct lxc_cg cg;
	struct lxc_rt rt;
	struct lxc_items items;
	struct proc child;   /* the monitor: out_fd = stream, err_fd = log */
};

static void fact(struct env_case *ec, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fact(struct env_case *ec, const char *key, const char *fmt, ...)
{
	char *value = NULL;
	va_list ap;
	int n;

	if (!ec->fact)
		return;
	va_start(ap, fmt);
	n = vasprintf(&value, fmt, ap);
	va_end(ap);
	if (n >= 0)
		ec->fact(ec->fact_ctx, key, value);
	free(value);
}

static int lxc_probe(char *why, size_t whysz)
{
	struct lxc_cg cg;
	const struct lxc_api *api = lxc_api_get(why, whysz);
	const char *v;

	if (!api)
		return -ENOENT;
	v = api->get_version();
	if (geteuid() != 0) {
		snprintf(why, whysz, "needs root (liblxc creates cgroups and "
			 "namespaces; run isolat as root)");
		return -EPERM;
	}
	if (!v || !*v) {
		snprintf(why, whysz, "liblxc does not report a version");
		return -ENOENT;
	}
	if (access("/usr/sbin/init.lxc.static", X_OK) &&
	    access("/usr/sbin/init.lxc", X_OK)) {
		snprintf(why, whysz, "lxc-init not found (/usr/sbin/init.lxc"
			 "[.static]): apt-get install lxc");
		return -ENOENT;
	}
	if (lxc_cg_probe(&cg, why, whysz) < 0)
		return -ENOENT;
	/* Ready: say with what (`isolat envs` shows this note). */
	snprintf(why, whysz, "liblxc %s; cpuset on cgroup %s, cpu on cgroup "
		 "%s%s", v, cg.cpuset_v2 ? "v2" : "v1", cg.cpu_v2 ? "v2" : "v1",
		 cg.rt_group ? " with an RT budget per container" : "");
	return 0;
}


/* cpuset of the container: the measured CPUs and the housekeeping one
 * (ascending: a load inside resolves its placement against it). */
static void lxc_inside_cpus(const struct scn_params *p, struct cpulist *out)
{
	*out = p->cpus;
	if (p->housekeeping < 0 || out->n >= CPULIST_MAX ||
	    cpulist_contains(out, (unsigned)p->housekeeping))
		return;
	out->cpu[out->n++] = (unsigned short)p->housekeeping;
	for (unsigned i = out->n - 1; i > 0 &&
	     out->cpu[i] < out->cpu[i - 1]; i--) {
		unsigned short t = out->cpu[i];

		out->cpu[i] = out->cpu[i - 1];
		out->cpu[i - 1] = t;
	}
}

static void case_cpuset(const struct plan_case *pc, char *buf, size_t size)
{
	struct cpulist l;

	lxc_inside_cpus(&pc->params, &l);
	if (cpulist_format(&l, buf, size) < 0)
		snprintf(buf, size, "%s", "");
}

static void host_facts(struct env_case *ec)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/ns/pid", buf, sizeof(buf) - 1);

	if (n > 0) {
		buf[n] = '\0';
		fact(ec, "lxc.host_pidns", "%s", buf);
	}
	/* The same first line the workload's HELLO "cgroup" fact reads. */
	if (read_text("/proc/self/cgroup", buf, sizeof(buf)) == 0) {
		buf[strcspn(buf, "\n")] = '\0';
		fact(ec, "lxc.host_cgroup", "%s", buf);
	}
}

/* Is capability bit cap in our effective set? */
static int have_cap(int cap)
{
	FILE *f = fopen("/proc/self/status", "re");
	unsigned long long eff = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> cap) & 1;
}

/* A container limit: want, or the current hard limit when we cannot
 * raise limits (no CAP_SYS_RESOURCE, e.g. inside another container):
 * liblxc would fail the start with EPERM otherwise. */
static int limit_value(int res, const char *want, char *buf, size_t size)
{
	struct rlimit rl;

	if (have_cap(24 /* CAP_SYS_RESOURCE */) || getrlimit(res, &rl) < 0) {
		snprintf(buf, size, "%s", want);
		return 0;
	}
	if (rl.rlim_max == RLIM_INFINITY)
		snprintf(buf, size, "unlimited");
	else
		snprintf(buf, size, "%llu", (unsigned long long)rl.rlim_max);
	return 1;
}

/* The RT budget the container got, and what the ancestors gave up. */
static void rt_facts(struct env_case *ec, const struct lxc_priv *p)
{
	for (unsigned i = 0; i < p->rt.n; i++) {
		char key[4300];

		snprintf(key, sizeof(key), "lxc.rt_runtime_us.%s",
			 p->rt.ch[i].path);
		fact(ec, key, "%ld (was %ld, restored after the case)",
		     p->rt.ch[i].now, p->rt.ch[i].orig);
	}
	if (p->rt.runtime_us >= 0) {
		char key[4400];

		snprintf(key, sizeof(key), "lxc.rt_runtime_us.%s/%s%s/"
			 "cpu.rt_runtime_us", p->cg.cpu_dir, LXC_CG_PAYLOAD,
			 p->name);
		fact(ec, key, "%ld (period %ld; granted after %d ms)",
		     p->rt.runtime_us, p->rt.period_us, p->rt.waited_ms);
	} else {
		fact(ec, "lxc.rt_budget", "none set: %s",
		     p->cg.cpu_v2 ? "cgroup v2 has no RT group budget"
				  : "the kernel has no RT group scheduling");
	}
}

/* netlat: the path's end if_a goes into the container (the reflector's
 * container, peer = lxc, gets a topology with if_b as its if_a). */
static void net_end(struct env_case *ec, struct lxc_priv *p,
		    struct lxc_conf_in *in)
{
	if (!ec->net)
		return;
	snprintf(p->net_addr, sizeof(p->net_addr), "%s" NET_PREFIX,
		 ec->net->addr_a);
	in->phys_link = ec->net->if_a;
	in->phys_addr = p->net_addr;
	fact(ec, "lxc.net", "%s %s (phys)", in->phys_link, in->phys_addr);
}

static int lxc_prepare(struct env_case *ec, char *err, size_t errsz)
{
	struct lxc_priv *p = calloc(1, sizeof(*p));
	const struct plan_case *pc = ec->pc;
	const char *binds[8];
	unsigned nbinds, rnd = 0;
	char cpuset[256], text[8192], memlock[64], rtprio[64];
	struct lxc_conf_in in = {0};
	int rc, fd;

	if (!p) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	p->child.pid = 0;
	p->child.out_fd = p->child.err_fd = -1;
	ec->priv = p;
	if (lxc_leftovers(text, sizeof(text)))
		fact(ec, "lxc.leftover_removed", "%s", text);

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, &rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd))
		rnd = (unsigned)time(NULL) ^ (unsigned)getpid();
	if (fd >= 0)
		close(fd);
	snprintf(p->name, sizeof(p->name), LXC_NAME_PREFIX "%ld-c%u-%08x",
		 (long)getpid(), pc ? pc->idx : 0, rnd);
	snprintf(p->dir, sizeof(p->dir), "%s/%s", LXC_ISOLAT_PATH, p->name);
	snprintf(p->log, sizeof(p->log), "%s/lxc.log", p->dir);
	snprintf(p->journal, sizeof(p->journal), "%s/rt-journal", p->dir);
	snprintf(p->rootfs, sizeof(p->rootfs), "%s/rootfs", ec->workdir);
	fact(ec, "lxc.name", "%s", p->name);
	fact(ec, "lxc.lxcpath", "%s", LXC_ISOLAT_PATH);
	fact(ec, "lxc.version", "%s", lxc_version());
	host_facts(ec);

	/* Before anything of it exists: a harness killed from here on
	 * leaves a journal that destroys it (restore, or the next run). */
	if (ec->journal && geteuid() == 0 &&
	    (rc = lxc_journal_container(ec->journal, p->name, err, errsz)) < 0)
		return rc;
	if ((mkdir("/run/isolat", 0700) < 0 && errno != EEXIST) ||
	    (mkdir(LXC_ISOLAT_PATH, 0700) < 0 && errno != EEXIST) ||
	    mkdir(p->dir, 0700) < 0) {
		rc = -errno;
		snprintf(err, errsz, "cannot create %s: %s", p->dir,
			 strerror(errno));
		return rc;
	}
	rc = lxc_rootfs_make(p->rootfs, ec->wl_path, binds, &nbinds, err,
			     errsz);
	if (rc < 0)
		return rc;
	rc = lxc_cg_probe(&p->cg, err, errsz);
	if (rc < 0)
		return rc;
	fact(ec, "lxc.cgroup.layout", "cpu: %s %s, cpuset: %s %s, RT groups: "
	     "%s", p->cg.cpu_v2 ? "v2" : "v1", p->cg.cpu_dir,
	     p->cg.cpuset_v2 ? "v2" : "v1", p->cg.cpuset_dir,
	     p->cg.rt_group ? "yes (cpu.rt_runtime_us)" : "no");
	rc = lxc_rt_reserve(&p->cg, p->journal, ec->beside ? 2 : 1, &p->rt,
			    err, errsz);
	if (rc < 0)
		return rc;
	rt_facts(ec, p);

	case_cpuset(pc, cpuset, sizeof(cpuset));
	fact(ec, "lxc.cpuset", "%s", cpuset);
	in.name = p->name;
	in.rootfs = p->rootfs;
	in.log_file = p->log;
	in.cpuset = cpuset;
	in.cgroup2 = p->cg.cpuset_v2;
	in.rt_period_us = p->rt.period_us;
	in.rt_runtime_us = p->rt.runtime_us;
	if (limit_value(RLIMIT_MEMLOCK, "unlimited", memlock, sizeof(memlock)) |
	    limit_value(RLIMIT_RTPRIO, "99", rtprio, sizeof(rtprio)))
		fact(ec, "lxc.prlimit", "memlock %s, rtprio %s: the harness "
		     "cannot raise limits (no CAP_SYS_RESOURCE); the kept "
		     "capabilities sys_nice and ipc_lock give SCHED_FIFO and "
		     "mlockall", memlock, rtprio);
	in.memlock = memlock;
	in.rtprio = rtprio;
	in.binds = binds;
	in.nbinds = nbinds;
	net_end(ec, p, &in);
	rc = lxc_conf_build(&in, &p->items, err, errsz);
	if (rc < 0)
		return rc;
	if (lxc_conf_text(&p->items, text, sizeof(text)) == 0)
		fact(ec, "lxc.config", "%s", text);
	return 0;
}

/* In the forked monitor: define the container and run it; never returns.
 * stdio are the log pipe by now, so messages land in the case's log. */
static void monitor_main(struct lxc_priv *p, char *const argv[])
{
	struct lxc_container *c = lxc_new(p->name, LXC_ISOLAT_PATH);

	if (!c) {
		fprintf(stderr, "isolat: liblxc: cannot create container "
			"%s in %s\n", p->name, LXC_ISOLAT_PATH);
		_exit(125);
	}
	for (unsigned i = 0; i < p->items.n; i++) {
		if (!c->set_config_item(c, p->items.item[i].key,
					p->items.item[i].value)) {
			fprintf(stderr, "isolat: liblxc rejected %s = %s\n",
				p->items.item[i].key, p->items.item[i].value);
			_exit(125);
		}
	}
	if (!c->save_config(c, NULL))
		fprintf(stderr, "isolat: liblxc: cannot save the config of "
			"%s (it runs anyway)\n", p->name);
	c->want_daemonize(c, false);
	c->want_close_all_fds(c, false);
	if (!c->start(c, 1, argv)) {
		fprintf(stderr, "isolat: liblxc: container %s failed to "
			"start%s%s (error %d); liblxc's log: %s\n", p->name,
			c->error_string ? ": " : "",
			c->error_string ? c->error_string : "", c->error_num,
			p->log);
		_exit(125);
	}
	/* error_num is the wait status of the container's init. */
	if (WIFSIGNALED(c->error_num))
		_exit(128 + WTERMSIG(c->error_num));
	_exit(WIFEXITED(c->error_num) ? WEXITSTATUS(c->error_num) : 125);
}

/* argv inside: the copy in the rootfs, frames on the inherited fd. */
static int inner_argv(struct env_case *ec, char *argv[], size_t max)
{
	static char fd_text[16];
	size_t n = 0;

	snprintf(fd_text, sizeof(fd_text), "%d", LXC_STREAM_FD);
	argv[n++] = "/isolat-wl";
	for (size_t i = 1; ec->wl_argv[i]; i++) {
		if (n + 3 >= max)
			return -E2BIG;
		argv[n++] = ec->wl_argv[i];
	}
	argv[n++] = "--out-fd";
	argv[n++] = fd_text;
	argv[n] = NULL;
	return 0;
}

struct monitor_arg {
	struct lxc_priv *p;
	char *const *argv;
};

static void monitor_run(void *arg)
{
	const struct monitor_arg *m = arg;

	monitor_main(m->p, m->argv);
}

/* The monitor: own process group (a ^C reaches the harness only, which
 * then stops the container in order), stdin /dev/null, stdout and stderr
 * the log (err_fd), the stream on LXC_STREAM_FD (out_fd); nothing else of
 * the harness (its database) goes in. */
static int spawn_monitor(struct lxc_priv *p, char *const argv[])
{
	struct monitor_arg m = {p, argv};
	const struct proc_spec spec = {
		.run = monitor_run,
		.arg = &m,
		.fd = {[0] = PROC_FD_NULL, [1] = PROC_FD_ERR, [2] = PROC_FD_ERR,
		       [LXC_STREAM_FD] = PROC_FD_OUT},
		.close_from = LXC_STREAM_FD + 1,
		.setup_exit = 125,
	};

	return proc_spawn(&p->child, &spec);
}

/*
 * liblxc's reason from its log: the first ERROR lines (the root cause
 * comes first, the consequences follow), each without its
 * "module - file.c:function:line - " prefix.
 */
static void log_errors(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	size_t len = 0;
	int n = 0;

	out[0] = '\0';
	if (!f)
		return;
	while (n < 2 && fgets(line, sizeof(line), f)) {
		char *e = strstr(line, " ERROR "), *msg;

		if (!e)
			continue;
		line[strcspn(line, "\n")] = '\0';
		msg = strstr(e, " - ");
		msg = msg ? strstr(msg + 3, " - ") : NULL;
		msg = msg ? msg + 3 : e + 7;
		len += (size_t)snprintf(out + len, size - len, "%s%s",
					n++ ? "; " : "", msg);
		if (len >= size)
			break;
	}
	fclose(f);
}

/* Store the tail of liblxc's log of this container. */
static void store_log(struct env_case *ec, struct lxc_priv *p)
{
	int fd = open(p->log, O_RDONLY | O_CLOEXEC);
	char *buf;
	off_t size;
	ssize_t n;

	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	buf = malloc(LOG_FACT_MAX + 1);
	if (buf && size > 0) {
		lseek(fd, size > LOG_FACT_MAX ? size - LOG_FACT_MAX : 0,
		      SEEK_SET);
		n = read(fd, buf, LOG_FACT_MAX);
		if (n > 0) {
			buf[n] = '\0';
			fact(ec, "lxc.log", "%s", buf);
		}
	}
	free(buf);
	close(fd);
}

/* Wait until the workload writes (running) or the monitor ends (failed:
 * liblxc's message in err, its stderr as a fact). */
static int await_workload(struct env_case *ec, struct lxc_priv *p,
			  char *err, size_t errsz)
{
	/* A load inside settles before the workload's first frame. */
	unsigned timeout_s = ec->pc ? ec->pc->params.hello_timeout_s +
				      load_inside_settle_s(ec->pc) : 30;
	double until = mono_now() + (timeout_s ? timeout_s : 30);
	char out[4096], errors[1024];
	size_t len = 0;

	while (mono_now() < until) {
		struct pollfd fd = {p->child.out_fd, POLLIN, 0};
		int n = poll(&fd, 1, 50);

		/* A signal (^C): let the run loop see it and stop us. */
		if (n < 0 && errno == EINTR)
			return 0;
		if (n > 0 && (fd.revents & POLLIN))
			return 0; /* frames are flowing: the collector reads */
		if (fd.revents & (POLLHUP | POLLERR))
			break;
	}
	/* Nothing came: the container or the workload failed to start. */
	proc_wait(&p->child, 5000);
	for (;;) {
		struct pollfd fd = {p->child.err_fd, POLLIN, 0};
		ssize_t n;

		if (poll(&fd, 1, 200) <= 0 || len + 1 >= sizeof(out))
			break;
		n = read(p->child.err_fd, out + len, sizeof(out) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	if (len)
		fact(ec, "workload_log", "%s", out);
	log_errors(p->log, errors, sizeof(errors));
	if (!p->child.reaped)
		snprintf(err, errsz, "container %s: nothing from the workload "
			 "within %u s", p->name, timeout_s);
	else if (errors[0])
		snprintf(err, errsz, "container %s failed to start: %s",
			 p->name, errors);
	else
		snprintf(err, errsz, "container %s ended before the workload "
			 "sent anything (monitor exit status %d): %.300s",
			 p->name, WIFEXITED(p->child.status)
			 ? WEXITSTATUS(p->child.status) : -1, out);
	return -ECHILD;
}

static int lxc_start_case(struct env_case *ec, char *err, size_t errsz)
{
	struct lxc_priv *p = ec->priv;
	char *argv[WL_ARGV_MAX];
	struct lxc_container *c;
	int rc;

	rc = inner_argv(ec, argv, sizeof(argv) / sizeof(argv[0]));
	if (rc == 0)
		rc = spawn_monitor(p, argv);
	if (rc < 0) {
		snprintf(err, errsz, "cannot start the container's monitor: "
			 "%s", strerror(-rc));
		return rc;
	}
	rc = await_workload(ec, p, err, errsz);
	if (rc < 0)
		return rc;
	c = lxc_new(p->name, LXC_ISOLAT_PATH);
	if (c) {
		pid_t init = c->init_pid(c);
		char path[64], cg[4096];

		fact(ec, "lxc.init_pid", "%ld", (long)init);
		snprintf(path, sizeof(path), "/proc/%ld/cgroup", (long)init);
		if (init > 0 && read_text(path, cg, sizeof(cg)) == 0)
			fact(ec, "lxc.init_cgroup", "%s", cg);
		lxc_put(c);
	}
	ec->stream_fd = p->child.out_fd;
	ec->log_fd = p->child.err_fd;
	ec->emulated = 0;
	return 0;
}

static int lxc_wait(struct env_case *ec, int timeout_ms, int *status)
{
	struct lxc_priv *p = ec->priv;
	int rc = proc_wait(&p->child, timeout_ms);

	if (rc == 0)
		*status = p->child.status;
	return rc;
}

static void lxc_stop(struct env_case *ec)
{
	struct lxc_priv *p = ec->priv;
	struct lxc_container *c;

	if (!p || p->child.pid <= 0 || p->child.reaped)
		return;
	/* SIGTERM to the monitor: liblxc forwards it to lxc-init, which
	 * forwards it to the workload (END status=interrupted). */
	kill(p->child.pid, SIGTERM);
	if (proc_wait(&p->child, 3000) == 0)
		return;
	c = lxc_new(p->name, LXC_ISOLAT_PATH);
	if (c) {
		c->stop(c); /* SIGKILL to the container's init */
		lxc_put(c);
	}
	proc_stop(&p->child, 2000);
}

static void lxc_cleanup(struct env_case *ec)
{
	struct lxc_priv *p = ec->priv;

	if (!p)
		return;
	lxc_stop(ec);
	proc_stop(&p->child, 1000);
	proc_close(&p->child);
	store_log(ec, p);
	if (p->dir[0]) {
		struct lxc_container *c =
			lxc_new(p->name, LXC_ISOLAT_PATH);

		if (c) {
			if (c->is_running(c))
				c->stop(c);
			if (c->is_defined(c) && !c->destroy(c))
				fprintf(stderr, "isolat: lxc: cannot destroy "
					"container %s\n", p->name);
			lxc_put(c);
		}
	}
	lxc_cg_remove(p->name);
	if (p->rt.n) {
		for (unsigned i = p->rt.n; i-- > 0;) {
			char key[4300];

			snprintf(key, sizeof(key), "lxc.rt_restored.%s",
				 p->rt.ch[i].path);
			fact(ec, key, "%ld", p->rt.ch[i].orig);
		}
	}
	if (lxc_rt_restore(&p->rt, p->journal) < 0)
		/* Kept with its journal: the container record of the case's
		 * journal stays, and restore or the next run tries again. */
		fprintf(stderr, "isolat: lxc: cannot put the RT budget of "
			"%s's parent cgroups back (%s); `isolat restore` will "
			"try again\n", p->name, p->rt.ch[p->rt.n - 1].path);
	else if (p->dir[0])
		lxc_remove_tree(p->dir);
	free(p);
	ec->priv = NULL;
	ec->stream_fd = ec->log_fd = -1;
}

const struct env_ops env_lxc_ops = {
	.name = "lxc",
	.flags = ENV_HOST_KERNEL | ENV_OWN_CGROUP | ENV_HOST_PROGRAMS,
	.netlat_end = 1 + NET_END_LXC,
	.describe = "the workload in an LXC container made through liblxc",
	.probe = lxc_probe,
	.prepare = lxc_prepare,
	.start = lxc_start_case,
	.wait = lxc_wait,
	.stop = lxc_stop,
	.cleanup = lxc_cleanup,
	.inside_cpus = lxc_inside_cpus,
};
