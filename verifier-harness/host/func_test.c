// SPDX-License-Identifier: BSD-2-Clause
/* func_test.c: run one functional test executable with a deadline and judge its output. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "func_test.h"
#include "spawn.h"

/* Output kept per test: its end, where Check prints failures and the summary. */
#define MAX_OUTPUT (8UL << 20)

/* In the child: a network namespace of its own, with loopback up as on any host. */
static void enter_fresh_netns(void)
{
	struct ifreq ifr = { 0 };
	int fd;

	if (unshare(CLONE_NEWNET))
		return; /* not privileged: the test decides what that means */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	strcpy(ifr.ifr_name, "lo");
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Line [start, end) of text, with a trailing \r dropped, as a new string. */
static char *dup_line(const char *start, const char *end)
{
	if (end > start && end[-1] == '\r')
		end--;
	return strndup(start, end - start);
}

/* "file.c:123:F:" or "file.c:123:E:": a Check failure or error line */
static bool is_check_failure(const char *p, const char *end)
{
	const char *colon = memchr(p, ':', end - p);
	const char *d;

	if (!colon || colon == p)
		return false;
	for (const char *q = p; q < colon; q++)
		if (*q == ' ' || *q == '\t')
			return false;
	d = colon + 1;
	while (d < end && *d >= '0' && *d <= '9')
		d++;
	return d > colon + 1 && end - d >= 3 && d[0] == ':' && (d[1] == 'F' || d[1] == 'E') &&
	       d[2] == ':';
}

static char *first_failure_line(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p) ?: end;

		if (is_check_failure(p, nl))
			return dup_line(p, nl);
		p = nl + 1;
	}
	return NULL;
}

/* The last non-empty line, NULL when there is none (errno 0) or no memory. */
static char *last_line(const char *text, size_t len)
{
	const char *end = text + len, *start;

	errno = 0;
	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	if (end == text)
		return NULL;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	return dup_line(start, end);
}

/* The last n lines. */
static char *tail_lines(const char *text, size_t len, int n)
{
	const char *end = text + len, *p;
	int lines = 0;

	while (end > text && end[-1] == '\n')
		end--;
	p = end;
	while (p > text) {
		if (p[-1] == '\n' && ++lines == n)
			break;
		p--;
	}
	return strndup(p, end - p);
}

int vh_func_test__judge(struct vh_result *r, int status, bool timed_out, int timeout_s,
			const char *text, size_t len)
{
	char *line;

	if (!timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		r->verdict = VH_PASS;
		return 0;
	}
	if (!timed_out && WIFEXITED(status) && WEXITSTATUS(status) == VH_FUNC_TEST_SKIP) {
		r->verdict = VH_SKIP;
		line = last_line(text, len);
		if (!line && errno)
			return -ENOMEM;
		if (!line && asprintf(&line, "exited with %d (skip) and printed no reason",
				      VH_FUNC_TEST_SKIP) < 0)
			return -ENOMEM;
		r->reason = line;
		return 0;
	}
	r->verdict = VH_FAIL;
	r->log_tail = len ? tail_lines(text, len, VH_FUNC_TEST_TAIL_LINES) : NULL;
	if (len && !r->log_tail)
		return -ENOMEM;
	if (timed_out) {
		/* what it printed last may be anything; the deadline is the cause */
		return asprintf(&r->error, "timed out after %d s", timeout_s) < 0 ? -ENOMEM : 0;
	}
	if (WIFSIGNALED(status))
		return asprintf(&r->error, "killed by signal %d (%s)", WTERMSIG(status),
				strsignal(WTERMSIG(status))) < 0 ? -ENOMEM : 0;
	line = first_failure_line(text, len);
	if (!line)
		line = last_line(text, len);
	if (!line && errno)
		return -ENOMEM;
	if (!line && asprintf(&line, "exited with %d", WEXITSTATUS(status)) < 0)
		return -ENOMEM;
	r->error = line;
	return 0;
}

static void in_fresh_netns(void *unused)
{
	(void)unused;
	enter_fresh_netns();
}

int vh_func_test__run(const char *exe, const struct vh_func_test_opts *opts,
		      struct vh_result_set *out)
{
	int timeout_s = opts->timeout_s > 0 ? opts->timeout_s : VH_FUNC_TEST_DEFAULT_TIMEOUT;
	char *argv[] = { (char *)exe, NULL };
	struct vh_spawn_opts so = {
		.argv = argv,
		.out = VH_SPAWN_OUT_BUFFER,
		.out_max = MAX_OUTPUT,
		.timeout_s = timeout_s,
		.child_setup = opts->same_netns ? NULL : in_fresh_netns,
	};
	struct vh_spawn sp;
	struct vh_result *r;
	int err;

	/* a path without a slash is the file here, as exec(3) would not search PATH */
	if (!strchr(exe, '/') && asprintf(&argv[0], "./%s", exe) < 0)
		return -ENOMEM;
	err = vh_spawn__run(&sp, &so);
	if (argv[0] != exe)
		free(argv[0]);
	if (err)
		return err;
	r = vh_result_set__add(out);
	if (!r) {
		err = -ENOMEM;
		goto cleanup;
	}
	r->kernel = opts->kernel ? strdup(opts->kernel) : NULL;
	r->object = strdup(exe);
	r->program = strdup(base_name(exe));
	r->kind = VH_KIND_TEST;
	r->section = strdup(VH_TEST_SECTION);
	r->prog_type = strdup(VH_TEST_PROG_TYPE);
	err = vh_func_test__judge(r, sp.status, sp.timed_out, timeout_s, sp.out, sp.out_len);
	if (!err && (!r->object || !r->program || !r->section || !r->prog_type ||
		     (opts->kernel && !r->kernel)))
		err = -ENOMEM;
	if (err) {
		vh_result__free(r);
		out->n--;
	}
cleanup:
	vh_spawn__free(&sp);
	return err;
}

int vh_func_test__is_dynamic(const char *path)
{
	Elf64_Ehdr eh;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr))
		goto cleanup; /* not a 64-bit ELF: a script, say; exec decides */
	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + (off_t)i * sizeof(ph)) != sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP) {
			ret = 1;
			break;
		}
	}
cleanup:
	close(fd);
	return ret;
}
