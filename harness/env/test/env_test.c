/*
 * env_test.c - the `test` environment, see env_test.h.  Like bare, the
 * workload is a child of the harness; unlike bare it asks for nothing a
 * plain user lacks and claims nothing of the host (no ENV_HOST_PROCESS:
 * a case here is never traced, partitioned or loaded "inside"), and it
 * can misbehave on purpose.
 */
#include "harness/env/test/env_test.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/env/env.h"
#include "harness/env/env_child.h"
#include "harness/run/proc.h"
#include "workloads/wire.h"

static enum env_test_fault fault;

void env_test_set_fault(enum env_test_fault f)
{
	fault = f;
}

static int test_probe(char *why, size_t whysz)
{
	snprintf(why, whysz, "for isolat's own tests: isolat-wl as a plain "
		 "child, no host change (fio's null engine)");
	return 0;
}

/* The faulty children: fd 1 is the stream, fd 2 the log. */
static void hang(void *arg)
{
	(void)arg;
	for (;;)
		pause();
}

static void bad_stream(void *arg)
{
	static const char junk[] = "this is not an isolat stream\n";

	(void)arg;
	for (int i = 0; i < 64; i++)
		if (write(1, junk, sizeof(junk) - 1) < 0)
			break;
	_exit(0);
}

static void crash(void *arg)
{
	static const char hello[] = "workload=rtlat\nwire_version=1\n"
				    "unit=ns\nnseries=1\nseries.0.cpu=0\n";
	uint32_t v[4] = {1000, 1100, 1200, 1300};

	(void)arg;
	wire_write_frame(1, WIRE_HELLO, hello, sizeof(hello) - 1);
	wire_write_samples(1, 0, 0, v, 4);
	(void)!write(2, "crashing mid-case\n", 18);
	raise(SIGKILL);
	_exit(1);
}

static int test_start(struct env_case *ec, char *err, size_t errsz)
{
	static void (*const run[])(void *) = {
		[ENV_TEST_HANG] = hang, [ENV_TEST_BAD_STREAM] = bad_stream,
		[ENV_TEST_CRASH] = crash,
	};
	struct proc_spec spec = {
		.path = ec->wl_path,
		.argv = ec->wl_argv,
		.fd = {PROC_FD_NULL, PROC_FD_OUT, PROC_FD_ERR},
		.pdeathsig = SIGKILL,
	};

	if (fault == ENV_TEST_NO_START) {
		snprintf(err, errsz, "the test environment was told not to "
			 "start");
		return -ECHILD;
	}
	if (fault != ENV_TEST_OK)
		spec.run = run[fault];
	return env_child_start(ec, &spec, err, errsz);
}

static void test_stop(struct env_case *ec)
{
	env_child_stop(ec, 500);
}

static void test_cleanup(struct env_case *ec)
{
	env_child_cleanup(ec, 500);
}

const struct env_ops env_test_ops = {
	.name = "test",
	.flags = ENV_HOST_KERNEL | ENV_HOST_PROGRAMS | ENV_HIDDEN,
	.describe = "for isolat's own tests: isolat-wl as a plain child "
		    "(hidden)",
	.probe = test_probe,
	.prepare = env_child_prepare,
	.start = test_start,
	.wait = env_child_wait,
	.interrupt = env_child_interrupt,
	.stop = test_stop,
	.cleanup = test_cleanup,
};
