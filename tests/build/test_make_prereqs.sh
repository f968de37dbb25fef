#!/usr/bin/env bash
# On a clean output folder, `make verify KERNELS=...` (and so `make matrix`) builds every
# test it passes to `bpfgate verify --test` before running it: each --test file is the
# target of a command that comes earlier in `make -n` (a prerequisite computed from a
# variable defined later in the makefiles was empty when the rule was read).
. "$(dirname "$0")/../lib.sh"

run make -n O="$T/o" verify-host KERNELS="5.10"
expect_eq "$rc" 0 "make -n verify-host ($err)"
printf '%s\n' "$out" >"$T/plan"
vline=$(grep -n 'bpfgate verify' "$T/plan" | head -1 | cut -d: -f1)
[ -n "$vline" ] || fail "no bpfgate verify in the plan"
tests=$(sed -n "$vline,\$p" "$T/plan" | grep -oE -- "--test [^ ]+" | awk '{print $2}')
[ "$(echo "$tests" | grep -c .)" -ge 5 ] || fail "fewer than 5 tests passed: $tests"
for t in $tests; do
	b=$(grep -n -- "-o $t\( \|$\)" "$T/plan" | head -1 | cut -d: -f1)
	[ -n "$b" ] && [ "$b" -lt "$vline" ] || fail "make verify KERNELS= runs $t without building it first"
done
echo "$(echo "$tests" | wc -l) tests are built before they run"
