#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/debian_btfs.sh: a folder of real kernel BTFs, for core-check and release
# benchmarks against kernels the matrix does not boot.
#
#   bench/debian_btfs.sh OUT [MAX] [SUITE...]
#
# For every Debian kernel image package of the SUITEs (default: bullseye,
# bullseye-security, bookworm, bookworm-security, bookworm-backports, trixie, sid; the
# amd64, cloud-amd64 and rt-amd64 flavours, and with ARCHES="amd64 i386" also the
# 686, 686-pae and rt-686-pae ones; every ABI version the suite still lists),
# up to MAX kernels (default 40): download the package with an isolated apt
# configuration (ci/apt-suites.sh; the system's sources are not touched), take its
# /boot/vmlinuz, and write its raw BTF to OUT/RELEASE (compiler/kernel-btf.sh --raw).
# Kernels already in OUT are kept. Downloads are about 60 MB a kernel. Prints one
# line a kernel and a total; exit 0, or 2 on usage errors.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { sed -n '3,15s/^# \{0,1\}//p' "$0" >&2; exit 2; }
out=$1
max=${2:-40}
shift $(($# >= 2 ? 2 : 1))
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bullseye bullseye-security bookworm bookworm-security
	bookworm-backports trixie sid)
case $max in '' | *[!0-9]*) echo "bpfgate: $max: MAX is a number" >&2; exit 2 ;; esac

# shellcheck source=../ci/apt-suites.sh
. "$top/ci/apt-suites.sh"
mkdir -p "$out"
work=$(mktemp -d /tmp/bpfgate-btfs.XXXXXX)
trap 'rm -rf "$work"' EXIT

n=0
for arch in ${ARCHES:-amd64}; do
case $arch in
amd64) flavours='amd64|cloud-amd64|rt-amd64' ;;
i386) flavours='686|686-pae|rt-686-pae' ;;
*) echo "bpfgate: $arch: ARCHES takes amd64 and i386" >&2; exit 2 ;;
esac
for suite in "${suites[@]}"; do
	dir=$work/apt-$arch-$suite
	mkdir -p "$dir"
	# shellcheck disable=SC2207
	opts=($(apt_isolated "$dir" "$suite") -o "APT::Architecture=$arch" -o "APT::Architectures=$arch")
	apt-get "${opts[@]}" -qq update >/dev/null 2>&1 || { echo "$suite: no lists (skipped)"; continue; }
	pkgs=$(apt-cache "${opts[@]}" pkgnames linux-image- 2>/dev/null |
		grep -E "^linux-image-[0-9][^ ]*-($flavours)\$" | sort -V) || true
	for p in $pkgs; do
		[ "$n" -lt "$max" ] || break 3
		rel=${p#linux-image-}
		if [ -s "$out/$rel" ]; then
			n=$((n + 1))
			continue
		fi
		(cd "$work" && apt-get "${opts[@]}" -qq download "$p" >/dev/null 2>&1) || {
			echo "$rel: download failed (skipped)"
			continue
		}
		deb=$(ls "$work"/"${p}"_*.deb 2>/dev/null | head -1)
		[ -n "$deb" ] || continue
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*' 2>/dev/null || true
		img=$(ls "$work"/boot/vmlinuz-"$rel" 2>/dev/null || true)
		# only the .BTF section (raw BTF, 5 MB) of the unpacked ELF (60 MB)
		if [ -n "$img" ] && "$top/compiler/kernel-btf.sh" --raw "$img" "$out/$rel" 2>/dev/null; then
			n=$((n + 1))
			echo "$rel: $(stat -c %s "$out/$rel") bytes ($suite)"
		else
			echo "$rel: no BTF in its image (skipped)"
		fi
		rm -rf "$deb" "$work/boot"
	done
done
done
echo "$n kernels in $out"
