// SPDX-License-Identifier: BSD-2-Clause
/*
 * btf_custom_load.c: does a minimal CO-RE BTF (bpftool gen min_core_btf) load the
 * programs exactly like the kernel's full BTF? Every program of every object is loaded
 * alone twice, with libbpf's CO-RE relocations resolved against the running kernel's
 * BTF and against the minimal BTF (btf_custom_path), at verifier log level 4: the
 * outcome and the verifier's statistics must be the same.
 *
 *   btf_custom_load MIN_BTF OBJ...   files
 *   btf_custom_load                  what the binary carries (btf_custom_blobs, linked
 *                                    in by tests/vm/test_skeleton_matrix.sh): the objects
 *                                    and one minimal BTF per kernel release, of which
 *                                    it picks the running kernel's, as a loader shipped
 *                                    with minimal BTFs would; then, as a control, the
 *                                    kernel's "btf-other" (made for other objects) when
 *                                    carried, which must differ
 *
 * One line per program; exit 0 all the same, 1 a difference, 2 usage or input error,
 * 77 no minimal BTF for the running kernel (the reason on the last line).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

/* A file the binary carries: kind "obj" (name: the object's) or "btf" (name: a release). */
struct blob {
	const char *kind, *name;
	const unsigned char *start, *end;
};
/* defined by btf_custom_blobs.S when it is linked in, else 0 (undefined weak symbols) */
extern const struct blob btf_custom_blobs[] __attribute__((weak));
extern const unsigned long btf_custom_nblobs __attribute__((weak));

static unsigned long nblobs(void)
{
	return &btf_custom_nblobs ? btf_custom_nblobs : 0;
}

/* One load of one program: its outcome and the verifier's statistics lines. */
struct outcome {
	int err;		/* 0 or -errno */
	char stats[256];	/* "processed N insns (limit ...) ... peak_states N mark_read N" */
	char stack[128];	/* "stack depth N" */
};

static char log_buf[1 << 20];

/* The log line starting with prefix (up to its newline) into out, "" when none. */
static void log_line(const char *prefix, char *out, size_t size)
{
	const char *p = strstr(log_buf, prefix);
	size_t n = 0;

	if (p)
		n = strcspn(p, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(out, p ? p : "", n);
	out[n] = '\0';
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* Load program index idx of the object alone; btf: btf_custom_path or NULL. */
static int load_one(const void *obj, size_t size, const char *name, int idx, const char *btf,
		    struct outcome *o)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name, .btf_custom_path = btf);
	struct bpf_object *bo = bpf_object__open_mem(obj, size, &opts);
	struct bpf_program *prog, *mine = NULL;
	int i = 0;

	if (!bo)
		return -errno;
	bpf_object__for_each_program(prog, bo) {
		bpf_program__set_autoload(prog, i == idx);
		if (i++ == idx)
			mine = prog;
	}
	if (!mine) {
		bpf_object__close(bo);
		return -ENOENT;
	}
	log_buf[0] = '\0';
	bpf_program__set_log_buf(mine, log_buf, sizeof(log_buf));
	bpf_program__set_log_level(mine, 4);	/* statistics only */
	o->err = bpf_object__load(bo) ? -errno : 0;
	log_line("processed ", o->stats, sizeof(o->stats));
	log_line("stack depth ", o->stack, sizeof(o->stack));
	bpf_object__close(bo);
	return 0;
}

/* Every program of one object, both ways; the number of differences, or -errno. */
static int compare_object(const void *obj, size_t size, const char *name, const char *btf)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name);
	struct bpf_object *bo = bpf_object__open_mem(obj, size, &opts);
	struct bpf_program *prog;
	int idx = 0, diffs = 0, err;

	if (!bo) {
		fprintf(stderr, "bpfgate: %s: %s\n", name, strerror(errno));
		return -errno;
	}
	bpf_object__for_each_program(prog, bo) {
		struct outcome full = { 0 }, min = { 0 };
		int same;

		err = load_one(obj, size, name, idx, NULL, &full) ?:
		      load_one(obj, size, name, idx, btf, &min);
		idx++;
		if (err) {
			printf("%s %s: open: %s\n", name, bpf_program__name(prog), strerror(-err));
			diffs++;
			continue;
		}
		same = full.err == min.err && !strcmp(full.stats, min.stats) &&
		       !strcmp(full.stack, min.stack);
		/* a load without statistics compares nothing */
		if (!full.stats[0] && !full.err)
			same = 0;
		printf("%s %s: %s: %s%s%s\n", name, bpf_program__name(prog),
		       same ? "same" : "DIFFERENT", full.err ? "refused: " : "",
		       full.err ? strerror(-full.err) : "", full.stats);
		if (!same)
			printf("  minimal BTF: %s%s %s %s\n", min.err ? "refused: " : "",
			       min.err ? strerror(-min.err) : "", min.stats, min.stack);
		diffs += !same;
	}
	bpf_object__close(bo);
	return diffs;
}

/* A file's contents (malloc'ed) into *data; 0 or -errno. */
static int read_file(const char *path, void **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long n;
	int err = 0;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		err = -EIO;
	*data = err ? NULL : malloc(n ? n : 1);
	if (!err && (!*data || fread(*data, 1, n, f) != (size_t)n))
		err = -EIO;
	fclose(f);
	if (err) {
		free(*data);
		*data = NULL;
	}
	*size = err ? 0 : (size_t)n;
	return err;
}

static const char *release(void)
{
	static struct utsname u;

	uname(&u);
	return u.release;
}

/* The running kernel's carried BTF of kind (its release as name), written to a
 * temporary file path; 0, -ENOENT when there is none, or -errno. */
static int carried_btf(const char *kind, char *path, size_t size)
{
	unsigned long i;
	size_t n;
	FILE *f;
	int fd;

	for (i = 0; i < nblobs(); i++) {
		const struct blob *b = &btf_custom_blobs[i];

		if (strcmp(b->kind, kind) || strcmp(b->name, release()))
			continue;
		snprintf(path, size, "%s/btf_custom_load.XXXXXX", getenv("TMPDIR") ?: "/tmp");
		fd = mkstemp(path);
		if (fd < 0 || !(f = fdopen(fd, "wb"))) {
			fprintf(stderr, "bpfgate: %s: %s\n", path, strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(path);
			}
			return -EIO;
		}
		n = b->end - b->start;
		if ((fwrite(b->start, 1, n, f) != n) | fclose(f)) {
			fprintf(stderr, "bpfgate: %s: %s\n", path, strerror(errno));
			unlink(path);
			return -EIO;
		}
		return 0;
	}
	return -ENOENT;
}

/* Every carried object against the BTF at path: the differences, or -errno. */
static int compare_carried(const char *btf)
{
	int diffs = 0, n;
	unsigned long i;

	for (i = 0; i < nblobs(); i++) {
		const struct blob *b = &btf_custom_blobs[i];

		if (strcmp(b->kind, "obj"))
			continue;
		n = compare_object(b->start, b->end - b->start, b->name, btf);
		if (n < 0)
			return n;
		diffs += n;
	}
	return diffs;
}

int main(int argc, char **argv)
{
	char btf[4096];
	int i, n, diffs = 0, err = 0;

	libbpf_set_print(getenv("BTF_CUSTOM_VERBOSE") ? NULL : silent);
	if (argc == 2 || (argc == 1 && !nblobs())) {
		fprintf(stderr, "usage: btf_custom_load MIN_BTF OBJ...\n");
		return 2;
	}
	if (argc > 2) {
		for (i = 2; i < argc && !err; i++) {
			void *data = NULL;
			size_t size = 0;

			err = read_file(argv[i], &data, &size);
			if (err) {
				fprintf(stderr, "bpfgate: %s: %s\n", argv[i], strerror(-err));
				return 2;
			}
			n = compare_object(data, size, argv[i], argv[1]);
			free(data);
			err = n < 0 ? n : 0;
			diffs += n > 0 ? n : 0;
		}
		return err ? 2 : diffs ? 1 : 0;
	}
	err = carried_btf("btf", btf, sizeof(btf));
	if (err == -ENOENT) {
		printf("no minimal BTF for kernel %s in this binary\n", release());
		return 77;
	}
	if (err)
		return 2;
	n = compare_carried(btf);
	unlink(btf);
	if (n)
		return n < 0 ? 2 : 1;
	/* The control, when carried: a minimal BTF made for other objects must differ. */
	err = carried_btf("btf-other", btf, sizeof(btf));
	if (err == -ENOENT)
		return 0;
	if (err)
		return 2;
	printf("control, a minimal BTF made for other objects:\n");
	n = compare_carried(btf);
	unlink(btf);
	if (n < 0)
		return 2;
	if (!n) {
		printf("the comparison did not tell the other objects' minimal BTF apart\n");
		return 1;
	}
	printf("all the same with this kernel's minimal BTF; %d differences in the control\n", n);
	return 0;
}
