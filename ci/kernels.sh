#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ci/kernels.sh: read the kernel matrix (ci/kernels.conf) and fetch its kernels through apt.
#
#   ci/kernels.sh list                 the series of ci/kernels.conf, space separated
#   ci/kernels.sh show SERIES          "series suite release packages" of one kernel
#   ci/kernels.sh fetch SERIES DIR     download SERIES's pinned packages and lay out a
#                                      cache entry in DIR (a new, empty folder):
#                                        DIR/vmlinuz  DIR/vmlinux  DIR/config
#                                        DIR/lib/modules/RELEASE/
#   ci/kernels.sh vmlinux IMAGE OUT    unpack the ELF kernel inside a bzImage: QEMU boots
#                                      it directly (PVH), skipping the decompression
#                                      that takes 3 to 12 s under TCG
#
# `bpfgate kernel fetch` runs `fetch` into a temporary folder under its lock and renames
# the folder into the cache only when this script succeeds, so a fetch killed at any
# point leaves nothing that a later run would use. The apt part uses an isolated apt
# configuration (ci/apt-suites.sh): the system's sources stay untouched and apt checks
# the suites' signatures and the packages' hashes as usual.
#
# Environment: BPFGATE_KERNELS_CONF (default: kernels.conf next to this script),
# BPFGATE_APT_STATE (apt lists per suite; default $XDG_CACHE_HOME/bpfgate/apt).
# Exit status: 0 done, 1 download or extraction failed, 2 usage or unknown series.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
conf=${BPFGATE_KERNELS_CONF:-$here/kernels.conf}

die() {
	echo "bpfgate: $1: $2" >&2
	exit "${3:-1}"
}

entries() {
	[ -r "$conf" ] || die "$conf" "cannot read the kernel matrix" 2
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$conf"
}

cmd=${1:-}
case $cmd in
list)
	entries | awk '{printf "%s%s", sep, $1; sep = " "} END {print ""}'
	exit 0
	;;
show)
	[ $# -eq 2 ] || die kernels.sh "usage: kernels.sh show SERIES" 2
	line=$(entries | awk -v s="$2" '$1 == s' | head -n 1)
	[ -n "$line" ] || die "$2" "not a kernel of $conf" 2
	echo "$line"
	exit 0
	;;
fetch | vmlinux) ;;
-h | --help | "")
	sed -n '3,23s/^# \{0,1\}//p' "$0"
	[ -n "$cmd" ]
	exit $?
	;;
*) die kernels.sh "unknown command '$cmd' (try --help)" 2 ;;
esac

# vmlinux IMAGE OUT: find the compressed payload by its magic and unpack it; the
# result must be an ELF file. Compressions of Debian's kernels: xz, zstd (gzip too).
extract_vmlinux() {
	local img=$1 out=$2 magic tool off
	for magic in xz:'\xfd7zXZ\x00' zstd:'\x28\xb5\x2f\xfd' gzip:'\x1f\x8b\x08'; do
		tool=${magic%%:*}
		for off in $(LC_ALL=C grep -abo -P "${magic#*:}" "$img" 2>/dev/null | cut -d: -f1 | head -n 4); do
			tail -c +$((off + 1)) "$img" | "$tool" -dc >"$out.tmp" 2>/dev/null
			if [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
				mv "$out.tmp" "$out"
				return 0
			fi
		done
	done
	rm -f "$out.tmp"
	return 1
}

if [ "$cmd" = vmlinux ]; then
	[ $# -eq 3 ] || die kernels.sh "usage: kernels.sh vmlinux IMAGE OUT" 2
	extract_vmlinux "$2" "$3" || die "$2" "no ELF kernel found inside"
	exit 0
fi

[ $# -eq 3 ] || die kernels.sh "usage: kernels.sh fetch SERIES DIR" 2
series=$2 dir=$3
line=$(entries | awk -v s="$series" '$1 == s' | head -n 1)
[ -n "$line" ] || die "$series" "not a kernel of $conf" 2
read -r _ suite release packages <<<"$line"
[ "$suite" != - ] || die "$series" "nothing to fetch (the running kernel)" 2
[ -d "$dir" ] || die "$dir" "no such folder" 2

# shellcheck source=ci/apt-suites.sh
. "$here/apt-suites.sh"
state=${BPFGATE_APT_STATE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpfgate/apt}
mkdir -p "$state"

# One apt state per suite, used by one fetch at a time (apt locks its lists too, but
# failing on a busy lock is worse than waiting for it).
exec 9>"$state/$suite.lock"
flock 9
opts=$(apt_isolated "$state/$suite" "$suite")
# The isolated configuration also gets its own package cache, so the system's
# /var/cache/apt is left alone as well.
opts="$opts -o Dir::Cache=$state/$suite/cache -o Dir::Cache::archives=$state/$suite/archives"
opts="$opts -o APT::Sandbox::User=root -o Dpkg::Use-Pty=0 -q"
mkdir -p "$state/$suite/cache"

pkgs=()
IFS=, read -r -a pkgs <<<"$packages"
mkdir -p "$dir/debs" "$dir/x"
download() {
	# shellcheck disable=SC2086
	(cd "$dir/debs" && apt-get $opts download "${pkgs[@]}") >"$dir/apt.log" 2>&1
}
# The lists are refreshed at most hourly; a download that fails refreshes them.
fresh=$(find "$state/$suite/lists" -maxdepth 1 -name '*_Packages*' -mmin -60 2>/dev/null | head -n 1)
[ -z "$fresh" ] || echo "fetch: $series: downloading ${pkgs[*]}" >&2
if [ -z "$fresh" ] || ! download; then
	echo "fetch: $series: updating the package lists of $suite" >&2
	# shellcheck disable=SC2086
	apt-get $opts update >"$dir/apt.log" 2>&1 ||
		die "$series" "apt-get update of $suite failed: $(grep -E '^(E|W):' "$dir/apt.log" | head -n 1)"
	echo "fetch: $series: downloading ${pkgs[*]}" >&2
	download || die "$series" "download failed: $(grep -E '^E:' "$dir/apt.log" | head -n 1)"
fi
flock -u 9

echo "fetch: $series: extracting" >&2
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/x"
done

# 5.10 to 6.12 ship boot/vmlinuz-RELEASE and lib/modules/; sid's split merged-/usr
# packages ship usr/lib/modules/RELEASE/vmlinuz.unsigned and no boot/.
img= cfg= mods=
for f in "$dir/x/boot/vmlinuz-$release" "$dir/x/usr/lib/modules/$release/vmlinuz.unsigned" \
	"$dir/x/usr/lib/modules/$release/vmlinuz" "$dir/x/lib/modules/$release/vmlinuz"; do
	[ -f "$f" ] && { img=$f; break; }
done
for f in "$dir/x/boot/config-$release" "$dir/x/usr/lib/modules/$release/config" \
	"$dir/x/lib/modules/$release/config"; do
	[ -f "$f" ] && { cfg=$f; break; }
done
for d in "$dir/x/lib/modules/$release" "$dir/x/usr/lib/modules/$release"; do
	[ -d "$d" ] && { mods=$d; break; }
done
[ -n "$img" ] || die "$series" "no kernel image for $release in ${pkgs[*]}"
[ -n "$cfg" ] || die "$series" "no kernel config for $release in ${pkgs[*]}"
[ -n "$mods" ] || die "$series" "no modules for $release in ${pkgs[*]}"
mv "$img" "$dir/vmlinuz"
mv "$cfg" "$dir/config"
mkdir -p "$dir/lib/modules"
mv "$mods" "$dir/lib/modules/$release"
rm -f "$dir/lib/modules/$release/vmlinuz"* "$dir/lib/modules/$release/config"

# Optional: without it QEMU boots vmlinuz and decompresses it in the guest.
extract_vmlinux "$dir/vmlinuz" "$dir/vmlinux" || echo "fetch: $series: no ELF kernel inside vmlinuz" >&2

echo "fetch: $series: depmod" >&2
depmod=$(command -v depmod || echo /sbin/depmod)
"$depmod" -a -b "$dir" "$release" || die "$series" "depmod failed"
rm -rf "$dir/x" "$dir/debs" "$dir/apt.log"
