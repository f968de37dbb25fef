// SPDX-License-Identifier: BSD-2-Clause
/* cmd_kernel.c: bpfgate kernel fetch|list|path|probe: the kernel matrix and its cache. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "commands.h"
#include "diag.h"
#include "json_writer.h"
#include "kernel_cache.h"
#include "kernel_probe.h"
#include "kvm.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfgate kernel fetch K...      download kernels of the matrix into the cache\n"
		"       bpfgate kernel list [-j]       the matrix (ci/kernels.conf) and what is cached\n"
		"       bpfgate kernel path K          print the kernel image of K\n"
		"       bpfgate kernel probe [-j]      what the running kernel supports (program\n"
		"                                      types, map types, helpers)\n\n"
		"K is a series of ci/kernels.conf (5.10, 6.1, ...), 'host', or for path a kernel\n"
		"image or kernel build tree. 'bpfgate verify --kernel K' boots these kernels and\n"
		"fetches missing ones by itself.\n\n"
		"Options:\n"
		"  -j, --json     JSON on stdout\n"
		"  -p, --pretty   indented JSON (implies --json)\n"
		"  -h, --help     this text\n\n"
		"The cache is $BPFGATE_CACHE, else $XDG_CACHE_HOME/bpfgate, else ~/.cache/bpfgate;\n"
		"kernels are in its kernels/RELEASE/. Exit status: 0 ok, 2 unknown kernel, fetch\n"
		"failed or not cached.\n");
}

struct kopts {
	bool json, pretty;
};

static int load(struct vh_kernel_conf *conf, struct vh_kernel_cache *cache)
{
	char errbuf[256];
	int err = vh_kernel_conf__load(conf, errbuf, sizeof(errbuf));

	if (err) {
		vh_err("ci/kernels.conf", "%s", errbuf);
		return err;
	}
	if (vh_kernel_cache__init(cache)) {
		vh_err("cache", "no cache folder (set BPFGATE_CACHE or HOME)");
		vh_kernel_conf__free(conf);
		return -ENOENT;
	}
	return 0;
}

static int cmd_list(const struct kopts *o)
{
	struct vh_kernel_conf conf;
	struct vh_kernel_cache cache;
	struct vh_json_writer w;
	struct utsname u;
	int err;

	if (load(&conf, &cache))
		return VH_EXIT_USAGE;
	uname(&u);
	if (o->json) {
		vh_json_writer__init(&w, stdout, o->pretty);
		vh_json_writer__begin_object(&w);
		vh_json_writer__kv_string(&w, "conf", conf.path);
		vh_json_writer__kv_string(&w, "cache", cache.kernels);
		vh_json_writer__key(&w, "kernels");
		vh_json_writer__begin_array(&w);
	} else {
		printf("%-6s %-18s %-24s %-7s %s\n", "SERIES", "SUITE", "RELEASE", "CACHED",
		       "PACKAGES");
	}
	for (size_t i = 0; i < conf.n; i++) {
		const struct vh_kernel_entry *e = &conf.v[i];
		bool host = !strcmp(e->series, "host");
		bool cached = host || vh_kernel_cache__has(&cache, e->release);
		unsigned long long size = host ? 0 : vh_kernel_cache__entry_size(&cache, e->release);
		char dir[PATH_MAX] = "";

		if (cached && !host)
			vh_kernel_cache__entry_dir(&cache, e->release, dir, sizeof(dir));
		if (o->json) {
			vh_json_writer__begin_object(&w);
			vh_json_writer__kv_string(&w, "series", e->series);
			vh_json_writer__kv_string(&w, "suite", host ? NULL : e->suite);
			vh_json_writer__kv_string(&w, "release", host ? u.release : e->release);
			vh_json_writer__key(&w, "packages");
			vh_json_writer__begin_array(&w);
			for (const char *p = e->packages; !host && *p;) {
				size_t n = strcspn(p, ",");

				vh_json_writer__string_len(&w, p, n);
				p += n + (p[n] == ',');
			}
			vh_json_writer__end_array(&w);
			vh_json_writer__key(&w, "cached");
			vh_json_writer__bool(&w, cached);
			vh_json_writer__kv_string(&w, "path", dir[0] ? dir : NULL);
			vh_json_writer__kv_int(&w, "size", (long long)size);
			vh_json_writer__end_object(&w);
		} else if (host) {
			printf("%-6s %-18s %-24s %-7s %s\n", e->series, "-", u.release, "-",
			       "(the running kernel)");
		} else {
			char c[24];

			snprintf(c, sizeof(c), "%s", cached ? "" : "no");
			if (cached)
				snprintf(c, sizeof(c), "%llu MB", size >> 20);
			printf("%-6s %-18s %-24s %-7s %s\n", e->series, e->suite, e->release, c,
			       e->packages);
		}
	}
	if (o->json) {
		vh_json_writer__end_array(&w);
		vh_json_writer__end_object(&w);
		err = vh_json_writer__finish(&w);
	} else {
		printf("(cache: %s)\n", cache.kernels);
		err = fflush(stdout) ? -errno : 0;
	}
	vh_kernel_conf__free(&conf);
	return err ? VH_EXIT_USAGE : VH_EXIT_OK;
}

static int cmd_fetch(int argc, char **argv)
{
	struct vh_kernel_conf conf;
	struct vh_kernel_cache cache;
	int rc = VH_EXIT_OK;

	if (argc < 1) {
		vh_err("kernel fetch", "which kernel? (e.g. 'bpfgate kernel fetch 6.1')");
		return VH_EXIT_USAGE;
	}
	if (load(&conf, &cache))
		return VH_EXIT_USAGE;
	for (int i = 0; i < argc && rc == VH_EXIT_OK; i++) {
		const struct vh_kernel_entry *e = vh_kernel_conf__find(&conf, argv[i]);
		char errbuf[512], dir[PATH_MAX];

		if (!e) {
			vh_err(argv[i], "not a kernel of %s", conf.path);
			rc = VH_EXIT_USAGE;
			break;
		}
		if (!strcmp(e->suite, "-")) {
			fprintf(stderr, "fetch: %s: the running kernel, nothing to fetch\n", e->series);
			continue;
		}
		if (vh_kernel_cache__has(&cache, e->release)) {
			vh_kernel_cache__entry_dir(&cache, e->release, dir, sizeof(dir));
			fprintf(stderr, "fetch: %s: already cached in %s\n", e->series, dir);
			continue;
		}
		if (vh_kernel_cache__fetch(&cache, &conf, e, -1, errbuf, sizeof(errbuf))) {
			vh_err(argv[i], "%s", errbuf);
			rc = VH_EXIT_USAGE;
			break;
		}
		vh_kernel_cache__entry_dir(&cache, e->release, dir, sizeof(dir));
		fprintf(stderr, "fetch: %s: cached in %s\n", e->series, dir);
	}
	vh_kernel_conf__free(&conf);
	return rc;
}

static int cmd_path(int argc, char **argv)
{
	struct vh_kernel_conf conf;
	struct vh_kernel_cache cache;
	struct vh_kernel_spec spec;
	char errbuf[512];
	bool have_conf;
	int rc = VH_EXIT_USAGE;

	if (argc != 1) {
		vh_err("kernel path", "expected one kernel (e.g. 'bpfgate kernel path 6.1')");
		return VH_EXIT_USAGE;
	}
	have_conf = !vh_kernel_conf__load(&conf, errbuf, sizeof(errbuf));
	if (vh_kernel_cache__init(&cache)) {
		vh_err("cache", "no cache folder (set BPFGATE_CACHE or HOME)");
		goto cleanup;
	}
	if (vh_kernel__resolve(argv[0], have_conf ? &conf : NULL, &cache, &spec, errbuf,
			       sizeof(errbuf))) {
		vh_err(argv[0], "%s", errbuf);
		goto cleanup;
	}
	if (spec.host) {
		snprintf(spec.image, sizeof(spec.image), "/boot/vmlinuz-%s", spec.release);
		if (access(spec.image, R_OK)) {
			vh_err("host", "%s: %s", spec.image, strerror(errno));
			goto cleanup;
		}
	} else if (spec.entry && !spec.cached) {
		vh_err(argv[0], "not in the cache (run 'bpfgate kernel fetch %s')", argv[0]);
		goto cleanup;
	}
	printf("%s\n", spec.image);
	rc = VH_EXIT_OK;
cleanup:
	if (have_conf)
		vh_kernel_conf__free(&conf);
	return rc;
}

static int cmd_probe(const struct kopts *o)
{
	struct utsname u;
	char why[160];

	if (o->json)
		return vh_kernel_probe__write_json(stdout, o->pretty) ? VH_EXIT_USAGE : VH_EXIT_OK;
	uname(&u);
	vh_kvm__usable(why, sizeof(why));
	printf("kernel %s\nkvm: %s\nprogram types:", u.release, why);
	for (int t = 1; libbpf_bpf_prog_type_str(t); t++)
		if (libbpf_probe_bpf_prog_type(t, NULL) == 1)
			printf(" %s", libbpf_bpf_prog_type_str(t));
	printf("\nmap types:");
	for (int t = 1; libbpf_bpf_map_type_str(t); t++)
		if (libbpf_probe_bpf_map_type(t, NULL) == 1)
			printf(" %s", libbpf_bpf_map_type_str(t));
	printf("\n");
	return fflush(stdout) ? VH_EXIT_USAGE : VH_EXIT_OK;
}

int do_kernel(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct kopts o = { 0 };
	const char *sub;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+jph", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'p':
			o.json = o.pretty = true;
			break;
		case 'h':
			usage(stdout);
			return VH_EXIT_OK;
		default:
			usage(stderr);
			return VH_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return VH_EXIT_USAGE;
	}
	sub = argv[optind++];
	/* options may also follow the subcommand: bpfgate kernel list --json */
	while ((c = getopt_long(argc, argv, "+jph", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'p':
			o.json = o.pretty = true;
			break;
		case 'h':
			usage(stdout);
			return VH_EXIT_OK;
		default:
			usage(stderr);
			return VH_EXIT_USAGE;
		}
	}
	if (!strcmp(sub, "list") || !strcmp(sub, "probe")) {
		if (optind < argc) {
			vh_err(argv[optind], "unexpected argument for 'kernel %s'", sub);
			return VH_EXIT_USAGE;
		}
		return !strcmp(sub, "list") ? cmd_list(&o) : cmd_probe(&o);
	}
	if (!strcmp(sub, "fetch"))
		return cmd_fetch(argc - optind, argv + optind);
	if (!strcmp(sub, "path"))
		return cmd_path(argc - optind, argv + optind);
	vh_err(sub, "unknown kernel command (fetch, list, path, probe; try --help)");
	return VH_EXIT_USAGE;
}
