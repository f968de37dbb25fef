// SPDX-License-Identifier: BSD-2-Clause
/* result_cache.c: host verification results by what decides them (result_cache.h). */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "kernel_cache.h"
#include "kernel_probe.h"
#include "fs_util.h"
#include "result_cache.h"
#include "result_json.h"
#include "sha256.h"
#include "strfmt.h"
#include "term_line.h"

/* An entry starts with this line and its name; then the JSON result document. */
#define MAGIC "bpfgate-result-cache"
#define ENTRY_MAX (64u << 20)
/* the results folder, "/ab/", 64 hex digits, ".json" or a temp suffix */
#define ENTRY_PATH_MAX (PATH_MAX + 96)

static void key_field(struct vh_sha256 *s, const char *name, const char *value)
{
	char head[64];
	int n;

	/* "name LEN:value": a value that holds a separator cannot forge another */
	n = snprintf(head, sizeof(head), "%s %zu:", name, value ? strlen(value) : (size_t)0);
	vh_sha256__update(s, head, n);
	vh_sha256__update(s, value ? value : "", value ? strlen(value) : 0);
	/* NULL and "" differ */
	vh_sha256__update(s, value ? "\n" : "\0", 1);
}

void vh_result_cache__key(const struct vh_result_cache_key *key, char hex[65])
{
	struct vh_sha256 s;
	char version[16];

	vh_sha256__init(&s);
	snprintf(version, sizeof(version), "%d", VH_RESULT_CACHE_VERSION);
	key_field(&s, "format", version);
	key_field(&s, "object", key->object_hash);
	key_field(&s, "path", key->object_path);
	key_field(&s, "kernel", key->kernel);
	key_field(&s, "tool", key->tool);
	key_field(&s, "type", key->prog_type);
	key_field(&s, "prog", key->filter);
	key_field(&s, "btf", key->btf_hash);
	vh_sha256__hex(&s, hex);
}

/* SHA-256 of a file's bytes; 0 or -errno. */
static int hash_file(const char *path, char hex[65])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = vh_sha256__fd(fd, hex);
	close(fd);
	return err;
}

/* true for 64 lowercase hex digits and nothing else (a NUL or newline after) */
static bool is_hex64(const char *s)
{
	return strspn(s, "0123456789abcdef") == 64 && (s[64] == '\0' || s[64] == '\n');
}

/*
 * The SHA-256 of file, kept in DIR/memo (a name of hex digits and dashes): 5 MiB
 * of kernel BTF or a megabyte of executable cost more to hash than a whole run
 * from the cache, and what they hold does not change while memo's name stays
 * true (a boot id, a file's device, inode, size and time).
 */
static void memo_hash(const char *dir, const char *memo_name, const char *file, char hex[65])
{
	char memo[PATH_MAX + 80], tmp[PATH_MAX + 100], text[80] = "";
	int fd;

	snprintf(memo, sizeof(memo), "%s/%s", dir, memo_name);
	fd = dir[0] ? open(memo, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (fd >= 0) {
		ssize_t n = read(fd, text, sizeof(text) - 1);

		close(fd);
		text[n > 0 ? n : 0] = '\0';
		if (is_hex64(text)) {
			snprintf(hex, 65, "%.64s", text);
			return;
		}
	}
	if (hash_file(file, hex)) {
		snprintf(hex, 65, "none");
		return;
	}
	/* written whole or not at all, like an entry */
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", memo);
	if (!dir[0] || vh_mkdir_p(dir, 0700))
		return;
	fd = mkstemp(tmp);
	if (fd < 0)
		return;
	if (write(fd, hex, 64) != 64 || close(fd) || rename(tmp, memo))
		unlink(tmp);
}

/* The running kernel's BTF hash, kept per boot (a boot id is a UUID). */
static void kernel_btf_hash(const char *dir, char hex[65])
{
	char boot[64] = "", name[80];
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	if (f) {
		if (!fgets(boot, sizeof(boot), f))
			boot[0] = '\0';
		fclose(f);
	}
	boot[strspn(boot, "0123456789abcdef-")] = '\0';
	snprintf(name, sizeof(name), "boot-%s", boot);
	memo_hash(boot[0] ? dir : "", name, "/sys/kernel/btf/vmlinux", hex);
}

static char *kernel_identity(const char *dir)
{
	struct utsname u;
	char btf[65];

	if (uname(&u))
		return NULL;
	/* a kernel without BTF is named by its release and build string alone */
	kernel_btf_hash(dir, btf);
	return vh_strfmt("%s %s %s btf:%s", u.release, u.version, u.machine, btf);
}

static char *tool_identity(const char *dir)
{
	struct vh_sha256 s;
	struct stat st;
	char id[160], name[80], exe[65];

	/* the executable's bytes, not only the version: a rebuilt bpfgate may judge
	 * otherwise, and the same bytes built again (a CI run) judge the same */
	if (stat("/proc/self/exe", &st))
		return NULL;
	snprintf(id, sizeof(id), "%llu:%llu:%lld:%lld.%09ld", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		 st.st_mtim.tv_nsec);
	vh_sha256__init(&s);
	vh_sha256__update(&s, id, strlen(id));
	vh_sha256__hex(&s, exe);
	snprintf(name, sizeof(name), "exe-%.32s", exe);
	memo_hash(dir, name, "/proc/self/exe", exe);
	return vh_strfmt("bpfgate %s exe:%s libbpf %s", BPFGATE_VERSION, exe,
			 libbpf_version_string());
}

int vh_result_cache__open(struct vh_result_cache *c, const struct vh_verify_opts *opts,
			  const char *btf)
{
	const char *env = getenv("BPFGATE_RESULT_CACHE");
	struct vh_kernel_cache kc;
	int n;

	memset(c, 0, sizeof(*c));
	c->opts = opts;
	if (env && *env) {
		n = snprintf(c->dir, sizeof(c->dir), "%s", env);
	} else {
		if (vh_kernel_cache__init(&kc))
			return -ENOENT;
		n = snprintf(c->dir, sizeof(c->dir), "%s/results", kc.root);
	}
	if (n < 0 || (size_t)n >= sizeof(c->dir) - 80) {
		c->dir[0] = '\0';
		return -ENAMETOOLONG;
	}
	if (btf && hash_file(btf, c->btf_hash))
		return -errno;
	c->kernel = kernel_identity(c->dir);
	c->tool = tool_identity(c->dir);
	if (!c->kernel || !c->tool)
		return -ENOMEM;
	c->on = true;
	return 0;
}

const char *vh_result_cache__dir(const struct vh_result_cache *c)
{
	return c->dir;
}

/* The entry name of object path (hashing its bytes); 0 or -errno. */
static int entry_name(const struct vh_result_cache *c, const char *path, char name[65])
{
	struct vh_result_cache_key key = {
		.object_path = path,
		.kernel = c->kernel,
		.tool = c->tool,
		.prog_type = c->opts->prog_type,
		.filter = c->opts->filter,
		.btf_hash = c->btf_hash[0] ? c->btf_hash : NULL,
	};
	char obj[65];
	int err = hash_file(path, obj);

	if (err)
		return err;
	key.object_hash = obj;
	vh_result_cache__key(&key, name);
	return 0;
}

/* RESULTS/ab/abcd...json (sub: the folder only) */
static void entry_path(const struct vh_result_cache *c, const char *name, bool sub,
		       char *buf, size_t len)
{
	if (sub)
		snprintf(buf, len, "%s/%.2s", c->dir, name);
	else
		snprintf(buf, len, "%s/%.2s/%s.json", c->dir, name, name);
}

/* The entry's text (NUL-terminated) without following a symbolic link; or NULL. */
static char *read_entry(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char *text = NULL;
	struct stat st;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || vh_read_fd(fd, ENTRY_MAX, &text, len) ||
	    !*len) {
		free(text);
		text = NULL;
	}
	close(fd);
	return text;
}

/* Results of a parsed entry that belong to path on this kernel: all or nothing. */
static bool entry_matches(const struct vh_result_cache *c, const struct vh_result_set *set,
			  const char *path)
{
	const char *release = c->opts->kernel ?: vh_kernel_release();

	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];

		if (!r->object || strcmp(r->object, path) || !r->kernel ||
		    strcmp(r->kernel, release) || r->verdict == VH_ERROR)
			return false;
	}
	return true;
}

int vh_result_cache__lookup(struct vh_result_cache *c, const char *path,
			    struct vh_result_set *out)
{
	struct vh_result_set set = { 0 };
	struct vh_result_cache_miss *grown;
	char name[65], file[ENTRY_PATH_MAX], head[128], errbuf[128], *text, *nl;
	size_t len, hlen;
	int found = 0;

	if (!c->on || entry_name(c, path, name))
		return 0;
	entry_path(c, name, false, file, sizeof(file));
	text = read_entry(file, &len);
	hlen = snprintf(head, sizeof(head), MAGIC " %s\n", name);
	nl = text && len > hlen && !memcmp(text, head, hlen) ? text + hlen : NULL;
	if (nl && !vh_result_set__parse_json(nl, len - hlen, &set, errbuf, sizeof(errbuf)) &&
	    entry_matches(c, &set, path)) {
		found = 1;
		for (size_t i = 0; i < set.n && found; i++)
			if (vh_result_set__append(out, &set.v[i]))
				found = 0;
		if (found)
			c->hits += set.n;
	}
	free(text);
	vh_result_set__free(&set);
	if (found)
		return 1;
	/* not there, or not whole: verified again, and written again */
	grown = realloc(c->miss, (c->nmiss + 1) * sizeof(*c->miss));
	if (!grown)
		return 0;
	c->miss = grown;
	c->miss[c->nmiss].path = strdup(path);
	memcpy(c->miss[c->nmiss].name, name, sizeof(name));
	if (c->miss[c->nmiss].path)
		c->nmiss++;
	return 0;
}

/* Write results[0..n) of one object as entry name: temp file, then rename. */
static void store(const struct vh_result_cache *c, const char *name,
		  const struct vh_result *results, size_t n)
{
	struct vh_result_set set = { .version = (char *)BPFGATE_VERSION };
	char file[ENTRY_PATH_MAX], tmp[ENTRY_PATH_MAX + 32];
	FILE *f;
	int fd, err;

	for (size_t i = 0; i < n; i++)
		if (results[i].verdict == VH_ERROR)
			return;
	/* the results folder is made by its owner's bpfgate, private to them (and the
	 * cache folders above it, on a first run) */
	if (vh_mkdir_p(c->dir, 0700))
		return;
	entry_path(c, name, true, file, sizeof(file));
	if (mkdir(file, 0700) && errno != EEXIST)
		return;
	snprintf(tmp, sizeof(tmp), "%s/.%.16s.XXXXXX", file, name);
	entry_path(c, name, false, file, sizeof(file));
	fd = mkstemp(tmp);
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return;
	}
	/* the set borrows the results: written, never freed */
	set.v = (struct vh_result *)results;
	set.n = n;
	err = fprintf(f, MAGIC " %s\n", name) < 0;
	err |= vh_result_set__write_json(f, &set, false) != 0;
	err |= fclose(f) != 0;
	if (err || rename(tmp, file))
		unlink(tmp);
}

/* Index of the next result from *at that belongs to path's group; advances *at. */
static size_t group(const struct vh_result_set *set, size_t *at, const char *path)
{
	size_t start = *at;

	while (*at < set->n && set->v[*at].object && !strcmp(set->v[*at].object, path))
		(*at)++;
	return start;
}

int vh_result_cache__merge(struct vh_result_cache *c, char *const *objs, int nobjs,
			   const struct vh_result_set *cached, const struct vh_result_set *fresh,
			   struct vh_result_set *out, bool keep)
{
	size_t ci = 0, fi = 0, mi = 0;

	for (int i = 0; i < nobjs; i++) {
		const struct vh_result_set *from = cached;
		size_t *at = &ci, start, m;

		/* a missed object is the next miss of that path (misses that never
		 * listed have no group) */
		for (m = mi; m < c->nmiss && strcmp(c->miss[m].path, objs[i]); m++)
			;
		if (m < c->nmiss) {
			from = fresh;
			at = &fi;
			mi = m + 1;
		}
		start = group(from, at, objs[i]);
		for (size_t k = start; k < *at; k++)
			if (vh_result_set__append(out, &from->v[k]))
				return -ENOMEM;
		if (from == fresh && keep)
			store(c, c->miss[m].name, from->v + start, *at - start);
	}
	/* results of no object given (none expected): kept, not lost */
	for (; fi < fresh->n; fi++)
		if (vh_result_set__append(out, &fresh->v[fi]))
			return -ENOMEM;
	return 0;
}

void vh_result_cache__close(struct vh_result_cache *c)
{
	for (size_t i = 0; i < c->nmiss; i++)
		free(c->miss[i].path);
	free(c->miss);
	free(c->kernel);
	free(c->tool);
	memset(c, 0, sizeof(*c));
}

/* Write text as file: temp file in the same folder, then rename. */
static void write_whole(const char *dir, const char *file, const char *text, size_t len)
{
	char tmp[ENTRY_PATH_MAX + 32];
	int fd;

	if (vh_mkdir_p(dir, 0700))
		return;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", file);
	fd = mkstemp(tmp);
	if (fd < 0)
		return;
	if (write(fd, text, len) != (ssize_t)len || close(fd) || rename(tmp, file))
		unlink(tmp);
}

int vh_result_cache__probe(struct vh_result_cache *c, struct vh_probe *p)
{
	char name[65], file[ENTRY_PATH_MAX], errbuf[128], *text = NULL;
	struct vh_sha256 s;
	size_t len = 0;
	int err;

	if (!c->on)
		return vh_kernel_probe__run(p);
	vh_sha256__init(&s);
	key_field(&s, "probe", c->kernel);
	key_field(&s, "tool", c->tool);
	vh_sha256__hex(&s, name);
	snprintf(file, sizeof(file), "%s/probe-%s.json", c->dir, name);
	text = read_entry(file, &len);
	err = text ? vh_probe__parse(text, len, p, errbuf, sizeof(errbuf)) : -ENOENT;
	free(text);
	if (!err)
		return 0;
	/* missing, or not a probe (cut short, garbled): probe again and keep that */
	err = vh_kernel_probe__run(p);
	if (!err && !vh_probe__to_text(p, &text))
		write_whole(c->dir, file, text, strlen(text));
	free(text);
	return err;
}

void vh_result_cache__report(const struct vh_result_cache *c, FILE *f, size_t total)
{
	if (c->hits)
		vh_term__line(f, vh_term__width(fileno(f)),
			      "%zu of %zu results from cache (%s; --no-cache verifies again)",
			      c->hits, total, c->dir);
}
