#!/usr/bin/env bash
# How many host workers load programs: a second one at once when each would
# still have 4 programs to take (12 programs with --jobs 2), even when the work
# is short; one alone for a few programs (3), where another would only make the
# object's maps and run libbpf's feature probes again (verify_pool.c, SPAWN_PROGS).
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" = 0 ] || skip "loading BPF programs needs root"
command -v strace >/dev/null || skip "strace not installed"
[ -e build/programs/flow.bpf.o ] || skip "build/programs has no objects (make all)"

# the processes bpfgate starts: the lister, then the workers (traced through a
# seccomp filter, so that the run keeps its speed and its workers their timing)
children() {
	strace -f -qq --seccomp-bpf -e trace=clone,clone3,fork,vfork -o "$T/strace" \
		"$BPFGATE" verify --no-cache "$@" >"$T/out" 2>"$T/err" || true
	top=$(head -1 "$T/strace" | awk '{ print $1 }')
	awk -v p="$top" '$1 == p && /^[0-9]+ +(clone|clone3|fork|vfork)\(/' "$T/strace" | wc -l
}
loaders() { echo $(($(children "$@") - 1)); }

# four copies of flow.bpf.o (3 programs each, quick to verify, no CO-RE): the
# work is short, but each of 2 workers would have 4 programs or more to take
for i in 1 2 3 4; do cp build/programs/flow.bpf.o "$T/flow$i.bpf.o"; done
n=$(loaders --jobs 2 "$T"/flow[1-4].bpf.o)
expect_eq "$n" 2 "workers for 12 programs with --jobs 2 ($(tail -1 "$T/out"))"
grep -q '^12 programs: 12 pass' "$T/out" || fail "not every program passed: $(tail -1 "$T/out")"

n=$(loaders --jobs 2 "$T/flow1.bpf.o")
expect_eq "$n" 1 "workers for flow.bpf.o's 3 programs with --jobs 2"
echo "--jobs 2: two workers for 12 programs, one for 3"
