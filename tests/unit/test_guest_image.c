/*
 * test_guest_image.c - the guest image and the pure parts of the kvm
 * backend: modules.dep resolution, the image's contents and its cache,
 * the per-case archive, the guest command line, QEMU's argv, the vCPU ->
 * host CPU rule and the modules directory of a kernel path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/env/guest/guest_image.h"
#include "workloads/wl.h"
#include "harness/env/kvm/kvm_cmd.h"

static char err[512];

static const char dep[] =
	"kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/virtio/virtio_ring.ko:\n"
	"kernel/drivers/virtio/virtio_pci.ko: "
	"kernel/drivers/virtio/virtio_pci_legacy_dev.ko "
	"kernel/drivers/virtio/virtio_pci_modern_dev.ko "
	"kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/virtio/virtio_pci_legacy_dev.ko:\n"
	"kernel/drivers/virtio/virtio_pci_modern_dev.ko:\n"
	"kernel/drivers/char/virtio_console.ko: "
	"kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/char/hw_random/virtio-rng.ko.xz: "
	"kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n";

static size_t pos(const struct guest_modules *m, const char *suffix)
{
	for (size_t i = 0; i < m->n; i++) {
		size_t a = strlen(m->path[i]), b = strlen(suffix);

		if (a >= b && !strcmp(m->path[i] + a - b, suffix))
			return i;
	}
	fail_msg("%s not in the list", suffix);
	return 0;
}

static void test_resolve(void **state)
{
	static const char *const want[] = {"virtio_pci", "virtio_console",
					   NULL};
	struct guest_modules m;

	(void)state;
	assert_int_equal(guest_modules_resolve(dep, want, &m, err,
					       sizeof(err)), 0);
	/* Each once, dependencies first. */
	assert_int_equal(m.n, 6);
	assert_true(pos(&m, "/virtio_ring.ko") < pos(&m, "/virtio.ko"));
	assert_true(pos(&m, "/virtio.ko") < pos(&m, "/virtio_pci.ko"));
	assert_true(pos(&m, "/virtio_pci_modern_dev.ko") <
		    pos(&m, "/virtio_pci.ko"));
	assert_true(pos(&m, "/virtio_pci_legacy_dev.ko") <
		    pos(&m, "/virtio_pci.ko"));
	assert_int_equal(pos(&m, "/virtio_console.ko"), m.n - 1);
	guest_modules_free(&m);
}

static void test_resolve_names(void **state)
{
	/* '-' and '_' are one; compressed names resolve; an unknown module
	 * is taken as built in. */
	static const char *const want[] = {"virtio_rng", "builtin_thing",
					   NULL};
	static const char *const none[] = {NULL};
	struct guest_modules m;

	(void)state;
	assert_int_equal(guest_modules_resolve(dep, want, &m, err,
					       sizeof(err)), 0);
	assert_int_equal(m.n, 3);
	assert_string_equal(m.path[2],
			    "kernel/drivers/char/hw_random/virtio-rng.ko.xz");
	guest_modules_free(&m);
	assert_int_equal(guest_modules_resolve("", none, &m, err,
					       sizeof(err)), 0);
	assert_int_equal(m.n, 0);
}

static void test_resolve_broken(void **state)
{
	static const char *const want[] = {"a", NULL};
	struct guest_modules m;

	(void)state;
	assert_int_equal(guest_modules_resolve("a.ko: b.ko\n", want, &m, err,
					       sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "b.ko"));
	assert_int_equal(guest_modules_resolve("a.ko: b.ko\nb.ko: a.ko\n",
					       want, &m, err, sizeof(err)),
			 -ELOOP);
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Whether the cpio archive starting at byte off of path has name; its
 * contents into out. */
static int archive_has_at(const char *path, long off, const char *name,
			  char *out, size_t size)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	static char buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t len;
	int found = 0;

	assert_non_null(f);
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	archive_read_support_format_cpio(a);
	assert_int_equal(archive_read_open_memory(a, buf, len), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (strcmp(archive_entry_pathname(e), name))
			continue;
		found = 1;
		if (out) {
			la_ssize_t n = archive_read_data(a, out, size - 1);

			out[n > 0 ? n : 0] = '\0';
		}
	}
	archive_read_free(a);
	return found;
}

static int archive_has(const char *path, const char *name, char *out,
		       size_t size)
{
	return archive_has_at(path, 0, name, out, size);
}

static void test_image(void **state)
{
	char dir[] = "/tmp/isolat-img-XXXXXX", p[512], img[4096], img2[4096];
	char cache[600], text[256], mods[600], wl[600];
	char *const args[] = {"rtlat", "--cpus", "1", NULL};
	char *const bad_args[] = {"a\nb", NULL};
	struct guest_image_spec spec;
	int built;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/mods", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/mods/modules.dep", dir);
	put_file(p, "kernel/virtio.ko:\nkernel/virtio_console.ko: "
		 "kernel/virtio.ko\n");
	snprintf(p, sizeof(p), "%s/mods/kernel", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/mods/kernel/virtio.ko", dir);
	put_file(p, "V");
	snprintf(p, sizeof(p), "%s/mods/kernel/virtio_console.ko", dir);
	put_file(p, "C");
	snprintf(wl, sizeof(wl), "%s/wl", dir);
	put_file(wl, "#!wl\n");
	snprintf(cache, sizeof(cache), "%s/cache/images", dir);
	snprintf(mods, sizeof(mods), "%s/mods", dir);
	spec = (struct guest_image_spec){mods, wl, cache, NULL,
					 (const char *const[]){"virtio_pci",
							       "virtio_console",
							       NULL}};

	assert_int_equal(guest_image_get(&spec, img, sizeof(img), &built, err,
					 sizeof(err)), 0);
	assert_int_equal(built, 1);
	assert_non_null(strstr(img, "/cache/images/"));
	assert_int_equal(strlen(strrchr(img, '/') + 1), 64 + 5);
	/* Same inputs: the cached file, not a new build. */
	assert_int_equal(guest_image_get(&spec, img2, sizeof(img2), &built,
					 err, sizeof(err)), 0);
	assert_int_equal(built, 0);
	assert_string_equal(img, img2);

	assert_true(archive_has(img, "init", text, sizeof(text)));
	assert_string_equal(text, "#!wl\n");
	assert_true(archive_has(img, "dev/console", NULL, 0));
	assert_true(archive_has(img, "isolat/modules", text, sizeof(text)));
	assert_string_equal(text, "virtio.ko\nvirtio_console.ko\n");
	assert_true(archive_has(img, "isolat/mod/virtio_console.ko", text,
				sizeof(text)));
	assert_string_equal(text, "C");

	/* The per-case archive: the image, then /isolat/args. */
	snprintf(p, sizeof(p), "%s/initrd", dir);
	assert_int_equal(guest_image_case(img, args, p, err, sizeof(err)), 0);
	assert_true(archive_has(p, "init", NULL, 0));
	{
		struct stat st;

		/* The second archive starts where the image ends (the
		 * kernel reads them in turn). */
		assert_int_equal(stat(img, &st), 0);
		assert_true(archive_has_at(p, st.st_size, "isolat/args", text,
					   sizeof(text)));
	}
	assert_string_equal(text, "rtlat\n--cpus\n1\n");
	assert_int_equal(guest_image_case(img, bad_args, p, err, sizeof(err)),
			 -EINVAL);
	{
		/* More than the guest reads: refused here, never cut. */
		static char *many[WL_GUEST_ARGS_MAX + 2], big[4200];

		for (int i = 0; i <= WL_GUEST_ARGS_MAX; i++)
			many[i] = "x";
		many[WL_GUEST_ARGS_MAX + 1] = NULL;
		assert_int_equal(guest_image_case(img, many, p, err,
						  sizeof(err)), -E2BIG);
		assert_non_null(strstr(err, "the guest takes at most"));
		many[WL_GUEST_ARGS_MAX] = NULL; /* exactly the cap: fine */
		assert_int_equal(guest_image_case(img, many, p, err,
						  sizeof(err)), 0);
		memset(big, 'a', sizeof(big) - 1);
		many[0] = big;
		many[1] = big;
		many[2] = NULL; /* 8400 bytes */
		assert_int_equal(guest_image_case(img, many, p, err,
						  sizeof(err)), -E2BIG);
		many[1] = NULL;
		assert_int_equal(guest_image_case(img, many, p, err,
						  sizeof(err)), 0);
	}

	/* A different module: a different image. */
	snprintf(p, sizeof(p), "%s/mods/kernel/virtio.ko", dir);
	put_file(p, "V2");
	assert_int_equal(guest_image_get(&spec, img2, sizeof(img2), &built,
					 err, sizeof(err)), 0);
	assert_int_equal(built, 1);
	assert_string_not_equal(img, img2);

	/* No modules.dep: the message says how to make one. */
	snprintf(p, sizeof(p), "%s/mods/modules.dep", dir);
	unlink(p);
	assert_int_equal(guest_image_get(&spec, img2, sizeof(img2), &built,
					 err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "depmod"));
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Extract the image at path into dir (no absolute paths, no ..); the
 * entries' names in order into names (NUL-separated). */
static void extract(const char *path, const char *dir, char *names,
		    size_t size)
{
	struct archive *a = archive_read_new(), *w = archive_write_disk_new();
	struct archive_entry *e;
	char cwd[4096];
	size_t len = 0;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	archive_read_support_format_cpio(a);
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_PERM |
				       ARCHIVE_EXTRACT_SECURE_NODOTDOT |
				       ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	assert_int_equal(archive_read_open_filename(a, path, 65536),
			 ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *n = archive_entry_pathname(e);

		assert_true(len + strlen(n) + 1 < size);
		memcpy(names + len, n, strlen(n) + 1);
		len += strlen(n) + 1;
		if (archive_entry_filetype(e) == AE_IFCHR)
			continue; /* dev/console: not needed to run */
		if (archive_read_extract2(a, e, w) < ARCHIVE_WARN)
			fail_msg("%s: %s", n, archive_error_string(a));
	}
	names[len] = '\0';
	archive_read_free(a);
	archive_write_free(w);
	assert_int_equal(chdir(cwd), 0);
}

static int name_index(const char *names, const char *n)
{
	int i = 0;

	for (const char *p = names; *p; p += strlen(p) + 1, i++)
		if (!strcmp(p, n))
			return i;
	return -1;
}

/* A program in the image: it, its interpreter and libraries at their host
 * paths, every directory before what it holds, /tmp; and (as root) it
 * runs in a chroot of the extracted image: the libraries really are
 * all there. */
static void test_image_programs(void **state)
{
	char dir[] = "/tmp/isolat-imgp-XXXXXX", img[4096], root[600];
	char wl[600], cache[600];
	static char names[1 << 16];
	const char *prog = access("/usr/bin/stress-ng", X_OK) == 0
				   ? "/usr/bin/stress-ng" : "/bin/true";
	const char *const programs[] = {prog, NULL};
	struct guest_image_spec spec;
	int built, i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(wl, sizeof(wl), "%s/wl", dir);
	put_file(wl, "#!wl\n");
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	spec = (struct guest_image_spec){NULL, wl, cache, programs, NULL};
	assert_int_equal(guest_image_get(&spec, img, sizeof(img), &built, err,
					 sizeof(err)), 0);
	assert_int_equal(built, 1);
	snprintf(root, sizeof(root), "%s/root", dir);
	mkdir(root, 0755);
	extract(img, root, names, sizeof(names));
	i = name_index(names, prog + 1);
	assert_true(i > 0);
	assert_true(name_index(names, "usr") < i || prog[1] != 'u');
	assert_true(name_index(names, "tmp") >= 0);
	assert_true(name_index(names, "lib64/ld-linux-x86-64.so.2") >= 0 ||
		    name_index(names, "lib/ld-linux-aarch64.so.1") >= 0 ||
		    name_index(names, "lib/ld-linux-armhf.so.3") >= 0);
	/* Without programs: another image (the probe's stays small). */
	{
		char img2[4096];

		spec.programs = NULL;
		assert_int_equal(guest_image_get(&spec, img2, sizeof(img2),
						 &built, err, sizeof(err)), 0);
		assert_string_not_equal(img, img2);
	}
	if (geteuid() == 0) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			char *const argv[] = {(char *)prog, "--version", NULL};
			char *const env[] = {"PATH=/", NULL};

			if (chroot(root) || chdir("/"))
				_exit(126);
			execve(prog, argv, env);
			_exit(127);
		}
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	/* A program that is not there: the error names it. */
	{
		const char *const missing[] = {"/nonexistent/prog", NULL};

		spec.programs = missing;
		assert_true(guest_image_get(&spec, img, sizeof(img), &built,
					    err, sizeof(err)) < 0);
		assert_non_null(strstr(err, "/nonexistent/prog"));
	}
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_cmdline(void **state)
{
	struct scn_profile prof;
	struct scn_params p;
	char buf[256];

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(&prof, 0, sizeof(prof));
	assert_int_equal(kvm_guest_cmdline(&p, NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "console=ttyS0 quiet");
	strcpy(p.guest_cmdline, "isolcpus=1 nohz_full=1");
	assert_int_equal(kvm_guest_cmdline(&p, NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "console=ttyS0 quiet isolcpus=1 nohz_full=1");
	assert_int_equal(kvm_guest_cmdline(&p, NULL, buf, 10), -ENOSPC);
	/* The profile's parameters come last (the kernel takes the last of
	 * a repeated one). */
	strcpy(prof.guest_cmdline, "rcu_nocbs=1 irqaffinity=0");
	assert_int_equal(kvm_guest_cmdline(&p, &prof, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "console=ttyS0 quiet isolcpus=1 nohz_full=1 "
			    "rcu_nocbs=1 irqaffinity=0");
	p.guest_cmdline[0] = '\0';
	assert_int_equal(kvm_guest_cmdline(&p, &prof, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "console=ttyS0 quiet rcu_nocbs=1 "
			    "irqaffinity=0");

	/* vCPUs: as many as the highest one used, unless given. */
	p.cpus.n = 2;
	p.cpus.cpu[0] = 1;
	p.cpus.cpu[1] = 3;
	p.housekeeping = 0;
	assert_int_equal(guest_vcpus(&p), 4);
	p.housekeeping = 5;
	assert_int_equal(guest_vcpus(&p), 6);
	p.vcpus = 8;
	assert_int_equal(guest_vcpus(&p), 8);
	/* cpus = 0-1, housekeeping not chosen: a third vCPU for it. */
	p.vcpus = 0;
	p.housekeeping = -1;
	p.cpus.cpu[0] = 0;
	p.cpus.cpu[1] = 1;
	assert_int_equal(guest_vcpus(&p), 3);
	p.cpus.cpu[0] = 1;
	p.cpus.cpu[1] = 2;
	assert_int_equal(guest_vcpus(&p), 3);
}

static int find_arg(char *const *argv, const char *a)
{
	for (int i = 0; argv[i]; i++)
		if (!strcmp(argv[i], a))
			return i;
	return -1;
}

static void test_argv(void **state)
{
	struct kvm_cmd c = {
		.qemu = "/usr/bin/qemu-system-x86_64", .name = "isolat-case-0",
		.accel = "tcg", .vcpus = 2, .memory_mb = 512,
		.kernel = "/k/vmlinuz-1", .initrd = "/w/initrd",
		.cmdline = "console=ttyS0 quiet isolcpus=1",
		.chan_base = "/w/chan", .qmp_path = "/w/qmp.sock",
	};
	static struct kvm_argv a;
	char line[2048];
	int i;

	(void)state;
	assert_int_equal(kvm_build_argv(&c, &a), 0);
	assert_string_equal(a.argv[0], c.qemu);
	i = find_arg(a.argv, "-accel");
	assert_string_equal(a.argv[i + 1], "tcg");
	i = find_arg(a.argv, "-cpu");
	assert_string_equal(a.argv[i + 1], "max");
	i = find_arg(a.argv, "-smp");
	assert_string_equal(a.argv[i + 1], "2");
	/* The command line is one argv element, spaces and all. */
	i = find_arg(a.argv, "-append");
	assert_string_equal(a.argv[i + 1], c.cmdline);
	assert_true(find_arg(a.argv, "pipe,id=isolat,path=/w/chan") > 0);
	assert_true(find_arg(a.argv, "unix:/w/qmp.sock,server=on,wait=off") >
		    0);
	assert_int_equal(find_arg(a.argv, "-overcommit"), -1);
	assert_true(find_arg(a.argv, "-no-reboot") > 0);
	assert_int_equal(find_arg(a.argv, "-S"), -1); /* the probe runs */
	c.paused = 1;
	assert_int_equal(kvm_build_argv(&c, &a), 0);
	assert_true(find_arg(a.argv, "-S") > 0); /* a case waits for cont */
	c.paused = 0;

	c.accel = "kvm";
	c.mem_lock = 1;
	assert_int_equal(kvm_build_argv(&c, &a), 0);
	i = find_arg(a.argv, "-cpu");
	assert_string_equal(a.argv[i + 1], "host");
	i = find_arg(a.argv, "-overcommit");
	assert_string_equal(a.argv[i + 1], "mem-lock=on");
	guest_argv_text(a.argv, line, sizeof(line));
	assert_non_null(strstr(line, "-accel kvm -cpu host -smp 2 -m 512"));

	/* A comma would split QEMU's option syntax: refused. */
	c.initrd = "/w/a,b";
	assert_int_equal(kvm_build_argv(&c, &a), -EINVAL);
	c.initrd = "/w/initrd";
	c.accel = "hvf";
	assert_int_equal(kvm_build_argv(&c, &a), -EINVAL);
}

static void test_host_cpu(void **state)
{
	struct cpulist online = {.n = 2, .cpu = {0, 1}};

	(void)state;
	assert_int_equal(kvm_vcpu_host_cpu(1, &online, 0), 1);
	assert_int_equal(kvm_vcpu_host_cpu(0, &online, 0), 0);
	/* A vCPU the host does not have goes to housekeeping. */
	assert_int_equal(kvm_vcpu_host_cpu(3, &online, 0), 0);
}

static void test_modules_dir(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(guest_modules_dir("/boot/vmlinuz-6.1.0-1-amd64", out,
					 sizeof(out)), 0);
	assert_string_equal(out, "/lib/modules/6.1.0-1-amd64");
	assert_int_equal(guest_modules_dir("/var/cache/k/p/boot/vmlinuz-6.1",
					 out, sizeof(out)), 0);
	assert_string_equal(out, "/var/cache/k/p/lib/modules/6.1");
	assert_int_equal(guest_modules_dir("/srv/bzImage", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(guest_modules_dir("/srv/vmlinuz-6.1", out,
					 sizeof(out)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_names),
		cmocka_unit_test(test_resolve_broken),
		cmocka_unit_test(test_image),
		cmocka_unit_test(test_image_programs),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_host_cpu),
		cmocka_unit_test(test_modules_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
