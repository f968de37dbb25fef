#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/scale.sh: does the cost of host verification grow linearly with the number
# of programs? Generates N programs for each N (default 10 100 1000) into a temp
# folder, ten programs per object, of varied types (xdp, tc, socket filter,
# tracepoint, kprobe, cgroup_skb) and sizes (bounded loops of 1 to 64 rounds,
# array and hash maps, a helper call or two); builds them with bpfgate's own
# rules (make PROGRAMS_DIR=), verifies them (bpfgate verify --no-cache) and
# prints, per N, the wall time and peak memory of the run and per program.
#
#   bench/scale.sh [-n RUNS] [-j JOBS] [--keep DIR] [N...]
#
# RUNS (default 3) runs per N, medians; JOBS is bpfgate's --jobs (default: its
# own default). Needs root (programs are loaded), GNU time (/usr/bin/time or
# TIME=) and clang. Exit status: 0 done, 1 a program did not pass, 2 usage or
# build error. The last line compares the per-program cost of the two largest N.
set -euo pipefail

usage() { sed -n '12,16s/^# \{0,1\}//p' "$0"; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
BPFGATE=${BPFGATE:-$top/build/bpfgate}
TIME=${TIME:-/usr/bin/time}
runs=3 jobs= keep=
sizes=()
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=${2:-}; shift 2 || usage ;;
	-j) jobs=${2:-}; shift 2 || usage ;;
	--keep) keep=${2:-}; shift 2 || usage ;;
	-h|--help) usage ;;
	-*) usage ;;
	*) sizes+=("$1"); shift ;;
	esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 1000)
for n in "${sizes[@]}" "$runs"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bpfgate: scale: '$n' is not a positive number" >&2; exit 2; }
done
[ -x "$BPFGATE" ] || { echo "bpfgate: $BPFGATE: build bpfgate first (make)" >&2; exit 2; }
[ -x "$TIME" ] || {
	echo "bpfgate: $TIME: GNU time is needed (apt-get install time, or TIME=)" >&2
	exit 2
}
dir=${keep:-$(mktemp -d /tmp/bpfgate-scale.XXXXXX)}
mkdir -p "$dir"
[ -n "$keep" ] || trap 'rm -rf "$dir"' EXIT

# gen N FOLDER: N programs, ten per object, the k-th program of the run shaped by k
gen() {
	python3 - "$1" "$2" <<'PY'
import os, sys

n, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
# (section, context type, return value): types the host can load alone
kinds = [
    ("xdp", "struct xdp_md", "XDP_PASS"),
    ("tc", "struct __sk_buff", "0"),
    ("socket", "struct __sk_buff", "0"),
    ("tracepoint/syscalls/sys_enter_openat", "void", "0"),
    ("kprobe/do_nanosleep", "void", "0"),
    ("cgroup_skb/ingress", "struct __sk_buff", "1"),
]
per_obj = 10
for o in range((n + per_obj - 1) // per_obj):
    lines = ['// SPDX-License-Identifier: GPL-2.0',
             '#include "vmlinux.h"', '#include <bpf/bpf_helpers.h>', '',
             'struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 64);',
             '\t__type(key, __u32); __type(value, __u64); } arr SEC(".maps");',
             'struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024);',
             '\t__type(key, __u32); __type(value, __u64); } hash SEC(".maps");', '']
    for i in range(min(per_obj, n - o * per_obj)):
        k = o * per_obj + i
        sec, ctx, ret = kinds[k % len(kinds)]
        rounds = 1 + (k * 7) % 64          # 1..64: a spread of instructions processed
        arg = f"{ctx} *ctx" if ctx != "void" else "void *ctx"
        body = [f'SEC("{sec}")', f'int p{k}({arg})', '{',
                '\t__u64 sum = 0;', '',
                f'\tfor (__u32 i = 0; i < {rounds}; i++) {{',
                '\t\t__u32 key = i & 63;',
                '\t\t__u64 *v = bpf_map_lookup_elem(&arr, &key);', '',
                '\t\tif (v)', '\t\t\tsum += *v ^ i;', '\t}']
        if k % 3 == 0:
            body += ['\t{', '\t\t__u32 key = (__u32)sum;', '\t\t__u64 one = 1;', '',
                     '\t\tbpf_map_update_elem(&hash, &key, &one, BPF_ANY);', '\t}']
        if k % 4 == 1:
            body += ['\tsum += bpf_ktime_get_ns() & 1;']
        body += [f'\treturn sum == 12345 ? 0 : {ret};', '}', '']
        lines += body
    lines.append('char LICENSE[] SEC("license") = "GPL";')
    with open(os.path.join(out, f"gen{o:04d}.bpf.c"), "w") as f:
        f.write("\n".join(lines) + "\n")
PY
}

median() {
	sort -n | awk '{ a[NR] = $1 }
		END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

echo "$("$BPFGATE" --version 2>/dev/null | head -1), $(nproc) CPUs," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-8s %10s %12s %14s %12s\n' programs objects "wall ms" "ms/program" \
	"peak RSS KiB" "KiB/program"
declare -A per
status=0
for n in "${sizes[@]}"; do
	src=$dir/src-$n obj=$dir/obj-$n
	gen "$n" "$src"
	if ! make -s -C "$top" PROGRAMS_DIR="$src" O="$obj" bpf-objs >"$dir/build-$n.log" 2>&1; then
		echo "bpfgate: scale: the generated programs did not build (see $dir/build-$n.log)" >&2
		tail -5 "$dir/build-$n.log" >&2
		exit 2
	fi
	objs=("$obj"/programs/*.bpf.o)
	: >"$dir/times-$n"
	for ((r = 0; r < runs; r++)); do
		s=$(date +%s%N)
		rc=0
		BPFGATE_RESULT_CACHE=$dir/cache "$TIME" -f '%M' -o "$dir/rss" "$BPFGATE" verify --no-cache \
			${jobs:+--jobs "$jobs"} "${objs[@]}" >"$dir/verify-$n.txt" 2>&1 || rc=$?
		e=$(date +%s%N)
		if [ "$rc" != 0 ]; then
			status=1
			echo "bpfgate: scale: verify exited $rc (see $dir/verify-$n.txt)" >&2
		fi
		echo "$(((e - s) / 1000000)) $(tail -1 "$dir/rss")" >>"$dir/times-$n"
	done
	ms=$(awk '{ print $1 }' "$dir/times-$n" | median)
	kib=$(awk '{ print $2 }' "$dir/times-$n" | median)
	per[$n]=$(awk -v t="$ms" -v n="$n" 'BEGIN { printf "%.2f", t / n }')
	printf '%-8s %-8s %10s %12s %14s %12s\n' "$n" "${#objs[@]}" "$ms" "${per[$n]}" "$kib" \
		"$(awk -v m="$kib" -v n="$n" 'BEGIN { printf "%.1f", m / n }')"
done
if [ ${#sizes[@]} -ge 2 ]; then
	a=${sizes[-2]} b=${sizes[-1]}
	awk -v a="$a" -v b="$b" -v pa="${per[$a]}" -v pb="${per[$b]}" 'BEGIN {
		printf "per-program cost from %d to %d programs: %.2f -> %.2f ms (%+.0f%%)\n",
			a, b, pa, pb, (pb / pa - 1) * 100 }'
fi
exit "$status"
