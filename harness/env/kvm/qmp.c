/*
 * qmp.c - see qmp.h.
 */
#include "harness/env/kvm/qmp.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "harness/util.h"

/* One line (without its newline) into line; 0, -ETIMEDOUT or -errno. */
static int read_line(struct qmp *q, char *line, size_t size, double until)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		struct pollfd p = {q->fd, POLLIN, 0};
		double left = until - mono_now();
		ssize_t n;

		if (nl) {
			size_t len = (size_t)(nl - q->buf);

			snprintf(line, size, "%.*s", (int)len, q->buf);
			memmove(q->buf, nl + 1, q->len - len - 1);
			q->len -= len + 1;
			return 0;
		}
		if (q->len == sizeof(q->buf))
			q->len = 0; /* a line we cannot hold: drop it */
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)(left * 1000) + 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			continue;
		n = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		q->len += (size_t)n;
	}
}

/* The reply to the last command: skip events ({"event": ...}). */
static int read_reply(struct qmp *q, char *reply, size_t size, double until)
{
	for (;;) {
		int rc = read_line(q, reply, size, until);

		if (rc < 0)
			return rc;
		if (strstr(reply, "\"return\""))
			return 0;
		if (strstr(reply, "\"error\""))
			return -EIO;
	}
}

static int send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int qmp_command(struct qmp *q, const char *cmd, char *reply, size_t size,
		int timeout_ms)
{
	int rc = send_all(q->fd, cmd, strlen(cmd));

	if (rc == 0)
		rc = send_all(q->fd, "\n", 1);
	if (rc < 0)
		return rc;
	return read_reply(q, reply, size, mono_now() + timeout_ms / 1000.0);
}

int qmp_connect(struct qmp *q, const char *path, int timeout_ms, char *err,
		size_t errsz)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	double until = mono_now() + timeout_ms / 1000.0;
	struct timespec nap = {0, 20 * 1000 * 1000};
	char line[4096];
	int rc;

	q->fd = -1;
	q->len = 0;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errsz, "QMP socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	for (;;) {
		q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (q->fd < 0) {
			rc = -errno;
			snprintf(err, errsz, "socket: %s", strerror(errno));
			return rc;
		}
		if (connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		rc = -errno;
		close(q->fd);
		q->fd = -1;
		/* QEMU creates the socket during start-up. */
		if ((rc != -ENOENT && rc != -ECONNREFUSED) ||
		    mono_now() > until) {
			snprintf(err, errsz, "cannot connect to QMP at %s: %s",
				 path, strerror(-rc));
			return rc;
		}
		nanosleep(&nap, NULL);
	}
	rc = read_line(q, line, sizeof(line), until);
	if (rc == 0 && !strstr(line, "\"QMP\""))
		rc = -EPROTO;
	if (rc == 0)
		rc = qmp_command(q, "{\"execute\": \"qmp_capabilities\"}",
				 line, sizeof(line),
				 (int)((until - mono_now()) * 1000) + 1);
	if (rc < 0) {
		snprintf(err, errsz, "QMP handshake on %s failed: %s", path,
			 rc == -EIO ? line : strerror(-rc));
		qmp_close(q);
	}
	return rc;
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	q->len = 0;
}

/* Skip a JSON string starting at s (on the opening quote). */
static const char *skip_string(const char *s)
{
	for (s++; *s && *s != '"'; s++)
		if (*s == '\\' && s[1])
			s++;
	return *s ? s + 1 : s;
}

/* The integer value of member "key" of the object [obj, end) - its own
 * member, not one of a nested object ("props" has a "thread-id" too);
 * -1 if absent. */
static long long member_int(const char *obj, const char *end,
			    const char *key)
{
	size_t klen = strlen(key);
	int depth = 0;

	for (const char *s = obj; s < end; s++) {
		const char *v;

		if (*s == '{' || *s == '[') {
			depth++;
			continue;
		}
		if (*s == '}' || *s == ']') {
			depth--;
			continue;
		}
		if (*s != '"')
			continue;
		if (depth == 1 && (size_t)(end - s) > klen + 2 &&
		    !strncmp(s + 1, key, klen) && s[klen + 1] == '"') {
			v = s + klen + 2;
			while (v < end && isspace((unsigned char)*v))
				v++;
			if (v < end && *v == ':') {
				v++;
				while (v < end && isspace((unsigned char)*v))
					v++;
				if (v < end && isdigit((unsigned char)*v))
					return strtoll(v, NULL, 10);
			}
		}
		s = skip_string(s) - 1;
	}
	return -1;
}

static int by_index(const void *a, const void *b)
{
	const struct qmp_vcpu *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

int qmp_parse_vcpus(const char *reply, struct qmp_vcpu *out, int max)
{
	const char *s = strstr(reply, "\"return\"");
	int n = 0;

	if (!s)
		return -EINVAL;
	s += strlen("\"return\"");
	while (isspace((unsigned char)*s) || *s == ':')
		s++;
	if (*s != '[')
		return -EINVAL;
	s++;
	/* Each element is an object; nested objects ("props") are part of
	 * it.  Strings are skipped so braces inside them do not count. */
	while (*s) {
		const char *obj;
		int depth = 0;

		while (*s && *s != '{' && *s != ']')
			s++;
		if (*s != '{')
			break;
		obj = s;
		do {
			if (*s == '"') {
				s = skip_string(s);
				continue;
			}
			if (*s == '{')
				depth++;
			else if (*s == '}')
				depth--;
			s++;
		} while (*s && depth > 0);
		if (depth)
			return -EINVAL;
		{
			long long idx = member_int(obj, s, "cpu-index");
			long long tid = member_int(obj, s, "thread-id");

			if (idx < 0 || tid <= 0)
				return -EINVAL;
			/* More vCPUs than room: say so, never truncate. */
			if (n >= max)
				return -E2BIG;
			out[n].index = (int)idx;
			out[n].tid = (pid_t)tid;
			n++;
		}
	}
	if (*s != ']')
		return -EINVAL;
	qsort(out, (size_t)n, sizeof(*out), by_index);
	return n;
}
