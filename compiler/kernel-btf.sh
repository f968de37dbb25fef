#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# compiler/kernel-btf.sh: give a kernel's BTF in a form bpftool and libbpf read.
#
#   kernel-btf.sh [--raw] SRC OUT
#
# SRC is raw BTF (/sys/kernel/btf/vmlinux), a vmlinux ELF with a .BTF section, or a
# compressed kernel image (vmlinuz/bzImage). For an image, the ELF inside is found
# by its compression magic and unpacked (as the kernel's scripts/extract-vmlinux
# does). OUT receives raw BTF or that ELF; with --raw, always raw BTF (the ELF's
# .BTF section alone: 5 MB of a 60 MB vmlinux). Exit 2 when SRC has no BTF.
set -euo pipefail

raw=0
[ "${1:-}" = --raw ] && { raw=1; shift; }
[ $# -eq 2 ] || { echo "usage: $0 [--raw] SRC OUT" >&2; exit 2; }
src=$1 out=$2
[ -r "$src" ] || { echo "bpfgate: $src: cannot read kernel BTF" >&2; exit 2; }

# is_btf_source FILE: raw BTF (magic 0xeB9F) or an ELF with a .BTF section.
is_btf_source() {
	local magic
	magic=$(od -An -tx1 -N4 "$1" | tr -d ' \n')
	case $magic in
	9feb*) return 0 ;;
	7f454c46) readelf -S "$1" 2>/dev/null | grep '\.BTF ' >/dev/null ;;
	*) return 1 ;;
	esac
}

# extract_elf IMAGE OUT: unpack the vmlinux ELF from a compressed kernel image.
extract_elf() {
	local img=$1 dst=$2 pat tool off pair
	for pair in '28b52ffd:zstd -dc' 'fd377a585a00:xz -dc' '1f8b0800:gzip -dc' \
		    '425a68:bzip2 -dc' '894c5a4f:lzop -dc' '02214c18:lz4 -dc'; do
		pat=${pair%%:*} tool=${pair#*:}
		command -v "${tool%% *}" >/dev/null || continue
		for off in $(od -An -v -tx1 "$img" | tr -d ' \n' | grep -ob "$pat" | cut -d: -f1); do
			[ $((off % 2)) -eq 0 ] || continue
			tail -c +$((off / 2 + 1)) "$img" | $tool >"$dst" 2>/dev/null || true
			if is_btf_source "$dst"; then return 0; fi
		done
	done
	return 1
}

# is_elf FILE
is_elf() {
	[ "$(od -An -tx1 -N4 "$1" | tr -d ' \n')" = 7f454c46 ]
}

# from: SRC itself when it holds BTF, else the ELF unpacked from the image
if is_btf_source "$src"; then
	from=$src
elif extract_elf "$src" "$out.tmp"; then
	from=$out.tmp
else
	rm -f "$out.tmp"
	echo "bpfgate: $src: no BTF found (not raw BTF, an ELF with .BTF or a kernel image)" >&2
	exit 2
fi
if [ $raw = 1 ] && is_elf "$from"; then
	if ! objcopy -O binary --only-section=.BTF "$from" "$out.raw" 2>/dev/null ||
		[ "$(od -An -tx1 -N2 "$out.raw" | tr -d ' \n')" != 9feb ]; then
		rm -f "$out.raw" "$out.tmp"
		echo "bpfgate: $src: cannot read its .BTF section" >&2
		exit 2
	fi
	rm -f "$out.tmp"
	mv "$out.raw" "$out"
elif [ "$from" = "$src" ]; then
	cp "$src" "$out.tmp"
	mv "$out.tmp" "$out"
else
	mv "$out.tmp" "$out"
fi
