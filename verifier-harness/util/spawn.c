// SPDX-License-Identifier: BSD-2-Clause
/* spawn.c: run a child process under a keeper that kills its whole tree at its end. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "spawn.h"

/* How long bpfgate waits for a keeper asked to stop before it kills it. */
#define KEEPER_GRACE_MS 5000

/* What the keeper sends when the command has ended and everything is reaped. */
struct report {
	int status;
	int timed_out;
};

/* The keeper waits for these; they are blocked in it and taken by sigtimedwait. */
static void keeper_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGTERM); /* bpfgate asks, or died (PR_SET_PDEATHSIG) */
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

/* Close every descriptor marked close-on-exec except keep: the keeper never execs,
 * and must not hold bpfgate's files, pipes or locks for as long as it runs. */
static void close_cloexec_fds(int keep)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int dfd;

	if (!d)
		return;
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name), fl;

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || fd == dfd || fd == keep)
			continue;
		fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && (fl & FD_CLOEXEC))
			close(fd);
	}
	closedir(d);
}

/* In the forked command: sever what it shares with bpfgate, then run it. */
static void __attribute__((noreturn)) command(const struct vh_spawn_opts *o, pid_t keeper,
					      int status_w)
{
	sigset_t none;

	close(status_w);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != keeper)
		_exit(127);
	/* bpfgate's handlers are not the command's (exec would reset them; fn does not) */
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (!sigaction(sig, NULL, &sa) && sa.sa_handler != SIG_IGN &&
		    sa.sa_handler != SIG_DFL)
			signal(sig, SIG_DFL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* a pipe closed under it ends it, as in a shell */
	signal(SIGPIPE, SIG_DFL);
	if (o->file_max) {
		struct rlimit rl = { o->file_max, o->file_max };

		setrlimit(RLIMIT_FSIZE, &rl);
	}
	if (o->child_setup)
		o->child_setup(o->setup_arg);
	if (!o->argv)
		_exit(o->fn(o->fn_arg));
	execvp(o->argv[0], o->argv);
	dprintf(STDERR_FILENO, "bpfgate: %s: cannot execute: %s\n", o->argv[0], strerror(errno));
	_exit(127);
}

/* SIGKILL every direct child of the keeper: descendants that left the command's group
 * and were given to the keeper when their parent died. */
static bool kill_children(void)
{
	char p[64], pid[32];
	bool any = false;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/self/task/%d/children", (int)getpid());
	f = fopen(p, "re");
	if (!f)
		return false;
	while (fscanf(f, "%31s", pid) == 1) {
		kill(atoi(pid), SIGKILL);
		any = true;
	}
	fclose(f);
	return any;
}

/* The keeper: the parent of the command; see spawn.h. */
static void __attribute__((noreturn)) keeper(const struct vh_spawn_opts *o, pid_t parent,
					     int out_fd, int status_w)
{
	struct report rep = { 0 };
	double deadline = o->timeout_s > 0 ? vh_now_s() + o->timeout_s : 0;
	bool reaped = false;
	sigset_t set;
	int in, st;
	pid_t c;

	setpgid(0, 0);
	keeper_signals(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127); /* bpfgate is gone already: start nothing */
	in = open("/dev/null", O_RDONLY);
	if (in >= 0 && in != STDIN_FILENO) {
		dup2(in, STDIN_FILENO);
		close(in);
	}
	dup2(out_fd, STDOUT_FILENO);
	dup2(out_fd, STDERR_FILENO);
	close_cloexec_fds(status_w);
	c = fork();
	if (c == 0)
		command(o, getppid(), status_w);
	if (c < 0) {
		dprintf(STDERR_FILENO, "bpfgate: fork: %s\n", strerror(errno));
		rep.status = 127 << 8;
		if (write(status_w, &rep, sizeof(rep)) < 0)
			_exit(127);
		_exit(0);
	}
	/* from here on the keeper prints nothing: its output is the command's */
	setpgid(c, c);
	close(STDOUT_FILENO);
	close(STDERR_FILENO);
	for (;;) {
		siginfo_t si = { 0 };
		struct timespec ts, *tsp = NULL;
		int sig;

		if (deadline) {
			double left = deadline - vh_now_s();

			if (left <= 0) {
				rep.timed_out = 1;
				break;
			}
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
			tsp = &ts;
		}
		sig = sigtimedwait(&set, &si, tsp);
		if (sig < 0)
			continue; /* EAGAIN (the deadline, checked above) or EINTR */
		if (sig != SIGCHLD)
			break;
		/* the command ended: still a zombie, so its group id is still its own */
		memset(&si, 0, sizeof(si));
		if (!waitid(P_PID, c, &si, WEXITED | WNOHANG | WNOWAIT) && si.si_pid == c)
			break;
		/* reap the orphans given to the keeper meanwhile (and the command, if it
		 * ended just now: its pid is then not reused before the kill below) */
		for (pid_t w; (w = waitpid(-1, &st, WNOHANG)) > 0;) {
			if (w == c) {
				rep.status = st;
				reaped = true;
			}
		}
		if (reaped)
			break;
	}
	kill(-c, SIGKILL);
	kill(c, SIGKILL);
	/* reap everything; kill what comes to the keeper until nothing is left */
	for (;;) {
		pid_t w;

		if (!kill_children() && reaped)
			break;
		w = waitpid(-1, &st, 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		if (w == c) {
			rep.status = st;
			reaped = true;
		}
	}
	if (write(status_w, &rep, sizeof(rep)) < 0)
		_exit(1);
	_exit(0);
}

/* The child's stdout/stderr for o->out; *own is the descriptor to close after fork. */
static int out_target(struct vh_spawn *s, const struct vh_spawn_opts *o, int *own)
{
	int p[2];

	*own = -1;
	switch (o->out) {
	case VH_SPAWN_OUT_FD:
		return o->out_fd >= 0 ? o->out_fd : -EBADF;
	case VH_SPAWN_OUT_FILE:
		*own = open(o->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		return *own >= 0 ? *own : -errno;
	case VH_SPAWN_OUT_BUFFER:
		if (pipe2(p, O_CLOEXEC))
			return -errno;
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		s->out_rd = p[0];
		*own = p[1];
		return p[1];
	case VH_SPAWN_OUT_NULL:
	default:
		*own = open("/dev/null", O_WRONLY | O_CLOEXEC);
		return *own >= 0 ? *own : -errno;
	}
}

int vh_spawn__start(struct vh_spawn *s, const struct vh_spawn_opts *o)
{
	int sp[2], own, out, err;
	pid_t parent = getpid();

	memset(s, 0, sizeof(*s));
	s->status_fd = s->out_rd = -1;
	if ((!o->argv || !o->argv[0]) && !o->fn)
		return -EINVAL;
	s->timeout_s = o->timeout_s;
	s->out_max = o->out_max ?: VH_SPAWN_DEFAULT_OUT_MAX;
	if (o->out == VH_SPAWN_OUT_BUFFER) {
		s->out = malloc(1);
		if (!s->out)
			return -ENOMEM;
		s->out[0] = '\0';
	}
	out = out_target(s, o, &own);
	if (out < 0) {
		err = out;
		goto fail;
	}
	if (pipe2(sp, O_CLOEXEC)) {
		err = -errno;
		goto fail;
	}
	s->pid = fork();
	if (s->pid == 0)
		keeper(o, parent, out, sp[1]);
	err = s->pid < 0 ? -errno : 0;
	close(sp[1]);
	if (own >= 0)
		close(own);
	own = -1;
	if (err) {
		close(sp[0]);
		s->pid = 0;
		goto fail;
	}
	fcntl(sp[0], F_SETFL, O_NONBLOCK);
	s->status_fd = sp[0];
	return 0;
fail:
	if (own >= 0)
		close(own);
	if (s->out_rd >= 0)
		close(s->out_rd);
	s->out_rd = -1;
	free(s->out);
	s->out = NULL;
	return err;
}

/* Read what is there of the output; keeps the last out_max bytes. 1 at EOF. */
static int drain(struct vh_spawn *s)
{
	char chunk[65536];

	while (s->out_rd >= 0) {
		ssize_t n = read(s->out_rd, chunk, sizeof(chunk));
		char *grown;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (n == 0) {
			close(s->out_rd);
			s->out_rd = -1;
			return 1;
		}
		grown = realloc(s->out, s->out_len + n + 1);
		if (!grown)
			return -ENOMEM;
		s->out = grown;
		memcpy(s->out + s->out_len, chunk, n);
		s->out_len += n;
		if (s->out_len > s->out_max) {
			memmove(s->out, s->out + s->out_len - s->out_max, s->out_max);
			s->out_len = s->out_max;
			s->out_truncated = true;
		}
		s->out[s->out_len] = '\0';
	}
	return 1;
}

/* The keeper has reported (or died): reap it and take the command's status. */
static void finish(struct vh_spawn *s)
{
	struct report rep;
	ssize_t n;
	int st = 0;

	while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
		;
	do
		n = read(s->status_fd, &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(rep)) {
		s->status = rep.status;
		s->timed_out = rep.timed_out;
	} else {
		s->status = st; /* the keeper itself was killed */
	}
	close(s->status_fd);
	s->status_fd = -1;
	/* what is left in the pipe; a writer that escaped the tree is not waited for */
	drain(s);
	if (s->out_rd >= 0)
		close(s->out_rd);
	s->out_rd = -1;
	s->done = true;
}

/* 1 when the keeper has reported or closed its end, 0 if not yet. */
static int keeper_ended(struct vh_spawn *s)
{
	struct pollfd pfd = { .fd = s->status_fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

int vh_spawn__poll(struct vh_spawn *s)
{
	int err;

	if (s->done)
		return 1;
	if (s->pid <= 0)
		return -ECHILD;
	err = drain(s);
	if (err < 0)
		return err;
	if (!keeper_ended(s))
		return 0;
	finish(s);
	return 1;
}

int vh_spawn__wait(struct vh_spawn *s)
{
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = s->status_fd, .events = POLLIN },
			{ .fd = s->out_rd, .events = POLLIN },
		};
		int r = vh_spawn__poll(s);

		if (r)
			return r < 0 ? r : 0;
		/* wakes when the keeper reports or output arrives */
		if (poll(pfd, s->out_rd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			return -errno;
	}
}

int vh_spawn__run(struct vh_spawn *s, const struct vh_spawn_opts *o)
{
	int err = vh_spawn__start(s, o);

	return err ?: vh_spawn__wait(s);
}

void vh_spawn__kill(struct vh_spawn *s)
{
	if (s->pid <= 0 || s->done)
		return;
	/* the keeper kills the group while the command's pid still holds it */
	if (!keeper_ended(s)) {
		double until = vh_now_s() + KEEPER_GRACE_MS / 1000.0;
		struct pollfd pfd = { .fd = s->status_fd, .events = POLLIN };
		int r;

		kill(s->pid, SIGTERM);
		kill(s->pid, SIGCONT); /* a stopped keeper would never answer */
		s->killed = true;
		/* it answers at once; if it cannot, its command dies with it (PDEATHSIG) */
		do
			r = poll(&pfd, 1, 100);
		while (r <= 0 && vh_now_s() < until);
		if (r <= 0)
			kill(s->pid, SIGKILL);
	}
	finish(s);
}

void vh_spawn__free(struct vh_spawn *s)
{
	if (s->pid > 0)
		vh_spawn__kill(s);
	free(s->out);
	s->out = NULL;
	s->out_len = 0;
}

void vh_spawn__describe(const struct vh_spawn *s, char *buf, size_t len)
{
	if (s->timed_out)
		snprintf(buf, len, "timed out after %g s", s->timeout_s);
	else if (WIFSIGNALED(s->status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(s->status),
			 strsignal(WTERMSIG(s->status)));
	else
		snprintf(buf, len, "exited with %d", WEXITSTATUS(s->status));
}
