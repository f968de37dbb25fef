// SPDX-License-Identifier: BSD-2-Clause
/* test_vm.c: the matrix's host side: guest output framing, initramfs, kernels.conf, preflight. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_cache.h"
#include "vm.h"

static char tmpdir[] = "/tmp/bpfgate-test-vm.XXXXXX";

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f, "fopen %s", path);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static const char *tpath(const char *name)
{
	static char p[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", tmpdir, name);
	return p[i];
}

static void setup(void)
{
	ck_assert_msg(mkdtemp(tmpdir), "mkdtemp");
}

static void teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(tmpdir, "/tmp/bpfgate-test-vm.XXXXXX");
}

/* The JSON in a section may itself contain marker-like text; lengths decide. */
#define JSON "{\"results\":[{\"error\":\"\\n@@bpfgate end results 0\\n\"}]}"

START_TEST(guest_out_framed)
{
	struct vh_guest_out g;
	char text[1024];
	int n;

	n = snprintf(text, sizeof(text),
		     "noise before\n@@bpfgate hello 5.10.0-32-amd64 4.25\n"
		     "@@bpfgate begin probe 2\n{}\n@@bpfgate end probe 0\n"
		     "@@bpfgate verify 5.00\n@@bpfgate verified 6.50\n"
		     "@@bpfgate begin results %zu\n%s\n@@bpfgate end results 1\n"
		     "@@bpfgate begin stderr 0\n\n@@bpfgate end stderr 1\n"
		     "@@bpfgate done 6.60\n",
		     strlen(JSON), JSON);
	write_file(tpath("out"), text, n);
	ck_assert_int_eq(vh_guest_out__parse(tpath("out"), &g), 0);
	ck_assert_str_eq(g.release, "5.10.0-32-amd64");
	ck_assert_msg(g.hello && g.verified && g.done, "markers");
	ck_assert_msg(g.results, "results section");
	ck_assert_str_eq(g.results, JSON);
	ck_assert_uint_eq(g.results_len, strlen(JSON));
	ck_assert_int_eq(g.verify_rc, 1);
	ck_assert_str_eq(g.probe, "{}");
	ck_assert_str_eq(g.stderr_text, "");
	ck_assert_str_eq(g.problem, "");
	ck_assert_msg(g.verify_end - g.verify_start > 1.49 && g.verify_end - g.verify_start < 1.51,
		      "verify times");
	vh_guest_out__free(&g);
}
END_TEST

START_TEST(guest_out_cut_short)
{
	struct vh_guest_out g;
	const char *text = "@@bpfgate hello 7.2.13+deb14-amd64 3.0\n"
			   "@@bpfgate begin results 500\n{\"results\": [";

	write_file(tpath("out"), text, strlen(text));
	ck_assert_int_eq(vh_guest_out__parse(tpath("out"), &g), 0);
	ck_assert_msg(g.hello, "hello");
	ck_assert_msg(!g.results, "a cut section is not used");
	ck_assert_msg(strstr(g.problem, "cut short"), "problem: %s", g.problem);
	vh_guest_out__free(&g);
}
END_TEST

START_TEST(guest_out_garbled_end)
{
	struct vh_guest_out g;
	const char *text = "@@bpfgate begin results 2\n{}\n@@bpfgate end stderr 0\n";

	write_file(tpath("out"), text, strlen(text));
	ck_assert_int_eq(vh_guest_out__parse(tpath("out"), &g), 0);
	ck_assert_msg(!g.results, "a section with the wrong end is not used");
	ck_assert_msg(strstr(g.problem, "garbled"), "problem: %s", g.problem);
	vh_guest_out__free(&g);
	ck_assert_int_eq(vh_guest_out__parse(tpath("missing"), &g), -ENOENT);
}
END_TEST

START_TEST(initramfs_layout)
{
	struct vh_guest_plan plan = { 0 };
	const char *objs[2];
	const char *args[] = { "--prog", "it's" };
	char cmd[1200], names[4096] = "", errbuf[256];
	size_t n;
	FILE *p;

	write_file(tpath("a.bpf.o"), "AAAA", 4);
	write_file(tpath("bb"), "B", 1);
	write_file(tpath("busybox"), "#!busybox", 9);
	write_file(tpath("bpfgate"), "#!bpfgate", 9);
	/* tpath()'s buffers are reused: keep copies */
	objs[0] = strdup(tpath("a.bpf.o"));
	objs[1] = strdup(tpath("bb"));
	plan = (struct vh_guest_plan){ .objs = objs, .nobjs = 2, .guest_args = args,
				       .nguest_args = 2, .probe = true };
	ck_assert_int_eq(vh_vm__build_initramfs(tpath("i.cpio"), tpath("busybox"), tpath("bpfgate"),
						&plan, errbuf, sizeof(errbuf)),
			 0);
	/* the archive as cpio itself reads it: no host path inside */
	snprintf(cmd, sizeof(cmd), "cpio -it --quiet < %s", tpath("i.cpio"));
	p = popen(cmd, "r");
	ck_assert_msg(p, "popen cpio");
	n = fread(names, 1, sizeof(names) - 1, p);
	names[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_str_eq(names, "bin\ndev\nproc\nsys\ntmp\nw\nw/o\ndev/console\ninit\n"
				"bin/busybox\nbin/bpfgate\nw/o/0\nw/o/0/a.bpf.o\nw/o/1\nw/o/1/bb\n");
	/* the objects' bytes and the init script's arguments, quoted for sh */
	snprintf(cmd, sizeof(cmd), "cd %s && mkdir x && cd x && cpio -id --quiet < ../i.cpio",
		 tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "cmp -s %s %s/x/w/o/0/a.bpf.o && grep -q \"verify --json "
		 "'--prog' 'it'\\\\\\\\''s' 'o/0/a.bpf.o' 'o/1/bb'\" %s/x/init",
		 tpath("a.bpf.o"), tmpdir, tmpdir);
	ck_assert_msg(system(cmd) == 0, "objects and arguments in the initramfs: %s", cmd);
	free((void *)objs[0]);
	free((void *)objs[1]);
}
END_TEST

START_TEST(kernels_conf)
{
	struct vh_kernel_conf conf;
	const struct vh_kernel_entry *e;
	char errbuf[256];
	const char *good = "# comment\n\n5.10 bullseye 5.10.0-32-amd64 linux-image-x=1\n"
			   "host - - -   # the running kernel\n";

	write_file(tpath("kernels.conf"), good, strlen(good));
	ck_assert_int_eq(vh_kernel_conf__read(&conf, tpath("kernels.conf"), errbuf, sizeof(errbuf)), 0);
	ck_assert_uint_eq(conf.n, 2);
	e = vh_kernel_conf__find(&conf, "5.10");
	ck_assert_msg(e, "5.10 found");
	ck_assert_str_eq(e->release, "5.10.0-32-amd64");
	ck_assert_str_eq(e->packages, "linux-image-x=1");
	ck_assert_msg(!vh_kernel_conf__find(&conf, "5.1"), "no prefix match");
	ck_assert_str_eq(conf.script, tpath("kernels.sh"));
	vh_kernel_conf__free(&conf);

	write_file(tpath("bad.conf"), "5.10 bullseye\n", 14);
	ck_assert_int_eq(vh_kernel_conf__read(&conf, tpath("bad.conf"), errbuf, sizeof(errbuf)),
			 -EINVAL);
	ck_assert_msg(strstr(errbuf, "line 1"), "errbuf: %s", errbuf);
}
END_TEST

START_TEST(preflight)
{
	struct vh_kernel_spec spec = { 0 };
	char missing[256];
	const char *full = "CONFIG_BPF_SYSCALL=y\nCONFIG_DEBUG_INFO_BTF=y\nCONFIG_BLK_DEV_INITRD=y\n"
			   "CONFIG_DEVTMPFS=y\nCONFIG_SERIAL_8250=y\nCONFIG_SERIAL_8250_CONSOLE=y\n"
			   "CONFIG_VIRTIO_CONSOLE=m\nCONFIG_NET_9P_VIRTIO=m\nCONFIG_9P_FS=m\n";
	const char *thin = "CONFIG_BPF_SYSCALL=y\n# CONFIG_DEBUG_INFO_BTF is not set\n"
			   "CONFIG_SERIAL_8250=m\nCONFIG_VIRTIO_FS=y\n";

	ck_assert_int_eq(vh_kernel__preflight(&spec, "qemu", missing, sizeof(missing)), -ENOENT);
	write_file(tpath("full"), full, strlen(full));
	snprintf(spec.config, sizeof(spec.config), "%s", tpath("full"));
	ck_assert_int_eq(vh_kernel__preflight(&spec, "qemu", missing, sizeof(missing)), 0);
	ck_assert_int_eq(vh_kernel__preflight(&spec, "vng", missing, sizeof(missing)), 0);
	write_file(tpath("thin"), thin, strlen(thin));
	snprintf(spec.config, sizeof(spec.config), "%s", tpath("thin"));
	ck_assert_int_eq(vh_kernel__preflight(&spec, "qemu", missing, sizeof(missing)), -ENOTSUP);
	ck_assert_str_eq(missing, "CONFIG_DEBUG_INFO_BTF CONFIG_BLK_DEV_INITRD CONFIG_DEVTMPFS "
				  "CONFIG_SERIAL_8250 CONFIG_SERIAL_8250_CONSOLE");
	ck_assert_int_eq(vh_kernel__preflight(&spec, "vng", missing, sizeof(missing)), -ENOTSUP);
	ck_assert_str_eq(missing, "CONFIG_DEBUG_INFO_BTF CONFIG_VIRTIO_CONSOLE");
}
END_TEST

START_TEST(resolve)
{
	struct vh_kernel_conf conf = { 0 };
	struct vh_kernel_cache cache = { 0 };
	struct vh_kernel_entry e = { "6.1", "bookworm-security", "6.1.0-56-amd64", "p=1" };
	struct vh_kernel_spec spec;
	char errbuf[256];

	conf.v = &e;
	conf.n = 1;
	snprintf(cache.kernels, sizeof(cache.kernels), "%s/kernels", tmpdir);
	ck_assert_int_eq(vh_kernel__resolve("6.1", &conf, &cache, &spec, errbuf, sizeof(errbuf)), 0);
	ck_assert_msg(spec.entry == &e && !spec.cached, "a series, not cached");
	ck_assert_str_eq(spec.release, "6.1.0-56-amd64");
	ck_assert_int_eq(vh_kernel__resolve("6.2", &conf, &cache, &spec, errbuf, sizeof(errbuf)),
			 -ENOENT);
	ck_assert_msg(strstr(errbuf, "(6.1)"), "lists the known series: %s", errbuf);
	ck_assert_int_eq(vh_kernel__resolve("host", &conf, &cache, &spec, errbuf, sizeof(errbuf)), 0);
	ck_assert_msg(spec.host, "host");

	/* a build tree: bzImage, .config, vmlinux */
	ck_assert_int_eq(mkdir(tpath("tree"), 0755), 0);
	mkdir(tpath("tree/arch"), 0755);
	mkdir(tpath("tree/arch/x86"), 0755);
	mkdir(tpath("tree/arch/x86/boot"), 0755);
	write_file(tpath("tree/arch/x86/boot/bzImage"), "k", 1);
	write_file(tpath("tree/.config"), "CONFIG_PVH=y\n", 13);
	write_file(tpath("tree/vmlinux"), "\177ELF", 4);
	ck_assert_int_eq(vh_kernel__resolve(tpath("tree"), &conf, &cache, &spec, errbuf,
					    sizeof(errbuf)),
			 0);
	ck_assert_str_eq(spec.image, tpath("tree/arch/x86/boot/bzImage"));
	ck_assert_str_eq(spec.config, tpath("tree/.config"));
	/* QEMU boots the ELF kernel when the config has PVH */
	ck_assert_str_eq(vh_kernel__qemu_image(&spec), tpath("tree/vmlinux"));
	write_file(tpath("tree/.config"), "# CONFIG_PVH is not set\n", 24);
	ck_assert_str_eq(vh_kernel__qemu_image(&spec), tpath("tree/arch/x86/boot/bzImage"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vm");
	TCase *tc = tcase_create("host side");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_out_framed);
	tcase_add_test(tc, guest_out_cut_short);
	tcase_add_test(tc, guest_out_garbled_end);
	tcase_add_test(tc, initramfs_layout);
	tcase_add_test(tc, kernels_conf);
	tcase_add_test(tc, preflight);
	tcase_add_test(tc, resolve);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
