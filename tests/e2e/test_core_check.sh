#!/usr/bin/env bash
# bpfgate core-check: a field an older kernel lacks fails against that kernel's BTF
# and passes against a newer one; behind bpf_core_field_exists() it passes on both.
# Targets are small BTFs compiled here (and the cached matrix kernels when present).
. "$(dirname "$0")/../lib.sh"

B=$O/tests/programs
OBJ=$B/core_missing_field.bpf.o
[ -f "$OBJ" ] || fail "$OBJ not built (make test-bpf)"
[ "$(id -u)" = 0 ] || skip "core-check loads programs: needs root"

# task_struct before 5.14 (state) and since (__state), as target BTFs
mkdir -p "$T/btf"
echo 'struct task_struct { int pid; long state; } __attribute__((preserve_access_index));
struct task_struct x;' >"$T/old.c"
echo 'struct task_struct { int pid; unsigned int __state; } __attribute__((preserve_access_index));
struct task_struct x;' >"$T/new.c"
for v in old new; do
	${CLANG:-clang} -g -O2 -target bpf -c "$T/$v.c" -o "$T/btf/$v.o" || fail "compile $v"
done
echo "not BTF" >"$T/btf/README"

# verdict of PROG on KERNEL in the JSON $out
verdict() { echo "$out" | jq -r --arg p "$1" --arg k "$2" \
	'.results[] | select(.program == $p and .kernel == $k) | .verdict'; }
relo() { echo "$out" | jq -c --arg p "$1" --arg k "$2" \
	'[.results[] | select(.program == $p and .kernel == $k) | .relocations[]
	  | {kind, type, access, guarded}]'; }

run "$BPFGATE" core-check --json --btf "$T/btf/old.o" --btf "$T/btf/new.o" "$OBJ"
expect_eq "$rc" 1 "an unguarded relocation fails: exit 1 ($err)"
expect_eq "$(verdict state_unguarded old.o)" fail "unguarded on the old BTF"
expect_eq "$(verdict state_unguarded new.o)" pass "unguarded on the new BTF"
expect_eq "$(verdict state_guarded old.o)" pass "guarded on the old BTF"
expect_eq "$(verdict state_guarded new.o)" pass "guarded on the new BTF"
expect_eq "$(relo state_unguarded old.o)" \
	'[{"kind":"byte_off","type":"struct task_struct","access":"__state","guarded":false}]' \
	"the failed relocation"
expect_eq "$(relo state_guarded old.o)" \
	'[{"kind":"byte_off","type":"struct task_struct","access":"__state","guarded":true}]' \
	"the guarded relocation"
expect_eq "$(relo state_unguarded new.o)" '[]' "nothing unresolved on the new BTF"
expect_eq "$(echo "$out" | jq -c .summary)" '{"pass":3,"fail":1,"error":0}' "summary"

# the same from a folder (non-BTF files in it are left out), as a table
run "$BPFGATE" core-check --btf "$T/btf" "$OBJ"
expect_eq "$rc" 1 "folder: exit 1"
expect_contains "$out" \
	"state_unguarded on old.o: unresolved <byte_off> struct task_struct.__state" \
	"the table names the relocation"
expect_eq "$(echo "$out" | grep -c 'core_missing_field.bpf.o:state_')" 3 "two rows + one detail"
run "$BPFGATE" core-check --btf "$T/btf/new.o" "$OBJ"
expect_eq "$rc" 0 "only the new BTF: exit 0 ($out $err)"

# a second kernel with the same types gets the same answer (remembered, not reloaded)
cp "$T/btf/old.o" "$T/old-copy.o"
run "$BPFGATE" core-check --json --btf "$T/btf/old.o" --btf "$T/btf/new.o" \
	--btf "$T/old-copy.o" "$OBJ"
expect_eq "$rc" 1 "with a copy: exit 1"
for p in state_unguarded state_guarded; do
	expect_eq "$(verdict $p old-copy.o)" "$(verdict $p old.o)" "$p: the copy's verdict"
	expect_eq "$(relo $p old-copy.o)" "$(relo $p old.o)" "$p: the copy's relocations"
done
expect_eq "$(verdict state_unguarded new.o)" pass "new.o between old.o and its copy"

# --jobs: kernels checked at once give the same answer, in the targets' order
run "$BPFGATE" core-check --json --jobs 1 --btf "$T/btf/old.o" --btf "$T/btf/new.o" \
	--btf "$T/old-copy.o" "$OBJ"
one=$out
run "$BPFGATE" core-check --json --jobs 3 --btf "$T/btf/old.o" --btf "$T/btf/new.o" \
	--btf "$T/old-copy.o" "$OBJ"
expect_eq "$rc" 1 "--jobs 3: exit 1"
expect_eq "$out" "$one" "--jobs 3 and --jobs 1: the same JSON"

# Maps are not created as the object has them: nothing is pinned in bpffs (a
# private one, mounted here), and a hash map too large to pre-allocate does not keep
# the verifier from proving a guarded read of a missing field dead.
${CLANG:-clang} -g -O2 -target bpf -Icompiler \
	-c tests/fixtures/core_check/pinned_big_maps.bpf.c -o "$T/pinned_big_maps.bpf.o" ||
	fail "compile pinned_big_maps.bpf.c"
echo 'struct task_struct { int pid; } __attribute__((preserve_access_index));
struct task_struct x;' >"$T/pid_only.c"
${CLANG:-clang} -g -O2 -target bpf -c "$T/pid_only.c" -o "$T/pid_only.o" || fail "compile pid_only"
if unshare -m true 2>/dev/null; then
	run unshare -m sh -c 'mount -t bpf bpf /sys/fs/bpf && "$0" core-check --json \
		--btf "$1" "$2" && ls /sys/fs/bpf' "$BPFGATE" "$T/pid_only.o" "$T/pinned_big_maps.bpf.o"
	expect_eq "$rc" 0 "pinned and huge maps: exit 0 ($err)"
	expect_eq "$(echo "$out" | grep -c bpfgate_core_pinned)" 0 "nothing pinned ($out)"
else
	run "$BPFGATE" core-check --json --btf "$T/pid_only.o" "$T/pinned_big_maps.bpf.o"
	expect_eq "$rc" 0 "huge map: exit 0 ($err)"
fi
expect_eq "$(echo "$out" | sed -n '/^{/,$p' | jq -r '.results[0].verdict')" pass \
	"the guarded tgid read with a huge map"

# bad input: one line, exit 2
mkdir "$T/emptydir"
for args in "--btf $T/btf/README $OBJ" "--btf $T/missing $OBJ" "--btf $T/emptydir $OBJ" \
	"--btf $T/btf/new.o $T/missing.o" "--btf $T/btf/new.o $T/btf/README" "$OBJ" \
	"--btf $T/btf/new.o"; do
	run "$BPFGATE" core-check $args
	expect_eq "$rc" 2 "exit status for: $args ($err)"
	expect_eq "$(echo "$err" | wc -l)" 1 "one line for: $args: $err"
	expect_contains "$err" "bpfgate: " "the error line"
done
# a series whose kernel is not cached says how to fetch it
run env BPFGATE_CACHE="$T/cache" "$BPFGATE" core-check --kernel 5.10 "$OBJ"
expect_eq "$rc" 2 "not cached"
expect_contains "$err" "bpfgate kernel fetch 5.10" "says how to fetch it"

# the cached matrix kernels: exec's guarded __state read passes everywhere, the
# unguarded one fails exactly on kernels before 5.14
CACHE=${BPFGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpfgate}/kernels
args=() n=0
for v in "$CACHE"/*/vmlinux; do
	[ -f "$v" ] && args+=(--btf "$v") && n=$((n + 1))
done
[ "$n" -gt 0 ] || skip "no kernel in $CACHE (bpfgate kernel fetch 5.10): compiled BTFs only"
run "$BPFGATE" core-check --json "${args[@]}" "$O/programs/exec.bpf.o" "$OBJ"
for k in $(echo "$out" | jq -r '[.results[].kernel] | unique | .[]'); do
	for p in exec_exec exec_exit state_guarded; do
		expect_eq "$(verdict $p "$k")" pass "$p on $k"
	done
	case $k in
	[1-4].* | 5.[0-9].* | 5.1[0-3].*) want=fail ;;
	*) want=pass ;;
	esac
	expect_eq "$(verdict state_unguarded "$k")" $want "state_unguarded on $k"
	# one side of each of exec's guards fails on any kernel, always in dead code
	g=$(echo "$out" | jq -r --arg k "$k" '[.results[] | select(.kernel == $k and
		(.program | startswith("exec_"))) | .relocations[].guarded] | unique | join(",")')
	expect_eq "$g" true "exec's unresolved relocations on $k are all guarded"
	echo "  $k: state_unguarded $want, exec and state_guarded pass"
done
