#!/usr/bin/env bash
# A verifier log cut at its size limit says so wherever it is shown: the failure
# section, the -v log, JUnit, Markdown, and JSON ("log_truncated": true). A log
# that fitted says nothing of the kind.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to load programs"
# ~108k instructions processed before the error: the trace (log level 1|2) is
# larger than the 16 MiB buffer of the explaining load (8000 iterations are)
cat >"$T/long_log.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("xdp")
int long_log(struct xdp_md *ctx)
{
	__u32 sum = ctx->ingress_ifindex;
	int i;
#pragma clang loop unroll(disable)
	for (i = 0; i < 12000; i++)
		sum = sum * 31 + i;
	return *(int *)(long)(sum & 0xff); /* not a pointer */
}
char LICENSE[] SEC("license") = "GPL";
C
${CLANG:-clang} -g -O2 -target bpf -Icompiler -c "$T/long_log.bpf.c" -o "$T/long_log.bpf.o" ||
	fail "compile long_log"
note="[verifier log truncated: it did not fit its size limit]"

run "$BPFGATE" verify -v --junit "$T/r.xml" --markdown "$T/r.md" "$T/long_log.bpf.o"
expect_eq "$rc" 1 "a rejected program"
expect_contains "$out" "R1 invalid mem access 'scalar'" "the error line"
expect_contains "$out" "    R1 invalid mem access 'scalar'
  $note" "the failure section says the log was cut"
expect_contains "$err" "$note
-- END PROG LOAD LOG --" "the -v log says it was cut"
expect_contains "$(cat "$T/r.xml")" "$note" "JUnit says so"
expect_contains "$(cat "$T/r.md")" "$note" "Markdown says so"
run "$BPFGATE" verify --json "$T/long_log.bpf.o"
expect_contains "$out" '"log_truncated":true' "JSON says so"

# a whole log: no such note
run "$BPFGATE" verify -v --json "$O/tests/programs/bug_oob.bpf.o"
expect_eq "$rc" 1 "bug_oob is rejected"
case $out$err in *log_truncated*|*"$note"*) fail "a whole log called truncated" ;; esac
echo "a cut verifier log says so"
