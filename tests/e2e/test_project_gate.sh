#!/usr/bin/env bash
# Another project adopts bpfgate: its own folder and baseline (never bpfgate's own
# ci/baseline.json), a baseline made on another machine (another patch build of the
# same kernel series) still gates, an injected regression fails `make verify` naming
# the program and its growth, a baseline without the run's kernels is an error (or a
# warning on the host alone), a removed program regresses, and `make baseline` on
# the host keeps the rows of other kernels.
. "$(dirname "$0")/../lib.sh"

P=$T/project/programs
OUT=$T/out
mkdir -p "$OUT"
# bpfgate itself is already built: the project's build reuses it as it is
cp -a "$O/harness" "$O/bpfgate" "$OUT/"
[ -e "$O/bpfgate.static" ] && cp -a "$O/bpfgate.static" "$OUT/"
cp -r tests/fixtures/project "$T/project"
own=$(sha256sum ci/baseline.json 2>/dev/null)
REL=$(uname -r)
SERIES=$(echo "$REL" | grep -oE '^[0-9]+\.[0-9]+')
OTHER=$SERIES.999-colleague
mk() { run make O="$OUT" PROGRAMS_DIR="$P" "$@"; }
# expect_make STATUS LABEL: make failed because bpfgate exited STATUS (make itself exits 2)
expect_make() {
	if [ "$1" = 0 ]; then
		expect_eq "$rc" 0 "$2 ($err)"
	else
		[ "$rc" -ne 0 ] || fail "$2: make succeeded"
		expect_contains "$err" "verify-host] Error $1" "$2: bpfgate's exit status"
	fi
}
# edit FILE PYTHON: rewrite a result file (d is the document)
edit() {
	python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(d, open(sys.argv[1], "w"), indent=1)
PY
}

# the project's baseline goes beside its programs
mk baseline KERNELS=host
expect_eq "$rc" 0 "make baseline ($err)"
[ -s "$P/bpfgate-baseline.json" ] || fail "no $P/bpfgate-baseline.json"
expect_eq "$(sha256sum ci/baseline.json 2>/dev/null)" "$own" "bpfgate's own ci/baseline.json untouched"
cp "$P/bpfgate-baseline.json" "$T/mine.json"

# ... made on a colleague's machine: same series, another patch build
cp "$T/mine.json" "$T/colleague.json"
edit "$T/colleague.json" "
for r in d['results']: r['kernel'] = '$OTHER'
for k in d['kernels']: k['release'] = '$OTHER'"
mk verify-host BASELINE="$T/colleague.json"
expect_eq "$rc" 0 "same series: nothing regressed ($out $err)"
expect_contains "$out" "kernel $REL: compared with the baseline's $OTHER (same series $SERIES)" \
	"the substitution is said"
expect_contains "$out" "3 programs compared: 0 regressions" "every program compared"
expect_contains "$out" "PASS (gate: 0 regressions against $T/colleague.json)" "verdict"
# the short summary: no line wider than 120 columns off a terminal, no full table
[ -z "$(echo "$out" | awk 'length > 120')" ] || fail "lines over 120 columns: $out"
case $out in *"Insns (A)"*) fail "the full table without V=1: $out" ;; esac
mk verify-host BASELINE="$T/colleague.json" V=1
expect_contains "$out" "Insns (A)" "V=1: the full comparison table"
[ -z "$(echo "$out" | awk 'length > 120')" ] || fail "V=1: lines over 120 columns: $out"
"$OUT/bpfgate" verify --json --baseline "$T/colleague.json" "$OUT"/programs/*.bpf.o >"$T/run.json" 2>/dev/null
expect_eq "$(python3 -c "
import json; k = json.load(open('$T/run.json'))['kernels'][0]
print(k['baseline_kernel'], k['baseline_match'])")" "$OTHER series" "the match recorded in the JSON"

# an injected regression: the baseline's byte_sum needed half the instructions
cp "$T/colleague.json" "$T/regressed.json"
edit "$T/regressed.json" "
for r in d['results']:
    if r['program'] == 'byte_sum': r['insns_processed'] //= 2"
base=$(python3 -c "import json; print([r['insns_processed'] for r in json.load(open('$T/regressed.json'))['results'] if r['program'] == 'byte_sum'][0])")
mk verify-host BASELINE="$T/regressed.json"
expect_make 1 "injected regression fails make verify"
expect_contains "$out" "regression: byte_sum.bpf.o:byte_sum on $REL: insns processed grew from $base to" \
	"names the program and the growth"
expect_contains "$out" "more than 10%" "names the threshold"
expect_contains "$out" "FAIL (gate: 1 regression against $T/regressed.json)" "verdict"
# ... and the project's default baseline is the one beside its programs
cp "$T/regressed.json" "$P/bpfgate-baseline.json"
mk verify-host
expect_make 1 "the default baseline of PROGRAMS_DIR gates"
expect_contains "$out" "against $P/bpfgate-baseline.json" "the default baseline's name"

# a baseline with none of the run's kernels: a warning on the developer's host...
cp "$T/mine.json" "$T/vm_only.json"
edit "$T/vm_only.json" "
for r in d['results']: r['kernel'] = '5.10.0-32-amd64'
d['kernels'] = [{'release': '5.10.0-32-amd64', 'series': '5.10', 'backend': 'qemu'}]"
mk verify-host BASELINE="$T/vm_only.json"
expect_eq "$rc" 0 "host kernel not in the baseline: usable ($err)"
expect_contains "$err" "warning: $T/vm_only.json: no rows of kernel $REL nor of its series (it has: 5.10.0-32-amd64)" \
	"warns, naming what the baseline has"
expect_contains "$out" "not gated" "the verdict says it was not gated"
# ... an error where the run is meant to be gated
mk verify-host BASELINE="$T/vm_only.json" BASELINE_MISSING=error
expect_make 2 "BASELINE_MISSING=error"
expect_contains "$err" "bpfgate: $T/vm_only.json: no rows of kernel $REL" "error: names the kernel"
expect_contains "$err" "'make baseline' or 'bpfgate baseline update $T/vm_only.json RESULT.json'" \
	"error: how to add it"
run "$OUT/bpfgate" verify --baseline "$T/vm_only.json" "$OUT"/programs/*.bpf.o
expect_eq "$rc" 2 "bpfgate verify: strict by default"

# a program of the baseline that is gone
cp "$T/colleague.json" "$T/more.json"
edit "$T/more.json" "
r = dict(d['results'][0]); r['program'] = 'retired'; d['results'].append(r)"
mk verify-host BASELINE="$T/more.json"
expect_make 1 "a removed program regresses"
expect_contains "$out" "regression: byte_sum.bpf.o:retired on $OTHER: removed" "names the removed program"
run "$OUT/bpfgate" verify --allow-removed --baseline "$T/more.json" "$OUT"/programs/*.bpf.o
expect_eq "$rc" 0 "--allow-removed"
expect_contains "$out" "removed: byte_sum.bpf.o:retired on $OTHER" "--allow-removed: still listed"

# make baseline KERNELS=host keeps the other kernels' rows, replaces the host's
python3 - "$T/colleague.json" "$T/vm_only.json" "$P/bpfgate-baseline.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
a["results"] += b["results"]; a["kernels"] += b["kernels"]
json.dump(a, open(sys.argv[3], "w"))
PY
mk baseline KERNELS=host
expect_eq "$rc" 0 "make baseline KERNELS=host ($err)"
expect_eq "$(python3 -c "
import json; d = json.load(open('$P/bpfgate-baseline.json'))
print(sorted(set(r['kernel'] for r in d['results'])), len(d['results']))")" \
	"['5.10.0-32-amd64', '$REL'] 6" "5.10's rows kept, the colleague's host rows replaced"
cp "$P/bpfgate-baseline.json" "$T/first.json"
mk baseline KERNELS=host
cmp -s "$T/first.json" "$P/bpfgate-baseline.json" ||
	fail "a refresh with nothing changed changed the file: $(diff "$T/first.json" "$P/bpfgate-baseline.json" | head)"
expect_eq "$(sha256sum ci/baseline.json 2>/dev/null)" "$own" "ci/baseline.json still untouched"

# the project's bpfgate.conf: its baseline and gate are make verify's and bpfgate
# verify's defaults; options on the command line win
rm -f "$P/bpfgate-baseline.json"
cat >"$T/project/bpfgate.conf" <<'CONF'
[project]
programs = programs
baseline = gate/baseline.json
[gate]
max_growth = 150%
CONF
mkdir -p "$T/project/gate"
mk baseline KERNELS=host
expect_eq "$rc" 0 "make baseline with a config ($err)"
[ -s "$T/project/gate/baseline.json" ] || fail "make baseline did not write the config's baseline"
[ ! -e "$P/bpfgate-baseline.json" ] || fail "make baseline wrote beside the programs despite the config"
edit "$T/project/gate/baseline.json" "
for r in d['results']:
    if r['program'] == 'byte_sum': r['insns_processed'] //= 2"
mk verify-host
expect_make 0 "the config's max_growth (150%) allows a doubling"
expect_contains "$out" "max growth 150%" "the config's threshold used"
expect_contains "$out" "gate/baseline.json)" "the config's baseline used"
mk verify-host MAX_GROWTH=10%
expect_make 1 "MAX_GROWTH on the command line wins over the config"
run "$OUT/bpfgate" verify --config "$T/project/bpfgate.conf" "$OUT"/programs/*.bpf.o
expect_eq "$rc" 0 "bpfgate verify --config"
expect_contains "$out" "max growth 150%" "bpfgate verify --config: the config's threshold"
run "$OUT/bpfgate" verify --config "$T/project/bpfgate.conf" --max-growth 10 "$OUT"/programs/*.bpf.o
expect_eq "$rc" 1 "--max-growth wins over the config"
(cd "$T/project" && "$OUT/bpfgate" merge "$T/run.json" >"$T/merge.out" 2>&1)
expect_contains "$(cat "$T/merge.out")" "against gate/baseline.json" "merge finds ./bpfgate.conf"
# bpfgate baseline --config: the config's baseline, grown by a VM kernel's rows
python3 - "$T/run.json" "$T/k61.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]: r["kernel"] = "6.1.0-56-amd64"
d["kernels"] = [{"release": "6.1.0-56-amd64", "series": "6.1", "backend": "qemu"}]
json.dump(d, open(sys.argv[2], "w"))
PY
run "$OUT/bpfgate" baseline --config "$T/project/bpfgate.conf" update "$T/k61.json"
expect_eq "$rc" 0 "baseline --config update ($err)"
expect_eq "$(python3 -c "
import json; d = json.load(open('$T/project/gate/baseline.json'))
print(sorted(set(r['kernel'] for r in d['results'])))")" "['6.1.0-56-amd64', '$REL']" \
	"baseline --config: the config's baseline grew by a kernel"
printf '[gate]\nmax_growth = lots\n' >"$T/bad.conf"
run "$OUT/bpfgate" verify --config "$T/bad.conf" "$OUT"/programs/*.bpf.o
expect_eq "$rc" 2 "a bad config"
expect_eq "$(echo "$err" | wc -l)" 1 "a bad config: one line"
expect_contains "$err" "bpfgate: $T/bad.conf:2: " "a bad config: FILE:LINE"
echo "another project's baseline gates across machines, says why when it cannot"
