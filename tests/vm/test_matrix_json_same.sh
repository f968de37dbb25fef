#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The JSON of a matrix run on the CI kernels is the committed golden one, timings aside
# (ci/json-same.sh): every verdict, statistic, error, source line and kernel probe of
# bpfgate's programs, the harness's test programs (passes, rejections, a skip) and one
# functional test, on the oldest and the newest kernel of the matrix. A change of
# behaviour shows here as a diff; when the change is meant, regenerate the golden file:
#	GOLDEN_UPDATE=1 make run-tests T='vm/test_matrix_json_same*'
# Besides timings, what depends on the machine and not on bpfgate is left out: the
# accelerator (KVM or TCG), whether the guest sees KVM, and bpfgate's version.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

need_vm
need_matrix_verify
command -v jq >/dev/null || skip "jq not installed (make deps)"
read -r K1 K2 <<<"$CI_KERNELS"
GOLDEN=$TOP/tests/vm/golden/matrix-ci.json
for k in "$K1" "$K2"; do
	"$BPFGATE" kernel fetch "$k" >/dev/null 2>&1 || fail "fetch $k"
done

# Paths as a user gives them, the same on every machine: relative to the run's folder.
mkdir -p "$T/w/o" "$T/w/t"
for p in exec flow l7 policy svcmap; do
	f=$O/programs/$p.bpf.o
	[ -f "$f" ] || fail "$f was not built"
	cp "$f" "$T/w/o/"
done
for p in ok_counter rejects_null_deref bug_oob needs_future msg_each; do
	f=$O/tests/programs/$p.bpf.o
	[ -f "$f" ] || fail "$f was not built"
	cp "$f" "$T/w/o/"
done
f=$O/tests/functional-static/test_policy
[ -x "$f" ] || fail "$f was not built (make functional-static)"
cp "$f" "$T/w/t/"

start=$(date +%s)
cd "$T/w" || fail "cd $T/w"
run "$BPFGATE" verify --json --vm-backend qemu --kernel "$K1" --kernel "$K2" \
	--test t/test_policy o/*.bpf.o
echo "$err"
echo "matrix: $(($(date +%s) - start)) s"
# a rejected program: exit status 1, never 2 (no VM or setup error)
expect_eq "$rc" 1 "exit status (stdout: $out)"
printf '%s\n' "$out" | jq 'del(.version) | del(.kernels[].accel) | del(.kernels[].probe.kvm)' \
	>"$T/r.json" || fail "the results are not JSON: $out"

if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
	mkdir -p "$(dirname "$GOLDEN")"
	"$TOP/ci/json-same.sh" --normalise "$T/r.json" >"$GOLDEN" || fail "normalise"
	echo "wrote $GOLDEN"
	exit 0
fi
[ -f "$GOLDEN" ] || fail "$GOLDEN is missing (GOLDEN_UPDATE=1 writes it)"
"$TOP/ci/json-same.sh" "$GOLDEN" "$T/r.json" >"$T/diff"
rc=$?
[ $rc -eq 0 ] || { head -80 "$T/diff"; fail "the matrix's JSON differs from $GOLDEN (diff above)"; }
