#!/usr/bin/env bash
# Progress of host verification: on a terminal one line rewritten in place
# (done/total, the object, the time) and erased before the results; off a
# terminal nothing unless --progress always (plain lines); never on stdout.
. "$(dirname "$0")/../lib.sh"

B=$O/tests/programs
[ "$(id -u)" = 0 ] || skip "loading BPF programs needs root"
command -v script >/dev/null || skip "script (util-linux) not installed"
# enough programs to last well over half a second (the first line comes after it),
# each loaded, on a quiet machine too
objs=()
for i in $(seq 64); do objs+=("$B"/*.bpf.o); done
n=$("$BPFGATE" verify --json --jobs 1 "$B"/*.bpf.o 2>/dev/null |
	python3 -c 'import json,sys; print(len(json.load(sys.stdin)["results"]))')
total=$((n * 64))

# off a terminal: nothing by default
run "$BPFGATE" verify --no-cache --jobs 1 "${objs[@]}"
case $err in *"verify: "*) fail "progress off a terminal without --progress: $err" ;; esac

# --progress always: plain lines on stderr, none in the JSON on stdout
run "$BPFGATE" verify --no-cache --jobs 1 --json --progress always "${objs[@]}"
expect_contains "$err" "verify: " "plain progress line"
expect_contains "$err" "/$total programs, " "done/total"
case $err in *$'\r'*|*$'\033'*) fail "terminal controls off a terminal: $err" ;; esac
printf '%s' "$out" | python3 -c 'import json,sys; json.load(sys.stdin)' || fail "stdout is not JSON"
case $out in *"verify: "*) fail "progress on stdout" ;; esac

# a terminal: the line is rewritten in place and erased at the end
printf -v cmd '%q ' "$BPFGATE" verify --no-cache --jobs 1 --json "${objs[@]}"
# (script records what the terminal showed: stderr, stdout goes to a file)
script -qfec "$cmd >$T/tty.out" "$T/tty.err" >/dev/null 2>&1 </dev/null
tty_err=$(cat "$T/tty.err")
expect_contains "$tty_err" $'\r\033[Kverify: ' "a rewritten line"
expect_contains "$tty_err" "/$total programs  " "done/total on the terminal"
expect_contains "$tty_err" ".bpf.o  " "the object"
# what the terminal shows last is the erased line
case ${tty_err%%Script done*} in *$'\r\033[K') ;; *$'\r\033[K'[[:space:]]) ;;
*) fail "the progress line was not erased at the end: ${tty_err: -120}" ;; esac
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/tty.out" ||
	fail "stdout (not a terminal) is not JSON"

# --progress never: nothing, even on a terminal
printf -v cmd '%q ' "$BPFGATE" verify --no-cache --jobs 1 --progress never "${objs[@]}"
script -qfec "$cmd >/dev/null" "$T/never.err" >/dev/null 2>&1 </dev/null
case $(cat "$T/never.err") in
*"verify: "*) fail "--progress never printed: $(cat "$T/never.err")" ;;
esac
echo "progress: terminal line, plain lines when asked, nothing in the JSON"
