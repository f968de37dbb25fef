#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# compiler/release.sh: what release engineers ship, for every kernel of the matrix.
#
#   release.sh OUTDIR BPFGATE OBJ...        (KERNELS="5.10 6.1 ... host")
#
# OUTDIR/programs/NAME.bpf.o       the objects
# OUTDIR/include/NAME.skel.h       their skeletons (next to each object)
# OUTDIR/btf/RELEASE/NAME.min.btf  minimal CO-RE BTF of NAME for that kernel
#                                  (bpftool gen min_core_btf: only the types the
#                                  object's CO-RE relocations need, for kernels
#                                  without /sys/kernel/btf/vmlinux)
# OUTDIR/SHA256SUMS
# Kernels not in the cache are fetched (bpfgate kernel fetch). Everything is
# written to OUTDIR.tmp and renamed at the end: a failed release leaves nothing.
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: $0 OUTDIR BPFGATE OBJ..." >&2; exit 2; }
out=$1 bpfgate=$2
shift 2
BPFTOOL=${BPFTOOL:-bpftool}
here=$(cd "$(dirname "$0")" && pwd)
kernels=${KERNELS:-host}
tmp=$out.tmp
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/programs" "$tmp/include" "$tmp/btf"

for obj in "$@"; do
	cp "$obj" "$tmp/programs/"
	skel=${obj%.bpf.o}.skel.h
	[ -f "$skel" ] && cp "$skel" "$tmp/include/"
done

for k in $kernels; do
	if [ "$k" = host ]; then
		src=/sys/kernel/btf/vmlinux
		rel=$(uname -r)
	else
		img=$("$bpfgate" kernel path "$k" 2>/dev/null) || {
			"$bpfgate" kernel fetch "$k" >&2
			img=$("$bpfgate" kernel path "$k")
		}
		rel=$(basename "$(dirname "$img")")
		# the cache keeps an unpacked vmlinux next to the image when it has one
		src=$img
		[ -f "$(dirname "$img")/vmlinux" ] && src=$(dirname "$img")/vmlinux
	fi
	"$here/kernel-btf.sh" "$src" "$tmp/kernel.btf"
	mkdir -p "$tmp/btf/$rel"
	for obj in "$@"; do
		n=$(basename "$obj" .bpf.o)
		"$BPFTOOL" gen min_core_btf "$tmp/kernel.btf" "$tmp/btf/$rel/$n.min.btf" "$obj" >/dev/null
	done
	rm -f "$tmp/kernel.btf"
	printf '  %-8s %s\n' BTFGEN "$out/btf/$rel ($# objects)"
done

(cd "$tmp" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum >SHA256SUMS)
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
