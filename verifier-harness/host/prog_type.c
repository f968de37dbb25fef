// SPDX-License-Identifier: BSD-2-Clause
/* prog_type.c: program type from a name, or guessed from the context argument. */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "prog_type.h"

int vh_prog_type__from_name(const char *name, enum bpf_prog_type *type,
			    enum bpf_attach_type *attach)
{
	char sec[128];

	if (!libbpf_prog_type_by_name(name, type, attach))
		return 0;
	/* accept libbpf's enum names too ("sched_cls", "cgroup_sock_addr") */
	for (int t = BPF_PROG_TYPE_UNSPEC + 1;; t++) {
		const char *s = libbpf_bpf_prog_type_str(t);

		if (!s)
			break;
		if (!strcmp(s, name)) {
			*type = t;
			*attach = 0;
			return 0;
		}
	}
	/* "kprobe" alone is not a SEC() libbpf knows without a target */
	snprintf(sec, sizeof(sec), "%s/x", name);
	return libbpf_prog_type_by_name(sec, type, attach) ? -ESRCH : 0;
}

/* Context struct -> the program type that receives it. */
static const struct {
	const char *ctx;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
} ctx_types[] = {
	{ "xdp_md", BPF_PROG_TYPE_XDP, BPF_XDP },
	{ "__sk_buff", BPF_PROG_TYPE_SCHED_CLS, 0 },
	{ "pt_regs", BPF_PROG_TYPE_KPROBE, 0 },
	{ "user_pt_regs", BPF_PROG_TYPE_KPROBE, 0 },
	{ "bpf_sock_addr", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT },
	{ "bpf_sock", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE },
	{ "bpf_sock_ops", BPF_PROG_TYPE_SOCK_OPS, 0 },
	{ "sk_msg_md", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT },
	{ "bpf_perf_event_data", BPF_PROG_TYPE_PERF_EVENT, 0 },
	{ "bpf_sysctl", BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL },
	{ "bpf_sockopt", BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT },
	{ "sk_reuseport_md", BPF_PROG_TYPE_SK_REUSEPORT, 0 },
	{ "bpf_sk_lookup", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP },
	{ "bpf_raw_tracepoint_args", BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
};

int vh_prog_type__guess(const struct btf *btf, const char *func, enum bpf_prog_type *type,
			enum bpf_attach_type *attach, const char **why)
{
	const struct btf_type *t, *proto;
	const struct btf_param *p;
	__s32 id;

	if (!btf || !func)
		return -ESRCH;
	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id < 0)
		return -ESRCH;
	t = btf__type_by_id(btf, id);
	proto = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) < 1)
		return -ESRCH;
	p = btf_params(proto);
	/* pointer (through typedefs/modifiers) to a named struct */
	t = btf__type_by_id(btf, p->type);
	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_ptr(t))
		return -ESRCH;
	t = btf__type_by_id(btf, t->type);
	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_composite(t))
		return -ESRCH;
	for (size_t i = 0; i < sizeof(ctx_types) / sizeof(ctx_types[0]); i++) {
		if (strcmp(btf__name_by_offset(btf, t->name_off) ?: "", ctx_types[i].ctx))
			continue;
		*type = ctx_types[i].type;
		*attach = ctx_types[i].attach;
		*why = ctx_types[i].ctx;
		return 0;
	}
	return -ESRCH;
}
