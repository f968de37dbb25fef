// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_kernel_cache.c: kernels.conf's grammar (hostile fields refused with FILE:LINE),
 * the one cache path builder (never outside the cache), stamps (damage noticed), SHA-256,
 * kernel image checks of --kernel PATH, and the rewrite of pins.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_cache.h"
#include "kernel_stamp.h"
#include "sha256.h"
#include "unit_main.h"

static void setup(void)
{
	vh_unit_dir_make(vh_unit_tmpdir, sizeof(vh_unit_tmpdir), "kcache");
}

static void teardown(void)
{
	vh_unit_dir_remove(vh_unit_tmpdir);
}

/* Read text as a kernels.conf: the error (or "" when it loads). */
static const char *conf_error(const char *text, size_t len)
{
	static char errbuf[512];
	struct vh_kernel_conf conf;
	int err;

	vh_unit_write_file(vh_unit_path("k.conf"), text, len);
	err = vh_kernel_conf__read(&conf, vh_unit_path("k.conf"), errbuf, sizeof(errbuf));
	if (!err) {
		ck_assert_uint_gt(conf.n, 0);
		vh_kernel_conf__free(&conf);
		return "";
	}
	ck_assert_uint_eq(conf.n, 0);
	ck_assert_ptr_null(conf.v);
	ck_assert_msg(!strchr(errbuf, '\n'), "one line: %s", errbuf);
	return errbuf;
}

START_TEST(conf_good)
{
	struct vh_kernel_conf conf;
	const struct vh_kernel_entry *e;
	char errbuf[256];
	const char *good = "# comment\n\n5.10 bullseye 5.10.0-32-amd64 linux-image-x=1:5.10~rc1+b2\n"
			   "7.2 sid 7.2.13+deb14-amd64 a-b=7.2.13-1,linux-base=7.2.13-1\n"
			   "host - - -   # the running kernel\n";

	vh_unit_write_file(vh_unit_path("kernels.conf"), good, strlen(good));
	ck_assert_int_eq(vh_kernel_conf__read(&conf, vh_unit_path("kernels.conf"), errbuf, sizeof(errbuf)), 0);
	ck_assert_uint_eq(conf.n, 3);
	e = vh_kernel_conf__find(&conf, "5.10");
	ck_assert_msg(e, "5.10 found");
	ck_assert_str_eq(e->release, "5.10.0-32-amd64");
	ck_assert_str_eq(e->packages, "linux-image-x=1:5.10~rc1+b2");
	ck_assert_int_eq(e->line, 3);
	ck_assert_msg(!vh_kernel_conf__find(&conf, "5.1"), "no prefix match");
	/* kernels.sh is never taken from beside the conf */
	ck_assert_str_eq(conf.script, "");
	vh_kernel_conf__free(&conf);
}
END_TEST

/* Every hostile field is refused with FILE:LINE: field: why. */
START_TEST(conf_hostile)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "9.9 bullseye ../../x pk=1\n", ":1: release: must start with a digit" },
		{ "9.9 bullseye /../victim pk=1\n", ":1: release: must start with a digit" },
		{ "9.9 bullseye 5.10/../../x pk=1\n", ":1: release: '/' is not allowed" },
		{ "9.9 bullseye 5..10 pk=1\n", ":1: release: '..' is not allowed" },
		{ "9.9 bullseye 5.10.0 pk=1\n9.8 sid 1 pk=1\n9.7 sid /etc pk=1\n", ":3: release:" },
		{ "9.9 ../sid 5.10 pk=1\n", ":1: suite: must start with a lowercase letter" },
		{ "9.9 Sid 5.10 pk=1\n", ":1: suite: must start with a lowercase letter" },
		{ "9.9 sid/x 5.10 pk=1\n", ":1: suite: '/' is not allowed" },
		{ "../x sid 5.10 pk=1\n", ":1: series: must start with a digit" },
		{ "6 sid 5.10 pk=1\n", ":1: series: not MAJOR.MINOR" },
		{ "6.1/x sid 5.10 pk=1\n", ":1: series: '/' is not allowed" },
		{ "6.1 sid 6.1.0 pkg\n", ":1: packages: 'pkg' has no =VERSION" },
		{ "6.1 sid 6.1.0 pkg=1,\n", ":1: packages: empty package" },
		{ "6.1 sid 6.1.0 ../pkg=1\n", ":1: packages: package name '../pkg'" },
		{ "6.1 sid 6.1.0 -o=1\n", ":1: packages: package name '-o'" },
		{ "6.1 sid 6.1.0 pk=1;rm\n", ":1: packages: version of pk: ';' is not allowed" },
		{ "6.1 sid 6.1.0 pk=$(id)\n", ":1: packages: version of pk: must start with a digit" },
		{ "6.1 sid 6.1.0 aa=1,bb=1,cc=1,dd=1,ee=1,ff=1,gg=1,hh=1,ii=1\n", "more than 8 packages" },
		{ "host sid - -\n", ":1: suite: must be '-' for host" },
		{ "6.1 - 6.1.0 pk=1\n", ":1: suite: must start with a lowercase letter" },
		{ "6.1 sid 6.1.0\x1b[2J pk=1\n", ":1: control character 0x1b" },
		{ "6.1 sid 6.1.0 pk=1\n6.1 sid 6.1.0 pk=1\n", ":2: series: 6.1 is listed twice" },
		{ "5.10 bullseye 5.10.0 a b\n", ":1: expected 4 fields (series suite release packages), "
						  "got more than 4" },
		{ "5.10 bullseye\n", ":1: expected 4 fields" },
		{ "# only a comment\n\n", "no kernels in it" },
		{ "", "no kernels in it" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *err = conf_error(bad[i].text, strlen(bad[i].text));

		ck_assert_msg(strstr(err, bad[i].msg), "case %zu: '%s' not in '%s'", i, bad[i].msg,
			      err);
		ck_assert_msg(!strncmp(err, vh_unit_path("k.conf"), strlen(vh_unit_path("k.conf"))),
			      "names the file read: %s", err);
	}
}
END_TEST

/* Overlong fields, lines and files; NUL bytes; a folder; a FIFO. */
START_TEST(conf_limits)
{
	char text[4096], errbuf[256];
	struct vh_kernel_conf conf;
	int n;

	n = snprintf(text, sizeof(text), "6.1 sid 6.1.%070d pk=1\n", 0);
	ck_assert_msg(strstr(conf_error(text, n), ":1: release: longer than 64 bytes"), "%s",
		      conf_error(text, n));
	n = snprintf(text, sizeof(text), "6.1 sid%060d 6.1 pk=1\n", 0);
	ck_assert_msg(strstr(conf_error(text, n), ":1: suite: longer than 47 bytes"), "%s",
		      conf_error(text, n));
	n = snprintf(text, sizeof(text), "6.1 sid 6.1 pk=1%0600d\n", 0);
	ck_assert_msg(strstr(conf_error(text, n), ":1: packages: longer than 511 bytes"), "%s",
		      conf_error(text, n));
	n = snprintf(text, sizeof(text), "# %01100d\n", 0);
	ck_assert_msg(strstr(conf_error(text, n), ":1: longer than 1024 bytes"), "%s",
		      conf_error(text, n));
	ck_assert_msg(strstr(conf_error("6.1 sid 6.1\0 pk=1\n", 17), ":1: a NUL byte"), "NUL");

	ck_assert_int_eq(vh_kernel_conf__read(&conf, vh_unit_tmpdir, errbuf, sizeof(errbuf)), -EISDIR);
	ck_assert_msg(strstr(errbuf, "a folder"), "%s", errbuf);
	ck_assert_int_eq(mkfifo(vh_unit_path("fifo"), 0600), 0);
	ck_assert_int_eq(vh_kernel_conf__read(&conf, vh_unit_path("fifo"), errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_msg(strstr(errbuf, "not a regular file"), "%s", errbuf);
	ck_assert_int_lt(vh_kernel_conf__read(&conf, vh_unit_path("none"), errbuf, sizeof(errbuf)), 0);
	ck_assert_msg(strstr(errbuf, vh_unit_path("none")), "names the file: %s", errbuf);
}
END_TEST

START_TEST(sha256_vectors)
{
	struct vh_sha256 s;
	char hex[65], *a = malloc(1000000);
	int fd;

	vh_sha256__init(&s);
	vh_sha256__hex(&s, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	vh_sha256__init(&s);
	vh_sha256__update(&s, "abc", 3);
	vh_sha256__hex(&s, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	vh_sha256__init(&s);
	vh_sha256__update(&s, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56);
	vh_sha256__hex(&s, hex);
	ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(a, 'a', 1000000);
	vh_unit_write_file(vh_unit_path("a"), a, 1000000);
	fd = open(vh_unit_path("a"), O_RDONLY);
	ck_assert_int_eq(vh_sha256__fd(fd, hex), 0);
	close(fd);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}
END_TEST

static void cache_at(struct vh_kernel_cache *c, const char *root)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->root, sizeof(c->root), "%s", root);
	snprintf(c->kernels, sizeof(c->kernels), "%s/kernels", root);
}

/* The one path builder: names that leave the cache, links out of it, are refused. */
START_TEST(cache_paths)
{
	struct vh_kernel_cache c;
	char p[PATH_MAX];

	cache_at(&c, vh_unit_path("cache"));
	/* no cache yet: a plain name is fine, nothing is created */
	ck_assert_int_eq(vh_kernel_cache__entry_dir(&c, "6.1.0-56-amd64", p, sizeof(p)), 0);
	ck_assert_str_eq(p, vh_unit_path("cache/kernels/6.1.0-56-amd64"));
	ck_assert_int_ne(access(vh_unit_path("cache"), F_OK), 0);
	mkdir(vh_unit_path("cache"), 0755);
	mkdir(vh_unit_path("cache/kernels"), 0755);
	for (const char *bad[] = { "..", ".", "", "../x", "/../victim", "a/b", "x\n" }, **b = bad;
	     b < bad + 7; b++)
		ck_assert_int_eq(vh_kernel_cache__entry_dir(&c, *b, p, sizeof(p)), -EINVAL);
	ck_assert_int_eq(vh_kernel_cache__path(&c, p, sizeof(p), "../..", "%s", "x"), -EINVAL);
	ck_assert_int_eq(vh_kernel_cache__path(&c, p, sizeof(p), "/etc", "%s", "x"), -EINVAL);
	/* an entry that is a link, or a file inside reached through a link, is refused */
	mkdir(vh_unit_path("outside"), 0755);
	ck_assert_int_eq(symlink(vh_unit_path("outside"), vh_unit_path("cache/kernels/linked")), 0);
	ck_assert_int_eq(vh_kernel_cache__entry_dir(&c, "linked", p, sizeof(p)), -ELOOP);
	mkdir(vh_unit_path("cache/kernels/e"), 0755);
	ck_assert_int_eq(symlink(vh_unit_path("outside"), vh_unit_path("cache/kernels/e/lib")), 0);
	ck_assert_int_eq(vh_kernel_cache__path(&c, p, sizeof(p), "lib/modules", "%s", "e"), -ELOOP);
	ck_assert_int_eq(vh_kernel_cache__path(&c, p, sizeof(p), "vmlinuz", "%s", "e"), 0);
	/* a cache root reached through a link is the user's choice: paths use its real path */
	ck_assert_int_eq(symlink(vh_unit_path("cache"), vh_unit_path("viacache")), 0);
	cache_at(&c, vh_unit_path("viacache"));
	ck_assert_int_eq(vh_kernel_cache__entry_dir(&c, "e", p, sizeof(p)), 0);
	ck_assert_str_eq(p, vh_unit_path("cache/kernels/e"));
}
END_TEST

/* A fake cache entry: files of known sizes, a manifest. */
static void fake_entry(const char *root, const char *release)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/kernels", root);
	mkdir(root, 0755);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/kernels/%s", root, release);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/kernels/%s/lib", root, release);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/kernels/%s/lib/mod.ko", root, release);
	vh_unit_write_file(p, "module", 6);
	snprintf(p, sizeof(p), "%s/kernels/%s/config", root, release);
	vh_unit_write_file(p, "CONFIG_BPF=y\n", 13);
	snprintf(p, sizeof(p), "%s/kernels/%s/vmlinuz", root, release);
	vh_unit_write_file(p, "\177ELF kernel", 11);
}

START_TEST(stamps)
{
	struct vh_kernel_cache c;
	char why[256];
	const char *e = "cache/kernels/9.9.0-1-amd64";

	cache_at(&c, vh_unit_path("cache"));
	ck_assert_int_eq(vh_kernel_cache__check(&c, "9.9.0-1-amd64", false, why, sizeof(why)),
			 VH_ENTRY_ABSENT);
	fake_entry(vh_unit_path("cache"), "9.9.0-1-amd64");
	/* no stamp: an entry of an older bpfgate, or a fetch cut short */
	ck_assert_int_eq(vh_kernel_cache__check(&c, "9.9.0-1-amd64", false, why, sizeof(why)),
			 VH_ENTRY_DAMAGED);
	ck_assert_msg(strstr(why, "no stamp"), "%s", why);
	ck_assert_int_eq(vh_stamp__write(vh_unit_path(e), why, sizeof(why)), 0);
	ck_assert_msg(vh_kernel_cache__has(&c, "9.9.0-1-amd64"), "stamped entry is whole");
	ck_assert_int_eq(vh_kernel_cache__check(&c, "9.9.0-1-amd64", true, why, sizeof(why)),
			 VH_ENTRY_WHOLE);

	/* same size, other bytes: only the full check sees it */
	vh_unit_write_file(vh_unit_path("cache/kernels/9.9.0-1-amd64/config"), "CONFIG_BPF=n\n", 13);
	ck_assert_msg(vh_kernel_cache__has(&c, "9.9.0-1-amd64"), "sizes only");
	ck_assert_int_eq(vh_kernel_cache__check(&c, "9.9.0-1-amd64", true, why, sizeof(why)),
			 VH_ENTRY_DAMAGED);
	ck_assert_msg(strstr(why, "config: SHA-256 differs"), "%s", why);
	vh_unit_write_file(vh_unit_path("cache/kernels/9.9.0-1-amd64/config"), "CONFIG_BPF=y\n", 13);

	/* a truncated file: every use sees it */
	vh_unit_write_file(vh_unit_path("cache/kernels/9.9.0-1-amd64/lib/mod.ko"), "mod", 3);
	ck_assert_int_eq(vh_kernel_cache__check(&c, "9.9.0-1-amd64", false, why, sizeof(why)),
			 VH_ENTRY_DAMAGED);
	ck_assert_msg(strstr(why, "lib/mod.ko: size differs"), "%s", why);
	vh_unit_write_file(vh_unit_path("cache/kernels/9.9.0-1-amd64/lib/mod.ko"), "module", 6);

	/* a file the stamp does not list, a link: the full check sees them */
	vh_unit_write_file(vh_unit_path("cache/kernels/9.9.0-1-amd64/lib/extra"), "x", 1);
	ck_assert_int_eq(vh_kernel_cache__check(&c, "9.9.0-1-amd64", true, why, sizeof(why)),
			 VH_ENTRY_DAMAGED);
	ck_assert_msg(strstr(why, "lib/extra: not in the stamp"), "%s", why);
	unlink(vh_unit_path("cache/kernels/9.9.0-1-amd64/lib/extra"));
	ck_assert_int_eq(symlink("/etc/passwd", vh_unit_path("cache/kernels/9.9.0-1-amd64/lib/l")), 0);
	ck_assert_int_eq(vh_kernel_cache__check(&c, "9.9.0-1-amd64", true, why, sizeof(why)),
			 VH_ENTRY_DAMAGED);
	ck_assert_msg(strstr(why, "a symbolic link"), "%s", why);
	/* and a stamp is never written over a link */
	ck_assert_int_eq(vh_stamp__write(vh_unit_path(e), why, sizeof(why)), -EBADMSG);
	unlink(vh_unit_path("cache/kernels/9.9.0-1-amd64/lib/l"));

	/* a stamp cut short, or one whose paths leave the entry */
	vh_unit_write_file(vh_unit_path("cache/kernels/9.9.0-1-amd64/stamp"), "bpfgate-stamp 1\n", 16);
	ck_assert_int_eq(vh_kernel_cache__check(&c, "9.9.0-1-amd64", false, why, sizeof(why)),
			 VH_ENTRY_DAMAGED);
	ck_assert_msg(strstr(why, "incomplete"), "%s", why);
	{
		const char *evil = "bpfgate-stamp 1\n4 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b"
				   "934ca495991b7852b855 ../../../etc/passwd\nend 1\n";

		vh_unit_write_file(vh_unit_path("cache/kernels/9.9.0-1-amd64/stamp"), evil, strlen(evil));
		ck_assert_int_eq(vh_kernel_cache__check(&c, "9.9.0-1-amd64", false, why,
							sizeof(why)),
				 VH_ENTRY_DAMAGED);
		ck_assert_msg(strstr(why, "bad path"), "%s", why);
	}
}
END_TEST

/* --kernel PATH and `kernel path`: kernel images only. */
START_TEST(resolve)
{
	struct vh_kernel_conf conf = { 0 };
	struct vh_kernel_cache cache;
	struct vh_kernel_entry e = { .series = "6.1", .suite = "bookworm-security",
				      .release = "6.1.0-56-amd64", .packages = "p=1" };
	struct vh_kernel_spec spec;
	char errbuf[256], bz[0x300] = { 0 };

	conf.v = &e;
	conf.n = 1;
	cache_at(&cache, vh_unit_path("cache"));
	ck_assert_int_eq(vh_kernel__resolve("6.1", &conf, &cache, &spec, errbuf, sizeof(errbuf)), 0);
	ck_assert_msg(spec.entry == &e && !spec.cached, "a series, not cached");
	ck_assert_str_eq(spec.release, "6.1.0-56-amd64");
	ck_assert_int_eq(vh_kernel__resolve("6.2", &conf, &cache, &spec, errbuf, sizeof(errbuf)),
			 -ENOENT);
	ck_assert_msg(strstr(errbuf, "(6.1)"), "lists the known series: %s", errbuf);
	ck_assert_int_eq(vh_kernel__resolve("host", &conf, &cache, &spec, errbuf, sizeof(errbuf)), 0);
	ck_assert_msg(spec.host, "host");

	/* not a kernel: refused, whatever its name */
	ck_assert_int_eq(vh_kernel__resolve("/etc/passwd", &conf, &cache, &spec, errbuf,
					    sizeof(errbuf)),
			 -EINVAL);
	ck_assert_msg(strstr(errbuf, "not a kernel image"), "%s", errbuf);
	vh_unit_write_file(vh_unit_path("vmlinuz-9.9"), "HdrS", 4);
	ck_assert_int_eq(vh_kernel__resolve(vh_unit_path("vmlinuz-9.9"), &conf, &cache, &spec, errbuf,
					    sizeof(errbuf)),
			 -EINVAL);
	/* a bzImage: "HdrS" at 0x202 */
	memcpy(bz + 0x202, "HdrS", 4);
	vh_unit_write_file(vh_unit_path("vmlinuz-9.9"), bz, sizeof(bz));
	ck_assert_int_eq(vh_kernel__resolve(vh_unit_path("vmlinuz-9.9"), &conf, &cache, &spec, errbuf,
					    sizeof(errbuf)),
			 0);
	ck_assert_str_eq(spec.release, "9.9");

	/* a build tree: bzImage, .config, vmlinux */
	ck_assert_int_eq(mkdir(vh_unit_path("tree"), 0755), 0);
	mkdir(vh_unit_path("tree/arch"), 0755);
	mkdir(vh_unit_path("tree/arch/x86"), 0755);
	mkdir(vh_unit_path("tree/arch/x86/boot"), 0755);
	vh_unit_write_file(vh_unit_path("tree/arch/x86/boot/bzImage"), "k", 1);
	ck_assert_int_eq(vh_kernel__resolve(vh_unit_path("tree"), &conf, &cache, &spec, errbuf,
					    sizeof(errbuf)),
			 -EINVAL);
	vh_unit_write_file(vh_unit_path("tree/arch/x86/boot/bzImage"), bz, sizeof(bz));
	vh_unit_write_file(vh_unit_path("tree/.config"), "CONFIG_PVH=y\n", 13);
	vh_unit_write_file(vh_unit_path("tree/vmlinux"), "\177ELF", 4);
	ck_assert_int_eq(vh_kernel__resolve(vh_unit_path("tree"), &conf, &cache, &spec, errbuf,
					    sizeof(errbuf)),
			 0);
	ck_assert_str_eq(spec.image, vh_unit_path("tree/arch/x86/boot/bzImage"));
	ck_assert_str_eq(spec.config, vh_unit_path("tree/.config"));
	/* QEMU boots the ELF kernel when the config has PVH */
	ck_assert_str_eq(vh_kernel__qemu_image(&spec), vh_unit_path("tree/vmlinux"));
	vh_unit_write_file(vh_unit_path("tree/.config"), "# CONFIG_PVH is not set\n", 24);
	ck_assert_str_eq(vh_kernel__qemu_image(&spec), vh_unit_path("tree/arch/x86/boot/bzImage"));
}
END_TEST

/* A newer release stands in for a pin that left the mirror, when it is whole. */
START_TEST(substitute)
{
	struct vh_kernel_conf conf = { 0 };
	struct vh_kernel_cache cache;
	struct vh_kernel_entry e = { .series = "6.1", .suite = "bookworm-security",
				      .release = "6.1.0-56-amd64", .packages = "p=1" };
	struct vh_kernel_spec spec;
	char errbuf[256];

	conf.v = &e;
	conf.n = 1;
	cache_at(&cache, vh_unit_path("cache"));
	fake_entry(vh_unit_path("cache"), "6.1.0-57-amd64");
	ck_assert_int_eq(vh_stamp__write(vh_unit_path("cache/kernels/6.1.0-57-amd64"), errbuf,
					 sizeof(errbuf)),
			 0);
	vh_unit_write_file(vh_unit_path("cache/kernels/6.1.0-56-amd64.substitute"), "6.1.0-57-amd64\n", 15);
	ck_assert_int_eq(vh_kernel__resolve("6.1", &conf, &cache, &spec, errbuf, sizeof(errbuf)), 0);
	ck_assert_msg(spec.cached, "the substitute is used");
	ck_assert_str_eq(spec.release, "6.1.0-57-amd64");
	ck_assert_str_eq(spec.pinned, "6.1.0-56-amd64");
	ck_assert_str_eq(spec.image, vh_unit_path("cache/kernels/6.1.0-57-amd64/vmlinuz"));
	/* what the file says is checked like any release */
	vh_unit_write_file(vh_unit_path("cache/kernels/6.1.0-56-amd64.substitute"), "../../etc\n", 10);
	ck_assert_int_eq(vh_kernel__resolve("6.1", &conf, &cache, &spec, errbuf, sizeof(errbuf)), 0);
	ck_assert_msg(!spec.cached && !spec.pinned[0], "a bad substitute is ignored");
}
END_TEST

/* kernel update: only the pins change, comments and other lines stay, byte for byte. */
START_TEST(rewrite)
{
	const char *text = "# the matrix\n5.10   bullseye  5.10.0-32-amd64  ab=1  # old\n"
			   "\n6.1 bookworm-security 6.1.0-56-amd64 linux-image-6.1.0-56-amd64=6.1.1-1\n"
			   "host - - -\n";
	const char *want = "# the matrix\n5.10   bullseye  5.10.0-33-amd64  ab=2  # old\n"
			   "\n6.1 bookworm-security 6.1.0-56-amd64 linux-image-6.1.0-56-amd64=6.1.1-1\n"
			   "host - - -\n";
	struct vh_kernel_conf conf;
	struct vh_kernel_entry r;
	char errbuf[256], got[512] = "";
	FILE *f;

	vh_unit_write_file(vh_unit_path("k.conf"), text, strlen(text));
	ck_assert_int_eq(vh_kernel_conf__read(&conf, vh_unit_path("k.conf"), errbuf, sizeof(errbuf)), 0);
	r = conf.v[0];
	snprintf(r.release, sizeof(r.release), "5.10.0-33-amd64");
	snprintf(r.packages, sizeof(r.packages), "ab=2");
	ck_assert_int_eq(vh_kernel_conf__rewrite(&conf, &r, 1, errbuf, sizeof(errbuf)), 0);
	vh_kernel_conf__free(&conf);
	f = fopen(vh_unit_path("k.conf"), "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_gt(fread(got, 1, sizeof(got) - 1, f), 0);
	fclose(f);
	ck_assert_str_eq(got, want);
	/* and nothing else is left in the folder */
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "test $(ls -A %s | grep -c '[.]tmp[.]') = 0", vh_unit_tmpdir);
		ck_assert_int_eq(system(cmd), 0);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kernel_cache");
	TCase *tc = tcase_create("kernels.conf and cache");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, conf_good);
	tcase_add_test(tc, conf_hostile);
	tcase_add_test(tc, conf_limits);
	tcase_add_test(tc, sha256_vectors);
	tcase_add_test(tc, cache_paths);
	tcase_add_test(tc, stamps);
	tcase_add_test(tc, resolve);
	tcase_add_test(tc, substitute);
	tcase_add_test(tc, rewrite);
	suite_add_tcase(s, tc);
	return vh_unit_run(s);
}
