/*
 * elf_deps.h - what a dynamically linked host program needs to run
 * elsewhere (a guest's initramfs): its ELF interpreter and the closure of
 * its DT_NEEDED libraries, found the way the dynamic loader would find
 * them, by reading the ELF headers ourselves - no ldd, no shell.
 *
 * Search order per library: the needing file's DT_RUNPATH (or DT_RPATH
 * without a RUNPATH), absolute entries only ($ORIGIN and relative entries
 * are skipped); then the directories of /etc/ld.so.conf.d/ *.conf (the
 * multiarch ones on Debian); then /lib/MULTIARCH, /usr/lib/MULTIARCH (the
 * build's Debian triplet), /lib64, /usr/lib64, /lib, /usr/lib.  A
 * candidate of another ELF class or machine (an i386 library in /lib32)
 * is passed over, as ld.so does.
 */
#ifndef ISOLAT_ELF_DEPS_H
#define ISOLAT_ELF_DEPS_H

#include <stddef.h>

#define ELF_DEPS_MAX 128 /* files in one closure */
#define ELF_NEEDED_MAX 64 /* DT_NEEDED entries of one file */

/* What one ELF file says about its linking. */
struct elf_dyn {
	int cls;            /* ELFCLASS32 / ELFCLASS64 */
	unsigned machine;   /* e_machine */
	char interp[256];   /* PT_INTERP, "" for none (a library, static) */
	unsigned nneeded;
	char needed[ELF_NEEDED_MAX][128];
	char runpath[512];  /* DT_RUNPATH, else DT_RPATH, "" for none */
};

/*
 * Parse the ELF image buf[0..len): every offset is checked against len.
 * 0, or -EINVAL (not an ELF of the host's byte order, truncated, corrupt)
 * / -E2BIG (too many DT_NEEDED, a name too long).
 */
int elf_dyn_parse(const unsigned char *buf, size_t len, struct elf_dyn *out);
/* The same for a file. */
int elf_dyn_read(const char *path, struct elf_dyn *out);

/* The files, host paths: [0] the program, then the interpreter (if
 * any), then the libraries in the order found (breadth first). */
struct elf_deps {
	unsigned n;
	char path[ELF_DEPS_MAX][512];
};

/*
 * The closure of program (an absolute path).  libdirs: NULL-terminated
 * directories searched after RUNPATH, or NULL for the default order
 * above.  0, or -errno with "what; why" in err (a library that no
 * directory holds: -ENOENT naming it and the file that needs it).
 */
int elf_deps_resolve(const char *program, const char *const *libdirs,
		     struct elf_deps *out, char *err, size_t errsz);

#endif
