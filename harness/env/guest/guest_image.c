/*
 * guest_image.c - build and cache the guest initramfs (see guest_image.h).
 *
 * cpio archives are written with libarchive (newc, what the kernel's
 * initramfs unpacker reads), never by hand or by a shell pipeline.  Every
 * entry has mtime 0 and uid/gid 0, so the same inputs give the same bytes
 * and the content hash names the image honestly.
 */
#include "harness/env/guest/guest_image.h"
#include "harness/env/guest/image_cache.h"
#include "harness/env/guest/elf_deps.h"
#include "workloads/wl.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define IMAGE_FORMAT "isolat-guest-image 1" /* bump when the layout changes */
#define FILE_MAX (256u << 20)

/* --- modules.dep ------------------------------------------------------ */

struct dep_line {
	char *path;    /* relative path of the module */
	char name[64]; /* module name, '-' folded to '_' */
	char **deps;
	size_t ndeps;
	int state;     /* 0 new, 1 resolving, 2 done */
};

static void module_name(const char *path, char *out, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strcspn(base, ".");
	if (n >= size)
		n = size - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = base[i] == '-' ? '_' : base[i];
	out[n] = '\0';
}

static void free_lines(struct dep_line *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].path);
		free(l[i].deps);
	}
	free(l);
}

/* Split modules.dep; strings point into text (which is modified). */
static int parse_dep(char *text, struct dep_line **out, size_t *nout)
{
	struct dep_line *l = NULL;
	size_t n = 0, cap = 0;
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *tok, *s2 = NULL;

		if (!colon)
			continue;
		*colon = '\0';
		if (n == cap) {
			struct dep_line *nl;

			cap = cap ? cap * 2 : 256;
			nl = realloc(l, cap * sizeof(*l));
			if (!nl)
				goto oom;
			l = nl;
		}
		memset(&l[n], 0, sizeof(l[n]));
		l[n].path = strdup(line);
		if (!l[n].path)
			goto oom;
		module_name(line, l[n].name, sizeof(l[n].name));
		n++;
		for (tok = strtok_r(colon + 1, " \t", &s2); tok;
		     tok = strtok_r(NULL, " \t", &s2)) {
			char **nd = realloc(l[n - 1].deps,
					    (l[n - 1].ndeps + 1) * sizeof(*nd));

			if (!nd)
				goto oom;
			nd[l[n - 1].ndeps++] = tok;
			l[n - 1].deps = nd;
		}
	}
	*out = l;
	*nout = n;
	return 0;
oom:
	free_lines(l, n);
	return -ENOMEM;
}

static struct dep_line *find_line(struct dep_line *l, size_t n,
				  const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i].name, name))
			return &l[i];
	return NULL;
}

static int add_once(struct guest_modules *m, const char *path)
{
	char **np;

	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->path[i], path))
			return 0;
	np = realloc(m->path, (m->n + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	m->path = np;
	m->path[m->n] = strdup(path);
	return m->path[m->n++] ? 0 : -ENOMEM;
}

/* Depth first: a module's dependencies before it.  modules.dep lists the
 * full closure with the deepest last (modprobe loads from the end). */
static int resolve_one(struct dep_line *l, size_t n, struct dep_line *d,
		       struct guest_modules *out, char *err, size_t errsz)
{
	int rc;

	if (d->state == 2)
		return 0;
	if (d->state == 1) {
		snprintf(err, errsz, "modules.dep: dependency loop at %s",
			 d->path);
		return -ELOOP;
	}
	d->state = 1;
	for (size_t i = d->ndeps; i-- > 0;) {
		char name[64];
		struct dep_line *dd;

		module_name(d->deps[i], name, sizeof(name));
		dd = find_line(l, n, name);
		if (!dd) {
			snprintf(err, errsz, "modules.dep: %s needs %s, which "
				 "has no line of its own", d->path, d->deps[i]);
			return -ENOENT;
		}
		rc = resolve_one(l, n, dd, out, err, errsz);
		if (rc < 0)
			return rc;
	}
	d->state = 2;
	return add_once(out, d->path);
}

int guest_modules_resolve(const char *modules_dep, const char *const *wanted,
			  struct guest_modules *out, char *err, size_t errsz)
{
	char *text = strdup(modules_dep);
	struct dep_line *l = NULL;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!text)
		return -ENOMEM;
	rc = parse_dep(text, &l, &n);
	for (size_t w = 0; rc == 0 && wanted[w]; w++) {
		char name[64];
		struct dep_line *d;

		module_name(wanted[w], name, sizeof(name));
		d = find_line(l, n, name);
		if (d) /* absent: built into the kernel */
			rc = resolve_one(l, n, d, out, err, errsz);
	}
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	if (rc < 0)
		guest_modules_free(out);
	free_lines(l, n);
	free(text);
	return rc;
}

void guest_modules_free(struct guest_modules *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->path[i]);
	free(m->path);
	m->path = NULL;
	m->n = 0;
}

/* --- file contents ---------------------------------------------------- */

struct blob {
	unsigned char *p;
	size_t len;
};

static int read_plain(const char *path, struct blob *b)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > FILE_MAX) {
		close(fd);
		return -EINVAL;
	}
	b->len = (size_t)st.st_size;
	b->p = malloc(b->len ? b->len : 1);
	if (!b->p) {
		close(fd);
		return -ENOMEM;
	}
	for (size_t got = 0; got < b->len;) {
		ssize_t r = read(fd, b->p + got, b->len - got);

		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	if (rc < 0) {
		free(b->p);
		b->p = NULL;
	}
	return rc;
}

/* A compressed module, decompressed through libarchive's raw format (it
 * reads xz, zstd and gzip alike). */
static int read_decompressed(const char *path, struct blob *b)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t cap = 1 << 20;
	int rc = 0;

	if (!a)
		return -ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	b->len = 0;
	b->p = malloc(cap);
	if (!b->p || archive_read_open_filename(a, path, 65536) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		rc = b->p ? -EIO : -ENOMEM;
		goto out;
	}
	for (;;) {
		la_ssize_t r;

		if (cap - b->len < 65536) {
			unsigned char *np = cap >= FILE_MAX ? NULL
				: realloc(b->p, cap * 2);

			if (!np) {
				rc = cap >= FILE_MAX ? -EFBIG : -ENOMEM;
				goto out;
			}
			b->p = np;
			cap *= 2;
		}
		r = archive_read_data(a, b->p + b->len, cap - b->len);
		if (r == 0)
			break;
		if (r < 0) {
			rc = -EIO;
			goto out;
		}
		b->len += (size_t)r;
	}
out:
	archive_read_free(a);
	if (rc < 0) {
		free(b->p);
		b->p = NULL;
	}
	return rc;
}

static int is_compressed(const char *path)
{
	size_t n = strlen(path);

	return (n > 3 && !strcmp(path + n - 3, ".xz")) ||
	       (n > 4 && !strcmp(path + n - 4, ".zst")) ||
	       (n > 3 && !strcmp(path + n - 3, ".gz"));
}

/* --- building --------------------------------------------------------- */

struct inputs {
	struct blob wl;
	struct guest_modules mods;
	struct blob *mod;       /* contents, parallel to mods.path */
	char (*modname)[80];    /* NAME.ko as stored in the image */
	struct elf_deps *files; /* spec->programs and what they need */
	struct blob *file;      /* contents, parallel to files->path */
};

static void inputs_free(struct inputs *in)
{
	for (unsigned i = 0; in->file && i < in->files->n; i++)
		free(in->file[i].p);
	free(in->file);
	free(in->files);
	free(in->wl.p);
	for (size_t i = 0; in->mod && i < in->mods.n; i++)
		free(in->mod[i].p);
	free(in->mod);
	free(in->modname);
	guest_modules_free(&in->mods);
}

/* The programs with their interpreter and libraries, each stored at its
 * host path (symlinks followed: the image holds plain files). */
static int load_programs(const struct guest_image_spec *s, struct inputs *in,
			 char *err, size_t errsz)
{
	struct elf_deps *one;
	int rc = 0;

	if (!s->programs || !s->programs[0])
		return 0;
	in->files = calloc(1, sizeof(*in->files));
	one = malloc(sizeof(*one));
	if (!in->files || !one) {
		free(one);
		return -ENOMEM;
	}
	for (unsigned p = 0; rc == 0 && s->programs[p]; p++) {
		rc = elf_deps_resolve(s->programs[p], NULL, one, err, errsz);
		for (unsigned i = 0; rc == 0 && i < one->n; i++) {
			unsigned k = 0;

			while (k < in->files->n &&
			       strcmp(in->files->path[k], one->path[i]))
				k++;
			if (k < in->files->n)
				continue;
			if (in->files->n == ELF_DEPS_MAX) {
				snprintf(err, errsz, "more than %d program "
					 "files for the guest image",
					 ELF_DEPS_MAX);
				rc = -E2BIG;
				break;
			}
			memcpy(in->files->path[in->files->n++], one->path[i],
			       sizeof(one->path[i]));
		}
	}
	free(one);
	if (rc < 0)
		return rc;
	in->file = calloc(in->files->n, sizeof(*in->file));
	if (!in->file)
		return -ENOMEM;
	for (unsigned i = 0; i < in->files->n; i++) {
		rc = read_plain(in->files->path[i], &in->file[i]);
		if (rc < 0) {
			snprintf(err, errsz, "%s: %s", in->files->path[i],
				 strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int load_inputs(const struct guest_image_spec *s, struct inputs *in,
		       char *err, size_t errsz)
{
	char path[4096];
	struct blob dep = {0};
	int rc = read_plain(s->wl_path, &in->wl);

	if (rc < 0) {
		snprintf(err, errsz, "%s: %s", s->wl_path, strerror(-rc));
		return rc;
	}
	rc = load_programs(s, in, err, errsz);
	if (rc < 0)
		return rc;
	if (!s->modules_dir)
		return 0;
	snprintf(path, sizeof(path), "%s/modules.dep", s->modules_dir);
	rc = read_plain(path, &dep);
	if (rc < 0) {
		snprintf(err, errsz, "%s: %s; expected the modules of the "
			 "guest kernel with their modules.dep (run depmod -b "
			 "ROOT VERSION on an unpacked tree)", path,
			 strerror(-rc));
		return rc;
	}
	{
		char *text = realloc(dep.p, dep.len + 1);

		if (!text) {
			free(dep.p);
			return -ENOMEM;
		}
		text[dep.len] = '\0';
		rc = guest_modules_resolve(text, s->modules ? s->modules
					   : (const char *const[]){NULL},
					   &in->mods, err, errsz);
		free(text);
	}
	if (rc < 0)
		return rc;
	in->mod = calloc(in->mods.n + 1, sizeof(*in->mod));
	in->modname = calloc(in->mods.n + 1, sizeof(*in->modname));
	if (!in->mod || !in->modname)
		return -ENOMEM;
	for (size_t i = 0; i < in->mods.n; i++) {
		char name[64];

		snprintf(path, sizeof(path), "%s/%s", s->modules_dir,
			 in->mods.path[i]);
		rc = is_compressed(path) ? read_decompressed(path, &in->mod[i])
					 : read_plain(path, &in->mod[i]);
		if (rc < 0) {
			snprintf(err, errsz, "%s: %s", path, strerror(-rc));
			return rc;
		}
		module_name(in->mods.path[i], name, sizeof(name));
		snprintf(in->modname[i], sizeof(in->modname[i]), "%s.ko",
			 name);
	}
	return 0;
}

static int hash_inputs(const struct inputs *in, char hex[65])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char md[32];
	unsigned int mdlen = 0;
	int ok;

	if (!c)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
	     EVP_DigestUpdate(c, IMAGE_FORMAT, sizeof(IMAGE_FORMAT)) &&
	     EVP_DigestUpdate(c, in->wl.p, in->wl.len);
	for (size_t i = 0; ok && i < in->mods.n; i++)
		ok = EVP_DigestUpdate(c, in->modname[i],
				      strlen(in->modname[i]) + 1) &&
		     EVP_DigestUpdate(c, in->mod[i].p, in->mod[i].len);
	/* Images without programs hash as before (no rebuild). */
	for (unsigned i = 0; ok && in->files && i < in->files->n; i++)
		ok = EVP_DigestUpdate(c, in->files->path[i],
				      strlen(in->files->path[i]) + 1) &&
		     EVP_DigestUpdate(c, in->file[i].p, in->file[i].len);
	ok = ok && EVP_DigestFinal_ex(c, md, &mdlen) && mdlen == 32;
	EVP_MD_CTX_free(c);
	if (!ok)
		return -EIO;
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* One entry; data NULL for directories and device nodes. */
static int put(struct archive *a, const char *name, unsigned type,
	       unsigned mode, dev_t rdev, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();
	int rc = 0;

	if (!e)
		return -ENOMEM;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, mode);
	archive_entry_set_size(e, type == AE_IFREG ? (la_int64_t)len : 0);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_nlink(e, type == AE_IFDIR ? 2 : 1);
	if (type == AE_IFCHR)
		archive_entry_set_rdev(e, rdev);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		rc = -EIO;
	else if (data && len &&
		 archive_write_data(a, data, len) != (la_ssize_t)len)
		rc = -EIO;
	archive_entry_free(e);
	return rc;
}

static struct archive *cpio_open_fd(int fd)
{
	struct archive *a = archive_write_new();

	if (!a)
		return NULL;
	/* The kernel skips the zero padding between concatenated archives,
	 * but keep it small: one 512-byte block. */
	if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 512) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		archive_write_free(a);
		return NULL;
	}
	return a;
}

static int cpio_close(struct archive *a)
{
	int rc = archive_write_close(a) == ARCHIVE_OK ? 0 : -EIO;

	archive_write_free(a);
	return rc;
}

/* Every parent directory of path (no leading '/') not yet written. */
static int put_parents(struct archive *a, const char *path, char **made,
		       size_t *nmade)
{
	char dir[512];

	for (const char *p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
		size_t len = (size_t)(p - path), k;
		int rc;

		if (len >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, path, len);
		dir[len] = '\0';
		for (k = 0; k < *nmade && strcmp(made[k], dir); k++)
			;
		if (k < *nmade)
			continue;
		/* The kernel's unpacker makes no parents itself. */
		rc = put(a, dir, AE_IFDIR, 0755, 0, NULL, 0);
		if (rc < 0)
			return rc;
		made[*nmade] = strdup(dir);
		if (!made[*nmade])
			return -ENOMEM;
		(*nmade)++;
	}
	return 0;
}

/* /tmp for the programs' files (stress-ng --temp-path), then each file at
 * its host path. */
static int write_programs(struct archive *a, const struct inputs *in)
{
	size_t cap = 1, nmade = 0;
	char **made;
	int rc;

	/* At most one directory per '/' of every path. */
	for (unsigned i = 0; i < in->files->n; i++)
		for (const char *p = in->files->path[i]; *p; p++)
			cap += *p == '/';
	made = calloc(cap, sizeof(*made));
	if (!made)
		return -ENOMEM;
	rc = put(a, "tmp", AE_IFDIR, 01777, 0, NULL, 0);
	for (unsigned i = 0; rc == 0 && i < in->files->n; i++) {
		const char *rel = in->files->path[i] + 1;

		rc = put_parents(a, rel, made, &nmade);
		if (rc == 0)
			rc = put(a, rel, AE_IFREG, 0755, 0, in->file[i].p,
				 in->file[i].len);
	}
	for (size_t i = 0; i < nmade; i++)
		free(made[i]);
	free(made);
	return rc;
}

static int write_image(int fd, const struct inputs *in)
{
	struct archive *a = cpio_open_fd(fd);
	char *list = NULL;
	size_t listlen = 0;
	FILE *f;
	int rc;

	if (!a)
		return -EIO;
	f = open_memstream(&list, &listlen);
	if (!f) {
		cpio_close(a);
		return -ENOMEM;
	}
	for (size_t i = 0; i < in->mods.n; i++)
		fprintf(f, "%s\n", in->modname[i]);
	if (fclose(f) != 0) {
		cpio_close(a);
		free(list);
		return -ENOMEM;
	}
	rc = put(a, "dev", AE_IFDIR, 0755, 0, NULL, 0);
	if (!rc)
		rc = put(a, "dev/console", AE_IFCHR, 0600, makedev(5, 1),
			 NULL, 0);
	if (!rc)
		rc = put(a, "proc", AE_IFDIR, 0555, 0, NULL, 0);
	if (!rc)
		rc = put(a, "sys", AE_IFDIR, 0555, 0, NULL, 0);
	if (!rc)
		rc = put(a, "isolat", AE_IFDIR, 0755, 0, NULL, 0);
	if (!rc)
		rc = put(a, "isolat/mod", AE_IFDIR, 0755, 0, NULL, 0);
	for (size_t i = 0; !rc && i < in->mods.n; i++) {
		char name[128];

		snprintf(name, sizeof(name), "isolat/mod/%s", in->modname[i]);
		rc = put(a, name, AE_IFREG, 0644, 0, in->mod[i].p,
			 in->mod[i].len);
	}
	if (!rc)
		rc = put(a, "isolat/modules", AE_IFREG, 0644, 0, list,
			 listlen);
	if (!rc)
		rc = put(a, "init", AE_IFREG, 0755, 0, in->wl.p, in->wl.len);
	if (!rc && in->files)
		rc = write_programs(a, in);
	free(list);
	return cpio_close(a) < 0 ? -EIO : rc;
}

int guest_image_get(const struct guest_image_spec *s, char *out,
		    size_t outsz, int *built, char *err, size_t errsz)
{
	const char *dir = s->cache_dir ? s->cache_dir : GUEST_IMAGE_CACHE;
	struct inputs in = {0};
	char hex[65], tmp[4096];
	int rc, fd;

	*built = 0;
	rc = load_inputs(s, &in, err, errsz);
	if (rc == 0)
		rc = hash_inputs(&in, hex);
	if (rc < 0) {
		if (rc == -ENOMEM || rc == -EIO)
			snprintf(err, errsz, "cannot read the image inputs: "
				 "%s", strerror(-rc));
		goto out;
	}
	snprintf(out, outsz, "%s/%s.cpio", dir, hex);
	if (access(out, R_OK) == 0) {
		image_cache_touch(out);
		goto out;
	}
	/* mkdir -p of the cache: /var/cache/isolat/images at most. */
	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errsz, "cannot create the image cache %s: %s",
			 dir, strerror(errno));
		goto out;
	}
	/* Written aside and renamed: a concurrent or interrupted build never
	 * leaves a truncated image under the final name. */
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, hex);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	rc = write_image(fd, &in);
	if (rc == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		rc = -errno;
	close(fd);
	if (rc == 0 && rename(tmp, out) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		snprintf(err, errsz, "cannot write the guest image %s: %s",
			 out, strerror(-rc));
		goto out;
	}
	*built = 1;
	image_cache_prune(dir, out, IMAGE_CACHE_KEEP, IMAGE_CACHE_BUDGET);
out:
	inputs_free(&in);
	return rc;
}

int guest_image_case(const char *base, char *const *args, const char *dest,
		     char *err, size_t errsz)
{
	struct blob b = {0};
	char *text = NULL;
	size_t len = 0;
	struct archive *a;
	FILE *f;
	int rc, fd;

	size_t n, bytes = 0;

	for (n = 0; args[n]; n++) {
		if (strchr(args[n], '\n')) {
			snprintf(err, errsz, "guest argument %zu contains a "
				 "newline", n);
			return -EINVAL;
		}
		bytes += strlen(args[n]) + 1;
	}
	/* The guest (wl_guest.c) refuses more; say so here, first. */
	if (n > WL_GUEST_ARGS_MAX || bytes >= WL_GUEST_ARGS_BYTES) {
		snprintf(err, errsz, "the guest workload's argv has %zu "
			 "arguments, %zu bytes; the guest takes at most %d "
			 "arguments, %d bytes (one a line)", n, bytes,
			 WL_GUEST_ARGS_MAX, WL_GUEST_ARGS_BYTES - 1);
		return -E2BIG;
	}
	rc = read_plain(base, &b);
	if (rc < 0) {
		snprintf(err, errsz, "%s: %s", base, strerror(-rc));
		return rc;
	}
	f = open_memstream(&text, &len);
	if (!f) {
		free(b.p);
		return -ENOMEM;
	}
	for (size_t i = 0; args[i]; i++)
		fprintf(f, "%s\n", args[i]);
	fclose(f);
	fd = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", dest, strerror(errno));
		goto out;
	}
	for (size_t off = 0; off < b.len;) {
		ssize_t w = write(fd, b.p + off, b.len - off);

		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)w;
	}
	a = rc == 0 ? cpio_open_fd(fd) : NULL;
	if (rc == 0 && !a)
		rc = -EIO;
	if (a) {
		rc = put(a, "isolat/args", AE_IFREG, 0644, 0, text, len);
		if (cpio_close(a) < 0 && rc == 0)
			rc = -EIO;
	}
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc < 0) {
		unlink(dest);
		snprintf(err, errsz, "cannot write %s: %s", dest,
			 strerror(-rc));
	}
out:
	free(b.p);
	free(text);
	return rc;
}

int guest_image_prepare(const struct guest_image_spec *spec,
			char *const *args, const char *dir, char *base,
			size_t basesz, char *initrd, size_t initrdsz,
			int *built, char *err, size_t errsz)
{
	int rc = guest_image_get(spec, base, basesz, built, err, errsz);

	snprintf(initrd, initrdsz, "%s/initrd", dir);
	if (rc == 0)
		rc = guest_image_case(base, args, initrd, err, errsz);
	return rc;
}
