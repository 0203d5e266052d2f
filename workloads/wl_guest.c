/*
 * wl_guest.c - `isolat-wl guest`: PID 1 of a KVM/Xen guest's initramfs
 * (harness/env/guest/guest_image.h describes the image).  wl_main.c enters it only
 * as PID 1 started as /init (or `guest` as PID 1), never on a host.
 *
 *   1. mount proc, sysfs and devtmpfs (the HELLO facts read /proc/cmdline
 *      and /sys/devices/system/cpu/{isolated,nohz_full}: the guest's view);
 *   2. load /isolat/mod/<each line of /isolat/modules> with finit_module,
 *      in that order (the harness wrote it dependencies first);
 *   3. find the virtio-serial port named "isolat" (/sys/class/virtio-ports/
 *      vportNpM/name) and open /dev/vportNpM: the sample channel (KVM);
 *      or, when the command line says isolat.channel=TTY (Xen: hvc0, the
 *      PV console, see harness/env/xen/env_xen.c), open /dev/TTY in raw mode;
 *   4. bring the loopback interface up (a load inside may use it:
 *      stress-ng --udp on lo);
 *   5. run the workload argv from /isolat/args (one argument a line) as a
 *      child with --out-fd on the channel; the workload pins its writer to
 *      the housekeeping vCPU and its measuring threads to the measured ones,
 *      and starts a load inside (--load, workloads/wl_load.c: stress-ng from
 *      the image, stopped before END);
 *   6. kill what is left, sync and power off.
 *
 * Everything for a person goes to the console (ttyS0 / hvc0), which the
 * harness stores as the case's log.  PID 1 never exits: that would panic
 * the kernel, and a panicked guest hangs until the harness's deadline.
 * Whatever fails, it says so on the console and powers off.
 *
 * /isolat/args holding the single line "probe" makes the guest print
 * "isolat-guest: probe ok" (GUEST_PROBE_MARK in harness/env/guest/guest_image.h)
 * and power off: the harness's check that an accelerator
 * really boots this kernel.
 */
#include "workloads/wl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define CHANNEL_NAME "isolat"
#define CHANNEL_WAIT_MS 15000 /* the port appears after virtio probing */
#define MAX_ARGS WL_ARGV_MAX

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("isolat-guest: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static __attribute__((noreturn)) void power_off(void)
{
	sync();
	/* Give the console a moment to drain before the machine is gone. */
	nap_ms(100);
	reboot(RB_POWER_OFF);
	/* Only reached if power-off failed: idle rather than exit (an exiting
	 * PID 1 panics the kernel). */
	for (;;)
		pause();
}

static void mount_one(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, MS_NOSUID | MS_NOEXEC, NULL) < 0 &&
	    errno != EBUSY)
		say("mount %s on %s: %s", type, dir, strerror(errno));
}

static void load_modules(void)
{
	FILE *f = fopen("/isolat/modules", "re");
	char line[256], path[320];

	if (!f)
		return; /* no modules: everything is built in */
	while (fgets(line, sizeof(line), f)) {
		int fd;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || strchr(line, '/'))
			continue;
		snprintf(path, sizeof(path), "/isolat/mod/%s", line);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			say("%s: %s", path, strerror(errno));
			continue;
		}
		if (syscall(SYS_finit_module, fd, "", 0) < 0 &&
		    errno != EEXIST)
			say("finit_module %s: %s", line, strerror(errno));
		close(fd);
	}
	fclose(f);
}

/* The /dev node of the virtio-serial port named CHANNEL_NAME, waiting for
 * it to appear.  Returns an fd open for writing or -1. */
static int open_channel(char *dev, size_t devsz)
{
	for (int waited = 0; waited <= CHANNEL_WAIT_MS; waited += 50) {
		DIR *d = opendir("/sys/class/virtio-ports");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char path[512], name[64] = "";
			FILE *f;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path),
				 "/sys/class/virtio-ports/%s/name", e->d_name);
			f = fopen(path, "re");
			if (!f)
				continue;
			if (fgets(name, sizeof(name), f))
				name[strcspn(name, "\n")] = '\0';
			fclose(f);
			if (strcmp(name, CHANNEL_NAME))
				continue;
			snprintf(dev, devsz, "/dev/%s", e->d_name);
			closedir(d);
			d = NULL;
			/* devtmpfs may create the node a moment later. */
			for (int i = 0; i < 100; i++, nap_ms(20)) {
				int fd = open(dev, O_WRONLY | O_CLOEXEC);

				if (fd >= 0)
					return fd;
			}
			say("%s: %s", dev, strerror(errno));
			return -1;
		}
		if (d)
			closedir(d);
		nap_ms(50);
	}
	say("no virtio-serial port named '%s' after %d ms (is the "
	    "virtio_console module in the image?)", CHANNEL_NAME,
	    CHANNEL_WAIT_MS);
	return -1;
}

/*
 * isolat.channel=NAME on the kernel command line: the channel is the tty
 * /dev/NAME (a Xen PV console).  Raw mode, so the binary frames pass
 * unchanged (no NL -> CRNL).  Returns an fd, -1 on failure, or -2 when
 * the command line does not name one (then: the virtio-serial port).
 */
static int open_tty_channel(char *dev, size_t devsz)
{
	char cmdline[4096] = "", name[32];
	const char *k;
	struct termios t;
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, cmdline, sizeof(cmdline) - 1) : -1;
	size_t len;

	if (fd >= 0)
		close(fd);
	cmdline[n > 0 ? n : 0] = '\0';
	k = strstr(cmdline, "isolat.channel=");
	if (!k)
		return -2;
	k += strlen("isolat.channel=");
	len = strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789");
	if (!len || len >= sizeof(name)) {
		say("isolat.channel= names no tty");
		return -1;
	}
	memcpy(name, k, len);
	name[len] = '\0';
	snprintf(dev, devsz, "/dev/%s", name);
	fd = open(dev, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		say("%s: %s", dev, strerror(errno));
		return -1;
	}
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		if (tcsetattr(fd, TCSANOW, &t) < 0)
			say("%s: raw mode: %s", dev, strerror(errno));
	}
	return fd;
}

/* lo up, as every init does; 127.0.0.1 comes with it. */
static void loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			say("lo up: %s", strerror(errno));
	}
	close(s);
}

/* Lines of /isolat/args into argv (strings in buf); count or -1.  A file
 * that does not fit, or more arguments than argv has room for, is an
 * error said on the console (the case's log), never cut short. */
static int read_args(char *buf, size_t size, char *argv[MAX_ARGS])
{
	int fd = open("/isolat/args", O_RDONLY | O_CLOEXEC), n = 0;
	size_t len = 0;

	if (fd < 0) {
		say("/isolat/args: %s", strerror(errno));
		return -1;
	}
	while (len < size) {
		ssize_t r = read(fd, buf + len, size - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			say("/isolat/args: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len >= size) {
		say("/isolat/args: larger than %zu bytes; refusing a cut "
		    "argument list", size - 1);
		return -1;
	}
	if (len == 0) {
		say("/isolat/args: empty");
		return -1;
	}
	buf[len] = '\0';
	for (char *p = buf; *p;) {
		char *nl = strchr(p, '\n');

		if (n == WL_GUEST_ARGS_MAX) {
			say("/isolat/args: more than %d arguments; refusing "
			    "a cut argument list", WL_GUEST_ARGS_MAX);
			return -1;
		}
		if (nl)
			*nl = '\0';
		argv[n++] = p;
		if (!nl)
			break;
		p = nl + 1;
	}
	argv[n] = NULL;
	return n;
}

/* Wait for the workload (and reap anything else that ends, as PID 1
 * must); its wait status. */
static int wait_workload(pid_t pid)
{
	int status = 0;

	for (;;) {
		int st;
		pid_t r = wait(&st);

		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return status;
	}
}

/* Let the host take what is queued on the port before the machine goes. */
static void drain_channel(int fd)
{
	struct pollfd p = {fd, POLLOUT, 0};

	poll(&p, 1, 2000);
	close(fd);
	nap_ms(300);
}

int wl_guest_main(void)
{
	static char argbuf[WL_GUEST_ARGS_BYTES];
	char *argv[MAX_ARGS], dev[300], fdtext[16];
	int argc, fd, status;
	pid_t pid;

	setvbuf(stderr, NULL, _IONBF, 0);
	say("init started (isolat %s)", ISOLAT_VERSION);
	mount_one("proc", "/proc", "proc");
	mount_one("sysfs", "/sys", "sysfs");
	mount_one("devtmpfs", "/dev", "devtmpfs");
	argc = read_args(argbuf, sizeof(argbuf), argv);
	if (argc < 1)
		power_off();
	if (argc == 1 && !strcmp(argv[0], "probe")) {
		say("probe ok");
		power_off();
	}
	load_modules();
	loopback_up();
	wl_guest_net_up();
	fd = open_tty_channel(dev, sizeof(dev));
	if (fd == -2)
		fd = open_channel(dev, sizeof(dev));
	if (fd < 0)
		power_off();
	say("channel %s; running %s", dev, argv[0]);
	snprintf(fdtext, sizeof(fdtext), "%d", fd);
	/* argv[0] of the workload is its name, as on the host. */
	memmove(argv + 1, argv, (size_t)(argc + 1) * sizeof(*argv));
	argv[0] = "isolat-wl";
	argv[argc + 1] = "--out-fd";
	argv[argc + 2] = fdtext;
	argv[argc + 3] = NULL;
	pid = fork();
	if (pid == 0) {
		static char *const env[] = {"PATH=/", "LANG=C", NULL};
		cpu_set_t all;

		/* isolcpus= leaves PID 1 (and so us) on the housekeeping
		 * vCPUs only; the workload pins its threads itself and must
		 * be allowed onto the isolated ones.  The kernel drops the
		 * bits of CPUs that do not exist. */
		memset(&all, 0xff, sizeof(all));
		if (sched_setaffinity(0, sizeof(all), &all) < 0)
			say("sched_setaffinity: %s", strerror(errno));
		/* The channel must survive execve. */
		fcntl(fd, F_SETFD, 0);
		execve("/init", argv, env);
		say("cannot execute /init: %s", strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		say("fork: %s", strerror(errno));
		power_off();
	}
	status = wait_workload(pid);
	if (WIFEXITED(status))
		say("workload exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		say("workload killed by signal %d", WTERMSIG(status));
	drain_channel(fd);
	/* A load the workload could not stop (it was killed). */
	kill(-1, SIGKILL);
	say("powering off");
	power_off();
}
