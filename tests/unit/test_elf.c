/*
 * test_elf.c - ELF dynamic section reading and the library closure a
 * guest image carries (harness/env/guest/elf_deps.h): crafted files for every
 * field and every corruption, a search through given directories that
 * passes over another machine's library, and the real test binary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/env/guest/elf_deps.h"

#define BASE 0x400000ull
#define OFF_INTERP 232
#define OFF_DYN 288
#define OFF_STR 560

/*
 * A minimal ELF64 of this host's byte order: PT_LOAD over the whole
 * file, PT_INTERP (if interp), PT_DYNAMIC with a DT_NEEDED per name,
 * DT_RUNPATH (if runpath), DT_STRTAB, DT_STRSZ.  Returns its length.
 */
static size_t craft(unsigned char *buf, size_t size, unsigned machine,
		    const char *interp, const char *const *needed,
		    const char *runpath)
{
	Elf64_Ehdr eh = {0};
	Elf64_Phdr ph[3] = {{0}};
	Elf64_Dyn dyn[16];
	size_t nd = 0, str = 1, len;

	memset(buf, 0, size);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			      ? ELFDATA2LSB : ELFDATA2MSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = (Elf64_Half)machine;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 3;
	for (unsigned i = 0; needed && needed[i]; i++) {
		dyn[nd].d_tag = DT_NEEDED;
		dyn[nd++].d_un.d_val = str;
		strcpy((char *)buf + OFF_STR + str, needed[i]);
		str += strlen(needed[i]) + 1;
	}
	if (runpath) {
		dyn[nd].d_tag = DT_RUNPATH;
		dyn[nd++].d_un.d_val = str;
		strcpy((char *)buf + OFF_STR + str, runpath);
		str += strlen(runpath) + 1;
	}
	dyn[nd].d_tag = DT_STRTAB;
	dyn[nd++].d_un.d_ptr = BASE + OFF_STR;
	dyn[nd].d_tag = DT_STRSZ;
	dyn[nd++].d_un.d_val = str;
	dyn[nd].d_tag = DT_NULL;
	dyn[nd++].d_un.d_val = 0;
	len = OFF_STR + str;
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD, .p_offset = 0,
			     .p_vaddr = BASE, .p_filesz = len,
			     .p_memsz = len};
	ph[1] = (Elf64_Phdr){.p_type = interp ? PT_INTERP : PT_NOTE,
			     .p_offset = OFF_INTERP,
			     .p_filesz = interp ? strlen(interp) + 1 : 0};
	ph[2] = (Elf64_Phdr){.p_type = PT_DYNAMIC, .p_offset = OFF_DYN,
			     .p_filesz = nd * sizeof(Elf64_Dyn)};
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, sizeof(ph));
	if (interp)
		strcpy((char *)buf + OFF_INTERP, interp);
	memcpy(buf + OFF_DYN, dyn, nd * sizeof(Elf64_Dyn));
	assert_true(len <= size);
	return len;
}

static void test_parse(void **state)
{
	static unsigned char buf[2048];
	const char *const needed[] = {"libfoo.so.1", "libbar.so", NULL};
	struct elf_dyn d;
	size_t len;

	(void)state;
	len = craft(buf, sizeof(buf), EM_X86_64, "/lib64/ld-test.so.2",
		    needed, "/opt/x:$ORIGIN/y");
	assert_int_equal(elf_dyn_parse(buf, len, &d), 0);
	assert_int_equal(d.cls, ELFCLASS64);
	assert_int_equal(d.machine, EM_X86_64);
	assert_string_equal(d.interp, "/lib64/ld-test.so.2");
	assert_int_equal(d.nneeded, 2);
	assert_string_equal(d.needed[0], "libfoo.so.1");
	assert_string_equal(d.needed[1], "libbar.so");
	assert_string_equal(d.runpath, "/opt/x:$ORIGIN/y");

	/* A library: no interpreter, no needs. */
	len = craft(buf, sizeof(buf), EM_X86_64, NULL, NULL, NULL);
	assert_int_equal(elf_dyn_parse(buf, len, &d), 0);
	assert_string_equal(d.interp, "");
	assert_int_equal(d.nneeded, 0);

	/* Not ELF, another byte order, an unknown class. */
	assert_int_equal(elf_dyn_parse((const unsigned char *)"#!/bin/sh\n",
				       10, &d), -EINVAL);
	len = craft(buf, sizeof(buf), EM_X86_64, NULL, needed, NULL);
	buf[EI_DATA] = buf[EI_DATA] == ELFDATA2LSB ? ELFDATA2MSB : ELFDATA2LSB;
	assert_int_equal(elf_dyn_parse(buf, len, &d), -EINVAL);
	buf[EI_DATA] = buf[EI_DATA] == ELFDATA2LSB ? ELFDATA2MSB : ELFDATA2LSB;
	buf[EI_CLASS] = 7;
	assert_int_equal(elf_dyn_parse(buf, len, &d), -EINVAL);
}

/* Every prefix of a valid file and corrupt offsets: an error or a
 * partial answer, never a read outside the buffer (ASan build). */
static void test_corrupt(void **state)
{
	static unsigned char buf[2048];
	const char *const needed[] = {"libfoo.so.1", NULL};
	struct elf_dyn d;
	size_t len;

	(void)state;
	len = craft(buf, sizeof(buf), EM_X86_64, "/lib/ld.so", needed, NULL);
	for (size_t n = 0; n < len; n++) {
		unsigned char *copy = malloc(n ? n : 1);

		memcpy(copy, buf, n);
		elf_dyn_parse(copy, n, &d);
		free(copy);
	}
	/* DT_NEEDED pointing past the string table. */
	{
		Elf64_Dyn dy;

		memcpy(&dy, buf + OFF_DYN, sizeof(dy));
		dy.d_un.d_val = 5000;
		memcpy(buf + OFF_DYN, &dy, sizeof(dy));
		assert_int_equal(elf_dyn_parse(buf, len, &d), -EINVAL);
	}
	/* DT_STRTAB outside every loaded segment. */
	len = craft(buf, sizeof(buf), EM_X86_64, NULL, needed, NULL);
	{
		Elf64_Dyn dy;

		memcpy(&dy, buf + OFF_DYN + sizeof(dy), sizeof(dy));
		assert_int_equal(dy.d_tag, DT_STRTAB);
		dy.d_un.d_ptr = 0x10;
		memcpy(buf + OFF_DYN + sizeof(dy), &dy, sizeof(dy));
		assert_int_equal(elf_dyn_parse(buf, len, &d), -EINVAL);
	}
	/* A needed "library" that is a path. */
	{
		const char *const path[] = {"../evil.so", NULL};

		len = craft(buf, sizeof(buf), EM_X86_64, NULL, path, NULL);
		assert_int_equal(elf_dyn_parse(buf, len, &d), -EINVAL);
	}
	/* An interpreter string without its NUL. */
	len = craft(buf, sizeof(buf), EM_X86_64, "/lib/ld.so", NULL, NULL);
	{
		Elf64_Phdr ph;

		memcpy(&ph, buf + sizeof(Elf64_Ehdr) + sizeof(ph), sizeof(ph));
		ph.p_filesz = 4; /* "/lib" */
		memcpy(buf + sizeof(Elf64_Ehdr) + sizeof(ph), &ph, sizeof(ph));
		assert_int_equal(elf_dyn_parse(buf, len, &d), -EINVAL);
	}
}

static void put(const char *dir, const char *name, const unsigned char *b,
		size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
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

/* prog -> libfoo (in a) -> libbar: a's libbar is another machine's, b's
 * is the one; the interpreter comes second; each file once. */
static void test_resolve(void **state)
{
	char dir[] = "/tmp/isolat-elf-XXXXXX", a[600], b[600], prog[600];
	char err[512], want[700], interp[64];
	static unsigned char buf[2048];
	const char *const pneeds[] = {"libfoo.so.1", "libbar.so", NULL};
	const char *const fneeds[] = {"libbar.so", "ld-test.so", NULL};
	const char *dirs[3];
	struct elf_deps *d = malloc(sizeof(*d));
	size_t len;

	(void)state;
	assert_non_null(d);
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	mkdir(a, 0755);
	mkdir(b, 0755);
	dirs[0] = a;
	dirs[1] = b;
	dirs[2] = NULL;
	snprintf(interp, sizeof(interp), "%s/ld-test.so", dir);
	len = craft(buf, sizeof(buf), EM_X86_64, interp, pneeds, NULL);
	put(dir, "prog", buf, len);
	len = craft(buf, sizeof(buf), EM_X86_64, NULL, NULL, NULL);
	put(dir, "ld-test.so", buf, len);
	/* libfoo needs the interpreter by name: not a second copy. */
	len = craft(buf, sizeof(buf), EM_X86_64, NULL, fneeds, NULL);
	put(a, "libfoo.so.1", buf, len);
	len = craft(buf, sizeof(buf), EM_AARCH64, NULL, NULL, NULL);
	put(a, "libbar.so", buf, len);
	len = craft(buf, sizeof(buf), EM_X86_64, NULL, NULL, NULL);
	put(b, "libbar.so", buf, len);
	snprintf(prog, sizeof(prog), "%s/prog", dir);

	assert_int_equal(elf_deps_resolve(prog, dirs, d, err, sizeof(err)),
			 0);
	assert_int_equal(d->n, 4);
	assert_string_equal(d->path[0], prog);
	assert_string_equal(d->path[1], interp);
	snprintf(want, sizeof(want), "%s/libfoo.so.1", a);
	assert_string_equal(d->path[2], want);
	snprintf(want, sizeof(want), "%s/libbar.so", b);
	assert_string_equal(d->path[3], want);

	/* Relative program path: refused. */
	assert_int_equal(elf_deps_resolve("prog", dirs, d, err, sizeof(err)),
			 -EINVAL);
	/* A library nobody has: named, with who needs it. */
	snprintf(want, sizeof(want), "%s/libbar.so", b);
	unlink(want);
	assert_int_equal(elf_deps_resolve(prog, dirs, d, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "needs libbar.so"));
	assert_int_equal(d->n, 0);
	/* Not ELF. */
	put(dir, "script", (const unsigned char *)"#!/bin/sh\n", 10);
	snprintf(prog, sizeof(prog), "%s/script", dir);
	assert_int_equal(elf_deps_resolve(prog, dirs, d, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "not an ELF"));
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(d);
}

/* This very binary, through the default search: its interpreter and
 * libc are found, and every file is a readable ELF. */
static void test_self(void **state)
{
	struct elf_deps *d = malloc(sizeof(*d));
	char self[4096], err[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int libc = 0;

	(void)state;
	assert_non_null(d);
	assert_true(n > 0);
	self[n] = '\0';
	assert_int_equal(elf_deps_resolve(self, NULL, d, err, sizeof(err)),
			 0);
	assert_true(d->n >= 3);
	assert_int_equal(access(d->path[1], R_OK), 0);
	assert_non_null(strstr(d->path[1], "ld"));
	for (unsigned i = 0; i < d->n; i++) {
		struct elf_dyn dyn;

		assert_int_equal(elf_dyn_read(d->path[i], &dyn), 0);
		if (strstr(d->path[i], "/libc.so"))
			libc = 1;
	}
	assert_true(libc);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
