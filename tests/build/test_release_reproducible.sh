#!/usr/bin/env bash
# Two releases of one commit, built in two folders (different depths and names above
# the project, another HOME and umask, as another user would have), are byte-identical
# archives; a dirty tree is refused unless ALLOW_DIRTY=1, which the manifest records;
# and objects built from a PROGRAMS_DIR outside the repository do not depend on where
# it is.
#
# Trade-off, to keep this near a minute and a half on a busy machine: each clone
# builds three of the programs (exec, l7 and policy: BPF_EXCLUDE) with make, then releases
# them with compiler/release.sh for the host kernel only, without the functional tests,
# with the bpfgate already built (`make release` itself, its tests and its refusals are
# test_release.sh's). Everything the archive holds is still built and verified from
# scratch in each clone: objects, skeletons, light skeletons, core-check, the matrix on
# the host, minimal BTF, report and manifest.
#
# The objects are built with the default compiler (the newest clang installed, 19
# with make deps); the second clone's path is over 100 characters, the first's about
# 30: clang 19 was once seen to order a few BTF types by that length (bpf.mk's
# PWD=/proc/self/cwd is what keeps it from doing so).
. "$(dirname "$0")/../lib.sh"


# The two "clones": the work tree's files (committed or not) committed once with fixed
# names and dates, so both are the same commit.
clone() {
	mkdir -p "$1"
	git ls-files -z -c -o --exclude-standard | while IFS= read -r -d '' f; do
		[ -f "$f" ] && printf '%s\0' "$f"
	done | xargs -0 tar -cf - | tar -C "$1" -xf -
	(cd "$1" && git init -q && git add -A &&
		GIT_AUTHOR_NAME=r GIT_AUTHOR_EMAIL=r@example.org GIT_COMMITTER_NAME=r \
		GIT_COMMITTER_EMAIL=r@example.org GIT_AUTHOR_DATE='2026-01-02T03:04:05Z' \
		GIT_COMMITTER_DATE='2026-01-02T03:04:05Z' git commit -q -m release) ||
		fail "cannot make the clone $1"
}
long=two/a-folder-whose-name-makes-this-path-longer-than-one-hundred-characters
clone "$T/one/bpfgate"
clone "$T/$long/bpfgate"
expect_eq "$(git -C "$T/one/bpfgate" rev-parse HEAD)" \
	"$(git -C "$T/$long/bpfgate" rev-parse HEAD)" \
	"the two clones' commit"

rel() { # rel DIR [VAR=VALUE...]: build and release DIR's exec and policy
	local dir=$1
	shift
	(cd "$dir" && env -u MAKEFLAGS -u O make -s PROGRAMS_DIR=programs BPFGATE="$BPFGATE" \
		BPF_EXCLUDE="flow svcmap" bpf-objs bpf-skels &&
		env RELEASE_KERNELS=host "$@" compiler/release.sh build/release "$BPFGATE" \
			build/programs/*.bpf.o)
}
# both at once (two cores), as two users would
rel "$T/one/bpfgate" >"$T/one.log" 2>&1 &
one=$!
(umask 077 && HOME=$T/home2 rel "$T/$long/bpfgate") >"$T/two.log" 2>&1 ||
	{ cat "$T/two.log"; fail "release two"; }
wait $one || { cat "$T/one.log"; fail "release one"; }
a=$(find "$T/one/bpfgate/build/release" -name '*.tar.gz')
b=$(find "$T/$long/bpfgate/build/release" -name '*.tar.gz')
[ -n "$a" ] && [ -n "$b" ] || fail "no archive: $a $b"
expect_eq "$(basename "$b")" "$(basename "$a")" "archive name"
if ! cmp -s "$a" "$b"; then
	mkdir "$T/ua" "$T/ub"
	tar -C "$T/ua" -xzf "$a" && tar -C "$T/ub" -xzf "$b"
	diff -r "$T/ua" "$T/ub" | grep -v '^[<>] .*  include/' | head -n 20
	fail "the two archives differ"
fi
zcat "$a" | grep -a -q -e "$T" -e "$HOME" && fail "the archive holds a build path"
summary="$(basename "$a"): $(stat -c %s "$a") bytes, identical from two folders"

# A dirty tree is refused, with one line; ALLOW_DIRTY=1 releases it and says so.
# (an untracked file: nothing to rebuild, and the matrix is reused)
echo "notes" >"$T/one/bpfgate/NOTES"
rel "$T/one/bpfgate" >"$T/dirty.log" 2>&1
expect_eq "$?" 1 "release of a dirty tree"
expect_contains "$(cat "$T/dirty.log")" "uncommitted changes (NOTES)" "the refusal"
expect_eq "$(grep -c '^bpfgate: ' "$T/dirty.log")" 1 "one line"
cmp -s "$a" "$(find "$T/one/bpfgate/build/release" -name '*.tar.gz')" ||
	fail "the refused release replaced the last one"
rel "$T/one/bpfgate" ALLOW_DIRTY=1 >"$T/dirty.log" 2>&1 ||
	{ cat "$T/dirty.log"; fail "ALLOW_DIRTY=1"; }
m=$(find "$T/one/bpfgate/build/release" -name MANIFEST.json)
expect_eq "$(jq -c '[.source.dirty, .source.allow_dirty]' "$m")" '[true,true]' \
	"manifest of a dirty tree"
case $m in *-dirty/MANIFEST.json) ;; *) fail "the version of a dirty tree says so: $m" ;; esac

expect_contains "$(cat "$T/dirty.log")" "matrix.json reused" "the dirty release reuses the matrix"

# PROGRAMS_DIR outside the repository, in two folders: the same objects (one program
# with its header is enough to show a path).
for d in "$T/p1/programs" "$T/p2/a/b/programs"; do
	mkdir -p "$d"
	cp programs/exec.bpf.c programs/exec.h "$d/"
	env -u MAKEFLAGS make -s -C "$T/one/bpfgate" O="$d/../out" PROGRAMS_DIR="$d" \
		BPFGATE="$BPFGATE" bpf-objs >"$T/p.log" 2>&1 || { cat "$T/p.log"; fail "build $d"; }
done
for f in "$T"/p1/out/programs/*.bpf.o; do
	cmp -s "$f" "$T/p2/a/b/out/programs/$(basename "$f")" ||
		fail "$(basename "$f") differs when PROGRAMS_DIR moves"
	grep -q "$T" "$f" && fail "$(basename "$f") holds its source folder"
done
echo "$summary"
