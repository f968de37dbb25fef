#!/usr/bin/env bash
# A project's bpfgate.conf says which programs must be rejected ([program] expect =
# fail) or are not gated (expect = skip); bpfgate verify holds the run to it.
. "$(dirname "$0")/../lib.sh"

obj=$O/tests/programs/bug_oob.bpf.o
[ -f "$obj" ] || fail "$obj missing (make test-bpf)"
[ "$(id -u)" = 0 ] || skip "loading programs needs root"

cd "$T" || fail "no temp folder"
# Without a config: bug_oob is rejected (exit 1), its neighbour passes.
run "$BPFGATE" verify --json "$obj"
expect_eq "$rc" 1 "bug_oob without a config"

printf '[program "bug_oob:bug_oob"]\nexpect = fail\n' >bpfgate.conf
run "$BPFGATE" verify --json "$obj"
expect_eq "$rc" 0 "a rejection the config expects ($err)"
v=$(echo "$out" | python3 -c 'import json,sys
d = json.load(sys.stdin)
print(" ".join(r["program"] + "=" + r["verdict"] + "/" + str(r.get("expect")) for r in d["results"]))')
expect_eq "$v" "bug_oob=pass/fail fine_next_to_bug=pass/None" "verdicts with expect = fail"

# The program that passes, expected to fail: a failure naming the config.
printf '[program "bug_oob"]\nexpect = fail\n' >bpfgate.conf
run "$BPFGATE" verify "$obj"
expect_eq "$rc" 1 "an acceptance the config does not expect"
expect_contains "$out" "fine_next_to_bug" "the unexpected acceptance is named"
run "$BPFGATE" verify --json "$obj"
expect_contains "$out" "expects to fail" "the error says what was expected"

# expect = skip: not gated, said why.
printf '[program "bug_*"]\nexpect = skip\n' >bpfgate.conf
run "$BPFGATE" verify --json "$obj"
expect_eq "$rc" 0 "expect = skip"
expect_contains "$out" "expect = skip in bpfgate.conf" "the skip's reason names the config"

# --config names another file; the flag wins over ./bpfgate.conf.
printf '[program "nothing_*"]\nexpect = skip\n' >other.conf
run "$BPFGATE" verify --config other.conf "$obj"
expect_eq "$rc" 1 "--config other.conf: bug_oob is rejected again"
echo "config expectations hold"
