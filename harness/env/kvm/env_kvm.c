/*
 * env_kvm.c - the `kvm` environment: the workload as PID 1 of a QEMU guest
 * that the harness builds and starts itself.
 *
 * Per case:
 *   prepare  guest kernel + its modules (scenario kvm_kernel/kvm_modules,
 *            or the default below); the cached initramfs
 *            (harness/env/guest/guest_image.h) plus a per-case cpio with the
 *            workload argv, concatenated into WORKDIR/initrd; choose the
 *            accelerator (kvm_accel; `auto` = the boot probe below).
 *   start    FIFOs WORKDIR/chan.in/.out for the virtio-serial port, then
 *            QEMU from an argv (harness/env/kvm/kvm_cmd.c) with stdout+stderr on
 *            one pipe (the serial console + QEMU's own messages: the
 *            case's log); QMP: query-cpus-fast gives each vCPU's thread,
 *            pinned to its host CPU (vcpu_pin, else kvm_vcpu_host_cpu)
 *            and, for measured vCPUs, made SCHED_FIFO when the case's
 *            vcpu_priority (profile, else scenario) is > 0; every other
 *            QEMU thread goes to emulator_cpus (default: the host CPUs no
 *            measured vCPU uses); mem_lock checked in VmLck
 *            (harness/env/kvm/kvm_place.c).  Everything applied is read back and
 *            recorded as kvm.* facts; what was not applied fails the case.
 *            QEMU starts paused (-S): no vCPU runs before all that is
 *            done; QMP cont then starts the guest, and one more scan of
 *            QEMU's threads puts any started meanwhile on the emulator
 *            CPUs (kvm.emulator.late_threads).  The boot probe runs
 *            unpaused: nothing is placed for it.
 *   wait     QEMU exits when the guest powers off after END.
 *   stop     QMP quit, then SIGTERM/SIGKILL to QEMU's process group.
 *   cleanup  the same, plus the FIFOs, the socket and the initrd.
 *
 * The channel: QEMU's pipe chardev opens CHAN.out read-write and writes
 * the guest's port output into it; the harness opens CHAN.out read-only
 * after QMP answers (so QEMU has it open: a FIFO without a writer reads as
 * EOF) and reads frames from it.  QEMU is the only writer, so the stream
 * ends exactly when QEMU exits.  Nothing but frames travels on it; the
 * console carries the kernel's messages.
 *
 * KVM probe: /dev/kvm being there is not enough - a nested or paravirtual
 * KVM can hang a standard guest.  The probe boots the real guest image
 * (args "probe": the guest prints GUEST_PROBE_MARK and powers off) with
 * -accel kvm and waits KVM_PROBE_MS for the mark.  No mark: TCG, and
 * every case is labelled emulated.  The result is kept for the life of
 * the process (per guest kernel).  QEMU children get PR_SET_PDEATHSIG so
 * none outlives a crashed harness.
 *
 * The guest kernel and its default: guest_kernel() in harness/env/guest/guest.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/env/env.h"
#include "harness/env/guest/guest_image.h"
#include "harness/env/kvm/kvm_cmd.h"
#include "harness/net/net.h"
#include "harness/env/kvm/kvm_place.h"
#include "harness/run/plan.h"
#include "harness/run/proc.h"
#include "harness/env/kvm/qmp.h"
#include "harness/util.h"

#define KVM_PROBE_MS 10000   /* a KVM guest prints its mark in ~1 s */
#define QMP_CONNECT_MS 15000
#define QMP_CONT_MS 5000

struct kvm_state {
	char kernel[1024], modules[1024];
	char base[4096], initrd[4200], chan[4200], chan_in[4300];
	char chan_out[4300], qmp_path[4200];
	char accel[8];
	struct proc qemu;
	struct qmp qmp;
	int qmp_open;
	struct kvm_placed placed; /* kvm_place_threads -> kvm_place_late */
};

/* --- starting QEMU ---------------------------------------------------- */

/* fork + execve with stdout and stderr on one pipe (the log, *log_fd:
 * the case's, not p's), stdin from /dev/null, in its own process group,
 * killed if the harness dies. */
static int spawn(char *const argv[], struct proc *p, int *log_fd)
{
	const struct proc_spec spec = {
		.path = argv[0],
		.argv = argv,
		.fd = {PROC_FD_NULL, PROC_FD_OUT, PROC_FD_OUT},
		.pdeathsig = SIGKILL,
	};
	int rc = proc_spawn(p, &spec);

	if (rc == 0) {
		*log_fd = p->out_fd;
		p->out_fd = -1;
	}
	return rc;
}

/* Everything the log pipe holds right now (for a start that failed). */
static void drain_log(int fd, char *buf, size_t size)
{
	size_t len = strlen(buf);
	struct pollfd p = {fd, POLLIN, 0};

	while (len + 1 < size && poll(&p, 1, 200) > 0) {
		ssize_t n = read(fd, buf + len, size - len - 1);

		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
}

static int make_fifos(struct kvm_state *st, const char *dir)
{
	snprintf(st->chan, sizeof(st->chan), "%s/chan", dir);
	snprintf(st->chan_in, sizeof(st->chan_in), "%s.in", st->chan);
	snprintf(st->chan_out, sizeof(st->chan_out), "%s.out", st->chan);
	snprintf(st->qmp_path, sizeof(st->qmp_path), "%s/qmp.sock", dir);
	if ((mkfifo(st->chan_in, 0600) < 0 && errno != EEXIST) ||
	    (mkfifo(st->chan_out, 0600) < 0 && errno != EEXIST))
		return -errno;
	return 0;
}

static void remove_files(struct kvm_state *st)
{
	const char *files[] = {st->chan_in, st->chan_out, st->qmp_path,
			       st->initrd};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (files[i][0])
			unlink(files[i]);
}

static void stop_qemu(struct kvm_state *st)
{
	char reply[512];

	if (st->qemu.pid <= 0 || st->qemu.reaped)
		return;
	/* Ask first: QEMU then exits cleanly and removes its socket. */
	if (st->qmp_open &&
	    qmp_command(&st->qmp, "{\"execute\": \"quit\"}", reply,
			sizeof(reply), 1000) == 0)
		proc_wait(&st->qemu, 2000);
	proc_stop(&st->qemu, 2000);
}

/* --- the KVM probe ---------------------------------------------------- */

static struct {
	char kernel[1024];
	int done, kvm_ok;
	char why[512];
} probe_cache;

/* The modules the virtio-serial sample channel needs on a modular kernel
 * (Debian's cloud kernel builds virtio, virtio_pci and virtio_console as
 * modules): the image carries them (guest_image_spec.modules). */
static const char *const virtio_modules[] = {
	"virtio_pci", "virtio_console", NULL,
};
/* ... and virtio_net for a netlat case's network end (a tap). */
static const char *const virtio_net_modules[] = {
	"virtio_pci", "virtio_console", "virtio_net", NULL,
};

/* Read QEMU's console until the guest's probe mark (0), QEMU exiting
 * (-EIO) or KVM_PROBE_MS (-ETIMEDOUT); out keeps the tail it read. */
static int watch_console(int log_fd, char *out, size_t size)
{
	double until = mono_now() + KVM_PROBE_MS / 1000.0;

	while (mono_now() < until) {
		struct pollfd p = {log_fd, POLLIN, 0};
		size_t len = strlen(out);
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (len > size - 512) {
			memmove(out, out + len - 1024, 1025);
			len = 1024;
		}
		n = read(log_fd, out + len, size - len - 1);
		if (n <= 0)
			return -EIO; /* QEMU exited */
		out[len + (size_t)n] = '\0';
		if (strstr(out, GUEST_PROBE_MARK))
			return 0;
	}
	return -ETIMEDOUT;
}

static int boot_probe(const char *kernel, const char *mods,
		      const char *wl_path, char *err, size_t errsz)
{
	struct kvm_state *st = calloc(1, sizeof(*st));
	char dir[] = "/tmp/isolat-kvmprobe-XXXXXX", out[8192] = "";
	struct guest_image_spec spec = {mods, wl_path, NULL, NULL,
					virtio_modules};
	char *const args[] = {"probe", NULL};
	struct kvm_cmd c = {0};
	struct kvm_argv *a = calloc(1, sizeof(*a));
	int built, log_fd = -1, rc;

	if (!st || !a || !mkdtemp(dir)) {
		snprintf(err, errsz, "cannot prepare the probe: %s",
			 strerror(errno));
		free(st);
		free(a);
		return -ENOMEM;
	}
	rc = guest_image_prepare(&spec, args, dir, st->base, sizeof(st->base),
				 st->initrd, sizeof(st->initrd), &built, err,
				 errsz);
	if (rc == 0 && (rc = make_fifos(st, dir)) < 0)
		snprintf(err, errsz, "mkfifo in %s: %s", dir, strerror(-rc));
	if (rc < 0)
		goto out;
	c = (struct kvm_cmd){
		.qemu = "", .name = "isolat-kvm-probe", .accel = "kvm",
		.vcpus = 1, .memory_mb = 256, .kernel = kernel,
		.initrd = st->initrd, .chan_base = st->chan,
		.qmp_path = st->qmp_path,
		/* panic=-1 + -no-reboot: a kernel that dies exits QEMU. */
		.cmdline = "console=ttyS0 quiet panic=-1",
	};
	{
		static char qemu[4096];

		find_program("qemu-system-x86_64", qemu, sizeof(qemu));
		c.qemu = qemu;
	}
	rc = kvm_build_argv(&c, a);
	if (rc == 0)
		rc = spawn(a->argv, &st->qemu, &log_fd);
	if (rc < 0) {
		snprintf(err, errsz, "cannot start QEMU: %s", strerror(-rc));
		goto out;
	}
	rc = watch_console(log_fd, out, sizeof(out));
	if (rc == -ETIMEDOUT) {
		snprintf(err, errsz, "KVM did not boot the guest within %d s "
			 "(nested or paravirtual KVM?)", KVM_PROBE_MS / 1000);
	} else if (rc < 0) {
		/* QEMU's own "error:" line says most (e.g. an MSR a nested
		 * KVM refuses); else its last line. */
		char *line = strstr(out, "error:"), *end;

		if (!line) {
			end = out + strlen(out);
			while (end > out && (end[-1] == '\n' || end[-1] == '\r'))
				*--end = '\0';
			line = strrchr(out, '\n');
			line = line ? line + 1 : out;
		}
		line[strcspn(line, "\r\n")] = '\0';
		snprintf(err, errsz, "QEMU -accel kvm ended without booting "
			 "the guest: %.300s", line);
	}
out:
	if (st->qemu.pid > 0)
		proc_stop(&st->qemu, 1000);
	if (log_fd >= 0)
		close(log_fd);
	remove_files(st);
	rmdir(dir);
	free(st);
	free(a);
	return rc;
}

/* KVM usable for kernel?  Cached per kernel for the process's life. */
static int kvm_works(const char *kernel, const char *mods, char *why,
		     size_t whysz)
{
	char wl[4096], err[512] = "";
	int fd;

	if (probe_cache.done && !strcmp(probe_cache.kernel, kernel))
		goto out;
	probe_cache.done = 1;
	probe_cache.kvm_ok = 0;
	snprintf(probe_cache.kernel, sizeof(probe_cache.kernel), "%s", kernel);
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(probe_cache.why, sizeof(probe_cache.why),
			 "/dev/kvm: %s", strerror(errno));
		goto out;
	}
	close(fd);
	if (workload_binary(wl, sizeof(wl), err, sizeof(err)) < 0 ||
	    boot_probe(kernel, mods, wl, err, sizeof(err)) < 0) {
		snprintf(probe_cache.why, sizeof(probe_cache.why), "%s", err);
		goto out;
	}
	probe_cache.kvm_ok = 1;
	snprintf(probe_cache.why, sizeof(probe_cache.why),
		 "KVM booted the guest within %d s", KVM_PROBE_MS / 1000);
out:
	snprintf(why, whysz, "%s", probe_cache.why);
	return probe_cache.kvm_ok;
}

static int kvm_probe(char *why, size_t whysz)
{
	char qemu[4096], kernel[1024], mods[1024], note[512];
	struct scn_params none;

	if (find_program("qemu-system-x86_64", qemu, sizeof(qemu)) < 0) {
		snprintf(why, whysz, "no qemu-system-x86_64 (apt-get install "
			 "qemu-system-x86)");
		return -ENOENT;
	}
	memset(&none, 0, sizeof(none));
	if (guest_kernel(&none, NULL, 0, kernel, sizeof(kernel), mods,
			     sizeof(mods), why, whysz) < 0)
		return -ENOENT;
	if (kvm_works(kernel, mods, note, sizeof(note)))
		snprintf(why, whysz, "KVM (-accel kvm), guest kernel %s",
			 kernel);
	else
		snprintf(why, whysz, "TCG fallback, results labelled "
			 "emulated (%s); guest kernel %s", note, kernel);
	return 0;
}

static int kvm_probe_scenario(struct env_plan *ep, const struct scenario *scn,
			      char *why, size_t whysz)
{
	char qemu[4096], kernel[1024], mods[1024];
	int rc;

	if (find_program("qemu-system-x86_64", qemu, sizeof(qemu)) < 0) {
		snprintf(why, whysz, "no qemu-system-x86_64 (apt-get install "
			 "qemu-system-x86)");
		return -ENOENT;
	}
	rc = guest_kernel(&scn->params, scn->path,
			      scn->environments_line, kernel, sizeof(kernel),
			      mods, sizeof(mods), why, whysz);
	if (rc < 0)
		return rc;
	if (!strcmp(scn->params.kvm_accel, "kvm") &&
	    access("/dev/kvm", R_OK | W_OK) < 0) {
		snprintf(why, whysz, "kvm_accel = kvm but /dev/kvm: %s",
			 strerror(errno));
		return -ENODEV;
	}
	return 0;
}

/* env_ops.host_cpus: kvm asks the host nothing, so no plan state. */
static int kvm_plan_host_cpus(struct env_plan *ep, const struct scn_params *p,
			      const char *scn_path,
			      const struct cpulist *online,
			      struct cpulist *out, char *err, size_t errsz)
{
	return kvm_host_cpus(p, scn_path, online, out, err, errsz);
}

/* --- the ops ---------------------------------------------------------- */

static int kvm_prepare(struct env_case *ec, char *err, size_t errsz)
{
	const struct scn_params *p = &ec->pc->params;
	struct kvm_state *st = calloc(1, sizeof(*st));
	struct guest_image_spec spec = {NULL, ec->wl_path, NULL,
					ec->guest_programs,
					virtio_modules};
	char note[512];
	int rc, built = 0;

	if (!st) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	st->qemu.out_fd = st->qemu.err_fd = -1;
	st->qmp.fd = -1;
	ec->priv = st;
	rc = guest_kernel(p, "the scenario", 0, st->kernel,
			      sizeof(st->kernel), st->modules,
			      sizeof(st->modules), err, errsz);
	if (rc < 0)
		return rc;
	spec.modules_dir = st->modules;
	/* netlat: virtio-net on the path's tap (wl_guest_net.c); other
	 * images stay as they were. */
	if (ec->net)
		spec.modules = virtio_net_modules;
	/* The workload argv without argv[0]: wl_guest.c puts it back. */
	rc = guest_image_prepare(&spec, ec->wl_argv + 1, ec->workdir, st->base,
				 sizeof(st->base), st->initrd,
				 sizeof(st->initrd), &built, err, errsz);
	if (rc < 0)
		return rc;
	ec->fact(ec->fact_ctx, "kvm.kernel", st->kernel);
	ec->fact(ec->fact_ctx, "kvm.modules", st->modules);
	ec->fact(ec->fact_ctx, "kvm.image", st->base);
	ec->fact(ec->fact_ctx, "kvm.image_built", built ? "yes" : "no");
	if (!strcmp(p->kvm_accel, "tcg")) {
		strcpy(st->accel, "tcg");
		ec->fact(ec->fact_ctx, "kvm.probe", "not run: kvm_accel = tcg");
	} else {
		int ok = kvm_works(st->kernel, st->modules, note,
				   sizeof(note));

		ec->fact(ec->fact_ctx, "kvm.probe", note);
		if (!ok && !strcmp(p->kvm_accel, "kvm")) {
			snprintf(err, errsz, "kvm_accel = kvm but KVM does not "
				 "work here: %s", note);
			return -ENODEV;
		}
		strcpy(st->accel, ok ? "kvm" : "tcg");
	}
	ec->fact(ec->fact_ctx, "kvm.accel", st->accel);
	return 0;
}

/* QEMU started paused (-S): QMP, the sample channel, its threads placed
 * and checked, then QMP cont, then the threads it started meanwhile.
 * 0 or -errno with err set. */
static int connect_place_run(struct env_case *ec, struct kvm_state *st,
			     char *err, size_t errsz)
{
	char reply[512];
	int rc = qmp_connect(&st->qmp, st->qmp_path, QMP_CONNECT_MS, err,
			     errsz);

	if (rc < 0)
		return rc;
	st->qmp_open = 1;
	/* QEMU has CHAN.out open now: reading it cannot see a false EOF. */
	ec->stream_fd = open(st->chan_out, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (ec->stream_fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", st->chan_out, strerror(errno));
		return rc;
	}
	/* The run loop reads after poll(): a blocking read is right. */
	fcntl(ec->stream_fd, F_SETFL, 0);
	rc = kvm_place_threads(ec, &st->qmp, st->qemu.pid, &st->placed, err,
			       errsz);
	if (rc == 0)
		rc = kvm_check_mem_lock(ec, st->qemu.pid, err, errsz);
	if (rc < 0)
		return rc;
	/* Placed and checked: now the guest may run. */
	rc = qmp_command(&st->qmp, "{\"execute\": \"cont\"}", reply,
			 sizeof(reply), QMP_CONT_MS);
	if (rc < 0) {
		snprintf(err, errsz, "QMP cont (start the paused guest): %s",
			 rc == -EIO ? reply : strerror(-rc));
		return rc;
	}
	ec->fact(ec->fact_ctx, "kvm.started", "paused (-S) until its threads "
		 "were placed, then QMP cont");
	/* Threads QEMU started meanwhile inherited their creator's mask. */
	return kvm_place_late(ec, st->qemu.pid, &st->placed, err, errsz);
}

static int kvm_start(struct env_case *ec, char *err, size_t errsz)
{
	const struct scn_params *p = &ec->pc->params;
	struct kvm_state *st = ec->priv;
	struct kvm_argv *a = calloc(1, sizeof(*a));
	char qemu[4096], cmdline[1200], name[64], *text = NULL;
	struct kvm_cmd c;
	int rc, log_fd = -1;

	if (!a) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	rc = find_program("qemu-system-x86_64", qemu, sizeof(qemu));
	if (rc < 0) {
		snprintf(err, errsz, "no qemu-system-x86_64");
		goto out;
	}
	rc = make_fifos(st, ec->workdir);
	if (rc < 0) {
		snprintf(err, errsz, "mkfifo in %s: %s", ec->workdir,
			 strerror(-rc));
		goto out;
	}
	snprintf(name, sizeof(name), "isolat-case-%u", ec->pc->idx);
	kvm_guest_cmdline(p, ec->pc->profile, cmdline, sizeof(cmdline));
	/* netlat: the guest's address, set by its PID 1 (wl_guest.c). */
	if (ec->net && strlen(cmdline) + 40 < sizeof(cmdline))
		strcat(cmdline, " isolat.net=" NET_ADDR_A NET_PREFIX);
	c = (struct kvm_cmd){
		.qemu = qemu, .name = name, .accel = st->accel,
		.vcpus = guest_vcpus(p), .memory_mb = p->memory_mb,
		.mem_lock = p->mem_lock, .kernel = st->kernel,
		.initrd = st->initrd, .cmdline = cmdline,
		.chan_base = st->chan, .qmp_path = st->qmp_path,
		/* -S: no vCPU runs before its thread is placed. */
		.paused = 1,
		.tap = ec->net ? ec->net->if_a : NULL,
	};
	rc = kvm_build_argv(&c, a);
	if (rc < 0) {
		snprintf(err, errsz, "cannot build QEMU's argv (a path with "
			 "',' or too long)");
		goto out;
	}
	text = malloc(sizeof(a->store) + KVM_ARGV_MAX);
	if (text) {
		guest_argv_text(a->argv, text, sizeof(a->store) + KVM_ARGV_MAX);
		ec->fact(ec->fact_ctx, "kvm.qemu_argv", text);
	}
	ec->fact(ec->fact_ctx, "kvm.guest_cmdline", cmdline);
	rc = spawn(a->argv, &st->qemu, &log_fd);
	if (rc < 0) {
		snprintf(err, errsz, "cannot start %s: %s", qemu,
			 strerror(-rc));
		goto out;
	}
	ec->log_fd = log_fd;
	ec->emulated = !strcmp(st->accel, "tcg");
	snprintf(name, sizeof(name), "%d", (int)st->qemu.pid);
	ec->fact(ec->fact_ctx, "kvm.qemu_pid", name);
	rc = connect_place_run(ec, st, err, errsz);
	if (rc < 0)
		goto failed;
	goto out;
failed:
	/* The run loop has not read the log yet: keep what QEMU said. */
	if (text) {
		text[0] = '\0';
		stop_qemu(st);
		drain_log(log_fd, text, sizeof(a->store));
		if (text[0])
			ec->fact(ec->fact_ctx, "kvm.qemu_output", text);
	}
out:
	free(text);
	free(a);
	return rc;
}

static int kvm_wait(struct env_case *ec, int timeout_ms, int *status)
{
	struct kvm_state *st = ec->priv;
	int rc;

	if (!st || st->qemu.pid <= 0)
		return 0;
	rc = proc_wait(&st->qemu, timeout_ms);
	if (rc == 0)
		*status = st->qemu.status;
	return rc;
}

static void kvm_stop(struct env_case *ec)
{
	if (ec->priv)
		stop_qemu(ec->priv);
}

static void kvm_cleanup(struct env_case *ec)
{
	struct kvm_state *st = ec->priv;

	if (!st)
		return;
	stop_qemu(st);
	qmp_close(&st->qmp);
	if (ec->stream_fd >= 0)
		close(ec->stream_fd);
	if (ec->log_fd >= 0)
		close(ec->log_fd);
	remove_files(st);
	free(st);
	ec->priv = NULL;
	ec->stream_fd = ec->log_fd = -1;
}

const struct env_ops env_kvm_ops = {
	.name = "kvm",
	.netlat_end = 1 + NET_END_TAP,
	.describe = "the workload as PID 1 of a QEMU/KVM guest",
	.flags = ENV_GUEST,
	.probe = kvm_probe,
	.prepare = kvm_prepare,
	.start = kvm_start,
	.wait = kvm_wait,
	.stop = kvm_stop,
	.cleanup = kvm_cleanup,
	.probe_scenario = kvm_probe_scenario,
	.guest_cpus = guest_vcpu_list,
	.host_cpus = kvm_plan_host_cpus,
};
