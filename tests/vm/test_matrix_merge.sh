#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bpfgate verify --kernel A --kernel B: one boot per kernel, results merged with kernel = the
# guest's release, per-kernel expectations (__min_kernel) applied in each guest, JSON/JUnit.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

need_vm
need_matrix_verify
read -r K1 K2 <<<"$CI_KERNELS"
R1=$(release "$K1") R2=$(release "$K2")

# A program that needs bpf_loop (5.17) and says so, and one every kernel accepts.
cat >"$T/loopy.bpf.c" <<'C'
// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpfgate.h"

static long step(__u32 i, void *ctx) { return 0; }

SEC("xdp")
__min_kernel("5.17") __min_kernel_reason("bpf_loop")
int uses_bpf_loop(struct xdp_md *ctx)
{
	bpf_loop(4, step, NULL, 0);
	return XDP_PASS;
}

SEC("xdp")
int plain(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* a program type 5.10 does not have at all (5.14): its probe says so */
SEC("syscall")
__min_kernel("5.14") __min_kernel_reason("syscall programs")
int sys_prog(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
C
${CLANG:-clang} -g -O2 -target bpf -Icompiler -c "$T/loopy.bpf.c" -o "$T/loopy.bpf.o" || fail "compile loopy"
objs=("$T/loopy.bpf.o" "$O/tests/programs/ok_counter.bpf.o")

start=$(date +%s)
BPFGATE_RESULT_DIR=$T/run run "$BPFGATE" verify --json --junit "$T/junit.xml" --kernel "$K1" --kernel "$K2" "${objs[@]}"
echo "$err"
secs=$(($(date +%s) - start))
expect_eq "$rc" 0 "exit status (stderr: $err)"
echo "$out" >"$T/r.json"

# every program on both kernels, labelled with the guests' releases, objects as given
expect_eq "$(json_py 'sorted(set(r["kernel"] for r in d["results"]))' "$T/r.json")" "$(python3 -c "print(sorted(['$R1', '$R2']))")" "kernels in the results"
for k in "$R1" "$R2"; do
	expect_eq "$(json_py "sorted((r['object'], r['program']) for r in d['results'] if r['kernel'] == '$k')" "$T/r.json")" \
		"$(python3 -c "print(sorted([('${objs[0]}', 'plain'), ('${objs[0]}', 'sys_prog'), ('${objs[0]}', 'uses_bpf_loop'), ('${objs[1]}', 'ok_counter')]))")" "programs on $k"
done
v() { json_py "[r for r in d['results'] if r['kernel'] == '$1' and r['program'] == '$2'][0]['$3']" "$T/r.json"; }
expect_eq "$(v "$R1" plain verdict)" pass "plain on $K1"
expect_eq "$(v "$R2" plain verdict)" pass "plain on $K2"
expect_eq "$(v "$R2" uses_bpf_loop verdict)" pass "bpf_loop on $K2"
# 5.10 has no bpf_loop: skipped with the tag's reason, not failed
expect_eq "$(v "$R1" uses_bpf_loop verdict)" skip "bpf_loop on $K1"
expect_contains "$(v "$R1" uses_bpf_loop reason)" "needs >= 5.17" "skip reason on $K1"
# xdp is there on 5.10, so the probe adds nothing to that skip; syscall programs are not
case $(v "$R1" uses_bpf_loop reason) in *probe:*) fail "probe evidence on a supported type: $(v "$R1" uses_bpf_loop reason)" ;; esac
expect_eq "$(v "$R1" sys_prog verdict)" skip "syscall program on $K1"
expect_contains "$(v "$R1" sys_prog reason)" "needs >= 5.14" "syscall skip reason on $K1"
expect_contains "$(v "$R1" sys_prog reason)" "; probe: program type 'syscall' not supported" "probe evidence on $K1"
expect_eq "$(v "$R2" sys_prog verdict)" pass "syscall program on $K2"
# the verifier's own statistics came back
n=$(v "$R2" uses_bpf_loop insns_processed)
[ "$n" -gt 0 ] 2>/dev/null || fail "insns_processed on $K2: $n"

# the document records each kernel: its probe, how it ran, how long it took
for k in "$R1" "$R2"; do
	kj() { json_py "[x for x in d['kernels'] if x['release'] == '$k'][0]$1" "$T/r.json"; }
	expect_eq "$(kj "['probe']['kernel']")" "$k" "kernels[] probe of $k"
	expect_eq "$(kj "['probe']['prog_types'].count('xdp')")" 1 "kernels[] probe of $k lists xdp"
	case $(kj "['backend']") in qemu | vng) ;; *) fail "kernels[] backend of $k: $(kj "['backend']")" ;; esac
	expect_eq "$(kj "['boot_s'] > 0")" True "kernels[] boot_s of $k"
done
expect_eq "$(json_py "[x['series'] for x in d['kernels']]" "$T/r.json")" "['$K1', '$K2']" "kernels[] oldest first, series as given"
# the same probe as the run folder's probe.json
expect_eq "$(json_py "[x for x in d['kernels'] if x['release'] == '$R1'][0]['probe'] == json.load(open('$T/run/$K1/probe.json'))" "$T/r.json")" True "kernels[] probe equals probe.json"

# JUnit: one testsuite per kernel
expect_eq "$(grep -c '<testsuite ' "$T/junit.xml")" 2 "JUnit testsuites"

# the run folder: console, guest output, feature probe per kernel
for k in "$K1" "$K2"; do
	for f in console.log guest.out results.json probe.json; do
		[ -s "$T/run/$k/$f" ] || fail "run folder lacks $k/$f"
	done
	expect_eq "$(json_py '"xdp" in d["prog_types"]' "$T/run/$k/probe.json")" True "probe of $k lists xdp"
done
# the probe justifies the skip: 5.10 cannot call bpf_loop (helper 181) from any probed type
expect_eq "$(json_py '181 in d["helpers"]["kprobe"]' "$T/run/$K1/probe.json")" False "$K1 probe: no bpf_loop"
expect_eq "$(json_py '181 in d["helpers"]["kprobe"]' "$T/run/$K2/probe.json")" True "$K2 probe: bpf_loop"
cat "$T/run/timings.tsv"
echo "two kernels in ${secs}s"
