/*
 * elf_deps.c - a program's interpreter and library closure from its ELF
 * headers (see elf_deps.h).  Only the host's byte order is read: the
 * files go into a guest of the host's architecture.
 */
#include "harness/env/guest/elf_deps.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A program header and a dynamic entry, whatever the class. */
struct phdr {
	uint64_t type, offset, vaddr, filesz;
};

static int get_phdr(const unsigned char *buf, size_t len, int cls,
		    uint64_t off, struct phdr *ph)
{
	if (cls == ELFCLASS64) {
		Elf64_Phdr p;

		if (off > len || len - off < sizeof(p))
			return -EINVAL;
		memcpy(&p, buf + off, sizeof(p));
		*ph = (struct phdr){p.p_type, p.p_offset, p.p_vaddr,
				    p.p_filesz};
	} else {
		Elf32_Phdr p;

		if (off > len || len - off < sizeof(p))
			return -EINVAL;
		memcpy(&p, buf + off, sizeof(p));
		*ph = (struct phdr){p.p_type, p.p_offset, p.p_vaddr,
				    p.p_filesz};
	}
	return 0;
}

/* A NUL-terminated string at off inside buf[0..end), copied to out. */
static int get_str(const unsigned char *buf, uint64_t off, uint64_t end,
		   char *out, size_t size)
{
	const unsigned char *nul;

	if (off >= end)
		return -EINVAL;
	nul = memchr(buf + off, '\0', (size_t)(end - off));
	if (!nul)
		return -EINVAL;
	if ((size_t)(nul - (buf + off)) >= size)
		return -E2BIG;
	memcpy(out, buf + off, (size_t)(nul - (buf + off)) + 1);
	return 0;
}

/* Where the program headers are (from the ELF header). */
struct phtab {
	uint64_t off;
	unsigned num, entsize;
};

/* What the dynamic section says; UINT64_MAX: absent. */
struct dyn_tags {
	uint64_t needed[ELF_NEEDED_MAX];
	unsigned nneeded;
	uint64_t strtab, strsz, runpath, rpath;
};

/* Identification and ELF header: out->cls, out->machine and pt. */
static int elf_header(const unsigned char *buf, size_t len,
		      struct elf_dyn *out, struct phtab *pt)
{
	if (len < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG))
		return -EINVAL;
	out->cls = buf[EI_CLASS];
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (buf[EI_DATA] != ELFDATA2LSB)
		return -EINVAL;
#else
	if (buf[EI_DATA] != ELFDATA2MSB)
		return -EINVAL;
#endif
	if (out->cls == ELFCLASS64) {
		Elf64_Ehdr e;

		if (len < sizeof(e))
			return -EINVAL;
		memcpy(&e, buf, sizeof(e));
		*pt = (struct phtab){e.e_phoff, e.e_phnum, e.e_phentsize};
		out->machine = e.e_machine;
		if (pt->num && pt->entsize != sizeof(Elf64_Phdr))
			return -EINVAL;
	} else if (out->cls == ELFCLASS32) {
		Elf32_Ehdr e;

		if (len < sizeof(e))
			return -EINVAL;
		memcpy(&e, buf, sizeof(e));
		*pt = (struct phtab){e.e_phoff, e.e_phnum, e.e_phentsize};
		out->machine = e.e_machine;
		if (pt->num && pt->entsize != sizeof(Elf32_Phdr))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (pt->off > len || (uint64_t)pt->num * pt->entsize > len - pt->off)
		return -EINVAL;
	return 0;
}

/* PT_INTERP into out->interp, PT_DYNAMIC's extent into *dyn_off and
 * *dyn_size; 1 when there is a dynamic section, 0 static, or -errno. */
static int elf_segments(const unsigned char *buf, size_t len,
			const struct phtab *pt, struct elf_dyn *out,
			uint64_t *dyn_off, uint64_t *dyn_size)
{
	int have_dyn = 0, rc;

	for (unsigned i = 0; i < pt->num; i++) {
		struct phdr ph;

		if (get_phdr(buf, len, out->cls, pt->off + (uint64_t)i *
			     pt->entsize, &ph) < 0)
			return -EINVAL;
		if (ph.offset > len || ph.filesz > len - ph.offset)
			continue; /* checked again where it is used */
		if (ph.type == PT_INTERP) {
			rc = get_str(buf, ph.offset, ph.offset + ph.filesz,
				     out->interp, sizeof(out->interp));
			if (rc < 0)
				return rc;
		} else if (ph.type == PT_DYNAMIC) {
			*dyn_off = ph.offset;
			*dyn_size = ph.filesz;
			have_dyn = 1;
		}
	}
	return have_dyn;
}

/* The entries of the dynamic section buf[off..off+size) up to DT_NULL. */
static int elf_dyn_tags(const unsigned char *buf, int cls, uint64_t dyn_off,
			uint64_t dyn_size, struct dyn_tags *t)
{
	for (uint64_t off = dyn_off; off < dyn_off + dyn_size;) {
		int64_t tag;
		uint64_t val;

		if (cls == ELFCLASS64) {
			Elf64_Dyn d;

			if (dyn_off + dyn_size - off < sizeof(d))
				break;
			memcpy(&d, buf + off, sizeof(d));
			tag = d.d_tag;
			val = d.d_un.d_val;
			off += sizeof(d);
		} else {
			Elf32_Dyn d;

			if (dyn_off + dyn_size - off < sizeof(d))
				break;
			memcpy(&d, buf + off, sizeof(d));
			tag = d.d_tag;
			val = d.d_un.d_val;
			off += sizeof(d);
		}
		if (tag == DT_NULL)
			break;
		if (tag == DT_NEEDED) {
			if (t->nneeded == ELF_NEEDED_MAX)
				return -E2BIG;
			t->needed[t->nneeded++] = val;
		} else if (tag == DT_STRTAB) {
			t->strtab = val;
		} else if (tag == DT_STRSZ) {
			t->strsz = val;
		} else if (tag == DT_RUNPATH) {
			t->runpath = val;
		} else if (tag == DT_RPATH) {
			t->rpath = val;
		}
	}
	return 0;
}

/* DT_STRTAB is an address: the file offset of the loaded segment
 * holding it, or UINT64_MAX. */
static uint64_t elf_strtab_off(const unsigned char *buf, size_t len,
			       int cls, const struct phtab *pt,
			       uint64_t strtab)
{
	for (unsigned i = 0; i < pt->num; i++) {
		struct phdr ph;

		get_phdr(buf, len, cls, pt->off + (uint64_t)i * pt->entsize,
			 &ph);
		if (ph.type == PT_LOAD && strtab >= ph.vaddr &&
		    strtab - ph.vaddr < ph.filesz &&
		    ph.offset <= len && ph.filesz <= len - ph.offset)
			return ph.offset + (strtab - ph.vaddr);
	}
	return UINT64_MAX;
}

/* The needed names and the run path from the string table at str_off. */
static int elf_dyn_strings(const unsigned char *buf, uint64_t str_off,
			   const struct dyn_tags *t, struct elf_dyn *out)
{
	uint64_t runpath = t->runpath;
	int rc;

	for (unsigned i = 0; i < t->nneeded; i++) {
		rc = get_str(buf, str_off + t->needed[i], str_off + t->strsz,
			     out->needed[i], sizeof(out->needed[i]));
		if (rc < 0)
			return rc;
		/* A name, never a path: ld.so would take a path as is, and
		 * no system library needs that. */
		if (!out->needed[i][0] || strchr(out->needed[i], '/'))
			return -EINVAL;
	}
	out->nneeded = t->nneeded;
	if (runpath == UINT64_MAX)
		runpath = t->rpath;
	if (runpath != UINT64_MAX) {
		rc = get_str(buf, str_off + runpath, str_off + t->strsz,
			     out->runpath, sizeof(out->runpath));
		if (rc < 0)
			return rc;
	}
	return 0;
}

int elf_dyn_parse(const unsigned char *buf, size_t len, struct elf_dyn *out)
{
	struct dyn_tags t = {.runpath = UINT64_MAX, .rpath = UINT64_MAX};
	uint64_t dyn_off = 0, dyn_size = 0, str_off;
	struct phtab pt;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = elf_header(buf, len, out, &pt);
	if (rc < 0)
		return rc;
	rc = elf_segments(buf, len, &pt, out, &dyn_off, &dyn_size);
	if (rc <= 0)
		return rc; /* 0: static, nothing needed */
	rc = elf_dyn_tags(buf, out->cls, dyn_off, dyn_size, &t);
	if (rc < 0)
		return rc;
	str_off = elf_strtab_off(buf, len, out->cls, &pt, t.strtab);
	if (!t.nneeded && t.runpath == UINT64_MAX && t.rpath == UINT64_MAX)
		return 0;
	if (str_off == UINT64_MAX || t.strsz > len - str_off)
		return -EINVAL;
	return elf_dyn_strings(buf, str_off, &t, out);
}

int elf_dyn_read(const char *path, struct elf_dyn *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
	struct stat st;
	void *map;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return -EINVAL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	rc = elf_dyn_parse(map, (size_t)st.st_size, out);
	munmap(map, (size_t)st.st_size);
	return rc;
}

/* --- search ----------------------------------------------------------- */

#define DIRS_MAX 48

struct dirs {
	unsigned n;
	char d[DIRS_MAX][256];
};

static void dirs_add(struct dirs *ds, const char *d, size_t len)
{
	if (!len || d[0] != '/' || len >= sizeof(ds->d[0]) ||
	    ds->n == DIRS_MAX)
		return;
	for (unsigned i = 0; i < ds->n; i++)
		if (strlen(ds->d[i]) == len && !memcmp(ds->d[i], d, len))
			return;
	memcpy(ds->d[ds->n], d, len);
	ds->d[ds->n++][len] = '\0';
}

static int conf_name(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 5 && !strcmp(e->d_name + n - 5, ".conf");
}

/* Debian's multiarch directory of this build's architecture, which its
 * ld.so searches even without ld.so.conf (a minimal root, a Xen dom0
 * initramfs). */
#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#elif defined(__arm__) && defined(__ARM_PCS_VFP)
#define MULTIARCH "arm-linux-gnueabihf"
#elif defined(__i386__)
#define MULTIARCH "i386-linux-gnu"
#elif defined(__riscv) && __riscv_xlen == 64
#define MULTIARCH "riscv64-linux-gnu"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MULTIARCH "powerpc64le-linux-gnu"
#elif defined(__s390x__)
#define MULTIARCH "s390x-linux-gnu"
#endif

/* The directories ld.so.conf.d lists, in file name order, then the
 * system ones. */
static void default_dirs(struct dirs *ds)
{
	static const char *const tail[] = {
#ifdef MULTIARCH
		"/lib/" MULTIARCH, "/usr/lib/" MULTIARCH,
#endif
		"/lib64", "/usr/lib64", "/lib", "/usr/lib"};
	struct dirent **list = NULL;
	int n = scandir("/etc/ld.so.conf.d", &list, conf_name, alphasort);

	for (int i = 0; i < n; i++) {
		char path[512], line[512];
		FILE *f;

		snprintf(path, sizeof(path), "/etc/ld.so.conf.d/%s",
			 list[i]->d_name);
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f)) {
			size_t len = strcspn(line, " \t\r\n#");

			dirs_add(ds, line, len); /* absolute paths only */
		}
		if (f)
			fclose(f);
		free(list[i]);
	}
	free(list);
	for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
		dirs_add(ds, tail[i], strlen(tail[i]));
}

static int have(const struct elf_deps *d, const char *path)
{
	for (unsigned i = 0; i < d->n; i++)
		if (!strcmp(d->path[i], path))
			return 1;
	return 0;
}

static int add_path(struct elf_deps *d, const char *path, char *err,
		    size_t errsz)
{
	if (have(d, path))
		return 0;
	if (d->n == ELF_DEPS_MAX || strlen(path) >= sizeof(d->path[0])) {
		snprintf(err, errsz, "%s: more than %d files or a path too "
			 "long", path, ELF_DEPS_MAX);
		return -E2BIG;
	}
	snprintf(d->path[d->n++], sizeof(d->path[0]), "%s", path);
	return 0;
}

/* Where ld.so would find name for a file of class/machine of self. */
static int find_lib(const struct elf_dyn *self, const char *name,
		    const struct dirs *ds, char *out, size_t size)
{
	char rp[sizeof(self->runpath)];
	struct dirs all = {0};
	struct elf_dyn cand;

	snprintf(rp, sizeof(rp), "%s", self->runpath);
	for (char *save = NULL, *t = strtok_r(rp, ":", &save); t;
	     t = strtok_r(NULL, ":", &save))
		if (!strchr(t, '$'))
			dirs_add(&all, t, strlen(t));
	for (unsigned i = 0; i < ds->n; i++)
		dirs_add(&all, ds->d[i], strlen(ds->d[i]));
	for (unsigned i = 0; i < all.n; i++) {
		snprintf(out, size, "%s/%s", all.d[i], name);
		if (elf_dyn_read(out, &cand) == 0 && cand.cls == self->cls &&
		    cand.machine == self->machine)
			return 0;
	}
	return -ENOENT;
}

int elf_deps_resolve(const char *program, const char *const *libdirs,
		     struct elf_deps *out, char *err, size_t errsz)
{
	struct elf_dyn *dyn = malloc(sizeof(*dyn));
	struct dirs ds = {0};
	char lib[600], interp_name[256] = "";
	int rc;

	out->n = 0;
	if (!dyn)
		return -ENOMEM;
	if (program[0] != '/') {
		snprintf(err, errsz, "%s: expected an absolute path", program);
		rc = -EINVAL;
		goto out;
	}
	if (libdirs)
		for (unsigned i = 0; libdirs[i]; i++)
			dirs_add(&ds, libdirs[i], strlen(libdirs[i]));
	else
		default_dirs(&ds);
	rc = add_path(out, program, err, errsz);
	/* Breadth first over out->path: each file's needs appended once. */
	for (unsigned i = 0; rc == 0 && i < out->n; i++) {
		rc = elf_dyn_read(out->path[i], dyn);
		if (rc < 0) {
			snprintf(err, errsz, "%s: %s", out->path[i],
				 rc == -EINVAL ? "not an ELF file of this "
				 "host, or corrupt" : strerror(-rc));
			break;
		}
		if (i == 0 && dyn->interp[0]) {
			if (dyn->interp[0] != '/') {
				snprintf(err, errsz, "%s: interpreter '%s' is "
					 "not an absolute path", program,
					 dyn->interp);
				rc = -EINVAL;
				break;
			}
			rc = add_path(out, dyn->interp, err, errsz);
			snprintf(interp_name, sizeof(interp_name), "%s",
				 strrchr(dyn->interp, '/') + 1);
		}
		for (unsigned k = 0; rc == 0 && k < dyn->nneeded; k++) {
			/* libc needs ld.so by its soname: the interpreter,
			 * which ld.so finds already loaded. */
			if (!strcmp(dyn->needed[k], interp_name))
				continue;
			rc = find_lib(dyn, dyn->needed[k], &ds, lib,
				      sizeof(lib));
			if (rc < 0) {
				snprintf(err, errsz, "%s needs %s, which no "
					 "library directory holds (for this "
					 "architecture)", out->path[i],
					 dyn->needed[k]);
				break;
			}
			rc = add_path(out, lib, err, errsz);
		}
	}
out:
	free(dyn);
	if (rc < 0)
		out->n = 0;
	return rc;
}
