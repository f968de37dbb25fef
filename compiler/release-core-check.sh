#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# compiler/release-core-check.sh: the offline CO-RE check that `make release` and
# `make verify KERNELS=...` run before booting anything, failing fast.
#
#   release-core-check.sh BPFGATE WORKDIR K... -- OBJ...   (RELEASE_BTF=DIR as well)
#
# The target kernels' BTF is gathered by release-btf.sh into WORKDIR/btf (replaced),
# then `bpfgate core-check --json` resolves every CO-RE relocation of every program
# against each of them; its JSON stays in WORKDIR/core-check.json.
# Exit 0 every relocation resolves or is guarded, 1 a program reaches an unresolved
# relocation on some kernel (one line each: program, kernel, relocation), 2 usage,
# input or environment error.
set -euo pipefail
export LC_ALL=C

usage() { echo "usage: $0 BPFGATE WORKDIR K... -- OBJ..." >&2; exit 2; }
[ $# -ge 4 ] || usage
bpfgate=$1 work=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
kernels=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	kernels+=("$1")
	shift
done
[ $# -ge 2 ] || usage
shift

mkdir -p "$work"
rm -rf "$work/btf" "$work/btf.list" "$work/core-check.json"
"$here/release-btf.sh" "$bpfgate" "$work/btf" "${kernels[@]}"

printf '  %-8s %s\n' CORE "$# objects x $(wc -l <"$work/btf.list") kernels (bpfgate core-check)"
rc=0
"$bpfgate" core-check --json --btf "$work/btf" "$@" >"$work/core-check.json" || rc=$?
if [ $rc -eq 1 ]; then
	# one line per program and kernel: its first reachable unresolved relocation
	jq -r '.results[] | select(.verdict == "fail") |
		"bpfgate: \(.object | sub(".*/"; "")):\(.program) on \(.kernel): CO-RE relocation " +
		(([.relocations[] | select(.guarded | not)] + .relocations)[0] |
		 if . then "\(.kind) \(.type).\(.access) (insn \(.insn))" else "" end) +
		" does not resolve and no bpf_core_*_exists() guard makes it dead code"' \
		"$work/core-check.json" >&2
fi
exit $rc
