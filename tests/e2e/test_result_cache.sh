#!/usr/bin/env bash
# The result cache: an unchanged object is not loaded again (its results come from
# the cache, identical, and the run says how many); a changed object, another
# option or --no-cache verifies again; a corrupt or planted entry is ignored and
# written again, and nothing is read or written outside the cache's folder.
. "$(dirname "$0")/../lib.sh"

B=$O/tests/programs
C=$BPFGATE_RESULT_CACHE
[ "$(id -u)" = 0 ] || skip "loading BPF programs needs root"
objs=("$B/ok_counter.bpf.o" "$B/bug_oob.bpf.o" "$B/guessed_type.bpf.o")
for f in "${objs[@]}"; do [ -f "$f" ] || fail "missing $f (make run-tests builds it)"; done
cp "$B/ok_counter.bpf.o" "$T/mine.bpf.o"
objs+=("$T/mine.bpf.o")
# py CODE [ARG...]: d is the JSON document in ARG 1 (a file), or on stdin
py() {
	python3 -c "import json, sys
d = json.load(open(sys.argv[1]) if sys.argv[1:] else sys.stdin)
$1" "${@:2}"
}
results() { py 'print(json.dumps(d["results"], sort_keys=True))' "$1"; }

run "$BPFGATE" verify --json "${objs[@]}"
[ "$rc" = 1 ] || fail "first run: exit $rc, expected 1 (a rejected program): $err"
printf '%s' "$out" >"$T/first.json"
case $out$err in *"from cache"*) fail "an empty cache served results: $err" ;; esac
n=$(py 'print(len(d["results"]))' "$T/first.json")
[ "$n" -ge 4 ] || fail "expected at least 4 results, got $n"
entries=$(find "$C" -mindepth 2 -name '*.json' -type f | wc -l)
# the object with a rejected program is kept too (a failure is a verdict)
expect_eq "$entries" 4 "one entry per object"

# second run: everything from the cache, the same results, quickly
t0=$(date +%s%N)
run "$BPFGATE" verify --json "${objs[@]}"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "$rc" 1 "second run's exit status"
case $err in *"from cache"*) fail "a JSON run said it on stderr without -v: $err" ;; esac
printf '%s' "$out" >"$T/second.json"
expect_eq "$(results "$T/second.json")" "$(results "$T/first.json")" "cached results"
# nothing loaded: well under the first run's cost even on a loaded machine
[ "$ms" -lt 3000 ] || fail "a run from the cache took $ms ms"
echo "second run from the cache in $ms ms"

# the host's feature probe (in the JSON's kernels) is kept too, and the same
probe() { py 'print(json.dumps([k.get("probe") for k in d["kernels"]], sort_keys=True))' "$1"; }
ls "$C"/probe-*.json >/dev/null 2>&1 || fail "no probe kept in $C"
expect_eq "$(probe "$T/second.json")" "$(probe "$T/first.json")" "kept probe"
case $(probe "$T/first.json") in *'"prog_types"'*|*'{'*) ;; *) fail "no probe in the JSON" ;; esac
p=$(ls "$C"/probe-*.json)
printf '{"cut' >"$p"
run "$BPFGATE" verify --json "${objs[@]}"
printf '%s' "$out" >"$T/third.json"
expect_eq "$(probe "$T/third.json")" "$(probe "$T/first.json")" "probe after a corrupt one"
py 'pass' "$p" || fail "the corrupt probe was not written again"

# the text output says it (stdout, with the results); a JSON run with -v on stderr
run "$BPFGATE" verify "${objs[@]}"
expect_contains "$out" "$n of $n results from cache" "text run"
run "$BPFGATE" verify --json -v "${objs[@]}"
expect_contains "$err" "$n of $n results from cache" "JSON run with -v"

# bpfgate is named by its bytes: a copy (another file, as a CI build is) finds
# the results; a changed executable does not
cp "$BPFGATE" "$T/bpfgate-copy"
run "$T/bpfgate-copy" verify "${objs[@]}"
expect_contains "$out" "$n of $n results from cache" "a copy of the same executable"
cp "$BPFGATE" "$T/bpfgate-changed" && printf 'x' >>"$T/bpfgate-changed"
run "$T/bpfgate-changed" verify "${objs[@]}"
case $out in *"from cache"*) fail "another executable took the results: $out" ;; esac

# a changed object is verified again; the others still come from the cache
mine_n=$(py 'print(sum(r["object"].endswith("mine.bpf.o") for r in d["results"]))' \
	"$T/first.json")
cp "$B/bug_oob.bpf.o" "$T/mine.bpf.o"
run "$BPFGATE" verify --json -v "${objs[@]}"
new_n=$(printf '%s' "$out" | py 'print(len(d["results"]))')
rej=$(printf '%s' "$out" | py 'print(sum(r["object"].endswith("mine.bpf.o") and
	r["verdict"] == "fail" for r in d["results"]))')
[ "$rej" -ge 1 ] || fail "the changed object's results are the old ones: $out"
expect_contains "$err" "$(( n - mine_n )) of $new_n results from cache" "only the unchanged objects"

# other options that change a verdict are other entries
run "$BPFGATE" verify --prog '*' "${objs[@]}"
case $out in *"from cache"*) fail "--prog served results of a run without it: $out" ;; esac

# --no-cache loads everything (and keeps what it found)
run "$BPFGATE" verify --no-cache "${objs[@]}"
case $out in *"from cache"*) fail "--no-cache took results from the cache: $out" ;; esac
expect_eq "$rc" 1 "--no-cache exit status"

# a corrupt entry is ignored and written again
rm -rf "$C"
"$BPFGATE" verify --json "${objs[@]}" >/dev/null 2>&1
expect_eq "$(grep -l 'ok_counter' -r "$C" --include='*.json' | wc -l)" 1 "entries of ok_counter"
e=$(grep -l 'ok_counter' -r "$C" --include='*.json' | head -1)
[ -n "$e" ] || fail "no entry for ok_counter"
head -c 40 "$e" >"$T/cut" && cat "$T/cut" >"$e"
run "$BPFGATE" verify "${objs[@]}"
case $out in *"$new_n of $new_n results from cache"*) fail "a corrupt entry was used: $out" ;; esac
expect_contains "$out" "results from cache" "the other entries still used"
grep -q '"results"' "$e" || fail "the corrupt entry was not written again"
run "$BPFGATE" verify "${objs[@]}"
expect_contains "$out" "$new_n of $new_n results from cache" "rewritten entry used"

# an entry that is a symbolic link is not followed: replaced, the target untouched
cp "$e" "$T/outside.json"
sum0=$(sha256sum <"$T/outside.json")
rm "$e" && ln -s "$T/outside.json" "$e"
run "$BPFGATE" verify "${objs[@]}"
case $out in
*"$new_n of $new_n results from cache"*) fail "a symbolic link entry was read: $out" ;;
esac
[ -f "$e" ] && [ ! -L "$e" ] || fail "the link entry was not replaced by a file"
expect_eq "$(sha256sum <"$T/outside.json")" "$sum0" "the link's target"

# no temp file left behind
left=$(find "$C" -name '.*' -type f | wc -l)
expect_eq "$left" 0 "temp files in the cache"
# a first run of a new user (no ~/.cache yet) makes the cache folders and fills them
mkdir -p "$T/newhome"
run env -u BPFGATE_RESULT_CACHE -u BPFGATE_CACHE -u XDG_CACHE_HOME HOME="$T/newhome" \
	"$BPFGATE" verify "${objs[@]}"
[ "$rc" -le 1 ] || fail "a first run in a new home: exit $rc ($err)"
run env -u BPFGATE_RESULT_CACHE -u BPFGATE_CACHE -u XDG_CACHE_HOME HOME="$T/newhome" \
	"$BPFGATE" verify "${objs[@]}"
expect_contains "$out" "results from cache ($T/newhome/.cache/bpfgate/results;" \
	"the second run of a new user"
expect_eq "$(stat -c %a "$T/newhome/.cache/bpfgate/results")" 700 "the results folder is private"
echo "result cache: hits, changed object, options, --no-cache, corrupt and planted entries, new user"
