#!/usr/bin/env bash
# A program that does not compile fails the build naming file:line, and leaves
# nothing partial in the output folder.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$T/p"
cat >"$T/p/broken.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int broken(struct xdp_md *ctx)
{
	return XDP_PASS +
}
char LICENSE[] SEC("license") = "GPL";
C
run make PROGRAMS_DIR="$T/p" O="$T/out" bpf-objs bpf-skels
[ $rc -ne 0 ] || fail "a broken program built"
expect_contains "$err" "broken.bpf.c:8" "error names file:line"
left=$(find "$T/out" -name '*.o' -o -name '*.skel.h' -o -name '*.tmp' 2>/dev/null)
[ -z "$left" ] || fail "partial output left behind: $left"
echo "compile error reported at broken.bpf.c:8, nothing left behind"
