#!/usr/bin/env bash
# bench/corpus.sh builds a tree of third-party folders one `make PROGRAMS_DIR=` each,
# names every source that did not build, and passes make variables through;
# bench/verify_vs_veristat.sh maps a peer's rows back to objects that share a base
# name, finds a statistic that differs, and prints its timing table.
. "$(dirname "$0")/../lib.sh"

src=$T/src
mkdir -p "$src/a" "$src/b"
cp tests/build/thirdparty/minimal.bpf.c "$src/a/"
cp tests/build/thirdparty/minimal.bpf.c "$src/b/"
cp tests/build/thirdparty/bootstrap.bpf.c tests/build/thirdparty/bootstrap.h "$src/b/"
# builds only when the caller defines CORPUS_FIX (as a project's own flags would)
{ echo '#ifndef CORPUS_FIX'; echo '#error needs CORPUS_FIX'; echo '#endif'
  cat tests/build/thirdparty/minimal.bpf.c; } >"$src/a/needs_flag.bpf.c"

run bench/corpus.sh
expect_eq "$rc" 2 "corpus.sh without arguments"
run bench/corpus.sh "$T/none" "$T/out"
expect_eq "$rc" 2 "corpus.sh on a missing folder"

run bench/corpus.sh "$src" "$T/out"
expect_eq "$rc" 1 "corpus.sh with a source that does not build"
expect_contains "$out" "failed: a/needs_flag.bpf.c:" "failed source named"
expect_contains "$out" "error: needs CORPUS_FIX" "its compiler error"
expect_contains "$out" "total: 3 of 4 sources built" "total"
[ ! -e "$T/out/a/programs/needs_flag.bpf.o" ] || fail "a failed source left an object"

run bench/corpus.sh "$src" "$T/out" BPF_CFLAGS=-DCORPUS_FIX
expect_eq "$rc" 0 "corpus.sh with the project's flag: $out"
expect_contains "$out" "total: 4 of 4 sources built" "total with the flag"
for o in a/programs/minimal a/programs/needs_flag b/programs/minimal b/programs/bootstrap; do
	[ -s "$T/out/$o.bpf.o" ] || fail "$o.bpf.o not built"
done

# A stand-in for veristat (the real one is not a dependency): it prints veristat's CSV
# with the kernel's real numbers, taken from bpfgate, and names files by base name as
# veristat does. SKEW=PROG adds one to that program's insns.
cat >"$T/peer.py" <<'EOF'
import json, os, sys
print("file_name,prog_name,verdict,duration,total_insns,total_states,peak_states,"
      "max_states_per_insn,max_mark_read_len,prog_size,prog_size_jited,prog_type,"
      "attach_type,stack_depth,mem_peak")
for r in json.load(sys.stdin)["results"]:
    n = [r.get(k) or 0 for k in ("insns_processed", "total_states", "peak_states",
                                 "max_states_per_insn", "mark_read", "prog_insns")]
    n[0] += r["program"] == os.environ.get("SKEW")
    verdict = "success" if r["verdict"] == "pass" else "failure"
    row = [os.path.basename(r["object"]), r["program"], verdict, 1] + n[:5]
    row += [n[5], 0, "x", "x", r.get("stack_depth") or 0, 0]
    print(",".join(str(x) for x in row))
EOF
cat >"$T/peer" <<EOF
#!/usr/bin/env bash
[ "\$1" = -o ] || exec "$BPFGATE" verify --jobs 1 "\$@"
shift 2
"$BPFGATE" verify --jobs 1 --json "\$@" | python3 "$T/peer.py"
EOF
chmod +x "$T/peer"

run bench/verify_vs_veristat.sh "$T/peer" --no-time --out "$T/res" "$T/out"
expect_eq "$rc" 0 "identical numbers: $out $err"
expect_contains "$out" "agreement: 5 of 5 programs identical" "agreement over 4 objects"
for f in veristat.csv bpfgate.json compare.txt; do
	[ -s "$T/res/$f" ] || fail "--out kept no $f"
done

run env SKEW=handle_tp bench/verify_vs_veristat.sh "$T/peer" --no-time "$T/out"
expect_eq "$rc" 1 "a statistic that differs"
expect_contains "$out" "differs: $T/out/a/programs/minimal.bpf.o handle_tp: insns_processed" \
	"the differing program, by its path"
expect_contains "$out" "differs: $T/out/b/programs/minimal.bpf.o handle_tp" \
	"the object with the same base name"
expect_contains "$out" "agreement: 2 of 5 programs identical" "agreement with a skew"

run bench/verify_vs_veristat.sh "$T/peer" -n 1 "$T/out/b"
expect_eq "$rc" 0 "timing run: $err"
expect_contains "$out" "objects: 2, programs: 3, runs: 1" "timing header"
expect_contains "$out" "bpfgate verify --jobs 2" "timing table"
echo "corpus built with its flags, failures named; peer rows matched by path, skew found"
