#!/usr/bin/env bash
# Expectations in the source, failures explained at the source line, skips with
# reasons, guessed types, and the exit status that follows from them.
. "$(dirname "$0")/../lib.sh"

B=$O/tests/programs
[ -e "$B/ok_counter.bpf.o" ] || fail "tests/bpf not built (make test-bpf)"

# all pass or skip: exit 0
run "$BPFGATE" verify --json "$B/ok_counter.bpf.o" "$B/rejects_null_deref.bpf.o" \
	"$B/guessed_type.bpf.o" "$B/needs_future.bpf.o" "$B/freplace_alone.bpf.o"
expect_eq "$rc" 0 "passing and skipped programs ($err)"
echo "$out" >"$T/ok.json"
python3 - "$T/ok.json" <<'PY' || exit 1
import json, sys
r = {x["program"]: x for x in json.load(open(sys.argv[1]))["results"]}
assert r["ok_counter"]["verdict"] == "pass" and r["ok_counter"]["insns_processed"] > 0
n = r["rejects_null_deref"]
assert n["verdict"] == "pass" and n["expect"] == "fail", n
assert "map_value_or_null" in n["error"], n
g = r["guessed_type"]
assert g["verdict"] == "pass" and g["prog_type"] == "xdp", g
assert "guessed" in g["reason"], g
f = r["needs_future"]
assert f["verdict"] == "skip" and "needs >= 99.0" in f["reason"], f
assert "from the future" in f["reason"], f
p = r["passes_below_min"]
assert p["verdict"] == "pass" and "can be lowered" in p["reason"], p
fr = r["freplace_alone"]
assert fr["verdict"] == "skip" and "target" in fr["reason"], fr
PY

# a real bug: exit 1, error line, class, source line, and the neighbour still verified
run "$BPFGATE" verify --json "$B/bug_oob.bpf.o"
expect_eq "$rc" 1 "a rejected program fails the run"
echo "$out" >"$T/bug.json"
line=$(grep -n 'BUG-LINE' tests/bpf/bug_oob.bpf.c | cut -d: -f1)
python3 - "$T/bug.json" "$line" <<'PY' || exit 1
import json, sys
r = {x["program"]: x for x in json.load(open(sys.argv[1]))["results"]}
b = r["bug_oob"]
assert b["verdict"] == "fail", b
assert "invalid access to packet" in b["error"], b["error"]
assert b["error_class"] == "invalid_mem_access", b["error_class"]
assert b["error_kind"] == "program has a bug", b["error_kind"]
assert b["source"].endswith("bug_oob.bpf.c:" + sys.argv[2]), b["source"]
assert "BUG-LINE" in b["source_text"] or "data[12]" in b["source_text"], b["source_text"]
assert b["log_tail"], "no log tail"
assert b["insns_processed"] is not None, "stats of a failure"
assert r["fine_next_to_bug"]["verdict"] == "pass", "the other program of the object"
PY

# the table for people: error line, source location and the source text
run "$BPFGATE" verify "$B/bug_oob.bpf.o"
expect_eq "$rc" 1 "table mode exit"
expect_contains "$out" "bug_oob.bpf.c:$line" "source location in the table output"
expect_contains "$out" "invalid access to packet" "error line in the table output"
# -v: the whole log between markers
run "$BPFGATE" verify -v "$B/bug_oob.bpf.o"
expect_contains "$err" "-- BEGIN PROG LOAD LOG --" "full log with -v"
expect_contains "$err" "-- END PROG LOAD LOG --" "full log end marker"

# tagged __failure but accepted: a failure
run "$BPFGATE" verify "$B/wrongly_tagged.bpf.o"
expect_eq "$rc" 1 "accepted program tagged __failure"

# every __msg counts: a program whose first or last message is not in the log fails
run "$BPFGATE" verify --json "$B/msg_each.bpf.o"
expect_eq "$rc" 1 "a __msg not in the log fails the run"
echo "$out" >"$T/msg.json"
python3 - "$T/msg.json" <<'PY' || exit 1
import json, sys
r = {x["program"]: x for x in json.load(open(sys.argv[1]))["results"]}
assert r["msg_all_found"]["verdict"] == "pass", r["msg_all_found"]
for p in ("msg_last_missing", "msg_first_missing"):
    assert r[p]["verdict"] == "fail", r[p]
    assert r[p]["error_class"] == "expectation", r[p]
    assert r[p]["reason"] == "expected message not in the verifier log: 'no verifier writes this'", r[p]
PY

# GitHub annotations
GITHUB_ACTIONS=true run "$BPFGATE" verify "$B/bug_oob.bpf.o"
expect_contains "$err" "::error file=" "GitHub annotation"

# JUnit and Markdown files; --jobs 1 and --jobs 2 agree
run "$BPFGATE" verify --jobs 1 --json --junit "$T/j.xml" --markdown "$T/s.md" "$B"/*.bpf.o
j1=$(echo "$out" | python3 -c 'import json,sys; print([(r["program"], r["verdict"], r["insns_processed"]) for r in json.load(sys.stdin)["results"]])')
run "$BPFGATE" verify --jobs 2 --json "$B"/*.bpf.o
j2=$(echo "$out" | python3 -c 'import json,sys; print([(r["program"], r["verdict"], r["insns_processed"]) for r in json.load(sys.stdin)["results"]])')
expect_eq "$j2" "$j1" "--jobs 2 gives the same results in the same order"
grep -q '<testsuite' "$T/j.xml" || fail "JUnit file"
grep -q 'bug_oob' "$T/s.md" || fail "Markdown summary"
echo "expectations, failures, skips and reports behave"
