#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/matrix.sh: how long the kernel matrix takes, and where the time goes.
#
#   bench/matrix.sh [-n RUNS] [-V] [-c] [-k "5.10 6.1 ..."] [-b OTHER_O] [OBJ...]
#     -n RUNS    whole-matrix runs, medians reported (default 5)
#     -V         verification only (default: also every static functional test, as
#                make matrix runs them)
#     -c         also measure a cold cache (downloads every kernel again, ~360 MB)
#     -k LIST    kernels (default: every series of ci/kernels.conf)
#     -b OTHER_O a second build folder (another commit, built with make all
#                functional-static): runs alternate between the two, so that the
#                machine's load hits both alike
#     OBJ...     objects to verify (default: O/programs/*.bpf.o)
#
# Prints a bare QEMU boot per kernel (the unpacked vmlinux into a busybox initramfs
# that only powers off), the floor (the sum of the bare boots divided by the VMs run
# at once), then for each build: the whole matrix (the kernels plus host, warm
# cache) with its median wall time, and per kernel the median boot, probe and verify
# seconds and each step's (an object verified, a test run) from the guest's
# `@@bpfgate took` lines, and the CPU seconds of the whole run (on a machine busy with
# other work, the figure that moves least). Needs root, qemu-system-x86_64,
# busybox-static, GNU time and a built tree (make all functional-static).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
O=${O:-$top/build}
runs=5 cold=0 kernels= tests=1 other=
while getopts 'n:Vck:b:h' opt; do
	case $opt in
	n) runs=$OPTARG ;;
	V) tests=0 ;;
	c) cold=1 ;;
	k) kernels=$OPTARG ;;
	b) other=$(cd "$OPTARG" && pwd) ;;
	h) sed -n '3,25s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$kernels" ] || kernels=$(ci/kernels.sh list | tr ' ' '\n' | grep -vx host | xargs)
builds=("$O")
[ -z "$other" ] || builds=("$other" "$O")
for b in "${builds[@]}"; do
	[ -x "$b/bpfgate" ] || { echo "bpfgate: $b/bpfgate: not built (run make)" >&2; exit 2; }
done

T=$(mktemp -d /tmp/bpfgate-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

median() { sort -n | awk '{a[NR] = $1} END {if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
load() { cut -d' ' -f1 /proc/loadavg; }

# The arguments of one build's run: its objects (given or its own) and its tests.
run_args() {
	local b=$1 t
	shift
	if [ $# -gt 0 ]; then printf '%s\n' "$@"; else printf '%s\n' "$b"/programs/*.bpf.o; fi
	[ $tests = 1 ] || return 0
	for t in "$b"/tests/functional-static/test_*; do
		[ -x "$t" ] && [ -f "$t" ] && printf -- '--test\n%s\n' "$t"
	done
}

# A busybox initramfs whose init says hello on ttyS1 and powers off.
mkdir -p "$T/root/bin" "$T/root/dev" "$T/root/proc"
cp /bin/busybox "$T/root/bin/busybox"
cat >"$T/root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev
echo hello >/dev/ttyS1
/bin/busybox reboot -f
EOF
chmod +x "$T/root/init"
(cd "$T/root" && find . | cpio -o -H newc --quiet >"$T/bare.cpio")

bare_boot() {
	local img=$1 s
	s=$(now)
	timeout 120 qemu-system-x86_64 -accel tcg -M microvm,acpi=off -m 512 -smp 1 -nodefaults \
		-no-user-config -display none -no-reboot -kernel "$img" -initrd "$T/bare.cpio" \
		-append "console=ttyS0 panic=-1 reboot=t" -serial "file:$T/bare.console" \
		-chardev "file,id=r,path=$T/bare.out" -device isa-serial,chardev=r,iobase=0x2f8,irq=3
	grep -q hello "$T/bare.out" || { echo "bare boot of $img failed" >&2; return 1; }
	rm -f "$T/bare.out"
	since "$s"
}

echo "# bench/matrix.sh: $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs, medians"
echo "# $([ $tests = 1 ] && echo "verification and functional tests" || echo "verification only"); builds: ${builds[*]#"$top"/}"
"${builds[-1]}/bpfgate" kernel fetch $kernels >/dev/null 2>&1 ||
	{ echo "bpfgate: kernel fetch $kernels failed" >&2; exit 2; }

# Bare boots, and the floor.
floor_sum=0
printf '\n%-6s %9s\n' KERNEL "bare ELF"
for k in $kernels; do
	img=$("${builds[-1]}/bpfgate" kernel path "$k")
	elf=$(dirname "$img")/vmlinux
	[ -f "$elf" ] || elf=$img
	e=()
	for ((i = 0; i < runs; i++)); do e+=("$(bare_boot "$elf")"); done
	me=$(printf '%s\n' "${e[@]}" | median)
	floor_sum=$(echo "$floor_sum + $me" | bc)
	printf '%-6s %8.2fs\n' "$k" "$me"
done

# The whole matrix, runs alternating between the builds; each run's folder is kept.
args=()
for k in $kernels host; do args+=(--kernel "$k"); done
declare -A wall cpu loads
timer=${TIME:-/usr/bin/time}
[ -x "$timer" ] || { echo "bpfgate: $timer: GNU time not found (apt-get install time, or TIME=)" >&2; exit 2; }
for ((i = 0; i < runs; i++)); do
	for j in "${!builds[@]}"; do
		b=${builds[$j]}
		mapfile -t what < <(run_args "$b" "$@")
		l=$(load)
		s=$(now)
		# CPU seconds of the whole tree (QEMU included): what a busy machine cannot hide
		BPFGATE_RESULT_DIR=$T/run.$j.$i $timer -f '%U %S' -o "$T/cpu" "$b/bpfgate" verify --json \
			--no-cache "${args[@]}" "${what[@]}" >/dev/null 2>"$T/err.$j" || [ $? -eq 1 ] ||
			{ cat "$T/err.$j" >&2; exit 1; }
		wall[$j]+="$(since "$s") "
		cpu[$j]+="$(awk '/^[0-9.]+ [0-9.]+$/ {print $1 + $2}' "$T/cpu") "
		loads[$j]+="$l "
	done
done
jobs=$(sed -n 's/.* up to \([0-9]*\) VMs at once.*/\1/p' "$T/err.0" | head -1)
jobs=${jobs:-1}
printf '\nfloor: the bare boots, %.2f s, over %d VMs at once: %.2f s\n' "$floor_sum" "$jobs" \
	"$(echo "$floor_sum / $jobs" | bc -l)"

for j in "${!builds[@]}"; do
	b=${builds[$j]}
	mapfile -t what < <(run_args "$b" "$@")
	# step names: the objects, then the tests, in the order given
	names=()
	for ((x = 0; x < ${#what[@]}; x++)); do
		[ "${what[$x]}" = --test ] && continue
		names+=("$(basename "${what[$x]}")")
	done
	printf '\n== %s\n' "${b#"$top"/}"
	printf 'whole matrix (%s host), warm cache: %.1f s (median of %d: %s; load %s)\n' \
		"$kernels" "$(printf '%s\n' ${wall[$j]} | median)" "$runs" "${wall[$j]% }" "${loads[$j]% }"
	printf 'CPU seconds (user + system, QEMU included): %.1f s (median; %s)\n' \
		"$(printf '%s\n' ${cpu[$j]} | median)" "${cpu[$j]% }"
	printf '%-6s %7s %7s %7s %7s\n' KERNEL total boot probe verify
	for k in $kernels; do
		tot=() bo=() pr=() ve=()
		for ((i = 0; i < runs; i++)); do
			IFS=$'\t' read -r _ _ _ _ t1 t2 t3 t4 _ < <(grep -P "^\Q$k\E\t" "$T/run.$j.$i/timings.tsv")
			tot+=("$t1") bo+=("$t2") pr+=("$t3") ve+=("$t4")
		done
		printf '%-6s %6.2fs %6.2fs %6.2fs %6.2fs\n' "$k" "$(printf '%s\n' "${tot[@]}" | median)" \
			"$(printf '%s\n' "${bo[@]}" | median)" "$(printf '%s\n' "${pr[@]}" | median)" \
			"$(printf '%s\n' "${ve[@]}" | median)"
	done
	# each step's seconds in the guest (median over the runs), one column per kernel
	printf '%-22s' step
	for k in $kernels; do printf ' %6s' "$k"; done
	printf '\n'
	for ((x = 0; x < ${#names[@]}; x++)); do
		printf '%-22s' "${names[$x]}"
		for k in $kernels; do
			m=$(for ((i = 0; i < runs; i++)); do
				grep -a "^@@bpfgate took $((x + 1)) " "$T/run.$j.$i/$k/guest.out" 2>/dev/null |
					awk '{printf "%.2f\n", $5 - $4}' || true
			done | median)
			printf ' %6s' "${m:--}"
		done
		printf '\n'
	done
done

if [ $cold = 1 ]; then
	mapfile -t what < <(run_args "${builds[-1]}" "$@")
	s=$(now)
	BPFGATE_CACHE=$T/cold "${builds[-1]}/bpfgate" verify --json "${args[@]}" "${what[@]}" \
		>/dev/null 2>"$T/err" || [ $? -eq 1 ] || { cat "$T/err" >&2; exit 1; }
	printf '\nwhole matrix, cold cache (apt lists, downloads, unpacking, depmod): %.1f s\n' "$(since "$s")"
	grep -E 'fetched in|done in' "$T/err" | sed 's/^/  /'
fi
