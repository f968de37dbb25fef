#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Inside a one-CPU guest, bpfgate verify loads programs with one worker: an object on
# which libbpf crashes (tests/fixtures/crash) costs that program only, the other
# programs of the step are verified and reported (before, the guest's bpfgate died
# and the step's results were lost).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

need_vm
need_matrix_verify
command -v python3 >/dev/null || skip "python3 not installed"
read -r K1 _ <<<"$CI_KERNELS"
R1=$(release "$K1")
ok=$O/tests/programs/ok_counter.bpf.o
[ -f "$ok" ] || fail "$ok was not built"
"$BPFGATE" kernel fetch "$K1" >/dev/null 2>&1 || fail "fetch $K1"
${CLANG:-clang} -g -O2 -target bpf -Icompiler -c tests/fixtures/crash/crash_base.bpf.c \
	-o "$T/crash_base.o" || fail "compile crash_base.bpf.c"
python3 tests/fixtures/crash/make_crash_objects.py "$T/crash_base.o" "$T" || fail "generator"

BPFGATE_RESULT_DIR=$T/run run "$BPFGATE" verify --json --vm-backend qemu --kernel "$K1" \
	"$T/bitfield_sigfpe.o" "$ok"
echo "$err"
expect_eq "$rc" 2 "a program the loader crashed on is an error: exit status"
echo "$out" >"$T/r.json"
python3 - "$T/r.json" "$R1" <<'PY' || fail "guest results: $out"
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["program"]: x for x in d["results"] if x["kernel"] == sys.argv[2]}
c = r["crash_bitfield"]
assert c["verdict"] == "error", c
assert c["error"] == "the loader crashed on this object: SIGFPE in libbpf (bpf_object__load)", c
assert c["error_class"] == "loader_crash", c
for p in ("relo_of_pid", "crash_neighbour", "ok_counter"):
    assert r[p]["verdict"] == "pass" and r[p]["insns_processed"] > 0, r[p]
PY
echo "a crash in the guest costs one program on $K1 ($R1)"
