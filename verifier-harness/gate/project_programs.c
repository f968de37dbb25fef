// SPDX-License-Identifier: BSD-2-Clause
/* project_programs.c: list a folder's eBPF programs the way compiler/bpf.mk does. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "project_programs.h"

static const char suffix[] = ".bpf.c";

/* NAME without the suffix when NAME ends in .bpf.c (and is more than it). */
static bool is_source(const char *name, size_t *stem)
{
	size_t n = strlen(name), s = sizeof(suffix) - 1;

	if (n <= s || strcmp(name + n - s, suffix))
		return false;
	*stem = n - s;
	return true;
}

/* Does the subfolder NAME of DFD hold a *.bpf.c file? */
static bool holds_sources(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct dirent *e;
	bool found = false;
	size_t stem;
	DIR *d;

	if (fd < 0)
		return false;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	while (!found && (e = readdir(d)))
		found = e->d_name[0] != '.' && is_source(e->d_name, &stem);
	closedir(d);
	return found;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vh_program_list__read(struct vh_program_list *list, const char *dir)
{
	struct dirent *e;
	int err = 0;
	DIR *d;

	memset(list, 0, sizeof(*list));
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		size_t stem = 0;
		struct stat st;
		char *name, **v;

		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, 0))
			continue;
		if (S_ISREG(st.st_mode) && is_source(e->d_name, &stem))
			name = strndup(e->d_name, stem);
		else if (S_ISDIR(st.st_mode) && holds_sources(dirfd(d), e->d_name))
			name = strdup(e->d_name);
		else
			continue;
		if (!name) {
			err = -ENOMEM;
			break;
		}
		if (list->n >= VH_PROGRAMS_MAX) {
			free(name);
			err = -E2BIG;
			break;
		}
		v = realloc(list->names, (list->n + 1) * sizeof(*v));
		if (!v) {
			free(name);
			err = -ENOMEM;
			break;
		}
		list->names = v;
		list->names[list->n++] = name;
	}
	closedir(d);
	if (err) {
		vh_program_list__free(list);
		return err;
	}
	if (list->n > 1)
		qsort(list->names, list->n, sizeof(*list->names), cmp_names);
	/* NAME.bpf.c beside a folder NAME/: one name (bpf.mk would build one object) */
	for (size_t i = 1; i < list->n;) {
		if (!strcmp(list->names[i], list->names[i - 1])) {
			free(list->names[i]);
			memmove(&list->names[i], &list->names[i + 1],
				(list->n - i - 1) * sizeof(*list->names));
			list->n--;
		} else {
			i++;
		}
	}
	return 0;
}

void vh_program_list__free(struct vh_program_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->names[i]);
	free(list->names);
	memset(list, 0, sizeof(*list));
}
