// SPDX-License-Identifier: BSD-2-Clause
/* test_spawn.c: child processes run for real: status, output, deadline, no orphans. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "spawn.h"
#include "unit_main.h"

static char dir[64];

static void setup(void)
{
	vh_unit_dir_make(dir, sizeof(dir), "spawn");
}

static void teardown(void)
{
	vh_unit_dir_remove(dir);
}

/* Run `sh -c script` with opts o (argv filled in here). */
static void run_sh(struct vh_spawn *s, struct vh_spawn_opts *o, const char *script)
{
	char *argv[] = { "sh", "-c", (char *)script, NULL };

	o->argv = argv;
	ck_assert_int_eq(vh_spawn__run(s, o), 0);
	ck_assert(s->done);
}

/* The pid a script wrote to dir/name, waiting up to 10 s for it to appear. */
static pid_t read_pid(const char *name)
{
	char p[256];
	double until = vh_now_s() + 10;
	int pid = 0;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	while (vh_now_s() < until) {
		FILE *f = fopen(p, "r");

		if (f) {
			int n = fscanf(f, "%d", &pid);

			fclose(f);
			if (n == 1 && pid > 0)
				return pid;
		}
		usleep(20 * 1000);
	}
	ck_abort_msg("%s never appeared", p);
	return 0;
}

/* Whether pid is gone within seconds (killed and reaped by its keeper). */
static bool gone_within(pid_t pid, double seconds)
{
	double until = vh_now_s() + seconds;

	for (;;) {
		if (kill(pid, 0) && errno == ESRCH)
			return true;
		if (vh_now_s() >= until)
			return false;
		usleep(20 * 1000);
	}
}

START_TEST(test_exit_status_and_signal)
{
	struct vh_spawn_opts o = { .out = VH_SPAWN_OUT_BUFFER };
	struct vh_spawn s;
	char how[64];

	run_sh(&s, &o, "echo hello; exit 3");
	ck_assert(WIFEXITED(s.status));
	ck_assert_int_eq(WEXITSTATUS(s.status), 3);
	ck_assert_str_eq(s.out, "hello\n");
	ck_assert(!s.timed_out && !s.killed);
	vh_spawn__describe(&s, how, sizeof(how));
	ck_assert_str_eq(how, "exited with 3");
	vh_spawn__free(&s);

	run_sh(&s, &o, "kill -SEGV $$");
	ck_assert(WIFSIGNALED(s.status));
	ck_assert_int_eq(WTERMSIG(s.status), SIGSEGV);
	vh_spawn__describe(&s, how, sizeof(how));
	ck_assert_str_eq(how, "killed by signal 11 (Segmentation fault)");
	vh_spawn__free(&s);
}
END_TEST

START_TEST(test_cannot_execute)
{
	char *argv[] = { "/nonexistent/bpfgate-no-such-program", NULL };
	struct vh_spawn_opts o = { .argv = argv, .out = VH_SPAWN_OUT_BUFFER };
	struct vh_spawn s;

	ck_assert_int_eq(vh_spawn__run(&s, &o), 0);
	ck_assert(WIFEXITED(s.status));
	ck_assert_int_eq(WEXITSTATUS(s.status), 127);
	ck_assert_ptr_nonnull(strstr(s.out, "bpfgate-no-such-program: cannot execute: No such file"));
	vh_spawn__free(&s);
}
END_TEST

static int return_five(void *arg)
{
	return *(int *)arg + 5;
}

static int raise_term(void *unused)
{
	(void)unused;
	raise(SIGTERM);
	return 0;
}

static void ignore_it(int sig)
{
	(void)sig;
}

START_TEST(test_function_child)
{
	int zero = 0;
	struct vh_spawn_opts o = { .fn = return_five, .fn_arg = &zero };
	struct sigaction sa = { .sa_handler = ignore_it }, old;
	struct vh_spawn s;

	ck_assert_int_eq(vh_spawn__run(&s, &o), 0);
	ck_assert(WIFEXITED(s.status));
	ck_assert_int_eq(WEXITSTATUS(s.status), 5);
	vh_spawn__free(&s);
	/* the parent's handler is not the child's: SIGTERM ends it */
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGTERM, &sa, &old), 0);
	o = (struct vh_spawn_opts){ .fn = raise_term };
	ck_assert_int_eq(vh_spawn__run(&s, &o), 0);
	sigaction(SIGTERM, &old, NULL);
	ck_assert(WIFSIGNALED(s.status));
	ck_assert_int_eq(WTERMSIG(s.status), SIGTERM);
	vh_spawn__free(&s);
}
END_TEST

/* The last out_max bytes are kept, and it says it cut. */
START_TEST(test_output_bounded)
{
	struct vh_spawn_opts o = { .out = VH_SPAWN_OUT_BUFFER, .out_max = 1000 };
	struct vh_spawn s;

	run_sh(&s, &o, "seq 1 200000");
	ck_assert_uint_eq(s.out_len, 1000);
	ck_assert_uint_eq(strlen(s.out), 1000);
	ck_assert(s.out_truncated);
	ck_assert_str_eq(s.out + 1000 - 14, "199999\n200000\n");
	vh_spawn__free(&s);
}
END_TEST

START_TEST(test_output_to_file_and_fd)
{
	struct vh_spawn_opts o = { .out = VH_SPAWN_OUT_FILE };
	struct vh_spawn s;
	char p[256], line[64] = "";
	FILE *f;
	int fd;

	snprintf(p, sizeof(p), "%s/out.log", dir);
	o.out_path = p;
	run_sh(&s, &o, "echo to-file; echo err >&2");
	vh_spawn__free(&s);
	f = fopen(p, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fread(line, 1, sizeof(line) - 1, f), 12);
	fclose(f);
	ck_assert_str_eq(line, "to-file\nerr\n");

	fd = open(p, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	o = (struct vh_spawn_opts){ .out = VH_SPAWN_OUT_FD, .out_fd = fd };
	run_sh(&s, &o, "echo more");
	vh_spawn__free(&s);
	close(fd);
	f = fopen(p, "r");
	ck_assert_int_eq(fread(line, 1, sizeof(line) - 1, f), 17);
	fclose(f);
	line[17] = '\0';
	ck_assert_str_eq(line, "to-file\nerr\nmore\n");
}
END_TEST

/* file_max: a command that writes without end is stopped at the limit. */
START_TEST(test_file_limit)
{
	struct vh_spawn_opts o = { .out = VH_SPAWN_OUT_FILE, .file_max = 100000 };
	struct vh_spawn s;
	struct stat st;
	char p[256];

	snprintf(p, sizeof(p), "%s/flood.log", dir);
	o.out_path = p;
	run_sh(&s, &o, "head -c 1000000 /dev/zero");
	ck_assert(WIFSIGNALED(s.status));
	ck_assert_int_eq(WTERMSIG(s.status), SIGXFSZ);
	vh_spawn__free(&s);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_le(st.st_size, 100000);
}
END_TEST

/* A child that starts a background sleep, one that left the group (setsid), and
 * sleeps itself; writes their pids. */
static const char tree[] =
	"sleep 300 & echo $! >bg.pid; setsid sleep 300 & echo $! >sid.pid; "
	"echo $$ >sh.pid; sleep 300";

struct tree_pids {
	pid_t sh, bg, sid;
};

static void start_tree(struct vh_spawn *s, double timeout_s)
{
	static char *argv[] = { "sh", "-c", (char *)tree, NULL };
	struct vh_spawn_opts o = { .argv = argv, .timeout_s = timeout_s };

	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(vh_spawn__start(s, &o), 0);
}

/* The tree's pids, once it has written them all. */
static struct tree_pids tree_pids(void)
{
	return (struct tree_pids){ read_pid("sh.pid"), read_pid("bg.pid"), read_pid("sid.pid") };
}

/* Every process of the tree is gone within seconds. */
static void tree_gone(const struct tree_pids *t, double seconds)
{
	ck_assert_msg(gone_within(t->sh, seconds), "the shell survived");
	ck_assert_msg(gone_within(t->bg, seconds), "its background child survived");
	ck_assert_msg(gone_within(t->sid, seconds), "its setsid child survived");
}

START_TEST(test_deadline_kills_the_tree)
{
	struct vh_spawn s;
	double t0 = vh_now_s();
	struct tree_pids t;
	char how[64];

	start_tree(&s, 2);
	t = tree_pids();
	ck_assert_int_eq(vh_spawn__wait(&s), 0);
	ck_assert(s.timed_out);
	ck_assert_double_lt(vh_now_s() - t0, 15);
	vh_spawn__describe(&s, how, sizeof(how));
	ck_assert_str_eq(how, "timed out after 2 s");
	/* everything is reaped by the time it is done */
	tree_gone(&t, 0);
	vh_spawn__free(&s);
}
END_TEST

START_TEST(test_kill_stops_the_tree)
{
	struct vh_spawn s;
	struct tree_pids t;

	start_tree(&s, 0);
	t = tree_pids();
	ck_assert_int_eq(vh_spawn__poll(&s), 0);
	vh_spawn__kill(&s);
	ck_assert(s.done && s.killed && !s.timed_out);
	ck_assert(WIFSIGNALED(s.status));
	ck_assert_int_eq(WTERMSIG(s.status), SIGKILL);
	tree_gone(&t, 0);
	vh_spawn__free(&s);
}
END_TEST

/* A keeper that was stopped (SIGSTOP) still stops its tree when asked, at once. */
START_TEST(test_kill_with_keeper_stopped)
{
	struct vh_spawn s;
	struct tree_pids t;
	double t0;

	start_tree(&s, 0);
	t = tree_pids();
	ck_assert_int_eq(kill(s.pid, SIGSTOP), 0);
	t0 = vh_now_s();
	vh_spawn__kill(&s);
	ck_assert_double_lt(vh_now_s() - t0, 4);
	ck_assert(s.done && s.killed);
	tree_gone(&t, 0);
	vh_spawn__free(&s);
}
END_TEST

/* A process that spawns the tree and is then killed with SIGKILL: nothing of the
 * tree may outlive it by more than 2 s. */
START_TEST(test_parent_killed_leaves_no_orphans)
{
	struct tree_pids t;
	pid_t parent;
	int st;

	parent = fork();
	ck_assert_int_ge(parent, 0);
	if (parent == 0) {
		struct vh_spawn s;

		start_tree(&s, 0);
		pause();
		_exit(0);
	}
	t = tree_pids();
	ck_assert_int_eq(kill(parent, SIGKILL), 0);
	ck_assert_int_eq(waitpid(parent, &st, 0), parent);
	tree_gone(&t, 2);
}
END_TEST

/* The keeper holds none of bpfgate's close-on-exec files (a lock, a pipe) while the
 * command runs; a file without close-on-exec is inherited as by exec. */
START_TEST(test_inherited_files)
{
	struct vh_spawn_opts o = { 0 };
	char *argv[] = { "sh", "-c", NULL, NULL };
	char script[256], out[256], line[64] = "";
	struct pollfd pfd;
	struct vh_spawn s;
	int p[2], kept;
	FILE *f;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	kept = dup(STDIN_FILENO);
	ck_assert_int_ge(kept, 0);
	snprintf(out, sizeof(out), "%s/fds", dir);
	ck_assert_int_eq(chdir(dir), 0);
	snprintf(script, sizeof(script),
		 "[ -e /proc/self/fd/%d ] && echo kept >fds; echo $$ >sh.pid; sleep 300", kept);
	argv[2] = script;
	o.argv = argv;
	ck_assert_int_eq(vh_spawn__start(&s, &o), 0);
	read_pid("sh.pid");
	/* nothing else holds the write end: EOF while the command still runs */
	close(p[1]);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	ck_assert_int_eq(read(p[0], line, 1), 0);
	ck_assert_int_eq(vh_spawn__poll(&s), 0);
	vh_spawn__kill(&s);
	vh_spawn__free(&s);
	close(p[0]);
	close(kept);
	f = fopen(out, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	ck_assert_str_eq(line, "kept\n");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("spawn");
	TCase *tc = tcase_create("spawn");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_exit_status_and_signal);
	tcase_add_test(tc, test_cannot_execute);
	tcase_add_test(tc, test_function_child);
	tcase_add_test(tc, test_output_bounded);
	tcase_add_test(tc, test_output_to_file_and_fd);
	tcase_add_test(tc, test_file_limit);
	tcase_add_test(tc, test_deadline_kills_the_tree);
	tcase_add_test(tc, test_kill_stops_the_tree);
	tcase_add_test(tc, test_kill_with_keeper_stopped);
	tcase_add_test(tc, test_parent_killed_leaves_no_orphans);
	tcase_add_test(tc, test_inherited_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vh_unit_run(suite());
}
