#!/usr/bin/env bash
# One bad object costs one object: objects on which libbpf 1.4 really crashes
# (tests/fixtures/crash) end as an error naming the signal, and every other
# program is still verified and reported, with --jobs 1 and --jobs N; no loader
# process and no kernel object is left behind.
. "$(dirname "$0")/../lib.sh"

B=$O/tests/programs
[ -e "$B/ok_counter.bpf.o" ] || fail "tests/bpf not built (make test-bpf)"
command -v python3 >/dev/null || skip "python3 not installed"
${CLANG:-clang} -g -O2 -target bpf -Icompiler -c tests/fixtures/crash/crash_base.bpf.c \
	-o "$T/crash_base.o" || fail "compile crash_base.bpf.c"
python3 tests/fixtures/crash/make_crash_objects.py "$T/crash_base.o" "$T" || fail "generator"
fpe=$T/bitfield_sigfpe.o segv=$T/prog_offset_sigsegv.o

# the unpatched object is fine: the crashes come from the patches alone
run "$BPFGATE" verify --json "$T/crash_base.o"
expect_eq "$rc" 0 "the base object verifies ($err)"

# loader processes of this test's runs (children of a bpfgate that outlived it)
loaders() { pgrep -f "bpfgate verify.*$T" | grep -vx "$$" | wc -l; }
progs0=$(bpf_prog_count) maps0=$(bpf_map_count)

# ok_counter before the crash: a worker that already sent results and then dies
# must not take them along
for jobs in 1 2; do
	run "$BPFGATE" verify --json --jobs $jobs "$B/ok_counter.bpf.o" "$fpe" "$segv" \
		"$B/bug_oob.bpf.o"
	echo "--jobs $jobs: exit $rc; $err"
	expect_eq "$rc" 2 "--jobs $jobs: an object the loader crashed on is an error"
	expect_eq "$(echo "$err" | wc -l)" 1 "--jobs $jobs: one line on stderr: $err"
	expect_contains "$err" "bpfgate: $segv: the loader crashed on this object: SIGSEGV in libbpf (bpf_object__open)" \
		"--jobs $jobs: the object libbpf crashes on while opening"
	echo "$out" >"$T/r$jobs.json"
	python3 - "$T/r$jobs.json" "$fpe" <<'PY' || fail "--jobs $jobs: results"
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["program"]: x for x in d["results"]}
c = r["crash_bitfield"]
assert c["verdict"] == "error", c
assert c["object"] == sys.argv[2], c
assert c["error"] == "the loader crashed on this object: SIGFPE in libbpf (bpf_object__load)", c
assert c["error_class"] == "loader_crash" and c["error_kind"] == "object is at fault", c
assert r["crash_neighbour"]["verdict"] == "pass", "the other program of the crashing object"
assert r["ok_counter"]["verdict"] == "pass" and r["ok_counter"]["insns_processed"] > 0
assert r["bug_oob"]["verdict"] == "fail", "a program after the crash"
assert r["fine_next_to_bug"]["verdict"] == "pass"
assert d["summary"]["error"] == 1, d["summary"]
order = [x["program"] for x in d["results"]]
assert order.index("ok_counter") < order.index("crash_bitfield") < order.index("bug_oob"), order
PY
	expect_eq "$(loaders)" 0 "--jobs $jobs: loader processes left"
done
# the same verdicts and statistics whatever the number of workers
summary() {
	python3 -c 'import json, sys
print([(x["program"], x["verdict"], x.get("insns_processed"), x.get("error"))
       for x in json.load(open(sys.argv[1]))["results"]])' "$1"
}
expect_eq "$(summary "$T/r2.json")" "$(summary "$T/r1.json")" "--jobs 1 and --jobs 2 agree"

# several crashes in a row, more than there are workers: each costs its program only
cp "$fpe" "$T/fpe2.o"
cp "$fpe" "$T/fpe3.o"
run "$BPFGATE" verify --json --jobs 2 "$fpe" "$T/fpe2.o" "$T/fpe3.o" "$B/ok_counter.bpf.o"
expect_eq "$rc" 2 "three crashing objects"
expect_eq "$(echo "$out" | grep -o 'crashed on this object: SIGFPE' | wc -l)" 3 "three crashes, three errors"
python3 -c 'import json, sys
r = {x["program"]: x for x in json.load(sys.stdin)["results"]}
assert r["ok_counter"]["verdict"] == "pass"' <<<"$out" || fail "ok_counter after three crashes"

# the committed copies of the crashing inputs (tests/fuzz/crashes-libbpf) crash too
for f in tests/fuzz/crashes-libbpf/*.o; do
	run "$BPFGATE" verify --json "$f" "$B/ok_counter.bpf.o"
	expect_eq "$rc" 2 "$f"
	expect_contains "$out$err" "the loader crashed on this object: SIG" "$f crashes libbpf"
	expect_contains "$out" '"ok_counter"' "$f: the other object is verified"
done

expect_settles bpf_prog_count "$progs0" "programs left in the kernel"
expect_settles bpf_map_count "$maps0" "maps left in the kernel"
echo "loader crashes isolated"
