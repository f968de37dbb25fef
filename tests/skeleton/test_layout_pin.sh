#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The shared structs' layouts are pinned (tests/skeleton/layout/NAME.layout.h): a changed
# event struct without a regenerated pin fails the build on both sides, the BPF compiler's
# (make compares a fresh layout with the pin) and the consumer's (its static assertions).
. "$(dirname "$0")/../lib.sh"

cp -r programs "$T/same"
cp -r programs "$T/changed"
# a field added in the middle of exec_event: its size and later offsets move
sed -i 's|^\t__u32 flags;\t\t/\* EXEC_F_\* \*/|&\n\t__u32 added;|' "$T/changed/exec.h"
grep -q '__u32 added;' "$T/changed/exec.h" || fail "could not change exec.h"

# the BPF side: the consumer of the unchanged copy builds, the changed one's build stops
# at the layout check
bin=skeleton/bin/exec-skel-c
run make -f Makefile O="$T/o1" PROGRAMS_DIR="$T/same" "$T/o1/$bin"
expect_eq "$rc" 0 "the consumer of the unchanged exec.h (stderr: $err)"
run make -f Makefile O="$T/o2" PROGRAMS_DIR="$T/changed" "$T/o2/$bin"
echo "$err"
[ "$rc" -ne 0 ] || fail "the consumer of a changed exec.h was built"
expect_contains "$err" "the layout of its structs differs from tests/skeleton/layout/exec.layout.h" \
	"the reason"
expect_contains "$err" "+BPFGATE_LAYOUT_ASSERT(sizeof(struct exec_event) == 848," "the new size"
[ ! -e "$T/o2/skeleton/layout/exec.layout-ok" ] || fail "the layout check left its stamp behind"
[ ! -e "$T/o2/$bin" ] || fail "the consumer was built"

# the consumer's side: the pinned assertions against the changed header do not compile
for cc in "gcc -x c -std=gnu11" "g++ -x c++ -std=gnu++17"; do
	printf '#include <linux/types.h>\n#include "exec.h"\n#include "exec.layout.h"\n' >"$T/c.c"
	run $cc -Wall -Wextra -Werror -fsyntax-only -I"$T/same" -Itests/skeleton/layout "$T/c.c"
	expect_eq "$rc" 0 "$cc: the pin and the unchanged header ($err)"
	run $cc -Wall -Wextra -Werror -fsyntax-only -I"$T/changed" -Itests/skeleton/layout "$T/c.c"
	[ "$rc" -ne 0 ] || fail "$cc: the pin and the changed header compiled together"
	expect_contains "$err" "struct exec_event: size changed: regenerate with make skel-layout" \
		"$cc's error"
	echo "$cc: $(grep -m1 'size changed' <<<"$err")"
done
