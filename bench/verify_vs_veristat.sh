#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/verify_vs_veristat.sh: bpfgate verify against veristat on the same objects,
# in one run: wall time (median of N runs) and agreement of the statistics.
#
#   bench/verify_vs_veristat.sh VERISTAT [-n RUNS] [OBJ...]
#
# VERISTAT is the path of a veristat binary built by you (it is not a dependency
# of bpfgate). OBJ defaults to the project's objects (build/programs/*.bpf.o).
# Prints a table of timings with the ratios to veristat, then one line per
# program whose numbers differ (none expected), and exits 1 if any differ.
set -euo pipefail

usage() { sed -n '3,10s/^# \{0,1\}//p' "$0"; exit 2; }
[ $# -ge 1 ] || usage
VERISTAT=$1
shift
runs=7
if [ "${1:-}" = -n ]; then runs=$2; shift 2; fi
top=$(cd "$(dirname "$0")/.." && pwd)
BPFGATE=${BPFGATE:-$top/build/bpfgate}
[ -x "$VERISTAT" ] || { echo "bpfgate: $VERISTAT: not an executable veristat" >&2; exit 2; }
[ -x "$BPFGATE" ] || { echo "bpfgate: $BPFGATE: build bpfgate first (make)" >&2; exit 2; }
if [ $# -eq 0 ]; then set -- "$top"/build/programs/*.bpf.o; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median_ms CMD...: median wall time of $runs runs, in milliseconds
median_ms() {
	local i s e
	for ((i = 0; i < runs; i++)); do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		e=$(date +%s%N)
		echo $(((e - s) / 1000000))
	done | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

"$VERISTAT" -o csv "$@" >"$tmp/veristat.csv" 2>/dev/null || true
"$BPFGATE" verify --jobs 1 --json "$@" >"$tmp/bpfgate.json" 2>/dev/null || true
nprogs=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$tmp/bpfgate.json")

v=$(median_ms "$VERISTAT" "$@")
b1=$(median_ms "$BPFGATE" verify --jobs 1 "$@")
b2=$(median_ms "$BPFGATE" verify --jobs 2 "$@")
echo "objects: $#, programs: $nprogs, runs: $runs (median wall time)"
printf '%-28s %8s %8s\n' "tool" "ms" "ratio"
printf '%-28s %8s %8s\n' "veristat" "$v" "1.00"
printf '%-28s %8s %8s\n' "bpfgate verify --jobs 1" "$b1" "$(awk -v a="$b1" -v b="$v" 'BEGIN {printf "%.2f", a / b}')"
printf '%-28s %8s %8s\n' "bpfgate verify --jobs 2" "$b2" "$(awk -v a="$b2" -v b="$v" 'BEGIN {printf "%.2f", a / b}')"

# Agreement: the verifier's numbers must be the same (time is not compared).
python3 - "$tmp/veristat.csv" "$tmp/bpfgate.json" <<'PY'
import csv, json, os, sys
vs = {}
for row in csv.DictReader(open(sys.argv[1])):
    vs[(os.path.basename(row["file_name"]), row["prog_name"])] = row
pairs = [("total_insns", "insns_processed"), ("total_states", "total_states"),
         ("peak_states", "peak_states"), ("max_states_per_insn", "max_states_per_insn"),
         ("max_mark_read_len", "mark_read"), ("stack_depth", "stack_depth"),
         ("prog_size", "prog_insns")]
same = diff = 0
for r in json.load(open(sys.argv[2]))["results"]:
    v = vs.get((os.path.basename(r["object"]), r["program"]))
    if v is None:
        print(f"only in bpfgate: {r['object']} {r['program']} ({r['verdict']})")
        continue
    vverdict = "pass" if v["verdict"] == "success" else "fail"
    # bpfgate's verdict applies the program's expectations; compare the kernel's own
    raw = r["verdict"]
    if r.get("expect") == "fail":
        raw = {"pass": "fail", "fail": "pass"}.get(raw, raw)
    if "guessed" in (r.get("reason") or "") and vverdict == "fail":
        print(f"veristat cannot load (no type in SEC()): {r['program']}")
        continue
    bad = [] if vverdict == raw or raw == "skip" else [f"verdict {vverdict}/{raw}"]
    if raw == "pass" and r["verdict"] == "pass":
        for vk, bk in pairs:
            if str(v[vk]) != str(r[bk]):
                bad.append(f"{bk} veristat={v[vk]} bpfgate={r[bk]}")
    if bad:
        diff += 1
        print(f"differs: {os.path.basename(r['object'])} {r['program']}: " + ", ".join(bad))
    else:
        same += 1
print(f"agreement: {same} programs identical, {diff} differ")
sys.exit(1 if diff else 0)
PY
