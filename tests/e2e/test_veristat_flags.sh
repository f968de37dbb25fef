#!/usr/bin/env bash
# veristat's interface on bpfgate verify (-e, -s, -f, -o csv) over real verifications of
# tests/bpf, and bpfgate compare reading veristat's CSV as well as bpfgate's JSON.
. "$(dirname "$0")/../lib.sh"

B=$O/tests/programs
OBJS=("$B/bug_oob.bpf.o" "$B/ok_counter.bpf.o" "$B/core_kinds.bpf.o" "$B/needs_future.bpf.o")

# A veristat user's command line, unchanged: CSV of the passing programs, most insns first.
run "$BPFGATE" verify -e file,prog,verdict,insns -s insns -f 'verdict=success' -o csv \
	"${OBJS[@]}"
expect_eq "$rc" 1 "-o csv: bug_oob is still rejected (the filter only hides it)"
expect_eq "$(echo "$out" | head -1)" "file_name,prog_name,verdict,total_insns" "CSV header"
rows=$(echo "$out" | tail -n +2)
expect_eq "$(echo "$rows" | cut -d, -f3 | sort -u)" "pass" "only passes shown"
echo "$rows" | grep -q '^ok_counter\.bpf\.o,ok_counter,pass,[0-9][0-9]*$' ||
	fail "ok_counter row: $rows"
echo "$rows" | grep -q 'bug_oob,' && fail "verdict=success shows the failure: $rows"
# sorted by insns, descending (veristat's default for a statistic)
insns=$(echo "$rows" | cut -d, -f4)
expect_eq "$insns" "$(echo "$insns" | sort -rn)" "-s insns order"
# the same programs as the JSON says, with the same numbers
"$BPFGATE" verify --json "${OBJS[@]}" >"$T/run.json"
want=$(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    if r["verdict"] == "pass":
        print("%s,%s" % (r["program"], r["insns_processed"]))' "$T/run.json" | sort)
expect_eq "$(echo "$rows" | cut -d, -f2,4 | sort)" "$want" "CSV numbers are the JSON's"
expect_eq "$err" "" "-o csv: nothing on stderr"

# -f on names (veristat's FILE/PROG globs, ! hides), -e with bpfgate's names too
run "$BPFGATE" verify -e prog_name,verdict,insns_processed,prog_type -f 'core_kinds.bpf.o/*' \
	-f '!core_types' "${OBJS[@]}"
expect_eq "$rc" 1 "table: exit status still covers bug_oob"
expect_eq "$(echo "$out" | head -1 | tr -s ' ')" "PROGRAM VERDICT INSNS TYPE" "table header"
expect_eq "$(echo "$out" | sed -n 2p | awk '{print $1, $2, $4}')" "core_fields pass xdp" "table row"
expect_eq "$(echo "$out" | sed -n 3p)" "1 program: 1 pass, 0 fail, 0 skip, 0 error" "one row"
expect_contains "$out" "FAIL (not gated: no baseline)" "the verdict covers every program"
run "$BPFGATE" verify -f 'verdict=failure' -e prog,verdict,class "${OBJS[@]}"
expect_eq "$(echo "$out" | sed -n 2p | tr -s ' ')" "bug_oob fail invalid_mem_access" "failure row"
# two filters of a kind: either; -s with veristat's ^
run "$BPFGATE" verify -f 'insns>=10' -f 'verdict=skip' -s 'prog^' -e prog -o table "${OBJS[@]}"
expect_eq "$(echo "$out" | sed -n '2,/programs:/p' | head -n -1 | tr '\n' ' ')" \
	"core_fields core_types needs_future ok_counter " "-f either, -s prog^"

# -o json is --json, filtered; -o csv without -e has veristat's CSV columns
run "$BPFGATE" verify -o json -f ok_counter "${OBJS[@]}"
progs=$(echo "$out" | python3 -c '
import json, sys
print([r["program"] for r in json.load(sys.stdin)["results"]])')
expect_eq "$progs" "['ok_counter']" "-o json -f"
run "$BPFGATE" verify -o csv "$B/ok_counter.bpf.o"
cols=file_name,prog_name,verdict,duration,total_insns,total_states,peak_states
cols=$cols,max_states_per_insn,max_mark_read_len,prog_size,prog_type,stack_depth
expect_eq "$(echo "$out" | head -1)" "$cols" "default CSV columns"

# bad values: one line, exit 2
for bad in "-e insns,bogus" "-s nothing" "-f insns>many" "-f verdict<1" "-o yaml" "-e mem_peak"; do
	run "$BPFGATE" verify $bad "$B/ok_counter.bpf.o"
	expect_eq "$rc" 2 "$bad: exit status"
	expect_eq "$(echo "$err" | wc -l)" 1 "$bad: one line"
	expect_contains "$err" "bpfgate: --" "$bad: names the option"
done

# compare: bpfgate's CSV against the JSON of the same run (its kernel adopted), and
# veristat's CSV against itself and against a bpfgate JSON
"$BPFGATE" verify -o csv "${OBJS[@]}" >"$T/run.csv"
run "$BPFGATE" compare "$T/run.csv" "$T/run.json"
expect_eq "$rc" 0 "CSV vs JSON of the same run (stderr: $err)"
expect_contains "$out" "compared: 0 regressions" "CSV vs JSON"
V=tests/fixtures/veristat/veristat-0.5.csv
run "$BPFGATE" compare "$V" "$V"
expect_eq "$rc" 0 "veristat CSV vs itself"
expect_contains "$out" "4 programs compared: 0 regressions" "veristat CSV read"
# a bpfgate result where flow_xdp grew 20% and bug_oob passes now
cat >"$T/new.json" <<'JSON'
{"results": [
 {"kernel": "6.1.0", "object": "b/flow.bpf.o", "program": "flow_xdp", "verdict": "pass",
  "insns_processed": 10269},
 {"kernel": "6.1.0", "object": "b/flow.bpf.o", "program": "flow_tc_egress", "verdict": "pass",
  "insns_processed": 6809},
 {"kernel": "6.1.0", "object": "b/flow.bpf.o", "program": "flow_tc_ingress", "verdict": "pass",
  "insns_processed": 6809},
 {"kernel": "6.1.0", "object": "b/bug_oob.bpf.o", "program": "bug_oob", "verdict": "pass",
  "insns_processed": 3}]}
JSON
run "$BPFGATE" compare "$V" "$T/new.json"
expect_eq "$rc" 1 "veristat CSV vs JSON: growth (stderr: $err)"
expect_contains "$out" \
	"regression: flow.bpf.o:flow_xdp on 6.1.0: insns processed grew from 8557 to 10269" \
	"growth against veristat's numbers"
expect_contains "$out" "1 fixed" "veristat's failure read as fail"
# the CSV's time is read too: --max-time-growth gates on it, only when given
run "$BPFGATE" compare --max-time-growth 10 "$V" "$V"
expect_eq "$rc" 0 "time gate, same times"
sed 's/,success,18680,/,success,37360,/' "$V" >"$T/slow.csv"
run "$BPFGATE" compare "$V" "$T/slow.csv"
expect_eq "$rc" 0 "time doubled, no time gate"
run "$BPFGATE" compare --max-time-growth 50 "$V" "$T/slow.csv"
expect_eq "$rc" 1 "time doubled, --max-time-growth 50"
expect_contains "$out" \
	"flow_xdp on ?: verification time grew from 18680 to 37360 us (+100.00%), more than 50%" \
	"time gate: reason"
run "$BPFGATE" compare --json --max-time-growth 50 "$V" "$T/slow.csv"
expect_contains "$out" '"max_time_growth_pct":50' "time gate: JSON limit"
expect_contains "$out" '"reasons":["time_growth"]' "time gate: JSON reason"
# a CSV that is no result file
printf 'a,b\n1,2\n' >"$T/junk.csv"
run "$BPFGATE" compare "$T/junk.csv" "$V"
expect_eq "$rc" 2 "junk CSV"
expect_contains "$err" "not a CSV of results" "junk CSV: why"
echo "veristat's flags and CSV work"
