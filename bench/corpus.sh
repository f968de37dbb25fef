#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/corpus.sh: build a folder of third-party eBPF sources with bpfgate's own rules
# (compiler/bpf.mk, `make PROGRAMS_DIR=`), for the comparisons of this folder.
#
#   bench/corpus.sh [-j N] SRC OUT [VAR=VALUE...]
#
# Every folder under SRC that directly holds *.bpf.c files is built on its own with
# `make -k PROGRAMS_DIR=FOLDER O=OUT/REL bpf-objs VAR=VALUE...` (REL: the folder's
# path under SRC), so sibling programs of one folder stay separate objects. VAR=VALUE
# are passed to make (BPF_INCLUDES, BPF_CFLAGS, CLANG...). Each folder's log is
# OUT/REL/build.log. Prints one line per folder (sources, objects built), the first
# error line of every source that did not build, and a total; exits 0 when every
# source built, 1 when some did not, 2 on usage errors.
set -euo pipefail

usage() { sed -n '5,14s/^# \{0,1\}//p' "$0"; exit 2; }
jobs=2
if [ "${1:-}" = -j ]; then jobs=${2:-}; shift 2 || usage; fi
[[ $jobs =~ ^[1-9][0-9]*$ ]] || usage
[ $# -ge 2 ] || usage
src=$1 out=$2
shift 2
[ -d "$src" ] || { echo "bpfgate: $src: not a folder" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
src=$(cd "$src" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

total=0 built=0
while IFS= read -r dir; do
	rel=${dir#"$src"}
	rel=${rel#/}
	o=$out/${rel:-.}
	mkdir -p "$o"
	nice make -C "$top" -k -j"$jobs" --no-print-directory PROGRAMS_DIR="$dir" O="$o" \
		"$@" bpf-objs >"$o/build.log" 2>&1 || true
	n=0 ok=0
	for c in "$dir"/*.bpf.c; do
		name=$(basename "$c" .bpf.c)
		n=$((n + 1))
		if [ -s "$o/programs/$name.bpf.o" ]; then
			ok=$((ok + 1))
		else
			# the first error after a line that names this source (clang prints
			# "In file included from NAME.bpf.c" before an error in a header)
			err=$(awk -v f="/$name.bpf.c" 'index($0, f) { s = 1 }
				s && /error:/ { print; exit }' "$o/build.log")
			[ -n "$err" ] || err=$(grep -m1 'error' "$o/build.log" || echo 'see build.log')
			echo "  failed: ${rel:-.}/$name.bpf.c: $err"
		fi
	done
	printf '%-40s %4d sources %4d built\n' "${rel:-.}" "$n" "$ok"
	total=$((total + n)) built=$((built + ok))
done < <(find "$src" -name '*.bpf.c' -printf '%h\n' | sort -u)

echo "total: $built of $total sources built, objects under $out"
[ "$total" -gt 0 ] || { echo "bpfgate: $src: no *.bpf.c found" >&2; exit 2; }
[ "$built" -eq "$total" ]
