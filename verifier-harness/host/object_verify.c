// SPDX-License-Identifier: BSD-2-Clause
/* object_verify.c: load each program of an object alone and record the verdict. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "diag.h"
#include "elf_check.h"
#include "error_class.h"
#include "expect.h"
#include "line_info.h"
#include "loader_crash.h"
#include "object_maps.h"
#include "object_verify.h"
#include "prog_type.h"
#include "strfmt.h"
#include "vmlinux_btf.h"
#include "verifier_log.h"

/* Log levels: 4 asks for statistics only; 1|2 add the instruction trace. */
#define LOG_STATS 4
#define LOG_FULL (1 | 2 | 4)
#define LOG_SIZE_STATS (1u << 20)
#define LOG_SIZE_FULL (16u << 20)
/* The statistics log is grown until it fits (the kernel refuses logs larger
 * than UINT_MAX >> 2). The explaining log is loaded once, in a fixed buffer:
 * for a program that hit the complexity limit it runs to gigabytes, and 6.4+
 * kernels keep its end (the error and the last instructions) anyway. */
#define LOG_SIZE_MAX (1u << 30)
#define TAIL_LINES 12

const char *vh_kernel_release(void)
{
	static struct utsname u;

	if (!u.release[0] && uname(&u))
		return "unknown";
	return u.release;
}

/* "5.10.223-1-amd64" -> 5 * 1000 + 10; garbage -> 0. */
static long kernel_version_code(const char *s)
{
	long major = 0, minor = 0;

	if (!s || sscanf(s, "%ld.%ld", &major, &minor) < 1)
		return 0;
	return major * 1000 + minor;
}

int vh_kernel_version_cmp(const char *a, const char *b)
{
	long x = kernel_version_code(a), y = kernel_version_code(b);

	return x < y ? -1 : x > y;
}

/* ": kernel lockdown is integrity" when lockdown is on, else "". */
static const char *kernel_lockdown_note(void)
{
	static char note[64];
	char buf[128], *sel, *end;
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");

	note[0] = '\0';
	if (!f)
		return note;
	if (fgets(buf, sizeof(buf), f) && (sel = strchr(buf, '[')) && (end = strchr(sel, ']'))) {
		*end = '\0';
		if (strcmp(sel + 1, "none"))
			snprintf(note, sizeof(note), "; kernel lockdown is '%s'", sel + 1);
	}
	fclose(f);
	return note;
}

/* Why path cannot be a BPF object, in one line; 0 if it may be one. */
static int check_object_file(const char *path, char *errbuf, size_t errlen)
{
	unsigned char hdr[EI_NIDENT + 4];
	struct stat st;
	ssize_t n;
	int fd, machine;

	if (stat(path, &st)) {
		snprintf(errbuf, errlen, "%s", strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(errbuf, errlen, "is a directory, not a BPF object");
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(errbuf, errlen, "not a regular file");
		return -EINVAL;
	}
	if (st.st_size == 0) {
		snprintf(errbuf, errlen, "empty file, not a BPF object");
		return -ENOEXEC;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(errbuf, errlen, "%s", strerror(errno));
		return -errno;
	}
	n = read(fd, hdr, sizeof(hdr));
	close(fd);
	if (n < (ssize_t)sizeof(hdr) || memcmp(hdr, ELFMAG, SELFMAG)) {
		snprintf(errbuf, errlen, "not an ELF file, not a BPF object");
		return -ENOEXEC;
	}
	machine = hdr[EI_DATA] == ELFDATA2MSB ? hdr[18] << 8 | hdr[19] : hdr[19] << 8 | hdr[18];
	if (machine != EM_BPF) {
		snprintf(errbuf, errlen, "an ELF file for %s (machine %d), not a BPF object",
			 machine == EM_X86_64 ? "x86-64" : machine == EM_AARCH64 ? "aarch64" :
			 machine == EM_386 ? "i386" : "another architecture", machine);
		return -ENOEXEC;
	}
	return 0;
}

/* The last non-empty line of libbpf's warnings, trimmed. */
static char *last_libbpf_line(const char *msg)
{
	const char *end = msg + strlen(msg), *start;

	while (end > msg && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	start = end;
	while (start > msg && start[-1] != '\n')
		start--;
	if (end - start >= 8 && !memcmp(start, "libbpf: ", 8))
		start += 8;
	return end > start ? strndup(start, end - start) : NULL;
}

/* The first line of libbpf's warnings, trimmed: the cause, before the
 * "failed to load object" lines that follow it. */
static char *first_libbpf_line(const char *msg)
{
	const char *start = msg + strspn(msg, "\n "), *end = strchr(start, '\n');

	if (!end)
		end = start + strlen(start);
	if (end - start >= 8 && !memcmp(start, "libbpf: ", 8))
		start += 8;
	return end > start ? strndup(start, end - start) : NULL;
}

static struct bpf_object *open_object(const char *path, const char *kernel_btf, char *errbuf,
				      size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .btf_custom_path = kernel_btf);
	struct bpf_object *obj;
	char libbpf_msg[512];

	int phase;

	vh_diag__capture(libbpf_msg, sizeof(libbpf_msg));
	phase = vh_loader__enter(VH_IN_LIBBPF_OPEN);
	obj = bpf_object__open_file(path, &oopts);
	vh_loader__enter(phase);
	vh_diag__capture(NULL, 0);
	if (!obj) {
		int err = -errno;
		char *last = last_libbpf_line(libbpf_msg), why[128];

		libbpf_strerror(err, why, sizeof(why));
		snprintf(errbuf, errlen, "malformed BPF object: %s%s%s%s", why, last ? " (" : "",
			 last ?: "", last ? ")" : "");
		free(last);
		errno = -err;
	}
	return obj;
}

int vh_object__list_in_process(const char *path, const struct vh_verify_opts *opts,
			       struct vh_prog_ref **progs, char *errbuf, size_t errlen)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	int err, n = 0, total = 0;

	*progs = NULL;
	err = check_object_file(path, errbuf, errlen);
	if (!err)
		err = vh_elf__check_btf_sections(path, errbuf, errlen);
	if (err)
		return err;
	obj = open_object(path, NULL, errbuf, errlen);
	if (!obj)
		return -errno;
	bpf_object__for_each_program(prog, obj)
		total++;
	if (!total) {
		snprintf(errbuf, errlen, "no BPF programs in object");
		err = -ENOENT;
		goto cleanup;
	}
	*progs = calloc(total, sizeof(**progs));
	if (!*progs) {
		err = -ENOMEM;
		goto cleanup;
	}
	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);

		if (!name || !name[0]) {
			snprintf(errbuf, errlen, "malformed BPF object: a program in section '%s' "
				 "has no name", bpf_program__section_name(prog) ?: "?");
			err = -EINVAL;
			goto cleanup;
		}

		if (opts->filter && fnmatch(opts->filter, name, 0))
			continue;
		(*progs)[n].object = strdup(path);
		(*progs)[n].program = strdup(name);
		if (!(*progs)[n].object || !(*progs)[n].program) {
			n++;
			err = -ENOMEM;
			goto cleanup;
		}
		n++;
	}
	err = n;
cleanup:
	if (err < 0) {
		vh_prog_refs__free(*progs, n);
		*progs = NULL;
		if (err == -ENOMEM)
			snprintf(errbuf, errlen, "out of memory");
	}
	bpf_object__close(obj);
	return err;
}

/*
 * Objects are listed by a child process, the lister, which serves one request
 * after another (a fork per object costs more than the listing itself): the
 * request is the object's path ended by a NUL; the answer is "SIZE\n" and SIZE
 * bytes: "N\n", then for N >= 0 the N program names each ended by a NUL, for
 * N < 0 (-errno) the one-line cause. A lister that dies is started again for
 * the next object. It dies with bpfgate (PR_SET_PDEATHSIG).
 */
static struct {
	pid_t pid;
	int fd;                             /* our end of the socket pair */
	atomic_int *phase;                  /* where it was (loader_crash.h) */
	const struct vh_verify_opts *opts;  /* the options it was started with */
} lister;

static void __attribute__((noreturn)) lister_main(int fd, const struct vh_verify_opts *opts)
{
	FILE *in = fdopen(fd, "r"), *out = fdopen(dup(fd), "w");
	char *path = NULL;
	size_t cap = 0;

	if (!in || !out)
		_exit(2);
	while (getdelim(&path, &cap, '\0', in) > 0) {
		struct vh_prog_ref *progs;
		char errbuf[512] = "", *doc = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&doc, &len);
		int n;

		if (!m)
			_exit(2);
		n = vh_object__list_in_process(path, opts, &progs, errbuf, sizeof(errbuf));
		fprintf(m, "%d\n", n);
		if (n < 0)
			fputs(errbuf, m);
		for (int i = 0; i < n; i++)
			fwrite(progs[i].program, 1, strlen(progs[i].program) + 1, m);
		vh_prog_refs__free(progs, n > 0 ? n : 0);
		if (fclose(m) || fprintf(out, "%zu\n", len) < 0 || fwrite(doc, 1, len, out) != len ||
		    fflush(out))
			_exit(2);
		free(doc);
	}
	free(path);
	_exit(0);
}

/* Whether fd reaches its end (the peer closed it) within ms; what comes before
 * is read and dropped. */
static bool reaches_eof(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	double end = vh_now_s() + ms / 1000.0, left;
	char buf[256];

	while ((left = end - vh_now_s()) > 0) {
		int r = poll(&pfd, 1, (int)(left * 1000) + 1);
		ssize_t n;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return true;
		if (n < 0 && errno != EINTR)
			return false;
	}
	return false;
}

/* When the listing is done (or at exit): the lister sees its socket shut and
 * exits by itself (so that valgrind checks it too), which closes its end; one
 * that does not within a second is killed. */
void vh_object__list_done(void)
{
	int status;

	if (lister.pid <= 0)
		return;
	shutdown(lister.fd, SHUT_WR);
	if (!reaches_eof(lister.fd, 1000))
		kill(lister.pid, SIGKILL);
	close(lister.fd);
	while (waitpid(lister.pid, &status, 0) < 0 && errno == EINTR)
		;
	lister.pid = 0;
}

static int lister_start(const struct vh_verify_opts *opts)
{
	pid_t parent = getpid();
	int sv[2];

	if (!lister.phase) {
		atexit(vh_object__list_done);
		lister.phase = mmap(NULL, sizeof(*lister.phase), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (lister.phase == MAP_FAILED) {
			lister.phase = NULL;
			return -errno;
		}
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	atomic_store(lister.phase, VH_IN_BPFGATE);
	fflush(NULL); /* the child must not write the parent's buffers again */
	lister.pid = fork();
	if (lister.pid == 0) {
		close(sv[0]);
		if (vh_loader__die_with_parent(parent))
			_exit(2);
		vh_loader__track(lister.phase);
		lister_main(sv[1], opts);
	}
	close(sv[1]);
	if (lister.pid < 0) {
		lister.pid = 0;
		close(sv[0]);
		return -errno;
	}
	lister.fd = sv[0];
	lister.opts = opts;
	return 0;
}

/* Collect a lister that closed its end (it crashed), or stop one that sent a
 * broken answer: its wait status. */
static int lister_reap(void)
{
	int status = 0;

	close(lister.fd);
	/* a crashed lister is gone already; one that broke the protocol is not */
	kill(lister.pid, SIGKILL);
	while (lister.pid > 0 && waitpid(lister.pid, &status, 0) < 0 && errno == EINTR)
		;
	lister.pid = 0;
	return status;
}

/* Send one request, read its answer into *buf (payload *len). 0, or -errno. */
static int lister_ask(const char *path, char **buf, size_t *len)
{
	size_t plen = strlen(path) + 1, have = 0, cap = 0, need = 0;
	char *b = NULL, *nl;

	for (size_t off = 0; off < plen;) {
		ssize_t w = send(lister.fd, path + off, plen - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -EPIPE;
		off += w;
	}
	for (;;) {
		ssize_t r;

		if (cap - have < 4096) {
			char *g = realloc(b, cap = cap ? cap * 2 : 16384);

			if (!g) {
				free(b);
				return -ENOMEM;
			}
			b = g;
		}
		r = read(lister.fd, b + have, cap - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(b);
			return -EPIPE;
		}
		have += r;
		nl = memchr(b, '\n', have);
		if (!need && nl) {
			char head[24];

			if (nl - b >= (ptrdiff_t)sizeof(head))
				break;
			snprintf(head, sizeof(head), "%.*s", (int)(nl - b), b);
			if (sscanf(head, "%zu", &need) != 1 || !need)
				break;
			need += nl + 1 - b;
		}
		if (need && have >= need) {
			memmove(b, nl + 1, need - (nl + 1 - b));
			*len = need - (nl + 1 - b);
			*buf = b;
			return 0;
		}
	}
	free(b);
	return -EPROTO;
}

/* Read a lister's answer (buf, len) into *progs; see lister_main. */
static int list_answer(const char *path, char *buf, size_t len, struct vh_prog_ref **progs,
		       char *errbuf, size_t errlen)
{
	char *nl = memchr(buf, '\n', len), *p, *end = buf + len, head[16];
	int n, i = 0;

	/* the buffer holds no NUL after the names: the count is parsed from a copy */
	if (!nl || nl - buf >= (ptrdiff_t)sizeof(head))
		return -EPROTO;
	snprintf(head, sizeof(head), "%.*s", (int)(nl - buf), buf);
	if (sscanf(head, "%d", &n) != 1)
		return -EPROTO;
	p = nl + 1;
	if (n < 0) {
		snprintf(errbuf, errlen, "%.*s", (int)(end - p), p);
		return errbuf[0] ? n : -EPROTO;
	}
	*progs = calloc(n ?: 1, sizeof(**progs));
	if (!*progs)
		return -ENOMEM;
	for (; i < n && p < end; i++) {
		char *z = memchr(p, '\0', end - p);

		if (!z)
			break;
		(*progs)[i].object = strdup(path);
		(*progs)[i].program = strdup(p);
		if (!(*progs)[i].object || !(*progs)[i].program) {
			vh_prog_refs__free(*progs, i + 1);
			*progs = NULL;
			return -ENOMEM;
		}
		p = z + 1;
	}
	if (i < n) {
		vh_prog_refs__free(*progs, i);
		*progs = NULL;
		return -EPROTO;
	}
	return n;
}

/*
 * Opening an object is where libbpf parses its ELF and BTF: a hostile object can
 * crash it there. So objects are opened by the lister, which says where it was
 * when it died (loader_crash.h).
 */
int vh_object__list(const char *path, const struct vh_verify_opts *opts,
		    struct vh_prog_ref **progs, char *errbuf, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int n;

	*progs = NULL;
	if (lister.pid > 0 && lister.opts != opts)
		lister_reap();
	n = lister.pid > 0 ? 0 : lister_start(opts);
	if (n) {
		snprintf(errbuf, errlen, "cannot start the loader: %s", strerror(-n));
		return n;
	}
	n = lister_ask(path, &buf, &len);
	if (n == -EPIPE) {
		int phase = atomic_load(lister.phase), status = lister_reap();
		char *why = vh_loader__crash_msg(status, phase);

		snprintf(errbuf, errlen, "%s", why ?: "the loader crashed on this object");
		free(why);
		return -ECHILD;
	}
	if (!n)
		n = list_answer(path, buf, len, progs, errbuf, errlen);
	if (n == -EPROTO || n == -ENOMEM) {
		snprintf(errbuf, errlen, "%s", n == -ENOMEM ? "out of memory" :
			 "the loader's answer was cut short");
		lister_reap();
	}
	free(buf);
	return n;
}

void vh_prog_refs__free(struct vh_prog_ref *progs, int n)
{
	for (int i = 0; progs && i < n; i++) {
		free(progs[i].object);
		free(progs[i].program);
	}
	free(progs);
}

/* What one load of one program produced. */
struct load_run {
	int err;           /* 0 loaded, -errno rejected */
	char *log;         /* verifier log (malloc'd) */
	char libbpf_msg[1024]; /* libbpf's warnings, for failures without a log */
	char *section;
	char *prog_type;
	char *guess;       /* how the type was guessed, or NULL */
	char *skip;        /* why it cannot be loaded standalone, or NULL */
	long insn_cnt;
	char *note;        /* what was changed for the load (object_maps.h), or NULL */
	char *fault;       /* the load failed before the kernel saw the program: why */
	const char *fault_class; /* and its class (error_class.h) */
	bool before_kernel; /* it failed before the kernel saw it: no log, ever */
	struct vh_expect expect;
	char expect_strs[VH_EXPECT_MAX_MSGS + 3][256]; /* copies: the BTF dies with obj */
};

static void load_run__free(struct load_run *run)
{
	free(run->log);
	free(run->section);
	free(run->prog_type);
	free(run->guess);
	free(run->skip);
	free(run->note);
	free(run->fault);
	memset(run, 0, sizeof(*run));
}

static const char *keep_str(struct load_run *run, int slot, const char *s)
{
	if (!s)
		return NULL;
	snprintf(run->expect_strs[slot], sizeof(run->expect_strs[slot]), "%s", s);
	return run->expect_strs[slot];
}

/* Choose the type of prog; sets run->skip when it cannot be loaded alone. */
static void choose_type(struct bpf_program *prog, const struct btf *btf,
			const struct vh_verify_opts *opts, struct load_run *run)
{
	enum bpf_prog_type type = bpf_program__type(prog);
	enum bpf_attach_type attach = bpf_program__expected_attach_type(prog);
	const char *forced = opts->prog_type ?: run->expect.prog_type, *why;

	if (forced) {
		if (vh_prog_type__from_name(forced, &type, &attach)) {
			run->skip = vh_strfmt("unknown program type '%s'", forced);
			return;
		}
		bpf_program__set_type(prog, type);
		bpf_program__set_expected_attach_type(prog, attach);
	} else if (type == BPF_PROG_TYPE_UNSPEC) {
		if (vh_prog_type__guess(btf, bpf_program__name(prog), &type, &attach, &why)) {
			run->skip = vh_strfmt("SEC(\"%s\") does not name a program type and the context "
				 "argument gives no hint: tag it __prog_type(\"...\") or use --type",
				 bpf_program__section_name(prog));
			return;
		}
		run->guess = vh_strfmt("type %s guessed from its context argument (struct %s *)",
			 libbpf_bpf_prog_type_str(type), why);
		bpf_program__set_type(prog, type);
		bpf_program__set_expected_attach_type(prog, attach);
	}
	if (type == BPF_PROG_TYPE_STRUCT_OPS)
		run->skip = strdup("struct_ops programs load only with their struct_ops map");
	else if (type == BPF_PROG_TYPE_EXT)
		run->skip = strdup("freplace programs need a target program to replace");
}

/*
 * The load failed before the kernel saw the program (libbpf wrote no "BPF
 * program load failed"): a map it could not create, or an object it could not
 * prepare (relocations, sections). libbpf's words that name a missing kernel
 * feature (CO-RE, kfuncs, attach targets: error_class.h) keep their class.
 */
static void find_object_fault(struct bpf_object *obj, struct load_run *run)
{
	const struct vh_error_class *cls;

	vh_object_maps__create_failure(obj, run->libbpf_msg, &run->fault, &run->fault_class);
	if (run->fault_class)
		return;
	cls = vh_error__classify(run->libbpf_msg, run->err);
	if (strcmp(cls->name, "unsupported_prog_type") && strcmp(cls->name, "other"))
		return;
	run->fault_class = "object_invalid";
	run->fault = first_libbpf_line(run->libbpf_msg);
	if (!run->fault)
		run->fault = vh_strfmt("libbpf could not prepare the program: %s",
				       strerror(-run->err));
}

/*
 * The log buffer of this process, used by every load: made zeroed once, and
 * after a load only the part the kernel wrote is cleared again (1 MiB cleared
 * per load cost more than small programs take to verify). It must start empty:
 * a load the kernel never saw leaves it as it was, and tools such as valgrind
 * cannot see the kernel write it.
 */
static struct {
	char *buf;
	size_t size;
} log_buf;

/* A log this long is handed over with the buffer rather than copied out of
 * it: a copy of a failure's log (up to 16 MiB) would double the memory the
 * log takes at its peak. */
#define LOG_HAND_OVER (64u << 10)

static char *log_buf_get(size_t size)
{
	if (log_buf.size < size) {
		free(log_buf.buf);
		log_buf.buf = calloc(1, size);
		log_buf.size = log_buf.buf ? size : 0;
	}
	return log_buf.buf;
}

/* What the last load wrote in the first size bytes; the buffer left empty. */
static char *log_buf_take(size_t size)
{
	size_t len = strnlen(log_buf.buf, size);
	char *log;

	if (len >= LOG_HAND_OVER && len < size) {
		/* the buffer becomes the log (its untouched end given back), and
		 * the next load gets a new one */
		log = log_buf.buf;
		log_buf.buf = NULL;
		log_buf.size = 0;
		return realloc(log, len + 1) ?: log;
	}
	log = malloc(len + 1);
	if (log) {
		memcpy(log, log_buf.buf, len);
		log[len] = '\0';
	}
	memset(log_buf.buf, 0, len < size ? len + 1 : size);
	return log;
}

/*
 * Open path, keep only prog_name for loading, load with log level `level` into
 * a buffer of `size` bytes. -ENOSPC in run->err means the log did not fit.
 */
static int load_once(const char *path, const char *prog_name, const struct vh_verify_opts *opts,
		     __u32 level, size_t size, struct load_run *run)
{
	struct bpf_object *obj;
	struct bpf_program *prog, *p;
	char errbuf[256];
	int err = 0, phase;

	obj = open_object(path, opts->core_btf ? vh_core_btf__path_for(opts->core_btf, path) :
						 opts->kernel_btf,
			  errbuf, sizeof(errbuf));
	if (!obj)
		return -errno;
	prog = bpf_object__find_program_by_name(obj, prog_name);
	if (!prog) {
		err = -ENOENT;
		goto cleanup;
	}
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	free(run->note);
	run->note = vh_object_maps__fixup(obj);

	free(run->section);
	run->section = strdup(bpf_program__section_name(prog));
	vh_expect__read(bpf_object__btf(obj), prog_name, &run->expect);
	for (int i = 0; i < run->expect.nmsgs; i++)
		run->expect.msgs[i] = keep_str(run, i, run->expect.msgs[i]);
	run->expect.min_kernel = keep_str(run, VH_EXPECT_MAX_MSGS, run->expect.min_kernel);
	run->expect.min_kernel_reason =
		keep_str(run, VH_EXPECT_MAX_MSGS + 1, run->expect.min_kernel_reason);
	run->expect.prog_type = keep_str(run, VH_EXPECT_MAX_MSGS + 2, run->expect.prog_type);

	free(run->guess);
	free(run->skip);
	run->guess = run->skip = NULL;
	choose_type(prog, bpf_object__btf(obj), opts, run);
	free(run->prog_type);
	run->prog_type = strdup(libbpf_bpf_prog_type_str(bpf_program__type(prog)) ?: "unspec");
	if (run->skip)
		goto cleanup;

	free(run->log);
	run->log = NULL;
	if (!log_buf_get(size)) {
		err = -ENOMEM;
		goto cleanup;
	}
	bpf_program__set_log_buf(prog, log_buf.buf, size);
	bpf_program__set_log_level(prog, level);
	vh_object_maps__reuse(obj, path);
	vh_diag__capture(run->libbpf_msg, sizeof(run->libbpf_msg));
	vh_vmlinux_btf__prepare(obj, opts->core_btf ? vh_core_btf__needs_whole_kernel(opts->core_btf)
						    : !opts->kernel_btf);
	phase = vh_loader__enter(VH_IN_LIBBPF_LOAD);
	run->err = bpf_object__load(obj);
	vh_loader__enter(phase);
	vh_diag__capture(NULL, 0);
	run->log = log_buf_take(size);
	if (!run->log) {
		err = -ENOMEM;
		goto cleanup;
	}
	run->insn_cnt = bpf_program__insn_cnt(prog);
	free(run->fault);
	run->fault = NULL;
	run->fault_class = NULL;
	run->before_kernel = run->err && !run->log[0] &&
			     !strstr(run->libbpf_msg, "BPF program load failed");
	if (run->before_kernel)
		find_object_fault(obj, run);
	if (!run->err)
		vh_object_maps__keep(obj, path);
cleanup:
	bpf_object__close(obj);
	vh_vmlinux_btf__done();
	return err;
}

/* Load with growing log buffers until the whole log fits. */
static int load_prog(const char *path, const char *prog_name, const struct vh_verify_opts *opts,
		     __u32 level, struct load_run *run)
{
	size_t size = level == LOG_STATS ? LOG_SIZE_STATS : LOG_SIZE_FULL;
	size_t max = level == LOG_STATS ? LOG_SIZE_MAX : LOG_SIZE_FULL;
	int err;

	for (;;) {
		err = load_once(path, prog_name, opts, level, size, run);
		if (err || run->skip || run->err != -ENOSPC || size >= max)
			return err;
		size *= 4;
	}
}

static void explain_failure(const char *path, const struct vh_verify_opts *opts,
			    const struct load_run *stats_run, const struct load_run *full,
			    struct vh_result *r)
{
	/* A cut explaining log is used only if it kept its end (6.4+ keep the
	 * end of a log that does not fit; older kernels keep the start). */
	bool full_ok = full->log && full->log[0] &&
		       (full->err != -ENOSPC || strstr(full->log, "\nprocessed ") ||
			strstr(full->log, "BPF program is too large"));
	const char *log = full_ok ? full->log : stats_run->log;
	const struct vh_error_class *cls;
	char *text = NULL, *file_line = NULL;

	r->error = log ? vh_log__error_line(log) : NULL;
	if (!r->error)
		r->error = last_libbpf_line(stats_run->libbpf_msg);
	if (!r->error)
		r->error = vh_strfmt("load failed: %s", strerror(-stats_run->err));

	cls = vh_error__classify(log && log[0] ? log : stats_run->libbpf_msg, stats_run->err);
	if (cls) {
		r->error_class = strdup(cls->name);
		r->error_kind = strdup(cls->kind);
	}
	if (log && !vh_log__source_hint(log, &text, &file_line)) {
		if (!file_line) {
			char *t2 = NULL;

			if (!vh_line_info__locate(path, r->section, r->program, text, &file_line, &t2)) {
				free(text);
				text = t2;
			}
		}
		r->source = file_line;
		r->source_text = text;
	}
	if (log)
		r->log_tail = vh_log__tail(log, TAIL_LINES);
	/* the log shown did not fit its buffer: say so wherever it is printed */
	r->log_truncated = log && (log == full->log ? full->err : stats_run->err) == -ENOSPC;
	if (opts->keep_log && log)
		r->log = strdup(log);
}

static bool hit_complexity_limit(const struct vh_stats *st, const char *log)
{
	if (st->insns_limit > 0 && st->insns_processed >= st->insns_limit)
		return true;
	return log && (strstr(log, "BPF program is too large") ||
		       strstr(log, "The sequence of") /* "... jumps is too complex" */);
}

/* Apply the program's own expectations (__failure, __msg, __min_kernel). */
static void apply_expectations(const struct vh_expect *e, const char *full_log,
			       struct vh_result *r)
{
	bool failed = r->verdict == VH_FAIL;

	if (e->must_fail) {
		r->expect = strdup("fail");
		if (!failed) {
			r->verdict = VH_FAIL;
			r->error = strdup("the verifier accepted a program tagged __failure");
			r->error_class = strdup("expectation");
			r->error_kind = strdup("program has a bug");
			return;
		}
		for (int i = 0; i < e->nmsgs; i++) {
			if (full_log && strstr(full_log, e->msgs[i]))
				continue;
			free(r->reason);
			r->reason = vh_strfmt("expected message not in the verifier log: '%s'",
				 e->msgs[i]);
			/* keep the real error line; say what was expected */
			free(r->error_class);
			r->error_class = strdup("expectation");
			free(r->error_kind);
			r->error_kind = strdup("program has a bug");
			return;
		}
		r->verdict = VH_PASS; /* rejected, as it must be */
		return;
	}
	if (e->min_kernel && vh_kernel_version_cmp(r->kernel, e->min_kernel) < 0) {
		if (failed) {
			r->verdict = VH_SKIP;
			r->reason = vh_strfmt("needs >= %s%s%s", e->min_kernel,
				 e->min_kernel_reason ? ": " : "", e->min_kernel_reason ?: "");
		} else {
			r->reason = vh_strfmt("passes on %s, older than its __min_kernel(\"%s\"): "
				 "the tag can be lowered", r->kernel, e->min_kernel);
		}
	}
}

int vh_object__verify_prog(const char *path, const char *prog,
			   const struct vh_verify_opts *opts, struct vh_result_set *out)
{
	struct load_run stats_run = { 0 }, full = { 0 };
	struct vh_result *r = vh_result_set__add(out);
	int err;

	if (!r)
		return -ENOMEM;
	r->kernel = strdup(opts->kernel ?: vh_kernel_release());
	r->object = strdup(path);
	r->program = strdup(prog);

	err = load_prog(path, prog, opts, LOG_STATS, &stats_run);
	r->section = stats_run.section ? strdup(stats_run.section) : NULL;
	r->prog_type = stats_run.prog_type ? strdup(stats_run.prog_type) : NULL;
	if (err) {
		r->verdict = VH_ERROR;
		r->error = vh_strfmt("cannot open object again: %s", strerror(-err));
		goto cleanup;
	}
	if (stats_run.skip) {
		r->verdict = VH_SKIP;
		r->reason = strdup(stats_run.skip);
		goto cleanup;
	}
	if (stats_run.log)
		vh_log__parse_stats(stats_run.log, &r->stats);
	if (stats_run.insn_cnt > 0)
		r->stats.prog_insns = stats_run.insn_cnt;
	if (stats_run.guess)
		r->reason = strdup(stats_run.guess);
	if (stats_run.note)
		r->note = strdup(stats_run.note);
	if (stats_run.fault_class) {
		/* the object is at fault, not the verifier: one load says it all */
		const struct vh_error_class *cls = vh_error__by_name(stats_run.fault_class);

		r->verdict = VH_ERROR;
		r->error = strdup(stats_run.fault);
		r->error_class = strdup(stats_run.fault_class);
		r->error_kind = cls ? strdup(cls->kind) : NULL;
		goto cleanup;
	}

	if (stats_run.err == -EPERM && !(stats_run.log && stats_run.log[0])) {
		/* Privilege was checked up front: the kernel refused the program
		 * before its verifier ran (lockdown, an LSM), so there is no verdict. */
		r->verdict = VH_SKIP;
		free(r->reason);
		r->reason = vh_strfmt("the kernel refused to load it before verification "
				      "(EPERM, no verifier log%s)", kernel_lockdown_note());
	} else if (!stats_run.err) {
		r->verdict = VH_PASS;
	} else {
		r->verdict = VH_FAIL;
		/* Once more with the instruction trace, to explain the rejection;
		 * not for the complexity limit, where tracing a million
		 * instructions takes the kernel tens of seconds (-v still does),
		 * nor when the kernel never saw the program (libbpf refused it:
		 * a CO-RE relocation, a kfunc, an attach target), which no log
		 * level changes. */
		if (!stats_run.before_kernel &&
		    (opts->keep_log || !hit_complexity_limit(&r->stats, stats_run.log)) &&
		    load_prog(path, prog, opts, LOG_FULL, &full))
			load_run__free(&full);
		explain_failure(path, opts, &stats_run, &full, r);
	}
	apply_expectations(&stats_run.expect, full.log ?: stats_run.log, r);
cleanup:
	load_run__free(&stats_run);
	load_run__free(&full);
	return err;
}
