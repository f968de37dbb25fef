#!/usr/bin/env bash
# make release: objects, skeletons and per-kernel minimal CO-RE BTF, and a program
# that loads with only its minimal BTF for CO-RE.
. "$(dirname "$0")/../lib.sh"

R=$T/rel
run make O="$O" release KERNELS=host
expect_eq "$rc" 0 "make release ($err)"
rel=$(uname -r)
for src in programs/*.bpf.c; do
	n=$(basename "$src" .bpf.c)
	[ -s "$O/release/programs/$n.bpf.o" ] || fail "release lacks $n.bpf.o"
	[ -s "$O/release/include/$n.skel.h" ] || fail "release lacks $n.skel.h"
	b=$O/release/btf/$rel/$n.min.btf
	[ -s "$b" ] || fail "release lacks $b"
	bpftool btf dump file "$b" >/dev/null || fail "$b is not BTF"
	[ "$(stat -c %s "$b")" -lt 100000 ] || fail "$b is not minimal ($(stat -c %s "$b") bytes)"
done
(cd "$O/release" && sha256sum -c --quiet SHA256SUMS) || fail "SHA256SUMS does not match"
[ ! -e "$O/release.tmp" ] || fail "release.tmp left behind"

# exec reads task_struct through CO-RE: its minimal BTF is enough to relocate it
run "$BPFGATE" verify --json --btf "$O/release/btf/$rel/exec.min.btf" "$O/release/programs/exec.bpf.o"
expect_eq "$rc" 0 "exec verifies with only its minimal BTF ($err)"
# ... and the minimal BTF of another program is not: a CO-RE relocation fails
run "$BPFGATE" verify --json --btf "$O/release/btf/$rel/l7.min.btf" "$O/release/programs/exec.bpf.o"
expect_eq "$rc" 1 "exec against l7's minimal BTF"
expect_contains "$out" '"error_class":"core_relocation"' "the failure is a CO-RE relocation"
echo "release built; exec verifies with its $(stat -c %s "$O/release/btf/$rel/exec.min.btf")-byte minimal BTF"
