// SPDX-License-Identifier: BSD-2-Clause
/* release_loader.c: load a program of a bpfgate release on the running kernel, its
 * CO-RE relocations resolved against the release's minimal BTF for that kernel
 * (btf/RELEASE.min.btf, RELEASE being `uname -r`) when the release has one, else
 * against the kernel's own BTF. docs/releasing.md explains it; a test builds and
 * runs it (tests/e2e/test_release.sh).
 *
 *   release_loader RELEASE_DIR NAME      loads RELEASE_DIR/programs/NAME.bpf.o
 *
 * Exit 0 loaded, 1 the kernel refused it, 2 usage or no BTF for this kernel. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	char obj_path[4096], btf_path[4096];
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct utsname u;
	int err, n = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s RELEASE_DIR NAME\n", argv[0]);
		return 2;
	}
	if (uname(&u)) {
		perror("uname");
		return 2;
	}
	snprintf(obj_path, sizeof(obj_path), "%s/programs/%s.bpf.o", argv[1], argv[2]);
	snprintf(btf_path, sizeof(btf_path), "%s/btf/%s.min.btf", argv[1], u.release);

	/* The minimal BTF of this kernel wins; a kernel that has its own BTF needs none. */
	if (access(btf_path, R_OK) == 0) {
		opts.btf_custom_path = btf_path;
	} else if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		fprintf(stderr, "release_loader: %s: no BTF for kernel %s in the release, and "
			"the kernel has none\n", argv[1], u.release);
		return 2;
	}
	printf("CO-RE against %s\n", opts.btf_custom_path ? btf_path : "/sys/kernel/btf/vmlinux");

	obj = bpf_object__open_file(obj_path, &opts);
	if (!obj) {
		fprintf(stderr, "release_loader: %s: %s\n", obj_path, strerror(errno));
		return 2;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "release_loader: %s: load failed: %s\n", obj_path, strerror(-err));
		bpf_object__close(obj);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		n++;
	printf("loaded %d programs of %s\n", n, obj_path);
	bpf_object__close(obj);
	return 0;
}
