#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/sync-docs.sh: copy each benchmark record into the docs that quote it.
#
#   bench/sync-docs.sh [--check]
#
# In README.md, bench/README.md and docs/*.md, a line `<!-- bench: bench/results/NAME.txt -->` is
# followed by a fenced block: its content is replaced by the record, so that every
# timing the docs show comes from a recorded run, with its date. --check changes
# nothing and exits 1 (naming the place) when a quote differs from its record or a
# record is missing; 0 when all agree.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
check=0
[ "${1:-}" = --check ] && check=1
shopt -s nullglob
# (bench/README.m[d] is a glob, so that a folder without it, as in the test, still works)
python3 - "$check" README.md bench/README.m[d] docs/*.md <<'PY'
import os, re, sys
check = sys.argv[1] == "1"
bad = 0
for path in sys.argv[2:]:
    lines = open(path, encoding="utf-8").read().split("\n")
    out, i, changed = [], 0, False
    while i < len(lines):
        line = lines[i]
        out.append(line)
        m = re.match(r"^<!--\s*bench:\s*(\S+)\s*-->\s*$", line)
        i += 1
        if not m:
            continue
        rec = m.group(1)
        if not rec.startswith("bench/results/") or ".." in rec or not os.path.isfile(rec):
            print(f"{path}:{i}: {rec}: no such benchmark record")
            bad += 1
            continue
        if i >= len(lines) or not lines[i].startswith("```"):
            print(f"{path}:{i}: a benchmark quote must be followed by a fenced block")
            bad += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        want = open(rec, encoding="utf-8").read().rstrip("\n").split("\n")
        if lines[i + 1:j] != want:
            if check:
                print(f"{path}:{i}: the quote of {rec} differs from the record "
                      "(bench/sync-docs.sh copies it)")
                bad += 1
            changed = True
        out.append(lines[i])
        out += want
        i = j
    if changed and not check:
        tmp = path + ".tmp"
        open(tmp, "w", encoding="utf-8").write("\n".join(out))
        os.replace(tmp, path)
        print(f"updated {path}")
sys.exit(1 if bad else 0)
PY
