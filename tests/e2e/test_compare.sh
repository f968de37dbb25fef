#!/usr/bin/env bash
# bpfgate compare on result files: exit 0/1/2, the reasons it prints, one-line errors.
. "$(dirname "$0")/../lib.sh"

# result FILE PROGRAM:VERDICT:INSNS[:LIMIT]...: a result file of kernel $KREL (6.18.0 unless
# set), object x.bpf.o, run on the host (or on a VM when KSERIES is a series)
result() {
	local file=$1 sep='' p name verdict insns limit
	shift
	{
		printf '{"version": "0.1.0", "results": ['
		for p in "$@"; do
			IFS=: read -r name verdict insns limit <<<"$p"
			printf '%s\n {"kernel": "%s", "object": "build/programs/x.bpf.o", "program": "%s",' "$sep" "${KREL:-6.18.0}" "$name"
			printf ' "verdict": "%s", "insns_processed": %s, "insns_limit": %s,' "$verdict" "$insns" "${limit:-null}"
			printf ' "total_states": 3, "peak_states": 2, "verification_time_us": %s}' "$RANDOM"
			sep=,
		done
		printf '\n], "kernels": [{"release": "%s", "series": "%s", "backend": "%s"}]}\n' \
			"${KREL:-6.18.0}" "${KSERIES:-host}" "$([ "${KSERIES:-host}" = host ] && echo host || echo qemu)"
	} >"$file"
}

# expect_gate STATUS LABEL ARGS...: run compare, check its status and that errors are one line
expect_gate() {
	local want=$1 label=$2
	shift 2
	run "$BPFGATE" compare "$@"
	expect_eq "$rc" "$want" "$label: exit status (stderr: $err)"
	if [ "$want" = 2 ]; then
		expect_eq "$(echo "$err" | wc -l)" 1 "$label: one line on stderr"
		expect_contains "$err" "bpfgate: " "$label: error prefix"
	else
		expect_eq "$err" "" "$label: nothing on stderr"
	fi
}

result "$T/base.json" a:pass:1000 b:pass:200 c:fail:50 gone:pass:10
# same statistics, time differs (always): no regression
result "$T/same.json" a:pass:1000 b:pass:200 c:fail:50 gone:pass:10
expect_gate 0 "identical" "$T/base.json" "$T/same.json"
expect_contains "$out" "4 programs compared: 0 regressions" "identical: summary"

# growth of exactly 10% passes, 10.1% fails; --max-growth moves the line
result "$T/g10.json" a:pass:1100 b:pass:200 c:fail:50 gone:pass:10
expect_gate 0 "10% growth" "$T/base.json" "$T/g10.json"
result "$T/g11.json" a:pass:1101 b:pass:200 c:fail:50 gone:pass:10
expect_gate 1 "10.1% growth" "$T/base.json" "$T/g11.json"
row=$(echo "$out" | grep '^x\.bpf\.o:a ')
[[ $row =~ ^x\.bpf\.o:a\ +pass\ +1000\ +1101\ +\+101\ \(\+10\.10%\)\ .*\ regression$ ]] ||
	fail "growth: row of a: $row"
expect_contains "$out" "regression: x.bpf.o:a on 6.18.0: insns processed grew from 1000 to 1101 (+10.10%), more than 10%" "growth: reason"
expect_gate 0 "--max-growth 20" --max-growth 20 "$T/base.json" "$T/g11.json"
expect_gate 0 "--max-growth=10.1%" --max-growth=10.1% "$T/base.json" "$T/g11.json"

# a program that newly fails
result "$T/newfail.json" a:fail:1000 b:pass:200 c:fail:50 gone:pass:10
expect_gate 1 "new failure" "$T/base.json" "$T/newfail.json"
expect_contains "$out" "pass -> fail" "new failure: verdict column"
expect_contains "$out" "regression: x.bpf.o:a on 6.18.0: newly rejected by the verifier" "new failure: reason"
# ... and one that gets fixed is not a regression
result "$T/fixed.json" a:pass:1000 b:pass:200 c:pass:5000 gone:pass:10
expect_gate 0 "fixed" "$T/base.json" "$T/fixed.json"
expect_contains "$out" "1 fixed" "fixed: summary"

# share of the instruction limit: the default 1,000,000, or the result's own limit
result "$T/big.json" a:pass:1000 b:pass:200 c:fail:50 gone:pass:10 huge:pass:500001
result "$T/big2.json" a:pass:1000 b:pass:200 c:fail:50 gone:pass:10 huge:pass:500001
expect_gate 1 "over half the limit" "$T/big.json" "$T/big2.json"
expect_contains "$out" "500001 insns processed is 50.00% of the limit of 1000000, more than 25%" "share: reason (default 25%)"
expect_gate 0 "--max-share 60" --max-share 60 "$T/big.json" "$T/big2.json"
result "$T/lim.json" a:pass:1000:1500 b:pass:200 c:fail:50 gone:pass:10
expect_gate 1 "result's own limit" "$T/base.json" "$T/lim.json"
expect_contains "$out" "of the limit of 1500" "share: the result's limit"

# added and removed programs are listed; a removed one is a regression unless allowed
result "$T/added.json" a:pass:1000 b:pass:200 c:fail:50 brand_new:fail:5
expect_gate 1 "added/removed" "$T/base.json" "$T/added.json"
expect_contains "$out" "1 added, 1 removed" "added/removed: summary"
expect_contains "$out" "-> fail" "added: verdict"
expect_contains "$out" "added: x.bpf.o:brand_new on 6.18.0" "added: listed"
expect_contains "$out" "regression: x.bpf.o:gone on 6.18.0: removed" "removed: a regression"
expect_gate 0 "--allow-removed" --allow-removed "$T/base.json" "$T/added.json"
expect_contains "$out" "removed: x.bpf.o:gone on 6.18.0" "--allow-removed: still listed"

# another patch build of the same series (another machine's host kernel): compared, said
KREL=6.18.44-fc-v2 result "$T/other_host.json" a:pass:1101 b:pass:200 c:fail:50 gone:pass:10
expect_gate 1 "same series, another release" "$T/base.json" "$T/other_host.json"
expect_contains "$out" "kernel 6.18.44-fc-v2: compared with the baseline's 6.18.0 (same series 6.18)" \
	"series match: said"
expect_contains "$out" "regression: x.bpf.o:a on 6.18.44-fc-v2: insns processed grew" "series match: gated"
run "$BPFGATE" compare --json "$T/base.json" "$T/other_host.json"
if command -v jq >/dev/null; then
	expect_eq "$(echo "$out" | jq -r '.kernels[0] | .baseline_kernel + " " + .baseline_match')" \
		"6.18.0 series" "series match: recorded in the JSON"
fi
# a VM's kernel of the same series is not a host's
KREL=6.18.3-amd64 KSERIES=6.18 result "$T/vm.json" a:pass:1000 b:pass:200 c:fail:50 gone:pass:10
expect_gate 2 "a VM against a host-only baseline" "$T/base.json" "$T/vm.json"

# a baseline with none of the run's kernels: an error that says what it has and what to do
KREL=6.1.0-56-amd64 result "$T/k61.json" a:pass:1000 b:pass:200 c:fail:50 gone:pass:10
expect_gate 2 "baseline of other kernels" "$T/base.json" "$T/k61.json"
expect_contains "$err" "bpfgate: $T/base.json: no rows of kernel 6.1.0-56-amd64 nor of its series (it has: 6.18.0)" \
	"missing: names the kernels"
expect_contains "$err" "bpfgate baseline update $T/base.json" "missing: how to add it"
run "$BPFGATE" compare --baseline-missing=warn "$T/base.json" "$T/k61.json"
expect_eq "$rc" 0 "--baseline-missing=warn: exit status"
expect_contains "$err" "warning: $T/base.json: no rows of kernel 6.1.0-56-amd64" "--baseline-missing=warn: warns"
expect_gate 2 "--baseline-missing bad value" --baseline-missing=maybe "$T/base.json" "$T/k61.json"
expect_eq "$err" "bpfgate: --baseline-missing: 'maybe' is not one of error|warn" "bad enum: message"

# JSON mode: valid JSON, nothing else on stdout, same exit status
expect_gate 1 "--json" --json "$T/base.json" "$T/g11.json"
if command -v jq >/dev/null; then
	expect_eq "$(echo "$out" | jq -r '.summary.regressions, .programs[0].status, .programs[0].insns_processed.diff' | tr '\n' ' ')" \
		"1 regression 101 " "--json: fields"
elif command -v python3 >/dev/null; then
	echo "$out" | python3 -m json.tool >/dev/null || fail "--json: not JSON: $out"
fi
expect_gate 0 "-j" -j "$T/base.json" "$T/same.json"
expect_contains "$out" '"regressions":0' "-j: summary"

# standard input
run "$BPFGATE" compare "$T/base.json" - <"$T/g11.json"
expect_eq "$rc" 1 "stdin as NEW"

# input errors: exit 2, "bpfgate: FILE: cause"
expect_gate 2 "missing file" "$T/base.json" "$T/nope.json"
expect_eq "$err" "bpfgate: $T/nope.json: No such file or directory" "missing file: message"
printf '{"results": [\n  {"kernel": "k" "object": "o"}]}\n' >"$T/syntax.json"
expect_gate 2 "syntax error" "$T/syntax.json" "$T/base.json"
expect_eq "$err" "bpfgate: $T/syntax.json: line 2:18: unexpected '\"', expected ',' or '}' in an object" "syntax error: message"
printf '{"results": [{"kernel": "k", "object": "o", "verdict": "pass"}]}\n' >"$T/noprog.json"
expect_gate 2 "missing field" "$T/base.json" "$T/noprog.json"
expect_eq "$err" "bpfgate: $T/noprog.json: results[0]: missing 'program'" "missing field: message"
: >"$T/empty.json"
expect_gate 2 "empty file" "$T/empty.json" "$T/base.json"
expect_gate 2 "a directory" "$T" "$T/base.json"
printf '\xff\xfe{}' >"$T/binary.json"
expect_gate 2 "binary junk" "$T/binary.json" "$T/base.json"

# usage errors
expect_gate 2 "one file" "$T/base.json"
expect_gate 2 "three files" "$T/base.json" "$T/base.json" "$T/base.json"
expect_gate 2 "unknown option" --frobnicate "$T/base.json" "$T/base.json"
expect_gate 2 "bad percentage" --max-growth ten "$T/base.json" "$T/base.json"
expect_eq "$err" "bpfgate: --max-growth: 'ten' is not a percentage from 0 to 1000" "bad percentage: message"
expect_gate 2 "share over 100" --max-share 101 "$T/base.json" "$T/base.json"
for bad in nan inf -1 "" 5x 5%% " 5" 0x10; do
	expect_gate 2 "--max-share '$bad'" --max-share="$bad" "$T/base.json" "$T/base.json"
done
# an oversized file is refused before it is read (a sparse file: nothing to read)
truncate -s 65M "$T/huge.json"
expect_gate 2 "oversized input" "$T/base.json" "$T/huge.json"
expect_eq "$err" "bpfgate: $T/huge.json: larger than the limit of 64 MiB" "oversized: message"
expect_gate 2 "missing argument" "$T/base.json" "$T/base.json" --max-share

run "$BPFGATE" compare --help
expect_eq "$rc" 0 "--help exit status"
for o in --max-growth --max-share --json --help; do
	expect_contains "$out" "$o" "--help lists $o"
done
echo "compare: exit statuses, reasons and errors as documented"
