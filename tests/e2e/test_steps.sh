#!/usr/bin/env bash
# bpfgate steps (what a matrix VM runs): each step's results framed on the channel as
# it ends, with its own status and timing line; each step's JSON the same as its own
# bpfgate verify process gives (steps of one process share nothing that changes a
# result, a later step included); --from skips the steps run before; exit status the
# worst of the steps'; the step in progress file gone after a clean run; bad
# arguments refused with one line and exit 2.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" = 0 ] || skip "loading BPF programs needs root"
P=$O/tests/programs
ok=$P/ok_counter.bpf.o bad=$P/bug_oob.bpf.o pol=$O/programs/policy.bpf.o
for f in "$ok" "$bad" "$pol"; do [ -f "$f" ] || fail "$f was not built"; done
mkdir -p "$T/s"

# the sections of a channel: one file per results section, and the frame lines
split_channel() { # CHANNEL OUTDIR
	python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
out, i, k = sys.argv[2], 0, 0
lines = []
while i < len(data):
    nl = data.index(b"\n", i)
    line = data[i:nl].decode()
    i = nl + 1
    if line.startswith("@@bpfgate begin results "):
        n = int(line.split()[3])
        k += 1
        open(f"{out}/{k}.json", "wb").write(data[i:i + n])
        assert data[i + n:i + n + 1] == b"\n", "no newline after the section"
        i += n + 1
        lines.append(f"begin {k}")
    elif line:
        lines.append(" ".join(line.split()[:4]) if "took" not in line else
                     " ".join(line.split()[:3]) + (" ok" if float(line.split()[4]) >= float(line.split()[3]) else " backwards"))
print("\n".join(lines))
PY
}

args=(--json --no-cache)
run "$BPFGATE" steps --channel 5 --scratch "$T/s" -- \
	3 "${args[@]}" "$pol" 3 "${args[@]}" "$bad" 4 "${args[@]}" --test /bin/true \
	3 "${args[@]}" "$pol" 5>"$T/chan"
expect_eq "$rc" 1 "exit status: the worst step's (a rejected program)"
[ ! -e "$T/s/at" ] || fail "the step in progress file is left after a clean run"
mkdir "$T/sec"
frames=$(split_channel "$T/chan" "$T/sec") || fail "the channel is not framed: $(head -c 300 "$T/chan")"
expect_eq "$frames" "@@bpfgate step 1 4
begin 1
@@bpfgate end results 0
@@bpfgate took 1 ok
@@bpfgate step 2 4
begin 2
@@bpfgate end results 1
@@bpfgate took 2 ok
@@bpfgate step 3 4
begin 3
@@bpfgate end results 0
@@bpfgate took 3 ok
@@bpfgate step 4 4
begin 4
@@bpfgate end results 0
@@bpfgate took 4 ok" "the frames"

# each step's JSON is the one its own process gives, the repeated step's too
"$BPFGATE" verify "${args[@]}" "$pol" >"$T/pol.json"
"$BPFGATE" verify "${args[@]}" "$bad" >"$T/bad.json"
"$BPFGATE" verify "${args[@]}" --test /bin/true >"$T/true.json"
for x in "1 pol" "2 bad" "3 true" "4 pol"; do
	set -- $x
	d=$(ci/json-same.sh "$T/sec/$1.json" "$T/$2.json") ||
		fail "step $1: not the results of its own bpfgate verify: $d"
done
python3 - "$T/sec/2.json" <<'PY' || fail "step 2: not the rejection: $(cat "$T/sec/2.json")"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
assert [x["verdict"] for x in r] == ["fail", "pass"], [x["verdict"] for x in r]
PY

# --from: the steps before it ran in an earlier process
run "$BPFGATE" steps --channel 5 --scratch "$T/s" --from 3 -- \
	3 "${args[@]}" "$pol" 3 "${args[@]}" "$bad" 4 "${args[@]}" --test /bin/true 5>"$T/chan2"
expect_eq "$rc" 0 "--from 3: exit status"
expect_eq "$(grep -a '^@@bpfgate step' "$T/chan2")" "@@bpfgate step 3 3" "--from 3: the steps run"

# bad arguments: one line, exit 2, nothing on the channel
for bad_args in "-- 3 --json $pol" "-- x --json" "-- 0" "--" "--from 0 -- 1 $pol"; do
	# shellcheck disable=SC2086
	run "$BPFGATE" steps --scratch "$T/s" $bad_args 5>"$T/chan3"
	expect_eq "$rc" 2 "steps $bad_args: exit status"
	expect_eq "$(echo "$err" | wc -l)" 1 "steps $bad_args: one line ($err)"
	[ ! -s "$T/chan3" ] || fail "steps $bad_args: wrote on the channel"
done
run "$BPFGATE" steps -- 1 "$pol"
expect_eq "$rc" 2 "no --scratch: exit status"
expect_contains "$err" "--scratch" "no --scratch: the error names it"
run "$BPFGATE" steps --channel 5 --scratch "$T/none/such" -- 1 "$pol" 5>"$T/chan4"
expect_eq "$rc" 2 "an unwritable scratch folder: exit status"
expect_contains "$err" "$T/none/such/at" "an unwritable scratch folder: the error names the file"
# a scratch file that is a link is not followed: what it names is left alone
mkdir "$T/s2"
echo keep >"$T/victim"
ln -s "$T/victim" "$T/s2/at"
run "$BPFGATE" steps --channel 5 --scratch "$T/s2" -- 1 "$pol" 5>"$T/chan5"
expect_eq "$rc" 2 "a link as the step in progress file: exit status"
expect_contains "$err" "$T/s2/at" "a link as the step in progress file: the error names it"
expect_eq "$(cat "$T/victim")" "keep" "the file a link names"
rm "$T/s2/at"
ln -s "$T/victim" "$T/s2/results.json"
run "$BPFGATE" steps --channel 5 --scratch "$T/s2" -- 3 "${args[@]}" "$pol" 5>"$T/chan5"
expect_eq "$rc" 2 "a link as the results file: exit status"
expect_eq "$(cat "$T/victim")" "keep" "the file a link names"
echo "steps: framed, the same results as one process each, --from, bad arguments"
