#!/usr/bin/env bash
# bench/scale.sh generates, builds and verifies programs of each size and prints
# the cost per program; bench/same_results.sh finds a result that two bpfgate
# executables disagree on, and passes when they agree.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" = 0 ] || skip "loading BPF programs needs root"
[ -x "${TIME:-/usr/bin/time}" ] || skip "GNU time not installed"

run bench/scale.sh 0
expect_eq "$rc" 2 "scale.sh with a size of 0"
run bench/scale.sh -n 1 --keep "$T/scale" 3 12
expect_eq "$rc" 0 "scale.sh: $out $err"
expect_contains "$out" "programs objects" "table header"
awk '$1 == 3 && $2 == 1' <<<"$out" | grep -q . || fail "no row for 3 programs in one object: $out"
awk '$1 == 12 && $2 == 2' <<<"$out" | grep -q . ||
	fail "no row for 12 programs in two objects: $out"
expect_contains "$out" "per-program cost from 3 to 12 programs:" "the comparison"
expect_contains "$(cat "$T/scale/verify-12.txt")" "12 programs: 12 pass" \
	"every generated program passes"
# the six kinds of program are there
types=$("$BPFGATE" verify --json --no-cache "$T/scale/obj-12/programs/"*.bpf.o |
	python3 -c 'import json, sys
print(len({r["prog_type"] for r in json.load(sys.stdin)["results"]}))')
[ "$types" -ge 5 ] || fail "generated programs of only $types program types"

# same_results.sh: the same executable twice agrees; one that changes a statistic does not
B=$O/tests/programs
run bench/same_results.sh "$BPFGATE" "$BPFGATE" "$B/ok_counter.bpf.o" "$B/bug_oob.bpf.o"
expect_eq "$rc" 0 "same executable: $out $err"
expect_contains "$out" "same results: 3 of 3 programs identical, 0 differ" "agreement"
cat >"$T/skewed" <<SH
#!/usr/bin/env bash
"$BPFGATE" "\$@" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for r in d["results"]:
    if r["program"] == "ok_counter":
        r["insns_processed"] += 1
json.dump(d, sys.stdout)'
SH
chmod +x "$T/skewed"
run bench/same_results.sh "$BPFGATE" "$T/skewed" "$B/ok_counter.bpf.o" "$B/bug_oob.bpf.o"
expect_eq "$rc" 1 "a statistic that differs"
expect_contains "$out" "ok_counter.bpf.o:ok_counter: insns_processed" \
	"the program and the statistic"
expect_contains "$out" "2 of 3 programs identical, 1 differ" "the count"
run bench/same_results.sh "$BPFGATE"
expect_eq "$rc" 2 "same_results.sh usage"
echo "scale.sh rows per size; same_results.sh agreement and a difference found"
