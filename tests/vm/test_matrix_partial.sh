#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A VM that hangs or panics mid-run keeps what it already sent: an object verified before a
# functional test hangs (or crashes the kernel) is reported with its verdict and statistics,
# next to the `(vm)` error that says why the VM stopped, how far it got and that results
# were kept; exit status 2; no VM is left.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

need_vm
need_matrix_verify
"$BPFGATE" verify --help | grep -q -- '--test' || skip "bpfgate verify has no --test option in this build"
read -r K1 _ <<<"$CI_KERNELS"
R1=$(release "$K1")
obj=$O/tests/programs/ok_counter.bpf.o
[ -f "$obj" ] || fail "$obj was not built"
"$BPFGATE" kernel fetch "$K1" >/dev/null 2>&1 || fail "fetch $K1"

# A test that never ends (the qemu guest's /bin/sh is busybox); its own deadline is later
# than the VM's, so it is the VM's deadline that stops it. Boot (5 to 10 s under TCG) and
# the object's step take well under the VM's 40 s.
printf '#!/bin/sh\nsleep 1000\n' >"$T/hang"
chmod +x "$T/hang"
start=$(date +%s)
BPFGATE_RESULT_DIR=$T/run run "$BPFGATE" verify --json --vm-backend qemu --kernel "$K1" \
	--timeout 40 --test-timeout 300 "$obj" --test "$T/hang"
secs=$(($(date +%s) - start))
echo "$err"
echo "$out" >"$T/r.json"
expect_eq "$rc" 2 "a VM that timed out: exit status"
[ "$secs" -ge 40 ] || fail "the VM stopped after ${secs}s, before its deadline: the test did not hang"
[ "$secs" -lt 60 ] || fail "a 40 s deadline took ${secs}s"

# one line per result: KERNEL OBJECT PROGRAM VERDICT INSNS ERROR
python3 - "$T/r.json" >"$T/rows" <<'PY' || fail "results are not JSON: $out"
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    print("\t".join(str(r.get(f)) for f in ("kernel", "object", "program", "verdict", "insns_processed", "error")))
PY
cat "$T/rows"
expect_eq "$(wc -l <"$T/rows")" 2 "the object's result and the VM's error"
row=$(awk -F'\t' -v k="$R1" -v o="$obj" '$1 == k && $2 == o && $3 == "ok_counter"' "$T/rows")
[ -n "$row" ] || fail "no result of ok_counter on $R1: $(cat "$T/rows")"
expect_eq "$(echo "$row" | cut -f4)" pass "ok_counter's verdict on $R1"
[ "$(echo "$row" | cut -f5)" -gt 0 ] 2>/dev/null || fail "ok_counter's insns_processed: $row"
vm=$(awk -F'\t' -v k="$R1" '$1 == k && $2 == "(vm)" && $3 == "(vm)" && $4 == "error"' "$T/rows")
[ -n "$vm" ] || fail "no (vm) error on $R1: $(cat "$T/rows")"
cause=$(echo "$vm" | cut -f6)
expect_contains "$cause" "VM timed out after 40 s" "the cause"
expect_contains "$cause" "verifying step 2 of 2: results of 1 step kept" "how far it got"
# the hanging test left no row of its own: it never ended
grep -q hang "$T/rows" && fail "a row for the test that never ended"

# the run folder has the results that came back, as a result document
expect_eq "$(json_py '[r["program"] for r in d["results"]]' "$T/run/$K1/results.json")" \
	"['ok_counter']" "results.json of $K1"
pgrep -f "$T/run/" >/dev/null && fail "a VM outlived its deadline"

# A kernel that panics in the second step (a test that crashes it through sysrq): the
# first step's result is kept, the error names the panic and how far the guest got.
printf '#!/bin/sh\necho c >/proc/sysrq-trigger\nsleep 1000\n' >"$T/crash"
chmod +x "$T/crash"
BPFGATE_RESULT_DIR=$T/crash-run run "$BPFGATE" verify --json --vm-backend qemu --kernel "$K1" \
	--timeout 40 "$obj" --test "$T/crash"
echo "$out" >"$T/c.json"
expect_eq "$rc" 2 "a kernel that panicked: exit status"
expect_eq "$(json_py "[(r['program'], r['verdict']) for r in d['results']]" "$T/c.json")" \
	"[('ok_counter', 'pass'), ('(vm)', 'error')]" "results of a kernel that panicked"
expect_eq "$(json_py 'd["results"][1]["error"]' "$T/c.json")" \
	"kernel panic (sysrq triggered crash) while verifying step 2 of 2: results of 1 step kept" \
	"the cause of a panic"
echo "partial results kept on $K1: after a hang (${secs}s) and after a panic"
