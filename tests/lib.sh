# SPDX-License-Identifier: BSD-2-Clause
# tests/lib.sh: helpers for the shell tests (sourced). Every test gets its own
# temp dir, removed on exit whatever happens.
set -u
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
O=${O:-$TOP/build}
BPFGATE=${BPFGATE:-$O/bpfgate}
T=$(mktemp -d /tmp/bpfgate-test.XXXXXX)
cleanup_hooks=()
on_exit() { local h; for h in "${cleanup_hooks[@]}"; do eval "$h"; done; rm -rf "$T"; }
trap on_exit EXIT
# every test starts with an empty result cache of its own (result_cache.h)
export BPFGATE_RESULT_CACHE=$T/result-cache
cd "$TOP" || exit 2

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
# expect_eq ACTUAL EXPECTED LABEL
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
# expect_contains TEXT NEEDLE LABEL
expect_contains() { case $1 in *"$2"*) ;; *) fail "$3: '$2' not in: $1" ;; esac; }
# run CMD...: run it; its stdout, stderr and status are in $out, $err and $rc
run() { "$@" >"$T/.stdout" 2>"$T/.stderr"; rc=$?; out=$(cat "$T/.stdout"); err=$(cat "$T/.stderr"); }
# BPF programs and maps in the kernel right now (to prove nothing is left behind)
bpf_prog_count() { bpftool prog show 2>/dev/null | grep -c '^[0-9]*:' ; }
bpf_map_count() { bpftool map show 2>/dev/null | grep -c '^[0-9]*:' ; }
# compile_thirdparty DIR: the third-party CO-RE programs of tests/build/thirdparty
# (bootstrap, minimal, uapi_only) into DIR/NAME.bpf.o, as their own projects build them
compile_thirdparty() {
	local f
	for f in bootstrap minimal uapi_only; do
		${CLANG:-clang} -g -O2 -target bpf -D__TARGET_ARCH_x86 -Icompiler \
			-Itests/build/thirdparty -idirafter /usr/include/"$(uname -m)"-linux-gnu \
			-c tests/build/thirdparty/$f.bpf.c -o "$1/$f.bpf.o" || fail "compile $f.bpf.c"
	done
}
# compile_fentry OUT: three fentry/fexit programs into OUT (trace.bpf.o), for the
# tests of loads that need the kernel BTF; skips without root, strace or BTF
compile_fentry() {
	[ "$(id -u)" = 0 ] || skip "loading BPF programs needs root"
	command -v strace >/dev/null || skip "strace not installed"
	[ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF"
	cat >"$T/trace.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("fentry/do_nanosleep") int enter(void *ctx) { return 0; }
SEC("fexit/do_nanosleep") int leave(void *ctx) { return 0; }
SEC("fentry/hrtimer_nanosleep") int enter2(void *ctx) { return 0; }
char LICENSE[] SEC("license") = "GPL";
C
	${CLANG:-clang} -g -O2 -target bpf -Icompiler -c "$T/trace.bpf.c" -o "$1" ||
		fail "compile trace.bpf.c"
}
# expect_settles CMD EXPECTED LABEL: CMD's output comes back to EXPECTED within 5 s.
# (The kernel releases a program's maps, and a detached program, only after an RCU
# grace period, so counts taken right after a run can lag.)
expect_settles() {
	local i
	for i in $(seq 100); do
		[ "$($1)" = "$2" ] && return 0
		sleep 0.05
	done
	fail "$3: expected '$2', got '$($1)'"
}
