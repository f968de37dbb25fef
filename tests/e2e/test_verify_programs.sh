#!/usr/bin/env bash
# bpfgate verify on the project's own objects: every program passes on the host
# kernel, with the verifier's statistics, in the JSON contract; nothing is left
# in the kernel afterwards.
. "$(dirname "$0")/../lib.sh"

objs=("$O"/programs/*.bpf.o)
[ -e "${objs[0]}" ] || fail "no objects in $O/programs (run make)"
progs0=$(bpf_prog_count) maps0=$(bpf_map_count)
run "$BPFGATE" verify --json "${objs[@]}"
expect_eq "$rc" 0 "exit status ($err)"
expect_settles bpf_prog_count "$progs0" "programs in the kernel after verify"
expect_settles bpf_map_count "$maps0" "maps in the kernel after verify"
echo "$out" >"$T/r.json"
python3 - "$T/r.json" "$(uname -r)" <<'PY' || exit 1
import json, sys
doc = json.load(open(sys.argv[1]))
assert set(doc) >= {"version", "results", "summary"}, doc.keys()
res = doc["results"]
assert res, "no results"
need = ["kernel", "object", "program", "section", "prog_type", "verdict", "insns_processed",
        "total_states", "peak_states", "max_states_per_insn", "mark_read",
        "verification_time_us", "stack_depth", "prog_insns"]
for r in res:
    for k in need:
        assert k in r, f"{r['program']}: missing {k}"
    assert r["kernel"] == sys.argv[2], r["kernel"]
    assert r["verdict"] in ("pass", "skip"), f"{r['program']}: {r['verdict']} {r.get('error')}"
    if r["verdict"] == "pass":
        assert r["insns_processed"] > 0 and r["prog_insns"] > 0, r
        # the suite's budget: a quarter of the 1M instruction limit
        assert r["insns_processed"] <= 250000, f"{r['program']} uses {r['insns_processed']} insns"
s = doc["summary"]
assert s["pass"] + s["skip"] == len(res) and s["fail"] == 0, s
print(f"{len(res)} programs verified on {sys.argv[2]}")
PY
