#!/usr/bin/env bash
# ci/deps.sh --for SET: each CI job installs only what it needs; the sets grow
# (build < verify < matrix < check), check is everything, and --list says the set.
. "$(dirname "$0")/../lib.sh"

pkgs() { ci/deps.sh --list "$@" | awk 'NR > 1 { print $1 }' | sort; }
prev=
for s in build verify matrix check; do
	run ci/deps.sh --for $s --list
	expect_eq "$rc" 0 "--for $s --list"
	expect_contains "$(echo "$out" | head -1)" "SET" "--list header names the set"
	cur=$(pkgs --for $s)
	[ -n "$cur" ] || fail "--for $s lists nothing"
	if [ -n "$prev" ]; then
		extra=$(comm -23 <(echo "$prev") <(echo "$cur"))
		[ -z "$extra" ] || fail "--for $s lacks what the smaller set has: $extra"
		[ "$prev" != "$cur" ] || fail "--for $s adds nothing"
	fi
	prev=$cur
done
expect_eq "$(pkgs)" "$(pkgs --for check)" "the default is everything"
# build is small: no VM, test or sanitizer tools
for p in qemu-system-x86 valgrind clang-14 virtme-ng check; do
	pkgs --for build | grep -qx "$p" && fail "--for build installs $p"
done
pkgs --for verify | grep -qx qemu-system-x86 || fail "--for verify lacks qemu"
pkgs --for matrix | grep -qx libsubunit-dev || fail "--for matrix lacks the static test libraries"
run ci/deps.sh --for build --check
expect_eq "$rc" 0 "--for build --check on a prepared machine"
expect_contains "$out" "for build is installed" "the set is named"
# a package dpkg does not report installed (a dpkg-query that hides clang-19) is missing
mkdir -p "$T/bin"
real=$(command -v dpkg-query)
printf '#!/bin/sh\n"%s" "$@" | grep -v "^clang-19 "\n' "$real" >"$T/bin/dpkg-query"
chmod +x "$T/bin/dpkg-query"
run env PATH="$T/bin:$PATH" ci/deps.sh --for build --check
expect_eq "$rc" 2 "a missing package is found"
expect_contains "$err" "clang-19" "the missing package is named"
run ci/deps.sh --for nope
expect_eq "$rc" 2 "unknown set"
expect_contains "$err" "--for nope: unknown set (one of: build verify matrix check)" "message"
run ci/deps.sh --for
expect_eq "$rc" 2 "--for without a set"
echo "deps sets: build < verify < matrix < check"
