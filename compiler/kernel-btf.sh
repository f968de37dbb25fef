#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# compiler/kernel-btf.sh: give a kernel's BTF in a form bpftool and libbpf read.
#
#   kernel-btf.sh SRC OUT
#
# SRC is raw BTF (/sys/kernel/btf/vmlinux), a vmlinux ELF with a .BTF section, or a
# compressed kernel image (vmlinuz/bzImage). For an image, the ELF inside is found
# by its compression magic and unpacked (as the kernel's scripts/extract-vmlinux
# does). OUT receives raw BTF or that ELF. Exit 2 when SRC has no BTF.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 SRC OUT" >&2; exit 2; }
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

if is_btf_source "$src"; then
	cp "$src" "$out.tmp"
elif ! extract_elf "$src" "$out.tmp"; then
	rm -f "$out.tmp"
	echo "bpfgate: $src: no BTF found (not raw BTF, an ELF with .BTF or a kernel image)" >&2
	exit 2
fi
mv "$out.tmp" "$out"
