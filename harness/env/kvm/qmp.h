/*
 * qmp.h - a minimal QMP (QEMU Machine Protocol) client on a unix socket:
 * enough to negotiate capabilities, ask for the vCPU threads
 * (query-cpus-fast) and ask QEMU to quit.
 *
 * QMP speaks one JSON object per line.  Replies are told from
 * asynchronous events by their "return" / "error" member; events are
 * skipped.  The parsing here is deliberately narrow (the few members we
 * read, numbers only) rather than a general JSON parser.
 */
#ifndef ISOLAT_QMP_H
#define ISOLAT_QMP_H

#include <stddef.h>
#include <sys/types.h>

struct qmp {
	int fd;
	/* bytes received, not yet consumed: room for query-cpus-fast of
	 * QMP_MAX_VCPUS vCPUs (~200 bytes each) several times over */
	char buf[131072];
	size_t len;
};

#define QMP_MAX_VCPUS 256

struct qmp_vcpu {
	int index;   /* cpu-index */
	pid_t tid;   /* thread-id: the host thread running this vCPU */
};

/*
 * Connect to path (retrying while QEMU creates it, up to timeout_ms), read
 * the greeting and negotiate capabilities.  0 or -errno with err set.
 */
int qmp_connect(struct qmp *q, const char *path, int timeout_ms, char *err,
		size_t errsz);
void qmp_close(struct qmp *q);

/*
 * Send a command (a complete JSON object, no newline) and read its reply
 * line into reply.  0 on {"return": ...}, -EIO on {"error": ...} (the line
 * is in reply either way), -ETIMEDOUT, or -errno.
 */
int qmp_command(struct qmp *q, const char *cmd, char *reply, size_t size,
		int timeout_ms);

/*
 * Parse a query-cpus-fast reply: the cpu-index and thread-id of every
 * element of its "return" array, sorted by cpu-index.  Returns the count
 * (0..max), -E2BIG when the list has more than max elements, or -EINVAL
 * when the reply is not such a list.
 */
int qmp_parse_vcpus(const char *reply, struct qmp_vcpu *out, int max);

#endif
