#!/usr/bin/env bash
# Quiet lines by default, commands with V=1, O= moves all output, make help,
# install with PREFIX/DESTDIR, clean, and a no-op make that does nothing.
. "$(dirname "$0")/../lib.sh"

run make O="$T/o" all
[ $rc -eq 0 ] || fail "make all: $err"
echo "$out" | grep -qE '^  BPF +.*programs/[a-z0-9_]+\.bpf\.o$' || fail "no kbuild-style BPF line: $out"
[ -x "$T/o/bpfgate" ] || fail "O= did not receive bpfgate"
[ ! -e build/.o-test-marker ] || fail "unexpected"

run make O="$T/o" all
case $out in *CLANG*|*"  BPF "*|*"  CC "*|*LINK*) fail "no-op make rebuilt: $out" ;; esac

run make O="$T/v" V=1 bpf-objs
expect_contains "$out" "-target bpf" "V=1 shows the clang command"

run make help
expect_contains "$out" "verify" "help lists verify"
expect_contains "$out" "PROGRAMS_DIR" "help lists PROGRAMS_DIR"

run make O="$T/o" install PREFIX=/opt/bg DESTDIR="$T/root"
[ $rc -eq 0 ] || fail "install: $err"
for f in bin/bpfgate share/bpfgate/compiler/bpf.mk share/bpfgate/compiler/vmlinux.h \
	share/bpfgate/compiler/bpfgate.h share/man/man8/bpfgate.8 share/man/man8/bpfgate-verify.8; do
	[ -e "$T/root/opt/bg/$f" ] || fail "install: $f missing"
done

# an installed bpf.mk builds another project's programs
mkdir -p "$T/proj/programs"
cp tests/build/thirdparty/minimal.bpf.c "$T/proj/programs/"
printf 'include %s\nall: bpf-objs bpf-skels\n' "$T/root/opt/bg/share/bpfgate/compiler/bpf.mk" >"$T/proj/Makefile"
run env -u O -u MAKEFLAGS make -C "$T/proj"
[ $rc -eq 0 ] || fail "installed bpf.mk: $err"
[ -s "$T/proj/build/programs/minimal.skel.h" ] || fail "installed bpf.mk built no skeleton"

run make O="$T/o" clean
[ ! -e "$T/o" ] || fail "clean left $T/o"
echo "make conventions hold"
