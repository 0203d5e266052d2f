/*
 * test_env.c - the environment table and the bare backend: every backend
 * has every callback; bare starts a program from an argv with its stdout
 * and stderr on pipes, reaps it, and stops one that does not end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/env/env.h"
#include "harness/util.h"

static void test_table(void **state)
{
	char why[256];
	unsigned n = 0;

	(void)state;
	for (unsigned i = 0; env_table[i]; i++, n++) {
		assert_int_equal(env_check_ops(env_table[i], why, sizeof(why)),
				 0);
		assert_ptr_equal(env_find(env_table[i]->name), env_table[i]);
	}
	assert_true(n >= 1);
	assert_null(env_find("vmware"));
	assert_non_null(strstr(env_names(), "bare"));
}

static void test_missing_callback(void **state)
{
	struct env_ops broken = env_bare_ops;
	char why[256];

	(void)state;
	broken.cleanup = NULL;
	assert_int_equal(env_check_ops(&broken, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "cleanup"));
}

static ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return (ssize_t)len;
}

static void test_bare_runs_argv(void **state)
{
	const struct env_ops *e = &env_bare_ops;
	char *argv[] = {"echo", "hello;", "$(not a shell)", NULL};
	char path[256], buf[256], err[256];
	struct env_case ec = {.wl_argv = argv, .stream_fd = -1, .log_fd = -1};
	int status = -1;

	(void)state;
	assert_int_equal(find_program("echo", path, sizeof(path)), 0);
	ec.wl_path = path;
	assert_int_equal(e->prepare(&ec, err, sizeof(err)), 0);
	assert_int_equal(e->start(&ec, err, sizeof(err)), 0);
	read_all(ec.stream_fd, buf, sizeof(buf));
	/* argv reached the program as is: no shell interpreted it */
	assert_string_equal(buf, "hello; $(not a shell)\n");
	assert_int_equal(e->wait(&ec, 5000, &status), 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(ec.emulated, 0);
	e->cleanup(&ec);
	e->cleanup(&ec); /* idempotent */
}

static void test_bare_missing_program(void **state)
{
	const struct env_ops *e = &env_bare_ops;
	char *argv[] = {"nope", NULL};
	char buf[256], err[256];
	struct env_case ec = {.wl_path = "/nonexistent/isolat-wl",
			      .wl_argv = argv, .stream_fd = -1, .log_fd = -1};
	int status = 0;

	(void)state;
	assert_int_equal(e->prepare(&ec, err, sizeof(err)), 0);
	assert_int_equal(e->start(&ec, err, sizeof(err)), 0);
	read_all(ec.log_fd, buf, sizeof(buf));
	assert_non_null(strstr(buf, "cannot execute /nonexistent/isolat-wl"));
	assert_int_equal(e->wait(&ec, 5000, &status), 0);
	assert_int_equal(WEXITSTATUS(status), 127);
	e->cleanup(&ec);
}

static void test_bare_stop(void **state)
{
	const struct env_ops *e = &env_bare_ops;
	char *argv[] = {"sleep", "100", NULL};
	char path[256], err[256];
	struct env_case ec = {.wl_argv = argv, .stream_fd = -1, .log_fd = -1};
	int status = 0;

	(void)state;
	assert_int_equal(find_program("sleep", path, sizeof(path)), 0);
	ec.wl_path = path;
	assert_int_equal(e->prepare(&ec, err, sizeof(err)), 0);
	assert_int_equal(e->start(&ec, err, sizeof(err)), 0);
	assert_int_equal(e->wait(&ec, 50, &status), -ETIMEDOUT);
	e->stop(&ec);
	assert_int_equal(e->wait(&ec, 0, &status), 0);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	e->cleanup(&ec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_missing_callback),
		cmocka_unit_test(test_bare_runs_argv),
		cmocka_unit_test(test_bare_missing_program),
		cmocka_unit_test(test_bare_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
