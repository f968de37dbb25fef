#!/usr/bin/env bash
# bpfgate verify and the unit tests are valgrind clean (no invalid access, no leak).
. "$(dirname "$0")/../lib.sh"

command -v valgrind >/dev/null || fail "valgrind not installed (make deps installs it)"
vg=(valgrind -q --suppressions=tests/valgrind.supp --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect)
B=$O/tests/programs
# A whole run: every object of the project and of the harness's tests, and
# third-party CO-RE programs (tests/build/thirdparty), which are loaded with
# the per-object subset of the kernel BTF (core_btf.h). Programs are loaded in
# forked workers, which valgrind follows (no exec): each process is checked
# when it exits.
compile_thirdparty "$T"
all=("$O"/programs/*.bpf.o "$B"/*.bpf.o "$T"/*.bpf.o)
run "${vg[@]}" "$BPFGATE" verify --jobs 1 --json "${all[@]}"
[ $rc -ne 99 ] || fail "valgrind errors in bpfgate verify: $err"
expect_eq "$rc" 1 "bpfgate verify exit status under valgrind ($err)"
expect_eq "$(grep -c '^==[0-9]*==' <<<"$err")" 0 "valgrind reports: $err"
python3 -c 'import json, sys; d = json.load(sys.stdin); assert len(d["results"]) > 30, d["summary"]' \
	<<<"$out" || fail "too few results under valgrind"
# the parallel path and the table output
run "${vg[@]}" --trace-children=no "$BPFGATE" verify --jobs 2 "$B/ok_counter.bpf.o" "$B/bug_oob.bpf.o"
[ $rc -ne 99 ] || fail "valgrind errors in bpfgate verify --jobs 2: $err"
# bad input paths
head -c 300 "$B/ok_counter.bpf.o" >"$T/trunc.o"
run "${vg[@]}" "$BPFGATE" verify "$T/trunc.o" "$T/missing.o"
[ $rc -ne 99 ] || fail "valgrind errors on bad input: $err"
for t in "$O"/tests/unit/test_*; do
	[ -x "$t" ] && [ "${t%.d}" = "$t" ] || continue
	# test_core_btf loads every program twice with the whole kernel BTF: minutes
	# under valgrind, and all in libbpf; core_btf.c ran under valgrind above.
	[ "$(basename "$t")" = test_core_btf ] && continue
	CK_FORK=no "${vg[@]}" "$t" >"$T/u.log" 2>&1
	rc=$?
	[ $rc -ne 99 ] || { cat "$T/u.log"; fail "valgrind errors in $(basename "$t")"; }
	[ $rc -eq 0 ] || { cat "$T/u.log"; fail "$(basename "$t") failed under valgrind"; }
done
echo "valgrind clean"
