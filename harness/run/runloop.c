/*
 * runloop.c - see runloop.h.  Reads like rtla's run_tool(): set up, run,
 * collect, decide, and unwind with goto labels so every path cleans up.
 */
#include "harness/run/runloop.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collectors/hostinfo.h"
#include "collectors/ingest.h"
#include "harness/run/counters.h"
#include "harness/host/load_run.h"
#include "harness/run/progress.h"
#include "harness/run/workdir.h"
#include "harness/host/tuning.h"
#include "harness/net/net_case.h"
#include "harness/util.h"

#define LOG_KEEP (64 * 1024) /* tail of the workload's log kept per case */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

void runloop_signals(void)
{
	/* No SA_RESTART: poll() must return EINTR so the loop notices. */
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

struct log_tail {
	char buf[LOG_KEEP + 1];
	size_t len;
};

static void log_append(struct log_tail *t, const char *p, size_t n)
{
	tail_append(t->buf, &t->len, LOG_KEEP, p, n);
}

struct case_run {
	struct store *st;
	const struct plan *plan;
	const struct plan_case *pc;
	int64_t run_id, case_id;
	struct progress *prog;
	char reason[1024];
	int hello_checked;
	struct log_tail log;
};

static int fact_cb(void *ctx, const char *key, const char *value)
{
	struct case_run *cr = ctx;

	return store_case_fact(cr->st, cr->case_id, key, value);
}

/* argv for `isolat-wl WORKLOAD ...`; strings live in bufs.  Returns
 * the count (a load inside appends its options after them). */
static unsigned workload_argv(const struct plan_case *c, char bufs[7][64],
			      char *argv[WL_ARGV_MAX])
{
	unsigned i = 0;

	cpulist_format(&c->params.cpus, bufs[0], 64);
	snprintf(bufs[1], 64, "%d", c->params.housekeeping);
	snprintf(bufs[2], 64, "%d", c->params.priority);
	snprintf(bufs[3], 64, "%u", c->params.interval_us);
	snprintf(bufs[4], 64, "%llu", (unsigned long long)c->loops);
	snprintf(bufs[5], 64, "%s", c->params.policy);
	argv[i++] = "isolat-wl";
	argv[i++] = (char *)c->workload->name;
	argv[i++] = "--cpus";
	argv[i++] = bufs[0];
	argv[i++] = "--housekeeping";
	argv[i++] = bufs[1];
	argv[i++] = "--policy";
	argv[i++] = bufs[5];
	argv[i++] = "--priority";
	argv[i++] = bufs[2];
	argv[i++] = "--interval-us";
	argv[i++] = bufs[3];
	argv[i++] = "--loops";
	argv[i++] = bufs[4];
	if (c->params.trace_threshold_us &&
	    (c->workload->flags & WL_TRACE_THRESHOLD)) {
		snprintf(bufs[6], 64, "%u", c->params.trace_threshold_us);
		argv[i++] = "--trace-threshold-us";
		argv[i++] = bufs[6];
	}
	argv[i] = NULL;
	return i;
}

/*
 * A guest booted with its profile's isolcpus, nohz_full, ... must say in
 * its HELLO that its kernel applied them: else the case fails, never
 * measured as if they were set.  0 when fine (or not a guest).
 */
static int guest_boot_check(struct case_run *cr, struct ingest *in)
{
	const struct plan_case *pc = cr->pc;
	char why[768], args[1024] = "";

	if (!env_is(pc->env, ENV_GUEST) || !pc->profile)
		return 0;
	tuning_guest_boot_args(pc->profile, args, sizeof(args), NULL, 0);
	if (!args[0])
		return 0;
	if (tuning_guest_boot_verify(pc->profile, ingest_fact(in, "cmdline"),
				     ingest_fact(in, "isolated"),
				     ingest_fact(in, "nohz_full"), why,
				     sizeof(why)) < 0) {
		snprintf(cr->reason, sizeof(cr->reason), "%s", why);
		store_case_fact(cr->st, cr->case_id, "guest.boot",
				"not applied");
		return -ECANCELED;
	}
	store_case_fact(cr->st, cr->case_id, "guest.boot", args);
	return 0;
}

/*
 * Read the stream until EOF, a deadline or a signal.  Returns 0 at EOF,
 * -ETIMEDOUT, -EINTR, -ECANCELED (guest_boot_check), or a negative errno
 * from ingest (database).
 */
static int collect(struct case_run *cr, struct env_case *ec,
		   struct ingest *in, double drain_until)
{
	const struct scn_params *p = &cr->pc->params;
	double start = mono_now(), case_s = plan_case_seconds(cr->pc);
	/* A load inside settles before the workload says HELLO. */
	double hello_by = start + p->hello_timeout_s +
			  load_inside_settle_s(cr->pc);
	double end_by = hello_by + case_s + p->grace_s;
	static char buf[1 << 16];
	int stream_open = 1, log_open = ec->log_fd >= 0;

	while (stream_open) {
		struct pollfd fds[2] = {{ec->stream_fd, POLLIN, 0},
					{log_open ? ec->log_fd : -1, POLLIN, 0}};
		double now = mono_now();
		int rc;

		if (drain_until) {
			/* Told to stop: read what it still sends (END with
			 * its totals) until it closes, or give up. */
			if (now > drain_until)
				return -ETIMEDOUT;
		} else if (interrupted) {
			return -EINTR;
		} else if (!ingest_seen_hello(in) && now > hello_by) {
			snprintf(cr->reason, sizeof(cr->reason),
				 "no HELLO from the workload within %u s",
				 p->hello_timeout_s);
			return -ETIMEDOUT;
		} else if (now > end_by) {
			snprintf(cr->reason, sizeof(cr->reason),
				 "still running %u s after its expected "
				 "end (%.0f s)", p->grace_s, case_s);
			return -ETIMEDOUT;
		}
		if (!drain_until)
			progress_draw(cr->prog, cr->pc->idx + 1, cr->pc->name,
				      case_s, now - start, ingest_max(in));
		rc = poll(fds, 2, 250);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -errno;
		if (fds[1].revents) {
			ssize_t n = read(ec->log_fd, buf, sizeof(buf));

			if (n > 0)
				log_append(&cr->log, buf, (size_t)n);
			else if (n == 0 || errno != EINTR)
				log_open = 0;
		}
		if (fds[0].revents) {
			ssize_t n = read(ec->stream_fd, buf, sizeof(buf));

			if (n > 0) {
				rc = ingest_feed(in, buf, (size_t)n);
				if (rc < 0)
					return rc;
				if (!cr->hello_checked &&
				    ingest_seen_hello(in)) {
					cr->hello_checked = 1;
					rc = guest_boot_check(cr, in);
					if (rc < 0)
						return rc;
				}
			} else if (n == 0 || errno != EINTR) {
				stream_open = 0;
			}
		}
	}
	/* The stream is closed; drain what is left of the log. */
	while (log_open) {
		struct pollfd fd = {ec->log_fd, POLLIN, 0};
		ssize_t n;

		if (poll(&fd, 1, 1000) <= 0)
			break;
		n = read(ec->log_fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		log_append(&cr->log, buf, (size_t)n);
	}
	return 0;
}

static void describe_exit(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "wait status 0x%x", status);
}

/* Decide done/failed from what the stream and the exit status say. */
static int verdict(struct case_run *cr, struct ingest *in, int collected,
		   int waited, int status)
{
	char how[128];

	if (cr->reason[0])
		return 0; /* already failed (deadline, interrupt) */
	describe_exit(status, how, sizeof(how));
	if (collected < 0)
		snprintf(cr->reason, sizeof(cr->reason),
			 "collecting failed: %s", strerror(-collected));
	else if (!ingest_seen_hello(in))
		snprintf(cr->reason, sizeof(cr->reason),
			 "the workload sent no HELLO (%s); see the case's "
			 "workload_log", how);
	else if (!ingest_seen_end(in))
		snprintf(cr->reason, sizeof(cr->reason),
			 "the stream ended without END (%s)", how);
	else if (strcmp(ingest_end_status(in), "ok"))
		snprintf(cr->reason, sizeof(cr->reason),
			 "the workload reported status %s: %s",
			 ingest_end_status(in),
			 ingest_first_error(in)[0] ? ingest_first_error(in)
						   : how);
	else if (waited == 0 && !(WIFEXITED(status) &&
				  WEXITSTATUS(status) == 0))
		snprintf(cr->reason, sizeof(cr->reason),
			 "the workload ended with %s", how);
	return 0;
}

/*
 * Keep the harness (and the chunk writer thread it starts for the case) off
 * the measured CPUs: decoding, encoding and SQLite writes are exactly the
 * disturbance a measurement must not see.  Threads started later inherit
 * this mask; children set their own affinity explicitly.
 */
static int pin_harness(const struct plan_case *pc, cpu_set_t *saved)
{
	struct cpulist online;
	const char *why;
	char text[1024];
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(*saved), saved) < 0 ||
	    read_text("/sys/devices/system/cpu/online", text,
		      sizeof(text)) < 0 ||
	    cpulist_parse(text, &online, &why) < 0)
		return -1;
	CPU_ZERO(&set);
	for (unsigned i = 0; i < online.n; i++)
		if (!cpulist_contains(&pc->host_cpus, online.cpu[i])) {
			CPU_SET(online.cpu[i], &set);
			n++;
		}
	if (!n || sched_setaffinity(0, sizeof(set), &set) < 0)
		return -1;
	return 0;
}

/* env->start, with the harness inside the profile's cgroup v2 partition
 * for just that long when there is one (tuning_enter): the workload must
 * be born inside, the harness must not stay there. */
static int start_workload(const struct env_ops *env, struct env_case *ec,
			  struct tuning *tune, char *err, size_t errsz)
{
	int rc = tuning_enter(tune, err, errsz);

	if (rc == 0)
		rc = env->start(ec, err, errsz);
	if (tuning_leave(tune, rc < 0 ? NULL : err, errsz) < 0 && rc == 0)
		rc = -EIO;
	return rc;
}

/* One case's state across its steps (run_case). */
struct case_state {
	struct case_run *cr;
	const struct plan_case *pc;
	const struct env_ops *env;
	const char *journal;
	struct env_case ec;
	char argvbuf[7][64], *argv[WL_ARGV_MAX];
	unsigned argc;
	char workdir[64];
	struct case_counters *cc;
	struct load_run *ld;     /* background load (load_run.h) */
	struct load_inside *li;  /* ... or one isolat-wl starts */
	struct net_case *nc;     /* netlat: the path and its reflector */
	struct tuning tune;
	struct ingest *in;
	char err[512];
	int collected, waited, status, prepared, pinned;
	cpu_set_t saved_affinity;
};

/* Mark the case running, build its argv, make its work directory and open
 * its transaction.  0; 1 when it failed before anything was made (reason
 * set: go on to case_finish); -errno when it cannot be recorded. */
static int case_begin(struct case_state *cs, const char *wl_path)
{
	struct case_run *cr = cs->cr;
	char host[256];
	int rc;

	cr->reason[0] = '\0';
	cr->hello_checked = 0;
	cr->log.len = 0;
	cs->ec = (struct env_case){.pc = cs->pc, .wl_path = wl_path,
				   .stream_fd = -1, .log_fd = -1,
				   .fact = fact_cb, .fact_ctx = cr};
	cs->pinned = pin_harness(cs->pc, &cs->saved_affinity) == 0;
	rc = store_case_status(cr->st, cr->case_id, "running", NULL);
	if (rc < 0)
		return rc;
	progress_case_start(cr->prog, cs->pc->idx + 1, cs->pc->name,
			    plan_case_seconds(cs->pc));
	cs->argc = workload_argv(cs->pc, cs->argvbuf, cs->argv);
	cs->ec.wl_argv = cs->argv;
	/* One journal for the case: its work directory, host tuning,
	 * tracefs, its load and the backend's objects, undone together. */
	tuning_begin(&cs->tune, cs->journal);
	if (workdir_make(&cs->tune.j, cs->workdir, sizeof(cs->workdir),
			 cs->err, sizeof(cs->err)) < 0) {
		snprintf(cr->reason, sizeof(cr->reason),
			 "cannot create a work directory: %s", cs->err);
		cs->workdir[0] = '\0';
		return 1;
	}
	cs->ec.workdir = cs->workdir;
	rc = store_begin(cr->st);
	if (rc < 0)
		return rc;
	cs->prepared = 1;
	/* What host tuning, loads and counters took as measured. */
	cpulist_format(&cs->pc->host_cpus, host, sizeof(host));
	store_case_fact(cr->st, cr->case_id, "host_cpus", host);
	return 0;
}

/* A load inside, host tuning, the counters.  0, or -1 with the reason. */
static int case_tune(struct case_state *cs)
{
	struct case_run *cr = cs->cr;
	const struct plan_case *pc = cs->pc;

	if (load_runs_inside(pc) &&
	    (!(cs->li = malloc(sizeof(*cs->li))) ||
	     load_inside_prepare(pc, cs->li, cs->argv, &cs->argc, WL_ARGV_MAX,
				 &cs->ec.guest_programs, fact_cb, cr, cs->err,
				 sizeof(cs->err)) < 0)) {
		snprintf(cr->reason, sizeof(cr->reason), "load: %s",
			 cs->li ? cs->err : "out of memory");
		return -1;
	}
	/* Host tuning first, undone last: every change is journaled before
	 * it is made (harness/host/journal.h), so a crash leaves a journal for
	 * `isolat restore`. */
	if (tuning_apply(&cs->tune, pc, cs->journal, fact_cb, cr, cs->err,
			 sizeof(cs->err)) < 0) {
		snprintf(cr->reason, sizeof(cr->reason),
			 "host tuning of profile %s: %s", pc->profile_name,
			 cs->err);
		return -1;
	}
	/* The backend's host changes (Xen's domain, cpupool, dom0 pinning)
	 * go into the same journal, undone with it. */
	cs->ec.journal = &cs->tune.j;
	/* Host IRQ deltas, and ftrace on threshold: its tracefs changes go
	 * into the same journal after tuning's, so the one replay in
	 * tuning_undo() undoes them first. */
	cs->cc = case_counters_begin(pc, &cs->tune.j);
	return 0;
}

/* Network path, prepare, the load, start.  0, or -1 with the reason. */
static int case_launch(struct case_state *cs)
{
	struct case_run *cr = cs->cr;
	int lrc = 0;

	/* netlat: its path (journaled) and reflector, before the initiator */
	if (cs->pc->net && net_case_begin(&cs->ec, &cs->nc, cs->argv,
			&cs->argc, WL_ARGV_MAX, cs->err, sizeof(cs->err)) < 0) {
		snprintf(cr->reason, sizeof(cr->reason), "network %s: %s",
			 cs->pc->net->name, cs->err);
		return -1;
	}
	cs->ec.net = net_case_topo(cs->nc);
	/* The load starts load_settle_s before the workload; a load that
	 * dies before it makes the case fail, never pass unloaded. */
	if (cs->env->prepare(&cs->ec, cs->err, sizeof(cs->err)) < 0 ||
	    (lrc = load_start(cs->pc, cs->workdir, &cs->tune.j, fact_cb,
			      cr, &cs->ld,
			      cs->err, sizeof(cs->err))) < 0 ||
	    (lrc = load_settle(cs->ld, &interrupted, cs->err,
			       sizeof(cs->err))) < 0 ||
	    start_workload(cs->env, &cs->ec, &cs->tune, cs->err,
			   sizeof(cs->err)) < 0) {
		snprintf(cr->reason, sizeof(cr->reason), "%s: %s",
			 lrc < 0 ? "load" : cs->env->name, cs->err);
		return -1;
	}
	if (cs->ec.emulated)
		store_case_set_emulated(cr->st, cr->case_id, 1);
	return 0;
}

/* The stream into the store until the workload ends (or is stopped),
 * then the verdict.  0, or -errno when recording failed. */
static int case_collect(struct case_state *cs)
{
	struct case_run *cr = cs->cr;
	const struct env_ops *env = cs->env;
	struct env_case *ec = &cs->ec;
	int rc;

	cs->in = ingest_new(cr->st, cr->run_id, cr->case_id);
	if (!cs->in)
		return -ENOMEM;
	cs->collected = collect(cr, ec, cs->in, 0);
	if (cs->collected == -EINTR)
		snprintf(cr->reason, sizeof(cr->reason),
			 "interrupted by signal %d", (int)interrupted);
	if (cs->collected == -EINTR || cs->collected == -ETIMEDOUT) {
		/* Ask the workload to end (it then drains its rings and sends
		 * END with its totals) and keep reading; stop it hard only if
		 * that does not happen soon. */
		if (env->interrupt) {
			env->interrupt(ec);
			collect(cr, ec, cs->in, mono_now() + 5.0);
		}
		env->stop(ec);
	} else if (cs->collected < 0) {
		env->stop(ec);
	}
	/* A workload that closed its stream ends by itself within a few
	 * seconds; one that does not is stopped. */
	cs->waited = env->wait(ec, 5000, &cs->status);
	if (cs->waited < 0) {
		env->stop(ec);
		cs->waited = env->wait(ec, 5000, &cs->status);
	}
	rc = ingest_finish(cs->in);
	if (rc < 0)
		return rc;
	verdict(cr, cs->in, cs->collected, cs->waited, cs->status);
	return 0;
}

/* Every path: the load stopped, what the case said kept, its status.
 * Returns rc, or the counters' recording error. */
static int case_finish(struct case_state *cs, int rc)
{
	struct case_run *cr = cs->cr;
	int rc2;

	load_stop(cs->ld); /* every path: stress-ng never outlives its case */
	net_case_stop(cs->nc); /* the reflector; the path goes in case_undo */
	if (cs->li)
		load_inside_finish(cs->pc, cs->in, fact_cb, cr);
	if (cr->log.len)
		store_case_fact(cr->st, cr->case_id, "workload_log",
				cr->log.buf);
	if (cs->prepared &&
	    (rc2 = case_counters_end(cs->cc, cr->st, cr->case_id)))
		rc = rc < 0 ? rc : rc2;
	if (rc < 0 && !cr->reason[0])
		snprintf(cr->reason, sizeof(cr->reason),
			 "recording failed: %s (%s)", strerror(-rc),
			 store_errmsg(cr->st));
	store_case_status(cr->st, cr->case_id,
			  cr->reason[0] ? "failed" : "done",
			  cr->reason[0] ? cr->reason : NULL);
	return rc;
}

/* The backend's cleanup, host tuning undone, the case committed. */
static int case_undo(struct case_state *cs, int rc)
{
	struct case_run *cr = cs->cr;
	int rc2;

	if (!cs->prepared)
		return rc;
	cs->env->cleanup(&cs->ec);
	net_case_end(cs->nc); /* a peer environment: made first, out last */
	if (tuning_undo(&cs->tune, cs->err, sizeof(cs->err)) < 0)
		fprintf(stderr, "isolat: case %u %s: restoring host tuning: "
			"%s\n", cs->pc->idx, cs->pc->name, cs->err);
	/* Nothing may still be inserting when the case commits. */
	if (cs->in && (rc2 = ingest_drain(cs->in)) < 0 && rc == 0)
		rc = rc2;
	if (store_commit(cr->st) < 0) {
		store_rollback(cr->st);
		rc = -EIO;
	}
	return rc;
}

static void case_free(struct case_state *cs)
{
	ingest_free(cs->in);
	free(cs->li);
	/* Not prepared: nothing but the work directory was journaled. */
	if (!cs->prepared && tuning_undo(&cs->tune, cs->err,
					 sizeof(cs->err)) < 0)
		fprintf(stderr, "isolat: case %u %s: %s\n", cs->pc->idx,
			cs->pc->name, cs->err);
	if (cs->workdir[0])
		workdir_remove(cs->workdir);
	if (cs->pinned)
		sched_setaffinity(0, sizeof(cs->saved_affinity),
				  &cs->saved_affinity);
}

/*
 * One case, step by step:
 *   begin (running, argv, work dir) -> tune (load inside, host tuning,
 *   counters) -> launch (net path, prepare, load, start) -> collect
 *   (stream -> store, stop, wait, verdict) -> finish (load stopped, ...)
 *   -> undo (cleanup, tuning undone, commit) -> the case's progress
 *   line (its worst max and samples, off a terminal).
 * A step that fails sets the reason and the case goes on to finish.
 * Returns 0 (the case may have failed: cr->reason) or -errno when it
 * could not be recorded.
 */
static int run_case(struct case_run *cr, const char *wl_path,
		    const char *journal)
{
	struct case_state *cs = calloc(1, sizeof(*cs));
	int rc;

	if (!cs)
		return -ENOMEM;
	cs->cr = cr;
	cs->pc = cr->pc;
	cs->env = cr->pc->env;
	cs->journal = journal;
	cs->tune.j.fd = -1;
	cs->waited = -1;
	rc = case_begin(cs, wl_path);
	if (rc < 0)
		goto out;
	if (rc == 0 && case_tune(cs) == 0 && case_launch(cs) == 0)
		rc = case_collect(cs);
	else
		rc = 0;
	rc = case_finish(cs, rc);
	rc = case_undo(cs, rc);
out:
	progress_case_end(cr->prog, cr->st, cr->case_id, cs->pc->idx + 1,
			  cs->pc->name,
			  rc < 0 || cr->reason[0] ? "failed" : "done",
			  cr->reason);
	case_free(cs);
	free(cs);
	return rc;
}

static int store_host(struct store *st, int64_t run_id,
		      const struct hostinfo *hi)
{
	for (size_t i = 0; i < hi->n; i++) {
		int rc = store_run_meta(st, run_id, hi->items[i].key,
					hi->items[i].value);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The run row, host row and every case as 'pending', in one transaction:
 * the plan is in the database before anything runs. */
static int set_host_meta(void *ctx, const char *key, const char *value)
{
	return hostinfo_set(ctx, key, value);
}

static int record_plan(struct store *st, const struct plan *plan,
		       const struct run_opts *o, const struct hostinfo *hi,
		       struct run_result *res, int64_t *run_id,
		       int64_t *case_ids)
{
	char fp[32];
	const char *ncpus = hostinfo_get(hi, "ncpus");
	struct store_host h = {
		.fingerprint = fp,
		.hostname = hostinfo_get(hi, "hostname"),
		.model = hostinfo_get(hi, "model"),
		.cpu_model = hostinfo_get(hi, "cpu_model"),
		.ncpus = ncpus ? atoi(ncpus) : 0,
	};
	struct store_run r = {
		.uuid = res->uuid,
		.scenario_name = plan->scn->name,
		.scenario_path = plan->scn->path,
		.scenario_text = plan->scn->text,
		.tool_version = ISOLAT_VERSION,
		.argv = o->argv_text,
	};
	int rc;

	hostinfo_fingerprint(hi, fp, sizeof(fp));
	rc = store_begin(st);
	if (rc < 0)
		return rc;
	rc = store_host_upsert(st, &h, &r.host_id);
	if (rc == 0)
		rc = store_run_create(st, &r, run_id);
	if (rc == 0)
		rc = store_host(st, *run_id, hi);
	for (unsigned i = 0; i < plan->n && rc == 0; i++) {
		const struct plan_case *c = &plan->cases[i];
		char *json = plan_case_json(plan, c), wl[PLAN_WORKLOAD_MAX];
		struct store_case sc = {
			.idx = (int)c->idx, .repetition = (int)c->repetition,
			.name = c->name, .environment = c->env->name,
			.profile = c->profile_name,
			.workload = wl, .load = c->load.name,
			.params_json = json,
		};

		plan_case_workload(c, wl, sizeof(wl));
		rc = json ? store_case_create(st, *run_id, &sc, &case_ids[i])
			  : -ENOMEM;
		free(json);
	}
	if (rc < 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st);
}

/*
 * The case whose recording failed (a full disk: its transaction was
 * rolled back, so it reads 'running' again) ends failed, with that as its
 * reason, before the run gives up: a small autocommit update often still
 * fits.  If even that fails, the next run's sweep marks it
 * (store_runs_abandoned).
 */
static void fail_unrecorded(struct store *st, int64_t case_id, int rc,
			    const char *err, const char *was)
{
	char reason[1024];

	snprintf(reason, sizeof(reason), "recording the case failed: %s "
		 "(%s)%s%.300s", store_errmsg(st), strerror(-rc),
		 was[0] ? "; before that: " : "", was);
	if (store_case_status(st, case_id, "failed", reason) < 0)
		fprintf(stderr, "isolat: %s; and marking the case failed "
			"failed too (%s): the next run on this host marks "
			"it\n", err, store_errmsg(st));
}

int run_plan(struct store *st, const struct plan *plan,
	     const struct run_opts *o, struct run_result *res, char *err,
	     size_t errsz)
{
	struct hostinfo hi = {0};
	int64_t run_id = 0, *case_ids;
	char wl_path[4096], why[512];
	struct progress prog;
	struct case_run *cr;
	double total = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	if (o->wl_path)
		rc = 0, snprintf(wl_path, sizeof(wl_path), "%s", o->wl_path);
	else
		rc = workload_binary(wl_path, sizeof(wl_path), why,
				     sizeof(why));
	if (rc < 0) {
		snprintf(err, errsz, "%s", why);
		return rc;
	}
	case_ids = calloc(plan->n ? plan->n : 1, sizeof(*case_ids));
	cr = calloc(1, sizeof(*cr));
	if (!case_ids || !cr || uuid_v4(res->uuid) < 0 ||
	    hostinfo_collect(&hi, o->sysroot) < 0) {
		rc = -ENOMEM;
		snprintf(err, errsz, "out of memory or no randomness");
		goto out;
	}
	/* Backend host metadata (xl info on a Xen dom0); not for a sysroot
	 * that is not this host. */
	if (!o->sysroot || !strcmp(o->sysroot, "/"))
		for (unsigned i = 0; env_table[i]; i++)
			if (env_table[i]->host_meta)
				env_table[i]->host_meta(set_host_meta, &hi);
	rc = record_plan(st, plan, o, &hi, res, &run_id, case_ids);
	if (rc < 0) {
		snprintf(err, errsz, "cannot record the run: %s",
			 store_errmsg(st));
		goto out;
	}
	for (unsigned i = 0; i < plan->n; i++)
		if (!plan->cases[i].skip_reason[0])
			total += plan_case_seconds(&plan->cases[i]);
	progress_init(&prog, o->quiet, plan->n, total);
	cr->st = st;
	cr->plan = plan;
	cr->run_id = run_id;
	cr->prog = &prog;
	for (unsigned i = 0; i < plan->n; i++) {
		const struct plan_case *pc = &plan->cases[i];
		const char *skip = pc->skip_reason[0] ? pc->skip_reason
			: interrupted ? "run interrupted before this case" : NULL;

		if (skip) {
			rc = store_case_status(st, case_ids[i], "skipped", skip);
			progress_case_end(&prog, NULL, 0, pc->idx + 1, pc->name,
					  "skipped", skip);
			res->skipped++;
			if (rc < 0)
				break;
			continue;
		}
		cr->pc = pc;
		cr->case_id = case_ids[i];
		rc = run_case(cr, wl_path, o->journal ? o->journal
						    : JOURNAL_DEFAULT);
		progress_case_done(&prog, plan_case_seconds(pc));
		if (rc < 0) {
			snprintf(err, errsz, "case %u (%s): cannot record: %s",
				 pc->idx, pc->name, store_errmsg(st));
			fail_unrecorded(st, case_ids[i], rc, err, cr->reason);
			break;
		}
		if (cr->reason[0]) {
			res->failed++;
			progress_clear(&prog);
			if (!o->quiet)
				fprintf(stderr, "isolat: case %u %s failed: "
					"%s\n", pc->idx, pc->name, cr->reason);
		} else {
			res->done++;
		}
	}
	progress_clear(&prog);
	res->interrupted = interrupted != 0;
	store_run_finish(st, run_id,
			 res->interrupted ? "interrupted"
			 : rc < 0 || res->failed ? "failed"
						  : "done");
out:
	hostinfo_free(&hi);
	free(case_ids);
	free(cr);
	return rc;
}
