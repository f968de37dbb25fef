#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# --vm-backend qemu and --vm-backend vng boot the same kernel and must report the same
# verdicts and verifier statistics for the same objects (everything but timings).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

need_vm
need_matrix_verify
command -v vng >/dev/null || skip "virtme-ng not installed (make deps)"
command -v udevadm >/dev/null || skip "udev not installed: vng guests never get their console ports"
K=${CI_KERNELS%% *}
objs=("$O"/programs/*.bpf.o "$O"/tests/programs/*.bpf.o)

for b in qemu vng; do
	BPFGATE_RESULT_DIR=$T/$b run "$BPFGATE" verify --json --vm-backend "$b" --kernel "$K" "${objs[@]}"
	echo "$b: exit $rc"
	echo "$err" | grep 'done in' || fail "$b run did not finish: $err"
	echo "$out" >"$T/$b.json"
	eval "rc_$b=$rc"
done
expect_eq "$rc_vng" "$rc_qemu" "same exit status"

# everything the verifier decides, keyed by object and program
cat >"$T/key.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
keep = ("kernel", "verdict", "insns_processed", "total_states", "peak_states",
        "max_states_per_insn", "mark_read", "stack_depth", "prog_insns", "error",
        "error_class", "source", "reason", "section", "prog_type")
for r in sorted(d["results"], key=lambda r: (r["object"], r["program"])):
    print(r["object"], r["program"], *(f"{k}={r.get(k)}" for k in keep))
PY
python3 "$T/key.py" "$T/qemu.json" >"$T/qemu.txt"
python3 "$T/key.py" "$T/vng.json" >"$T/vng.txt"
[ "$(wc -l <"$T/qemu.txt")" -ge "${#objs[@]}" ] || fail "too few results: $(cat "$T/qemu.txt")"
grep -q "verdict=error" "$T/qemu.txt" && fail "qemu backend reported an error: $(grep verdict=error "$T/qemu.txt")"
diff -u "$T/qemu.txt" "$T/vng.txt" || fail "the backends disagree"
echo "$(wc -l <"$T/qemu.txt") results identical on $K"
