// SPDX-License-Identifier: BSD-2-Clause
/* test_exec.c: exec.bpf.c on real execs and exits of child processes. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "exec.h"
#include "exec.skel.h"
#include "common/loader.h"
#include "lib_obj_state.h"
#include "lib_trace_env.h"

/* This binary re-executed as a child: `test_exec --child CODE [ARGS...]` exits with CODE. */
#define CHILD_FLAG "--child"

struct seen {
	pid_t pid;
	int execs, exits, others;
	struct exec_event exec;
	struct exec_exit_event exit;
};

static int on_event(void *ctx, void *data, size_t sz)
{
	struct seen *s = ctx;
	const struct exec_event_hdr *h = data;

	if (h->pid != (__u32)s->pid) {
		s->others++;
		return 0;
	}
	if (h->type == EXEC_EV_EXEC) {
		ck_assert_uint_eq(sz, sizeof(struct exec_event));
		memcpy(&s->exec, data, sizeof(s->exec));
		s->execs++;
	} else {
		ck_assert_uint_eq(h->type, EXEC_EV_EXIT);
		ck_assert_uint_eq(sz, sizeof(struct exec_exit_event));
		memcpy(&s->exit, data, sizeof(s->exit));
		s->exits++;
	}
	return 0;
}

static pid_t spawn(char *const argv[], int kill_it)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (kill_it)
			raise(SIGSTOP);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	if (kill_it) {
		int status;

		/* Stopped before exec: kill it, so no exec, only an exit by signal. */
		ck_assert_int_eq(waitpid(pid, &status, WUNTRACED), pid);
		kill(pid, SIGKILL);
	}
	return pid;
}

static int wait_exit(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

/* Poll until the child's exit event arrived (bounded). */
static void collect(struct ring_buffer *rb, struct seen *s)
{
	int i;

	for (i = 0; i < 50 && !s->exits; i++)
		ring_buffer__poll(rb, 20);
}

/* The object the cases share, loaded and attached once by main(): its maps are put
 * back before each case; how many programs it has loaded (its own). */
static struct exec *shared;
static struct obj_state *shared_state;
static int shared_progs;

/* An object of its own, loaded and attached; ringbuf_size 0: the program's own. */
static struct exec *load(__u32 ringbuf_size)
{
	struct exec *skel = exec__open();
	int err;

	ck_assert_msg(skel, "exec__open: %s", strerror(errno));
	if (ringbuf_size)
		bpf_map__set_max_entries(skel->maps.events, ringbuf_size);
	err = exec__load(skel);
	ck_assert_msg(!err, "exec__load: %s", strerror(-err));
	err = exec__attach(skel);
	ck_assert_msg(!err, "exec__attach: %s", strerror(-err));
	return skel;
}

static struct exec *use_shared(void)
{
	ck_assert_int_eq(obj_state__restore(shared_state), 0);
	return shared;
}

static struct ring_buffer *reader(struct exec *skel, struct seen *s)
{
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, s,
						  NULL);

	ck_assert_msg(rb, "ring_buffer__new");
	return rb;
}

START_TEST(test_exec_and_exit)
{
	/* The objects of earlier cases may still be being freed: let them go first. */
	int progs_before = trace_wait_count(trace_count_progs, "exec_", shared_progs, 2000);
	int links_before = trace_wait_count(trace_count_links, "exec_", shared_progs, 2000);
	char *argv[] = { "worker", CHILD_FLAG, "7", "two words", "", "last", NULL };
	const char expect[] = "worker\0" CHILD_FLAG "\0" "7\0two words\0\0last";
	struct seen s = {};
	struct ring_buffer *rb;
	struct exec *skel;
	__u64 cgid;
	int status;

	/* this case's own object: its load and its end are what it checks */
	skel = load(0);
	rb = reader(skel, &s);
	ck_assert_int_eq(trace_count_progs("exec_"), progs_before + 2);
	ck_assert_int_eq(trace_count_links("exec_"), links_before + 2);

	s.pid = spawn(argv, 0);
	status = wait_exit(s.pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 7, "child status %#x", status);
	collect(rb, &s);

	ck_assert_int_eq(s.execs, 1);
	ck_assert_int_eq(s.exits, 1);
	/* exec: who, with what, where. */
	ck_assert_uint_eq(s.exec.hdr.ppid, getpid());
	ck_assert_uint_eq(s.exec.hdr.uid, getuid());
	ck_assert_str_eq(s.exec.filename, "/proc/self/exe");
	ck_assert_str_eq(s.exec.hdr.comm, "exe");
	ck_assert_uint_eq(s.exec.args_len, sizeof(expect));
	ck_assert_mem_eq(s.exec.args, expect, sizeof(expect));
	ck_assert_uint_eq(s.exec.flags & (EXEC_F_ARGS_TRUNCATED | EXEC_F_ARGS_UNREADABLE), 0);
	ck_assert_msg(!trace_cgroup_self_id(&cgid), "own cgroup id");
	ck_assert_uint_eq(s.exec.hdr.cgroup_id, cgid);
	if (geteuid() == 0)
		ck_assert_msg(s.exec.cap_effective & (1ULL << 21), "root has CAP_SYS_ADMIN");
	/* exit: status as wait(2) saw it, a plausible lifetime. */
	ck_assert_uint_eq(s.exit.hdr.ppid, getpid());
	ck_assert_uint_eq(s.exit.exit_code, (__u32)status);
	ck_assert_uint_gt(s.exit.duration_ns, 0);
	ck_assert_uint_lt(s.exit.duration_ns, 10ULL * 1000 * 1000 * 1000);
	/* read through `state` before 5.14 and `__state` since: the task runs its exit */
	ck_assert_uint_eq(s.exit.task_state, 0 /* TASK_RUNNING */);
	ck_assert_uint_ge(s.exit.hdr.ts_ns, s.exec.hdr.ts_ns);
	ck_assert_uint_ge(loader_percpu_sum(bpf_map__fd(skel->maps.stats), EXEC_STAT_EXEC), 1);

	ring_buffer__free(rb);
	exec__destroy(skel);
	ck_assert_int_eq(trace_wait_count(trace_count_links, "exec_", links_before, 2000),
			 links_before);
	ck_assert_int_eq(trace_wait_count(trace_count_progs, "exec_", progs_before, 2000),
			 progs_before);
}
END_TEST

START_TEST(test_killed_before_exec)
{
	char *argv[] = { "worker", CHILD_FLAG, "0", NULL };
	struct seen s = {};
	struct exec *skel = use_shared();
	struct ring_buffer *rb = reader(skel, &s);
	int status;

	s.pid = spawn(argv, 1);
	status = wait_exit(s.pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
	collect(rb, &s);
	ck_assert_int_eq(s.execs, 0);
	ck_assert_int_eq(s.exits, 1);
	ck_assert_uint_eq(s.exit.exit_code & 0x7f, SIGKILL);
	ring_buffer__free(rb);
}
END_TEST

START_TEST(test_long_argv_truncated)
{
	char big[EXEC_ARGS_LEN + 100];
	char *argv[] = { "worker", CHILD_FLAG, "0", big, NULL };
	struct seen s = {};
	struct exec *skel = use_shared();
	struct ring_buffer *rb = reader(skel, &s);

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s.pid = spawn(argv, 0);
	wait_exit(s.pid);
	collect(rb, &s);
	ck_assert_int_eq(s.execs, 1);
	ck_assert_uint_eq(s.exec.args_len, EXEC_ARGS_LEN);
	ck_assert_uint_ne(s.exec.flags & EXEC_F_ARGS_TRUNCATED, 0);
	ck_assert_mem_eq(s.exec.args, "worker\0" CHILD_FLAG "\0" "0\0aaaa", 21);
	ck_assert_int_eq(s.exec.args[EXEC_ARGS_LEN - 1], 'a');
	ck_assert_uint_ge(loader_percpu_sum(bpf_map__fd(skel->maps.stats),
					   EXEC_STAT_ARGS_TRUNCATED), 1);
	ring_buffer__free(rb);
}
END_TEST

/* Nobody reads the ring buffer: execs go on, the lost events are counted. */
START_TEST(test_ringbuf_full_drops)
{
	char *argv[] = { "worker", CHILD_FLAG, "0", NULL };
	const __u32 ringbuf_size = 4096;
	/* their exec events alone (each with its 8-byte record header) overflow it */
	const int children = ringbuf_size / (sizeof(struct exec_event) + 8) + 4;
	struct seen s = {};
	struct exec *skel = load(ringbuf_size);
	struct ring_buffer *rb = reader(skel, &s);
	unsigned long long drops;
	int i, ours = 0;

	for (i = 0; i < children; i++)
		wait_exit(spawn(argv, 0));
	drops = loader_percpu_sum(bpf_map__fd(skel->maps.stats), EXEC_STAT_EVENT_DROPS);
	/* Everything in the buffer now (any process's), then count ours. */
	s.pid = -1;
	ring_buffer__consume(rb);
	ours = s.others;
	ck_assert_msg(drops > 0, "%u bytes hold fewer than %d exec events", ringbuf_size, children);
	/* Each event was either delivered or counted as dropped. */
	ck_assert_uint_ge(drops + ours, 2 * children);
	ring_buffer__free(rb);
	exec__destroy(skel);
}
END_TEST

int main(int argc, char **argv)
{
	SRunner *sr;
	Suite *s;
	TCase *tc;
	int failed, err;

	if (argc >= 3 && !strcmp(argv[1], CHILD_FLAG))
		return atoi(argv[2]);
	if (geteuid()) {
		printf("needs root to load tracing programs\n");
		return 77;
	}
	/* tp_btf programs need kernel BTF and raw tracepoints: the shared object tells. */
	shared = exec__open_and_load();
	err = shared ? exec__attach(shared) : -errno;
	if (err) {
		exec__destroy(shared);
		printf("kernel cannot attach tp_btf programs (%s)\n", strerror(-err));
		return 77;
	}
	shared_progs = trace_count_progs("exec_");
	err = obj_state__save(shared->obj, &shared_state);
	if (err) {
		printf("exec.bpf.o: cannot save its maps' state (%s)\n", strerror(-err));
		return 1;
	}

	s = suite_create("exec");
	tc = tcase_create("events");
	tcase_add_test(tc, test_exec_and_exit);
	tcase_add_test(tc, test_killed_before_exec);
	tcase_add_test(tc, test_long_argv_truncated);
	tcase_add_test(tc, test_ringbuf_full_drops);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* Each case puts the shared object's maps back itself: a fork per case would
	 * isolate nothing more, and under TCG it costs 10-20 ms (the deadline of a hung
	 * case is bpfgate's --test-timeout, a crash fails the whole test) */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	obj_state__free(shared_state);
	exec__destroy(shared);
	return failed ? 1 : 0;
}
