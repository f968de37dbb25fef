/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * case_exec.h: exec has no knob; a child that executes this program again (as
 * "consumer --exit", which exits with status 3) gives an exec event with its
 * filename and argv, and an exit event with its status.
 */
#include <sys/wait.h>

static void case_knob(skel_t *s)
{
	(void)s;
}

struct exec_seen {
	__u32 child;
	int execs, exits;
	struct exec_event exec;
	struct exec_exit_event exit;
};

static int exec_on_event(void *ctx, void *data, size_t sz)
{
	struct exec_seen *seen = (struct exec_seen *)ctx;
	const struct exec_event_hdr *h = (const struct exec_event_hdr *)data;

	if (sz < sizeof(*h) || h->pid != seen->child)
		return 0;
	if (h->type == EXEC_EV_EXEC && sz == sizeof(seen->exec)) {
		memcpy(&seen->exec, data, sz);
		seen->execs++;
	} else if (h->type == EXEC_EV_EXIT && sz == sizeof(seen->exit)) {
		memcpy(&seen->exit, data, sz);
		seen->exits++;
	}
	return 0;
}

static int case_check(skel_t *s, const char *what)
{
	static const char args[] = "consumer\0--exit";
	struct exec_seen seen = {};
	struct ring_buffer *rb;
	int status;
	pid_t child;

	rb = ring_buffer__new(MAP_FD(s, events), exec_on_event, &seen, NULL);
	if (!rb) {
		printf("%s: ring buffer: %s\n", what, strerror(errno));
		return 1;
	}
	child = fork();
	if (child == 0) {
		execl("/proc/self/exe", "consumer", "--exit", (char *)NULL);
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 3) {
		printf("%s: the child did not run\n", what);
		ring_buffer__free(rb);
		return 1;
	}
	seen.child = (__u32)child;
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	if (seen.execs != 1 || strcmp(seen.exec.filename, "/proc/self/exe") ||
	    seen.exec.args_len != sizeof(args) || memcmp(seen.exec.args, args, sizeof(args)) ||
	    seen.exits != 1 || seen.exit.exit_code != 3 << 8) {
		printf("%s: child %u: %d exec events (filename %.64s, %u bytes of argv), "
		       "%d exit events (code %u)\n", what, seen.child, seen.execs,
		       seen.exec.filename, seen.exec.args_len, seen.exits, seen.exit.exit_code);
		return 1;
	}
	return 0;
}
