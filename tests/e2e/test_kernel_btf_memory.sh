#!/usr/bin/env bash
# A load holds no more of the kernel BTF than it needs (vmlinux_btf.c): bpfgate
# reads /sys/kernel/btf/vmlinux in place and indexes it; CO-RE objects get a
# subset written from it, attach-target lookups (fentry, tp_btf) the index's
# answers, and kfuncs and typed ksyms a skeleton of the kernel's types made for
# the object, where libbpf 1.4 copies and parses all of it (5.5 MiB, 6 MiB with
# its index) for each. The results are libbpf's: a kfunc declared with the
# wrong prototype is still refused, as libbpf refuses it against the whole BTF.
. "$(dirname "$0")/../lib.sh"

compile_fentry "$T/trace.bpf.o"
TIMER=${TIME:-/usr/bin/time}
[ -x "$TIMER" ] || skip "GNU time not installed (ci/deps.sh installs it)"

cat >"$T/plain.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("xdp") int pass(struct xdp_md *ctx) { return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
C
cat >"$T/core.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
SEC("kprobe/do_nanosleep") int core(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	return BPF_CORE_READ(t, real_parent, tgid) > 0;
}
char LICENSE[] SEC("license") = "GPL";
C
cat >"$T/kfunc.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
SEC("tp_btf/task_newtask") int BPF_PROG(on_new, struct task_struct *task, u64 flags)
{
	struct task_struct *t = bpf_task_acquire(task);

	if (t)
		bpf_task_release(t);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
C
# (no vmlinux.h: it declares bpf_task_acquire with its right prototype)
cat >"$T/bad_kfunc.bpf.c" <<'C'
#define SEC(n) __attribute__((section(n), used))
struct task_struct;
extern struct task_struct *bpf_task_acquire(struct task_struct *p, int extra)
	__attribute__((section(".ksyms")));
extern void bpf_task_release(struct task_struct *p) __attribute__((section(".ksyms")));
SEC("tp_btf/task_newtask") int on_new(unsigned long long *ctx)
{
	struct task_struct *t = bpf_task_acquire((struct task_struct *)ctx[0], 1);

	if (t)
		bpf_task_release(t);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
C
for p in plain core kfunc bad_kfunc; do
	${CLANG:-clang} -g -O2 -target bpf -Icompiler -c "$T/$p.bpf.c" -o "$T/$p.bpf.o" ||
		fail "compile $p.bpf.c"
done

# the kfunc object is verified, and passes, as with libbpf's own parse
"$BPFGATE" verify --no-cache --jobs 1 --json "$T/kfunc.bpf.o" >"$T/kfunc.json" 2>"$T/err" || true
verdict=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["verdict"])' \
	"$T/kfunc.json")
expect_eq "$verdict" pass "kfunc.bpf.o's verdict ($(cat "$T/err"))"
"$BPFGATE" verify --no-cache --jobs 1 --json "$T/bad_kfunc.bpf.o" >"$T/bad.json" 2>&1 || true
expect_contains "$(cat "$T/bad.json")" "func_proto" "a kfunc of the wrong prototype is refused"
expect_contains "$(cat "$T/bad.json")" "incompatible with vmlinux" "a kfunc of the wrong prototype is refused"

peak_kib() { # the largest peak RSS of the run's processes
	"$TIMER" -f %M -o "$T/peak" "$BPFGATE" verify --no-cache --jobs 1 "$1" >/dev/null 2>&1
	tail -1 "$T/peak"
}
btf_kib=$(($(stat -c %s /sys/kernel/btf/vmlinux) / 1024))
# Where the kernel cannot map the file (before 6.16), bpfgate reads it: a copy
# of its size, counted once.
read_kib=0
python3 -c 'import mmap,os; mmap.mmap(os.open("/sys/kernel/btf/vmlinux", os.O_RDONLY), 0,
	flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ)' 2>/dev/null || read_kib=$btf_kib
plain=$(peak_kib "$T/plain.bpf.o")
for p in core trace kfunc; do
	extra=$(($(peak_kib "$T/$p.bpf.o") - plain))
	case $p in
	# the index (an id per named type, an offset per 16 types) and a subset
	core | trace) bound=$((btf_kib / 5)) ;;
	# and the skeleton: 12 bytes or more per kernel type, libbpf's offset of each
	kfunc) bound=$((btf_kib * 3 / 5)) ;;
	esac
	[ "$extra" -lt $((bound + read_kib)) ] ||
		fail "$p.bpf.o took $extra KiB more at peak than a load that needs no kernel BTF" \
			"(at most $((bound + read_kib)); the kernel BTF is ${btf_kib} KiB)"
	echo "$p.bpf.o: $extra KiB at peak for the kernel BTF (bound $((bound + read_kib)) KiB)"
done
