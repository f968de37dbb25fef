#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/same_results.sh: prove that a change of how bpfgate loads programs left
# every result as it was: two bpfgate executables verify the same objects
# (--no-cache --jobs 1 --json) and every program's verdict, statistics, error,
# class, source and log tail are compared (kernel addresses in the log blanked,
# verification_time_us left out: it is a time, not a result).
#
#   bench/same_results.sh [--out DIR] BEFORE AFTER OBJ|DIR...
#
# Exit status: 0 every result the same, 1 something differs (listed), 2 usage.
set -euo pipefail

usage() { echo "usage: $0 [--out DIR] BEFORE_BPFGATE AFTER_BPFGATE OBJ|DIR..." >&2; exit 2; }
out=
[ "${1:-}" = --out ] && { out=${2:-}; [ -n "$out" ] || usage; shift 2; }
[ $# -ge 3 ] || usage
before=$1 after=$2
shift 2
for b in "$before" "$after"; do
	[ -x "$b" ] || { echo "bpfgate: $b: not an executable" >&2; exit 2; }
done
objs=()
for a in "$@"; do
	if [ -d "$a" ]; then
		while IFS= read -r f; do
			objs+=("$f")
		done < <(find "$a" -name '*.bpf.o' -not -path '*/.*' | sort)
	else
		objs+=("$a")
	fi
done
[ ${#objs[@]} -gt 0 ] || { echo "bpfgate: no objects" >&2; exit 2; }
dir=${out:-$(mktemp -d /tmp/bpfgate-same.XXXXXX)}
mkdir -p "$dir"
[ -n "$out" ] || trap 'rm -rf "$dir"' EXIT
# each run with a cache of its own, read by neither
for side in before after; do
	exe=$before
	[ $side = after ] && exe=$after
	BPFGATE_RESULT_CACHE=$dir/cache-$side "$exe" verify --no-cache --jobs 1 --json "${objs[@]}" \
		>"$dir/$side.json" 2>"$dir/$side.err" || true
done
python3 - "$dir/before.json" "$dir/after.json" <<'PY'
import json, re, sys

def load(p):
    try:
        return json.load(open(p))["results"]
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"bpfgate: {p}: not a result document ({e})")

ptr = re.compile(r"0x[0-9a-f]{8,}")
def norm(r):
    r = dict(r)
    r.pop("verification_time_us", None)
    for k in ("log_tail", "error", "source_text"):
        if isinstance(r.get(k), str):
            r[k] = ptr.sub("0x?", r[k])
    return r

a = {(r["object"], r["program"]): norm(r) for r in load(sys.argv[1])}
b = {(r["object"], r["program"]): norm(r) for r in load(sys.argv[2])}
diff = 0
for k in sorted(set(a) | set(b)):
    x, y = a.get(k), b.get(k)
    if x is None or y is None:
        print(f"{k[0]}:{k[1]}: only {'after' if x is None else 'before'}")
        diff += 1
        continue
    fields = sorted(f for f in set(x) | set(y) if x.get(f) != y.get(f))
    if fields:
        diff += 1
        what = (f"{f} {x.get(f)!r} -> {y.get(f)!r}"[:300] for f in fields)
        print(f"{k[0]}:{k[1]}: " + ", ".join(what))
verdicts = {}
for r in b.values():
    verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
print(f"same results: {len(a) - diff if len(a) >= diff else 0} of {len(a)} programs identical, "
      f"{diff} differ (after: " + ", ".join(f"{v} {n}" for v, n in sorted(verdicts.items())) + ")")
sys.exit(1 if diff else 0)
PY
