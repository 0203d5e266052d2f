/*
 * xen_xl.c - see xen_xl.h.
 */
#include "harness/env/xen/xen_xl.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/env/guest/guest.h"
#include "harness/run/proc.h"
#include "harness/util.h"
#include "harness/env/xen/xen_cmd.h"

/* --- running xl ------------------------------------------------------- */

/*
 * xl, from the system directories (find_program: /usr/local/sbin ...
 * /bin, never $PATH - the harness runs as root) or Debian's
 * /usr/lib/xen-V/bin, the newest V (xen-4.17 after xen-4.9).
 */
int xen_find_xl(char *out, size_t size)
{
	const char *best = NULL;
	glob_t g;
	int rc = -ENOENT;

	if (find_program("xl", out, size) == 0)
		return 0;
	if (glob("/usr/lib/xen-*/bin/xl", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			if (access(g.gl_pathv[i], X_OK) == 0 &&
			    (!best || strverscmp(g.gl_pathv[i], best) > 0))
				best = g.gl_pathv[i];
		if (best && strlen(best) < size) {
			snprintf(out, size, "%s", best);
			rc = 0;
		}
		globfree(&g);
	}
	if (rc < 0 && size)
		out[0] = '\0';
	return rc;
}

/*
 * Run argv, its stdout+stderr into out (truncated to size).  Returns its
 * exit status (0..255) or a negative errno (-ETIMEDOUT: killed).
 */
static int run_xl(struct xen_argv *a, char *out, size_t size, int timeout_ms)
{
	struct proc p;
	size_t len = 0;
	double until = mono_now() + timeout_ms / 1000.0;
	int rc, open_fds = 2;

	out[0] = '\0';
	rc = proc_start(&p, a->argv[0], a->argv);
	if (rc < 0)
		return rc;
	while (open_fds && mono_now() < until) {
		struct pollfd f[2] = {{p.out_fd, POLLIN, 0},
				      {p.err_fd, POLLIN, 0}};

		if (poll(f, 2, 200) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			char buf[1024];
			ssize_t n;

			if (!f[i].revents || f[i].fd < 0)
				continue;
			n = read(f[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				close(f[i].fd);
				*(i ? &p.err_fd : &p.out_fd) = -1;
				open_fds--;
				continue;
			}
			if (len + 1 < size) {
				size_t k = (size_t)n < size - 1 - len
						   ? (size_t)n : size - 1 - len;

				memcpy(out + len, buf, k);
				len += k;
				out[len] = '\0';
			}
		}
	}
	if (open_fds) {
		proc_stop(&p, 1000);
		proc_close(&p);
		return -ETIMEDOUT;
	}
	rc = proc_wait(&p, 5000);
	if (rc < 0) {
		proc_stop(&p, 1000);
		proc_close(&p);
		return rc;
	}
	proc_close(&p);
	return WIFEXITED(p.status) ? WEXITSTATUS(p.status) : -EINTR;
}

int xen_xl(const char *xlpath, char *out, size_t outsz, char *err,
	      size_t errsz, const char *const *words)
{
	struct xen_argv a;
	char text[1024];
	int rc = xen_argv_init(&a, xlpath);

	for (int i = 0; rc == 0 && words[i]; i++)
		rc = xen_argv_add(&a, "%s", words[i]);
	if (rc < 0) {
		snprintf(err, errsz, "cannot build xl's argv: %s",
			 strerror(-rc));
		return rc;
	}
	rc = run_xl(&a, out, outsz, XL_TIMEOUT_MS);
	if (rc == 0)
		return 0;
	guest_argv_text(a.argv, text, sizeof(text));
	for (char *c = out; *c; c++)
		if (*c == '\n')
			*c = ' ';
	snprintf(err, errsz, "%.200s: %s: %.250s", text,
		 rc < 0 ? strerror(-rc) : "failed", out);
	return rc < 0 ? rc : -EIO;
}

/* --- is this a dom0? ---------------------------------------------------- */

int xen_dom0_ready(char *xlpath, size_t xlsz, char *info, size_t infosz,
		      char *why, size_t whysz)
{
	char caps[256] = "", type[64] = "";
	const char *words[] = {"info", NULL};
	char err[512];

	if (access("/proc/xen/privcmd", F_OK) < 0 &&
	    access("/dev/xen/privcmd", F_OK) < 0) {
		read_text("/sys/hypervisor/type", type, sizeof(type));
		snprintf(why, whysz, "no /proc/xen/privcmd or "
			 "/dev/xen/privcmd: not a Xen dom0 (%s)",
			 type[0] ? "a Xen guest, not dom0"
				 : "no Xen hypervisor");
		return -ENODEV;
	}
	read_text("/proc/xen/capabilities", caps, sizeof(caps));
	if (access("/proc/xen/capabilities", F_OK) == 0 &&
	    !strstr(caps, "control_d")) {
		snprintf(why, whysz, "/proc/xen/capabilities has no control_d: "
			 "a Xen domU, not dom0");
		return -ENODEV;
	}
	if (xen_find_xl(xlpath, xlsz) < 0) {
		snprintf(why, whysz, "no xl (apt-get install xen-utils)");
		return -ENOENT;
	}
	if (xen_xl(xlpath, info, infosz, err, sizeof(err), words) < 0) {
		snprintf(why, whysz, "xl info does not work (xenstored "
			 "running?): %s", err);
		return -EIO;
	}
	return 0;
}

int xen_emulated_here(void)
{
	static char cpuinfo[16384];
	char vendor[128] = "";
	int fd = open("/proc/cpuinfo", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, cpuinfo, sizeof(cpuinfo) - 1) : -1;

	if (fd >= 0)
		close(fd);
	cpuinfo[n > 0 ? n : 0] = '\0';
	read_text("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor));
	return xen_host_emulated(cpuinfo, vendor);
}

