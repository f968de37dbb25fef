// SPDX-License-Identifier: BSD-2-Clause
/*
 * verify_pool.c: verify programs in worker processes, start a new worker after one
 * crashed, and give the results back in the order the programs were given.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error_class.h"
#include "loader_crash.h"
#include "result_json.h"
#include "strfmt.h"
#include "verify_pool.h"

#define EXIT_WORKER_EPERM 3
/* Another worker costs a fork and libbpf's feature probes (about a millisecond
 * together), and makes again the maps of the objects it loads. So one more is
 * started at once when each worker would still have SPAWN_PROGS programs to
 * take; later, when the programs not yet taken would keep each running worker
 * busy for longer than SPAWN_WORK_S (at the mean time per program so far), or
 * when no program has finished for that long (one slow program: the others
 * wait). */
#define SPAWN_PROGS 4
#define SPAWN_WORK_S 0.25
#define TICK_MS 50

/*
 * Shared by the parent and the workers (an anonymous shared mapping made before
 * the first fork): the next program to take, and for each worker slot the
 * program it is verifying and where in the loader it is, which is what the
 * parent reports when the worker dies there. Programs are taken one at a time,
 * so one slow program (a complexity limit) does not leave the others idle.
 */
struct slot_state {
	atomic_int current; /* program being verified, -1 between programs */
	atomic_int phase;   /* enum vh_loader_phase */
};

struct board {
	atomic_int next;
	struct slot_state slot[];
};

struct worker {
	pid_t pid; /* 0: no worker in this slot */
	int fd;
	char *buf;
	size_t len, cap;
};

struct pool {
	const struct vh_prog_ref *progs;
	int n, nw;
	const struct vh_verify_opts *opts;
	struct board *b;
	struct worker *w;
	struct vh_result_set *res; /* res[k]: the results of program k */
	char **crash;              /* crash[k]: why program k has no result */
	pid_t parent;
	int spawns_left;           /* a worker that dies on every start must not loop */
	bool eperm;
	struct vh_progress *progress;
	int done;                  /* programs with a result */
	double t0, last_result;    /* start, last result (seconds, monotonic) */
};

/* One error result for a program whose worker did not report it. */
static void add_lost(struct vh_result_set *out, const struct vh_prog_ref *p,
		     const struct vh_verify_opts *opts, const char *why, bool crashed)
{
	struct vh_result *r = vh_result_set__add(out);

	if (!r)
		return;
	r->kernel = strdup(opts->kernel ?: vh_kernel_release());
	r->object = strdup(p->object);
	r->program = strdup(p->program);
	r->verdict = VH_ERROR;
	r->error = strdup(why);
	if (crashed) {
		const struct vh_error_class *cls = vh_error__by_name("loader_crash");

		r->error_class = strdup(cls->name);
		r->error_kind = strdup(cls->kind);
	}
}

/* A result on the pipe: "K LEN\n" and LEN bytes of a JSON result document. */
static int write_frame(FILE *f, int k, const struct vh_result_set *one)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&doc, &len);
	int err;

	if (!m)
		return -ENOMEM;
	err = vh_result_set__write_json(m, one, false);
	if (fclose(m) || err) {
		free(doc);
		return -EIO;
	}
	err = fprintf(f, "%d %zu\n", k, len) < 0 || fwrite(doc, 1, len, f) != len || fflush(f);
	free(doc);
	return err ? -EIO : 0;
}

static void __attribute__((noreturn)) worker_main(struct pool *p, int slot, int fd)
{
	struct slot_state *s = &p->b->slot[slot];
	FILE *f = fdopen(fd, "w");
	int k, err = 0;

	if (!f || vh_loader__die_with_parent(p->parent))
		_exit(2);
	vh_loader__track(&s->phase);
	while ((k = atomic_fetch_add(&p->b->next, 1)) < p->n) {
		struct vh_result_set one = { 0 };

		atomic_store(&s->current, k);
		err = vh_object__verify_prog(p->progs[k].object, p->progs[k].program, p->opts,
					     &one);
		if (err == -EPERM) {
			vh_result_set__free(&one);
			break; /* every further load would fail the same way */
		}
		/* one result per program taken, or the order is lost */
		if (!one.n)
			add_lost(&one, &p->progs[k], p->opts, strerror(-err), false);
		if (write_frame(f, k, &one))
			_exit(2);
		vh_result_set__free(&one);
		atomic_store(&s->current, -1);
	}
	if (fclose(f))
		_exit(2);
	_exit(err == -EPERM ? EXIT_WORKER_EPERM : 0);
}

static int spawn(struct pool *p, int i)
{
	struct worker *w = &p->w[i];
	int fds[2];
	pid_t pid;

	if (p->spawns_left-- <= 0)
		return -EAGAIN;
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	atomic_store(&p->b->slot[i].current, -1);
	fflush(NULL); /* the child must not write the parent's buffers again */
	pid = fork();
	if (pid == 0) {
		for (int j = 0; j < p->nw; j++)
			if (p->w[j].pid > 0)
				close(p->w[j].fd);
		close(fds[0]);
		worker_main(p, i, fds[1]);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -errno;
	}
	w->pid = pid;
	w->fd = fds[0];
	w->len = 0;
	return 0;
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

/* The complete frames a worker sent; a frame cut by its death is dropped. */
static void take_frames(struct pool *p, struct worker *w)
{
	char errbuf[256];
	size_t off = 0;

	while (off < w->len) {
		char *nl = memchr(w->buf + off, '\n', w->len - off), head[48];
		size_t len;
		int k;

		/* the buffer holds no NUL: the header is parsed from a copy */
		if (!nl || nl - (w->buf + off) >= (ptrdiff_t)sizeof(head))
			break;
		snprintf(head, sizeof(head), "%.*s", (int)(nl - (w->buf + off)), w->buf + off);
		if (sscanf(head, "%d %zu", &k, &len) != 2 || k < 0 || k >= p->n ||
		    len > w->len - (nl + 1 - w->buf))
			break;
		off = nl + 1 - w->buf;
		if (!p->res[k].n &&
		    vh_result_set__parse_json(w->buf + off, len, &p->res[k], errbuf, sizeof(errbuf)))
			vh_result_set__free(&p->res[k]);
		off += len;
		p->done++;
		p->last_result = vh_now_s();
	}
	/* a frame is read once: what follows it is the next one */
	memmove(w->buf, w->buf + off, w->len - off);
	w->len -= off;
}

/* The program most recently taken, for the progress line. */
static const char *current_object(const struct pool *p)
{
	int next = atomic_load(&p->b->next);

	return next > 0 ? p->progs[(next <= p->n ? next : p->n) - 1].object : NULL;
}

/* The last minute's load average is at least the number of CPUs. */
static bool machine_busy(void)
{
	double load[1];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return getloadavg(load, 1) == 1 && cpus > 0 && load[0] >= cpus;
}

/* Start one more worker when the work left is worth it (SPAWN_WORK_S). */
static int spawn_more(struct pool *p, int *live)
{
	int untaken = p->n - atomic_load(&p->b->next);
	double t = vh_now_s(), per_prog = p->done ? (t - p->t0) * *live / p->done : 0;

	if (untaken <= 0 || *live >= p->nw)
		return 0;
	if (untaken < SPAWN_PROGS * (*live + 1) &&
	    untaken * per_prog / *live < SPAWN_WORK_S && t - p->last_result < SPAWN_WORK_S)
		return 0;
	/* with the default --jobs, not on a machine whose CPUs are all busy:
	 * another worker would only compete with this one */
	if (p->opts->jobs_auto && machine_busy())
		return 0;
	for (int i = 0; i < p->nw; i++) {
		if (p->w[i].pid > 0)
			continue;
		if (spawn(p, i))
			return -EAGAIN;
		(*live)++;
		return 0;
	}
	return 0;
}

/* Worker i closed its pipe: collect it, and start another if programs remain. */
static int reap(struct pool *p, int i)
{
	struct worker *w = &p->w[i];
	int status = 0, k;

	close(w->fd);
	w->fd = -1;
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
	take_frames(p, w);
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_WORKER_EPERM)
		p->eperm = true;
	k = atomic_load(&p->b->slot[i].current);
	if (k >= 0 && k < p->n && !p->res[k].n && !p->eperm && !p->crash[k])
		p->crash[k] = vh_loader__crash_msg(status, atomic_load(&p->b->slot[i].phase));
	if (p->eperm || atomic_load(&p->b->next) >= p->n)
		return 0;
	return spawn(p, i);
}

static int run_pool(struct pool *p)
{
	int ret, live, ready;

	p->t0 = p->last_result = vh_now_s();
	ret = spawn(p, 0);
	live = !ret;

	/* Drain every pipe together: a full pipe would block its worker. */
	while (live > 0) {
		struct pollfd pfd[p->nw];
		bool more;

		if (spawn_more(p, &live))
			break;
		more = live < p->nw && atomic_load(&p->b->next) < p->n;
		for (int i = 0; i < p->nw; i++)
			pfd[i] = (struct pollfd){ .fd = p->w[i].pid > 0 ? p->w[i].fd : -1,
						  .events = POLLIN };
		ready = poll(pfd, p->nw, more || p->progress ? TICK_MS : -1);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (p->progress)
			vh_progress__update(p->progress, p->done, current_object(p));
		for (int i = 0; i < p->nw; i++) {
			if (p->w[i].pid <= 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (read_available(&p->w[i]) > 0) {
				take_frames(p, &p->w[i]);
				continue;
			}
			live--;
			if (reap(p, i) == 0 && p->w[i].pid > 0)
				live++;
		}
	}
	/* after an error above: stop the workers still running */
	p->spawns_left = 0;
	for (int i = 0; i < p->nw; i++) {
		if (p->w[i].pid <= 0)
			continue;
		kill(p->w[i].pid, SIGKILL);
		reap(p, i);
	}
	return ret;
}

int vh_verify_pool__run(const struct vh_prog_ref *progs, int n, const struct vh_verify_opts *opts,
			int jobs, struct vh_progress *progress, struct vh_result_set *out)
{
	struct pool p = {
		.progs = progs,
		.n = n,
		.nw = jobs < n ? jobs : n,
		.opts = opts,
		.parent = getpid(),
		.progress = progress,
	};
	size_t board_size;
	int ret;

	if (n <= 0)
		return 0;
	if (p.nw < 1)
		p.nw = 1;
	p.spawns_left = p.nw + n;
	board_size = sizeof(struct board) + p.nw * sizeof(struct slot_state);
	p.b = mmap(NULL, board_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p.b == MAP_FAILED)
		return -errno;
	atomic_init(&p.b->next, 0);
	p.w = calloc(p.nw, sizeof(*p.w));
	p.res = calloc(n, sizeof(*p.res));
	p.crash = calloc(n, sizeof(*p.crash));
	ret = p.w && p.res && p.crash ? run_pool(&p) : -ENOMEM;
	for (int k = 0; ret != -ENOMEM && k < n; k++) {
		for (size_t j = 0; j < p.res[k].n; j++)
			vh_result_set__append(out, &p.res[k].v[j]);
		if (!p.res[k].n && !p.eperm)
			add_lost(out, &progs[k], opts, p.crash[k] ?: "no verifier worker took it",
				 p.crash[k] != NULL);
	}
	for (int k = 0; p.res && p.crash && k < n; k++) {
		vh_result_set__free(&p.res[k]);
		free(p.crash[k]);
	}
	for (int i = 0; p.w && i < p.nw; i++)
		free(p.w[i].buf);
	free(p.res);
	free(p.crash);
	free(p.w);
	munmap(p.b, board_size);
	return p.eperm ? -EPERM : ret;
}
