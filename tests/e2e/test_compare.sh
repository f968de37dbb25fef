#!/usr/bin/env bash
# bpfgate compare on result files: exit 0/1/2, the reasons it prints, one-line errors.
. "$(dirname "$0")/../lib.sh"

# result FILE PROGRAM:VERDICT:INSNS[:LIMIT]...: a result file of kernel 6.18.0, object x.bpf.o
result() {
	local file=$1 sep='' p name verdict insns limit
	shift
	{
		printf '{"version": "0.1.0", "results": ['
		for p in "$@"; do
			IFS=: read -r name verdict insns limit <<<"$p"
			printf '%s\n {"kernel": "6.18.0", "object": "build/programs/x.bpf.o", "program": "%s",' "$sep" "$name"
			printf ' "verdict": "%s", "insns_processed": %s, "insns_limit": %s,' "$verdict" "$insns" "${limit:-null}"
			printf ' "total_states": 3, "peak_states": 2, "verification_time_us": %s}' "$RANDOM"
			sep=,
		done
		printf '\n]}\n'
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
expect_contains "$out" "500001 insns processed is 50.00% of the limit of 1000000, more than 50%" "share: reason"
expect_gate 0 "--max-share 60" --max-share 60 "$T/big.json" "$T/big2.json"
result "$T/lim.json" a:pass:1000:1500 b:pass:200 c:fail:50 gone:pass:10
expect_gate 1 "result's own limit" "$T/base.json" "$T/lim.json"
expect_contains "$out" "of the limit of 1500" "share: the result's limit"

# added and removed programs are listed, not failures
result "$T/added.json" a:pass:1000 b:pass:200 c:fail:50 brand_new:fail:5
expect_gate 0 "added/removed" "$T/base.json" "$T/added.json"
expect_contains "$out" "1 added, 1 removed" "added/removed: summary"
expect_contains "$out" "-> fail" "added: verdict"

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
expect_eq "$err" "bpfgate: --max-growth: 'ten' is not a percentage between 0 and 1e+09" "bad percentage: message"
expect_gate 2 "share over 100" --max-share 101 "$T/base.json" "$T/base.json"
expect_gate 2 "missing argument" "$T/base.json" "$T/base.json" --max-share

run "$BPFGATE" compare --help
expect_eq "$rc" 0 "--help exit status"
for o in --max-growth --max-share --json --help; do
	expect_contains "$out" "$o" "--help lists $o"
done
echo "compare: exit statuses, reasons and errors as documented"
