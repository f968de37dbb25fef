#!/usr/bin/env bash
# Maps shared between objects (object_maps.c): a map of the same name and
# definition as one an earlier object made is reused, not made again; a map whose
# value has a spin lock (checked through its BTF), whose definition differs, or
# which could hold more than the 256 MiB kept for sharing, is made for its own
# object; and a program's result is the same as verified alone.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" = 0 ] || skip "loading BPF programs needs root"
command -v strace >/dev/null || skip "strace not installed"
gen() { # gen NAME ENTRIES: an XDP program on a per-CPU hash, a map with a lock
	# and a hash that could hold 512 MiB (allocated as it fills: it costs nothing here)
	cat >"$T/$1.bpf.c" <<C
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
struct locked { struct bpf_spin_lock lock; __u64 n; };
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, $2);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct locked);
} guarded SEC(".maps");
struct big { char b[65536]; };
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct big);
} huge SEC(".maps");
SEC("xdp") int $1_prog(struct xdp_md *ctx)
{
	__u32 k = ctx->ingress_ifindex;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);
	struct locked *l = bpf_map_lookup_elem(&guarded, &k);

	if (v)
		*v += 1;
	if (l) {
		bpf_spin_lock(&l->lock);
		l->n++;
		bpf_spin_unlock(&l->lock);
	}
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
C
	${CLANG:-clang} -g -O2 -target bpf -Icompiler -c "$T/$1.bpf.c" -o "$T/$1.bpf.o" ||
		fail "compile $1.bpf.c"
}
gen first 4096
gen second 4096
gen other 8192

strace -f -qq -e trace=bpf -o "$T/strace" "$BPFGATE" verify --no-cache --jobs 1 --json \
	"$T/first.bpf.o" "$T/second.bpf.o" "$T/other.bpf.o" >"$T/all.json" 2>"$T/err" ||
	fail "verify: $(cat "$T/err")"
made() { grep -c "BPF_MAP_CREATE.*map_name=\"$1\"" "$T/strace" || true; }
expect_eq "$(made counts)" 2 "per-CPU hashes made for 3 objects (2 alike, 1 larger)"
expect_eq "$(made guarded)" 3 "maps with a spin lock made for 3 objects"
expect_eq "$(made huge)" 3 "maps of 512 MiB made for 3 objects"

# the second object's result is the one it has alone
"$BPFGATE" verify --no-cache --jobs 1 --json "$T/second.bpf.o" >"$T/alone.json" ||
	fail "verify second alone"
python3 - "$T/all.json" "$T/alone.json" <<'PY' || fail "results differ"
import json, sys
def rows(p):
    return {r["program"]: {k: v for k, v in r.items()
                           if k not in ("verification_time_us", "object")}
            for r in json.load(open(p))["results"]}
together, alone = rows(sys.argv[1]), rows(sys.argv[2])
assert together["second_prog"] == alone["second_prog"], (together["second_prog"], alone["second_prog"])
assert all(r["verdict"] == "pass" for r in together.values()), together
PY
# Hostile BTF: a map value's pointer through a typedef that names itself. The
# check for fields the verifier reads through BTF must end (the map is then not
# shared), and both copies of the object are verified.
cat >"$T/loop.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
typedef int loopy;
struct loop_val { loopy *p; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct loop_val);
} looped SEC(".maps");
SEC("xdp") int loop_prog(struct xdp_md *ctx)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&looped, &k) ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
C
${CLANG:-clang} -g -O2 -target bpf -Icompiler -c "$T/loop.bpf.c" -o "$T/loop.bpf.o" ||
	fail "compile loop.bpf.c"
python3 - "$T/loop.bpf.o" "$T/loop2.bpf.o" <<'PY' || fail "patch loop.bpf.o"
import struct, sys
sys.path.insert(0, "tests/fixtures/crash")
from make_crash_objects import btf_types, sections
elf = bytearray(open(sys.argv[1], "rb").read())
btf = next(s for s in sections(elf) if s["sname"] == ".BTF")
for tid, t in enumerate(btf_types(elf, btf)):
    if t and t[1] == 8 and t[2] == "loopy":   # TYPEDEF loopy -> itself
        struct.pack_into("<I", elf, t[0] + 8, tid)
        break
else:
    sys.exit("typedef loopy not found")
open(sys.argv[2], "wb").write(elf)
PY
cp "$T/loop2.bpf.o" "$T/loop3.bpf.o"
timeout 60 "$BPFGATE" verify --no-cache --jobs 1 --json "$T/loop2.bpf.o" "$T/loop3.bpf.o" \
	>"$T/loop.json" 2>"$T/loop.err"
rc=$?
[ $rc != 124 ] || fail "verify hung on a typedef that names itself"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' \
	"$T/loop.json") || fail "no JSON for the looping typedef (exit $rc): $(cat "$T/loop.err")"
expect_eq "$n" 2 "results for two objects with a looping typedef"

echo "maps alike shared between objects, a map with a lock, another size or past the budget made anew; same result"
