#!/usr/bin/env bash
# Failures are classed truthfully: a load that fails before the verifier runs
# because of the object (a map definition the kernel refuses) is an error with a
# class that blames the object, reported from one load; maps without
# max_entries are verified with max_entries 1, as veristat does, and the result
# says so in a note.
. "$(dirname "$0")/../lib.sh"

F=tests/fixtures/object_faults
for f in unsized_maps bad_map_def; do
	${CLANG:-clang} -g -O2 -target bpf -Icompiler -c "$F/$f.bpf.c" -o "$T/$f.o" ||
		fail "compile $f.bpf.c"
done

# max_entries 0: verified with 1, and said so; the storage map keeps its 0
run "$BPFGATE" verify --json "$T/unsized_maps.o"
expect_eq "$rc" 0 "maps without max_entries ($err)"
echo "$out" >"$T/unsized.json"
python3 - "$T/unsized.json" <<'PY' || fail "unsized maps: $out"
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
assert r["verdict"] == "pass" and r["insns_processed"] > 0, r
assert r["note"] == ("max_entries of maps 'sized_later', 'events' is 0 in the object: "
                     "set to 1 for the verification"), r["note"]
PY

# a map definition the kernel refuses: the object's fault, for each program of it
run "$BPFGATE" verify --json "$T/bad_map_def.o"
expect_eq "$rc" 2 "a map the kernel refuses is an error, exit 2"
echo "$out" >"$T/bad.json"
python3 - "$T/bad.json" <<'PY' || fail "bad map definition: $out"
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
assert [r["program"] for r in rs] == ["uses_wide_key", "next_to_wide_key"], rs
for r in rs:
    assert r["verdict"] == "error", r
    assert r["error_class"] == "map_create", r
    assert r["error_kind"] == "object is at fault", r
    assert r["error"] == "map 'wide_key': failed to create: Invalid argument(-22)", r
PY

# reported from the first load: libbpf tries to create the map once, not twice
run "$BPFGATE" verify -vv --prog uses_wide_key "$T/bad_map_def.o"
expect_eq "$(grep -c "^libbpf: map 'wide_key': failed to create" <<<"$err")" 1 \
	"loads of an object whose map cannot be created"

# libbpf cannot prepare the program (a CO-RE relocation contradicts its
# instruction): the object is invalid; it is not the kernel lacking a program type
${CLANG:-clang} -g -O2 -target bpf -Icompiler -c tests/fixtures/crash/crash_base.bpf.c \
	-o "$T/crash_base.o" || fail "compile crash_base.bpf.c"
python3 tests/fixtures/crash/make_crash_objects.py "$T/crash_base.o" "$T" || fail "generator"
run "$BPFGATE" verify --json "$T/relo_mismatch.o"
expect_eq "$rc" 2 "an object libbpf cannot prepare"
echo "$out" >"$T/relo.json"
python3 - "$T/relo.json" <<'PY' || fail "relocation mismatch: $out"
import json, sys
r = {x["program"]: x for x in json.load(open(sys.argv[1]))["results"]}
p = r["relo_of_pid"]
assert p["verdict"] == "error", p
assert p["error_class"] == "object_invalid" and p["error_kind"] == "object is at fault", p
assert p["error"].startswith("prog 'relo_of_pid': relo #1: unexpected insn"), p
assert r["crash_bitfield"]["verdict"] == "pass" and r["crash_neighbour"]["verdict"] == "pass"
PY

# the table says it too
run "$BPFGATE" verify "$T/bad_map_def.o"
expect_contains "$out" "map_create (object is at fault)" "class and kind in the table output"
echo "object faults classed"
