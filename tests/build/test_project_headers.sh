#!/usr/bin/env bash
# A project's own headers win over bpfgate's, and a program can have flags of its
# own: through make variables (BPF_INCLUDES, BPF_CFLAGS_NAME, BPF_EXCLUDE) and
# through the project's bpfgate.conf ([build] includes, [program] cflags/exclude).
# The fixture is tests/build/ownproject (its README says what each program needs).
. "$(dirname "$0")/../lib.sh"

P=tests/build/ownproject
built() { # OUT NAMES...: exactly these objects were built
	local o=$1 got
	shift
	got=$(cd "$o/programs" && ls -- *.bpf.o | sed 's/\.bpf\.o$//' | sort | tr '\n' ' ')
	expect_eq "$got" "$(printf '%s\n' "$@" | sort | tr '\n' ' ')" "objects built in $o"
}

# make variables only (no config): the project's include folder comes before bpfgate's
run make PROGRAMS_DIR=$P/src BPF_CONFIG= BPF_INCLUDES=-I$P/include \
	BPF_CFLAGS_flagged=-DFLAGGED=1 BPF_CFLAGS_split=-DFLAGGED=1 BPF_EXCLUDE=broken \
	O="$T/vars" bpf-objs
[ $rc -eq 0 ] || fail "build with make variables: $err"
built "$T/vars" flagged own_vmlinux plain split
# the flag of a program is its own: without it, flagged (and only it) fails
run make PROGRAMS_DIR=$P/src BPF_CONFIG= BPF_INCLUDES=-I$P/include BPF_CFLAGS_split=-DFLAGGED=1 \
	BPF_EXCLUDE=broken O="$T/noflag" -k bpf-objs
[ $rc -ne 0 ] || fail "flagged.bpf.c built without its flag"
expect_contains "$err" "flagged.bpf.c" "the failing program is named"
expect_contains "$err" "the per-program flag -DFLAGGED=1 is missing" "the fixture's own #error"
built "$T/noflag" own_vmlinux plain split
# without the project's include folder, bpfgate's vmlinux.h is found (and refused)
run make PROGRAMS_DIR=$P/src BPF_CONFIG= BPF_EXCLUDE="broken flagged split" O="$T/noinc" bpf-objs
[ $rc -ne 0 ] || fail "own_vmlinux.bpf.c built with bpfgate's vmlinux.h"
expect_contains "$err" "bpfgate's own came first" "fixture's #error"

# the config alone, found above the programs folder (src/../bpfgate.conf)
run make PROGRAMS_DIR=$P/src BPFGATE="$BPFGATE" O="$T/conf" bpf-objs
[ $rc -eq 0 ] || fail "build with bpfgate.conf: $err"
built "$T/conf" flagged own_vmlinux plain split
expect_contains "$out" "CONFIG" "the config is read"
# ... or two folders above an absolute PROGRAMS_DIR (programs in src/bpf/)
mkdir -p "$T/deep/src"
cp -r $P/include $P/bpfgate.conf "$T/deep/"
cp -r $P/src "$T/deep/src/bpf"
sed -i 's|^programs = src$|programs = src/bpf|' "$T/deep/bpfgate.conf"
run make PROGRAMS_DIR="$T/deep/src/bpf" BPFGATE="$BPFGATE" O="$T/deepout" bpf-objs
[ $rc -eq 0 ] || fail "build with bpfgate.conf two folders up: $err"
built "$T/deepout" flagged own_vmlinux plain split
# ... or named by BPF_CONFIG, which also gives the programs folder
run make BPF_CONFIG=$P/bpfgate.conf BPFGATE="$BPFGATE" O="$T/named" bpf-objs
[ $rc -eq 0 ] || fail "build with BPF_CONFIG=: $err"
built "$T/named" flagged own_vmlinux plain split
# a changed config is read again (the generated variables follow the file)
cp -r $P "$T/proj"
run make BPF_CONFIG="$T/proj/bpfgate.conf" BPFGATE="$BPFGATE" O="$T/changed" bpf-objs
[ $rc -eq 0 ] || fail "build of the copy: $err"
sleep 1
sed -i 's/^cflags = -DFLAGGED=1$/cflags = -DOTHER=1/' "$T/proj/bpfgate.conf"
run make BPF_CONFIG="$T/proj/bpfgate.conf" BPFGATE="$BPFGATE" O="$T/changed" bpf-objs
[ $rc -ne 0 ] || fail "flagged built after its flag left the config"
expect_contains "$err" "the per-program flag -DFLAGGED=1 is missing" "new config read"
# a broken config stops the build at its line
printf '[build]\nincludes = /usr/include\n' >"$T/proj/bpfgate.conf"
run make BPF_CONFIG="$T/proj/bpfgate.conf" BPFGATE="$BPFGATE" O="$T/bad" bpf-objs
[ $rc -ne 0 ] || fail "a config with an absolute include path was accepted"
[ -z "$(ls -A "$T/bad/.config")" ] || fail "a half-written config.mk was left: $(ls "$T/bad/.config")"
expect_contains "$err" "bpfgate.conf:2: includes: '/usr/include' is absolute" "error at FILE:LINE"
echo "project headers first; per-program flags and exclusions from make and from bpfgate.conf"
