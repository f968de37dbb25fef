#!/usr/bin/env bash
# make verify: every program on the host, compared with a baseline; a program
# whose instructions processed grew past the threshold fails the target.
. "$(dirname "$0")/../lib.sh"

run make O="$O" verify-host
expect_eq "$rc" 0 "make verify ($err)"
expect_contains "$out" "programs:" "summary line"
[ -f ci/baseline.json ] && expect_contains "$out" "regressions" "compared with ci/baseline.json"

# a baseline in which every program needed half the instructions: a regression
"$BPFGATE" verify --json "$O"/programs/*.bpf.o >"$T/now.json"
python3 - "$T/now.json" "$T/base.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["insns_processed"]:
        r["insns_processed"] = r["insns_processed"] // 2
json.dump(d, open(sys.argv[2], "w"))
PY
run make O="$O" verify-host BASELINE="$T/base.json"
[ $rc -ne 0 ] || fail "make verify passed against a baseline it regressed from"
expect_contains "$out" "regression" "names the regression"

# the share of the 1M limit the project allows (25% by default): flow_xdp needs ~0.9%
"$BPFGATE" verify --json "$O"/programs/*.bpf.o >"$T/same.json"
run make O="$O" verify-host BASELINE="$T/same.json" MAX_SHARE=0.1%
[ $rc -ne 0 ] || fail "make verify passed with programs over MAX_SHARE"
expect_contains "$out" "max share 0.1%" "the share used"
run make O="$O" verify-host BASELINE="$T/same.json"
expect_eq "$rc" 0 "within the default share ($out)"
expect_contains "$out" "max share 25%" "the default share"
echo "make verify gates on the baseline"
