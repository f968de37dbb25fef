#!/usr/bin/env bash
# make release on the host kernel: it verifies first (bpfgate core-check, then the
# matrix with the functional tests and the gate, reused when nothing changed), refuses
# what fails (one line naming program, kernel and why), and ships NAME-VERSION.tar.gz
# with its manifest; the example loader of docs/releasing.md loads a program with the
# release's minimal BTF. The matrix's VM kernels take minutes under TCG: `make release`
# itself runs them; BTF-only kernels are test_release_btf.sh's, and two clones giving
# one archive test_release_reproducible.sh's.
. "$(dirname "$0")/../lib.sh"

rel=$(uname -r)
mk() { run env -u MAKEFLAGS make O="$O" "$@"; }
mk release RELEASE_KERNELS=host ALLOW_DIRTY=1
expect_eq "$rc" 0 "make release ($err)"
case $out in
*CORE*MATRIX*RELEASE*) ;;
*) fail "core-check, then the matrix, then the release: $out" ;;
esac

# --- the archive -------------------------------------------------------------------
tgz=$(find "$O/release" -maxdepth 1 -name '*.tar.gz')
[ "$(echo "$tgz" | wc -l)" -eq 1 ] || fail "one archive expected in $O/release: $tgz"
base=$(basename "$tgz" .tar.gz)
top=$(git rev-parse --show-toplevel)
dirty=false
[ -z "$(git status --porcelain --untracked-files=normal)" ] || dirty=true
expect_eq "$base" "$(basename "$top")-$(git describe --always)$([ $dirty = false ] || echo -dirty)" \
	"archive name"
mkdir "$T/x"
tar -C "$T/x" -xzf "$tgz" || fail "cannot unpack $tgz"
diff -r "$T/x/$base" "$O/release/$base" >/dev/null ||
	fail "the archive differs from $O/release/$base"
d=$T/x/$base
(cd "$d" && sha256sum -c --quiet SHA256SUMS) || fail "SHA256SUMS does not match"
expect_eq "$(cut -c67- "$d/SHA256SUMS" | sort | tr '\n' ' ')" \
	"$(cd "$d" && find . -type f ! -name SHA256SUMS -printf '%P\n' | sort | tr '\n' ' ')" \
	"SHA256SUMS covers every file"
n=0
for src in programs/*.bpf.c; do
	p=$(basename "$src" .bpf.c)
	n=$((n + 1))
	for f in programs/$p.bpf.o include/$p.skel.h include/$p.h; do
		[ -s "$d/$f" ] || fail "the release lacks $f"
	done
	cmp -s "$d/programs/$p.bpf.o" "$O/programs/$p.bpf.o" || fail "$p.bpf.o is not the one built"
	# a light skeleton, or the manifest says why there is none
	lskel=$(jq -r --arg p "$p" '.programs[] | select(.name == $p) |
		.light_skeleton // ("refused: " + .light_skeleton_refused)' "$d/MANIFEST.json")
	case $lskel in
	include/*) grep -q "${p}__load" "$d/$lskel" || fail "$lskel is not a light skeleton" ;;
	"refused: "?*) ;;
	*) fail "$p: no light skeleton and no reason ($lskel)" ;;
	esac
done
b=$d/btf/$rel.min.btf
bpftool btf dump file "$b" >/dev/null || fail "$b is not BTF"
[ ! -e "$d/btf/vmlinux" ] && [ "$(find "$d/btf" -type f | wc -l)" -eq 1 ] ||
	fail "btf/ holds only the minimal BTF of each kernel: $(ls "$d/btf")"
for f in report/matrix.json report/matrix.md MANIFEST.json; do
	[ -s "$d/$f" ] || fail "the release lacks $f"
done
# fixed owners, modes and times; gzip without a name or time
tar --numeric-owner -tvzf "$tgz" | awk '{print $2}' | sort -u | grep -qvx 0/0 &&
	fail "archive entries not owned by 0/0"
epoch=$(git log -1 --format=%ct)
tar --utc --full-time -tvzf "$tgz" | awk '{print $4 " " $5}' | sort -u |
	grep -qvx "$(date -u -d "@$epoch" '+%Y-%m-%d %H:%M:%S')" && fail "entries not dated at the commit"
expect_eq "$(od -An -tx1 -j4 -N4 "$tgz" | tr -d ' ')" 00000000 "gzip header time"

# --- the manifest ----------------------------------------------------------------------
m=$d/MANIFEST.json
expect_eq "$(jq -r '.source.commit' "$m")" "$(git rev-parse HEAD)" "manifest commit"
expect_eq "$(jq -r '.source.dirty' "$m")" "$dirty" "manifest dirty flag"
expect_eq "$(jq -r '.source.allow_dirty' "$m")" true "manifest allow_dirty"
expect_eq "$(jq -r '.kernels | map(.release + " " + .origin) | join(",")' "$m")" "$rel host" \
	"the kernels: the host only, as asked"
jq -e '.kernels[0] | .min_btf_bytes > 0 and .min_btf_bytes * 100 < .btf_bytes' "$m" >/dev/null ||
	fail "the minimal BTF is not minimal: $(jq -c '.kernels[0]' "$m")"
for k in clang bpftool libbpf_dev bpfgate; do
	[ -n "$(jq -r ".tools.$k" "$m")" ] || fail "manifest lacks tools.$k"
done
expect_contains "$(jq -r .build.cflags "$m")" "-O2 -target bpf" "manifest build flags"
expect_eq "$(jq '.programs | length' "$m")" "$n" "manifest programs"
# every program x kernel with its verdict and statistics, as the matrix gave them
expect_eq "$(jq -r '[.matrix.results[] | select(.prog_type != "test") | .object] | unique |
	length' "$m")" "$n" "matrix results of every object"
jq -e --arg k "$rel" '.matrix.results | map(select(.verdict == "pass" and .prog_type != "test")) |
	length > 0 and all(.kernel == $k and .insns_processed > 0 and .total_states > 0)' "$m" \
	>/dev/null || fail "matrix results lack statistics"
jq -e '.matrix.results | any(.prog_type == "test" and .verdict == "pass")' "$m" >/dev/null ||
	fail "the functional tests did not run"
expect_eq "$(jq '.core_check.results | length' "$m")" \
	"$(jq '[.matrix.results[] | select(.prog_type != "test")] | length' "$m")" \
	"a core-check verdict per program and kernel"
# nothing that differs between folders or users
for f in "$m" "$d/report/matrix.json" "$d/report/matrix.md"; do
	grep -q -e "$TOP" -e "$O" -e "$HOME" -e verification_time_us\":[0-9] "$f" &&
		fail "$f holds a path or a timing"
done

# --- the example loader picks the minimal BTF of the running kernel -------------------
gcc -Wall -Wextra -Werror -o "$T/loader" docs/examples/release_loader.c -lbpf -lelf -lz ||
	fail "docs/examples/release_loader.c does not build"
run "$T/loader" "$d" exec
expect_eq "$rc" 0 "the loader loads exec with the release's BTF ($err)"
expect_contains "$out" "CO-RE against $d/btf/$rel.min.btf" "the loader's BTF"
# ... and really uses it: a minimal BTF without task_struct makes exec fail to relocate
bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$d/btf/$rel.min.btf" "$d/programs/flow.bpf.o" ||
	fail "bpftool gen min_core_btf"
run "$T/loader" "$d" exec
expect_eq "$rc" 1 "exec with flow's minimal BTF"
expect_contains "$err" "failed to resolve CO-RE relocation" "the loader's CO-RE failure"

# --- nothing changed: the matrix is reused ------------------------------------------
mk release RELEASE_KERNELS=host ALLOW_DIRTY=1
expect_eq "$rc" 0 "make release again ($err)"
expect_contains "$out" "matrix.json reused" "the second release reuses the matrix"

# --- refused: a gate regression (a baseline of half the instructions) ----------------
jq '.results |= map(if .insns_processed then .insns_processed |= (. / 2 | floor) else . end)' \
	"$O/matrix.json" >"$T/tight.json"
before=$(sha256sum "$tgz")
# (compiler/release.sh itself, without the functional tests, to save their time; make
# would say 2, as for any failing recipe)
run env RELEASE_KERNELS=host ALLOW_DIRTY=1 RELEASE_VERIFY="--baseline $T/tight.json" \
	compiler/release.sh "$O/release" "$BPFGATE" "$O"/programs/*.bpf.o
expect_eq "$rc" 1 "a release with a regression"
expect_contains "$err" "bpfgate: exec.bpf.o:exec_exec on $rel: gate regression: insns processed" \
	"the regression line"
expect_eq "$(sha256sum "$tgz")" "$before" "a refused release leaves the last one"
[ ! -e "$O/release.tmp" ] || fail "release.tmp left behind"

# --- refused: core-check first, then a program that fails verification ----------------
mkdir -p "$T/progs"
cat >"$T/progs/bad_core.bpf.c" <<'EOF'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
struct task_struct___nope { int no_such_field; } __attribute__((preserve_access_index));
SEC("tp_btf/sched_process_exec")
int bad_core(void *ctx)
{
	struct task_struct___nope *t = (void *)bpf_get_current_task_btf();
	return t->no_such_field;
}
char LICENSE[] SEC("license") = "GPL";
EOF
cat >"$T/progs/bad_oob.bpf.c" <<'EOF'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("xdp")
int bad_oob(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	return p[100];
}
char LICENSE[] SEC("license") = "GPL";
EOF
mkp() {
	mk O="$T/o" BPFGATE="$BPFGATE" PROGRAMS_DIR="$T/progs" bpf-objs bpf-skels
	[ "$rc" = 0 ] || fail "build $T/progs: $err"
	run env RELEASE_KERNELS=host ALLOW_DIRTY=1 compiler/release.sh "$T/o/release" "$BPFGATE" \
		"$T"/o/programs/*.bpf.o
}
mkp
expect_eq "$rc" 1 "make release with an unguarded CO-RE failure"
expect_contains "$err" "bpfgate: bad_core.bpf.o:bad_core on $rel: CO-RE relocation" \
	"core-check line"
case $out in *MATRIX*) fail "the matrix ran after core-check failed" ;; esac
rm "$T/progs/bad_core.bpf.c" "$T"/o/programs/bad_core.*
mkp
expect_eq "$rc" 1 "make release with a program the verifier rejects"
expect_contains "$err" "bpfgate: bad_oob.bpf.o:bad_oob on $rel: fails (invalid_mem_access)" \
	"the verification failure line"
[ ! -e "$T/o/release" ] && [ ! -e "$T/o/release.tmp" ] && [ ! -e "$T/o/matrix.stamp" ] ||
	fail "a refused release left files"
echo "released $base ($(stat -c %s "$tgz") bytes); refusals: regression, CO-RE, verifier"
