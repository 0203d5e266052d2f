/*
 * xen_store.c - see xen_store.h.
 */
#include "harness/env/xen/xen_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* xs_wire.h */
struct xsd_sockmsg {
	uint32_t type, req_id, tx_id, len;
};
#define XS_READ 2
#define XS_ERROR 16
#define XS_PAYLOAD_MAX 4096

static int open_store(void)
{
	static const char *const socks[] = {"/run/xenstored/socket",
					    "/var/run/xenstored/socket"};
	static const char *const devs[] = {"/dev/xen/xenbus",
					   "/proc/xen/xenbus"};

	for (size_t i = 0; i < 2; i++) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			break;
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", socks[i]);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
		close(fd);
	}
	for (size_t i = 0; i < 2; i++) {
		int fd = open(devs[i], O_RDWR | O_CLOEXEC);

		if (fd >= 0)
			return fd;
	}
	return -ENODEV;
}

static int read_full(int fd, void *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		got += (size_t)r;
	}
	return 0;
}

int xen_store_read(const char *path, char *out, size_t size)
{
	char msg[sizeof(struct xsd_sockmsg) + 256];
	static char payload[XS_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h = {XS_READ, 1, 0, 0};
	size_t plen = strlen(path) + 1;
	int fd, rc;

	if (plen > 256 || size == 0)
		return -EINVAL;
	h.len = (uint32_t)plen;
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), path, plen);
	fd = open_store();
	if (fd < 0)
		return fd;
	/* The xenbus device takes a message only whole, in one write. */
	if (write(fd, msg, sizeof(h) + plen) != (ssize_t)(sizeof(h) + plen)) {
		rc = -errno;
		close(fd);
		return rc ? rc : -EIO;
	}
	rc = read_full(fd, &h, sizeof(h));
	if (rc == 0 && h.len > XS_PAYLOAD_MAX)
		rc = -EPROTO;
	if (rc == 0)
		rc = read_full(fd, payload, h.len);
	close(fd);
	if (rc < 0)
		return rc;
	payload[h.len] = '\0';
	if (h.type == XS_ERROR)
		return !strcmp(payload, "ENOENT") ? -ENOENT : -EIO;
	snprintf(out, size, "%s", payload);
	return 0;
}
