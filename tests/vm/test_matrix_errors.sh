#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A kernel that cannot be used (unknown, fails preflight, fails to boot, times out) is one
# `error` result with its cause; the other kernels still finish; exit status 2.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

need_vm
need_matrix_verify
read -r K1 K2 <<<"$CI_KERNELS"
R1=$(release "$K1")
obj=$O/tests/programs/ok_counter.bpf.o

# unknown kernel: a setup error, one line, nothing booted
run "$BPFGATE" verify --kernel 9.99 "$obj"
expect_eq "$rc" 2 "unknown kernel: exit status"
expect_eq "$(echo "$err" | wc -l)" 1 "unknown kernel: one line: $err"
expect_contains "$err" "bpfgate: 9.99: not a kernel of the matrix" "unknown kernel: cause"
run "$BPFGATE" verify --kernel "$K1" --vm-backend nope "$obj"
expect_eq "$rc" 2 "bad backend"

"$BPFGATE" kernel fetch "$K1" "$K2" >/dev/null 2>&1 || fail "fetch $K1 $K2"

# an unreadable object next to a good one: reported once on the host, before any boot,
# exit status 2; the good one is still verified in the guest
head -c 300 "$obj" >"$T/trunc.bpf.o"
BPFGATE_RESULT_DIR=$T/u run "$BPFGATE" verify --json --kernel "$K1" "$T/trunc.bpf.o" "$obj"
expect_eq "$rc" 2 "unreadable object: exit status"
expect_eq "$(echo "$err" | grep -c "trunc.bpf.o")" 1 "unreadable object: reported once: $err"
expect_contains "$err" "bpfgate: $T/trunc.bpf.o: malformed BPF object" "unreadable object: cause"
echo "$out" >"$T/u.json"
expect_eq "$(json_py "[(r['program'], r['verdict']) for r in d['results']]" "$T/u.json")" "[('ok_counter', 'pass')]" "the good object verified"

# stopped by a signal: the VMs go with bpfgate, and so do the run's temporary files
mkdir -p "$T/tmp"
TMPDIR=$T/tmp "$BPFGATE" verify --kernel "$K1" "$obj" >/dev/null 2>"$T/sig.err" &
pid=$!
for _ in $(seq 300); do pgrep -f "$T/tmp/" >/dev/null && break; sleep 0.1; done
pgrep -f "$T/tmp/" >/dev/null || fail "no VM started: $(cat "$T/sig.err")"
kill -TERM $pid
wait $pid
expect_eq "$?" 143 "killed by SIGTERM: exit status"
expect_contains "$(cat "$T/sig.err")" "bpfgate: verify: interrupted" "says so"
pgrep -f "$T/tmp/" >/dev/null && fail "a VM outlived bpfgate"
expect_eq "$(ls -A "$T/tmp")" "" "the run's temporary files"

# every VM past its deadline: killed, reported, and fast (nothing waits for a hang)
start=$(date +%s)
BPFGATE_RESULT_DIR=$T/t run "$BPFGATE" verify --json --timeout 1 --kernel "$K1" --kernel "$K2" "$obj"
secs=$(($(date +%s) - start))
expect_eq "$rc" 2 "timed out: exit status"
echo "$out" >"$T/t.json"
expect_eq "$(json_py 'len(d["results"])' "$T/t.json")" 2 "one result per kernel"
expect_eq "$(json_py 'sorted(set((r["verdict"], r["program"]) for r in d["results"]))' "$T/t.json")" "[('error', '(vm)')]" "both are VM errors"
expect_contains "$(json_py 'd["results"][0]["error"]' "$T/t.json")" "timed out after 1 s" "cause"
[ "$secs" -lt 15 ] || fail "a 1 s deadline took ${secs}s"
pgrep -f "$T/t/" >/dev/null && fail "a VM outlived its deadline"

# a broken image and a kernel without BTF next to a good kernel: the good one passes
# an ELF file (--kernel takes kernel images only: bzImage or ELF) that is no kernel:
# QEMU refuses it at once (no PVH note) instead of running garbage until the deadline
cp /bin/true "$T/vmlinuz-0.0.1-broken"
mkdir -p "$T/nobtf"
ln -s "$("$BPFGATE" kernel path "$K1")" "$T/nobtf/vmlinuz"
grep -v '^CONFIG_DEBUG_INFO_BTF=' "$(dirname "$("$BPFGATE" kernel path "$K1")")/config" >"$T/nobtf/config"
BPFGATE_RESULT_DIR=$T/b run "$BPFGATE" verify --json --kernel "$T/vmlinuz-0.0.1-broken" --kernel "$T/nobtf" --kernel "$K1" "$obj"
echo "$err"
expect_eq "$rc" 2 "broken kernels: exit status"
echo "$out" >"$T/b.json"
expect_eq "$(json_py "[r['verdict'] for r in d['results'] if r['kernel'] == '$R1']" "$T/b.json")" "['pass']" "$K1 still verified"
expect_contains "$(json_py "[r['error'] for r in d['results'] if r['kernel'] == '0.0.1-broken'][0]" "$T/b.json")" "VM stopped before the guest started" "broken image: cause"
expect_contains "$(json_py "[r['error'] for r in d['results'] if r['verdict'] == 'error' and r['kernel'] != '0.0.1-broken'][0]" "$T/b.json")" \
	"preflight: the kernel lacks CONFIG_DEBUG_INFO_BTF" "preflight names what is missing"
echo "ok"
