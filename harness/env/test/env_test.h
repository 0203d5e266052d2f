/*
 * env_test.h - the `test` environment (fio's `null` engine for isolat):
 * the workload as a plain child of the harness, no root, no host change,
 * so that unit tests drive the whole run loop (plan, stream, store,
 * verdicts) through it.  Hidden from users (ENV_HIDDEN: `isolat envs`
 * lists it only with --all, and scenario messages do not offer it).
 *
 * A test may make the next cases misbehave, the ways a real workload or
 * guest does, to reach the run loop's failure paths:
 *   ENV_TEST_OK          isolat-wl itself, as bare runs it
 *   ENV_TEST_HANG        a child that says nothing and never ends
 *   ENV_TEST_BAD_STREAM  a child that writes bytes that are no frame
 *   ENV_TEST_CRASH       a child that sends HELLO and samples, then is
 *                        killed (SIGKILL) before END
 *   ENV_TEST_NO_START    start() fails (a backend that cannot start)
 */
#ifndef ISOLAT_ENV_TEST_H
#define ISOLAT_ENV_TEST_H

enum env_test_fault {
	ENV_TEST_OK,
	ENV_TEST_HANG,
	ENV_TEST_BAD_STREAM,
	ENV_TEST_CRASH,
	ENV_TEST_NO_START,
};

/* For every case started from now on (the process's own setting: only
 * unit tests change it). */
void env_test_set_fault(enum env_test_fault f);

#endif
