#!/usr/bin/env bash
# The CI workflow's steps (ci/workflow.sh) run here as they run on GitHub, on a
# project of its own (tests/build/ownproject: a config, its own headers, an
# excluded program): kernels from the config, build, verify on the host against
# a baseline, and the merge job when bpfgate has 'merge'.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (verifies on the host kernel)"
cp -r tests/build/ownproject "$T/proj"
export PROJECT_DIR=$T/proj O=$T/build OUT=$T/results BPFGATE SUMMARY=$T/summary.md
wf() { run ci/workflow.sh "$@"; }

wf kernels
expect_eq "$rc" 0 "kernels: $err"
expect_eq "$out" '["host"]' "kernels from the project's config"
KERNELS="5.10 host" wf kernels
expect_eq "$out" '["5.10","host"]' "kernels from the input"
wf build
expect_eq "$rc" 0 "build: $err"
expect_eq "$(cd "$O/programs" && ls -- *.bpf.o | tr '\n' ' ')" \
	"flagged.bpf.o own_vmlinux.bpf.o plain.bpf.o split.bpf.o " "objects built"
# no baseline yet: verified, and said that nothing was gated
wf verify host
expect_eq "$rc" 0 "verify host: $err"
expect_contains "$err" "no baseline yet, nothing to gate" "missing baseline said"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if len(d["results"]) == 4 and all(r["verdict"] == "pass" for r in d["results"]) else 1)' \
	"$OUT/host.json" || fail "host.json: $(cat "$OUT/host.json")"
# a baseline named by the input gates the run
cp "$OUT/host.json" "$T/proj/base.json"
BASELINE=base.json wf verify host
expect_eq "$rc" 0 "verify host against its own baseline: $err"
BASELINE=nosuch.json wf verify host
expect_eq "$rc" 2 "a baseline input that does not exist"
expect_contains "$err" "nosuch.json: baseline not found" "missing baseline input"
wf verify
expect_eq "$rc" 2 "verify without a kernel"
wf nosuch
expect_eq "$rc" 2 "unknown command"
# the gate job
if "$BPFGATE" merge --help >/dev/null 2>&1; then
	BASELINE=base.json wf merge
	expect_eq "$rc" 0 "merge: $err"
	[ -s "$OUT/junit.xml" ] || fail "merge wrote no JUnit"
	[ -s "$SUMMARY" ] || fail "merge wrote no summary"
	if "$BPFGATE" merge --help | grep -q -- --html; then
		grep -q '<table id="matrix">' "$OUT/report.html" || fail "merge wrote no HTML report"
	fi
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(len(d["results"]) != 4)' \
		"$OUT/merged.json" || fail "merged.json is not the merged result: $(head -c 300 "$OUT/merged.json")"
	expect_contains "$err" "0 regressions" "the gate's verdict is shown"
	echo "workflow steps ran: kernels, build, verify host (gated), merge"
else
	echo "workflow steps ran: kernels, build, verify host (gated); merge: this bpfgate has none"
fi
