#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/matrix.sh: how long the kernel matrix takes, and where the time goes.
#
#   bench/matrix.sh [-n RUNS] [-c] [-k "5.10 6.1 ..."] [OBJ...]
#     -n RUNS   repetitions, medians reported (default 3)
#     -c        also measure a cold cache (downloads every kernel again, ~360 MB)
#     -k LIST   kernels (default: every series of ci/kernels.conf)
#     OBJ...    objects to verify (default: build/programs/*.bpf.o)
#
# Prints, per kernel: a bare QEMU boot into a busybox initramfs that only powers off
# (the compressed image as Debian ships it, and the unpacked vmlinux bpfgate boots),
# then bpfgate's boot-to-results for that kernel alone (qemu backend) split into boot,
# probe and verify, and its ratio to the bare boot. Then the whole matrix (all kernels
# plus host, warm cache) and, with -c, the same from an empty cache.
# Needs root, qemu-system-x86_64, busybox-static and a built tree (make).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
O=${O:-$top/build}
BPFGATE=${BPFGATE:-$O/bpfgate}
runs=3 cold=0 kernels=
while getopts 'n:ck:h' opt; do
	case $opt in
	n) runs=$OPTARG ;;
	c) cold=1 ;;
	k) kernels=$OPTARG ;;
	h) sed -n '3,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
objs=("$@")
[ ${#objs[@]} -gt 0 ] || objs=("$O"/programs/*.bpf.o)
[ -n "$kernels" ] || kernels=$(ci/kernels.sh list | tr ' ' '\n' | grep -vx host | xargs)
[ -x "$BPFGATE" ] || { echo "bpfgate: $BPFGATE: not built (run make)" >&2; exit 2; }

T=$(mktemp -d /tmp/bpfgate-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }

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
	since "$s"
}

echo "# bench/matrix.sh: $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs, medians"
echo "# objects: ${objs[*]}"
"$BPFGATE" kernel fetch $kernels >/dev/null 2>&1 || { echo "bpfgate: kernel fetch $kernels failed" >&2; exit 2; }

printf '\n%-6s %10s %10s | %9s %7s %7s %7s | %s\n' KERNEL "bare bzImg" "bare ELF" "bpfgate" boot probe verify "bpfgate/bare ELF"
for k in $kernels; do
	img=$("$BPFGATE" kernel path "$k")
	elf=$(dirname "$img")/vmlinux
	z=() e=() tot=() b=() p=() v=()
	for ((i = 0; i < runs; i++)); do
		z+=("$(bare_boot "$img")")
		[ -f "$elf" ] && e+=("$(bare_boot "$elf")")
		rm -rf "$T/r"
		BPFGATE_RESULT_DIR=$T/r "$BPFGATE" verify --json --vm-backend qemu --kernel "$k" "${objs[@]}" \
			>/dev/null 2>"$T/err" || [ $? -eq 1 ] || { cat "$T/err" >&2; exit 1; }
		IFS=$'\t' read -r _ _ _ _ t1 t2 t3 t4 _ <"$T/r/timings.tsv"
		tot+=("$t1") b+=("$t2") p+=("$t3") v+=("$t4")
	done
	mz=$(printf '%s\n' "${z[@]}" | median)
	me=$( [ ${#e[@]} -gt 0 ] && printf '%s\n' "${e[@]}" | median || echo "$mz")
	mt=$(printf '%s\n' "${tot[@]}" | median)
	printf '%-6s %9.2fs %9.2fs | %8.2fs %6.2fs %6.2fs %6.2fs | %.2fx\n' "$k" "$mz" "$me" "$mt" \
		"$(printf '%s\n' "${b[@]}" | median)" "$(printf '%s\n' "${p[@]}" | median)" \
		"$(printf '%s\n' "${v[@]}" | median)" "$(echo "$mt / $me" | bc -l)"
done

args=()
for k in $kernels host; do args+=(--kernel "$k"); done
w=()
for ((i = 0; i < runs; i++)); do
	s=$(now)
	"$BPFGATE" verify --json "${args[@]}" "${objs[@]}" >/dev/null 2>"$T/err" || [ $? -eq 1 ] ||
		{ cat "$T/err" >&2; exit 1; }
	w+=("$(since "$s")")
done
printf '\nwhole matrix (%s host), warm cache: %.1f s (median of %d: %s)\n' "$kernels" \
	"$(printf '%s\n' "${w[@]}" | median)" "$runs" "${w[*]}"

if [ $cold = 1 ]; then
	s=$(now)
	BPFGATE_CACHE=$T/cold "$BPFGATE" verify --json "${args[@]}" "${objs[@]}" >/dev/null 2>"$T/err" ||
		[ $? -eq 1 ] || { cat "$T/err" >&2; exit 1; }
	printf 'whole matrix, cold cache (apt lists, downloads, unpacking, depmod): %.1f s\n' "$(since "$s")"
	grep -E 'fetched in|done in' "$T/err" | sed 's/^/  /'
fi
