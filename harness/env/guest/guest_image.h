/*
 * guest_image.h - the initramfs a KVM (and later Xen) guest boots: PID 1 is
 * the static isolat-wl (guest mode, workloads/wl_guest.c), plus the kernel
 * modules the sample channel needs, loaded by it with finit_module.
 *
 * Layout of the image (cpio newc, written with libarchive):
 *
 *   /init                 the static isolat-wl; runs `guest` as PID 1
 *   /dev/console          char 5:1, so PID 1 has a console on every kernel
 *   /dev /proc /sys       mount points
 *   /isolat/modules       module file names, one a line, in load order
 *   /isolat/mod/NAME.ko   the modules (decompressed if the tree ships .ko.xz,
 *                         .ko.zst or .ko.gz: the guest kernel may not take
 *                         compressed modules through finit_module)
 *   /usr/bin/stress-ng... only when the spec names programs (a load run
 *                         inside the guest): each program, its ELF
 *                         interpreter and libraries (harness/env/guest/elf_deps.h)
 *                         at their host paths, plus /tmp (mode 1777)
 *
 * The image depends only on isolat-wl, the module files and the program
 * files, so it is cached under a name that is the SHA-256 of everything
 * that goes in (CACHE/<sha256>.cpio) and reused by every case.  What differs per case -
 * the workload argv - goes into a second, tiny cpio (/isolat/args, one
 * argument a line) appended to a copy of the cached image in the case's
 * work directory: the kernel unpacks concatenated archives in turn, and
 * QEMU's -initrd takes one file.
 */
#ifndef ISOLAT_GUEST_IMAGE_H
#define ISOLAT_GUEST_IMAGE_H

#include <stddef.h>

/* What a guest booted with the args "probe" prints on its console. */
#define GUEST_PROBE_MARK "isolat-guest: probe ok"

/* Where images are cached unless the caller says otherwise. */
#define GUEST_IMAGE_CACHE "/var/cache/isolat/images"

struct guest_modules {
	char **path;   /* relative to the modules dir, in load order */
	size_t n;
};

/*
 * Resolve wanted module names (dashes and underscores are the same) through
 * the text of a modules.dep into the list to load, dependencies first,
 * each once.  Names missing from modules.dep are skipped (built in).
 * 0 or -errno with a message in err.
 */
int guest_modules_resolve(const char *modules_dep, const char *const *wanted,
			  struct guest_modules *out, char *err, size_t errsz);
void guest_modules_free(struct guest_modules *m);

struct guest_image_spec {
	const char *modules_dir;  /* /lib/modules/VERSION, or NULL: none */
	const char *wl_path;      /* the static isolat-wl */
	const char *cache_dir;    /* NULL: GUEST_IMAGE_CACHE */
	/* Host programs (absolute paths) to carry with what they need to
	 * run; NULL or empty: none (the image of a case without a load
	 * inside, and of the KVM probe, stays small). */
	const char *const *programs;
	/* Kernel modules to carry and load, by name (NULL-terminated: kvm's
	 * virtio channel modules), their dependencies from modules_dir's
	 * modules.dep; a module the tree does not have is taken as built
	 * in.  NULL: none. */
	const char *const *modules;
};

/*
 * The cached image for spec (built now if missing): its path in out.
 * *built is set to 1 when it was built by this call.
 */
int guest_image_get(const struct guest_image_spec *spec, char *out,
		    size_t outsz, int *built, char *err, size_t errsz);

/*
 * Write dest = the image at base + a cpio holding /isolat/args with args
 * (NULL-terminated; no argument may contain a newline).  -E2BIG with err
 * set when args exceed what the guest reads (WL_GUEST_ARGS_MAX lines,
 * WL_GUEST_ARGS_BYTES - 1 bytes: workloads/wl.h).
 */
int guest_image_case(const char *base, char *const *args, const char *dest,
		     char *err, size_t errsz);

/*
 * What every guest backend needs for a boot: the cached image for spec
 * (path in base, *built as guest_image_get) and DIR/initrd = that image
 * plus args (path in initrd).
 */
int guest_image_prepare(const struct guest_image_spec *spec,
			char *const *args, const char *dir, char *base,
			size_t basesz, char *initrd, size_t initrdsz,
			int *built, char *err, size_t errsz);

#endif
