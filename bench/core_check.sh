#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/core_check.sh: how long `bpfgate core-check` takes for every object against
# many kernel BTFs.
#
#   bench/core_check.sh [-n TARGETS] [-d DIR] [-r RUNS] [OBJ...]
#     -n TARGETS  how many kernel BTFs (default 100)
#     -d DIR      take the first TARGETS BTFs of DIR, distinct real kernels
#                 (bench/debian_btfs.sh DIR fills it), instead of copies
#     -r RUNS     runs to take the median of (default 1)
#     OBJ...      objects (default: build/programs/*.bpf.o)
#
# Without -d, the BTFs are real kernels' BTF: the .BTF of every cached kernel's
# vmlinux and the running kernel's, copied round-robin into TARGETS files (bpfgate
# keeps nothing between targets, so a copy costs as much as another kernel of the same
# size). Prints the wall, user and system time of each run, the median run and the
# time per target.
# Needs root (the programs are loaded), objcopy and a built tree (make).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
O=${O:-$top/build}
BPFGATE=${BPFGATE:-$O/bpfgate}
n=100 dir= runs=1
while getopts 'n:d:r:h' opt; do
	case $opt in
	n) n=$OPTARG ;;
	d) dir=$OPTARG ;;
	r) runs=$OPTARG ;;
	h) sed -n '3,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- "$O"/programs/*.bpf.o
[ -x "$BPFGATE" ] || { echo "bench: $BPFGATE: not built (make)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src" "$tmp/btf"
if [ -n "$dir" ]; then
	# Distinct kernels: link the first TARGETS files of DIR.
	[ -d "$dir" ] || { echo "bench: $dir: not a folder" >&2; exit 2; }
	i=0
	for f in "$dir"/*; do
		[ -f "$f" ] && [ "$i" -lt "$n" ] || continue
		ln -s "$(realpath "$f")" "$tmp/btf/$(basename "$f")"
		i=$((i + 1))
	done
	[ "$i" -gt 0 ] || { echo "bench: $dir: no BTF files" >&2; exit 2; }
	n=$i
	echo "kernel BTFs: $n distinct from $dir, $(du -shL "$tmp/btf" | cut -f1)"
else
cache=${BPFGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpfgate}/kernels
for v in "$cache"/*/vmlinux; do
	[ -f "$v" ] || continue
	r=$(basename "$(dirname "$v")")
	"$top/compiler/kernel-btf.sh" --raw "$v" "$tmp/src/$r.btf" 2>/dev/null || continue
done
[ -r /sys/kernel/btf/vmlinux ] && cat /sys/kernel/btf/vmlinux >"$tmp/src/host-$(uname -r).btf"
srcs=("$tmp"/src/*.btf)
[ -f "${srcs[0]}" ] || { echo "bench: no kernel BTF (bpfgate kernel fetch 5.10)" >&2; exit 2; }
for ((i = 0; i < n; i++)); do
	s=${srcs[i % ${#srcs[@]}]}
	cp "$s" "$tmp/btf/$(printf '%03d' "$i")-$(basename "$s")"
done
names=$(cd "$tmp/src" && ls | sed 's/\.btf$//' | tr '\n' ' ')
echo "kernel BTFs: ${#srcs[@]} distinct (${names% })," \
     "$n targets, $(du -sh "$tmp/btf" | cut -f1)"
fi
echo "objects: $# ($(for o in "$@"; do basename "$o"; done | tr '\n' ' '))"
for ((r = 1; r <= runs; r++)); do
	set +e
	/usr/bin/time -f '%e %U %S' -o "$tmp/time" "$BPFGATE" core-check --json --btf "$tmp/btf" \
		"$@" >"$tmp/out.json"
	rc=$?
	set -e
	[ "$rc" -le 1 ] || { echo "bench: core-check exited $rc" >&2; exit 2; }
	read -r wall user sys <"$tmp/time"
	echo "run $r: $wall s wall, $user s user, $sys s system"
	echo "$wall $user $sys" >>"$tmp/runs"
done
read -r wall user sys < <(sort -n "$tmp/runs" | sed -n "$(((runs + 1) / 2))p")
echo "results: $(jq -c .summary "$tmp/out.json") (exit $rc)"
awk -v w="$wall" -v u="$user" -v s="$sys" -v n="$n" -v r="$runs" 'BEGIN {
	printf "time (median of %d): %.2f s wall, %.2f s user, %.2f s system; %.1f ms per target (wall)\n",
	       r, w, u, s, 1000 * w / n }'
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
