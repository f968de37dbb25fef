#!/usr/bin/env bash
# Every command's --help and its man page list the same long options.
. "$(dirname "$0")/../lib.sh"

opts() { grep -oE -- '--[a-z][a-z0-9-]+' | sort -u; }
# Every command that `bpfgate --help` lists, so that a new one is covered by itself.
run "$BPFGATE" --help
cmds=$(echo "$out" | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
for c in verify compare merge baseline kernel init config; do
	echo "$cmds" | grep -qx "$c" || fail "bpfgate --help does not list $c"
done
for cmd in $cmds; do
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
for cmd in $cmds; do
	grep -q "^\.B $cmd\$" docs/bpfgate.8 || fail "docs/bpfgate.8 does not list $cmd"
done
run "$BPFGATE" --version
expect_contains "$out" "libbpf" "--version names libbpf"
echo "help and man pages agree"
