/*
 * env_xen.c - the `xen` environment: the workload as PID 1 of a Xen domU
 * that the harness starts with `xl` from a Xen dom0.
 *
 * Per case:
 *   prepare  remove leftovers of a crashed run (domains and cpupools named
 *            isolat-*); `xl info` (nr_cpus; recorded); the guest kernel
 *            (xen_kernel, else the kvm default); the cached initramfs
 *            (harness/env/guest/guest_image.h, no modules: hvc_xen is built into
 *            every Xen-capable kernel) + the per-case args cpio into
 *            WORKDIR/initrd; WORKDIR/domain.cfg (harness/env/xen/xen_cmd.c).
 *   start    the Xen side of the case's profile (harness/env/xen/xen_iso.c), each
 *            step journaled before it is made: dom0_cpus pins dom0's
 *            vCPUs away; with xen_cpupool = yes the guest's pCPUs leave
 *            Pool-0 for cpupool isolat-pool-N running xen_sched; then
 *            `xl create -p` (paused), `xl vcpu-pin` of every vCPU to its
 *            pCPU (vcpu_pin), `xl sched-rtds` when the pool runs RTDS;
 *            where dom0's vCPUs may run is read and checked (a pool or
 *            dom0_cpus that leaves dom0 on the guest's pCPUs fails the
 *            case; without either, sharing is recorded and warned about);
 *            the console pty opened raw, `xl unpause`.  Every step is
 *            recorded as xen.* facts.
 *   wait     the domain is gone from xenstore (on_poweroff = destroy).
 *   stop     `xl destroy`.
 *   cleanup  the same, then the pool emptied into Pool-0 and destroyed,
 *            dom0's affinity restored (the code `isolat restore` runs,
 *            harness/env/xen/xen_undo.c; the run loop then replays the journal,
 *            which finds nothing left); xenconsoled's log of the guest
 *            stored as the fact xen.console_log.
 *
 * Plan time (probe_case): each case's own placement - its profile may
 * differ - against this Xen: pCPUs that exist, a pool that leaves dom0 a
 * pCPU, a scheduler built in; a case that asks for more is skipped.
 *
 * The channel: the guest's PV console (hvc0) carries the frames.  A Xen
 * `channel` device would keep them apart from console text, but libxl
 * serves channels through the QEMU device model, which a minimal or
 * embedded dom0 has not got, while xenconsoled serves the console
 * everywhere.  The wire format resyncs on its magic over console text
 * (workloads/wire.h), the guest runs with `quiet`, and its PID 1 puts the
 * tty in raw mode (isolat.channel=hvc0 on its command line).  The harness
 * reads the console's pty (xenstore /local/domain/ID/console/tty), raw.
 * Console text around the frames lands as GARBAGE events of the case.
 *
 * Emulated: Xen under QEMU (TCG in CI) is recognised from dom0's
 * /proc/cpuinfo model name ("QEMU TCG CPU ...", "QEMU Virtual CPU ...")
 * or the DMI system vendor, and every case is labelled emulated.
 *
 * Every xl call is an execve argv (harness/run/proc.c), never a shell string.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "harness/env/env.h"
#include "harness/env/guest/guest_image.h"
#include "harness/env/guest/guest.h"
#include "harness/run/plan.h"
#include "harness/run/proc.h"
#include "harness/util.h"
#include "harness/env/xen/xen_cmd.h"
#include "harness/env/xen/xen_iso.h"
#include "harness/env/xen/xen_store.h"
#include "harness/env/xen/xen_xl.h"

struct xen_state {
	char xl[1024], kernel[1024], base[4096], initrd[4200], cfg[4200];
	char name[64], pool[64], tty[256], info[8192];
	int domid, created, emulated;
	unsigned nr_pcpus, vcpus;
	struct xen_iso iso; /* cpupool, dom0 pinning: journaled, undone */
};

/* --- probe ------------------------------------------------------------ */

static int xen_probe(char *why, size_t whysz)
{
	static char info[8192];
	char xlpath[1024], ver[64] = "?", sched[32] = "?", ncpu[16] = "?";
	int rc = xen_dom0_ready(xlpath, sizeof(xlpath), info, sizeof(info), why,
			    whysz);

	if (rc < 0)
		return rc;
	xen_info_get(info, "xen_version", ver, sizeof(ver));
	xen_info_get(info, "xen_scheduler", sched, sizeof(sched));
	xen_info_get(info, "nr_cpus", ncpu, sizeof(ncpu));
	snprintf(why, whysz, "Xen %s dom0, scheduler %s, %s pCPUs%s", ver,
		 sched, ncpu, xen_emulated_here()
				      ? "; Xen runs under QEMU: results "
					"labelled emulated" : "");
	return 0;
}

/* What planning asked this Xen, once per plan (env_plan.priv). */
struct xen_plan {
	int asked;              /* xl info and cpupools read (probe_case) */
	char xl[1024], info[8192], pools[4096], def_sched[32];
	unsigned nr_pcpus;
	/* schedulers tried (xen_iso_sched_available) */
	struct { char name[16], why[200]; int ok; } sched[8];
	unsigned nsched;
	int pcpus_asked;        /* host_cpus' nr_cpus read */
	unsigned host_nr_pcpus; /* 0: unknown */
};

static struct xen_plan *xen_plan_of(struct env_plan *ep)
{
	if (!ep->priv) {
		ep->priv = calloc(1, sizeof(struct xen_plan));
		ep->free_priv = free;
	}
	return ep->priv;
}

static int xen_probe_scenario(struct env_plan *ep, const struct scenario *scn,
			      char *why, size_t whysz)
{
	struct xen_plan *xp = xen_plan_of(ep);
	char kernel[1024], mods[1024];
	int rc;

	if (!xp) {
		snprintf(why, whysz, "out of memory");
		return -ENOMEM;
	}
	if (scn->params.xen_kernel[0] &&
	    access(scn->params.xen_kernel, R_OK) < 0) {
		snprintf(why, whysz, "%s:%d: xen_kernel = %s: %s; expected a "
			 "readable guest kernel", scn->path,
			 scn->params.xen_kernel_line, scn->params.xen_kernel,
			 strerror(errno));
		return -EINVAL;
	}
	if (!scn->params.xen_kernel[0]) {
		rc = guest_kernel(&scn->params, scn->path,
				      scn->environments_line, kernel,
				      sizeof(kernel), mods, sizeof(mods), why,
				      whysz);
		if (rc < 0)
			return rc;
	}
	return xen_dom0_ready(xp->xl, sizeof(xp->xl), xp->info,
			      sizeof(xp->info), why, whysz);
}

/* `xl info` and the cpupools, read once per plan; -ENODEV with why when
 * dom0 is not ready. */
static int xen_plan_ask(struct xen_plan *xp, char *why, size_t whysz)
{
	char err[512], num[16] = "0";

	if (xp->asked)
		return 0;
	xp->asked = 1;
	if (xen_dom0_ready(xp->xl, sizeof(xp->xl), xp->info,
			   sizeof(xp->info), why, whysz) < 0) {
		xp->xl[0] = '\0';
		return -ENODEV;
	}
	xen_info_get(xp->info, "nr_cpus", num, sizeof(num));
	xp->nr_pcpus = (unsigned)atoi(num);
	xen_info_get(xp->info, "xen_scheduler", xp->def_sched,
		     sizeof(xp->def_sched));
	if (xen_xl(xp->xl, xp->pools, sizeof(xp->pools), err, sizeof(err),
		   (const char *const[]){"cpupool-list", "-c", NULL}) < 0)
		xp->pools[0] = '\0';
	return 0;
}

/* sched built into this Xen?  Tried once per plan: 0 or -ENODEV. */
static int xen_plan_sched(struct xen_plan *xp, const char *sched, char *why,
			  size_t whysz)
{
	unsigned i;

	for (i = 0; i < xp->nsched && strcmp(xp->sched[i].name, sched); i++)
		;
	if (i == xp->nsched &&
	    i < sizeof(xp->sched) / sizeof(xp->sched[0])) {
		snprintf(xp->sched[i].name, sizeof(xp->sched[i].name), "%s",
			 sched);
		xp->sched[i].ok = xen_iso_sched_available(
			xp->xl, sched, xp->sched[i].why,
			sizeof(xp->sched[i].why)) == 0;
		xp->nsched++;
	}
	if (i < xp->nsched && !xp->sched[i].ok) {
		snprintf(why, whysz, "%s", xp->sched[i].why);
		return -ENODEV;
	}
	return 0;
}

/*
 * One case's placement against this Xen (its profile may differ from the
 * scenario's): pCPUs that exist, a cpupool that leaves dom0 a pCPU, a
 * scheduler built into this Xen.  What Xen says is asked once per plan
 * (ep).
 */
static int xen_probe_case(struct env_plan *ep, const struct plan_case *c,
			  char *why, size_t whysz)
{
	struct xen_plan *xp = xen_plan_of(ep);
	const struct scn_params *p = &c->params;
	const char *sched = p->xen_sched[0] ? p->xen_sched : "credit2";

	if (!xp) {
		snprintf(why, whysz, "out of memory");
		return -ENOMEM;
	}
	if (xen_plan_ask(xp, why, whysz) < 0)
		return -ENODEV;
	if (!xp->xl[0] || !xp->nr_pcpus)
		return 0; /* not a dom0: probe_scenario said so already */
	if (xen_case_check(p, guest_vcpus(p), xp->nr_pcpus, xp->pools, why,
			   whysz) < 0)
		return -ENODEV;
	if (!p->xen_cpupool || !strcmp(sched, xp->def_sched))
		return 0;
	return xen_plan_sched(xp, sched, why, whysz);
}

/* Xen's nr_cpus from `xl info` on a dom0, else 0 with what stands in
 * said in note (NULL: not said). */
static unsigned xen_plan_pcpus(const struct cpulist *online, char *note,
			       size_t notesz)
{
	char *info = malloc(8192);
	char xlpath[1024], why[512] = "", num[16] = "0";
	unsigned nr = 0;

	if (access("/proc/xen/privcmd", F_OK) < 0 &&
	    access("/dev/xen/privcmd", F_OK) < 0) {
		free(info);
		return 0; /* not a dom0: quietly dom0's CPUs */
	}
	if (info && xen_dom0_ready(xlpath, sizeof(xlpath), info, 8192, why,
				   sizeof(why)) == 0 &&
	    xen_info_get(info, "nr_cpus", num, sizeof(num)) == 0)
		nr = (unsigned)atoi(num);
	free(info);
	if (!nr && note)
		snprintf(note, notesz, "xen: no nr_cpus from `xl info` at "
			 "plan time (%s): the guest's host CPUs assume Xen has "
			 "dom0's %u online CPUs", why[0] ? why
			 : "no nr_cpus line", online->n);
	return nr;
}

/*
 * env_ops.host_cpus: the pCPUs of the measured vCPUs, numbered as Xen
 * numbers them, on as many pCPUs as Xen has (`xl info` nr_cpus, the
 * count start() uses; read once per plan, ep; NULL ep: read now).  Where
 * `xl info` cannot be read, dom0's online CPU count stands in, and on a
 * Xen dom0 ep's note says so.  A vcpu_pin shorter than the guest:
 * FILE:LINE error.
 */
int xen_host_cpus(struct env_plan *ep, const struct scn_params *p,
		  const char *scn_path, const struct cpulist *online,
		  struct cpulist *out, char *err, size_t errsz)
{
	struct xen_plan *xp = ep ? xen_plan_of(ep) : NULL;
	unsigned nr;

	if (xp && xp->pcpus_asked) {
		nr = xp->host_nr_pcpus;
	} else {
		nr = xen_plan_pcpus(online, ep ? ep->note : NULL,
				    ep ? sizeof(ep->note) : 0);
		if (xp) {
			xp->pcpus_asked = 1;
			xp->host_nr_pcpus = nr;
		}
	}
	return xen_host_cpus_on(p, scn_path, nr ? nr : online->n, out, err,
				errsz);
}

/* --- the ops ---------------------------------------------------------- */

static int xen_prepare(struct env_case *ec, char *err, size_t errsz)
{
	const struct scn_params *p = &ec->pc->params;
	struct xen_state *st = calloc(1, sizeof(*st));
	/* No modules: the PV console (hvc0) is built into the guest
	 * kernels Xen boots. */
	struct guest_image_spec spec = {NULL, ec->wl_path, NULL,
					ec->guest_programs, NULL};
	static char text[8192];
	char mods[1024], cmdline[1200], num[32];
	struct xen_domcfg c;
	int rc, built = 0, fd;

	if (!st) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	st->domid = -1;
	ec->priv = st;
	rc = xen_dom0_ready(st->xl, sizeof(st->xl), st->info, sizeof(st->info),
			err, errsz);
	if (rc < 0)
		return rc;
	ec->fact(ec->fact_ctx, "xen.info", st->info);
	xen_info_get(st->info, "nr_cpus", num, sizeof(num));
	st->nr_pcpus = (unsigned)atoi(num);
	st->emulated = xen_emulated_here();
	st->iso = (struct xen_iso){
		.xl = st->xl, .j = ec->journal, .fact = ec->fact,
		.fact_ctx = ec->fact_ctx, .nr_pcpus = st->nr_pcpus,
	};
	xen_iso_leftovers(&st->iso);
	if (p->xen_kernel[0])
		snprintf(st->kernel, sizeof(st->kernel), "%s", p->xen_kernel);
	else if ((rc = guest_kernel(p, "the scenario", 0, st->kernel,
					sizeof(st->kernel), mods, sizeof(mods),
					err, errsz)) < 0)
		return rc;
	rc = guest_image_prepare(&spec, ec->wl_argv + 1, ec->workdir, st->base,
				 sizeof(st->base), st->initrd,
				 sizeof(st->initrd), &built, err, errsz);
	if (rc < 0)
		return rc;
	st->vcpus = guest_vcpus(p);
	xen_guest_pcpus(p, st->vcpus, st->nr_pcpus, &st->iso.guest);
	snprintf(st->name, sizeof(st->name), XEN_NAME_PREFIX "case-%u",
		 ec->pc->idx);
	/* The pool itself is made in start() (xen_iso_pool). */
	if (p->xen_cpupool)
		snprintf(st->pool, sizeof(st->pool), XEN_NAME_PREFIX "pool-%u",
			 ec->pc->idx);
	xen_guest_cmdline(p, ec->pc->profile, cmdline, sizeof(cmdline));
	c = (struct xen_domcfg){
		.name = st->name, .type = p->xen_type, .kernel = st->kernel,
		.ramdisk = st->initrd, .extra = cmdline,
		.pool = st->pool[0] ? st->pool : NULL, .vcpus = st->vcpus,
		.memory_mb = p->memory_mb,
	};
	if (xen_domcfg_format(&c, text, sizeof(text)) < 0) {
		snprintf(err, errsz, "cannot write a domain config for kernel "
			 "%s (a '\"' or '\\' in a path?)", st->kernel);
		return -EINVAL;
	}
	snprintf(st->cfg, sizeof(st->cfg), "%s/domain.cfg", ec->workdir);
	fd = open(st->cfg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", st->cfg, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	close(fd);
	ec->fact(ec->fact_ctx, "xen.domain_cfg", text);
	ec->fact(ec->fact_ctx, "xen.kernel", st->kernel);
	ec->fact(ec->fact_ctx, "xen.image", st->base);
	ec->fact(ec->fact_ctx, "xen.image_built", built ? "yes" : "no");
	ec->fact(ec->fact_ctx, "xen.guest_cmdline", cmdline);
	ec->fact(ec->fact_ctx, "xen.emulated", st->emulated ? "yes" : "no");
	/* Known now: a case that fails to start is labelled too. */
	ec->emulated = st->emulated;
	return 0;
}

/* Open the pty of the domain's console, raw, for reading. */
static int open_console(struct env_case *ec, struct xen_state *st,
			char *err, size_t errsz)
{
	char path[128];
	struct termios t;
	int rc, fd;

	snprintf(path, sizeof(path), "/local/domain/%d/console/tty",
		 st->domid);
	/* xenconsoled writes it shortly after the domain appears. */
	for (int i = 0; i < 100; i++) {
		rc = xen_store_read(path, st->tty, sizeof(st->tty));
		if (rc == 0 && st->tty[0] == '/')
			break;
		usleep(100000);
	}
	if (rc < 0 || st->tty[0] != '/') {
		snprintf(err, errsz, "xenstore %s: %s (xenconsoled running?)",
			 path, rc < 0 ? strerror(-rc) : "no pty");
		return rc < 0 ? rc : -ENOENT;
	}
	fd = open(st->tty, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", st->tty, strerror(errno));
		return rc;
	}
	/* Bytes must arrive as sent: no CR/NL mapping, no echo. */
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	ec->stream_fd = fd;
	ec->fact(ec->fact_ctx, "xen.console_tty", st->tty);
	return 0;
}

static int xen_start(struct env_case *ec, char *err, size_t errsz)
{
	const struct scn_params *p = &ec->pc->params;
	struct xen_state *st = ec->priv;
	static char out[16384];
	char num[32], pcpu[16], vcpu[16];
	int rc;

	ec->emulated = st->emulated;
	/* Each step journals itself before it changes anything. */
	if (p->dom0_cpus[0] &&
	    (rc = xen_iso_dom0_pin(&st->iso, p->dom0_cpus, err, errsz)) < 0)
		return rc;
	if (p->xen_cpupool &&
	    (rc = xen_iso_pool(&st->iso, st->pool,
			       p->xen_sched[0] ? p->xen_sched : "credit2",
			       err, errsz)) < 0)
		return rc;
	rc = xen_iso_domain(&st->iso, st->name, err, errsz);
	if (rc < 0)
		return rc;
	rc = XL(out, err, "create", "-p", st->cfg);
	if (rc < 0)
		return rc;
	st->created = 1;
	rc = XL(out, err, "domid", st->name);
	if (rc < 0)
		return rc;
	st->domid = atoi(out);
	snprintf(num, sizeof(num), "%d", st->domid);
	ec->fact(ec->fact_ctx, "xen.domid", num);
	ec->fact(ec->fact_ctx, "xen.domain", st->name);
	for (unsigned v = 0; v < st->vcpus; v++) {
		char key[64];

		snprintf(vcpu, sizeof(vcpu), "%u", v);
		snprintf(pcpu, sizeof(pcpu), "%u",
			 xen_vcpu_pcpu(p, v, st->nr_pcpus));
		rc = XL(out, err, "vcpu-pin", st->name, vcpu, pcpu);
		if (rc < 0)
			return rc;
		snprintf(key, sizeof(key), "xen.vcpu.%u.pcpu", v);
		ec->fact(ec->fact_ctx, key, pcpu);
	}
	if (p->xen_cpupool && !strcmp(p->xen_sched, "rtds")) {
		char per[16], bud[16];

		snprintf(per, sizeof(per), "%u", p->xen_rtds_period_us);
		snprintf(bud, sizeof(bud), "%u", p->xen_rtds_budget_us);
		rc = XL(out, err, "sched-rtds", "-d", st->name, "-v", "all",
			"-p", per, "-b", bud);
		if (rc < 0)
			return rc;
		snprintf(out, sizeof(out), "period %s us, budget %s us", per,
			 bud);
		ec->fact(ec->fact_ctx, "xen.rtds", out);
	}
	if (XL(out, err, "vcpu-list", st->name) == 0)
		ec->fact(ec->fact_ctx, "xen.vcpu_list", out);
	/* Where dom0's vCPUs may run, now that the guest is placed: with a
	 * pool or dom0_cpus none may reach the guest's pCPUs. */
	rc = xen_iso_check_dom0(&st->iso, p->xen_cpupool || p->dom0_cpus[0],
				err, errsz);
	if (rc < 0)
		return rc;
	rc = open_console(ec, st, err, errsz);
	if (rc < 0)
		return rc;
	return XL(out, err, "unpause", st->name);
}

static int domain_alive(const struct xen_state *st)
{
	char path[64], name[80];

	if (st->domid < 0)
		return 0;
	snprintf(path, sizeof(path), "/local/domain/%d/name", st->domid);
	return xen_store_read(path, name, sizeof(name)) == 0;
}

static int xen_wait(struct env_case *ec, int timeout_ms, int *status)
{
	struct xen_state *st = ec->priv;
	double until = mono_now() + timeout_ms / 1000.0;

	if (!st || !st->created)
		return 0;
	while (domain_alive(st)) {
		if (mono_now() > until)
			return -ETIMEDOUT;
		usleep(100000);
	}
	*status = 0; /* powered off: on_poweroff = destroy */
	return 0;
}

static void xen_stop(struct env_case *ec)
{
	struct xen_state *st = ec->priv;
	char out[1024], err[512];
	size_t errsz = sizeof(err);

	if (!st || !st->created)
		return;
	if (domain_alive(st) || st->domid < 0)
		XL(out, err, "destroy", st->name);
	st->created = 0;
}

/* xenconsoled's log of the guest, printable bytes only (the frames are
 * binary), its last 32 KiB. */
static void store_console_log(struct env_case *ec, struct xen_state *st)
{
	static char buf[32768];
	char path[256];
	int fd;
	ssize_t n;
	off_t size;

	snprintf(path, sizeof(path), "/var/log/xen/console/guest-%s.log",
		 st->name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	lseek(fd, size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1
						 : 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	for (ssize_t i = 0; i < n; i++)
		if ((buf[i] < 32 && buf[i] != '\n') || buf[i] == 127)
			buf[i] = '.';
	buf[n] = '\0';
	ec->fact(ec->fact_ctx, "xen.console_log", buf);
	unlink(path); /* the next case of the same name starts empty */
}

static void xen_cleanup(struct env_case *ec)
{
	struct xen_state *st = ec->priv;

	if (!st)
		return;
	xen_stop(ec);
	xen_iso_undo(&st->iso);
	if (st->name[0])
		store_console_log(ec, st);
	if (ec->stream_fd >= 0)
		close(ec->stream_fd);
	if (ec->log_fd >= 0)
		close(ec->log_fd);
	if (st->initrd[0])
		unlink(st->initrd);
	if (st->cfg[0])
		unlink(st->cfg);
	free(st);
	ec->priv = NULL;
	ec->stream_fd = ec->log_fd = -1;
}

/* `xl info` into the run's host metadata, on a Xen dom0 only. */
static void xen_host_meta(fact_fn set, void *ctx)
{
	static char info[8192];
	char xlpath[1024], why[512];

	if (access("/proc/xen/privcmd", F_OK) < 0 &&
	    access("/dev/xen/privcmd", F_OK) < 0)
		return;
	if (xen_dom0_ready(xlpath, sizeof(xlpath), info, sizeof(info), why,
		       sizeof(why)) == 0)
		set(ctx, "xen_info", info);
	else
		set(ctx, "xen_info", why);
	set(ctx, "xen_emulated", xen_emulated_here() ? "yes" : "no");
}

const struct env_ops env_xen_ops = {
	.name = "xen",
	.describe = "the workload as PID 1 of a Xen domU started with xl",
	.flags = ENV_GUEST,
	.probe = xen_probe,
	.prepare = xen_prepare,
	.start = xen_start,
	.wait = xen_wait,
	.stop = xen_stop,
	.cleanup = xen_cleanup,
	.probe_scenario = xen_probe_scenario,
	.probe_case = xen_probe_case,
	.guest_cpus = guest_vcpu_list,
	.host_cpus = xen_host_cpus,
	.host_meta = xen_host_meta,
};
