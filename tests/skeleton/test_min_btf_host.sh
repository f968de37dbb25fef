#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A minimal CO-RE BTF (bpftool gen min_core_btf over the programs' objects, from the host
# kernel's BTF) loads every program like the full BTF: btf_custom_load (libbpf's
# btf_custom_path) and bpfgate verify --btf give the same outcome and verifier statistics
# as the normal load. A minimal BTF made for other objects does not (the check can fail).
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (loads the programs)"
[ -r /sys/kernel/btf/vmlinux ] || skip "the host kernel has no BTF"
L=$O/skeleton/bin/btf_custom_load
[ -x "$L" ] || fail "$L was not built (make skel-consumers)"
objs=("$O"/programs/*.bpf.o)
[ -f "${objs[0]}" ] || fail "no objects in $O/programs"

bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$T/min.btf" "${objs[@]}" >/dev/null ||
	fail "bpftool gen min_core_btf"
full=$(stat -c %s /sys/kernel/btf/vmlinux) min=$(stat -c %s "$T/min.btf")
echo "minimal BTF: $min bytes for ${#objs[@]} objects (the kernel's: $full bytes)"
[ "$min" -lt $((full / 100)) ] || fail "the minimal BTF is not small: $min of $full bytes"

# libbpf's btf_custom_path, program by program
run timeout 300 "$L" "$T/min.btf" "${objs[@]}"
echo "$out"
expect_eq "$rc" 0 "btf_custom_load with the minimal BTF ($err)"
lines=$(grep -c ': same: ' <<<"$out")
expect_eq "$(grep -c . <<<"$out")" "$lines" "every program the same"
[ "$lines" -ge ${#objs[@]} ] || fail "only $lines programs compared"

# bpfgate verify --btf: the same statistics as without
"$BPFGATE" verify --json --kernel host "${objs[@]}" >"$T/full.json"
rc_full=$?
"$BPFGATE" verify --json --kernel host --btf "$T/min.btf" "${objs[@]}" >"$T/min.json"
expect_eq "$?" "$rc_full" "bpfgate verify's exit status with --btf"
python3 - "$T/full.json" "$T/min.json" <<'PY' || fail "bpfgate verify --btf differs"
import json, sys
keys = ("verdict", "insns_processed", "total_states", "peak_states", "max_states_per_insn",
        "mark_read", "stack_depth", "prog_insns")
rows = [{(r["object"], r["program"]): r for r in json.load(open(f))["results"]}
        for f in sys.argv[1:]]
bad = 0
for k, full in rows[0].items():
    mini = rows[1].get(k)
    diff = [x for x in keys if mini is None or full.get(x) != mini.get(x)]
    if diff:
        bad += 1
        print(f"{k[1]}: differs in {diff}: {full} / {mini}")
if set(rows[0]) != set(rows[1]) or not rows[0]:
    bad += 1
    print("not the same programs")
print(f"bpfgate verify --btf: {len(rows[0])} programs, {bad} differ")
sys.exit(1 if bad else 0)
PY

# a minimal BTF made for policy alone lacks the types exec's relocations need
bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$T/policy.btf" "$O/programs/policy.bpf.o" \
	>/dev/null || fail "bpftool gen min_core_btf (policy)"
run timeout 300 "$L" "$T/policy.btf" "$O/programs/exec.bpf.o"
echo "$out"
expect_eq "$rc" 1 "exec with policy's minimal BTF"
expect_contains "$out" "exec_exec: DIFFERENT" "the difference"
