#!/usr/bin/env bash
# make help names every target a user can run and every variable a user can set:
# the .PHONY targets and the `?=` variables of the Makefile and the makefiles it
# includes, read from those files (a new one that help misses fails here).
. "$(dirname "$0")/../lib.sh"

run make -s help
expect_eq "$rc" 0 "make help ($err)"
help=$out
# the Makefile and what it includes (its include lines' files and globs)
mks=(Makefile compiler/bpf.mk tests/tests.mk $(ls verifier-harness/*/*.mk ci/*.mk tests/skeleton/*.mk 2>/dev/null))

targets=$(sed -n 's/^\.PHONY: *//p' "${mks[@]}" | tr ' ' '\n' | grep . | sort -u)
[ "$(echo "$targets" | wc -l)" -ge 20 ] || fail "too few .PHONY targets found: $targets"
vars=$(sed -n 's/^\([A-Z_][A-Z0-9_]*\) *?=.*/\1/p' "${mks[@]}" | sort -u)
[ "$(echo "$vars" | wc -l)" -ge 15 ] || fail "too few ?= variables found: $vars"
# Variables read with $(if $(X)) or $(origin X) and no default
vars+=$'\n'"V CLANG T EXTRA_CFLAGS LDFLAGS BPF_CFLAGS BPF_INCLUDES BPF_EXCLUDE VMLINUX_BTF"

missing=
for t in $targets; do
	grep -qE "^  ($t( |$)|.*  $t( |$))" <<<"$help" || missing+=" target:$t"
done
for v in $vars; do
	grep -qE "(^| )$v(=|[ ,:])" <<<"$help" || missing+=" variable:$v"
done
[ -z "$missing" ] || fail "make help does not list:$missing"

# Every target help names exists: make -n accepts it.
for t in $(sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' <<<"$help"); do
	grep -qx "$t" <<<"$targets" || fail "make help lists '$t', which is not a .PHONY target"
done
echo "make help: $(echo $targets | wc -w) targets, $(echo $vars | wc -w) variables"
