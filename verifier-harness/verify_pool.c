// SPDX-License-Identifier: BSD-2-Clause
/* verify_pool.c: fork workers, collect their JSON results, keep the given order. */
#include <stdatomic.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "result_json.h"
#include "strfmt.h"
#include "verify_pool.h"

#define EXIT_WORKER_EPERM 3

/*
 * Shared by the workers (an anonymous shared mapping made before the fork): the
 * next program to take, and who took each. Programs are taken one at a time, so
 * one slow program (a complexity limit) does not leave the other workers idle;
 * each worker takes them in increasing order, which owner[] turns back into the
 * given order.
 */
struct board {
	atomic_int next;
	int owner[]; /* worker index, -1 if nobody took it */
};

struct worker {
	pid_t pid;
	int fd;
	char *buf;
	size_t len, cap;
	int status;
	struct vh_result_set set;
};

static int run_serial(const struct vh_prog_ref *progs, int n, const struct vh_verify_opts *opts,
		      struct vh_result_set *out)
{
	int ret = 0;

	for (int i = 0; i < n; i++) {
		int err = vh_object__verify_prog(progs[i].object, progs[i].program, opts, out);

		if (err == -EPERM)
			return err; /* every further load would fail the same way */
		if (err)
			ret = err;
	}
	return ret;
}

/* One error result for a program whose worker did not report it. */
static void add_lost(struct vh_result_set *out, const struct vh_prog_ref *p,
		     const struct vh_verify_opts *opts, const char *why)
{
	struct vh_result *r = vh_result_set__add(out);

	if (!r)
		return;
	r->kernel = strdup(opts->kernel ?: vh_kernel_release());
	r->object = strdup(p->object);
	r->program = strdup(p->program);
	r->verdict = VH_ERROR;
	r->error = strdup(why);
}

static void worker_main(int fd, const struct vh_prog_ref *progs, int n, int self,
			struct board *b, const struct vh_verify_opts *opts)
{
	struct vh_result_set set = { 0 };
	FILE *f = fdopen(fd, "w");
	int k, err = 0;

	while ((k = atomic_fetch_add(&b->next, 1)) < n) {
		size_t before = set.n;

		b->owner[k] = self;
		err = vh_object__verify_prog(progs[k].object, progs[k].program, opts, &set);
		if (err == -EPERM)
			break; /* every further load would fail the same way */
		/* one result per program taken, or the order is lost */
		if (set.n == before)
			add_lost(&set, &progs[k], opts, strerror(-err));
	}
	if (!f || vh_result_set__write_json(f, &set, false) || fclose(f))
		_exit(2);
	_exit(err == -EPERM ? EXIT_WORKER_EPERM : 0);
}

static int read_available(struct worker *w)
{
	if (w->cap - w->len < 65536) {
		size_t cap = w->cap ? w->cap * 2 : 262144;
		char *b = realloc(w->buf, cap);

		if (!b)
			return -ENOMEM;
		w->buf = b;
		w->cap = cap;
	}
	ssize_t r = read(w->fd, w->buf + w->len, w->cap - w->len);

	if (r < 0)
		return errno == EINTR ? 1 : -errno;
	w->len += r;
	return r > 0;
}

int vh_verify_pool__run(const struct vh_prog_ref *progs, int n, const struct vh_verify_opts *opts,
			int jobs, struct vh_result_set *out)
{
	int nw = jobs < n ? jobs : n, ret = 0, open_fds;
	size_t board_size = sizeof(struct board) + n * sizeof(int);
	struct board *b;
	struct worker *w;
	size_t *taken;

	if (nw <= 1)
		return run_serial(progs, n, opts, out);
	b = mmap(NULL, board_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return -errno;
	atomic_init(&b->next, 0);
	for (int k = 0; k < n; k++)
		b->owner[k] = -1;
	w = calloc(nw, sizeof(*w));
	taken = calloc(nw, sizeof(*taken));
	if (!w || !taken) {
		free(w);
		free(taken);
		munmap(b, board_size);
		return -ENOMEM;
	}
	fflush(NULL); /* the children must not write the parent's buffers again */
	for (int i = 0; i < nw; i++) {
		int p[2];

		w[i].fd = -1;
		if (pipe2(p, O_CLOEXEC)) {
			ret = -errno;
			nw = i;
			break;
		}
		w[i].pid = fork();
		if (w[i].pid == 0) {
			for (int j = 0; j < i; j++)
				close(w[j].fd);
			close(p[0]);
			worker_main(p[1], progs, n, i, b, opts);
		}
		close(p[1]);
		if (w[i].pid < 0) {
			ret = -errno;
			close(p[0]);
			nw = i;
			break;
		}
		w[i].fd = p[0];
	}
	/* Drain every pipe together: a full pipe would block its worker. */
	for (open_fds = nw; open_fds > 0;) {
		struct pollfd pfd[nw];

		for (int i = 0; i < nw; i++)
			pfd[i] = (struct pollfd){ .fd = w[i].fd, .events = POLLIN };
		if (poll(pfd, nw, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		for (int i = 0; i < nw; i++) {
			if (w[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			int r = read_available(&w[i]);

			if (r <= 0) {
				close(w[i].fd);
				w[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < nw; i++) {
		char errbuf[256];

		if (w[i].fd >= 0)
			close(w[i].fd);
		while (waitpid(w[i].pid, &w[i].status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(w[i].status) && WEXITSTATUS(w[i].status) == EXIT_WORKER_EPERM)
			ret = -EPERM;
		if (w[i].len && vh_result_set__parse_json(w[i].buf, w[i].len, &w[i].set, errbuf,
							  sizeof(errbuf)))
			vh_result_set__free(&w[i].set);
	}
	/* Back into the given order: each worker's results follow the order it took them. */
	for (int k = 0; nw && k < n; k++) {
		int o = b->owner[k];
		struct worker *wk = o >= 0 && o < nw ? &w[o] : NULL;
		size_t idx = wk ? taken[o]++ : 0;

		if (wk && idx < wk->set.n) {
			vh_result_set__append(out, &wk->set.v[idx]);
		} else if (ret != -EPERM) {
			char *why = !wk ? strdup("no verifier worker took it") :
				    WIFSIGNALED(wk->status) ?
				vh_strfmt("verifier worker killed by signal %d", WTERMSIG(wk->status)) :
				vh_strfmt("verifier worker exited with status %d", WEXITSTATUS(wk->status));

			add_lost(out, &progs[k], opts, why ?: "verifier worker failed");
			free(why);
		}
	}
	for (int i = 0; i < nw; i++) {
		free(w[i].buf);
		vh_result_set__free(&w[i].set);
	}
	free(w);
	free(taken);
	munmap(b, board_size);
	return ret;
}
