#!/usr/bin/env bash
# A missing compiler, bpftool or libbpf gives one clear line pointing at make deps.
. "$(dirname "$0")/../lib.sh"

run make CLANG=/nonexistent/clang-99 O="$T/out" bpf-objs
[ $rc -ne 0 ] || fail "build succeeded without a compiler"
expect_eq "$(echo "$err" | grep -c bpfgate:)" 1 "one line"
expect_contains "$err" "bpfgate: clang: not found (run 'make deps'" "clang message"

run make BPFTOOL=/nonexistent/bpftool O="$T/out" bpf-objs
[ $rc -ne 0 ] || fail "build succeeded without bpftool"
expect_contains "$err" "bpfgate: bpftool: not found (run 'make deps'" "bpftool message"

# deps --check on this machine: everything present
run ci/deps.sh --check
expect_eq "$rc" 0 "ci/deps.sh --check on a prepared machine"
# a system without apt: deps.sh prints the exact list and exits 2
mkdir -p "$T/bin"
for t in bash cat dirname awk printf id mktemp sed tr; do
	p=$(command -v $t) && ln -s "$p" "$T/bin/$t"
done
run env PATH="$T/bin" bash ci/deps.sh
expect_eq "$rc" 2 "deps.sh without apt exits 2"
expect_contains "$err" "no apt-get here" "says apt is missing"
expect_contains "$err" "libbpf-dev" "lists libbpf-dev"
expect_contains "$err" "clang-19" "lists clang-19"
echo "missing tools reported"
