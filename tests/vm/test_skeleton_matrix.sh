#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The skeleton consumers and the minimal-BTF loader in every kernel of the matrix, in one
# boot per kernel (bpfgate verify --test): each program's regular skeleton opens, loads,
# attaches and sees its knob's effect (a light skeleton may skip, with its reason, on a
# kernel without BPF_PROG_TYPE_SYSCALL); every program loads with btf_custom_path set to
# that kernel's minimal BTF (bpftool gen min_core_btf over the objects, from the BTF of
# the cached image) with the same outcome and verifier statistics as with the full BTF,
# while a minimal BTF made for policy alone is told apart (the comparison can fail).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

need_vm
need_matrix_verify
S=$O/skeleton/static
# make check's kernels (CI_KERNELS: the oldest and newest of the matrix, cached in CI);
# SKEL_KERNELS="$(ci/kernels.sh list)" for every kernel. The host's own run is
# tests/skeleton/; make release runs the consumers in every kernel it targets too.
kernels=${SKEL_KERNELS:-$CI_KERNELS}
objs=("$O"/programs/*.bpf.o)
progs=$(ls tests/skeleton/case_*.h | sed 's|.*/case_\(.*\)\.h|\1|')
tests=()
for p in $progs; do
	for k in skel lskel; do
		[ -x "$S/$p-$k-c" ] || fail "$S/$p-$k-c was not built (make skel-consumers-static)"
		tests+=(--test "$S/$p-$k-c")
	done
done

# Each kernel's minimal BTF, from the cached image's BTF, carried by the loader.
blobs=$T/blobs.S n=0
{
	echo '.section .data.rel.ro,"aw"'
	echo '.balign 8'
	echo '.globl btf_custom_blobs'
	echo 'btf_custom_blobs:'
} >"$blobs"
data=$T/blob-data.S
echo '.section .rodata' >"$data"
add_blob() { # KIND NAME FILE
	echo ".quad k$n, n$n, d$n, e$n" >>"$blobs"
	printf 'k%d: .asciz "%s"\nn%d: .asciz "%s"\n.balign 8\nd%d: .incbin "%s"\ne%d:\n' \
		$n "$1" $n "$2" $n "$3" $n >>"$data"
	n=$((n + 1))
}
for o in "${objs[@]}"; do add_blob obj "$(basename "$o")" "$o"; done
for k in $kernels; do
	img=$("$BPFGATE" kernel path "$k" 2>/dev/null) || {
		"$BPFGATE" kernel fetch "$k" >/dev/null || fail "kernel $k: fetch"
		img=$("$BPFGATE" kernel path "$k")
	}
	src=$img
	[ -f "$(dirname "$img")/vmlinux" ] && src=$(dirname "$img")/vmlinux
	"$TOP/compiler/kernel-btf.sh" "$src" "$T/$k.btf" || fail "kernel $k: no BTF in $src"
	bpftool gen min_core_btf "$T/$k.btf" "$T/$k.min.btf" "${objs[@]}" >/dev/null ||
		fail "kernel $k: bpftool gen min_core_btf"
	echo "kernel $k: minimal BTF $(stat -c %s "$T/$k.min.btf") bytes" \
		"(full: $(stat -c %s "$T/$k.btf"))"
	add_blob btf "$(release "$k")" "$T/$k.min.btf"
	# the control: made for policy alone, it must not load the others the same way
	bpftool gen min_core_btf "$T/$k.btf" "$T/$k.other.btf" "$O/programs/policy.bpf.o" \
		>/dev/null || fail "kernel $k: bpftool gen min_core_btf (policy)"
	add_blob btf-other "$(release "$k")" "$T/$k.other.btf"
	rm -f "$T/$k.btf"
done
printf '.globl btf_custom_nblobs\nbtf_custom_nblobs: .quad %d\n' $n >>"$blobs"
cat "$data" >>"$blobs"
echo '.section .note.GNU-stack,"",@progbits' >>"$blobs"
${CC:-cc} -static "$S/btf_custom_load.o" "$blobs" "$O/harness/vm-static/eu_search.o" \
	-o "$T/btf_custom_load" -lbpf -lelf -lz -lzstd || fail "static btf_custom_load"

kargs=()
for k in $kernels; do kargs+=(--kernel "$k"); done
start=$(date +%s)
run "$BPFGATE" verify --json --vm-backend qemu "${kargs[@]}" "${tests[@]}" \
	--test "$T/btf_custom_load" "$O/tests/programs/ok_counter.bpf.o"
secs=$(($(date +%s) - start))
echo "$err" | tail -n 20
echo "$out" >"$T/r.json"
python3 - "$T/r.json" <<'PY' >"$T/rows" || fail "results: $(cat "$T/rows") $out"
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["program"] == "ok_counter":
        continue
    print("\t".join([r["kernel"], r["program"], r["verdict"],
                     (r.get("reason") or r.get("error") or "").replace("\n", " "),
                     (r.get("log_tail") or "").replace("\n", " | ")]))
PY
cat "$T/rows"
for k in $kernels; do
	R=$(release "$k")
	for p in $progs; do
		for kind in skel lskel; do
			v=$(awk -F'\t' -v k="$R" -v t="$p-$kind-c" '$1 == k && $2 == t { print $3 }' "$T/rows")
			case $kind/$v in
			*/pass) ;;
			lskel/skip) ;;
			# svcmap's regular skeleton picks the attach set the kernel has: no skip
			*) fail "$p-$kind-c on $R: '$v'" ;;
			esac
		done
	done
	v=$(awk -F'\t' -v k="$R" '$1 == k && $2 == "btf_custom_load" { print $3 }' "$T/rows")
	expect_eq "$v" pass "the minimal-BTF loader on $R"
done
expect_eq "$rc" 0 "bpfgate verify's exit status"
echo "skeleton consumers and minimal-BTF loader on $kernels in ${secs}s"
