/*
 * wl_main.c - isolat-wl, the static workload binary: multi-call entry,
 * option parsing and validation, dispatch to a workload.
 *
 *   isolat-wl WORKLOAD [options]      WORKLOAD: rtlat | cyclictest | spin
 *   isolat-wl guest                   PID 1 of a guest (wl_guest.c); also
 *                                     chosen when started as PID 1
 *
 * The binary runs on the host, inside a container and as PID 1 of a
 * guest's initramfs, so everything it needs is in its argv.  Frames go to
 * --out-fd (stdout by default); anything for a person goes to stderr.
 * Options are validated before a single frame is sent, so a usage error
 * (exit 2) leaves an empty stream rather than a half-valid one.
 */
#include "workloads/wl.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PRIORITY 95
#define DEFAULT_INTERVAL_US 1000
#define DEFAULT_NOISE_THRESHOLD_NS 1000
#define MAX_INTERVAL_US 60000000ull /* one wake-up a minute */

struct workload {
	const char *name;
	const char *describe;
	int (*run)(const struct wl_opts *o);
};

/* The one list of workloads, shared with the harness (registry.c). */
static const struct workload wl_workloads[] = {
#define X(n, flags, d, needs, pkg) { #n, d, wl_run_##n },
#include "workloads/workloads.def"
#undef X
};
#define N_WORKLOADS (sizeof(wl_workloads) / sizeof(wl_workloads[0]))

enum opt_id {
	OPT_CPUS = 256,
	OPT_HOUSEKEEPING,
	OPT_POLICY,
	OPT_PRIORITY,
	OPT_INTERVAL_US,
	OPT_LOOPS,
	OPT_DURATION_S,
	OPT_OUT_FD,
	OPT_CYCLICTEST,
	OPT_NOISE_THRESHOLD_NS,
	OPT_TRACE_THRESHOLD_US,
	OPT_LOAD,
	OPT_LOAD_SETTLE_S,
	OPT_ROLE,
	OPT_PEER,
	OPT_BIND,
	OPT_NETNS,
	OPT_REPLY_TIMEOUT_US,
	OPT_SAME_CLOCK,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "housekeeping", required_argument, NULL, OPT_HOUSEKEEPING },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "priority", required_argument, NULL, OPT_PRIORITY },
	{ "interval-us", required_argument, NULL, OPT_INTERVAL_US },
	{ "loops", required_argument, NULL, OPT_LOOPS },
	{ "duration-s", required_argument, NULL, OPT_DURATION_S },
	{ "out-fd", required_argument, NULL, OPT_OUT_FD },
	{ "cyclictest", required_argument, NULL, OPT_CYCLICTEST },
	{ "noise-threshold-ns", required_argument, NULL,
	  OPT_NOISE_THRESHOLD_NS },
	{ "trace-threshold-us", required_argument, NULL,
	  OPT_TRACE_THRESHOLD_US },
	{ "load", required_argument, NULL, OPT_LOAD },
	{ "load-settle-s", required_argument, NULL, OPT_LOAD_SETTLE_S },
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "peer", required_argument, NULL, OPT_PEER },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "reply-timeout-us", required_argument, NULL, OPT_REPLY_TIMEOUT_US },
	{ "same-clock", no_argument, NULL, OPT_SAME_CLOCK },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: isolat-wl WORKLOAD [options]\n"
"\n"
"Measure real-time latency and write it as an isolat wire stream\n"
"(workloads/wire.h): HELLO, SAMPLES/EVENT frames, END.\n"
"\n"
"       isolat-wl guest   (PID 1 of a guest initramfs; see wl_guest.c)\n"
"\n"
"workloads:\n");
	for (size_t i = 0; i < N_WORKLOADS; i++)
		fprintf(f, "  %-12s %s\n", wl_workloads[i].name,
			wl_workloads[i].describe);
	fprintf(f,
"\n"
"options (same for every workload):\n"
"  --cpus LIST          measured CPUs, one series each, e.g. 1-3,6\n"
"                       (default: every usable CPU but the housekeeping one)\n"
"  --housekeeping CPU   CPU of the main/writer thread, never measured\n"
"                       (default: lowest usable CPU not in --cpus)\n"
"  --policy P           fifo | rr | other (default fifo)\n"
"  --priority N         1-99 for fifo/rr (default %d), 0 for other\n"
"  --interval-us N      wake-up interval; spin: window (default %d)\n"
"  --loops N            samples per CPU (spin: windows; 0: until SIGINT)\n"
"  --duration-s N       or: run N seconds (loops = N*1e6/interval)\n"
"                       neither: run until SIGINT/SIGTERM\n"
"  --out-fd N           write frames to fd N (default 1, stdout)\n"
"  --cyclictest PATH    cyclictest binary (default: /usr/bin/cyclictest,\n"
"                       /usr/local/bin/cyclictest)\n"
"  --noise-threshold-ns N  spin: a clock gap above N is noise (default 1000)\n"
"  --trace-threshold-us N  rtlat: a latency above N stops the kernel's\n"
"                       ftrace ring (tracing_on=0) and the run (cyclictest -b)\n"
"  --load ARG           one argument of a background load started here\n"
"                       before measuring, repeated in order: stress-ng ...\n"
"                       (its own process group; stopped before END)\n"
"  --load-settle-s N    the load runs N s before measuring (default 0)\n"
"  netlat: --role initiator|reflector (default initiator), --peer A:PORT\n"
"                       (initiator), --bind A:PORT (reflector: required),\n"
"                       --netns isolat-NAME (enter /run/netns/NAME first),\n"
"                       --reply-timeout-us N (default 10000), --same-clock\n"
"                       (the ends share CLOCK_MONOTONIC: one-way series)\n"
"\n"
"exit: 0 ok, 1 measurement failed (see the EVENTs), 2 bad options,\n"
"      130 interrupted\n",
		DEFAULT_PRIORITY, DEFAULT_INTERVAL_US);
}

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
	va_list ap;

	fputs("isolat-wl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see isolat-wl --help)\n", stderr);
	return -EINVAL;
}

/* Whole decimal number in [min, max]; no sign, no suffix, no blank. */
static int parse_u64(const char *opt, const char *s, uint64_t min,
		     uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		return bad("--%s '%s': not a number", opt, s);
	v = strtoull(s, &end, 10);
	if (*end)
		return bad("--%s '%s': not a number", opt, s);
	if (errno == ERANGE || v < min || v > max)
		return bad("--%s %s: out of range (%" PRIu64 "-%" PRIu64 ")",
			   opt, s, min, max);
	*out = v;
	return 0;
}

/* The options as given, before defaults are resolved. */
struct raw {
	const char *cpus, *policy;
	int have_hk, have_prio, have_loops, have_settle, help;
	uint64_t hk, prio, loops;
	struct wl_load load;
};

static int parse_args(int argc, char **argv, struct wl_opts *o,
		      struct raw *r)
{
	uint64_t v;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		const char *arg = optarg;
		int rc = 0;

		switch (c) {
		case OPT_CPUS: r->cpus = arg; break;
		case OPT_POLICY: r->policy = arg; break;
		case OPT_CYCLICTEST: o->cyclictest = arg; break;
		case OPT_HOUSEKEEPING:
			rc = parse_u64("housekeeping", arg, 0, CPULIST_MAX - 1,
				       &r->hk);
			r->have_hk = 1;
			break;
		case OPT_PRIORITY:
			rc = parse_u64("priority", arg, 0, INT_MAX, &r->prio);
			r->have_prio = 1;
			break;
		case OPT_INTERVAL_US:
			rc = parse_u64("interval-us", arg, 1, MAX_INTERVAL_US,
				       &o->interval_us);
			break;
		case OPT_LOOPS:
			rc = parse_u64("loops", arg, 0, UINT64_MAX / 2,
				       &r->loops);
			r->have_loops = 1;
			break;
		case OPT_DURATION_S:
			rc = parse_u64("duration-s", arg, 1, 100ull * 365 * 86400,
				       &o->duration_s);
			break;
		case OPT_NOISE_THRESHOLD_NS:
			rc = parse_u64("noise-threshold-ns", arg, 1,
				       1000000000ull, &o->noise_threshold_ns);
			break;
		case OPT_TRACE_THRESHOLD_US:
			rc = parse_u64("trace-threshold-us", arg, 1,
				       60000000ull, &o->trace_threshold_us);
			break;
		case OPT_OUT_FD:
			rc = parse_u64("out-fd", arg, 0, INT_MAX, &v);
			o->out_fd = (int)v;
			break;
		case OPT_LOAD:
			if (wl_load_add_arg(&r->load, optarg))
				return bad("more than %d --load arguments",
					   LOAD_ARGV_MAX);
			break;
		case OPT_LOAD_SETTLE_S:
			rc = parse_u64("load-settle-s", arg, 0, 3600, &v);
			r->load.settle_s = (unsigned)v;
			r->have_settle = 1;
			break;
		case OPT_ROLE:
			if (strcmp(arg, "initiator") && strcmp(arg, "reflector"))
				return bad("--role '%s': expected initiator "
					   "or reflector", arg);
			o->net_reflector = !strcmp(arg, "reflector");
			break;
		case OPT_PEER: o->net_peer = arg; break;
		case OPT_BIND: o->net_bind = arg; break;
		case OPT_NETNS: o->net_netns = arg; break;
		case OPT_SAME_CLOCK: o->net_same_clock = 1; break;
		case OPT_REPLY_TIMEOUT_US:
			rc = parse_u64("reply-timeout-us", arg, 1, 10000000,
				       &o->net_reply_timeout_us);
			break;
		case 'h':
		case OPT_HELP:
			r->help = 1;
			return 0;
		case ':':
			return bad("%s needs a value", argv[optind - 1]);
		default:
			return bad("unknown option '%s'", argv[optind - 1]);
		}
		if (rc)
			return rc;
	}
	if (optind < argc)
		return bad("unexpected argument '%s'", argv[optind]);
	return 0;
}

/* CPUs this process may run on, as a list (fallback when sysfs is not
 * there). */
static void allowed_list(const cpu_set_t *set, struct cpulist *l)
{
	l->n = 0;
	for (unsigned c = 0; c < CPULIST_MAX && c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, set))
			l->cpu[l->n++] = (unsigned short)c;
}

/*
 * The CPUs a measurement may use: the online ones, not this process's
 * inherited affinity.  With isolcpus= the kernel keeps init (and so every
 * process started from it, the harness included) off the isolated CPUs -
 * exactly the CPUs an isolation profile measures.  Whether pinning there
 * is allowed (a container's cpuset) is for pthread_setaffinity_np to say,
 * which becomes an AFFINITY_FAILED event.
 */
static void usable_list(const cpu_set_t *affinity, struct cpulist *l)
{
	char buf[1024];
	const char *why;
	ssize_t n = -1;
	int fd = open("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n > 0) {
		buf[n] = '\0';
		if (buf[n - 1] == '\n')
			buf[n - 1] = '\0';
		if (cpulist_parse(buf, l, &why) == 0 && l->n)
			return;
	}
	allowed_list(affinity, l);
}

static int resolve_cpus(struct wl_opts *o, const struct raw *r)
{
	struct cpulist allowed;
	char text[256];
	const char *why;

	if (sched_getaffinity(0, sizeof(o->orig_affinity), &o->orig_affinity))
		return bad("sched_getaffinity: %s", strerror(errno));
	usable_list(&o->orig_affinity, &allowed);
	if (cpulist_format(&allowed, text, sizeof(text)))
		snprintf(text, sizeof(text), "%u CPUs", allowed.n);

	if (r->cpus) {
		if (cpulist_parse(r->cpus, &o->cpus, &why))
			return bad("--cpus '%s': %s", r->cpus, why);
		if (!o->cpus.n)
			return bad("--cpus is empty: name at least one CPU");
	} else {
		/* Every usable CPU but the housekeeping one. */
		unsigned hk = r->have_hk ? (unsigned)r->hk
			      : (allowed.n ? allowed.cpu[0] : 0);

		o->cpus.n = 0;
		for (unsigned i = 0; i < allowed.n; i++)
			if (allowed.cpu[i] != hk)
				o->cpus.cpu[o->cpus.n++] = allowed.cpu[i];
		if (!o->cpus.n)
			return bad("only CPU %u is usable here (%s): nothing "
				   "left to measure besides housekeeping", hk,
				   text);
	}
	for (unsigned i = 0; i < o->cpus.n; i++)
		if (!cpulist_contains(&allowed, o->cpus.cpu[i]))
			return bad("--cpus: CPU %u is not online (online: %s)",
				   o->cpus.cpu[i], text);

	if (r->have_hk) {
		o->housekeeping = (unsigned)r->hk;
		if (cpulist_contains(&o->cpus, o->housekeeping))
			return bad("--housekeeping %u is also a measured CPU "
				   "(--cpus %s): the writer must not disturb "
				   "a measurement; pick a CPU outside the list",
				   o->housekeeping, r->cpus ? r->cpus : "");
		if (!cpulist_contains(&allowed, o->housekeeping))
			return bad("--housekeeping %u is not online (online: "
				   "%s)", o->housekeeping, text);
		return 0;
	}
	for (unsigned i = 0; i < allowed.n; i++)
		if (!cpulist_contains(&o->cpus, allowed.cpu[i])) {
			o->housekeeping = allowed.cpu[i];
			return 0;
		}
	return bad("every usable CPU (%s) is measured: leave one out of "
		   "--cpus for the housekeeping (writer) thread", text);
}

static int resolve(struct wl_opts *o, struct raw *r)
{
	int min, max, rc;

	if (!r->policy || !strcmp(r->policy, "fifo"))
		o->policy = SCHED_FIFO;
	else if (!strcmp(r->policy, "rr"))
		o->policy = SCHED_RR;
	else if (!strcmp(r->policy, "other"))
		o->policy = SCHED_OTHER;
	else
		return bad("--policy '%s': expected fifo, rr or other",
			   r->policy);
	min = sched_get_priority_min(o->policy);
	max = sched_get_priority_max(o->policy);
	o->priority = r->have_prio ? (int)r->prio
		      : o->policy == SCHED_OTHER ? 0 : DEFAULT_PRIORITY;
	if (o->priority < min || o->priority > max)
		return bad("--priority %d is out of range for policy %s "
			   "(%d-%d)", o->priority, wl_policy_name(o->policy),
			   min, max);

	if (r->have_loops && o->duration_s)
		return bad("--loops and --duration-s both given: use one");
	if (o->duration_s) {
		if (o->duration_s > UINT64_MAX / 1000000)
			return bad("--duration-s too large");
		o->loops = o->duration_s * 1000000 / o->interval_us;
		if (!o->loops)
			return bad("--duration-s %llu is shorter than one "
				   "interval (%llu us)",
				   (unsigned long long)o->duration_s,
				   (unsigned long long)o->interval_us);
	} else if (r->have_loops) {
		o->loops = r->loops;
	}

	if (r->load.argc) {
		char why[256];

		if (wl_load_check(&r->load, why,
				  sizeof(why)))
			return bad("--load: %s", why);
		o->load = &r->load;
	} else if (r->have_settle) {
		return bad("--load-settle-s without --load");
	}

	rc = fcntl(o->out_fd, F_GETFL);
	if (rc < 0)
		return bad("--out-fd %d: %s", o->out_fd, strerror(errno));
	if ((rc & O_ACCMODE) == O_RDONLY)
		return bad("--out-fd %d is open read-only", o->out_fd);
	return resolve_cpus(o, r);
}

/* netlat's options: only with netlat, one CPU, the role's address. */
static int check_netlat(struct wl_opts *o)
{
	int net = !strcmp(o->workload, "netlat");

	if (!net) {
		if (o->net_peer || o->net_bind || o->net_netns ||
		    o->net_reflector || o->net_same_clock ||
		    o->net_reply_timeout_us)
			return bad("--role/--peer/--bind/--netns/"
				   "--reply-timeout-us/--same-clock are "
				   "netlat's options");
		return 0;
	}
	if (!o->net_reply_timeout_us)
		o->net_reply_timeout_us = 10000;
	if (o->cpus.n != 1)
		return bad("netlat measures on one CPU: give --cpus N");
	if (o->net_reflector && !o->net_bind)
		return bad("--role reflector needs --bind A.B.C.D:PORT");
	if (!o->net_reflector && !o->net_peer)
		return bad("netlat needs --peer A.B.C.D:PORT (the reflector)");
	return 0;
}

int wl_pin_housekeeping(struct wl_out *out, const struct wl_opts *o)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(o->housekeeping, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		int e = errno;

		wl_event(out, WIRE_NO_SERIES, WIRE_EV_AFFINITY_FAILED,
			 (uint32_t)e, "cannot move the main thread to "
			 "housekeeping CPU %u: %s", o->housekeeping,
			 strerror(e));
		return -e;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct workload *w = NULL;
	struct wl_opts o;
	struct raw r;

	/* The kernel starts a guest's init as "/init" with stray
	 * command-line words as arguments: PID 1 named /init is what selects
	 * guest mode.  Never otherwise - guest mode mounts and powers the
	 * machine off - and not as PID 1 of a container either (an LXC
	 * backend may start us as its init, by another name). */
	if (getpid() == 1 && (!strcmp(argv[0], "/init") ||
			      (argc >= 2 && !strcmp(argv[1], "guest"))))
		return wl_guest_main();
	if (argc >= 2 && !strcmp(argv[1], "guest")) {
		bad("guest mode runs only as PID 1 of a guest's initramfs "
		    "(it powers the machine off)");
		return WL_EXIT_USAGE;
	}
	if (argc < 2) {
		usage(stderr);
		return WL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return WL_EXIT_OK;
	}
	for (size_t i = 0; i < N_WORKLOADS; i++)
		if (!strcmp(argv[1], wl_workloads[i].name))
			w = &wl_workloads[i];
	if (!w) {
		bad("unknown workload '%s' (rtlat, cyclictest, spin, netlat)",
		    argv[1]);
		return WL_EXIT_USAGE;
	}

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	o.workload = w->name;
	o.interval_us = DEFAULT_INTERVAL_US;
	o.out_fd = STDOUT_FILENO;
	o.noise_threshold_ns = DEFAULT_NOISE_THRESHOLD_NS;
	if (parse_args(argc - 1, argv + 1, &o, &r))
		return WL_EXIT_USAGE;
	if (r.help) {
		usage(stdout);
		return WL_EXIT_OK;
	}
	if (resolve(&o, &r) || check_netlat(&o))
		return WL_EXIT_USAGE;

	/* Blocked in every thread (threads inherit the mask); the workload
	 * collects them synchronously.  SIGPIPE too: a vanished collector
	 * must show up as EPIPE from write(), not kill us silently. */
	sigemptyset(&o.stop_sigs);
	sigaddset(&o.stop_sigs, SIGINT);
	sigaddset(&o.stop_sigs, SIGTERM);
	sigaddset(&o.stop_sigs, SIGHUP);
	{
		sigset_t block = o.stop_sigs;

		sigaddset(&block, SIGPIPE);
		pthread_sigmask(SIG_BLOCK, &block, &o.orig_sigmask);
	}
	if (o.load) {
		int rc = wl_load_start(o.load, &o);

		if (rc) {
			fprintf(stderr, "isolat-wl: cannot start the load %s: "
				"%s\n", o.load->path, strerror(-rc));
			return WL_EXIT_ERROR;
		}
		rc = wl_load_settle(o.load, &o);
		if (rc) {
			wl_load_stop(o.load, NULL);
			return rc == -EINTR ? WL_EXIT_INTERRUPTED
					    : WL_EXIT_ERROR;
		}
	}
	{
		int rc = w->run(&o);

		/* Every path: a workload that failed before its END. */
		wl_load_stop(o.load, NULL);
		return rc;
	}
}
