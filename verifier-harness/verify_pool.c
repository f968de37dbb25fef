// SPDX-License-Identifier: BSD-2-Clause
/* verify_pool.c: fork workers, collect their JSON results, keep the given order. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "result_json.h"
#include "strfmt.h"
#include "verify_pool.h"

#define EXIT_WORKER_EPERM 3

struct worker {
	pid_t pid;
	int fd;
	char *buf;
	size_t len, cap;
	int status;
	struct vh_result_set set;
};

static int run_serial(const struct vh_prog_ref *progs, int n, int first, int step,
		      const struct vh_verify_opts *opts, struct vh_result_set *out)
{
	int ret = 0;

	for (int i = first; i < n; i += step) {
		int err = vh_object__verify_prog(progs[i].object, progs[i].program, opts, out);

		if (err == -EPERM)
			return err; /* every further load would fail the same way */
		if (err)
			ret = err;
	}
	return ret;
}

static void worker_main(int fd, const struct vh_prog_ref *progs, int n, int first, int step,
			const struct vh_verify_opts *opts)
{
	struct vh_result_set set = { 0 };
	FILE *f = fdopen(fd, "w");
	int err = run_serial(progs, n, first, step, opts, &set);

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

int vh_verify_pool__run(const struct vh_prog_ref *progs, int n, const struct vh_verify_opts *opts,
			int jobs, struct vh_result_set *out)
{
	int nw = jobs < n ? jobs : n, ret = 0, open_fds;
	struct worker *w;

	if (nw <= 1)
		return run_serial(progs, n, 0, 1, opts, out);
	w = calloc(nw, sizeof(*w));
	if (!w)
		return -ENOMEM;
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
			worker_main(p[1], progs, n, i, nw, opts);
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
	/* Back into the given order: program k went to worker k % nw as its (k / nw)-th. */
	for (int k = 0; nw && k < n; k++) {
		struct worker *wk = &w[k % nw];
		size_t idx = k / nw;

		if (idx < wk->set.n) {
			vh_result_set__append(out, &wk->set.v[idx]);
		} else if (ret != -EPERM) {
			char *why = WIFSIGNALED(wk->status) ?
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
	return ret;
}
