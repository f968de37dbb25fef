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
#   ci/kernels.sh fetch-entry DIR SERIES SUITE RELEASE PACKAGES
#                                      the same for a kernel given field by field
#   ci/kernels.sh newest SERIES SUITE RELEASE PACKAGES --offline|--refresh
#                                      print "RELEASE PACKAGES" of the newest kernel of
#                                      the same series and flavour in SUITE (exit 1:
#                                      none known; --offline uses the lists as they are)
#   ci/kernels.sh vmlinux IMAGE OUT    unpack the ELF kernel inside a bzImage: QEMU boots
#                                      it directly (PVH), skipping the decompression
#                                      that takes 3 to 12 s under TCG
#
# `bpfgate kernel fetch` runs `fetch-entry` into a temporary folder under its lock and
# renames the folder into the cache only when this script succeeds, so a fetch killed
# at any point leaves nothing that a later run would use. The apt part uses an isolated
# apt configuration (ci/apt-suites.sh): the system's sources stay untouched and apt
# checks the suites' signatures and the packages' hashes as usual. Every field is
# checked against the same grammar as bpfgate's (see docs/matrix.md), and only what
# this script created itself is ever removed.
#
# Environment: BPFGATE_KERNELS_CONF (default: kernels.conf next to this script),
# BPFGATE_APT_STATE (apt lists per suite; default the apt/ folder of the cache root:
# $BPFGATE_CACHE, else $XDG_CACHE_HOME/bpfgate, else ~/.cache/bpfgate),
# BPFGATE_FETCH_LOG (a file that receives apt's output and every message).
# Exit status: 0 done, 1 download or extraction failed, 2 usage, unknown series or a
# field outside its grammar, 3 a pinned version is no longer on the mirror.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
conf=${BPFGATE_KERNELS_CONF:-$here/kernels.conf}
log=${BPFGATE_FETCH_LOG:-/dev/null}

die() {
	echo "bpfgate: $1: $2" | tee -a "$log" >&2
	exit "${3:-1}"
}
say() { echo "fetch: $*" | tee -a "$log" >&2; }

# The grammar of kernels.conf's fields (the same as verifier-harness/vm/kernel_conf.c).
valid_series() {
	[[ $1 == host || ($1 =~ ^[0-9]{1,3}\.[0-9]{1,3}([.-][a-z0-9]+)*$ && ${#1} -le 15) ]]
}
valid_suite() { [[ $1 =~ ^[a-z][a-z0-9-]*$ && ${#1} -le 47 ]]; }
valid_release() { [[ $1 =~ ^[0-9][A-Za-z0-9.+~_-]*$ && $1 != *..* && ${#1} -le 64 ]]; }
valid_packages() {
	local p items=()
	[[ -n $1 && $1 != *, && $1 != ,* ]] || return 1
	IFS=, read -r -a items <<<"$1"
	[ ${#items[@]} -le 8 ] || return 1
	for p in "${items[@]}"; do
		[[ ${p%%=*} =~ ^[a-z0-9][a-z0-9.+-]+$ && ${#p} -le 201 ]] || return 1
		[[ $p == *=* && ${p#*=} =~ ^[0-9][0-9A-Za-z.+~:-]*$ ]] || return 1
	done
}
# check_fields SERIES SUITE RELEASE PACKAGES: exit 2 naming the first bad field
check_fields() {
	valid_series "$1" || die "$1" "series: not MAJOR.MINOR nor host" 2
	if [ "$1" = host ]; then
		[ "$2 $3 $4" = "- - -" ] || die "$1" "host takes '-' for suite, release and packages" 2
		return 0
	fi
	valid_suite "$2" || die "$1" "suite: '$2' is not a Debian suite name" 2
	valid_release "$3" || die "$1" "release: '$3' is outside [0-9][A-Za-z0-9.+~_-]* or has '..'" 2
	valid_packages "$4" || die "$1" "packages: '$4' is not NAME=VERSION[,NAME=VERSION...]" 2
}

entries() {
	if [ ! -f "$conf" ] || [ ! -r "$conf" ]; then
		die "$conf" "cannot read the kernel matrix" 2
	fi
	local n=0 a b c d e
	while read -r a b c d e; do
		n=$((n + 1))
		[ -n "$a" ] || continue
		if [ -n "$e" ] || [ -z "$d" ]; then
			die "$conf:$n" "expected 4 fields (series suite release packages)" 2
		fi
		check_fields "$a" "$b" "$c" "$d"
		echo "$a $b $c $d"
	done < <(sed -e 's/#.*//' "$conf")
}

cmd=${1:-}
case $cmd in
list)
	lines=$(entries)
	[ -n "$lines" ] || die "$conf" "no kernels in it" 2
	echo "$lines" | awk '{printf "%s%s", sep, $1; sep = " "} END {print ""}'
	exit 0
	;;
show)
	[ $# -eq 2 ] || die kernels.sh "usage: kernels.sh show SERIES" 2
	line=$(entries | awk -v s="$2" '$1 == s' | head -n 1)
	[ -n "$line" ] || die "$2" "not a kernel of $conf" 2
	echo "$line"
	exit 0
	;;
fetch | fetch-entry | vmlinux | newest) ;;
-h | --help | "")
	sed -n '3,35s/^# \{0,1\}//p' "$0"
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
		for off in $(grep -abo -P "${magic#*:}" "$img" 2>/dev/null | cut -d: -f1 | head -n 4); do
			tail -c +$((off + 1)) "$img" | "$tool" -dc >"$out.tmp" 2>/dev/null || true
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

case $cmd in
fetch)
	[ $# -eq 3 ] || die kernels.sh "usage: kernels.sh fetch SERIES DIR" 2
	series=$2 dir=$3
	line=$(entries | awk -v s="$series" '$1 == s' | head -n 1)
	[ -n "$line" ] || die "$series" "not a kernel of $conf" 2
	read -r _ suite release packages <<<"$line"
	;;
fetch-entry)
	[ $# -eq 6 ] || die kernels.sh "usage: kernels.sh fetch-entry DIR SERIES SUITE RELEASE PACKAGES" 2
	dir=$2 series=$3 suite=$4 release=$5 packages=$6
	;;
newest)
	[ $# -eq 6 ] ||
		die kernels.sh "usage: kernels.sh newest SERIES SUITE RELEASE PACKAGES --offline|--refresh" 2
	series=$2 suite=$3 release=$4 packages=$5 mode=$6
	case $mode in
	--offline | --refresh) ;;
	*) die kernels.sh "newest: --offline or --refresh" 2 ;;
	esac
	;;
esac
check_fields "$series" "$suite" "$release" "$packages"
[ "$suite" != - ] || die "$series" "nothing to fetch (the running kernel)" 2

# shellcheck source=ci/apt-suites.sh
. "$here/apt-suites.sh"
state=${BPFGATE_APT_STATE:-${BPFGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpfgate}/apt}
mkdir -p "$state"

# One apt state per suite, used by one run at a time (apt locks its lists too, but
# failing on a busy lock is worse than waiting for it).
exec 9>"$state/$suite.lock"
if [ "$cmd" = newest ] && [ "$mode" = --offline ]; then
	# `bpfgate kernel list` asks: better "unknown" than waiting for a download
	flock -w 2 9 || exit 1
else
	flock 9
fi
opts=$(apt_isolated "$state/$suite" "$suite")
# The isolated configuration also gets its own package cache, so the system's
# /var/cache/apt is left alone as well.
opts="$opts -o Dir::Cache=$state/$suite/cache -o Dir::Cache::archives=$state/$suite/archives"
# Kept package caches (images often switch them off): each apt-cache call then takes
# a fraction of a second instead of parsing the lists again.
opts="$opts -o Dir::Cache::pkgcache=$state/$suite/cache/pkgcache.bin"
opts="$opts -o Dir::Cache::srcpkgcache=$state/$suite/cache/srcpkgcache.bin"
opts="$opts -o APT::Sandbox::User=root -o Dpkg::Use-Pty=0 -q"
mkdir -p "$state/$suite/cache"

pkgs=()
IFS=, read -r -a pkgs <<<"$packages"
# shellcheck disable=SC2086
apt_update() { apt-get $opts update >>"$log" 2>&1; }
# shellcheck disable=SC2086
version_of() {
	apt-cache $opts show --no-all-versions "$1" 2>/dev/null | awk '/^Version:/ {print $2; exit}'
}
# versions_of NAME...: "NAME VERSION" of each package apt knows (candidate versions)
# shellcheck disable=SC2086
versions_of() {
	apt-cache $opts show --no-all-versions "$@" 2>/dev/null |
		awk '/^Package:/ {p = $2} /^Version:/ && p != "" {print p, $2; p = ""}' || true
}

if [ "$cmd" = newest ]; then
	# Candidates have the pinned release's shape with other numbers: for 6.1.0-56-amd64,
	# 6.1.N-N-amdN (never another flavour such as -cloud-amd64, nor 6.10).
	have=$(find "$state/$suite/lists" -maxdepth 1 -name '*_Packages*' 2>/dev/null | head -n 1)
	if [ "$mode" = --refresh ]; then
		echo "fetch: $series: updating the package lists of $suite" >&2
		apt_update || die "$series" "apt-get update of $suite failed"
	elif [ -z "$have" ]; then
		exit 1
	fi
	[[ $series =~ ^[0-9]+\.[0-9]+ ]] && mm=${BASH_REMATCH[0]}
	[[ $release == "$mm".* || $release == "$mm"-* ]] || exit 1
	shape=$(printf '%s' "${release#"$mm"}" | sed -e 's/[.+~]/\\&/g' -e 's/[0-9][0-9]*/[0-9]+/g')
	re="^${mm//./\\.}$shape\$"
	first=${pkgs[0]%%=*}
	[[ $first == *"$release"* ]] || exit 1
	pre=${first%%"$release"*} suf=${first#*"$release"}
	cands=()
	# shellcheck disable=SC2086
	for name in $(apt-cache $opts pkgnames "$pre" 2>/dev/null | sort -u); do
		[[ $name == *"$suf" ]] || continue
		r=${name#"$pre"}
		r=${r%"$suf"}
		if [[ $r =~ $re ]] && valid_release "$r"; then cands+=("$name"); fi
	done
	[ ${#cands[@]} -gt 0 ] || exit 1
	# one apt-cache call for every candidate ("NAME VERSION" lines): each call costs a second
	best='' bestv=''
	while read -r name v; do
		if [ -z "$bestv" ] || dpkg --compare-versions "$v" gt "$bestv"; then
			best=${name#"$pre"} bestv=$v
			best=${best%"$suf"}
		fi
	done < <(versions_of "${cands[@]}")
	[ -n "$best" ] || exit 1
	names=()
	for p in "${pkgs[@]}"; do
		n=${p%%=*}
		names+=("${n/"$release"/"$best"}")
	done
	declare -A ver=()
	while read -r name v; do ver[$name]=$v; done < <(versions_of "${names[@]}")
	out=
	for n in "${names[@]}"; do
		[ -n "${ver[$n]:-}" ] || exit 1
		out="$out,$n=${ver[$n]}"
	done
	echo "$best ${out#,}"
	exit 0
fi

# fetch: DIR must be a new, empty folder; everything removed below was made here.
if [ ! -d "$dir" ] || [ -L "$dir" ]; then die "$dir" "no such folder" 2; fi
[ -z "$(ls -A "$dir")" ] || die "$dir" "not empty (a fetch needs a new folder)" 2
mkdir "$dir/debs" "$dir/x"

download() {
	cd "$dir/debs"
	# shellcheck disable=SC2086
	apt-get $opts download "${pkgs[@]}" >>"$log" 2>&1
	local rc=$?
	cd - >/dev/null
	return $rc
}
# Is a pinned NAME=VERSION gone from the (refreshed) lists? Then exit 3.
pin_gone() {
	local p
	for p in "${pkgs[@]}"; do
		# shellcheck disable=SC2086
		if [ "$(version_of "${p%%=*}")" != "${p#*=}" ] &&
			! apt-cache $opts show "$p" >/dev/null 2>&1; then
			die "$series" "$p is no longer on the mirror of $suite" 3
		fi
	done
}
# The lists are refreshed at most hourly; a download that fails refreshes them.
fresh=$(find "$state/$suite/lists" -maxdepth 1 -name '*_Packages*' -mmin -60 2>/dev/null |
	head -n 1)
[ -z "$fresh" ] || say "$series: downloading ${pkgs[*]}"
if [ -z "$fresh" ] || ! download; then
	say "$series: updating the package lists of $suite"
	apt_update ||
		die "$series" "apt-get update of $suite failed: $(grep -E '^(E|W):' "$log" | tail -n 1)"
	say "$series: downloading ${pkgs[*]}"
	if ! download; then
		pin_gone
		die "$series" "download failed: $(grep -E '^E:' "$log" | tail -n 1)"
	fi
fi
flock -u 9
exec 9>&-

say "$series: extracting"
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/x" 2>>"$log" || die "$series" "dpkg-deb -x $(basename "$deb") failed"
done

# 5.10 to 6.12 ship boot/vmlinuz-RELEASE and lib/modules/; sid's split merged-/usr
# packages ship usr/lib/modules/RELEASE/vmlinuz.unsigned and no boot/.
img='' cfg='' mods=''
for f in "$dir/x/boot/vmlinuz-$release" "$dir/x/usr/lib/modules/$release/vmlinuz.unsigned" \
	"$dir/x/usr/lib/modules/$release/vmlinuz" "$dir/x/lib/modules/$release/vmlinuz"; do
	[ -f "$f" ] && [ ! -L "$f" ] && { img=$f; break; }
done
for f in "$dir/x/boot/config-$release" "$dir/x/usr/lib/modules/$release/config" \
	"$dir/x/lib/modules/$release/config"; do
	[ -f "$f" ] && [ ! -L "$f" ] && { cfg=$f; break; }
done
for d in "$dir/x/lib/modules/$release" "$dir/x/usr/lib/modules/$release"; do
	[ -d "$d" ] && [ ! -L "$d" ] && { mods=$d; break; }
done
[ -n "$img" ] || die "$series" "no kernel image for $release in ${pkgs[*]}"
[ -n "$cfg" ] || die "$series" "no kernel config for $release in ${pkgs[*]}"
[ -n "$mods" ] || die "$series" "no modules for $release in ${pkgs[*]}"
mv "$img" "$dir/vmlinuz"
mv "$cfg" "$dir/config"
mkdir "$dir/lib" "$dir/lib/modules"
mv "$mods" "$dir/lib/modules/$release"
rm -f "$dir/lib/modules/$release/vmlinuz"* "$dir/lib/modules/$release/config"
# The packages' links (build, source -> /usr/src/...) point outside the entry: an
# entry holds only files and folders (its stamp refuses anything else).
find "$dir/lib/modules/$release" -type l -delete

# Optional: without it QEMU boots vmlinuz and decompresses it in the guest.
extract_vmlinux "$dir/vmlinuz" "$dir/vmlinux" || say "$series: no ELF kernel inside vmlinuz"

say "$series: depmod"
depmod=$(command -v depmod || echo /sbin/depmod)
"$depmod" -a -b "$dir" "$release" 2>>"$log" || die "$series" "depmod failed"
rm -rf "$dir/x" "$dir/debs"
