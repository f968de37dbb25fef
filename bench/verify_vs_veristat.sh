#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/verify_vs_veristat.sh: bpfgate verify against veristat on the same objects,
# in one run: agreement program by program, then wall time and peak memory.
#
#   bench/verify_vs_veristat.sh VERISTAT [-n RUNS] [--no-time] [--out DIR] [OBJ|DIR...]
#
# VERISTAT is the path of a veristat binary built by you (it is not a dependency
# of bpfgate). A DIR stands for every *.bpf.o under it (a corpus built by
# bench/corpus.sh); the default is the project's objects (build/programs/*.bpf.o).
# Agreement: each program's verdict and, where both ran the verifier, its statistics
# (insns processed, total/peak states, max states per insn, mark_read, stack depth,
# program size) must be equal; every disagreement is listed with its class.
# Time: RUNS (default 7) alternating runs of veristat, bpfgate --jobs 1, --jobs 2
# and the default --jobs over all objects (bpfgate with --no-cache: each run loads), median wall time and median peak RSS (/usr/bin/time), with the
# ratios to veristat. --no-time skips the timing. --out DIR keeps both tools' raw
# results and the comparison there. Exits 1 if any program differs, 2 on usage errors.
set -euo pipefail

usage() { sed -n '5,18s/^# \{0,1\}//p' "$0"; exit 2; }
[ $# -ge 1 ] || usage
VERISTAT=$1
shift
runs=7 timing=1 out=
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=${2:-}; shift 2 || usage ;;
	--no-time) timing=0; shift ;;
	--out) out=${2:-}; shift 2 || usage ;;
	-h|--help) usage ;;
	*) break ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
top=$(cd "$(dirname "$0")/.." && pwd)
BPFGATE=${BPFGATE:-$top/build/bpfgate}
TIME=${TIME:-/usr/bin/time}
[ -x "$VERISTAT" ] || { echo "bpfgate: $VERISTAT: not an executable veristat" >&2; exit 2; }
[ -x "$BPFGATE" ] || { echo "bpfgate: $BPFGATE: build bpfgate first (make)" >&2; exit 2; }
if [ "$timing" = 1 ] && [ ! -x "$TIME" ]; then
	echo "bpfgate: $TIME: GNU time needed for peak memory (apt-get install time)" >&2
	exit 2
fi
if [ $# -eq 0 ]; then set -- "$top"/build/programs/*.bpf.o; fi

objs=()
for a in "$@"; do
	if [ -d "$a" ]; then
		while IFS= read -r o; do objs+=("$o"); done \
			< <(find "$a" -name .unit -prune -o -name '*.bpf.o' -print | sort)
	elif [ -f "$a" ]; then
		objs+=("$a")
	else
		echo "bpfgate: $a: no such object or folder" >&2
		exit 2
	fi
done
[ ${#objs[@]} -gt 0 ] || { echo "bpfgate: no *.bpf.o found in $*" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -z "$out" ] || mkdir -p "$out"
res=${out:-$tmp}

# Agreement. veristat names a file by its base name only: run it on batches in which
# every base name is unique, so that each row maps back to one object path.
printf '%s\n' "${objs[@]}" | awk -F/ '{n = ++seen[$NF]; print n "\t" $0}' >"$tmp/batches"
: >"$res/veristat.csv"
for b in $(cut -f1 "$tmp/batches" | sort -un); do
	mapfile -t batch < <(awk -F'\t' -v b="$b" '$1 == b {print $2}' "$tmp/batches")
	"$VERISTAT" -o csv "${batch[@]}" 2>>"$res/veristat.err" |
		awk -F, -v b="$b" 'NR > 1 {print b "," $0}' >>"$res/veristat.csv" || true
done
# bpfgate exits 1 when a program is rejected, veristat 0: only the JSON tells.
rc=0
"$BPFGATE" verify --no-cache --jobs 1 --json "${objs[@]}" >"$res/bpfgate.json" 2>"$res/bpfgate.err" || rc=$?
if [ "$rc" -gt 1 ]; then
	echo "bpfgate: bpfgate verify exited $rc (see $res/bpfgate.err):" >&2
	tail -3 "$res/bpfgate.err" >&2
	[ -s "$res/bpfgate.json" ] || exit 2
fi

set +e
python3 - "$tmp/batches" "$res/veristat.csv" "$res/bpfgate.json" <<'PY' | tee "$res/compare.txt"
import collections, csv, json, os, sys

batch_of = {}
for line in open(sys.argv[1]):
    b, path = line.rstrip("\n").split("\t", 1)
    batch_of[(b, os.path.basename(path))] = path
cols = ["batch", "file_name", "prog_name", "verdict", "duration", "total_insns", "total_states",
        "peak_states", "max_states_per_insn", "max_mark_read_len", "prog_size",
        "prog_size_jited", "prog_type", "attach_type", "stack_depth", "mem_peak"]
vs = {}
for row in csv.DictReader(open(sys.argv[2]), fieldnames=cols):
    path = batch_of.get((row["batch"], row["file_name"]))
    if path is not None:
        vs[(path, row["prog_name"])] = row
pairs = [("total_insns", "insns_processed"), ("total_states", "total_states"),
         ("peak_states", "peak_states"), ("max_states_per_insn", "max_states_per_insn"),
         ("max_mark_read_len", "mark_read"), ("stack_depth", "stack_depth"),
         ("prog_size", "prog_insns")]
same, skipped, diffs = 0, 0, []
prefail = collections.Counter()
classes = collections.Counter()
seen = set()
for r in json.load(open(sys.argv[3]))["results"]:
    key = (r["object"], r["program"])
    seen.add(key)
    name = f"{r['object']} {r['program']}"
    v = vs.get(key)
    if v is None:
        diffs.append(f"only in bpfgate: {name} ({r['verdict']})")
        classes["only in bpfgate"] += 1
        continue
    vverdict = "pass" if v["verdict"] == "success" else "fail"
    # bpfgate's verdict applies the program's expectations; compare the kernel's own
    raw = r["verdict"]
    if r.get("expect") == "fail":
        raw = {"pass": "fail", "fail": "pass"}.get(raw, raw)
    if raw == "error":
        raw = "fail"
    bad = []
    pre = int(v["total_insns"] or 0) == 0  # veristat's verifier did not run
    if vverdict == "fail" and pre and raw in ("fail", "skip"):
        # refused before the verifier by both: bpfgate skips what the host cannot
        # load (with its reason), veristat calls it a failure; count apart
        why = r.get("error_class") or (r.get("reason") or "").split(";")[0][:60]
        prefail[f"{r['verdict']} {why}"] += 1
        if raw == "skip":
            skipped += 1
            continue
    if vverdict != raw:
        why = r.get("error_class") or r.get("reason") or ""
        cls = f"verdict veristat={vverdict} bpfgate={r['verdict']}"
        cls += f" ({why.split(';')[0][:70]})" if why else ""
        bad.append(cls)
        classes[cls] += 1
    elif vverdict == "pass" or int(v["total_insns"] or 0) > 0:
        # both passed, or both ran the verifier to a rejection: same numbers expected
        for vk, bk in pairs:
            if bk in r and str(v[vk]) != str(r[bk]):
                bad.append(f"{bk} veristat={v[vk]} bpfgate={r[bk]}")
        if bad:
            classes[f"statistics differ ({vverdict}): "
                    + ", ".join(sorted(b.split()[0] for b in bad))] += 1
    if bad:
        diffs.append(f"differs: {name}: " + "; ".join(bad))
    else:
        same += 1
for key in sorted(set(vs) - seen):
    diffs.append(f"only in veristat: {key[0]} {key[1]} ({vs[key]['verdict']})")
    classes["only in veristat"] += 1
for d in diffs:
    print(d)
print("disagreement classes:")
for c, n in classes.most_common():
    print(f"  {n:5d}  {c}")
print("bpfgate's verdicts where veristat's verifier never ran (failure, 0 insns):")
for c, n in prefail.most_common():
    print(f"  {n:5d}  {c}")
total = same + skipped + len(diffs)
print(f"agreement: {same} of {total} programs identical, {skipped} refused by both before "
      f"the verifier (bpfgate: skip, veristat: failure), {len(diffs)} differ")
sys.exit(1 if diffs else 0)
PY
agree=${PIPESTATUS[0]}
set -e
[ "$timing" = 1 ] || exit "$agree"

# Time and memory: alternating runs, so that a load change on the machine hits all
# three tools alike. One line per run: tool, wall ms, peak RSS KiB.
for ((i = 0; i < runs; i++)); do
	for tool in veristat j1 j2 jd; do
		case $tool in
		veristat) cmd=("$VERISTAT" "${objs[@]}") ;;
		j1) cmd=("$BPFGATE" verify --no-cache --jobs 1 "${objs[@]}") ;;
		j2) cmd=("$BPFGATE" verify --no-cache --jobs 2 "${objs[@]}") ;;
		jd) cmd=("$BPFGATE" verify --no-cache "${objs[@]}") ;;
		esac
		s=$(date +%s%N)
		"$TIME" -f '%M' -o "$tmp/rss" "${cmd[@]}" >/dev/null 2>&1 || true
		e=$(date +%s%N)
		echo "$tool $(((e - s) / 1000000)) $(tail -1 "$tmp/rss")"
	done
done >"$res/times.txt"
nprogs=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' \
	"$res/bpfgate.json")
echo "objects: ${#objs[@]}, programs: $nprogs, runs: $runs (alternating; medians)"
awk '
function median(tool, col,   n, i, j, t, a) {
	n = 0
	for (i = 1; i <= NR; i++) if (name[i] == tool) a[++n] = v[i, col]
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
		t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ name[NR] = $1; v[NR, 2] = $2; v[NR, 3] = $3 }
END {
	printf "%-26s %9s %7s %12s %7s\n", "tool", "wall ms", "ratio", "peak RSS KiB", "ratio"
	vt = median("veristat", 2); vm = median("veristat", 3)
	split("veristat j1 j2 jd", tools, " ")
	label["veristat"] = "veristat"
	label["j1"] = "bpfgate verify --jobs 1"
	label["j2"] = "bpfgate verify --jobs 2"
	label["jd"] = "bpfgate verify (default)"
	for (k = 1; k <= 4; k++) {
		t = median(tools[k], 2); m = median(tools[k], 3)
		printf "%-26s %9d %7.2f %12d %7.2f\n", label[tools[k]], t, t / vt, m, m / vm
	}
}' "$res/times.txt"
exit "$agree"
