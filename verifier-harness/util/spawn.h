/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spawn.h: run a child process (a command, or a function in a forked copy) so that
 * nothing it starts can outlive bpfgate or its deadline.
 *
 * Every child of bpfgate goes through here: QEMU, vng, functional tests, kernel
 * fetches. The tree it makes:
 *
 *	bpfgate ── keeper ── command ── (whatever the command starts: vng's QEMU, apt...)
 *
 * The keeper is a forked copy of bpfgate that runs no bpfgate code of its own. The
 * command leads a new process group (its descendants stay in it unless they leave on
 * purpose); the keeper is the subreaper of the command's descendants, holds the
 * deadline, and has PR_SET_PDEATHSIG so that when bpfgate dies, however it dies
 * (kill -9 too), the keeper kills the group and every descendant given to it. The
 * command has PR_SET_PDEATHSIG(SIGKILL) towards the keeper. Both check getppid()
 * after setting it (the parent may have died before). When the command ends (or at
 * the deadline, or when bpfgate asks), the keeper kills the group while the command
 * is not yet reaped (so its pid, the group's id, cannot have been reused), reaps
 * everything, reports how the command ended and exits: once bpfgate has reaped the
 * keeper, nothing of the tree runs. A process group alone would not do: SIGKILL of
 * bpfgate gives no chance to kill it.
 *
 * The child's stdin is /dev/null; its stdout and stderr go together to one place
 * (VH_SPAWN_OUT_*). File descriptors without FD_CLOEXEC are inherited as with a plain
 * fork and exec (a lock meant to be held by the child stays held); the others are not.
 * The command does not get bpfgate's signal handlers or blocked signals.
 *
 * Use: vh_spawn__start(), then vh_spawn__poll() until it returns 1 (or
 * vh_spawn__wait()); vh_spawn__run() does both. vh_spawn__kill() stops the whole tree
 * at once; vh_spawn__free() releases (and kills what still runs). Not thread-safe:
 * spawn from one thread (PR_SET_PDEATHSIG watches the thread that forked).
 */
#ifndef BPFGATE_SPAWN_H
#define BPFGATE_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where the child's stdout and stderr go. */
enum vh_spawn_out {
	VH_SPAWN_OUT_NULL,   /* /dev/null */
	VH_SPAWN_OUT_FD,     /* out_fd (the caller keeps it open and closes it) */
	VH_SPAWN_OUT_FILE,   /* out_path, created or truncated, 0644 */
	VH_SPAWN_OUT_BUFFER, /* captured in memory: the last out_max bytes are kept */
};

/* Kept of a captured output when out_max is 0. */
#define VH_SPAWN_DEFAULT_OUT_MAX (1UL << 20)

struct vh_spawn_opts {
	/* What runs: argv (argv[0] searched in PATH unless it holds a '/'), or, when
	 * argv is NULL, fn(fn_arg) in the forked child, whose return is its exit code. */
	char *const *argv;
	int (*fn)(void *fn_arg);
	void *fn_arg;
	enum vh_spawn_out out;
	int out_fd;
	const char *out_path;
	size_t out_max;
	/* > 0: at this many seconds the whole tree is killed (timed_out is then set) */
	double timeout_s;
	/* > 0: no file the command writes may grow beyond this many bytes (RLIMIT_FSIZE;
	 * the command gets SIGXFSZ): a guest that floods its console cannot fill the disk */
	unsigned long long file_max;
	/* in the child just before exec (or fn): a namespace, environment variables */
	void (*child_setup)(void *setup_arg);
	void *setup_arg;
};

struct vh_spawn {
	pid_t pid;           /* the keeper; 0 when nothing was started */
	bool done;           /* the command ended and everything is reaped */
	int status;          /* its wait status (WIFEXITED / WIFSIGNALED) once done */
	bool timed_out;      /* killed at its deadline */
	bool killed;         /* stopped by vh_spawn__kill */
	char *out;           /* VH_SPAWN_OUT_BUFFER: what it printed, NUL-terminated */
	size_t out_len;
	bool out_truncated;  /* it printed more than out_max: out is the end */
	/* private */
	double timeout_s;
	size_t out_max;
	int status_fd;       /* keeper -> bpfgate: how the command ended */
	int out_rd;          /* VH_SPAWN_OUT_BUFFER: the read end of its output */
};

/* Start it (does not wait). 0, or -errno (nothing is then left running). */
int vh_spawn__start(struct vh_spawn *s, const struct vh_spawn_opts *o);

/* Drain its output, enforce the deadline, reap: 1 when done (status set), 0 while it
 * runs, -errno on error. */
int vh_spawn__poll(struct vh_spawn *s);

/* Poll until done. 0 or -errno. */
int vh_spawn__wait(struct vh_spawn *s);

/* Start and wait. 0 (see s->status, s->timed_out), or -errno when it could not start
 * (a command that cannot be executed is not an error: it exits 127 and says why). */
int vh_spawn__run(struct vh_spawn *s, const struct vh_spawn_opts *o);

/* Kill the whole tree now and reap it (done, killed set). */
void vh_spawn__kill(struct vh_spawn *s);

/* Kill what still runs and free the captured output. */
void vh_spawn__free(struct vh_spawn *s);

/* How it ended, in words: "exited with 3", "killed by signal 9 (Killed)",
 * "timed out after 5 s". */
void vh_spawn__describe(const struct vh_spawn *s, char *buf, size_t len);

#endif
