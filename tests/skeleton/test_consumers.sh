#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Every program's skeleton consumers (tests/skeleton/consumer.c, built by `make check` with
# -Wall -Wextra -Werror: regular skeleton as C and C++, light skeleton as C) open, load,
# attach and trigger their program on the host and see their knob's effect; without the
# knob (SKEL_NO_KNOB=1) the same check fails. The light skeleton as C++ is recorded: it
# does not compile (bpftool's generated code converts void * implicitly), or it runs.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (loads the programs)"
B=$O/skeleton/bin
progs=$(ls tests/skeleton/case_*.h | sed 's|.*/case_\(.*\)\.h|\1|')
[ -n "$progs" ] || fail "no cases in tests/skeleton"

passed=0
for p in $progs; do
	for v in skel-c skel-cxx lskel-c; do
		[ -x "$B/$p-$v" ] || fail "$B/$p-$v was not built (make skel-consumers)"
		run timeout 120 "$B/$p-$v"
		echo "$p-$v: exit $rc: $(tail -n1 <<<"$out")"
		case $rc in
		0) expect_eq "$(tail -n1 <<<"$out")" "$p ${v%-*}: ok" "$p-$v's last line"
		   passed=$((passed + 1)) ;;
		# the regular skeleton must load everywhere; a light one may need a newer kernel
		77) [ "${v%-*}" = lskel ] && [ -n "$out" ] ||
			fail "$p-$v skipped: $out $err" ;;
		*) fail "$p-$v: exit $rc: $out $err" ;;
		esac
	done
	# a case that sets a knob checks its effect: without it the check fails
	if grep -q 'rodata->' "tests/skeleton/case_$p.h"; then
		SKEL_NO_KNOB=1 run timeout 120 "$B/$p-skel-c"
		expect_eq "$rc" 1 "$p-skel-c without its knob (stdout: $out)"
		echo "$p-skel-c without its knob: $(tail -n1 <<<"$out")"
	fi
done
echo "$passed consumers passed"

# The light skeleton as C++: what g++ says about bpftool's generated code.
p=policy
if g++ -x c++ -std=gnu++17 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-I"$O/skeleton/consumer/$p-lskel" -Iprograms -I"$O/programs" -I"$O/skeleton" \
	-Itests/skeleton/layout -Itests/skeleton -Itests/functional \
	-c tests/skeleton/consumer.c -o "$T/lskel-cxx.o" 2>"$T/cxx.err"; then
	g++ "$T/lskel-cxx.o" "$O"/skeleton/lib/*.o -o "$T/lskel-cxx" -lbpf -lelf -lz ||
		fail "light skeleton as C++: link"
	run timeout 120 "$T/lskel-cxx"
	[ "$rc" = 0 ] || [ "$rc" = 77 ] || fail "light skeleton as C++: exit $rc: $out"
	echo "light skeleton as C++: compiles and runs (exit $rc)"
else
	grep -q "invalid conversion from 'void\*'\|invalid conversion from ‘void\*’" "$T/cxx.err" ||
		fail "light skeleton as C++ fails for another reason: $(head -n5 "$T/cxx.err")"
	echo "light skeleton as C++: not supported, bpftool's code converts void * implicitly"
fi
