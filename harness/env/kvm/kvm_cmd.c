/*
 * kvm_cmd.c - see kvm_cmd.h.
 *
 * QEMU is started as:
 *
 *   qemu-system-x86_64 -name NAME -machine q35 -accel kvm|tcg
 *     -cpu host|max -smp N -m MB [-overcommit mem-lock=on]
 *     -nodefaults -no-user-config -display none -no-reboot
 *     -kernel K -initrd I -append CMDLINE
 *     -serial stdio                          console -> the case's log
 *     -device virtio-serial-pci,id=vs0
 *     -chardev pipe,id=isolat,path=CHAN      CHAN.out: the sample stream
 *     -device virtserialport,bus=vs0.0,chardev=isolat,name=isolat
 *     -qmp unix:QMP,server=on,wait=off
 *     [-netdev tap,id=n0,ifname=TAP,script=no,downscript=no
 *      -device virtio-net-pci,netdev=n0]   netlat's end: a tap isolat made
 *
 * -cpu host only means something with KVM; TCG gets -cpu max (every
 * feature TCG can emulate).  -no-reboot turns a guest reboot (a panic
 * with panic=-1 in guest_cmdline) into QEMU exiting.
 */
#include "harness/env/kvm/kvm_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "harness/env/guest/guest.h"
#include "harness/env/kvm/qmp.h"

/* Append one formatted argument. */
static int arg(struct kvm_argv *a, int *i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int arg(struct kvm_argv *a, int *i, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*i >= KVM_ARGV_MAX - 1 || a->used >= sizeof(a->store))
		return -ENOSPC;
	va_start(ap, fmt);
	n = vsnprintf(a->store + a->used, sizeof(a->store) - a->used, fmt,
		      ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(a->store) - a->used)
		return -ENOSPC;
	a->argv[(*i)++] = a->store + a->used;
	a->used += (size_t)n + 1;
	return 0;
}

/* Values QEMU parses as option lists must not contain ','. */
static int comma_free(const char *s)
{
	return s && !strchr(s, ',');
}

int kvm_build_argv(const struct kvm_cmd *c, struct kvm_argv *a)
{
	int kvm = !strcmp(c->accel, "kvm"), i = 0, rc = 0;

	memset(a, 0, sizeof(*a));
	if (!comma_free(c->kernel) || !comma_free(c->initrd) ||
	    !comma_free(c->chan_base) || !comma_free(c->qmp_path) ||
	    !comma_free(c->name) || (c->tap && (!comma_free(c->tap) ||
						 strncmp(c->tap, "isolat-", 7))) ||
	    (!kvm && strcmp(c->accel, "tcg")) ||
	    !c->vcpus || !c->memory_mb)
		return -EINVAL;
	rc |= arg(a, &i, "%s", c->qemu);
	rc |= arg(a, &i, "-name");
	rc |= arg(a, &i, "%s", c->name);
	rc |= arg(a, &i, "-machine");
	rc |= arg(a, &i, "q35");
	rc |= arg(a, &i, "-accel");
	rc |= arg(a, &i, "%s", c->accel);
	rc |= arg(a, &i, "-cpu");
	rc |= arg(a, &i, "%s", kvm ? "host" : "max");
	rc |= arg(a, &i, "-smp");
	rc |= arg(a, &i, "%u", c->vcpus);
	rc |= arg(a, &i, "-m");
	rc |= arg(a, &i, "%u", c->memory_mb);
	if (c->mem_lock) {
		rc |= arg(a, &i, "-overcommit");
		rc |= arg(a, &i, "mem-lock=on");
	}
	rc |= arg(a, &i, "-nodefaults");
	rc |= arg(a, &i, "-no-user-config");
	rc |= arg(a, &i, "-display");
	rc |= arg(a, &i, "none");
	rc |= arg(a, &i, "-no-reboot");
	if (c->paused)
		rc |= arg(a, &i, "-S");
	rc |= arg(a, &i, "-kernel");
	rc |= arg(a, &i, "%s", c->kernel);
	rc |= arg(a, &i, "-initrd");
	rc |= arg(a, &i, "%s", c->initrd);
	rc |= arg(a, &i, "-append");
	rc |= arg(a, &i, "%s", c->cmdline);
	rc |= arg(a, &i, "-serial");
	rc |= arg(a, &i, "stdio");
	rc |= arg(a, &i, "-device");
	rc |= arg(a, &i, "virtio-serial-pci,id=vs0");
	rc |= arg(a, &i, "-chardev");
	rc |= arg(a, &i, "pipe,id=isolat,path=%s", c->chan_base);
	rc |= arg(a, &i, "-device");
	rc |= arg(a, &i, "virtserialport,bus=vs0.0,chardev=isolat,"
		  "name=isolat");
	rc |= arg(a, &i, "-qmp");
	rc |= arg(a, &i, "unix:%s,server=on,wait=off", c->qmp_path);
	if (c->tap) {
		rc |= arg(a, &i, "-netdev");
		rc |= arg(a, &i, "tap,id=n0,ifname=%s,script=no,downscript=no",
			  c->tap);
		rc |= arg(a, &i, "-device");
		rc |= arg(a, &i, "virtio-net-pci,netdev=n0");
	}
	a->argv[i] = NULL;
	return rc ? -ENOSPC : 0;
}

int kvm_guest_cmdline(const struct scn_params *p,
		      const struct scn_profile *prof, char *buf, size_t size)
{
	/* ttyS0 is the console QEMU's -serial stdio carries; quiet keeps the
	 * boot short under TCG (loglevel 4 still shows panics). */
	return guest_cmdline("console=ttyS0 quiet", p, prof, buf, size);
}

int kvm_vcpu_host_cpu(unsigned v, const struct cpulist *online, int host_hk)
{
	return cpulist_contains(online, v) ? (int)v : host_hk;
}

int kvm_vcpu_map(const struct scn_params *p, const struct cpulist *online,
		 unsigned short *map, unsigned n)
{
	int host_hk = -1;

	if (p->vcpu_pin.n) {
		if (p->vcpu_pin.n < n)
			return -ERANGE;
		for (unsigned v = 0; v < n; v++)
			map[v] = p->vcpu_pin.cpu[v];
		return 0;
	}
	for (unsigned i = 0; i < online->n && host_hk < 0; i++)
		if (!cpulist_contains(&p->cpus, online->cpu[i]))
			host_hk = online->cpu[i];
	if (host_hk < 0)
		host_hk = online->n ? online->cpu[0] : 0;
	for (unsigned v = 0; v < n; v++)
		map[v] = (unsigned short)kvm_vcpu_host_cpu(v, online, host_hk);
	return 0;
}

/* Is every CPU of l online?  *bad gets the first that is not. */
static int all_online(const struct cpulist *l, const struct cpulist *online,
		      unsigned *bad)
{
	for (unsigned i = 0; i < l->n; i++)
		if (!cpulist_contains(online, l->cpu[i])) {
			*bad = l->cpu[i];
			return 0;
		}
	return 1;
}

int kvm_host_cpus(const struct scn_params *p, const char *scn_path,
		  const struct cpulist *online, struct cpulist *out, char *err,
		  size_t errsz)
{
	unsigned short map[CPULIST_MAX];
	unsigned char used[CPULIST_MAX] = {0};
	unsigned n = guest_vcpus(p), bad = 0;
	char have[256], list[256];
	struct cpulist emu;
	const char *why = NULL;

	/* QMP's query-cpus-fast is read into QMP_MAX_VCPUS entries: a wider
	 * guest could not have every vCPU thread placed. */
	if (n > QMP_MAX_VCPUS) {
		snprintf(err, errsz, "%s:%d: %s gives the kvm guest %u vCPUs; "
			 "expected at most %d (the vCPU threads the kvm "
			 "backend places)", scn_path,
			 p->vcpus ? p->vcpus_line : p->cpus_line,
			 p->vcpus ? "vcpus" : "cpus", n, QMP_MAX_VCPUS);
		return -EINVAL;
	}
	if (n > CPULIST_MAX)
		n = CPULIST_MAX;
	cpulist_format(online, have, sizeof(have));
	cpulist_format(&p->vcpu_pin, list, sizeof(list));
	/* Wrapping a short list round would put two vCPUs on one host CPU
	 * without anyone having asked for it. */
	if (p->vcpu_pin.n && p->vcpu_pin.n < n) {
		snprintf(err, errsz, "%s:%d: vcpu_pin = %s pins %u vCPU%s but "
			 "the guest has %u (vCPUs 0-%u); expected one host CPU "
			 "per vCPU (vCPU i on the i-th)", scn_path,
			 p->vcpu_pin_line, list, p->vcpu_pin.n,
			 p->vcpu_pin.n == 1 ? "" : "s", n, n - 1);
		return -EINVAL;
	}
	if (!all_online(&p->vcpu_pin, online, &bad)) {
		snprintf(err, errsz, "%s:%d: vcpu_pin = %s: host CPU %u is not "
			 "online on this host; expected CPUs from %s", scn_path,
			 p->vcpu_pin_line, list, bad, have);
		return -EINVAL;
	}
	if (p->emulator_cpus[0] && strcmp(p->emulator_cpus, "housekeeping")) {
		if (cpulist_parse(p->emulator_cpus, &emu, &why) < 0)
			snprintf(list, sizeof(list), "%s", why);
		else if (!all_online(&emu, online, &bad))
			snprintf(list, sizeof(list), "host CPU %u is not "
				 "online on this host", bad);
		else
			list[0] = '\0';
		if (list[0]) {
			snprintf(err, errsz, "%s:%d: emulator_cpus = %s: %s; "
				 "expected housekeeping or CPUs from %s",
				 scn_path, p->emulator_cpus_line,
				 p->emulator_cpus, list, have);
			return -EINVAL;
		}
	}
	kvm_vcpu_map(p, online, map, n);
	for (unsigned i = 0; i < p->cpus.n; i++)
		if (p->cpus.cpu[i] < n)
			used[map[p->cpus.cpu[i]]] = 1;
	out->n = 0;
	for (unsigned c = 0; c < CPULIST_MAX; c++)
		if (used[c])
			out->cpu[out->n++] = (unsigned short)c;
	return 0;
}

int kvm_emulator_cpus(const struct scn_params *p, const struct cpulist *online,
		      const struct cpulist *host_cpus, struct cpulist *out)
{
	const char *why;

	if (p->emulator_cpus[0] && strcmp(p->emulator_cpus, "housekeeping"))
		return cpulist_parse(p->emulator_cpus, out, &why) < 0 ||
		       !out->n ? -EINVAL : 0;
	out->n = 0;
	for (unsigned i = 0; i < online->n; i++)
		if (!cpulist_contains(host_cpus, online->cpu[i]))
			out->cpu[out->n++] = online->cpu[i];
	if (!out->n)
		*out = *online;
	return 0;
}
