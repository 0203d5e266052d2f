/*
 * util.c - see util.h.
 */
#include "harness/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* Look for a program in the usual system directories, not $PATH: the
 * harness runs as root and must not pick up whatever PATH holds. */
int find_program(const char *name, char *out, size_t size)
{
	static const char *const dirs[] = {"/usr/local/sbin", "/usr/local/bin",
					   "/usr/sbin", "/usr/bin", "/sbin",
					   "/bin"};

	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(out, size, "%s/%s", dirs[i], name);
		if (access(out, X_OK) == 0)
			return 0;
	}
	out[0] = '\0';
	return -ENOENT;
}

int uuid_v4(char out[37])
{
	unsigned char b[16];
	ssize_t n = getrandom(b, sizeof(b), 0);

	if (n != (ssize_t)sizeof(b))
		return n < 0 ? -errno : -EIO;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' ||
			 buf[n - 1] == '\t' || buf[n - 1] == '\0'))
		n--;
	buf[n] = '\0';
	return 0;
}

/* The directory of the running isolat (from /proc/self/exe, so a binary
 * staged under a DESTDIR finds its own tree).  0 or -errno. */
static int self_dir(char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - 1);
	char *slash;

	if (n < 0)
		return -errno;
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return 0;
}

int workload_binary(char *out, size_t size, char *why, size_t whysz)
{
	char self[4096];
	int rc = self_dir(self, sizeof(self));

	if (rc < 0) {
		snprintf(why, whysz, "cannot find own path: %s",
			 strerror(-rc));
		return rc;
	}
	/* The build tree (build/isolat beside build/isolat-wl), then the
	 * installed layout (PREFIX/bin/isolat, PREFIX/libexec/isolat/). */
	snprintf(out, size, "%s/isolat-wl", self);
	if (access(out, X_OK) == 0)
		return 0;
	snprintf(out, size, "%s/" ISOLAT_LIBEXEC_REL "/isolat-wl", self);
	if (access(out, X_OK) == 0)
		return 0;
	snprintf(why, whysz, "%s/isolat-wl and %s: workload binary missing; "
		 "build it with `make` (or `make install`)", self, out);
	return -ENOENT;
}

void scenario_find(const char *arg, char *out, size_t size)
{
	static const char *const dirs[] = {
		"/../scenarios",              /* build/isolat in a checkout */
		"/" ISOLAT_DATA_REL "/scenarios", /* PREFIX/bin/isolat */
	};
	char self[4096];

	snprintf(out, size, "%s", arg);
	if (access(arg, F_OK) == 0 || strchr(arg, '/') ||
	    self_dir(self, sizeof(self)) < 0)
		return;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		for (int ini = 0; ini < 2; ini++) {
			char tidy[4096];

			snprintf(out, size, "%s%s/%s%s", self, dirs[i], arg,
				 ini ? ".ini" : "");
			if (access(out, R_OK) != 0)
				continue;
			/* bin/../share/... said as the path it is. */
			if (realpath(out, tidy) && strlen(tidy) < size)
				memcpy(out, tidy, strlen(tidy) + 1);
			return;
		}
	}
	snprintf(out, size, "%s", arg);
}

double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void tail_append(char *buf, size_t *len, size_t keep, const char *p,
		 size_t n)
{
	if (n >= keep) {
		p += n - keep;
		n = keep;
	}
	if (*len + n > keep) {
		size_t cut = *len + n - keep;

		memmove(buf, buf + cut, *len - cut);
		*len -= cut;
	}
	memcpy(buf + *len, p, n);
	*len += n;
	buf[*len] = '\0';
}

int write_text(const char *path, const char *v, int extra_flags)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW |
			    extra_flags, 0644), rc = 0;
	size_t len = strlen(v);

	if (fd < 0)
		return -errno;
	if (write(fd, v, len) != (ssize_t)len)
		rc = -errno;
	close(fd);
	return rc;
}
