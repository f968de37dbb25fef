#!/usr/bin/env bash
# bpfgate verify --baseline and bpfgate merge: the gate adds to the run's exit status,
# never replaces it; merged per-kernel results are the multi-kernel run; every option
# value is checked (one line, exit 2), alike in every command.
. "$(dirname "$0")/../lib.sh"

B=$O/tests/programs
REL=$(uname -r)

# A rejected program whose baseline rejected it too: the comparison passes, the run
# does not (exit 1, not the gate's 0).
"$BPFGATE" verify --json "$B/bug_oob.bpf.o" "$B/ok_counter.bpf.o" >"$T/base.json"
run "$BPFGATE" verify --baseline "$T/base.json" "$B/bug_oob.bpf.o" "$B/ok_counter.bpf.o"
expect_eq "$rc" 1 "rejected program, baseline comparison passes"
expect_contains "$out" "0 regressions" "the comparison itself passed"
expect_contains "$out" "FAIL (gate: 0 regressions" "the verdict is the run's"
run "$BPFGATE" merge --baseline "$T/base.json" "$T/base.json"
expect_eq "$rc" 1 "merge: rejected program, baseline comparison passes"
# a baseline that cannot be read: exit 2, said once, and the verdict says why
run "$BPFGATE" verify --baseline "$T/nope.json" "$B/ok_counter.bpf.o"
expect_eq "$rc" 2 "unreadable baseline"
expect_eq "$err" "bpfgate: $T/nope.json: No such file or directory" "unreadable baseline: message"
expect_contains "$out" "ERROR (not gated: $T/nope.json could not be read)" "unreadable baseline: verdict"
# and a regression on a run that passes: exit 1 from the gate
python3 - "$T/base.json" "$T/low.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["verdict"] == "pass" and r["insns_processed"]: r["insns_processed"] //= 2
json.dump(d, open(sys.argv[2], "w"))
PY
run "$BPFGATE" verify --baseline "$T/low.json" "$B/ok_counter.bpf.o"
expect_eq "$rc" 1 "a regression on a passing run"
run "$BPFGATE" verify --baseline "$T/low.json" --max-growth 1000 --allow-removed "$B/ok_counter.bpf.o"
expect_eq "$rc" 0 "within the thresholds, bug_oob allowed to go"

# merge: two kernels' results, each from a run of its own, are the two-kernel run
"$BPFGATE" verify --json "$B/ok_counter.bpf.o" "$B/bug_oob.bpf.o" >"$T/host.json"
python3 - "$T/host.json" "$T/vm.json" "$T/expected.json" <<'PY'
import json, sys, copy
host = json.load(open(sys.argv[1]))
vm = copy.deepcopy(host)
for r in vm["results"]: r["kernel"] = "6.1.0-56-amd64"
vm["kernels"] = [{"release": "6.1.0-56-amd64", "series": "6.1", "backend": "qemu",
                  "accel": "tcg", "boot_s": 3.17, "verify_s": 2.42, "probe": None}]
json.dump(vm, open(sys.argv[2], "w"))
# the two-kernel run: results oldest kernel first, summary over both, kernels sorted
one = copy.deepcopy(vm)
one["results"] += host["results"]
one["kernels"] += host["kernels"]
for k in one["summary"]: one["summary"][k] = vm["summary"][k] + host["summary"][k]
json.dump(one, open(sys.argv[3], "w"))
PY
run "$BPFGATE" merge --json "$T/host.json" "$T/vm.json"
expect_eq "$rc" 1 "merge: the failing program fails the merged run"
echo "$out" >"$T/merged.json"
python3 - "$T/merged.json" "$T/expected.json" <<'PY' || fail "merged JSON differs from the two-kernel run"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
if a != b:
    print(json.dumps(a, sort_keys=True)[:600]); print(json.dumps(b, sort_keys=True)[:600])
    sys.exit(1)
PY
# the same files in another order merge to the same document
run "$BPFGATE" merge --json "$T/vm.json" "$T/host.json"
expect_eq "$out" "$(cat "$T/merged.json")" "merge is independent of the order of its files"
# every output of verify, from the same code
run "$BPFGATE" merge --junit "$T/m.xml" --markdown "$T/m.md" "$T/host.json" "$T/vm.json"
expect_eq "$rc" 1 "merge with reports"
[ "$(grep -c '<testsuite ' "$T/m.xml")" = 2 ] || fail "JUnit: one testsuite per kernel: $(cat "$T/m.xml")"
grep -q 'bug_oob' "$T/m.md" || fail "Markdown without the failure"
expect_contains "$out" "fail  bug_oob.bpf.o:bug_oob on 6.1.0-56-amd64" "merge: the summary of each kernel"
# annotations point at the source's path in the repository ($GITHUB_WORKSPACE, else
# the current folder), found by its name; a file not in it keeps its bare name
run env GITHUB_ACTIONS=true GITHUB_WORKSPACE="$TOP" "$BPFGATE" merge "$T/host.json"
expect_contains "$err" "::error file=tests/bpf/bug_oob.bpf.c,line=11," "annotation: repository path"
run env -u GITHUB_WORKSPACE GITHUB_ACTIONS=true "$BPFGATE" merge "$T/host.json"
expect_contains "$err" "::error file=tests/bpf/bug_oob.bpf.c,line=11," "annotation: from the current folder"
run env GITHUB_ACTIONS=true GITHUB_WORKSPACE="$T" "$BPFGATE" merge "$T/host.json"
expect_contains "$err" "::error file=bug_oob.bpf.c,line=11," "annotation: not in the repository"
# gated like verify: a baseline of the host only gates the host, and says so for 6.1
run "$BPFGATE" merge --baseline "$T/host.json" "$T/host.json" "$T/vm.json"
expect_eq "$rc" 1 "merge --baseline: the failure still fails"
expect_contains "$err" "warning: $T/host.json: no rows of kernel 6.1.0-56-amd64" "merge: ungated kernel said"
run "$BPFGATE" merge --baseline "$T/host.json" "$T/vm.json"
expect_eq "$rc" 2 "merge: baseline without the run's kernel"
run "$BPFGATE" merge --baseline "$T/host.json" --baseline-missing=warn "$T/vm.json"
expect_eq "$rc" 1 "merge --baseline-missing=warn: the run's own failure"

# bad input to merge and baseline: one line, exit 2
for args in "" "$T/nope.json" "--max-share 101 $T/host.json" "--frob $T/host.json"; do
	run "$BPFGATE" merge $args
	expect_eq "$rc" 2 "merge $args"
	expect_eq "$(echo "$err" | wc -l)" 1 "merge $args: one line: $err"
done
for args in "" "frob" "update" "update $T/b.json" "update $T/b.json $T/nope.json"; do
	run "$BPFGATE" baseline $args
	expect_eq "$rc" 2 "baseline $args"
	expect_eq "$(echo "$err" | wc -l)" 1 "baseline $args: one line: $err"
done
[ ! -e "$T/b.json" ] || fail "baseline update wrote a file from a missing result"
printf '{"results": [' >"$T/bad.json"
cp "$T/host.json" "$T/b.json"
run "$BPFGATE" baseline update "$T/b.json" "$T/bad.json"
expect_eq "$rc" 2 "baseline update of a malformed result"
cmp -s "$T/host.json" "$T/b.json" || fail "a failed update changed the baseline"
[ -z "$(ls "$T" | grep tmp)" ] || fail "temporary files left: $(ls "$T")"

# option values: the same check in every command
for cmd in verify merge; do
	for opt in "--max-share 150" "--max-share nan" "--max-growth inf" "--max-growth -5" \
		"--max-growth 5x" "--baseline-missing sometimes"; do
		run "$BPFGATE" $cmd $opt "$T/host.json"
		expect_eq "$rc" 2 "$cmd $opt"
		expect_eq "$(echo "$err" | wc -l)" 1 "$cmd $opt: one line"
	done
done
for opt in "--jobs 0" "--jobs 1.5" "--jobs 5%" "--jobs nan" "--jobs 99999" "--timeout 0" \
	"--timeout inf" "--test-timeout -1" "--test-timeout 10%" "--vm-backend kvm"; do
	run "$BPFGATE" verify $opt "$B/ok_counter.bpf.o"
	expect_eq "$rc" 2 "verify $opt"
	expect_eq "$(echo "$err" | wc -l)" 1 "verify $opt: one line: $err"
done
run "$BPFGATE" verify --jobs nan "$B/ok_counter.bpf.o"
expect_eq "$err" "bpfgate: --jobs: 'nan' is not a whole number from 1 to 1024" "--jobs nan: message"
run "$BPFGATE" verify --type nosuchtype "$B/ok_counter.bpf.o"
expect_eq "$rc" 2 "unknown --type"
expect_contains "$err" "bpfgate: --type: 'nosuchtype' is not a program type libbpf knows" "--type: message"
run "$BPFGATE" verify --type xdp "$B/ok_counter.bpf.o"
expect_eq "$rc" 0 "a known --type"
run "$BPFGATE" verify --prog 'no_such_prog*' "$B/ok_counter.bpf.o"
expect_eq "$rc" 2 "--prog matching nothing"
expect_eq "$err" "bpfgate: --prog: 'no_such_prog*' matches no program of the objects given" "--prog: message"
run "$BPFGATE" verify --btf /etc/passwd "$B/ok_counter.bpf.o"
expect_eq "$rc" 2 "--btf that is not BTF"
expect_contains "$err" "bpfgate: /etc/passwd: not a BTF file" "--btf: message"
expect_eq "$(echo "$err" | wc -l)" 1 "--btf: one line"
# no line wider than 120 columns off a terminal, nor than the terminal on one
too_wide() { sed 's/\x1b\[[0-9;]*m//g; s/\r$//' | awk -v w="$1" 'length > w'; }
run "$BPFGATE" verify --table --baseline "$T/base.json" "$B"/*.bpf.o "$O"/programs/*.bpf.o
[ -z "$(echo "$out" | too_wide 120)" ] || fail "--table: lines over 120 columns: $(echo "$out" | too_wide 120 | head -3)"
run "$BPFGATE" verify "$B"/*.bpf.o "$O"/programs/*.bpf.o
[ -z "$(echo "$out" | too_wide 120)" ] || fail "summary: lines over 120 columns: $(echo "$out" | too_wide 120 | head -3)"
if command -v script >/dev/null; then
	script -qc "stty cols 70; $BPFGATE verify --table --baseline $T/base.json $B/*.bpf.o" /dev/null >"$T/tty.out"
	grep -q 'PROGRAM' "$T/tty.out" || fail "no table on the terminal: $(head -3 "$T/tty.out")"
	[ -z "$(too_wide 70 <"$T/tty.out")" ] || fail "a 70-column terminal: $(too_wide 70 <"$T/tty.out" | head -3)"
fi
echo "the gate adds to the exit status; merge is the multi-kernel run; option values checked"
