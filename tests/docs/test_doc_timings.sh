#!/usr/bin/env bash
# The timings the docs claim come from the benchmarks' last recorded run: each quote
# (`<!-- bench: bench/results/NAME.txt -->` and its block) is the record as it is,
# with its date, and no prose outside a quote states a measured duration.
. "$(dirname "$0")/../lib.sh"

run bench/sync-docs.sh --check
[ "$rc" = 0 ] || fail "a benchmark quote differs from its record:
$out$err"
n=$(grep -c '^<!-- bench: ' README.md docs/*.md | awk -F: '{s += $2} END {print s}')
[ "$n" -ge 2 ] || fail "only $n benchmark quotes in the docs"
for r in bench/results/*.txt; do
	head -1 "$r" | grep -qE '^recorded [0-9]{4}-[0-9]{2}-[0-9]{2} ' ||
		fail "$r: no date on its first line"
done

# The check can fail: a quote changed by hand is reported.
mkdir -p "$T/repo/bench/results" "$T/repo/docs"
cp bench/sync-docs.sh "$T/repo/bench/"
printf 'recorded 2026-01-01 00:00 UTC on x\n1 s\n' >"$T/repo/bench/results/x.txt"
printf '<!-- bench: bench/results/x.txt -->\n```\nrecorded 2026-01-01 00:00 UTC on x\n0.5 s\n```\n' \
	>"$T/repo/README.md"
run "$T/repo/bench/sync-docs.sh" --check
expect_eq "$rc" 1 "a quote edited by hand is found ($out)"
run "$T/repo/bench/sync-docs.sh"
run "$T/repo/bench/sync-docs.sh" --check
expect_eq "$rc" 0 "sync-docs.sh copies the record ($out)"

# Measured durations in prose: a number of seconds next to a word that says it was
# measured. Quotes and other fenced blocks (output samples) are left out.
claims=$(awk '
	FNR == 1 { fence = 0 }
	/^```/ { fence = !fence; next }
	fence { next }
	/[0-9](\.[0-9]+)? ?(s|ms|seconds|minutes)([^A-Za-z]|$)/ && /([Tt]ook|[Tt]akes|[Mm]easured|median|costs)/ {
		print FILENAME ":" FNR ": " $0
	}' README.md docs/*.md)
[ -z "$claims" ] || fail "timings claimed outside a benchmark quote:
$claims"
echo "$n benchmark quotes agree with bench/results/"
