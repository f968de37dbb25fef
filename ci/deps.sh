#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ci/deps.sh: install what bpfgate needs, from Debian packages only (idempotent).
#
#   ci/deps.sh            install everything that is missing (needs root and apt)
#   ci/deps.sh --check    list what is missing, install nothing; exit 2 if anything is
#   ci/deps.sh --list     print every requirement with its reason and its set
#   ci/deps.sh --for SET  only what SET needs (with --check or --list too); the sets
#                         grow: build < verify < matrix < check (the default)
#     build    build bpfgate and the programs; run bpfgate merge and compare
#     verify   also verify inside qemu VMs of other kernels (static bpfgate, initramfs)
#     matrix   also run functional tests in every kernel, and the virtme-ng backend
#     check    everything make check needs (sanitizers, valgrind, older clang, ...)
#
# Exit status: 0 all present, 2 something is missing and could not be installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=ci/apt-suites.sh
. "$here/apt-suites.sh"

# Each requirement: PACKAGE MIN_VERSION SUITE SET REASON. SUITE is where it comes from:
# bookworm (the system's sources), bookworm-backports or trixie (isolated config);
# SET is the smallest set that needs it (see --for).
REQS=$(cat <<'LIST'
make              -                  bookworm            build   build: the Makefile
gcc               -                  bookworm            build   build: bpfgate itself
pkg-config        -                  bookworm            build   build: library flags
clang-19          -                  bookworm            build   build: default BPF compiler
llvm-19           -                  bookworm            build   build: llvm-strip/llvm-objdump for BPF objects
clang-14          -                  bookworm            check   build: oldest supported BPF compiler
libclang-rt-14-dev -                 bookworm            check   test: ASan/UBSan and libFuzzer runtimes
libbpf-dev        1:1.4              bookworm-backports  build   build: libbpf >= 1.4 (headers, libbpf.a)
bpftool           7.5                bookworm-backports  build   build: gen object/skeleton/min_core_btf
libelf-dev        0.192              bookworm-backports  build   build: libelf, matching libbpf 1.4
zlib1g-dev        -                  bookworm            build   build: libbpf's zlib
libzstd-dev       -                  bookworm            verify  build: static bpfgate for the VM initramfs
check             0.15               bookworm            matrix  test: C unit tests
libsubunit-dev    -                  bookworm            matrix  test: static functional tests for VM guests (libcheck.a needs it)
valgrind          -                  bookworm            check   test: memory checks
iproute2          -                  bookworm            matrix  test: network namespaces and veth pairs
python3           -                  bookworm            check   test: JSON checks in the shell tests
g++               -                  bookworm            check   test: skeleton consumers built as C++
python3-yaml      -                  bookworm            check   test: structure of the CI workflow
time              -                  bookworm            check   test: peak memory of a run (GNU time)
chromium-headless-shell -            bookworm            check   test: the HTML report in a headless browser
qemu-system-x86   -                  bookworm            verify  matrix: VMs (TCG when KVM does not work)
busybox-static    -                  bookworm            verify  matrix: initramfs of the qemu backend
cpio              -                  bookworm            verify  matrix: initramfs archive
kmod              -                  bookworm            verify  matrix: depmod for fetched kernels
zstd              -                  bookworm            verify  matrix: zstd-compressed kernels/modules
xz-utils          -                  bookworm            verify  matrix: xz-compressed kernels/modules
udev              -                  bookworm            matrix  matrix: virtme-ng needs it on the host
virtme-ng         1.35               trixie              matrix  matrix: the vng VM backend
LIST
)

# The sets, smallest first; --for SET takes the requirements of SET and those before.
SETS="build verify matrix check"
mode=install
want=check
while [ $# -gt 0 ]; do
	case $1 in
	--check) mode=check ;;
	--list) mode=list ;;
	--for)
		[ $# -ge 2 ] || { echo "bpfgate: ci/deps.sh: --for needs a set: $SETS" >&2; exit 2; }
		want=$2
		shift
		case " $SETS " in
		*" $want "*) ;;
		*)
			echo "bpfgate: ci/deps.sh: --for $want: unknown set (one of: $SETS)" >&2
			exit 2
			;;
		esac
		;;
	-h | --help)
		sed -n '3,16s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*)
		echo "bpfgate: ci/deps.sh: unknown option '$1' (try --help)" >&2
		exit 2
		;;
	esac
	shift
done

# wanted SET: is a requirement of SET part of the set asked for?
wanted() {
	local s
	for s in $SETS; do
		[ "$s" = "$1" ] && return 0
		[ "$s" = "$want" ] && return 1
	done
	return 1
}

# The state of every package of the list, from one dpkg-query (one a package takes
# seconds for the whole list, on every make verify).
declare -A state_of=()
read_states() {
	state_of=()
	command -v dpkg-query >/dev/null || return 0
	while read -r p st v; do
		state_of[$p]="$st $v"
	done < <(dpkg-query -W -f='${Package} ${db:Status-Status} ${Version}\n' \
		$(awk 'NF {print $1}' <<<"$REQS") 2>/dev/null)
}
read_states

# installed PKG MIN: true when PKG is installed at MIN or newer.
installed() {
	local v=${state_of[$1]:-}
	[ "${v%% *}" = installed ] || return 1
	[ "$2" = - ] && return 0
	dpkg --compare-versions "${v#* }" ge "$2"
}

missing=()
[ $mode = list ] && printf '%-20s %-8s %-20s %-7s %s\n' PACKAGE MIN SUITE SET REASON
while read -r pkg min suite set reason; do
	[ -n "$pkg" ] || continue
	wanted "$set" || continue
	if [ $mode = list ]; then
		printf '%-20s %-8s %-20s %-7s %s\n' "$pkg" "$min" "$suite" "$set" "$reason"
		continue
	fi
	installed "$pkg" "$min" && continue
	missing+=("$pkg|$min|$suite|$reason")
done <<<"$REQS"
[ $mode = list ] && exit 0

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: everything bpfgate needs$([ $want = check ] || echo " for $want") is installed"
	exit 0
fi

if [ $mode = check ] || ! command -v apt-get >/dev/null || [ "$(id -u)" -ne 0 ]; then
	why="missing"
	command -v apt-get >/dev/null || why="missing, and there is no apt-get here to install them"
	[ $mode = install ] && [ "$(id -u)" -ne 0 ] && why="missing (run ci/deps.sh as root to install them)"
	echo "bpfgate: dependencies $why:" >&2
	for m in "${missing[@]}"; do
		IFS='|' read -r pkg min suite reason <<<"$m"
		printf '  %-20s %-8s from %-20s %s\n' "$pkg" "$( [ "$min" = - ] && echo any || echo ">= $min")" "$suite" "$reason" >&2
	done
	exit 2
fi

state=${BPFGATE_APT_DIR:-/var/cache/bpfgate/apt}
export DEBIAN_FRONTEND=noninteractive
apt_q="-q -y -o Dpkg::Use-Pty=0 -o APT::Install-Recommends=false"
plain=() bpo=() trixie=()
for m in "${missing[@]}"; do
	IFS='|' read -r pkg min suite reason <<<"$m"
	echo "deps: installing $pkg ($reason)"
	case $suite in
	bookworm) plain+=("$pkg") ;;
	bookworm-backports) bpo+=("$pkg") ;;
	trixie) trixie+=("$pkg") ;;
	esac
done

if [ ${#plain[@]} -gt 0 ] || [ ${#trixie[@]} -gt 0 ]; then
	apt-get -q update -o Dpkg::Use-Pty=0 >/dev/null
fi
if [ ${#plain[@]} -gt 0 ]; then
	# shellcheck disable=SC2086
	apt-get install $apt_q "${plain[@]}"
fi
if [ ${#bpo[@]} -gt 0 ]; then
	# The system's suites plus backports; each package is asked for from backports
	# explicitly, so nothing else is upgraded. libbpf 1.4 wants the matching libelf.
	opts=$(apt_isolated "$state/backports" bookworm bookworm-updates bookworm-security bookworm-backports)
	# shellcheck disable=SC2086
	apt-get $opts -q update -o Dpkg::Use-Pty=0 >/dev/null
	args=()
	for p in "${bpo[@]}" libbpf1 libelf1 libdw1 libdebuginfod1 libdebuginfod-common; do
		args+=("$p/bookworm-backports")
	done
	[[ " ${bpo[*]} " == *" libbpf-dev "* ]] && [[ " ${bpo[*]} " != *" libelf-dev "* ]] && args+=(libelf-dev/bookworm-backports)
	# shellcheck disable=SC2086
	apt-get $opts install $apt_q "${args[@]}"
fi
if [ ${#trixie[@]} -gt 0 ]; then
	# virtme-ng is architecture 'all' and its dependencies exist in bookworm: download
	# the .deb from trixie, then install it with the system's sources.
	opts=$(apt_isolated "$state/trixie" trixie)
	# shellcheck disable=SC2086
	apt-get $opts -q update -o Dpkg::Use-Pty=0 >/dev/null
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# shellcheck disable=SC2086
	(cd "$tmp" && apt-get $opts -q download "${trixie[@]}")
	# shellcheck disable=SC2086
	apt-get install $apt_q "$tmp"/*.deb
fi

# Verify: anything still missing is an error (the states read before installing are stale).
read_states
still=0
while read -r pkg min suite set reason; do
	[ -n "$pkg" ] || continue
	wanted "$set" || continue
	installed "$pkg" "$min" || { echo "bpfgate: $pkg: still missing after install ($reason)" >&2; still=1; }
done <<<"$REQS"
[ $still -eq 0 ] || exit 2
echo "deps: everything bpfgate needs$([ $want = check ] || echo " for $want") is installed"
