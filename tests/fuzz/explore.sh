#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/fuzz/explore.sh: explore with each fuzz target (make fuzz), then print one line
# per target: executions, corpus size, crashes (crash, leak, timeout, out of memory)
# and slow inputs (kept, not counted as crashes).
#
#   tests/fuzz/explore.sh SECONDS OUTDIR FUZZER...
#
# Each target runs for SECONDS on its growing corpus OUTDIR/corpus/NAME, seeded from
# tests/fuzz/corpus/NAME; a crash, leak or timeout is kept as OUTDIR/crashes/NAME/*
# and counted. Exit status: 0 no crash, 1 a target found one, 2 usage error.
set -u
[ $# -ge 3 ] || { sed -n '3,10s/^# \{0,1\}//p' "$0"; exit 2; }
secs=$1 out=$2
shift 2
status=0
mkdir -p "$out" || exit 2
printf '%-24s %12s %8s %8s %8s %6s\n' TARGET EXECS SECONDS CORPUS CRASHES SLOW | tee "$out/summary.txt.tmp"
for f in "$@"; do
	n=$(basename "$f")
	mkdir -p "$out/corpus/$n" "$out/crashes/$n"
	log="$out/$n.log"
	"$f" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$out/crashes/$n/" \
		"$out/corpus/$n" "tests/fuzz/corpus/$n" >"$log" 2>&1
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	corpus=$(find "$out/corpus/$n" -type f | wc -l)
	crashes=$(find "$out/crashes/$n" -type f \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	slow=$(find "$out/crashes/$n" -type f -name 'slow-unit-*' | wc -l)
	[ "$crashes" -eq 0 ] || status=1
	printf '%-24s %12s %8s %8s %8s %6s\n' "$n" "${execs:-?}" "${took:-?}" "$corpus" "$crashes" "$slow" |
		tee -a "$out/summary.txt.tmp"
done
mv "$out/summary.txt.tmp" "$out/summary.txt"
exit $status
