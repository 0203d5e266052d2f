/*
 * wl_cyclictest.c - the cyclictest workload: run the real rt-tests
 * cyclictest and re-frame its output as the same wire stream rtlat sends,
 * so the two can be compared sample by sample.
 *
 * cyclictest is started with an argv (fork + execv, never a shell):
 *
 *   cyclictest -q -v -N -m -d 0 -i INTERVAL -l LOOPS -t NCPUS -a CPULIST
 *              -p PRIO --policy=P --mainaffinity=HOUSEKEEPING
 *
 * -v -N makes it print every sample as "thread: loop: latency_ns"; with -q
 * it ends with one "T: i (tid) P:prio I:... C:count ... Max:..." summary
 * per thread.  Thread i runs on the i-th CPU of the list (-a is applied
 * round robin in ascending order), which is series i.  Its stdout and
 * stderr are read through pipes; every line is accounted for: a sample, a
 * summary, a known banner, or a WARNING event.
 */
#include "workloads/wl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WARNINGS 50      /* then one "suppressed" and a count in END */
#define ERR_TAIL 2048
#define LINE_MAX_LEN 4096

static const char *const search_path[] = {
	"/usr/bin/cyclictest",
	"/usr/local/bin/cyclictest",
};

/* Lines cyclictest prints around the samples that carry no sample. */
static const char *const banners[] = {
	"Using ", "Max CPUs", "Online CPUs", "# /dev/cpu_dma_latency",
	"Thread ", "# ",
};

struct ct {
	const struct wl_opts *o;
	struct wl_out out;
	unsigned n;
	struct wl_stage *st;
	struct wl_result *res;
	uint64_t *next_seq;      /* loop index expected next, per series */
	int *prio_seen;          /* P: of the T: line, -1 = none yet */
	uint64_t *cycles_seen;   /* C: of the T: line */
	long long *max_seen;     /* Max: of the T: line, -1 = none */
	char line[LINE_MAX_LEN];
	size_t llen;
	int overlong;
	char err[ERR_TAIL];      /* tail of cyclictest's stderr */
	size_t errlen;
	unsigned warnings;
	uint64_t unparsed;
	int failed, interrupted;
};

__attribute__((format(printf, 4, 5)))
static void warn(struct ct *c, unsigned series, uint32_t code,
		 const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (++c->warnings <= MAX_WARNINGS)
		wl_event(&c->out, series, WIRE_EV_WARNING, code, "%s", msg);
	else if (c->warnings == MAX_WARNINGS + 1)
		wl_event(&c->out, WIRE_NO_SERIES, WIRE_EV_WARNING, 0,
			 "more cyclictest warnings suppressed");
}

static const char *find_cyclictest(const struct wl_opts *o)
{
	if (o->cyclictest)
		return access(o->cyclictest, X_OK) == 0 ? o->cyclictest : NULL;
	for (size_t i = 0; i < sizeof(search_path) / sizeof(*search_path); i++)
		if (access(search_path[i], X_OK) == 0)
			return search_path[i];
	return NULL;
}

/* "cyclictest V 2.40" from `cyclictest --help` (it has no --version). */
static void cyclictest_version(const struct wl_opts *o, const char *path,
			       char *ver, size_t size)
{
	char *const argv[] = { "cyclictest", "--help", NULL };
	char buf[8192];
	char *v;

	snprintf(ver, size, "unknown");
	if (wl_capture(o, path, argv, buf, sizeof(buf)) < 0)
		return;
	v = strstr(buf, "cyclictest V ");
	if (v) {
		v += strlen("cyclictest V ");
		snprintf(ver, size, "%.*s", (int)strcspn(v, " \r\n"), v);
	}
}

/* Parse "  thread:  loop:  value" strictly; 0 on success. */
static int parse_sample(const char *s, unsigned long *th,
			unsigned long long *loop, long long *val)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	*th = strtoul(s, &end, 10);
	if (*end != ':')
		return -1;
	s = end + 1;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	*loop = strtoull(s, &end, 10);
	if (*end != ':')
		return -1;
	*val = strtoll(end + 1, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	return *end ? -1 : 0;
}

static void on_sample(struct ct *c, unsigned long th, unsigned long long loop,
		      long long lat)
{
	const uint64_t interval_ns = c->o->interval_us * 1000;
	struct wl_result *r;
	uint32_t v;

	if (th >= c->n) {
		warn(c, WIRE_NO_SERIES, 0, "cyclictest sample for thread %lu, "
		     "but only %u threads were asked for", th, c->n);
		return;
	}
	r = &c->res[th];
	if (loop < c->next_seq[th]) {
		warn(c, (unsigned)th, 0, "thread %lu: loop index went back "
		     "from %llu to %llu; sample ignored", th,
		     (unsigned long long)c->next_seq[th] - 1, loop);
		return;
	}
	if (loop > c->next_seq[th]) {
		uint64_t miss = loop - c->next_seq[th];

		r->dropped += miss;
		warn(c, (unsigned)th, miss > UINT32_MAX ? UINT32_MAX
							: (uint32_t)miss,
		     "thread %lu (CPU %u): %llu samples missing: cyclictest "
		     "loop index jumped from %llu to %llu", th,
		     c->o->cpus.cpu[th], (unsigned long long)miss,
		     (unsigned long long)c->next_seq[th], loop);
	}
	c->next_seq[th] = loop + 1;
	v = lat <= 0 ? 0 : lat >= UINT32_MAX ? UINT32_MAX : (uint32_t)lat;
	if (v > r->max)
		r->max = v;
	/* cyclictest skips missed periods the way rtlat does (absolute
	 * mode: next += interval while now > next) without counting them;
	 * the count follows from the latency itself. */
	if (lat > 0)
		r->overruns += ((uint64_t)lat - 1) / interval_ns;
	wl_stage_put(&c->out, &c->st[th], (unsigned)th, loop, &v, 1);
}

static void on_line(struct ct *c, const char *s)
{
	unsigned long th;
	unsigned long long loop;
	long long lat;
	unsigned t, iv;
	int tid, prio;
	unsigned long cyc;

	if (!parse_sample(s, &th, &loop, &lat)) {
		on_sample(c, th, loop, lat);
		return;
	}
	if (sscanf(s, "T:%u (%d) P:%d I:%u C:%lu", &t, &tid, &prio, &iv,
		   &cyc) == 5) {
		if (t < c->n) {
			const char *mx = strstr(s, "Max:");

			c->prio_seen[t] = prio;
			c->cycles_seen[t] = cyc;
			if (mx)
				c->max_seen[t] = strtoll(mx + 4, NULL, 10);
		} else {
			warn(c, WIRE_NO_SERIES, 0, "cyclictest summary for "
			     "thread %u of %u: %s", t, c->n, s);
		}
		return;
	}
	if (*s == '\0')
		return;
	for (size_t i = 0; i < sizeof(banners) / sizeof(*banners); i++)
		if (!strncmp(s, banners[i], strlen(banners[i])))
			return;
	c->unparsed++;
	warn(c, WIRE_NO_SERIES, 0, "unexpected cyclictest output: %.300s", s);
}

static void on_stdout(struct ct *c, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			c->line[c->llen] = '\0';
			if (c->overlong) {
				c->unparsed++;
				warn(c, WIRE_NO_SERIES, 0, "cyclictest output "
				     "line longer than %d bytes skipped",
				     LINE_MAX_LEN);
			} else {
				on_line(c, c->line);
			}
			c->llen = 0;
			c->overlong = 0;
		} else if (c->llen < LINE_MAX_LEN - 1) {
			c->line[c->llen++] = buf[i];
		} else {
			c->overlong = 1;
		}
	}
}

/* Keep the last ERR_TAIL bytes of stderr for the error event. */
static void on_stderr(struct ct *c, const char *buf, size_t len)
{
	if (len >= ERR_TAIL) {
		memcpy(c->err, buf + len - (ERR_TAIL - 1), ERR_TAIL - 1);
		c->errlen = ERR_TAIL - 1;
		return;
	}
	if (c->errlen + len >= ERR_TAIL) {
		size_t drop = c->errlen + len - (ERR_TAIL - 1);

		memmove(c->err, c->err + drop, c->errlen - drop);
		c->errlen -= drop;
	}
	memcpy(c->err + c->errlen, buf, len);
	c->errlen += len;
}

/* Read both pipes until EOF, forwarding SIGINT/SIGTERM to cyclictest. */
static void pump(struct ct *c, pid_t pid, int out_r, int err_r)
{
	int sfd = signalfd(-1, &c->o->stop_sigs, SFD_CLOEXEC);
	struct pollfd p[3] = {
		{ .fd = out_r, .events = POLLIN },
		{ .fd = err_r, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};
	static char buf[65536];

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		int rc = poll(p, 3, 50);

		if (rc < 0 && errno != EINTR)
			break;
		for (int i = 0; rc > 0 && i < 2; i++) {
			ssize_t r;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			r = read(p[i].fd, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
			} else if (i == 0) {
				on_stdout(c, buf, (size_t)r);
			} else {
				on_stderr(c, buf, (size_t)r);
			}
		}
		if (sfd >= 0 && rc > 0 && p[2].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				fprintf(stderr, "isolat-wl: %s: stopping "
					"cyclictest\n", strsignal((int)si.ssi_signo));
				c->interrupted = 1;
				/* cyclictest stops cleanly on SIGINT and
				 * still prints its summary. */
				kill(pid, SIGINT);
			}
		}
		if (c->out.err && !c->interrupted) {
			c->interrupted = 1; /* nobody reads: stop it */
			kill(pid, SIGINT);
		}
		for (unsigned i = 0; i < c->n; i++)
			wl_stage_tick(&c->out, &c->st[i], i, wl_now_ns());
	}
	if (c->llen) /* a last line without '\n' */
		on_stdout(c, "\n", 1);
	if (sfd >= 0)
		close(sfd);
}

/* After cyclictest exited: its status, priorities and counts. */
static void check_result(struct ct *c, int status)
{
	const struct wl_opts *o = c->o;

	c->err[c->errlen] = '\0';
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		c->failed = 1;
		if (status != -1 && WIFSIGNALED(status))
			wl_event(&c->out, WIRE_NO_SERIES, WIRE_EV_ERROR,
				 (uint32_t)WTERMSIG(status), "cyclictest "
				 "killed by signal %d (%s); stderr: %s",
				 WTERMSIG(status), strsignal(WTERMSIG(status)),
				 c->errlen ? c->err : "(empty)");
		else
			wl_event(&c->out, WIRE_NO_SERIES, WIRE_EV_ERROR,
				 status == -1 ? 0 : (uint32_t)WEXITSTATUS(status),
				 "cyclictest exited with status %d; stderr: %s",
				 status == -1 ? -1 : WEXITSTATUS(status),
				 c->errlen ? c->err : "(empty)");
		/* rt-tests' wording when sched_setscheduler() failed: the
		 * same event kind rtlat sends, so reports can tell. */
		if (strstr(c->err, "Unable to change scheduling policy") ||
		    strstr(c->err, "failed to set priority"))
			wl_event(&c->out, WIRE_NO_SERIES, WIRE_EV_PRIO_FAILED,
				 EPERM, "cyclictest could not set %s priority "
				 "%d (needs root or CAP_SYS_NICE, and RT "
				 "runtime in this cgroup)",
				 wl_sched_name(o->policy), o->priority);
	}
	for (unsigned i = 0; i < c->n; i++) {
		struct wl_result *r = &c->res[i];

		wl_stage_flush(&c->out, &c->st[i], i);
		r->count = c->st[i].delivered;
		r->priority = c->prio_seen[i];
		if (c->prio_seen[i] < 0) {
			if (!c->failed)
				warn(c, i, 0, "no cyclictest summary for thread "
				     "%u: priority and count not confirmed", i);
			continue;
		}
		if (c->prio_seen[i] != o->priority) {
			wl_event(&c->out, i, WIRE_EV_PRIO_FAILED, 0,
				 "CPU %u: asked cyclictest for priority %d, "
				 "its thread %u ran at P:%d", o->cpus.cpu[i],
				 o->priority, i, c->prio_seen[i]);
			c->failed = 1;
			continue;
		}
		/* cyclictest keeps only 16384 unprinted values per thread in
		 * -v mode; when its stdout stalls the buffer wraps and later
		 * values are printed under earlier loop indices.  Its own
		 * maximum then exceeds every printed sample: the samples do
		 * not describe the measurement. */
		if (c->max_seen[i] > (long long)r->max) {
			wl_event(&c->out, i, WIRE_EV_ERROR, 0,
				 "CPU %u: cyclictest's own maximum %lld ns is "
				 "above every sample it printed (max %u ns): "
				 "its -v buffer wrapped and the printed values "
				 "are not the measured ones", o->cpus.cpu[i],
				 c->max_seen[i], r->max);
			c->failed = 1;
		}
		/* cyclictest prints the priority, not the policy; it exits
		 * if it cannot set either, so a clean run has both. */
		r->policy = c->failed ? -1 : o->policy;
		if (c->cycles_seen[i] > r->count + r->dropped) {
			/* Measured but never printed (cyclictest drops its
			 * unprinted values when interrupted): lost too. */
			uint64_t miss = c->cycles_seen[i] - r->count - r->dropped;

			r->dropped += miss;
			warn(c, i, miss > UINT32_MAX ? UINT32_MAX : (uint32_t)miss,
			     "thread %u: cyclictest measured %llu cycles but "
			     "printed %llu samples; %llu counted as dropped", i,
			     (unsigned long long)c->cycles_seen[i],
			     (unsigned long long)r->count,
			     (unsigned long long)miss);
		} else if (c->cycles_seen[i] < r->count + r->dropped) {
			warn(c, i, 0, "thread %u: cyclictest counted %llu "
			     "cycles, %llu samples were read", i,
			     (unsigned long long)c->cycles_seen[i],
			     (unsigned long long)(r->count + r->dropped));
		} else if (o->loops && !c->interrupted && !c->failed &&
			 r->count + r->dropped != o->loops)
			warn(c, i, 0, "thread %u: %llu of %llu loops measured",
			     i, (unsigned long long)(r->count + r->dropped),
			     (unsigned long long)o->loops);
	}
	if (c->warnings > MAX_WARNINGS)
		wl_event(&c->out, WIRE_NO_SERIES, WIRE_EV_WARNING,
			 c->warnings, "%u cyclictest warnings in all (%llu "
			 "unparsed lines)", c->warnings,
			 (unsigned long long)c->unparsed);
}

/* The argv; every string lives in bufs. */
static void build_argv(const struct wl_opts *o, char bufs[7][4096],
		       char *argv[24])
{
	int i = 0;

	snprintf(bufs[0], 4096, "%llu", (unsigned long long)o->interval_us);
	snprintf(bufs[1], 4096, "%llu", (unsigned long long)o->loops);
	snprintf(bufs[2], 4096, "%u", o->cpus.n);
	if (cpulist_format(&o->cpus, bufs[3], 4096))
		bufs[3][0] = '\0'; /* checked by the caller */
	snprintf(bufs[4], 4096, "%d", o->priority);
	snprintf(bufs[5], 4096, "--policy=%s", wl_policy_name(o->policy));
	snprintf(bufs[6], 4096, "--mainaffinity=%u", o->housekeeping);
	argv[i++] = "cyclictest";
	argv[i++] = "-q";
	argv[i++] = "-v";
	argv[i++] = "-N";
	argv[i++] = "-m";
	argv[i++] = "-d";
	argv[i++] = "0";
	argv[i++] = "-i";
	argv[i++] = bufs[0];
	argv[i++] = "-l";
	argv[i++] = bufs[1];
	argv[i++] = "-t";
	argv[i++] = bufs[2];
	argv[i++] = "-a";
	argv[i++] = bufs[3];
	argv[i++] = "-p";
	argv[i++] = bufs[4];
	argv[i++] = bufs[5];
	argv[i++] = bufs[6];
	argv[i] = NULL;
}

static int alloc_ct(struct ct *c)
{
	c->st = calloc(c->n, sizeof(*c->st));
	c->res = calloc(c->n, sizeof(*c->res));
	c->next_seq = calloc(c->n, sizeof(*c->next_seq));
	c->prio_seen = calloc(c->n, sizeof(*c->prio_seen));
	c->cycles_seen = calloc(c->n, sizeof(*c->cycles_seen));
	c->max_seen = calloc(c->n, sizeof(*c->max_seen));
	if (!c->st || !c->res || !c->next_seq || !c->prio_seen ||
	    !c->cycles_seen || !c->max_seen)
		return -ENOMEM;
	for (unsigned i = 0; i < c->n; i++) {
		int rc = wl_stage_init(&c->st[i]);

		if (rc)
			return rc;
		c->prio_seen[i] = -1;
		c->res[i].policy = c->res[i].priority = -1;
	}
	return 0;
}

static void free_ct(struct ct *c)
{
	for (unsigned i = 0; c->st && i < c->n; i++)
		wl_stage_free(&c->st[i]);
	free(c->st);
	free(c->res);
	free(c->next_seq);
	free(c->prio_seen);
	free(c->cycles_seen);
	free(c->max_seen);
}

int wl_run_cyclictest(const struct wl_opts *o)
{
	struct ct *c = calloc(1, sizeof(*c));
	char bufs[7][4096], *argv[24], joined[8192] = "", ver[64] = "";
	const char *path = find_cyclictest(o);
	struct wl_kv hello;
	int out_r = -1, err_r = -1, rc, exit_code;
	pid_t pid = -1;

	if (!c)
		return WL_EXIT_ERROR;
	c->o = o;
	c->n = o->cpus.n;
	c->out.fd = o->out_fd;
	if (o->out_fd > STDERR_FILENO) /* not cyclictest's business */
		fcntl(o->out_fd, F_SETFD, FD_CLOEXEC);
	build_argv(o, bufs, argv);
	for (int i = 0; argv[i]; i++)
		snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined),
			 "%s%s", i ? " " : "", argv[i]);
	if (path)
		cyclictest_version(o, path, ver, sizeof(ver));

	wl_kv_init(&hello);
	wl_facts_hello(&hello, o);
	if (path) {
		wl_kv_add(&hello, "cyclictest_path", "%s", path);
		wl_kv_add(&hello, "cyclictest_version", "%s", ver);
	}
	wl_kv_add(&hello, "cyclictest_argv", "%s", joined);
	rc = wl_kv_send(&c->out, WIRE_HELLO, &hello);
	wl_kv_free(&hello);
	if (rc) {
		fprintf(stderr, "isolat-wl: cannot send HELLO: %s\n",
			strerror(-rc));
		free_ct(c);
		free(c);
		return WL_EXIT_ERROR;
	}

	if (wl_pin_housekeeping(&c->out, o)) {
		c->failed = 1;
	} else if ((rc = alloc_ct(c))) {
		wl_event(&c->out, WIRE_NO_SERIES, WIRE_EV_ERROR, (uint32_t)-rc,
			 "out of memory");
		c->failed = 1;
	} else if (!path) {
		if (o->cyclictest)
			wl_event(&c->out, WIRE_NO_SERIES, WIRE_EV_ERROR, ENOENT,
				 "cyclictest not found at %s: install rt-tests "
				 "(apt-get install rt-tests) or fix --cyclictest",
				 o->cyclictest);
		else
			wl_event(&c->out, WIRE_NO_SERIES, WIRE_EV_ERROR, ENOENT,
				 "cyclictest not found: install rt-tests "
				 "(apt-get install rt-tests)");
		c->failed = 1;
	} else if (!bufs[3][0]) {
		wl_event(&c->out, WIRE_NO_SERIES, WIRE_EV_ERROR, E2BIG,
			 "CPU list too long for cyclictest's -a");
		c->failed = 1;
	} else if ((pid = wl_spawn(o, path, argv, &out_r, &err_r)) < 0) {
		wl_event(&c->out, WIRE_NO_SERIES, WIRE_EV_ERROR, (uint32_t)-pid,
			 "cannot start %s: %s", path, strerror((int)-pid));
		c->failed = 1;
	} else {
		pump(c, pid, out_r, err_r);
		check_result(c, wl_wait_child(pid));
	}

	wl_kv_init(&hello); /* reused for END's load keys */
	wl_load_stop(o->load, c->out.err ? NULL : &hello);
	if (c->out.err) {
		exit_code = WL_EXIT_ERROR;
	} else {
		wl_send_end_kv(&c->out, c->failed ? "error" : c->interrupted
					? "interrupted" : "ok",
			       c->res, c->res ? c->n : 0, &hello);
		exit_code = c->out.err || c->failed ? WL_EXIT_ERROR
			    : c->interrupted ? WL_EXIT_INTERRUPTED
					     : WL_EXIT_OK;
	}
	wl_kv_free(&hello);
	free_ct(c);
	free(c);
	return exit_code;
}
