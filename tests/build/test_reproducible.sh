#!/usr/bin/env bash
# Two clean builds from two different folders give byte-identical objects and skeletons.
. "$(dirname "$0")/../lib.sh"

for d in a b; do
	mkdir -p "$T/$d"
	git ls-files -z compiler programs Makefile tests/tests.mk | xargs -0 tar -cf - | tar -C "$T/$d" -xf -
	# a different folder depth too, so an absolute path would show
	[ $d = b ] && { mkdir -p "$T/deeper/x"; mv "$T/b" "$T/deeper/x/b"; }
done
env -u O -u MAKEFLAGS make -C "$T/a" -s bpf-objs bpf-skels >"$T/a.log" 2>&1 || { cat "$T/a.log"; fail "build a"; }
env -u O -u MAKEFLAGS make -C "$T/deeper/x/b" -s bpf-objs bpf-skels >"$T/b.log" 2>&1 || { cat "$T/b.log"; fail "build b"; }
n=0
for f in "$T"/a/build/programs/*.bpf.o "$T"/a/build/programs/*.skel.h; do
	g=$T/deeper/x/b/build/programs/$(basename "$f")
	cmp -s "$f" "$g" || fail "$(basename "$f") differs between two clean builds"
	grep -q "$T" "$f" && fail "$(basename "$f") contains the build path $T"
	n=$((n + 1))
done
[ $n -ge 2 ] || fail "no objects were built"
echo "$n files identical"
