#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bpfgate verify --test on the host: test rows beside program rows, exit statuses, deadline,
# the host's kernels[] entry with its probe, --probe FILE, and bad arguments.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (loads BPF programs and probes the kernel)"
"$BPFGATE" verify --help | grep -q -- '--test' || skip "bpfgate verify has no --test option in this build"
obj=$O/tests/programs/ok_counter.bpf.o
[ -f "$obj" ] || fail "$obj was not built"
rel=$(uname -r)

mk() { printf '#!/bin/sh\n%s\n' "$2" >"$T/$1" && chmod +x "$T/$1"; }
mk test_good 'echo fine; exit 0'
mk test_skips 'echo looking; echo "needs a frobnicator"; exit 77'
mk test_bad 'echo start; echo "t.c:3:F:tc:test_b:0: Assertion '\''x'\'' failed"; echo "0%: Checks: 1"; exit 1'
mk test_hangs 'echo hanging; sleep 300'
json() { python3 -c 'import json, sys; d = json.load(open(sys.argv[2])); print(eval(sys.argv[1]))' "$1" "$T/r.json"; }
row() { json "[r for r in d['results'] if r['program'] == '$1'][0]['$2']"; }

# passing and skipping tests with an object: exit 0, rows as documented
run "$BPFGATE" verify --json --test "$T/test_good" --test "$T/test_skips" "$obj"
expect_eq "$rc" 0 "exit status with pass and skip (stderr: $err)"
echo "$out" >"$T/r.json"
expect_eq "$(json "[r['program'] for r in d['results']]")" "['ok_counter', 'test_good', 'test_skips']" "rows"
expect_eq "$(row test_good verdict)/$(row test_good section)/$(row test_good prog_type)" pass/functional/test "test_good"
expect_eq "$(row test_good object)" "$T/test_good" "object as given"
expect_eq "$(row test_good kernel)" "$rel" "kernel of a test row"
expect_eq "$(row test_good insns_processed)" None "statistics of a test row"
expect_eq "$(row test_skips verdict)" skip "test_skips"
expect_eq "$(row test_skips reason)" "needs a frobnicator" "skip reason = last line"
expect_eq "$(json "d['summary']")" "{'pass': 2, 'fail': 0, 'skip': 1, 'error': 0}" "summary"

# the host is the run's one kernel, with its own probe
expect_eq "$(json "[(k['release'], k['series'], k['backend'], k['accel'], k['boot_s']) for k in d['kernels']]")" \
	"[('$rel', 'host', 'host', None, None)]" "kernels[] of a host run"
expect_eq "$(json "d['kernels'][0]['probe']['kernel']")" "$rel" "host probe's kernel"
expect_eq "$(json "'xdp' in d['kernels'][0]['probe']['prog_types'] and 'hash' in d['kernels'][0]['probe']['map_types']")" True "host probe lists xdp and hash"
expect_eq "$(json "d['kernels'][0]['verify_s'] >= 0")" True "host verify_s"
"$BPFGATE" kernel probe --json >"$T/probe.json" || fail "bpfgate kernel probe"
expect_eq "$(json "d['kernels'][0]['probe'] == json.load(open('$T/probe.json'))")" True "the probe is bpfgate kernel probe's"

# a failing test: exit 1, its assertion line, its output's end; on the terminal too
run "$BPFGATE" verify --json --test "$T/test_bad" --test "$T/test_good"
expect_eq "$rc" 1 "exit status with a failing test, tests only"
echo "$out" >"$T/r.json"
expect_eq "$(row test_bad verdict)" fail "test_bad"
expect_eq "$(row test_bad error)" "t.c:3:F:tc:test_b:0: Assertion 'x' failed" "test_bad error"
expect_contains "$(row test_bad log_tail)" "start" "test_bad log tail"
run "$BPFGATE" verify --junit "$T/j.xml" --test "$T/test_bad" "$obj"
expect_eq "$rc" 1 "exit status, table output"
expect_contains "$out" "test_bad" "table lists the test"
expect_contains "$out" "Assertion 'x' failed" "table shows why"
grep -q '<testcase [^>]*name="test_bad"' "$T/j.xml" || fail "JUnit lacks test_bad"

# the deadline: killed, fail, in time
start=$(date +%s)
run "$BPFGATE" verify --json --test-timeout 2 --test "$T/test_hangs"
secs=$(($(date +%s) - start))
expect_eq "$rc" 1 "exit status of a hanging test"
echo "$out" >"$T/r.json"
expect_eq "$(row test_hangs error)" "timed out after 2 s" "deadline error"
[ "$secs" -lt 15 ] || fail "a 2 s deadline took ${secs}s"

# --probe FILE is recorded instead of probing again
python3 -c 'import json, sys; p = json.load(open(sys.argv[1])); p["prog_types"] = ["xdp"]; print(json.dumps(p))' \
	"$T/probe.json" >"$T/small-probe.json"
run "$BPFGATE" verify --json --probe "$T/small-probe.json" "$obj"
expect_eq "$rc" 0 "--probe FILE (stderr: $err)"
echo "$out" >"$T/r.json"
expect_eq "$(json "d['kernels'][0]['probe']['prog_types']")" "['xdp']" "recorded probe"

# bad arguments: one line, exit 2
echo '[1, 2]' >"$T/not-probe.json"
run "$BPFGATE" verify --json --probe "$T/not-probe.json" "$obj"
expect_eq "$rc" 2 "--probe with a JSON array"
expect_contains "$err" "bpfgate: $T/not-probe.json: not a feature probe" "--probe error"
echo '{"kernel": "x", "prog_types": ["xdp", 7]}' >"$T/bad-member.json"
run "$BPFGATE" verify --json --probe "$T/bad-member.json" "$obj"
expect_eq "$rc" 2 "--probe with a member of the wrong type"
expect_eq "$err" "bpfgate: $T/bad-member.json: not a feature probe (bpfgate kernel probe --json): line 1: probe.prog_types[1]: expected a type name (a string), not number" "--probe member error"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$T/huge-probe.json"
run "$BPFGATE" verify --json --probe "$T/huge-probe.json" "$obj"
expect_eq "$rc" 2 "--probe over 1 MiB"
expect_eq "$err" "bpfgate: $T/huge-probe.json: cannot read the probe: larger than the limit of 1 MiB" "--probe size error"
run "$BPFGATE" verify --probe "$T/missing.json" "$obj"
expect_eq "$rc" 2 "--probe with a missing file"
printf 'data\n' >"$T/not-exec"
run "$BPFGATE" verify --test "$T/not-exec" "$obj"
expect_eq "$rc" 2 "--test of a file that is not executable"
expect_contains "$err" "bpfgate: $T/not-exec: cannot execute" "--test error"
run "$BPFGATE" verify --test-timeout 0 --test "$T/test_good"
expect_eq "$rc" 2 "--test-timeout 0"
echo "host functional tests: pass, skip, fail, deadline, probe"
