#!/usr/bin/env bash
# Every command's --help and its man page list the same long options.
. "$(dirname "$0")/../lib.sh"

opts() { grep -oE -- '--[a-z][a-z0-9-]+' | sort -u; }
for cmd in verify compare merge baseline kernel; do
	page=docs/bpfgate-$cmd.8
	[ -f "$page" ] || fail "$page missing"
	run "$BPFGATE" $cmd --help
	expect_eq "$rc" 0 "bpfgate $cmd --help exit status"
	[ -n "$out" ] || fail "bpfgate $cmd --help printed nothing on stdout"
	h=$(echo "$out" | opts)
	m=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$page" | opts)
	[ "$h" = "$m" ] || fail "bpfgate $cmd: --help and $page differ: $(diff <(echo "$h") <(echo "$m") | grep '^[<>]' | tr '\n' ' ')"
done
run "$BPFGATE" --help
expect_eq "$rc" 0 "bpfgate --help"
for cmd in verify compare merge baseline kernel; do expect_contains "$out" "$cmd" "bpfgate --help lists $cmd"; done
run "$BPFGATE" --version
expect_contains "$out" "libbpf" "--version names libbpf"
echo "help and man pages agree"
