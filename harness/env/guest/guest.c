/*
 * guest.c - see guest.h: what every guest backend (kvm, xen) decides the
 * same way.
 */
#include "harness/env/guest/guest.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "harness/host/tuning.h"

unsigned guest_vcpus(const struct scn_params *p)
{
	unsigned top = p->cpus.n ? p->cpus.cpu[p->cpus.n - 1] : 0;

	if (p->vcpus)
		return p->vcpus;
	if (p->housekeeping > (int)top)
		top = (unsigned)p->housekeeping;
	/* Housekeeping not chosen yet and every vCPU up to top measured:
	 * one more for the writer. */
	if (p->housekeeping < 0 && p->cpus.n == top + 1)
		top++;
	return top + 1;
}

void guest_vcpu_list(const struct scn_params *p, struct cpulist *out)
{
	unsigned n = guest_vcpus(p);

	out->n = 0;
	for (unsigned v = 0; v < n && v < CPULIST_MAX; v++)
		out->cpu[out->n++] = (unsigned short)v;
}

int guest_cmdline(const char *console, const struct scn_params *p,
		  const struct scn_profile *prof, char *buf, size_t size)
{
	const char *extra = prof ? prof->guest_cmdline : "";
	int n = snprintf(buf, size, "%s%s%s%s%s", console,
			 p->guest_cmdline[0] ? " " : "", p->guest_cmdline,
			 extra[0] ? " " : "", extra);

	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	/* In a guest the profile's isolcpus, nohz_full, ... are the guest
	 * kernel's, which isolat boots per case. */
	return tuning_guest_boot_args(prof, buf, size, NULL, 0);
}

void guest_argv_text(char *const *argv, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; argv[i] && len < size; i++) {
		int n = snprintf(buf + len, size - len, "%s%s", i ? " " : "",
				 argv[i]);

		if (n < 0)
			break;
		len += (size_t)n;
	}
}

int guest_modules_dir(const char *kernel, char *out, size_t size)
{
	const char *base = strrchr(kernel, '/');
	size_t rootlen;
	int n;

	if (!base || strncmp(base + 1, "vmlinuz-", 8) || !base[9])
		return -EINVAL;
	/* ROOT/boot/vmlinuz-V: ROOT is what precedes "/boot". */
	rootlen = (size_t)(base - kernel);
	if (rootlen < 5 || strncmp(base - 5, "/boot", 5))
		return -EINVAL;
	rootlen -= 5;
	n = snprintf(out, size, "%.*s/lib/modules/%s", (int)rootlen, kernel,
		     base + 9);
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

/* --- the guest kernel ------------------------------------------------- */

static int has_modules_dep(const char *dir)
{
	char p[1200];

	snprintf(p, sizeof(p), "%s/modules.dep", dir);
	return access(p, R_OK) == 0;
}

static int default_kernel(char *kernel, size_t ksz, char *mods, size_t msz)
{
	struct utsname u;
	DIR *d;
	struct dirent *e;
	char best[1024] = "";

	if (uname(&u) == 0) {
		snprintf(kernel, ksz, "/boot/vmlinuz-%s", u.release);
		snprintf(mods, msz, "/lib/modules/%s", u.release);
		if (access(kernel, R_OK) == 0 && has_modules_dep(mods))
			return 0;
	}
	d = opendir(GUEST_KERNEL_CACHE);
	while (d && (e = readdir(d))) {
		char boot[600], k[1024], m[1024];
		DIR *b;
		struct dirent *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(boot, sizeof(boot), GUEST_KERNEL_CACHE "/%s/boot",
			 e->d_name);
		b = opendir(boot);
		while (b && (f = readdir(b))) {
			if (strncmp(f->d_name, "vmlinuz-", 8))
				continue;
			snprintf(k, sizeof(k), "%s/%s", boot, f->d_name);
			if (guest_modules_dir(k, m, sizeof(m)) == 0 &&
			    has_modules_dep(m) && strcmp(k, best) > 0) {
				snprintf(best, sizeof(best), "%s", k);
				snprintf(mods, msz, "%s", m);
			}
		}
		if (b)
			closedir(b);
	}
	if (d)
		closedir(d);
	if (!best[0])
		return -ENOENT;
	snprintf(kernel, ksz, "%s", best);
	return 0;
}

int guest_kernel(const struct scn_params *p, const char *scn_path,
		     int env_line, char *kernel, size_t ksz, char *mods,
		     size_t msz, char *why, size_t whysz)
{
	struct utsname u;
	char at[1100] = "";
	int line;

	if (!p->kvm_kernel[0]) {
		if (default_kernel(kernel, ksz, mods, msz) == 0)
			goto modules;
		uname(&u);
		if (scn_path)
			snprintf(why, whysz, "%s:%d: environment kvm: no guest "
				 "kernel: neither /boot/vmlinuz-%s with "
				 "/lib/modules/%s/modules.dep nor a kernel in "
				 GUEST_KERNEL_CACHE "; expected kvm_kernel = PATH "
				 "in [scenario]", scn_path, env_line,
				 u.release, u.release);
		else /* `isolat envs`: no file, no line */
			snprintf(why, whysz, "no guest kernel: neither "
				 "/boot/vmlinuz-%s with modules nor a kernel in "
				 GUEST_KERNEL_CACHE " (tests/e2e/lib_kernel.sh puts "
				 "one there); set kvm_kernel in the scenario",
				 u.release);
		/* No kernel given and none found is this host not being
		 * ready for guests, not a mistake in the scenario: the kvm
		 * cases are skipped with this reason, the others run. */
		return -ENOENT;
	}
	snprintf(kernel, ksz, "%s", p->kvm_kernel);
	if (access(kernel, R_OK) < 0) {
		snprintf(why, whysz, "%s:%d: kvm_kernel = %s: %s; expected "
			 "the path of a bzImage/vmlinuz", scn_path,
			 p->kvm_kernel_line, kernel, strerror(errno));
		return -EINVAL;
	}
	if (p->kvm_modules[0]) {
		snprintf(mods, msz, "%s", p->kvm_modules);
	} else if (guest_modules_dir(kernel, mods, msz) < 0) {
		snprintf(why, whysz, "%s:%d: kvm_kernel = %s: cannot tell its "
			 "modules directory from the name; expected "
			 "kvm_modules = /lib/modules/VERSION as well",
			 scn_path, p->kvm_kernel_line, kernel);
		return -EINVAL;
	}
modules:
	if (has_modules_dep(mods))
		return 0;
	line = p->kvm_modules_line ? p->kvm_modules_line
	       : p->kvm_kernel_line ? p->kvm_kernel_line : env_line;
	if (scn_path)
		snprintf(at, sizeof(at), "%s:%d: ", scn_path, line);
	snprintf(why, whysz, "%s%s/modules.dep: missing; expected the guest "
		 "kernel's modules (depmod -b ROOT VERSION writes "
		 "modules.dep)", at, mods);
	return scn_path ? -EINVAL : -ENOENT;
}
