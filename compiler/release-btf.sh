#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# compiler/release-btf.sh: the BTF of every target kernel, as one raw BTF file each.
#
#   release-btf.sh BPFGATE OUTDIR [K...]      (RELEASE_BTF=DIR adds BTF-only kernels)
#
# K is a kernel as `bpfgate verify --kernel` takes it: a series of kernels.conf (its
# BTF comes from the cached image's vmlinux, fetched when missing, never from the
# build machine), `host` (/sys/kernel/btf/vmlinux, only when asked), or a path to a
# kernel image, vmlinux or build tree. RELEASE_BTF is a folder of kernels that are
# not booted: raw BTF files (NAME or NAME.btf), vmlinux ELF files (named by their
# folder), or a tree laid out like BTFHub's, DISTRO/VERSION/ARCH/RELEASE.btf.tar.xz.
#
# OUTDIR (a new folder) receives one raw BTF file per kernel, named by its release,
# and OUTDIR.list: a line "NAME<TAB>ORIGIN<TAB>BYTES" per kernel, where ORIGIN is
# matrix:SERIES, host, image:FILE or btf:PATH (PATH relative to RELEASE_BTF).
# Exit 0 done, 2 a kernel without BTF, two kernels of one name, or a bad archive.
set -euo pipefail
export LC_ALL=C

[ $# -ge 2 ] || { echo "usage: $0 BPFGATE OUTDIR [K...]" >&2; exit 2; }
bpfgate=$1 out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "bpfgate: $1: $2" >&2; exit 2; }

mkdir "$out"
: >"$out.list"

# add NAME ORIGIN SRC: SRC (raw BTF, an ELF with .BTF, a kernel image) becomes OUTDIR/NAME, raw
add() {
	local name=$1 origin=$2 src=$3
	case $name in
	'' | . | .. | */* | .*) die "$src" "'$name' cannot name a kernel's BTF file" ;;
	esac
	if [ -e "$out/$name" ]; then
		# a kernel the matrix boots, given again in RELEASE_BTF: the matrix's BTF
		# (from the image it boots) is the one that counts
		if [[ $origin == btf:* ]] && ! grep -q "^$name	btf:" "$out.list"; then
			echo "bpfgate: $src: $name is a kernel of the matrix already: its image's BTF is used" >&2
			return 0
		fi
		die "$src" "a second kernel named $name (RELEASE_BTF)"
	fi
	"$here/kernel-btf.sh" --raw "$src" "$out/$name" || exit 2
	printf '%s\t%s\t%s\n' "$name" "$origin" "$(stat -c %s "$out/$name")" >>"$out.list"
}

# kernel K: a kernel of the matrix, the host, or a path
kernel() {
	local k=$1 img dir
	if [ "$k" = host ]; then
		add "$(uname -r)" host /sys/kernel/btf/vmlinux
	elif [ -e "$k" ]; then
		[ -d "$k" ] && k=$k/vmlinux
		add "$(basename "$(dirname "$(realpath "$k")")")" "image:$(basename "$k")" "$k"
	else
		img=$("$bpfgate" kernel path "$k" 2>/dev/null) || {
			"$bpfgate" kernel fetch "$k" >&2 || exit 2
			img=$("$bpfgate" kernel path "$k")
		}
		dir=$(dirname "$img")
		# the cache keeps an unpacked vmlinux next to the image when it has one
		[ -f "$dir/vmlinux" ] && img=$dir/vmlinux
		add "$(basename "$dir")" "matrix:$k" "$img"
	fi
}

for k in "$@"; do
	kernel "$k"
done

# A folder of BTF files, or a BTFHub-like tree of RELEASE.btf.tar.xz archives.
[ -n "${RELEASE_BTF:-}" ] || exit 0
[ -d "$RELEASE_BTF" ] || die "$RELEASE_BTF" "RELEASE_BTF is not a folder"
n=0
while IFS= read -r -d '' f; do
	rel=${f#"$RELEASE_BTF"/}
	case $f in
	*.btf.tar.xz)
		# exactly one member, a regular file NAME.btf, read to a pipe (never unpacked
		# onto the disk: an archive cannot write outside OUTDIR)
		members=$(tar -tvJf "$f" 2>/dev/null) || die "$f" "not a tar.xz archive"
		if [ "$(printf '%s\n' "$members" | wc -l)" -ne 1 ] || [[ $members != -* ]] ||
			[[ $members != *.btf ]]; then
			die "$f" "expected one file RELEASE.btf inside"
		fi
		member=${members##* }
		tar -xJOf "$f" "$member" >"$out/.unpacked" || die "$f" "cannot unpack $member"
		add "$(basename "$f" .btf.tar.xz)" "btf:$rel" "$out/.unpacked"
		rm -f "$out/.unpacked"
		;;
	*/vmlinux) add "$(basename "$(dirname "$f")")" "btf:$rel" "$f" ;;
	*)
		# other files are taken when they are BTF (raw or ELF), and left out otherwise
		case $(od -An -tx1 -N4 "$f" | tr -d ' \n') in
		9feb*) add "$(basename "$f" .btf)" "btf:$rel" "$f" ;;
		7f454c46)
			readelf -S "$f" 2>/dev/null | grep -q '\.BTF ' || continue
			add "$(basename "$f" .btf)" "btf:$rel" "$f"
			;;
		*) continue ;;
		esac
		;;
	esac
	n=$((n + 1))
done < <(find "$RELEASE_BTF" -type f -print0 | sort -z)
[ $n -gt 0 ] || die "$RELEASE_BTF" "no BTF file (raw BTF, vmlinux, or RELEASE.btf.tar.xz) in it"
