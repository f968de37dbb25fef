#!/usr/bin/env bash
# A folder of third-party libbpf programs builds without edits, including a
# program spread over several files and one that includes UAPI headers.
. "$(dirname "$0")/../lib.sh"

run make PROGRAMS_DIR=tests/build/thirdparty O="$T/out" bpf-objs bpf-skels
[ $rc -eq 0 ] || fail "third-party build: $err"
for n in minimal bootstrap uapi_only multi; do
	[ -s "$T/out/programs/$n.bpf.o" ] || fail "$n.bpf.o not built"
	[ -s "$T/out/programs/$n.skel.h" ] || fail "$n.skel.h not built"
	readelf -S "$T/out/programs/$n.bpf.o" | grep -q '\.BTF\.ext' || fail "$n.bpf.o has no .BTF.ext"
done
# the multi-file program links both units: both functions are in one object
bpftool btf dump file "$T/out/programs/multi.bpf.o" | grep -q "FUNC 'count_packet'" || fail "multi: helper unit missing"
grep -q 'multi__open' "$T/out/programs/multi.skel.h" || fail "multi skeleton not named after the program"
# bootstrap.bpf.c uses CO-RE: relocations are recorded
llvm-objdump-19 -h "$T/out/programs/bootstrap.bpf.o" >/dev/null 2>&1 || true
bpftool btf dump file "$T/out/programs/bootstrap.bpf.o" >/dev/null || fail "bootstrap BTF unreadable"
# an empty folder says so and fails
mkdir -p "$T/empty"
run make PROGRAMS_DIR="$T/empty" O="$T/out2" bpf-objs
[ $rc -ne 0 ] || fail "empty PROGRAMS_DIR succeeded"
expect_contains "$err" "no eBPF programs" "empty folder message"
echo "third-party folder built; empty folder refused"
