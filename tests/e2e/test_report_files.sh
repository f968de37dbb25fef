#!/usr/bin/env bash
# Report files are written like a careful Unix tool writes them: a regular file is
# replaced atomically (keeping its mode), a symbolic link is followed, a FIFO or a
# device is written through; a full disk or a closed stdout is one line and exit 2,
# with no temp file left. Names from objects cannot reach a terminal unescaped.
# Every special file is made inside the test's folder: the system's own /dev
# entries are never a target (an old bpfgate would replace them).
. "$(dirname "$0")/../lib.sh"

P=$O/tests/programs
OK=$P/ok_counter.bpf.o
BAD=$P/bug_oob.bpf.o
[ -f "$OK" ] && [ -f "$BAD" ] || fail "test programs not built ($P)"
[ "$(id -u)" = 0 ] || skip "needs root to load programs and make device nodes"
D=$T/out
mkdir "$D"

# no file but the ones named: no temp file, nothing hidden
expect_only() {
	local got
	got=$(cd "$D" && ls -A | sort | tr '\n' ' ')
	expect_eq "$got" "$1" "files in the output folder"
}
# well-formed JUnit: python3's XML parser reads it
junit_ok() {
	python3 -c '
import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
assert r.tag == "testsuites"
assert r.find("testsuite/testcase") is not None' "$1" ||
		fail "$1 is not well-formed JUnit: $(head -c 400 "$1")"
}

# a regular file is replaced whole and keeps its mode
echo old >"$D/report.xml"
chmod 0604 "$D/report.xml"
run "$BPFGATE" verify --junit "$D/report.xml" "$OK"
expect_eq "$rc" 0 "verify with --junit: $err"
junit_ok "$D/report.xml"
expect_eq "$(stat -c %a "$D/report.xml")" 604 "mode of the replaced report"
expect_only "report.xml "

# a symbolic link is followed: the link stays, its target gets the report
ln -s report.xml "$D/link.xml"
echo old >"$D/report.xml"
run "$BPFGATE" verify --junit "$D/link.xml" --markdown "$D/link.xml" "$OK"
expect_eq "$rc" 0 "verify through a link: $err"
[ -L "$D/link.xml" ] || fail "the link was replaced by a regular file"
expect_contains "$(cat "$D/report.xml")" "### bpfgate verify" "the link's target holds the report"
expect_only "link.xml report.xml "
rm "$D/link.xml" "$D/report.xml"

# a FIFO is written through and stays a FIFO
mkfifo "$D/fifo"
cat "$D/fifo" >"$T/from_fifo" &
reader=$!
run timeout 60 "$BPFGATE" verify --junit "$D/fifo" "$OK"
wait $reader
expect_eq "$rc" 0 "verify into a FIFO: $err"
[ -p "$D/fifo" ] || fail "the FIFO was replaced"
junit_ok "$T/from_fifo"
# a device (a null device, as /dev/null) stays a device
mknod "$D/null" c 1 3
run "$BPFGATE" verify --junit "$D/null" --markdown "$D/null" "$OK"
expect_eq "$rc" 0 "verify into a null device: $err"
[ -c "$D/null" ] || fail "the device was replaced"
# /dev/stdout's kind of link (to /proc/self/fd/1): the report goes to stdout
ln -s /proc/self/fd/1 "$D/stdout"
run "$BPFGATE" verify --junit "$D/stdout" "$OK"
expect_eq "$rc" 0 "verify into stdout: $err"
expect_contains "$out" '<testsuites name="bpfgate"' "the report on stdout"
[ -L "$D/stdout" ] || fail "the stdout link was replaced"
# the file stdout was redirected to: written in turn with stdout, not replaced
"$BPFGATE" verify --junit "$D/both.txt" "$OK" >"$D/both.txt" 2>"$T/err"
expect_eq "$?" 0 "--junit to the file stdout goes to: $(cat "$T/err")"
expect_contains "$(cat "$D/both.txt")" '<testsuites name="bpfgate"' "the report in the file"
expect_contains "$(cat "$D/both.txt")" "1 program: 1 pass" "stdout's text in the file too"
rm "$D/both.txt"
expect_only "fifo null stdout "
rm "$D/fifo" "$D/null" "$D/stdout"

# a full disk: one line naming the file and the cause, exit 2, nothing left
mknod "$D/full" c 1 7
for opt in --junit --markdown; do
	run "$BPFGATE" verify $opt "$D/full" "$OK"
	expect_eq "$rc" 2 "$opt to a full device"
	expect_eq "$(echo "$err" | wc -l)" 1 "one line for $opt: $err"
	expect_contains "$err" "bpfgate: $D/full: cannot write" "names the file"
	expect_contains "$err" "No space left on device" "says why"
done
run env GITHUB_STEP_SUMMARY="$D/full" "$BPFGATE" verify "$OK"
expect_eq "$rc" 2 "appending to a full GITHUB_STEP_SUMMARY"
expect_eq "$err" \
	"bpfgate: $D/full: cannot append to \$GITHUB_STEP_SUMMARY: No space left on device" \
	"the append error"
[ -c "$D/full" ] || fail "the full device was replaced"
expect_only "full "
# a folder that does not exist
run "$BPFGATE" verify --junit "$D/no/such/dir/r.xml" "$OK"
expect_eq "$rc" 2 "a missing folder"
expect_eq "$err" \
	"bpfgate: $D/no/such/dir/r.xml: cannot write the JUnit report: No such file or directory" \
	"the missing folder error"

# stdout full or closed: one line, exit 2 (not a silent exit 2)
"$BPFGATE" verify --json "$OK" >"$D/full" 2>"$T/err"
expect_eq "$?" 2 "--json to a full stdout"
expect_eq "$(cat "$T/err")" \
	"bpfgate: stdout: cannot write the JSON results: No space left on device" \
	"--json to a full stdout"
"$BPFGATE" verify "$OK" >"$D/full" 2>"$T/err"
expect_eq "$?" 2 "the table to a full stdout"
expect_contains "$(cat "$T/err")" "bpfgate: stdout: cannot write the results: No space left" "table"
"$BPFGATE" verify --json --junit "$D/r.xml" "$OK" >&- 2>"$T/err"
expect_eq "$?" 2 "--json to a closed stdout"
expect_eq "$(cat "$T/err")" "bpfgate: stdout: cannot write the JSON results: Bad file descriptor" \
	"--json to a closed stdout"
junit_ok "$D/r.xml" # and nothing else landed on descriptor 1
rm "$D/full" "$D/r.xml"

# GITHUB_STEP_SUMMARY is appended to, never replaced
echo "earlier step" >"$D/summary.md"
run env GITHUB_STEP_SUMMARY="$D/summary.md" "$BPFGATE" verify "$OK"
expect_eq "$rc" 0 "step summary: $err"
expect_eq "$(head -1 "$D/summary.md")" "earlier step" "the earlier summary is kept"
expect_contains "$(cat "$D/summary.md")" "### bpfgate verify" "this run's summary appended"
rm "$D/summary.md"

# names with escape sequences: an object file named with ESC and BEL
E=$'\e[31mred\e]0;title\a'
cp "$BAD" "$D/$E.bpf.o"
cp "$OK" "$D/$E-ok.bpf.o"
run "$BPFGATE" verify -v --junit "$T/e.xml" --markdown "$T/e.md" "$D/$E.bpf.o" "$D/$E-ok.bpf.o"
expect_eq "$rc" 1 "a rejected program: $err"
expect_contains "$out" "?[31mred?]0;title?.bpf.o" "the name shown escaped"
expect_contains "$err" "-- BEGIN PROG LOAD LOG --" "the -v log is printed"
case $out$err in *$'\e'*|*$'\a'*) fail "an escape sequence reached the terminal: $out$err" ;; esac
case $(cat "$T/e.md") in *$'\e'*|*$'\a'*) fail "an escape sequence in the Markdown" ;; esac
case $(cat "$T/e.xml") in *$'\e'*|*$'\a'*) fail "a control character in the XML" ;; esac
junit_ok "$T/e.xml"
# a diagnostic naming such a file is escaped too
printf 'junk' >"$D/$E.o"
run "$BPFGATE" verify "$D/$E.o"
expect_eq "$rc" 2 "a bad object with an escape in its name"
expect_eq "$(echo "$err" | wc -l)" 1 "one line: $err"
case $err in *$'\e'*|*$'\a'*) fail "an escape sequence in a diagnostic: $err" ;; esac
# JSON keeps the exact name (JSON-escaped)
run "$BPFGATE" verify --json "$D/$E-ok.bpf.o"
expect_contains "$out" '\u001b[31mred\u001b]0;title\u0007-ok.bpf.o' "the exact name in JSON"
echo "report files and terminal output are safe"
