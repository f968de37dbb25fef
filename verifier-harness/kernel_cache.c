// SPDX-License-Identifier: BSD-2-Clause
/* kernel_cache.c: read ci/kernels.conf, fetch kernels atomically under a lock, resolve --kernel. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fs_util.h"
#include "kernel_cache.h"

static int errf(char *buf, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int errf(char *buf, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return err;
}

static bool is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* snprintf that reports truncation as -ENAMETOOLONG */
static int pathf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int vh_kernel_conf__read(struct vh_kernel_conf *conf, const char *path, char *errbuf,
			 size_t errlen)
{
	char line[1024], *slash;
	int err = 0, lineno = 0;
	FILE *f;

	memset(conf, 0, sizeof(*conf));
	if (pathf(conf->path, sizeof(conf->path), "%s", path))
		return errf(errbuf, errlen, -ENAMETOOLONG, "path too long");
	f = fopen(path, "re");
	if (!f)
		return errf(errbuf, errlen, -errno, "cannot read the kernel matrix: %s",
			    strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		struct vh_kernel_entry e, *v;
		char *fields[] = { e.series, e.suite, e.release, e.packages };
		const size_t sizes[] = { sizeof(e.series), sizeof(e.suite), sizeof(e.release),
					 sizeof(e.packages) };
		char *hash, *tok, *save = NULL;
		int n = 0;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			err = errf(errbuf, errlen, -EINVAL, "line %d: longer than %zu bytes",
				   lineno, sizeof(line) - 2);
			goto cleanup;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		memset(&e, 0, sizeof(e));
		for (tok = strtok_r(line, " \t\r\n", &save); tok;
		     tok = strtok_r(NULL, " \t\r\n", &save), n++) {
			if (n >= 4) {
				n++;
				break;
			}
			if (strlen(tok) >= sizes[n]) {
				err = errf(errbuf, errlen, -EINVAL, "line %d: field %d longer than %zu bytes",
					   lineno, n + 1, sizes[n] - 1);
				goto cleanup;
			}
			strcpy(fields[n], tok);
		}
		if (n == 0)
			continue;
		if (n != 4) {
			err = errf(errbuf, errlen, -EINVAL, "line %d: expected 4 fields, got %s%d",
				   lineno, n > 4 ? "more than " : "", n > 4 ? 4 : n);
			goto cleanup;
		}
		if (vh_kernel_conf__find(conf, e.series)) {
			err = errf(errbuf, errlen, -EINVAL, "line %d: series %s is listed twice",
				   lineno, e.series);
			goto cleanup;
		}
		v = realloc(conf->v, (conf->n + 1) * sizeof(*v));
		if (!v) {
			err = errf(errbuf, errlen, -ENOMEM, "out of memory");
			goto cleanup;
		}
		conf->v = v;
		conf->v[conf->n++] = e;
	}
	/* kernels.sh lives beside kernels.conf */
	slash = strrchr(conf->path, '/');
	if (slash)
		err = pathf(conf->script, sizeof(conf->script), "%.*s/kernels.sh",
			    (int)(slash - conf->path), conf->path);
	else
		err = pathf(conf->script, sizeof(conf->script), "kernels.sh");
cleanup:
	fclose(f);
	if (err)
		vh_kernel_conf__free(conf);
	return err;
}

int vh_kernel_conf__load(struct vh_kernel_conf *conf, char *errbuf, size_t errlen)
{
	const char *env = getenv("BPFGATE_KERNELS_CONF");
	char exe[PATH_MAX], cand[PATH_MAX];
	const char *rel[] = { "../ci", "../share/bpfgate/ci", "../../ci" };
	ssize_t n;

	if (env && *env)
		return vh_kernel_conf__read(conf, env, errbuf, errlen);
	env = getenv("BPFGATE_DATADIR");
	if (env && *env) {
		if (pathf(cand, sizeof(cand), "%s/kernels.conf", env))
			return errf(errbuf, errlen, -ENAMETOOLONG, "BPFGATE_DATADIR too long");
		return vh_kernel_conf__read(conf, cand, errbuf, errlen);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
			if (!pathf(cand, sizeof(cand), "%s/%s/kernels.conf", exe, rel[i]) &&
			    is_file(cand))
				return vh_kernel_conf__read(conf, cand, errbuf, errlen);
	}
#ifdef BPFGATE_CI_DIR
	if (!pathf(cand, sizeof(cand), "%s/kernels.conf", BPFGATE_CI_DIR) && is_file(cand))
		return vh_kernel_conf__read(conf, cand, errbuf, errlen);
#endif
	return errf(errbuf, errlen, -ENOENT,
		    "ci/kernels.conf not found (set BPFGATE_DATADIR or BPFGATE_KERNELS_CONF)");
}

const struct vh_kernel_entry *vh_kernel_conf__find(const struct vh_kernel_conf *conf,
						   const char *series)
{
	for (size_t i = 0; i < conf->n; i++)
		if (!strcmp(conf->v[i].series, series))
			return &conf->v[i];
	return NULL;
}

void vh_kernel_conf__free(struct vh_kernel_conf *conf)
{
	free(conf->v);
	conf->v = NULL;
	conf->n = 0;
}

int vh_kernel_cache__init(struct vh_kernel_cache *cache)
{
	const char *env = getenv("BPFGATE_CACHE");
	int err;

	memset(cache, 0, sizeof(*cache));
	if (env && *env) {
		err = pathf(cache->root, sizeof(cache->root), "%s", env);
	} else if ((env = getenv("XDG_CACHE_HOME")) && *env == '/') {
		err = pathf(cache->root, sizeof(cache->root), "%s/bpfgate", env);
	} else {
		env = getenv("HOME");
		if (!env || !*env)
			return -ENOENT;
		err = pathf(cache->root, sizeof(cache->root), "%s/.cache/bpfgate", env);
	}
	return err ?: pathf(cache->kernels, sizeof(cache->kernels), "%s/kernels", cache->root);
}

int vh_kernel_cache__entry_dir(const struct vh_kernel_cache *cache, const char *release,
			       char *buf, size_t len)
{
	return pathf(buf, len, "%s/%s", cache->kernels, release);
}

bool vh_kernel_cache__has(const struct vh_kernel_cache *cache, const char *release)
{
	char p[PATH_MAX];

	/* the manifest is written last, before the rename */
	return !pathf(p, sizeof(p), "%s/%s/manifest", cache->kernels, release) && is_file(p);
}

static unsigned long long du(const char *path, int depth)
{
	unsigned long long sum = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (lstat(path, &st))
		return 0;
	if (!S_ISDIR(st.st_mode))
		return (unsigned long long)st.st_blocks * 512;
	if (depth > 16 || !(d = opendir(path)))
		return 0;
	while ((de = readdir(d))) {
		char p[PATH_MAX];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!pathf(p, sizeof(p), "%s/%s", path, de->d_name))
			sum += du(p, depth + 1);
	}
	closedir(d);
	return sum;
}

unsigned long long vh_kernel_cache__entry_size(const struct vh_kernel_cache *cache,
					       const char *release)
{
	char p[PATH_MAX];

	if (!vh_kernel_cache__has(cache, release) ||
	    vh_kernel_cache__entry_dir(cache, release, p, sizeof(p)))
		return 0;
	return du(p, 0);
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];

	if (pathf(tmp, sizeof(tmp), "%s", path))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Remove what killed fetches of release left behind (called under its lock). */
static void remove_stale(const struct vh_kernel_cache *cache, const char *release)
{
	char prefix[256], p[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(cache->kernels);

	if (!d || pathf(prefix, sizeof(prefix), ".tmp-%s.", release)) {
		if (d)
			closedir(d);
		return;
	}
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)) &&
		    !pathf(p, sizeof(p), "%s/%s", cache->kernels, de->d_name))
			vh_rm_rf(p);
	closedir(d);
}

/* Run kernels.sh fetch SERIES DIR; the lock fd stays open in the child on purpose,
 * so the lock is held as long as anything of this fetch still runs. */
static int run_script(const struct vh_kernel_cache *cache, const struct vh_kernel_conf *conf,
		      const struct vh_kernel_entry *e, const char *dir, int log_fd)
{
	char apt[PATH_MAX];
	int status;
	pid_t pid;

	if (pathf(apt, sizeof(apt), "%s/apt", cache->root))
		return -ENAMETOOLONG;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* if bpfgate dies, the fetch stops too (its folder stays .tmp-) */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (log_fd >= 0) {
			dup2(log_fd, STDOUT_FILENO);
			dup2(log_fd, STDERR_FILENO);
		} else {
			dup2(STDERR_FILENO, STDOUT_FILENO);
		}
		setenv("BPFGATE_KERNELS_CONF", conf->path, 1);
		if (!getenv("BPFGATE_APT_STATE"))
			setenv("BPFGATE_APT_STATE", apt, 1);
		execlp("bash", "bash", conf->script, "fetch", e->series, dir, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return -EIO;
}

static int write_manifest(const char *dir, const struct vh_kernel_entry *e)
{
	char p[PATH_MAX];
	FILE *f;
	int err;

	if (pathf(p, sizeof(p), "%s/manifest", dir))
		return -ENAMETOOLONG;
	f = fopen(p, "we");
	if (!f)
		return -errno;
	fprintf(f, "series %s\nsuite %s\nrelease %s\npackages %s\nfetched %lld\n", e->series,
		e->suite, e->release, e->packages, (long long)time(NULL));
	err = fflush(f) || fsync(fileno(f)) ? -errno : 0;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

int vh_kernel_cache__fetch(const struct vh_kernel_cache *cache, const struct vh_kernel_conf *conf,
			   const struct vh_kernel_entry *e, int log_fd, char *errbuf,
			   size_t errlen)
{
	char lockp[PATH_MAX], tmp[PATH_MAX], final[PATH_MAX];
	int lock = -1, err;

	if (!strcmp(e->suite, "-"))
		return errf(errbuf, errlen, -EINVAL, "nothing to fetch (the running kernel)");
	err = mkdir_p(cache->kernels);
	if (err)
		return errf(errbuf, errlen, err, "%s: %s", cache->kernels, strerror(-err));
	if (pathf(lockp, sizeof(lockp), "%s/.%s.lock", cache->kernels, e->release) ||
	    pathf(tmp, sizeof(tmp), "%s/.tmp-%s.XXXXXX", cache->kernels, e->release) ||
	    vh_kernel_cache__entry_dir(cache, e->release, final, sizeof(final)))
		return errf(errbuf, errlen, -ENAMETOOLONG, "cache path too long");

	/* not O_CLOEXEC: kernels.sh inherits it (see run_script) */
	lock = open(lockp, O_RDWR | O_CREAT, 0644);
	if (lock < 0)
		return errf(errbuf, errlen, -errno, "%s: %s", lockp, strerror(errno));
	if (flock(lock, LOCK_EX | LOCK_NB)) {
		if (log_fd >= 0)
			dprintf(log_fd, "fetch: %s: waiting for another fetch of it\n", e->series);
		else
			fprintf(stderr, "fetch: %s: waiting for another fetch of it\n", e->series);
		while (flock(lock, LOCK_EX))
			if (errno != EINTR) {
				err = errf(errbuf, errlen, -errno, "lock: %s", strerror(errno));
				goto cleanup;
			}
	}
	/* another run may have fetched it while we waited */
	if (vh_kernel_cache__has(cache, e->release))
		goto cleanup;
	remove_stale(cache, e->release);
	/* a complete-looking folder without manifest is not ours to trust */
	if (is_dir(final))
		vh_rm_rf(final);
	if (!mkdtemp(tmp)) {
		err = errf(errbuf, errlen, -errno, "%s: %s", tmp, strerror(errno));
		goto cleanup;
	}
	chmod(tmp, 0755);
	err = run_script(cache, conf, e, tmp, log_fd);
	if (err) {
		err = errf(errbuf, errlen, err,
			   err == -EIO ? "fetching %s failed (see the lines above)" : "fetching %s: %s",
			   e->release, strerror(-err));
		goto cleanup_tmp;
	}
	err = write_manifest(tmp, e);
	if (err) {
		err = errf(errbuf, errlen, err, "manifest: %s", strerror(-err));
		goto cleanup_tmp;
	}
	if (rename(tmp, final)) {
		err = errf(errbuf, errlen, -errno, "%s: %s", final, strerror(errno));
		goto cleanup_tmp;
	}
	goto cleanup;
cleanup_tmp:
	vh_rm_rf(tmp);
cleanup:
	close(lock);
	return err;
}

/* vmlinuz-RELEASE -> RELEASE */
static void release_from_name(const char *path, char *rel, size_t len)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!strncmp(base, "vmlinuz-", 8))
		snprintf(rel, len, "%s", base + 8);
	else if (!strncmp(base, "vmlinux-", 8))
		snprintf(rel, len, "%s", base + 8);
}

static int resolve_path(const char *arg, struct vh_kernel_spec *spec, char *errbuf, size_t errlen)
{
	char abs[PATH_MAX], p[PATH_MAX], dir[PATH_MAX], *slash;

	if (!realpath(arg, abs))
		return errf(errbuf, errlen, -ENOENT, "no such kernel, image or build tree");
	if (is_dir(abs)) {
		/* a kernel build tree */
		if (!pathf(p, sizeof(p), "%s/arch/x86/boot/bzImage", abs) && is_file(p)) {
			snprintf(spec->image, sizeof(spec->image), "%s", p);
			if (!pathf(p, sizeof(p), "%s/.config", abs) && is_file(p))
				snprintf(spec->config, sizeof(spec->config), "%s", p);
			if (!pathf(p, sizeof(p), "%s/vmlinux", abs) && is_file(p))
				snprintf(spec->vmlinux, sizeof(spec->vmlinux), "%s", p);
			return 0;
		}
		/* a folder laid out like a cache entry */
		if (!pathf(p, sizeof(p), "%s/vmlinuz", abs) && is_file(p)) {
			snprintf(spec->image, sizeof(spec->image), "%s", p);
			if (!pathf(p, sizeof(p), "%s/config", abs) && is_file(p))
				snprintf(spec->config, sizeof(spec->config), "%s", p);
			if (!pathf(p, sizeof(p), "%s/lib/modules", abs) && is_dir(p))
				snprintf(spec->modroot, sizeof(spec->modroot), "%s", abs);
			if (!pathf(p, sizeof(p), "%s/vmlinux", abs) && is_file(p))
				snprintf(spec->vmlinux, sizeof(spec->vmlinux), "%s", p);
			return 0;
		}
		return errf(errbuf, errlen, -EINVAL,
			    "a folder but no kernel build tree (arch/x86/boot/bzImage) nor vmlinuz");
	}
	if (!is_file(abs))
		return errf(errbuf, errlen, -EINVAL, "not a kernel image");
	snprintf(spec->image, sizeof(spec->image), "%s", abs);
	release_from_name(abs, spec->release, sizeof(spec->release));
	snprintf(dir, sizeof(dir), "%s", abs);
	slash = strrchr(dir, '/');
	*slash = '\0';
	/* the config beside the image: config-RELEASE (as in /boot), config, .config */
	if (spec->release[0] && !pathf(p, sizeof(p), "%s/config-%s", dir, spec->release) &&
	    is_file(p))
		snprintf(spec->config, sizeof(spec->config), "%s", p);
	else if (!pathf(p, sizeof(p), "%s/config", dir) && is_file(p))
		snprintf(spec->config, sizeof(spec->config), "%s", p);
	else if (strlen(dir) > 14 && !strcmp(dir + strlen(dir) - 14, "/arch/x86/boot") &&
		 !pathf(p, sizeof(p), "%.*s/.config", (int)(strlen(dir) - 14), dir) && is_file(p))
		snprintf(spec->config, sizeof(spec->config), "%s", p);
	/* modules of an image in /boot are under /lib/modules */
	if (spec->release[0] && !strcmp(dir, "/boot") &&
	    !pathf(p, sizeof(p), "/lib/modules/%s", spec->release) && is_dir(p))
		snprintf(spec->modroot, sizeof(spec->modroot), "/");
	return 0;
}

int vh_kernel__resolve(const char *arg, const struct vh_kernel_conf *conf,
		       const struct vh_kernel_cache *cache, struct vh_kernel_spec *spec,
		       char *errbuf, size_t errlen)
{
	const struct vh_kernel_entry *e;
	char dir[PATH_MAX];

	memset(spec, 0, sizeof(*spec));
	if (pathf(spec->name, sizeof(spec->name), "%s", arg))
		return errf(errbuf, errlen, -ENAMETOOLONG, "name too long");
	if (!strcmp(arg, "host")) {
		struct utsname u;

		spec->host = true;
		if (!uname(&u))
			snprintf(spec->release, sizeof(spec->release), "%s", u.release);
		return 0;
	}
	e = conf ? vh_kernel_conf__find(conf, arg) : NULL;
	if (e) {
		spec->entry = e;
		snprintf(spec->release, sizeof(spec->release), "%s", e->release);
		if (vh_kernel_cache__entry_dir(cache, e->release, dir, sizeof(dir)))
			return errf(errbuf, errlen, -ENAMETOOLONG, "cache path too long");
		spec->cached = vh_kernel_cache__has(cache, e->release);
		pathf(spec->image, sizeof(spec->image), "%s/vmlinuz", dir);
		pathf(spec->config, sizeof(spec->config), "%s/config", dir);
		pathf(spec->modroot, sizeof(spec->modroot), "%s", dir);
		pathf(spec->vmlinux, sizeof(spec->vmlinux), "%s/vmlinux", dir);
		return 0;
	}
	/* a series-looking name that is not in the matrix */
	if (!strchr(arg, '/') && access(arg, F_OK)) {
		char known[512] = "";
		size_t off = 0;

		for (size_t i = 0; conf && i < conf->n && off < sizeof(known); i++)
			off += snprintf(known + off, sizeof(known) - off, "%s%s", i ? " " : "",
					conf->v[i].series);
		return errf(errbuf, errlen, -ENOENT,
			    "not a kernel of the matrix (%s), nor a kernel image or build tree",
			    known);
	}
	return resolve_path(arg, spec, errbuf, errlen);
}

/* Value of CONFIG_name in a .config: 'y', 'm', or 0 when unset. */
static char config_value(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; (p = strstr(p, name)); p += n) {
		if ((p == text || p[-1] == '\n') && p[n] == '=')
			return p[n + 1] == 'y' || p[n + 1] == 'm' ? p[n + 1] : 0;
	}
	return 0;
}

static char *read_text(const char *path)
{
	char *buf = NULL;
	size_t cap = 0, len = 0, n;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	do {
		if (cap - len < 65536) {
			char *nb = realloc(buf, cap + 262144);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap += 262144;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

int vh_kernel__preflight(const struct vh_kernel_spec *spec, const char *backend, char *missing,
			 size_t len)
{
	/* qemu boots the image straight into our initramfs: no modules can help */
	static const char *const qemu_need[] = { "CONFIG_BLK_DEV_INITRD", "CONFIG_DEVTMPFS",
						 "CONFIG_SERIAL_8250", "CONFIG_SERIAL_8250_CONSOLE",
						 NULL };
	static const char *const common[] = { "CONFIG_BPF_SYSCALL", "CONFIG_DEBUG_INFO_BTF",
					      NULL };
	bool vng = !strcmp(backend, "vng");
	size_t off = 0;
	char *text;

	missing[0] = '\0';
	if (!spec->config[0] || !(text = read_text(spec->config)))
		return -ENOENT;
#define MISSING(name)                                                                   \
	do {                                                                            \
		if (off < len)                                                          \
			off += snprintf(missing + off, len - off, "%s%s", off ? " " : "", \
					name);                                          \
	} while (0)
	for (int i = 0; common[i]; i++)
		if (config_value(text, common[i]) != 'y')
			MISSING(common[i]);
	if (vng) {
		/* modules are fine here: vng loads them from the kernel's modules */
		if (!config_value(text, "CONFIG_VIRTIO_CONSOLE"))
			MISSING("CONFIG_VIRTIO_CONSOLE");
		if (!(config_value(text, "CONFIG_NET_9P_VIRTIO") && config_value(text, "CONFIG_9P_FS")) &&
		    !config_value(text, "CONFIG_VIRTIO_FS"))
			MISSING("CONFIG_9P_FS+CONFIG_NET_9P_VIRTIO|CONFIG_VIRTIO_FS");
	} else {
		for (int i = 0; qemu_need[i]; i++)
			if (config_value(text, qemu_need[i]) != 'y')
				MISSING(qemu_need[i]);
	}
#undef MISSING
	free(text);
	return off ? -ENOTSUP : 0;
}

const char *vh_kernel__qemu_image(const struct vh_kernel_spec *spec)
{
	char *text;
	bool pvh;

	if (!spec->vmlinux[0] || !is_file(spec->vmlinux) || !spec->config[0])
		return spec->image;
	text = read_text(spec->config);
	if (!text)
		return spec->image;
	pvh = config_value(text, "CONFIG_PVH") == 'y';
	free(text);
	return pvh ? spec->vmlinux : spec->image;
}
