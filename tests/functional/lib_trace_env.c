// SPDX-License-Identifier: BSD-2-Clause
/* lib_trace_env.c: cgroups, network namespaces and BPF object counts for the trace tests. */
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib_trace_env.h"

int trace_cgroup2_root(char *buf, size_t sz)
{
	FILE *f = setmntent("/proc/mounts", "r");
	struct mntent *m;
	int err = -ENOENT;

	if (!f)
		return -errno;
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(buf, sz, "%s", m->mnt_dir);
			err = 0;
			break;
		}
	endmntent(f);
	return err;
}

int trace_cgroup_id(const char *path, __u64 *id)
{
	struct {
		struct file_handle fh;
		__u64 id;
	} h = { .fh.handle_bytes = sizeof(__u64) };
	int mount_id;

	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0))
		return -errno;
	*id = h.id;
	return 0;
}

int trace_cgroup_self_id(__u64 *id)
{
	char root[256], line[512], path[1024];
	FILE *f;
	int err = trace_cgroup2_root(root, sizeof(root));

	if (err)
		return err;
	f = fopen("/proc/self/cgroup", "r");
	if (!f)
		return -errno;
	err = -ENOENT;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(path, sizeof(path), "%s%s", root, line + 3);
			err = trace_cgroup_id(path, id);
			break;
		}
	fclose(f);
	return err;
}

int trace_cgroup__create(struct trace_cgroup *cg, const char *tag)
{
	char root[256];
	int err = trace_cgroup2_root(root, sizeof(root));

	cg->fd = -1;
	if (err)
		return err;
	snprintf(cg->path, sizeof(cg->path), "%s/bpfgate_%s_%d", root, tag, (int)getpid());
	if (mkdir(cg->path, 0755) && errno != EEXIST)
		return -errno;
	cg->fd = open(cg->path, O_RDONLY | O_DIRECTORY);
	if (cg->fd < 0) {
		err = -errno;
		goto cleanup;
	}
	err = trace_cgroup_id(cg->path, &cg->id);
cleanup:
	if (err)
		trace_cgroup__destroy(cg);
	return err;
}

int trace_cgroup__enter(const struct trace_cgroup *cg, int pid)
{
	char procs[600];
	FILE *f;
	int err = 0;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg->path);
	f = fopen(procs, "w");
	if (!f)
		return -errno;
	if (fprintf(f, "%d\n", pid) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

void trace_cgroup__destroy(struct trace_cgroup *cg)
{
	if (cg->fd >= 0)
		close(cg->fd);
	cg->fd = -1;
	if (cg->path[0])
		rmdir(cg->path);
	cg->path[0] = '\0';
}

int trace_netns_enter(void)
{
	struct ifreq ifr = {};
	int fd, err = 0;

	if (unshare(CLONE_NEWNET))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The name of program id, or an empty string. */
static void prog_name(__u32 id, char *name, size_t sz)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	name[0] = '\0';
	if (fd < 0)
		return;
	if (!bpf_prog_get_info_by_fd(fd, &info, &len))
		snprintf(name, sz, "%s", info.name);
	close(fd);
}

int trace_count_progs(const char *prefix)
{
	char name[BPF_OBJ_NAME_LEN];
	__u32 id = 0;
	int n = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		prog_name(id, name, sizeof(name));
		n += !strncmp(name, prefix, strlen(prefix));
	}
	return n;
}

int trace_count_links(const char *prefix)
{
	char name[BPF_OBJ_NAME_LEN];
	__u32 id = 0;
	int n = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_link_get_info_by_fd(fd, &info, &len)) {
			prog_name(info.prog_id, name, sizeof(name));
			n += !strncmp(name, prefix, strlen(prefix));
		}
		close(fd);
	}
	return n;
}

int trace_wait_count(int (*count_fn)(const char *), const char *prefix, int want, int timeout_ms)
{
	int n, waited = 0;

	while ((n = count_fn(prefix)) != want && waited < timeout_ms) {
		usleep(10 * 1000);
		waited += 10;
	}
	return n;
}
