// SPDX-License-Identifier: BSD-2-Clause
/*
 * kernel_cache.c: find kernels.conf and kernels.sh, build every cache path safely, fetch
 * kernels atomically under a lock (children in their own process group), check entries
 * against their stamp, resolve --kernel.
 */
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
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fs_util.h"
#include "kernel_cache.h"
#include "kernel_stamp.h"
#include "spawn.h"
#include "strfmt.h"

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

/* --- kernels.conf and kernels.sh -------------------------------------------------- */

/* bpfgate's data folder (the one holding kernels.sh): see vh_kernel_conf__load. */
static int data_dir(char *buf, size_t len)
{
	static const char *const rel[] = { "../ci", "../share/bpfgate/ci", "../../ci" };
	const char *env = getenv("BPFGATE_DATADIR");
	char exe[PATH_MAX], cand[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return vh_bfmt(buf, len, "%s", env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
			if (!vh_bfmt(cand, sizeof(cand), "%s/%s/kernels.sh", exe, rel[i]) &&
			    is_file(cand))
				return vh_bfmt(buf, len, "%s/%s", exe, rel[i]);
	}
#ifdef BPFGATE_CI_DIR
	if (!vh_bfmt(cand, sizeof(cand), "%s/kernels.sh", BPFGATE_CI_DIR) && is_file(cand))
		return vh_bfmt(buf, len, "%s", BPFGATE_CI_DIR);
#endif
	return -ENOENT;
}

int vh_kernel_conf__load_file(struct vh_kernel_conf *conf, const char *path, char *errbuf,
			      size_t errlen)
{
	const char *env = getenv("BPFGATE_KERNELS_CONF");
	char dir[PATH_MAX] = "", cand[PATH_MAX];
	bool have_dir = !data_dir(dir, sizeof(dir));
	int err;

	if (!path && env && *env)
		path = env;
	if (!path) {
		if (!have_dir)
			return vh_errf(errbuf, errlen, -ENOENT, "kernels.conf: not found (set "
				    "BPFGATE_DATADIR or BPFGATE_KERNELS_CONF)");
		if (vh_bfmt(cand, sizeof(cand), "%s/kernels.conf", dir))
			return vh_errf(errbuf, errlen, -ENAMETOOLONG, "%s: path too long", dir);
		path = cand;
	}
	err = vh_kernel_conf__read(conf, path, errbuf, errlen);
	if (!err && have_dir)
		vh_bfmt(conf->script, sizeof(conf->script), "%s/kernels.sh", dir);
	return err;
}

int vh_kernel_conf__load(struct vh_kernel_conf *conf, char *errbuf, size_t errlen)
{
	return vh_kernel_conf__load_file(conf, NULL, errbuf, errlen);
}

/* --- cache paths -------------------------------------------------------------------- */

int vh_kernel_cache__init(struct vh_kernel_cache *cache)
{
	const char *env = getenv("BPFGATE_CACHE");
	int err;

	memset(cache, 0, sizeof(*cache));
	if (env && *env) {
		err = vh_bfmt(cache->root, sizeof(cache->root), "%s", env);
	} else if ((env = getenv("XDG_CACHE_HOME")) && *env == '/') {
		err = vh_bfmt(cache->root, sizeof(cache->root), "%s/bpfgate", env);
	} else {
		env = getenv("HOME");
		if (!env || !*env)
			return -ENOENT;
		err = vh_bfmt(cache->root, sizeof(cache->root), "%s/.cache/bpfgate", env);
	}
	return err ?: vh_bfmt(cache->kernels, sizeof(cache->kernels), "%s/kernels", cache->root);
}

/* One folder entry: not empty, '.' or '..', no '/', no control character. */
static bool name_ok(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A relative path of code-chosen components: none is empty, '.' or '..'. */
static bool sub_ok(const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "/");
		char c[NAME_MAX + 1];

		if (!n || n > NAME_MAX)
			return false;
		memcpy(c, s, n);
		c[n] = '\0';
		if (!name_ok(c))
			return false;
		s += n;
		if (*s == '/' && !*++s)
			return false;
	}
	return true;
}

/* Is the real path of p (or of its nearest existing parent) under dir? */
static bool stays_under(const char *p, const char *dir)
{
	char real[PATH_MAX], tmp[PATH_MAX], *slash;
	size_t n = strlen(dir);

	if (vh_bfmt(tmp, sizeof(tmp), "%s", p))
		return false;
	while (!realpath(tmp, real)) {
		if (errno != ENOENT || !(slash = strrchr(tmp, '/')) || slash == tmp)
			return false;
		*slash = '\0';
	}
	return !strncmp(real, dir, n) && (real[n] == '/' || real[n] == '\0');
}

int vh_kernel_cache__path(const struct vh_kernel_cache *cache, char *buf, size_t len,
			  const char *sub, const char *fmt, ...)
{
	char name[NAME_MAX + 1], base[PATH_MAX], entry[PATH_MAX];
	struct stat st;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(name))
		return -ENAMETOOLONG;
	if (!name_ok(name) || (sub && !sub_ok(sub)))
		return -EINVAL;
	/* the real folder: a cache root reached through a link is fine, what is below is checked */
	if (!realpath(cache->kernels, base)) {
		if (errno != ENOENT)
			return -errno;
		/* no cache yet: nothing below it exists, the name alone decides */
		if (vh_bfmt(base, sizeof(base), "%s", cache->kernels))
			return -ENAMETOOLONG;
	}
	if (vh_bfmt(entry, sizeof(entry), "%s/%s", base, name))
		return -ENAMETOOLONG;
	if (!lstat(entry, &st) && S_ISLNK(st.st_mode))
		return -ELOOP;
	if (sub ? vh_bfmt(buf, len, "%s/%s", entry, sub) : vh_bfmt(buf, len, "%s", entry))
		return -ENAMETOOLONG;
	if (sub && !stays_under(buf, entry))
		return -ELOOP;
	return 0;
}

int vh_kernel_cache__entry_dir(const struct vh_kernel_cache *cache, const char *release,
			       char *buf, size_t len)
{
	return vh_kernel_cache__path(cache, buf, len, NULL, "%s", release);
}

enum vh_entry_state vh_kernel_cache__check(const struct vh_kernel_cache *cache,
					   const char *release, bool full, char *why,
					   size_t len)
{
	char dir[PATH_MAX];
	struct stat st;
	int err;

	why[0] = '\0';
	err = vh_kernel_cache__entry_dir(cache, release, dir, sizeof(dir));
	if (err == -ELOOP) {
		snprintf(why, len, "the entry is a symbolic link");
		return VH_ENTRY_DAMAGED;
	}
	if (err || lstat(dir, &st))
		return VH_ENTRY_ABSENT;
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, len, "not a folder");
		return VH_ENTRY_DAMAGED;
	}
	err = vh_stamp__check(dir, full, why, len);
	if (err == -ENOENT)
		snprintf(why, len, "no stamp: written by an older bpfgate (the next fetch stamps "
			 "it without a download) or cut short");
	return err ? VH_ENTRY_DAMAGED : VH_ENTRY_WHOLE;
}

bool vh_kernel_cache__has(const struct vh_kernel_cache *cache, const char *release)
{
	char why[256];

	return vh_kernel_cache__check(cache, release, false, why, sizeof(why)) == VH_ENTRY_WHOLE;
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
		if (!vh_bfmt(p, sizeof(p), "%s/%s", path, de->d_name))
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

void vh_kernel_cache__substitute(const struct vh_kernel_cache *cache, const char *release,
				 char *buf, size_t len)
{
	char p[PATH_MAX], line[128] = "";
	FILE *f;

	buf[0] = '\0';
	if (vh_kernel_cache__path(cache, p, sizeof(p), NULL, "%s.substitute", release))
		return;
	f = fopen(p, "re");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f))
		line[strcspn(line, "\n")] = '\0';
	fclose(f);
	/* what the file says is checked like any release */
	if (vh_kernel_release__valid(line) && strcmp(line, release))
		snprintf(buf, len, "%s", line);
}

/* Remove what killed fetches of release left behind (called under its lock). */
static void remove_stale(const struct vh_kernel_cache *cache, const char *release)
{
	char prefix[NAME_MAX + 1], p[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(cache->kernels);

	if (!d || vh_bfmt(prefix, sizeof(prefix), ".tmp-%s.", release)) {
		if (d)
			closedir(d);
		return;
	}
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)) &&
		    strlen(de->d_name) == strlen(prefix) + 6 &&
		    !vh_kernel_cache__path(cache, p, sizeof(p), NULL, "%s", de->d_name))
			vh_rm_rf(p);
	closedir(d);
}

/* --- the children of a fetch ---------------------------------------------------------- */

static volatile sig_atomic_t fetch_signal;

static void on_fetch_signal(int sig)
{
	fetch_signal = sig;
}

static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };

/* While fetching, a stop signal is noted (and acted on) instead of killing bpfgate. */
static void catch_stop_signals(struct sigaction old[3])
{
	struct sigaction sa = { .sa_handler = on_fetch_signal };

	fetch_signal = 0;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++) {
		sigaction(stop_sigs[i], NULL, &old[i]);
		if (old[i].sa_handler != SIG_IGN)
			sigaction(stop_sigs[i], &sa, NULL);
	}
}

/* Put the old handlers back, then deliver the signal that stopped the fetch. */
static void release_stop_signals(const struct sigaction old[3])
{
	for (int i = 0; i < 3; i++)
		sigaction(stop_sigs[i], &old[i], NULL);
	if (fetch_signal)
		raise(fetch_signal);
}

/* Environment of kernels.sh, set in the spawned child. */
struct script_env {
	const char *conf, *log, *apt;
};

static void script_setup(void *arg)
{
	const struct script_env *e = arg;

	setenv("BPFGATE_KERNELS_CONF", e->conf, 1);
	if (e->log)
		setenv("BPFGATE_FETCH_LOG", e->log, 1);
	if (!getenv("BPFGATE_APT_STATE"))
		setenv("BPFGATE_APT_STATE", e->apt, 1);
}

/*
 * Run kernels.sh with args through the spawn module: its own process group, killed
 * with bpfgate (kill -9 included) together with everything it started (apt-get,
 * dpkg-deb, depmod). Its output goes to out_fd (-1: stderr), or into *captured
 * (malloc'd) when captured is not NULL. Fds without O_CLOEXEC (the cache lock) are
 * inherited on purpose: the lock is held as long as anything of the fetch runs.
 * Returns its exit status (0-255), -EINTR when a stop signal came (the whole tree is
 * then gone), or -errno.
 */
static int run_script(const struct vh_kernel_cache *cache, const struct vh_kernel_conf *conf,
		      char *const args[], const char *log, int out_fd, char **captured)
{
	char apt[PATH_MAX], *argv[16];
	struct script_env env = { .conf = conf->path, .log = log, .apt = apt };
	struct vh_spawn_opts so = {
		.argv = argv,
		.out = captured ? VH_SPAWN_OUT_BUFFER : VH_SPAWN_OUT_FD,
		.out_fd = out_fd >= 0 ? out_fd : STDERR_FILENO,
		.out_max = 65536,
		.child_setup = script_setup,
		.setup_arg = &env,
	};
	struct vh_spawn sp;
	int n = 0, r;

	if (!conf->script[0])
		return -ENOEXEC;
	if (vh_bfmt(apt, sizeof(apt), "%s/apt", cache->root))
		return -ENAMETOOLONG;
	argv[n++] = "bash";
	argv[n++] = (char *)conf->script;
	for (int i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	r = vh_spawn__start(&sp, &so);
	if (r)
		return r;
	while ((r = vh_spawn__poll(&sp)) == 0) {
		if (fetch_signal) {
			vh_spawn__kill(&sp);
			vh_spawn__free(&sp);
			return -EINTR;
		}
		usleep(50 * 1000);
	}
	if (r > 0 && captured) {
		*captured = sp.out;
		sp.out = NULL;
	}
	vh_spawn__free(&sp);
	if (r < 0)
		return r;
	if (fetch_signal)
		return -EINTR;
	return WIFEXITED(sp.status) ? WEXITSTATUS(sp.status) : 128 + WTERMSIG(sp.status);
}

/* --- fetch ---------------------------------------------------------------------------- */

static int write_manifest(const char *dir, const struct vh_kernel_entry *e,
			  const struct vh_kernel_entry *pinned)
{
	char p[PATH_MAX];
	FILE *f;
	int err;

	if (vh_bfmt(p, sizeof(p), "%s/manifest", dir))
		return -ENAMETOOLONG;
	f = fopen(p, "we");
	if (!f)
		return -errno;
	fprintf(f, "series %s\nsuite %s\nrelease %s\npackages %s\nfetched %lld\n", e->series,
		e->suite, e->release, e->packages, (long long)time(NULL));
	if (pinned)
		fprintf(f, "pinned-release %s\npinned-packages %s\n", pinned->release,
			pinned->packages);
	err = fflush(f) || fsync(fileno(f)) ? -errno : 0;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* Write ROOT/kernels/PINNED.substitute: release stands in for the pin. */
static int write_substitute(const struct vh_kernel_cache *cache, const char *pinned,
			    const char *release)
{
	char p[PATH_MAX], tmp[PATH_MAX];
	FILE *f;
	int err;

	if (vh_kernel_cache__path(cache, p, sizeof(p), NULL, "%s.substitute", pinned) ||
	    vh_kernel_cache__path(cache, tmp, sizeof(tmp), NULL, ".%s.substitute.tmp", pinned))
		return -EINVAL;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%s\n", release);
	err = fflush(f) || fsync(fileno(f)) ? -errno : 0;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, p))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static void say(int log_fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(int log_fd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdprintf(log_fd >= 0 ? log_fd : STDERR_FILENO, fmt, ap);
	va_end(ap);
}

/*
 * An entry of a bpfgate from before stamps: a manifest naming release, a kernel
 * image, no stamp and no stamp.damaged (which `kernel verify` leaves). Stamp it in
 * place (under the kernel's lock) instead of downloading it again: its files were
 * renamed into place whole, like today's. The packages' build/source links (outside
 * the entry; today's fetch drops them) are removed first. 0 when stamped.
 */
static int stamp_legacy(const char *dir, const char *release)
{
	char p[PATH_MAX], line[256], want[128], why[256];
	bool named = false;
	struct stat st;
	FILE *f;

	if (vh_bfmt(p, sizeof(p), "%s/%s", dir, VH_STAMP_NAME) || !lstat(p, &st) ||
	    vh_bfmt(p, sizeof(p), "%s/%s.damaged", dir, VH_STAMP_NAME) || !lstat(p, &st) ||
	    vh_bfmt(p, sizeof(p), "%s/vmlinuz", dir) || !vh_kernel__is_image(p) ||
	    vh_bfmt(p, sizeof(p), "%s/manifest", dir) || !(f = fopen(p, "re")))
		return -ENOENT;
	snprintf(want, sizeof(want), "release %s\n", release);
	while (fgets(line, sizeof(line), f))
		named |= !strcmp(line, want);
	fclose(f);
	if (!named)
		return -ENOENT;
	for (int i = 0; i < 2; i++)
		if (!vh_bfmt(p, sizeof(p), "%s/lib/modules/%s/%s", dir, release,
			   i ? "source" : "build") &&
		    !lstat(p, &st) && S_ISLNK(st.st_mode))
			unlink(p);
	return vh_stamp__write(dir, why, sizeof(why));
}

/* Take the lock at fd, waiting (interruptibly) while another fetch holds it. */
static int take_lock(int fd, int log_fd, const char *series)
{
	bool said = false;

	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (fetch_signal)
			return -EINTR;
		if (!said)
			say(log_fd, "fetch: %s: waiting for another fetch of it\n", series);
		said = true;
		usleep(100 * 1000);
	}
	return 0;
}

/* Exit status of kernels.sh when the pinned version is gone from the mirror. */
#define KSH_PIN_GONE 3

/* Fetch e (pinned: the pin it replaces, or NULL) under its lock. */
static int fetch_locked(const struct vh_kernel_cache *cache, const struct vh_kernel_conf *conf,
			const struct vh_kernel_entry *e, const struct vh_kernel_entry *pinned,
			int log_fd, char *errbuf, size_t errlen)
{
	char lockp[PATH_MAX], tmp[PATH_MAX], final[PATH_MAX], log[PATH_MAX], why[256];
	char *args[] = { "fetch-entry", tmp, (char *)e->series, (char *)e->suite,
			 (char *)e->release, (char *)e->packages, NULL };
	int lock = -1, logfd = -1, err;

	if (vh_kernel_cache__path(cache, lockp, sizeof(lockp), NULL, ".%s.lock", e->release) ||
	    vh_kernel_cache__path(cache, tmp, sizeof(tmp), NULL, ".tmp-%s.XXXXXX", e->release) ||
	    vh_kernel_cache__path(cache, log, sizeof(log), NULL, "%s.fetch.log", e->release) ||
	    vh_kernel_cache__entry_dir(cache, e->release, final, sizeof(final)))
		return vh_errf(errbuf, errlen, -EINVAL, "%s: not a usable cache entry name",
			    e->release);

	/* not O_CLOEXEC: kernels.sh inherits it (see run_script) */
	lock = open(lockp, O_RDWR | O_CREAT | O_NOFOLLOW, 0644);
	if (lock < 0)
		return vh_errf(errbuf, errlen, -errno, "%s: %s", lockp, strerror(errno));
	err = take_lock(lock, log_fd, e->series);
	if (err) {
		err = vh_errf(errbuf, errlen, err, "%s", err == -EINTR ? "interrupted" :
			   strerror(-err));
		goto cleanup;
	}
	/* another run may have fetched it while we waited */
	switch (vh_kernel_cache__check(cache, e->release, false, why, sizeof(why))) {
	case VH_ENTRY_WHOLE:
		goto cleanup;
	case VH_ENTRY_DAMAGED:
		if (!stamp_legacy(final, e->release)) {
			say(log_fd, "fetch: %s: stamped the entry of an older bpfgate in %s (no "
			    "download)\n", e->series, final);
			goto cleanup;
		}
		say(log_fd, "fetch: %s: the cache entry %s is damaged (%s): fetching it again\n",
		    e->series, final, why);
		/* final was built by vh_kernel_cache__path: it is a folder inside the cache */
		vh_rm_rf(final);
		break;
	case VH_ENTRY_ABSENT:
		break;
	}
	remove_stale(cache, e->release);
	if (!mkdtemp(tmp)) {
		err = vh_errf(errbuf, errlen, -errno, "%s: %s", tmp, strerror(errno));
		goto cleanup;
	}
	chmod(tmp, 0755);
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (logfd < 0) {
		err = vh_errf(errbuf, errlen, -errno, "%s: %s", log, strerror(errno));
		goto cleanup_tmp;
	}
	close(logfd);
	err = run_script(cache, conf, args, log, log_fd, NULL);
	if (err == -EINTR) {
		err = vh_errf(errbuf, errlen, -EINTR, "interrupted");
		unlink(log);
		goto cleanup_tmp;
	}
	if (err == KSH_PIN_GONE) {
		err = vh_errf(errbuf, errlen, -ESTALE, "the pinned %s is no longer on the mirror "
			   "of %s (log: %s)", e->packages, e->suite, log);
		goto cleanup_tmp;
	}
	if (err) {
		err = vh_errf(errbuf, errlen, err < 0 ? err : -EIO, "fetching %s failed: %s (log: %s)",
			   e->release, err < 0 ? strerror(-err) : "kernels.sh failed", log);
		goto cleanup_tmp;
	}
	err = write_manifest(tmp, e, pinned);
	if (err) {
		err = vh_errf(errbuf, errlen, err, "manifest: %s", strerror(-err));
		goto cleanup_tmp;
	}
	err = vh_stamp__write(tmp, why, sizeof(why));
	if (err) {
		err = vh_errf(errbuf, errlen, err, "stamp: %s", why);
		goto cleanup_tmp;
	}
	if (rename(tmp, final)) {
		err = vh_errf(errbuf, errlen, -errno, "%s: %s", final, strerror(errno));
		goto cleanup_tmp;
	}
	unlink(log);
	goto cleanup;
cleanup_tmp:
	vh_rm_rf(tmp);
cleanup:
	close(lock);
	return err;
}

int vh_kernel_cache__fetch_opts(const struct vh_kernel_cache *cache,
				const struct vh_kernel_conf *conf, const struct vh_kernel_entry *e,
				const struct vh_fetch_opts *opts, char *used, size_t usedlen,
				char *errbuf, size_t errlen)
{
	struct vh_kernel_entry newest;
	struct sigaction old[3];
	char sub[128], why[256];
	const char *field;
	int err;

	if (!strcmp(e->suite, "-"))
		return vh_errf(errbuf, errlen, -EINVAL, "nothing to fetch (the running kernel)");
	/* the entry may not come from vh_kernel_conf__read: check it here too */
	if (vh_kernel_entry__check(e, &field, why, sizeof(why)))
		return vh_errf(errbuf, errlen, -EINVAL, "%s: %s", field, why);
	if (!conf->script[0])
		return vh_errf(errbuf, errlen, -ENOENT, "kernels.sh: not found in bpfgate's data "
			    "folder (set BPFGATE_DATADIR)");
	err = vh_mkdir_p(cache->kernels, 0755);
	if (err)
		return vh_errf(errbuf, errlen, err, "%s: %s", cache->kernels, strerror(-err));
	catch_stop_signals(old);
	vh_kernel_cache__substitute(cache, e->release, sub, sizeof(sub));
	if (opts->allow_newer && sub[0] && vh_kernel_cache__has(cache, sub)) {
		snprintf(used, usedlen, "%s", sub);
		release_stop_signals(old);
		return 0;
	}
	err = fetch_locked(cache, conf, e, NULL, opts->log_fd, errbuf, errlen);
	if (!err && used)
		snprintf(used, usedlen, "%s", e->release);
	if (err == -ESTALE && opts->allow_newer && !fetch_signal) {
		say(opts->log_fd, "fetch: %s: %s; looking for the newest %s in %s\n", e->series,
		    errbuf, e->series, e->suite);
		err = vh_kernel_cache__newest(cache, conf, e, false, &newest, errbuf, errlen);
		if (err == -ENOENT)
			err = vh_errf(errbuf, errlen, -ESTALE, "the pinned %s left the mirror of %s "
				   "and no other %s is there", e->packages, e->suite, e->series);
		if (!err) {
			say(opts->log_fd, "fetch: %s: taking %s instead of the pinned %s\n",
			    e->series, newest.packages, e->packages);
			err = fetch_locked(cache, conf, &newest, e, opts->log_fd, errbuf, errlen);
		}
		if (!err)
			err = write_substitute(cache, e->release, newest.release);
		if (!err && used)
			snprintf(used, usedlen, "%s", newest.release);
	}
	release_stop_signals(old);
	return err;
}

int vh_kernel_cache__fetch(const struct vh_kernel_cache *cache, const struct vh_kernel_conf *conf,
			   const struct vh_kernel_entry *e, int log_fd, char *errbuf,
			   size_t errlen)
{
	struct vh_fetch_opts o = { .log_fd = log_fd };

	return vh_kernel_cache__fetch_opts(cache, conf, e, &o, NULL, 0, errbuf, errlen);
}

/* The last non-empty line of text into buf (kernels.sh prints its answer last). */
static void last_line(const char *text, char *buf, size_t len)
{
	const char *end = text + strlen(text), *start;

	while (end > text && end[-1] == '\n')
		end--;
	for (start = end; start > text && start[-1] != '\n'; start--)
		;
	snprintf(buf, len, "%.*s", (int)(end - start), start);
}

int vh_kernel_cache__newest(const struct vh_kernel_cache *cache, const struct vh_kernel_conf *conf,
			    const struct vh_kernel_entry *e, bool refresh,
			    struct vh_kernel_entry *newest, char *errbuf, size_t errlen)
{
	char *args[] = { "newest", (char *)e->series, (char *)e->suite, (char *)e->release,
			 (char *)e->packages, refresh ? "--refresh" : "--offline", NULL };
	char out[sizeof(newest->release) + sizeof(newest->packages) + 8], *text = NULL;
	const char *field;
	char why[256], *sp;
	int err;

	err = run_script(cache, conf, args, NULL, -1, &text);
	last_line(text ? text : "", out, sizeof(out));
	free(text);
	if (err == -EINTR)
		return vh_errf(errbuf, errlen, -EINTR, "interrupted");
	if (err == 1 || (!err && !out[0]))
		return vh_errf(errbuf, errlen, -ENOENT, "no %s in %s", e->series, e->suite);
	if (err)
		return vh_errf(errbuf, errlen, err < 0 ? err : -EIO, "looking up the newest %s in %s "
			    "failed", e->series, e->suite);
	/* "RELEASE PACKAGES", from apt's lists: checked like a kernels.conf line */
	*newest = *e;
	sp = strchr(out, ' ');
	if (!sp || (size_t)(sp - out) >= sizeof(newest->release) ||
	    strlen(sp + 1) >= sizeof(newest->packages))
		return vh_errf(errbuf, errlen, -EINVAL, "kernels.sh newest: malformed answer");
	snprintf(newest->release, sizeof(newest->release), "%.*s", (int)(sp - out), out);
	snprintf(newest->packages, sizeof(newest->packages), "%s", sp + 1);
	if (vh_kernel_entry__check(newest, &field, why, sizeof(why)))
		return vh_errf(errbuf, errlen, -EINVAL, "kernels.sh newest: %s: %s", field, why);
	return 0;
}

/* --- --kernel --------------------------------------------------------------------------- */

bool vh_kernel__is_image(const char *path)
{
	unsigned char b[0x206];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return false;
	n = fstat(fd, &st) || !S_ISREG(st.st_mode) ? -1 : pread(fd, b, sizeof(b), 0);
	close(fd);
	if (n >= 4 && !memcmp(b, "\177ELF", 4))
		return true;
	/* the x86 boot protocol: "HdrS" at 0x202 */
	return n == (ssize_t)sizeof(b) && !memcmp(b + 0x202, "HdrS", 4);
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
		return vh_errf(errbuf, errlen, -ENOENT, "no such kernel, image or build tree");
	if (is_dir(abs)) {
		/* a kernel build tree */
		if (!vh_bfmt(p, sizeof(p), "%s/arch/x86/boot/bzImage", abs) && is_file(p)) {
			if (!vh_kernel__is_image(p))
				return vh_errf(errbuf, errlen, -EINVAL,
					    "arch/x86/boot/bzImage is not a kernel image");
			snprintf(spec->image, sizeof(spec->image), "%s", p);
			if (!vh_bfmt(p, sizeof(p), "%s/.config", abs) && is_file(p))
				snprintf(spec->config, sizeof(spec->config), "%s", p);
			if (!vh_bfmt(p, sizeof(p), "%s/vmlinux", abs) && is_file(p))
				snprintf(spec->vmlinux, sizeof(spec->vmlinux), "%s", p);
			return 0;
		}
		/* a folder laid out like a cache entry */
		if (!vh_bfmt(p, sizeof(p), "%s/vmlinuz", abs) && is_file(p)) {
			if (!vh_kernel__is_image(p))
				return vh_errf(errbuf, errlen, -EINVAL, "vmlinuz is not a kernel image");
			snprintf(spec->image, sizeof(spec->image), "%s", p);
			if (!vh_bfmt(p, sizeof(p), "%s/config", abs) && is_file(p))
				snprintf(spec->config, sizeof(spec->config), "%s", p);
			if (!vh_bfmt(p, sizeof(p), "%s/lib/modules", abs) && is_dir(p))
				snprintf(spec->modroot, sizeof(spec->modroot), "%s", abs);
			if (!vh_bfmt(p, sizeof(p), "%s/vmlinux", abs) && is_file(p))
				snprintf(spec->vmlinux, sizeof(spec->vmlinux), "%s", p);
			return 0;
		}
		return vh_errf(errbuf, errlen, -EINVAL,
			    "a folder but no kernel build tree (arch/x86/boot/bzImage) nor vmlinuz");
	}
	if (!is_file(abs) || !vh_kernel__is_image(abs))
		return vh_errf(errbuf, errlen, -EINVAL, "not a kernel image (no bzImage header, not ELF)");
	snprintf(spec->image, sizeof(spec->image), "%s", abs);
	release_from_name(abs, spec->release, sizeof(spec->release));
	snprintf(dir, sizeof(dir), "%s", abs);
	slash = strrchr(dir, '/');
	*slash = '\0';
	/* the config beside the image: config-RELEASE (as in /boot), config, .config */
	if (spec->release[0] && !vh_bfmt(p, sizeof(p), "%s/config-%s", dir, spec->release) &&
	    is_file(p))
		snprintf(spec->config, sizeof(spec->config), "%s", p);
	else if (!vh_bfmt(p, sizeof(p), "%s/config", dir) && is_file(p))
		snprintf(spec->config, sizeof(spec->config), "%s", p);
	else if (strlen(dir) > 14 && !strcmp(dir + strlen(dir) - 14, "/arch/x86/boot") &&
		 !vh_bfmt(p, sizeof(p), "%.*s/.config", (int)(strlen(dir) - 14), dir) && is_file(p))
		snprintf(spec->config, sizeof(spec->config), "%s", p);
	/* modules of an image in /boot are under /lib/modules */
	if (spec->release[0] && !strcmp(dir, "/boot") &&
	    !vh_bfmt(p, sizeof(p), "/lib/modules/%s", spec->release) && is_dir(p))
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
	if (vh_bfmt(spec->name, sizeof(spec->name), "%s", arg))
		return vh_errf(errbuf, errlen, -ENAMETOOLONG, "name too long");
	if (!strcmp(arg, "host")) {
		struct utsname u;

		spec->host = true;
		if (!uname(&u))
			snprintf(spec->release, sizeof(spec->release), "%s", u.release);
		return 0;
	}
	e = conf ? vh_kernel_conf__find(conf, arg) : NULL;
	if (e) {
		char sub[128];

		spec->entry = e;
		snprintf(spec->release, sizeof(spec->release), "%s", e->release);
		spec->cached = vh_kernel_cache__has(cache, e->release);
		/* the pin left the mirror and `kernel fetch --allow-newer` took a newer one */
		vh_kernel_cache__substitute(cache, e->release, sub, sizeof(sub));
		if (!spec->cached && sub[0] && vh_kernel_cache__has(cache, sub)) {
			snprintf(spec->pinned, sizeof(spec->pinned), "%s", e->release);
			snprintf(spec->release, sizeof(spec->release), "%s", sub);
			spec->cached = true;
		}
		if (vh_kernel_cache__entry_dir(cache, spec->release, dir, sizeof(dir)))
			return vh_errf(errbuf, errlen, -EINVAL, "%s: not a usable cache entry",
				    spec->release);
		vh_bfmt(spec->image, sizeof(spec->image), "%s/vmlinuz", dir);
		vh_bfmt(spec->config, sizeof(spec->config), "%s/config", dir);
		vh_bfmt(spec->modroot, sizeof(spec->modroot), "%s", dir);
		vh_bfmt(spec->vmlinux, sizeof(spec->vmlinux), "%s/vmlinux", dir);
		return 0;
	}
	/* a series-looking name that is not in the matrix */
	if (!strchr(arg, '/') && access(arg, F_OK)) {
		char known[512] = "";
		size_t off = 0;

		for (size_t i = 0; conf && i < conf->n && off < sizeof(known); i++)
			off += snprintf(known + off, sizeof(known) - off, "%s%s", i ? " " : "",
					conf->v[i].series);
		return vh_errf(errbuf, errlen, -ENOENT,
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

/* The whole text file, or NULL. */
static char *read_text(const char *path)
{
	char *buf = NULL;
	size_t len;

	return vh_read_file(path, 0, &buf, &len) ? NULL : buf;
}

/* Whether one name of a need is met: NAME=y built in, NAME built in or a module. */
static bool config_has(const char *text, const char *name, size_t n)
{
	char want[128];
	bool builtin = n > 2 && !strncmp(name + n - 2, "=y", 2);
	char v;

	if (builtin)
		n -= 2;
	if (n >= sizeof(want))
		return false;
	memcpy(want, name, n);
	want[n] = '\0';
	v = config_value(text, want);
	return builtin ? v == 'y' : v != 0;
}

/* Whether a need is met: alternatives split by '|', each a '+' list of names. */
static bool config_meets(const char *text, const char *need)
{
	for (const char *alt = need; alt; alt = strchr(alt, '|') ? strchr(alt, '|') + 1 : NULL) {
		size_t alen = strcspn(alt, "|");
		bool all = true;

		for (size_t off = 0; off < alen && all;) {
			size_t n = strcspn(alt + off, "+|");

			all = config_has(text, alt + off, n);
			off += n + 1;
		}
		if (all)
			return true;
	}
	return false;
}

/* A need as a message names it: without the "=y" marks. */
static size_t need_name(const char *need, char *buf, size_t len)
{
	size_t o = 0;

	for (const char *p = need; *p && o + 1 < len; p++) {
		if (p[0] == '=' && p[1] == 'y')
			p++;
		else
			buf[o++] = *p;
	}
	buf[o] = '\0';
	return o;
}

int vh_kernel__preflight(const struct vh_kernel_spec *spec, const char *const *needs,
			 char *missing, size_t len)
{
	static const char *const common[] = { "CONFIG_BPF_SYSCALL=y", "CONFIG_DEBUG_INFO_BTF=y",
					      NULL };
	const char *const *lists[] = { common, needs };
	size_t off = 0;
	char *text;

	missing[0] = '\0';
	if (!spec->config[0] || !(text = read_text(spec->config)))
		return -ENOENT;
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		for (int i = 0; lists[l] && lists[l][i]; i++) {
			char name[160];

			if (config_meets(text, lists[l][i]) || off >= len)
				continue;
			need_name(lists[l][i], name, sizeof(name));
			off += snprintf(missing + off, len - off, "%s%s", off ? " " : "", name);
		}
	}
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
