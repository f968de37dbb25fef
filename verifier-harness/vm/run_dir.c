// SPDX-License-Identifier: BSD-2-Clause
/* run_dir.c: temporary folders that carry their owner, and the removal of dead runs' ones. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_util.h"
#include "run_dir.h"

unsigned long long vh_run_dir__start_time(pid_t pid)
{
	char p[64], buf[1024], *s;
	unsigned long long start = 0;
	size_t n;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	f = fopen(p, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the command name may hold spaces and parentheses: fields follow the last ')' */
	s = strrchr(buf, ')');
	if (!s)
		return 0;
	/* state is field 3, starttime field 22 */
	for (int field = 2; s && field < 22; field++)
		s = strchr(s + 1, ' ');
	if (s)
		sscanf(s + 1, "%llu", &start);
	return start;
}

static const char *tmp_root(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

/* "PID.START.XXXXXX" after "PREFIX.": whether that process still runs. */
static bool owner_alive(const char *rest)
{
	unsigned long long start;
	int pid, n = 0;

	if (sscanf(rest, "%d.%llu.%n", &pid, &start, &n) != 2 || !n || pid <= 0 ||
	    strlen(rest + n) != 6)
		return true; /* not one of ours: leave it */
	if (kill(pid, 0) && errno == ESRCH)
		return false;
	return vh_run_dir__start_time(pid) == start;
}

int vh_run_dir__remove_stale(const char *tmpdir, const char *prefix)
{
	size_t plen = strlen(prefix);
	char p[PATH_MAX];
	struct dirent *de;
	int removed = 0;
	DIR *d = opendir(tmpdir);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct stat st;

		if (strncmp(de->d_name, prefix, plen) || de->d_name[plen] != '.' ||
		    owner_alive(de->d_name + plen + 1))
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name) >= sizeof(p))
			continue;
		/* a real folder of this user, never what a link points to */
		if (lstat(p, &st) || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
			continue;
		removed += !vh_rm_rf(p);
	}
	closedir(d);
	return removed;
}

int vh_run_dir__make(const char *prefix, char *buf, size_t len)
{
	const char *tmp = tmp_root();
	int n;

	vh_run_dir__remove_stale(tmp, prefix);
	n = snprintf(buf, len, "%s/%s.%d.%llu.XXXXXX", tmp, prefix, (int)getpid(),
		     vh_run_dir__start_time(getpid()));
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return mkdtemp(buf) ? 0 : -errno;
}
