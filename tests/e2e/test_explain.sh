#!/usr/bin/env bash
# bpfgate explain on real rejections of every class this host produces: the source
# line is verify's, the class and its hint are shown, the registers include the
# failing instruction's operands, one screen, the full log in a file, exit codes.
. "$(dirname "$0")/../lib.sh"

FIX=$O/fixtures/programs
TB=$O/tests/programs
[ -e "$FIX/null_map_value.bpf.o" ] || fail "no fixture objects in $FIX (make line-info-fixtures)"
[ -e "$TB/bug_oob.bpf.o" ] || fail "no test objects in $TB (make test-bpf)"
[ "$(id -u)" = 0 ] || skip "loading BPF programs needs root"
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"

# OBJ PROG CLASS [nojson]: the rejection of PROG, explained as text and as JSON
check_one() {
	local obj=$1 prog=$2 class=$3 json=${4:-json}
	run "$BPFGATE" verify --json "$obj"
	echo "$out" >"$T/verify.json"
	run "$BPFGATE" explain "$obj" "$prog"
	expect_eq "$rc" 1 "explain $prog: exit status ($err)"
	[ -z "$err" ] || fail "explain $prog: stderr: $err"
	echo "$out" >"$T/screen.txt"
	rm -f "$T/explain.json"
	if [ "$json" = json ]; then
		run "$BPFGATE" explain --json "$obj" "$prog"
		expect_eq "$rc" 1 "explain --json $prog: exit status ($err)"
		echo "$out" >"$T/explain.json"
	fi
	python3 - "$T" "$prog" "$class" "$TOP/verifier-harness/log/error_class.c" <<'PY' || exit 1
import json, os, re, stat, sys
t, prog, cls, classes_c = sys.argv[1:]
screen = open(f"{t}/screen.txt").read().splitlines()
res = [r for r in json.load(open(f"{t}/verify.json"))["results"] if r["program"] == prog]
assert len(res) == 1, res
v = res[0]
assert v["verdict"] == "fail" and v["error_class"] == cls, (v["verdict"], v.get("error_class"))
# the class's hint, as error_class.c declares it
src = open(classes_c).read()
m = re.search(r'\{\s*"%s",\s*VH_KIND_\w+,\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\}' % cls, src)
assert m, f"{cls} not in error_class.c"
hint = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))

def fail(msg):
    sys.exit(f"FAIL: {prog}: {msg}\n" + "\n".join(screen))

if len(screen) > 45:
    fail(f"{len(screen)} lines, more than one screen")
text = "\n".join(screen)
# the source line: verify's (verify does not trace a program that hit the complexity
# limit, so it has none there: explain does)
if v.get("source"):
    if f"at:     {v['source']}" not in text:
        fail(f"no 'at: {v['source']}'")
elif not re.search(r"^at:     %s\.bpf\.c:\d+: " % prog, text, re.M):
    fail("no 'at:' line")
if f"class:  {cls} (" not in text or f"docs/error-classes.md#{cls}" not in text:
    fail("class or its docs link missing")
hint_at = next((i for i, l in enumerate(screen) if l.startswith("hint:")), None)
hint_shown = "" if hint_at is None else " ".join(
    l[8:].strip() for i, l in enumerate(screen[hint_at:hint_at + 3])
    if i == 0 or l.startswith("        "))
if hint not in hint_shown:
    fail(f"hint '{hint}' not shown: '{hint_shown}'")
# the failing instruction and the registers it reads
failing = [l for l in screen if l.startswith("  >")]
if len(failing) != 1:
    fail("no single failing instruction marked '>'")
insn = failing[0].split(":", 1)[1].strip()
regs = {f"R{n}" for n in re.findall(r"(?<![\w])[rw](\d+)\b", insn)}
dst = re.match(r"[rw](\d+) = ", insn)
if dst and not re.search(r"(?<![\w])[rw]%s\b" % dst.group(1), insn[dst.end():]):
    regs.discard(f"R{dst.group(1)}")  # only written
if insn.startswith("call "):
    regs |= {"R1"}
if insn == "exit":
    regs |= {"R0"}
st = screen.index(next(l for l in screen if l.startswith("state before insn")))
shown = set()
for l in screen[st + 1:]:
    if not l.startswith("  R"):
        break
    shown.add(l.split()[0])
if not regs <= shown and not insn.startswith("<invalid"):
    fail(f"registers {sorted(regs)} of '{insn}' not all shown: {sorted(shown)}")
# the full log: in a file whose path is printed, not on the screen
logl = [l for l in screen if l.startswith("full log: ")]
if len(logl) != 1:
    fail("no 'full log:' line")
path = logl[0][len("full log: "):]
if not path.startswith(f"{t}/tmp/") or not os.path.getsize(path):
    fail(f"log file {path} missing or empty")
if stat.S_IMODE(os.stat(path).st_mode) != 0o600:
    fail("log file readable by others")
log = open(path).read()
if f"prog '{prog}': -- BEGIN PROG LOAD LOG --" not in log or v["error"] not in log:
    fail("log file lacks the program's log")
if "processed " in text:
    fail("statistics of the log printed on the screen")
# JSON: the same
if not os.path.exists(f"{t}/explain.json"):
    print(f"{prog}: {cls}, {len(screen)} lines, registers {sorted(shown)} (text only)")
    sys.exit(0)
doc = json.load(open(f"{t}/explain.json"))
j = doc["programs"]
assert len(j) == 1 and j[0]["program"] == prog, j
j = j[0]
assert j["source"] == v["source"] and j["error_class"] == cls and j["hint"] == hint, j
assert j["doc"] == f"docs/error-classes.md#{cls}", j["doc"]
assert j["failed_text"] == insn, (j["failed_text"], insn)
if not insn.startswith("<invalid"):
    assert regs <= set(j["registers"]), (regs, j["registers"])
assert os.path.getsize(doc["log_file"]) > 0
print(f"{prog}: {cls} at {v['source']}, {len(screen)} lines, registers {sorted(shown)}")
PY
}

check_one "$FIX/null_map_value.bpf.o" null_map_value null_pointer
check_one "$FIX/pkt_oob.bpf.o" pkt_oob invalid_mem_access
check_one "$TB/bug_oob.bpf.o" bug_oob invalid_mem_access
check_one "$FIX/ctx_access.bpf.o" ctx_access invalid_ctx_access
check_one "$FIX/helper_arg.bpf.o" helper_arg helper_arg_mismatch
check_one "$FIX/stack_limit.bpf.o" stack_limit stack_limit
check_one "$FIX/uninit_reg.bpf.o" uninit_reg uninitialized_register
check_one "$FIX/unreleased_ref.bpf.o" unreleased_ref unreleased_reference
check_one "$FIX/infinite_loop.bpf.o" infinite_loop unbounded_loop
check_one "$FIX/gpl_only.bpf.o" gpl_only license_gpl_only
check_one "$FIX/core_reloc.bpf.o" core_reloc core_relocation
check_one "$FIX/unknown_kfunc.bpf.o" unknown_kfunc unknown_kfunc
# the kernel traces a million instructions for this one (about 20 s): text only
check_one "$FIX/complexity.bpf.o" complexity complexity_limit nojson

# the path: the NULL check the verifier fell through before the leak
run "$BPFGATE" explain "$FIX/unreleased_ref.bpf.o"
expect_eq "$rc" 1 "explain without PROG: exit status"
expect_contains "$out" "6: not taken  unreleased_ref.bpf.c:15: if (!e)" "branch decision"
run "$BPFGATE" explain "$FIX/infinite_loop.bpf.o" infinite_loop
expect_contains "$out" "  stack fp-8=" "the stack slot the failing load reads"
expect_contains "$out" "5: taken x" "the loop's repeated decision"

# a program its __failure tag expects to be rejected: explained, exit 0 as in verify
run "$BPFGATE" explain "$TB/rejects_null_deref.bpf.o"
expect_eq "$rc" 0 "expected rejection: exit status ($err)"
expect_contains "$out" "as its __failure tag expects" "expected rejection said"
expect_contains "$out" "class:  null_pointer" "expected rejection explained"

# passing programs: exit 0, nothing to explain, no log file
rm -f "$TMPDIR"/*
run "$BPFGATE" explain "$FIX/pass.bpf.o" pass
expect_eq "$rc" 0 "passing program: exit status ($err)"
expect_contains "$out" "passes on" "passing program said"
run "$BPFGATE" explain "$FIX/pass.bpf.o"
expect_eq "$rc" 0 "object that passes: exit status ($err)"
expect_contains "$out" "no program was rejected" "object that passes said"
[ -z "$(ls -A "$TMPDIR")" ] || fail "log files without a rejection: $(ls "$TMPDIR")"

# --log FILE: the log there, atomically (no temp file beside it)
mkdir "$T/logs"
run "$BPFGATE" explain --log "$T/logs/x.log" "$FIX/null_map_value.bpf.o"
expect_eq "$rc" 1 "--log: exit status ($err)"
expect_contains "$out" "full log: $T/logs/x.log" "--log path printed"
expect_eq "$(ls "$T/logs")" "x.log" "--log folder"
grep -q "R0 invalid mem access 'map_value_or_null'" "$T/logs/x.log" || fail "--log content"
expect_eq "$(stat -c %a "$T/logs/x.log")" 600 "--log file mode (kernel addresses in it)"
run "$BPFGATE" explain --log "$T/no/such/dir/x.log" "$FIX/null_map_value.bpf.o"
expect_eq "$rc" 2 "--log in a missing folder: exit status"
expect_contains "$err" "bpfgate: $T/no/such/dir/x.log: cannot write the full log" "--log error"

# usage and input errors: exit 2, one line
for args in "" "$T/missing.bpf.o" "$FIX/pass.bpf.o no_such_prog" "--kernel nosuch $FIX/pass.bpf.o" \
	"$FIX/pass.bpf.o pass extra" "--no-such-option $FIX/pass.bpf.o"; do
	# shellcheck disable=SC2086
	run "$BPFGATE" explain $args
	expect_eq "$rc" 2 "explain $args: exit status"
	expect_eq "$(echo "$err" | wc -l)" 1 "explain $args: one line on stderr ($err)"
	expect_contains "$err" "bpfgate: " "explain $args: error format"
done
# (a VM kernel is explained in a VM: tests/vm/test_explain_kernel.sh)
run "$BPFGATE" explain --kernel nosuch "$FIX/pass.bpf.o"
expect_contains "$err" "bpfgate: nosuch: not a kernel of the matrix" "an unknown kernel"
run "$BPFGATE" explain --kernel host "$FIX/pass.bpf.o" pass
expect_eq "$rc" 0 "--kernel host"
run "$BPFGATE" explain "$TMPDIR"
expect_eq "$rc" 2 "a folder as object ($err)"

# every class has the anchor the docs link points at
for cls in $(grep -oE '^\s*\[C_[A-Z_]+\] = \{ "[a-z_]+"' verifier-harness/log/error_class.c |
	grep -oE '"[a-z_]+"' | tr -d '"'); do
	grep -q "<a id=\"$cls\"></a>" docs/error-classes.md ||
		fail "docs/error-classes.md has no anchor for $cls"
done

# --help and the man page list the same options
opts() { grep -oE -- '--[a-z][a-z0-9-]+' | sort -u; }
run "$BPFGATE" explain --help
expect_eq "$rc" 0 "explain --help"
h=$(echo "$out" | opts)
m=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' docs/bpfgate-explain.8 | opts)
[ "$h" = "$m" ] || fail "--help and docs/bpfgate-explain.8 differ:" \
	"$(diff <(echo "$h") <(echo "$m") | grep '^[<>]' | tr '\n' ' ')"
run "$BPFGATE" --help
expect_contains "$out" "explain" "bpfgate --help lists explain"
echo "explain: every class on this host explained at verify's source line"
