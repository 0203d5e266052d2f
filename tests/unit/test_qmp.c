/*
 * test_qmp.c - the QMP client against canned replies: query-cpus-fast
 * parsing, and a whole conversation (greeting, capabilities, an event
 * before a reply, an error) over a socketpair standing in for QEMU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/env/kvm/qmp.h"

/* What QEMU 7.2 answers for -smp 2 under TCG (one line in reality), with
 * the members of the first element reordered: props (which has its own
 * "thread-id", the SMT thread) before the host thread id. */
static const char reply_2[] =
	"{\"return\": [{\"props\": {\"core-id\": 0, \"thread-id\": 0}, "
	"\"thread-id\": 21228, \"props2\": {\"core-id\": 0, "
	"\"thread-id\": 0, \"node-id\": 0, \"socket-id\": 1}, \"qom-path\": "
	"\"/machine/unattached/device[2]\", \"cpu-index\": 1, \"target\": "
	"\"x86_64\"}, {\"thread-id\": 21227, \"props\": {\"core-id\": 0, "
	"\"thread-id\": 0, \"socket-id\": 0}, \"qom-path\": "
	"\"/machine/unattached/device[0]\", \"cpu-index\": 0, \"target\": "
	"\"x86_64\"}]}";

static void test_parse_vcpus(void **state)
{
	struct qmp_vcpu v[4];

	(void)state;
	/* props also has a "thread-id" (the SMT thread): it must not be
	 * taken for the host thread id. */
	assert_int_equal(qmp_parse_vcpus(reply_2, v, 4), 2);
	assert_int_equal(v[0].index, 0);
	assert_int_equal(v[0].tid, 21227);
	assert_int_equal(v[1].index, 1);
	assert_int_equal(v[1].tid, 21228);
	/* Room for one of two: refused, never truncated. */
	assert_int_equal(qmp_parse_vcpus(reply_2, v, 1), -E2BIG);
}

static void test_parse_bad(void **state)
{
	struct qmp_vcpu v[4];

	(void)state;
	assert_int_equal(qmp_parse_vcpus("{\"return\": []}", v, 4), 0);
	assert_int_equal(qmp_parse_vcpus("{\"error\": {\"class\": "
					 "\"GenericError\"}}", v, 4), -EINVAL);
	assert_int_equal(qmp_parse_vcpus("{\"return\": {}}", v, 4), -EINVAL);
	assert_int_equal(qmp_parse_vcpus("{\"return\": [{\"cpu-index\": 0}]}",
					 v, 4), -EINVAL);
	assert_int_equal(qmp_parse_vcpus("{\"return\": [{\"cpu-index\": 0, "
					 "\"thread-id\": 5", v, 4), -EINVAL);
	/* A brace inside a string does not end the element. */
	assert_int_equal(qmp_parse_vcpus("{\"return\": [{\"qom-path\": \"}{\", "
					 "\"cpu-index\": 3, \"thread-id\": 9}]}",
					 v, 4), 1);
	assert_int_equal(v[0].tid, 9);
}

/* The "QEMU" side of a conversation: replies written up front (QMP is
 * strictly request/response, so the order is all that matters). */
static void test_conversation(void **state)
{
	static const char qemu_says[] =
		"{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n"
		"{\"return\": {}}\n"
		"{\"timestamp\": {}, \"event\": \"RESUME\"}\n"
		"{\"return\": [{\"cpu-index\": 0, \"thread-id\": 77}]}\n"
		"{\"error\": {\"class\": \"CommandNotFound\"}}\n";
	struct qmp q = {.fd = -1};
	struct qmp_vcpu v[2];
	char reply[512], sent[512];
	int sv[2];
	ssize_t n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], qemu_says, strlen(qemu_says)),
			 (ssize_t)strlen(qemu_says));
	q.fd = sv[0];
	q.len = 0;
	assert_int_equal(qmp_command(&q, "{\"execute\": \"qmp_capabilities\"}",
				     reply, sizeof(reply), 1000), 0);
	assert_string_equal(reply, "{\"return\": {}}");
	assert_int_equal(qmp_command(&q, "{\"execute\": \"query-cpus-fast\"}",
				     reply, sizeof(reply), 1000), 0);
	assert_int_equal(qmp_parse_vcpus(reply, v, 2), 1);
	assert_int_equal(v[0].tid, 77);
	assert_int_equal(qmp_command(&q, "{\"execute\": \"nope\"}", reply,
				     sizeof(reply), 1000), -EIO);
	assert_non_null(strstr(reply, "CommandNotFound"));
	/* Every command went out as one line. */
	n = read(sv[1], sent, sizeof(sent) - 1);
	assert_true(n > 0);
	sent[n] = '\0';
	assert_non_null(strstr(sent, "{\"execute\": \"qmp_capabilities\"}\n"));
	assert_non_null(strstr(sent, "{\"execute\": \"query-cpus-fast\"}\n"));
	/* Nothing more from "QEMU": a bounded wait, then -ETIMEDOUT. */
	assert_int_equal(qmp_command(&q, "{\"execute\": \"quit\"}", reply,
				     sizeof(reply), 50), -ETIMEDOUT);
	close(sv[1]);
	{
		int rc = qmp_command(&q, "{\"execute\": \"quit\"}", reply,
				     sizeof(reply), 1000);

		/* Gone: the send or the read says so, never a hang. */
		assert_true(rc == -EPIPE || rc == -ECONNRESET);
	}
	qmp_close(&q);
}

static void test_connect_missing(void **state)
{
	struct qmp q;
	char err[256];

	(void)state;
	assert_int_equal(qmp_connect(&q, "/nonexistent/qmp.sock", 100, err,
				     sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/qmp.sock"));
	assert_int_equal(q.fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_vcpus),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_conversation),
		cmocka_unit_test(test_connect_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
