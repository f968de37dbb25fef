// SPDX-License-Identifier: BSD-2-Clause
/* cmd_kernel.c: bpfgate kernel fetch|list|path|verify|update|probe: the matrix and its cache. */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
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
#include "kernel_stamp.h"
#include "kvm.h"
#include "options.h"

enum { OPT_CONF = VH_OPT_CMD, OPT_ALLOW_NEWER, OPT_REFRESH, OPT_DRY_RUN };

static const struct vh_opt opt_conf = {
	OPT_CONF, "conf", 0, VH_OPT_STR, "FILE",
	.def_doc = "$BPFGATE_KERNELS_CONF, else ci/kernels.conf of bpfgate's data folder",
	.help = "the matrix to use",
};
static const struct vh_opt opt_allow_newer = {
	OPT_ALLOW_NEWER, "allow-newer", 0, VH_OPT_FLAG,
	.help = "fetch: a pinned version that left the mirror is replaced by the newest of its "
		"series in its suite (said and recorded)",
};
static const struct vh_opt opt_refresh = {
	OPT_REFRESH, "refresh", 0, VH_OPT_FLAG,
	.help = "list: refresh the apt lists first to tell stale pins (network)",
};
static const struct vh_opt opt_dry_run = {
	OPT_DRY_RUN, "dry-run", 'n', VH_OPT_FLAG, .help = "update: print the new pins, change nothing",
};

static const struct vh_opt *const kernel_opts[] = {
	&opt_conf, &opt_allow_newer, &opt_refresh, &opt_dry_run, &vh_opt_json, &vh_opt_pretty,
	&vh_opt_help, NULL,
};

static const struct vh_cmd_opts kernel_cmd = {
	.cmd = "kernel",
	.synopsis = "COMMAND [OPTIONS] [K...]",
	.about = "  fetch [--allow-newer] K...  download kernels of the matrix\n"
		 "  list [-j] [--refresh]       the matrix, what is cached, stale pins\n"
		 "  path K                      print the kernel image of K\n"
		 "  verify [K...]               check cached kernels' SHA-256\n"
		 "  update [--dry-run]          move the pins to the newest versions\n"
		 "  probe [-j]                  what the running kernel supports\n\n"
		 "K is a series of the matrix (5.10, 6.1, ...), 'host', or for path a kernel image\n"
		 "or kernel build tree. 'bpfgate verify --kernel K' boots these kernels and fetches\n"
		 "missing or damaged ones by itself. Options go before or after COMMAND.",
	.epilog = "The cache is $BPFGATE_CACHE, else $XDG_CACHE_HOME/bpfgate, else ~/.cache/bpfgate;\n"
		  "kernels are in its kernels/RELEASE/. Exit status: 0 ok, 1 verify found a damaged\n"
		  "entry, 2 usage, bad kernels.conf, unknown kernel, fetch failed or not cached.\n",
	.opts = kernel_opts,
};

struct kopts {
	bool json, pretty, allow_newer, refresh, dry_run;
	const char *conf;
};

static int load(const struct kopts *o, struct vh_kernel_conf *conf, struct vh_kernel_cache *cache)
{
	char errbuf[512];
	int err = vh_kernel_conf__load_file(conf, o->conf, errbuf, sizeof(errbuf));

	if (err) {
		/* errbuf names the file read: "FILE:LINE: field: why" */
		vh_err(NULL, "%s", errbuf);
		return err;
	}
	if (vh_kernel_cache__init(cache)) {
		vh_err("cache", "no cache folder (set BPFGATE_CACHE or HOME)");
		vh_kernel_conf__free(conf);
		return -ENOENT;
	}
	return 0;
}

/* Are there apt lists of suite in the cache (so that staleness can be told offline)? */
static bool have_lists(const struct vh_kernel_cache *cache, const char *suite)
{
	char p[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;

	if ((size_t)snprintf(p, sizeof(p), "%s/apt/%s/lists", cache->root, suite) >= sizeof(p))
		return false;
	d = opendir(p);
	if (!d)
		return false;
	while (!found && (de = readdir(d)))
		found = strstr(de->d_name, "_Packages") != NULL;
	closedir(d);
	return found;
}

/* 1 stale (newest filled), 0 current, -1 unknown (no lists, or not found). */
static int stale(const struct kopts *o, const struct vh_kernel_cache *cache,
		 const struct vh_kernel_conf *conf, const struct vh_kernel_entry *e,
		 struct vh_kernel_entry *newest)
{
	char errbuf[256];

	if (!strcmp(e->series, "host") || (!o->refresh && !have_lists(cache, e->suite)))
		return -1;
	if (vh_kernel_cache__newest(cache, conf, e, o->refresh, newest, errbuf, sizeof(errbuf))) {
		if (o->refresh)
			vh_warn(e->series, "%s", errbuf);
		return -1;
	}
	return strcmp(newest->packages, e->packages) != 0;
}

static const char *const state_names[] = { "absent", "whole", "damaged" };

static int cmd_list(const struct kopts *o)
{
	struct vh_kernel_conf conf;
	struct vh_kernel_cache cache;
	struct vh_json_writer w;
	struct utsname u;
	int err;

	if (load(o, &conf, &cache))
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
		printf("%-6s %-18s %-24s %-8s %-6s %s\n", "SERIES", "SUITE", "RELEASE", "CACHED",
		       "STALE", "PACKAGES");
	}
	for (size_t i = 0; i < conf.n; i++) {
		const struct vh_kernel_entry *e = &conf.v[i];
		bool host = !strcmp(e->series, "host");
		char why[256], dir[PATH_MAX] = "", sub[128] = "";
		enum vh_entry_state st = host ? VH_ENTRY_WHOLE :
			vh_kernel_cache__check(&cache, e->release, false, why, sizeof(why));
		const char *rel = e->release;
		struct vh_kernel_entry newest;
		int is_stale = stale(o, &cache, &conf, e, &newest);
		unsigned long long size;

		if (!host && st != VH_ENTRY_WHOLE) {
			vh_kernel_cache__substitute(&cache, e->release, sub, sizeof(sub));
			if (sub[0] && vh_kernel_cache__has(&cache, sub))
				st = VH_ENTRY_WHOLE, rel = sub;
			else
				sub[0] = '\0';
		}
		size = host ? 0 : vh_kernel_cache__entry_size(&cache, rel);
		if (st == VH_ENTRY_WHOLE && !host)
			vh_kernel_cache__entry_dir(&cache, rel, dir, sizeof(dir));
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
			vh_json_writer__bool(&w, st == VH_ENTRY_WHOLE);
			vh_json_writer__kv_string(&w, "state", host ? NULL : state_names[st]);
			vh_json_writer__kv_string(&w, "path", dir[0] ? dir : NULL);
			vh_json_writer__kv_int(&w, "size", (long long)size);
			vh_json_writer__kv_string(&w, "substitute", sub[0] ? sub : NULL);
			vh_json_writer__key(&w, "stale");
			if (is_stale < 0)
				vh_json_writer__null(&w);
			else
				vh_json_writer__bool(&w, is_stale);
			vh_json_writer__kv_string(&w, "newest", is_stale == 1 ? newest.packages : NULL);
			vh_json_writer__end_object(&w);
		} else if (host) {
			printf("%-6s %-18s %-24s %-8s %-6s %s\n", e->series, "-", u.release, "-", "-",
			       "(the running kernel)");
		} else {
			char c[24];

			snprintf(c, sizeof(c), "%s", st == VH_ENTRY_DAMAGED ? "damaged" : "no");
			if (st == VH_ENTRY_WHOLE)
				snprintf(c, sizeof(c), "%lluMB%s", size >> 20, sub[0] ? "*" : "");
			printf("%-6s %-18s %-24s %-8s %-6s %s\n", e->series, e->suite, e->release, c,
			       is_stale < 0 ? "?" : is_stale ? "yes" : "no", e->packages);
			if (sub[0])
				printf("       * %s stands in for the pin (fetched with --allow-newer)\n",
				       sub);
			if (is_stale == 1)
				printf("       newest: %s\n", newest.packages);
		}
	}
	if (o->json) {
		vh_json_writer__end_array(&w);
		vh_json_writer__end_object(&w);
		err = vh_json_writer__finish(&w);
	} else {
		printf("(matrix: %s; cache: %s)\n", conf.path, cache.kernels);
		err = fflush(stdout) ? -errno : 0;
	}
	vh_kernel_conf__free(&conf);
	return err ? VH_EXIT_USAGE : VH_EXIT_OK;
}

static int cmd_fetch(const struct kopts *o, int argc, char **argv)
{
	struct vh_fetch_opts fo = { .log_fd = -1, .allow_newer = o->allow_newer };
	struct vh_kernel_conf conf;
	struct vh_kernel_cache cache;
	int rc = VH_EXIT_OK;

	if (argc < 1) {
		vh_err("kernel fetch", "which kernel? (e.g. 'bpfgate kernel fetch 6.1')");
		return VH_EXIT_USAGE;
	}
	if (load(o, &conf, &cache))
		return VH_EXIT_USAGE;
	for (int i = 0; i < argc && rc == VH_EXIT_OK; i++) {
		const struct vh_kernel_entry *e = vh_kernel_conf__find(&conf, argv[i]);
		char errbuf[1024], dir[PATH_MAX], used[128];
		int err;

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
		err = vh_kernel_cache__fetch_opts(&cache, &conf, e, &fo, used, sizeof(used), errbuf,
						  sizeof(errbuf));
		if (err == -ESTALE && !o->allow_newer) {
			vh_err(argv[i], "%s; --allow-newer takes the newest %s of %s instead, "
			       "'bpfgate kernel update' moves the pin", errbuf, e->series, e->suite);
			rc = VH_EXIT_USAGE;
			break;
		}
		if (err) {
			vh_err(argv[i], "%s", errbuf);
			rc = VH_EXIT_USAGE;
			break;
		}
		vh_kernel_cache__entry_dir(&cache, used, dir, sizeof(dir));
		if (strcmp(used, e->release))
			fprintf(stderr, "fetch: %s: cached in %s (%s stands in for the pinned %s, "
				"which left the mirror)\n", e->series, dir, used, e->release);
		else
			fprintf(stderr, "fetch: %s: cached in %s\n", e->series, dir);
	}
	vh_kernel_conf__free(&conf);
	return rc;
}

static int cmd_path(const struct kopts *o, int argc, char **argv)
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
	have_conf = !vh_kernel_conf__load_file(&conf, o->conf, errbuf, sizeof(errbuf));
	if (!have_conf && (o->conf || !strchr(argv[0], '/'))) {
		/* a series needs the matrix: say why it cannot be read */
		if (strcmp(argv[0], "host") && access(argv[0], F_OK)) {
			vh_err(NULL, "%s", errbuf);
			return VH_EXIT_USAGE;
		}
	}
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
		char why[256];

		if (vh_kernel_cache__check(&cache, spec.entry->release, false, why, sizeof(why)) ==
		    VH_ENTRY_DAMAGED)
			vh_err(argv[0], "the cache entry is damaged (%s): run 'bpfgate kernel "
			       "fetch %s'", why, argv[0]);
		else
			vh_err(argv[0], "not in the cache (run 'bpfgate kernel fetch %s')",
			       argv[0]);
		goto cleanup;
	}
	printf("%s\n", spec.image);
	rc = fflush(stdout) ? VH_EXIT_USAGE : VH_EXIT_OK;
cleanup:
	if (have_conf)
		vh_kernel_conf__free(&conf);
	return rc;
}

/* Move the stamp of a damaged entry aside: the next use sees the damage and fetches again. */
static void mark_damaged(const struct vh_kernel_cache *cache, const char *release)
{
	char from[PATH_MAX], to[PATH_MAX];

	if (!vh_kernel_cache__path(cache, from, sizeof(from), VH_STAMP_NAME, "%s", release) &&
	    !vh_kernel_cache__path(cache, to, sizeof(to), VH_STAMP_NAME ".damaged", "%s", release))
		rename(from, to);
}

static int cmd_verify(const struct kopts *o, int argc, char **argv)
{
	struct vh_kernel_conf conf;
	struct vh_kernel_cache cache;
	int rc = VH_EXIT_OK, checked = 0;

	if (load(o, &conf, &cache))
		return VH_EXIT_USAGE;
	for (int i = 0; i < argc; i++)
		if (!vh_kernel_conf__find(&conf, argv[i])) {
			vh_err(argv[i], "not a kernel of %s", conf.path);
			vh_kernel_conf__free(&conf);
			return VH_EXIT_USAGE;
		}
	for (size_t i = 0; i < conf.n; i++) {
		const struct vh_kernel_entry *e = &conf.v[i];
		char why[512], sub[128], dir[PATH_MAX] = "";
		const char *rel = e->release;
		bool wanted = !argc;

		for (int j = 0; j < argc; j++)
			wanted |= !strcmp(argv[j], e->series);
		if (!wanted || !strcmp(e->series, "host"))
			continue;
		vh_kernel_cache__substitute(&cache, e->release, sub, sizeof(sub));
		if (sub[0] && vh_kernel_cache__check(&cache, e->release, false, why, sizeof(why)) ==
			      VH_ENTRY_ABSENT)
			rel = sub;
		vh_kernel_cache__entry_dir(&cache, rel, dir, sizeof(dir));
		switch (vh_kernel_cache__check(&cache, rel, true, why, sizeof(why))) {
		case VH_ENTRY_ABSENT:
			printf("verify: %s: not cached\n", e->series);
			break;
		case VH_ENTRY_WHOLE:
			printf("verify: %s: whole (%s)\n", e->series, dir);
			checked++;
			break;
		case VH_ENTRY_DAMAGED:
			mark_damaged(&cache, rel);
			vh_err(e->series, "%s: damaged: %s (the next fetch or --kernel %s fetches "
			       "it again)", dir, why, e->series);
			rc = VH_EXIT_FAIL;
			break;
		}
	}
	vh_kernel_conf__free(&conf);
	return fflush(stdout) ? VH_EXIT_USAGE : rc;
}

static int cmd_update(const struct kopts *o)
{
	struct vh_kernel_entry repl[VH_KCONF_MAX_KERNELS];
	struct vh_kernel_conf conf;
	struct vh_kernel_cache cache;
	char errbuf[512];
	size_t n = 0;
	int rc = VH_EXIT_OK;

	if (load(o, &conf, &cache))
		return VH_EXIT_USAGE;
	for (size_t i = 0; i < conf.n; i++) {
		const struct vh_kernel_entry *e = &conf.v[i];
		struct vh_kernel_entry newest;

		if (!strcmp(e->series, "host"))
			continue;
		if (vh_kernel_cache__newest(&cache, &conf, e, true, &newest, errbuf,
					    sizeof(errbuf))) {
			vh_err(e->series, "%s", errbuf);
			rc = VH_EXIT_USAGE;
			break;
		}
		if (!strcmp(newest.packages, e->packages)) {
			printf("update: %s: %s is the newest\n", e->series, e->packages);
			continue;
		}
		printf("update: %s: %s -> %s\n", e->series, e->packages, newest.packages);
		repl[n++] = newest;
	}
	if (rc == VH_EXIT_OK && n && !o->dry_run &&
	    vh_kernel_conf__rewrite(&conf, repl, n, errbuf, sizeof(errbuf))) {
		vh_err(NULL, "%s", errbuf);
		rc = VH_EXIT_USAGE;
	}
	if (rc == VH_EXIT_OK)
		printf("update: %zu pin%s %s in %s\n", n, n == 1 ? "" : "s",
		       o->dry_run ? "would change" : "changed", conf.path);
	vh_kernel_conf__free(&conf);
	return fflush(stdout) ? VH_EXIT_USAGE : rc;
}

static int cmd_probe(const struct kopts *o)
{
	struct utsname u;
	char why[160];

	if (o->json) {
		struct vh_probe p;
		int err = vh_kernel_probe__run(&p);

		err = err ?: vh_probe__write_json(stdout, &p, o->pretty);
		vh_probe__clear(&p);
		return err ? VH_EXIT_USAGE : VH_EXIT_OK;
	}
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

static int kernel_opt(void *ctx, const struct vh_opt *opt, const struct vh_opt_val *v)
{
	struct kopts *o = ctx;

	switch (opt->id) {
	case VH_OPT_JSON:
		o->json = true;
		break;
	case VH_OPT_PRETTY:
		o->json = o->pretty = true;
		break;
	case OPT_CONF:
		o->conf = v->str;
		break;
	case OPT_ALLOW_NEWER:
		o->allow_newer = true;
		break;
	case OPT_REFRESH:
		o->refresh = true;
		break;
	case OPT_DRY_RUN:
		o->dry_run = true;
		break;
	}
	return 0;
}

int do_kernel(int argc, char **argv)
{
	static const struct {
		const char *opt, *sub;
		size_t off;
	} only[] = {
		{ "--allow-newer", "fetch", offsetof(struct kopts, allow_newer) },
		{ "--refresh", "list", offsetof(struct kopts, refresh) },
		{ "--dry-run", "update", offsetof(struct kopts, dry_run) },
	};
	struct kopts o = { 0 };
	const char *sub;
	int r;

	/* Options before COMMAND, then COMMAND's operands with options among them. */
	r = vh_opts__parse(&kernel_cmd, argc, argv, kernel_opt, &o, true);
	if (r <= 0)
		return r ? VH_EXIT_USAGE : VH_EXIT_OK;
	if (r >= argc) {
		vh_err("kernel", "expected a command: fetch, list, path, verify, update or probe "
		       "(try 'bpfgate kernel --help')");
		return VH_EXIT_USAGE;
	}
	argc -= r;
	argv += r;
	sub = argv[0];
	r = vh_opts__parse(&kernel_cmd, argc, argv, kernel_opt, &o, false);
	if (r <= 0)
		return r ? VH_EXIT_USAGE : VH_EXIT_OK;
	optind = r;
	for (size_t i = 0; i < sizeof(only) / sizeof(only[0]); i++)
		if (*(bool *)((char *)&o + only[i].off) && strcmp(sub, only[i].sub)) {
			vh_err(only[i].opt, "only for 'kernel %s'", only[i].sub);
			return VH_EXIT_USAGE;
		}
	if (!strcmp(sub, "list") || !strcmp(sub, "probe") || !strcmp(sub, "update")) {
		if (optind < argc) {
			vh_err(argv[optind], "unexpected argument for 'kernel %s'", sub);
			return VH_EXIT_USAGE;
		}
		if (!strcmp(sub, "update"))
			return cmd_update(&o);
		return !strcmp(sub, "list") ? cmd_list(&o) : cmd_probe(&o);
	}
	if (!strcmp(sub, "fetch"))
		return cmd_fetch(&o, argc - optind, argv + optind);
	if (!strcmp(sub, "path"))
		return cmd_path(&o, argc - optind, argv + optind);
	if (!strcmp(sub, "verify"))
		return cmd_verify(&o, argc - optind, argv + optind);
	vh_err(sub, "unknown kernel command (fetch, list, path, verify, update, probe; try --help)");
	return VH_EXIT_USAGE;
}
