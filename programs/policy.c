// SPDX-License-Identifier: BSD-2-Clause
/* policy.c: loader for policy.bpf.c; enforces identity rules on a cgroup, prints verdicts as JSON. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "loader.h"
#include "policy.h"
#include "policy.skel.h"

#define MAX_ITEMS 64

struct policy_opts {
	const char *cgroup;		/* attach point; default: the cgroup v2 root */
	const char *identities[MAX_ITEMS];	/* "PATH=ID" */
	const char *rules[MAX_ITEMS];	/* "ID,CIDR,PORT,PROTO,ACTION" */
	int nr_identities, nr_rules;
	long duration_s, max_events;
	bool default_deny, log_allowed, verbose;
};

struct policy_ctx {
	const struct policy_opts *opts;
	long printed;
};

/* The cgroup v2 id of a cgroup directory (its kernfs file handle). */
static int cgroup_id(const char *path, __u64 *id)
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

static const char *cgroup2_root(void)
{
	static char root[4096];
	struct mntent *m;
	FILE *f = setmntent("/proc/mounts", "r");

	if (!f)
		return NULL;
	root[0] = '\0';
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(root, sizeof(root), "%s", m->mnt_dir);
			break;
		}
	endmntent(f);
	return root[0] ? root : NULL;
}

static int parse_proto(const char *s, __u8 *proto)
{
	if (!strcasecmp(s, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcasecmp(s, "udp"))
		*proto = IPPROTO_UDP;
	else if (!strcasecmp(s, "any") || !strcmp(s, "0"))
		*proto = 0;
	else
		return -EINVAL;
	return 0;
}

/* "ID,CIDR,PORT,PROTO,allow|deny" into an LPM key and a rule (rule id: its position). */
static int parse_rule(const char *spec, __u32 rule_id, struct policy_key *key,
		      struct policy_rule *rule)
{
	char buf[256], *f[5], *save = NULL, *slash;
	unsigned long id, port, plen;
	int i, max_plen;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (i = 0; i < 5; i++) {
		f[i] = strtok_r(i ? NULL : buf, ",", &save);
		if (!f[i])
			return -EINVAL;
	}
	memset(key, 0, sizeof(*key));
	memset(rule, 0, sizeof(*rule));
	id = strtoul(f[0], NULL, 10);
	port = strtoul(f[2], NULL, 10);
	if (!id || id > UINT32_MAX || port > 65535 || parse_proto(f[3], &key->proto))
		return -EINVAL;
	slash = strchr(f[1], '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, f[1], key->addr) == 1) {
		key->family = AF_INET;
		max_plen = 32;
	} else if (inet_pton(AF_INET6, f[1], key->addr) == 1) {
		key->family = AF_INET6;
		max_plen = 128;
	} else {
		return -EINVAL;
	}
	plen = slash ? strtoul(slash, NULL, 10) : (unsigned long)max_plen;
	if (plen > (unsigned long)max_plen)
		return -EINVAL;
	key->prefixlen = POLICY_KEY_FIXED_BITS + plen;
	key->identity = id;
	key->dport = port;
	if (!strcasecmp(f[4], "allow"))
		rule->action = POLICY_ALLOW;
	else if (!strcasecmp(f[4], "deny"))
		rule->action = POLICY_DENY;
	else
		return -EINVAL;
	rule->rule_id = rule_id;
	return 0;
}

static int fill_maps(struct policy *skel, const struct policy_opts *opts)
{
	int i, err;

	for (i = 0; i < opts->nr_identities; i++) {
		char path[4096], *eq;
		unsigned long ident;
		__u64 cgid;

		snprintf(path, sizeof(path), "%s", opts->identities[i]);
		eq = strrchr(path, '=');
		if (!eq || !(ident = strtoul(eq + 1, NULL, 10)) || ident > UINT32_MAX) {
			fprintf(stderr, "policy: identity '%s': expected CGROUP_PATH=ID\n", path);
			return -EINVAL;
		}
		*eq = '\0';
		err = cgroup_id(path, &cgid);
		if (err) {
			fprintf(stderr, "policy: %s: %s\n", path, strerror(-err));
			return err;
		}
		__u32 v = ident;

		if (bpf_map__update_elem(skel->maps.identities, &cgid, sizeof(cgid), &v, sizeof(v),
					 BPF_ANY))
			return -errno;
	}
	for (i = 0; i < opts->nr_rules; i++) {
		struct policy_key key;
		struct policy_rule rule;

		if (parse_rule(opts->rules[i], i + 1, &key, &rule)) {
			fprintf(stderr, "policy: rule '%s': expected ID,CIDR,PORT,tcp|udp|any,"
					"allow|deny\n", opts->rules[i]);
			return -EINVAL;
		}
		if (bpf_map__update_elem(skel->maps.rules, &key, sizeof(key), &rule, sizeof(rule),
					 BPF_ANY))
			return -errno;
	}
	return 0;
}

static const char *const hook_names[] = { "", "connect4", "connect6", "egress" };

static int on_event(void *data, void *raw, size_t sz)
{
	struct policy_ctx *ctx = data;
	const struct policy_event *e = raw;
	char a[INET6_ADDRSTRLEN];

	if (sz < sizeof(*e) || e->hook < POLICY_HOOK_CONNECT4 || e->hook > POLICY_HOOK_EGRESS)
		return 0;
	if (!inet_ntop(e->family == AF_INET6 ? AF_INET6 : AF_INET, e->daddr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	printf("{\"type\":\"verdict\",\"ts_ns\":%llu,\"hook\":\"%s\",\"verdict\":\"%s\","
	       "\"cgroup_id\":%llu,\"identity\":%u,\"rule\":%u,\"daddr\":\"%s\",\"dport\":%u,"
	       "\"proto\":%u",
	       (unsigned long long)e->ts_ns, hook_names[e->hook],
	       e->verdict == POLICY_DENY ? "deny" : "allow", (unsigned long long)e->cgroup_id,
	       e->identity, e->rule_id, a, e->dport, e->proto);
	if (e->hook != POLICY_HOOK_EGRESS)
		printf(",\"uid\":%u", e->uid);
	printf("}\n");
	fflush(stdout);
	ctx->printed++;
	if (ctx->opts->max_events && ctx->printed >= ctx->opts->max_events)
		loader_stop = 1;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: policy [-c CGROUP] -i CGROUP=ID... -r RULE... [-D] [-a] [-d SECONDS] "
		   "[-n COUNT] [-v]\n"
		   "Enforce identity-based network policy on a cgroup tree; print verdicts as JSON.\n"
		   "  -c, --cgroup PATH       attach to this cgroup v2 (default: the cgroup2 root)\n"
		   "  -i, --identity PATH=ID  workloads of cgroup PATH have identity ID\n"
		   "  -r, --rule ID,CIDR,PORT,PROTO,ACTION  e.g. 42,10.0.0.0/8,443,tcp,deny\n"
		   "                          (PORT 0: any, PROTO tcp|udp|any, ACTION allow|deny)\n"
		   "  -D, --default-deny      deny what no rule matches (default: allow)\n"
		   "  -a, --log-allowed       print allowed connections too\n"
		   "  -d, --duration SECONDS  stop after SECONDS (default: until Ctrl-C)\n"
		   "  -n, --count COUNT       stop after COUNT events\n"
		   "  -v, --verbose           show libbpf's debug output\n");
}

int main(int argc, char **argv)
{
	struct bpf_link *links[3] = {};
	struct policy_opts opts = {};
	const struct loader_opt table[] = {
		LOADER_OPT("cgroup", 'c', LOADER_OPT_STR, &opts.cgroup),
		LOADER_OPT("identity", 'i', LOADER_OPT_LIST, opts.identities,
			   .max = MAX_ITEMS, .count = &opts.nr_identities),
		LOADER_OPT("rule", 'r', LOADER_OPT_LIST, opts.rules,
			   .max = MAX_ITEMS, .count = &opts.nr_rules),
		LOADER_OPT("default-deny", 'D', LOADER_OPT_FLAG, &opts.default_deny),
		LOADER_OPT("log-allowed", 'a', LOADER_OPT_FLAG, &opts.log_allowed),
		LOADER_OPTS_COMMON(&opts.duration_s, &opts.max_events, &opts.verbose),
		{},
	};
	struct policy_ctx ctx = { .opts = &opts };
	struct ring_buffer *rb = NULL;
	struct policy *skel = NULL;
	int opt, first, cg_fd = -1, i, err = 0;

	opt = loader_parse_opts("policy", argc, argv, table, usage, &first);
	if (opt)
		return opt == 1 ? 0 : 2;
	if (first != argc) {
		usage(stderr);
		return 2;
	}
	if (!opts.cgroup)
		opts.cgroup = cgroup2_root();
	if (!opts.cgroup) {
		fprintf(stderr, "policy: cgroup2: not mounted (give -c PATH)\n");
		return 2;
	}
	loader_init(opts.verbose);

	/* Open, set the knobs, load, fill identities and rules, then attach. */
	skel = policy__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "policy: open: %s\n", strerror(-err));
		goto cleanup;
	}
	skel->rodata->default_deny = opts.default_deny;
	skel->rodata->log_allowed = opts.log_allowed;
	err = policy__load(skel);
	if (err) {
		fprintf(stderr, "policy: load: %s\n", strerror(-err));
		goto cleanup;
	}
	err = fill_maps(skel, &opts);
	if (err)
		goto cleanup;
	cg_fd = open(opts.cgroup, O_RDONLY | O_DIRECTORY);
	if (cg_fd < 0) {
		err = -errno;
		fprintf(stderr, "policy: %s: %s\n", opts.cgroup, strerror(-err));
		goto cleanup;
	}
	links[0] = bpf_program__attach_cgroup(skel->progs.policy_connect4, cg_fd);
	links[1] = bpf_program__attach_cgroup(skel->progs.policy_connect6, cg_fd);
	links[2] = bpf_program__attach_cgroup(skel->progs.policy_egress, cg_fd);
	for (i = 0; i < 3; i++)
		if (!links[i]) {
			err = -errno;
			fprintf(stderr, "policy: %s: attach: %s\n", opts.cgroup, strerror(-err));
			goto cleanup;
		}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &ctx, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "policy: ring buffer: %s\n", strerror(-err));
		goto cleanup;
	}
	fprintf(stderr, "policy: attached to %s, printing verdicts (Ctrl-C to stop)\n",
		opts.cgroup);

	err = loader_poll_events("policy", rb, opts.duration_s);
	if (err)
		goto cleanup;
	{
		int fd = bpf_map__fd(skel->maps.stats);

		printf("{\"type\":\"stats\",\"allowed\":%llu,\"denied\":%llu,\"unmanaged\":%llu,"
		       "\"default\":%llu,\"event_drops\":%llu,\"malformed\":%llu}\n",
		       loader_percpu_sum(fd, POLICY_STAT_ALLOWED), loader_percpu_sum(fd, POLICY_STAT_DENIED),
		       loader_percpu_sum(fd, POLICY_STAT_UNMANAGED), loader_percpu_sum(fd, POLICY_STAT_DEFAULT),
		       loader_percpu_sum(fd, POLICY_STAT_EVENT_DROPS), loader_percpu_sum(fd, POLICY_STAT_MALFORMED));
	}

cleanup:
	ring_buffer__free(rb);
	/* Detach before the programs go away. */
	for (i = 0; i < 3; i++)
		bpf_link__destroy(links[i]);
	if (cg_fd >= 0)
		close(cg_fd);
	policy__destroy(skel);
	return err ? 1 : 0;
}
