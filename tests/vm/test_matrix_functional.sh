#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bpfgate verify --test on the CI kernels: the programs' functional tests (static builds) run
# inside each guest and come back as result rows; a deliberately failing test is reported fail
# with its own line, a skipping one skip with its reason; each kernel's probe is in kernels[].
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

need_vm
need_matrix_verify
"$BPFGATE" verify --help | grep -q -- '--test' || skip "bpfgate verify has no --test option in this build"
read -r K1 K2 <<<"$CI_KERNELS"
R1=$(release "$K1") R2=$(release "$K2")
S=$O/tests/functional-static
for t in policy exec svcmap flow l7; do
	[ -x "$S/test_$t" ] || fail "$S/test_$t was not built (make functional-static)"
done

# Two tiny static tests of the mechanism: one fails like a Check assertion, one skips.
cat >"$T/fail_me.c" <<'C'
#include <stdio.h>
int main(void)
{
	printf("setting up\nfail_me.c:7:F:core:test_no:0: Assertion 'deliberate' failed\n");
	printf("50%%: Checks: 2, Failures: 1, Errors: 0\n");
	return 1;
}
C
cat >"$T/skip_me.c" <<'C'
#include <stdio.h>
int main(void)
{
	printf("looking around\nneeds a frobnicator this kernel lacks\n");
	return 77;
}
C
for t in fail_me skip_me; do
	${CC:-cc} -static -O2 "$T/$t.c" -o "$T/$t" || fail "static build of $t"
done

# A dynamically linked test cannot run in the qemu guest: refused before any boot.
run "$BPFGATE" verify --vm-backend qemu --kernel "$K1" --test "$O/tests/functional/test_policy" \
	"$O/tests/programs/ok_counter.bpf.o"
expect_eq "$rc" 2 "dynamic test with the qemu backend (stdout: $out)"
expect_contains "$err" "dynamically linked" "why a dynamic test is refused"

tests=()
for t in policy exec svcmap flow l7; do tests+=(--test "$S/test_$t"); done
start=$(date +%s)
BPFGATE_RESULT_DIR=$T/run run "$BPFGATE" verify --json --junit "$T/junit.xml" --vm-backend qemu \
	--kernel "$K1" --kernel "$K2" "${tests[@]}" --test "$T/fail_me" --test "$T/skip_me" \
	"$O/tests/programs/ok_counter.bpf.o"
secs=$(($(date +%s) - start))
echo "$err"
echo "$out" >"$T/r.json"
# fail_me fails on every kernel: exit status 1, not 2 (no VM or setup error)
expect_eq "$rc" 1 "exit status with a failing test"

# one line per result, fields by name: row KERNEL PROGRAM FIELD
python3 - "$T/r.json" >"$T/rows" <<'PY' || fail "results are not JSON: $out"
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    for k, v in r.items():
        print("\t".join([r["kernel"], r["program"], k, json.dumps(v) if not isinstance(v, str) else v.replace("\n", "\\n")]))
PY
row() { awk -F'\t' -v k="$1" -v p="$2" -v f="$3" '$1 == k && $2 == p && $3 == f { print $4; exit }' "$T/rows"; }
for k in "$R1" "$R2"; do
	expect_eq "$(row "$k" ok_counter verdict)" pass "ok_counter on $k"
	for t in policy exec svcmap flow l7; do
		v=$(row "$k" "test_$t" verdict) reason=$(row "$k" "test_$t" reason)
		echo "$k test_$t: $v${reason:+ ($reason)}"
		case $v in
		pass) ;;
		skip) [ -n "$reason" ] && [ "$reason" != null ] || fail "test_$t on $k skipped without a reason" ;;
		*) fail "test_$t on $k: $v: $(row "$k" "test_$t" error)" ;;
		esac
		expect_eq "$(row "$k" "test_$t" object)" "$S/test_$t" "test_$t object on $k"
		expect_eq "$(row "$k" "test_$t" section)/$(row "$k" "test_$t" prog_type)" \
			functional/test "test_$t section and type on $k"
		expect_eq "$(row "$k" "test_$t" insns_processed)" null "test_$t statistics on $k"
	done
	# the failing test: its assertion line, its output's end, the path as given
	expect_eq "$(row "$k" fail_me verdict)" fail "fail_me on $k"
	expect_eq "$(row "$k" fail_me error)" "fail_me.c:7:F:core:test_no:0: Assertion 'deliberate' failed" "fail_me error on $k"
	expect_contains "$(row "$k" fail_me log_tail)" "setting up" "fail_me log tail on $k"
	expect_eq "$(row "$k" fail_me object)" "$T/fail_me" "fail_me object on $k"
	# the skipping one: its last line is the reason, nothing appended from the probe
	expect_eq "$(row "$k" skip_me verdict)" skip "skip_me on $k"
	expect_eq "$(row "$k" skip_me reason)" "needs a frobnicator this kernel lacks" "skip_me reason on $k"
done
# policy, exec and svcmap have nothing to skip for on these kernels: they really ran
for k in "$R1" "$R2"; do
	for t in policy exec svcmap; do
		expect_eq "$(row "$k" "test_$t" verdict)" pass "test_$t on $k"
	done
done

# each kernel of the run with its probe, backend and timings
python3 - "$T/r.json" "$K1=$R1" "$K2=$R2" >"$T/kernels.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ks = d.get("kernels", [])
if len(ks) != 2:
    print(f"{len(ks)} kernels in the document, expected 2")
for arg in sys.argv[2:]:
    series, release = arg.split("=", 1)
    k = [x for x in ks if x["release"] == release]
    if not k:
        print(f"no kernels[] entry for {release}")
        continue
    k = k[0]
    want = {"series": series, "backend": "qemu"}
    for f, v in want.items():
        if k.get(f) != v:
            print(f"{release}: {f} is {k.get(f)!r}, expected {v!r}")
    if k.get("accel") not in ("tcg", "kvm"):
        print(f"{release}: accel {k.get('accel')!r}")
    if not (isinstance(k.get("boot_s"), (int, float)) and k["boot_s"] > 0):
        print(f"{release}: boot_s {k.get('boot_s')!r}")
    if not (isinstance(k.get("verify_s"), (int, float)) and k["verify_s"] > 0):
        print(f"{release}: verify_s {k.get('verify_s')!r}")
    p = k.get("probe") or {}
    if p.get("kernel") != release:
        print(f"{release}: the probe ran on {p.get('kernel')!r}")
    if "xdp" not in p.get("prog_types", []) or "hash" not in p.get("map_types", []):
        print(f"{release}: probe lacks xdp or hash: {p}")
PY
[ ! -s "$T/kernels.txt" ] || fail "kernels[]: $(cat "$T/kernels.txt")"

# JUnit: the tests are test cases of each kernel's suite, the failure with its line
expect_eq "$(grep -c '<testcase [^>]*name="fail_me"' "$T/junit.xml")" 2 "fail_me in JUnit"
grep -q "Assertion 'deliberate' failed" "$T/junit.xml" || fail "JUnit lacks fail_me's line"
cat "$T/run/timings.tsv"
echo "functional tests on $K1 and $K2 in ${secs}s"
