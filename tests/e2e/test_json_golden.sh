#!/usr/bin/env bash
# The JSON result, byte for byte: a result file with every field (pass, fail with its
# log, skip, error, a functional test, kernels with a probe) read and written again by
# bpfgate merge is the JSON the code before the statistics registry wrote (the golden
# files), so the registry changed no key, order or format; ci/baseline.json too.
. "$(dirname "$0")/../lib.sh"

F=tests/fixtures/json
run "$BPFGATE" merge --pretty "$F/results.json"
expect_eq "$rc" 2 "merge of a set with an error: exit status"
printf '%s\n' "$out" >"$T/pretty.json"
cmp -s "$T/pretty.json" "$F/results.pretty.golden" ||
	fail "pretty JSON differs from $F/results.pretty.golden:" \
		"$(diff "$F/results.pretty.golden" "$T/pretty.json" | head -5)"
run "$BPFGATE" merge --json "$F/results.json"
printf '%s\n' "$out" >"$T/compact.json"
cmp -s "$T/compact.json" "$F/results.compact.golden" ||
	fail "compact JSON differs from $F/results.compact.golden"
# a baseline written by bpfgate reads and writes back the same
run "$BPFGATE" merge --pretty ci/baseline.json
printf '%s\n' "$out" >"$T/baseline.json"
cmp -s "$T/baseline.json" ci/baseline.json || fail "ci/baseline.json does not write back the same"
echo "JSON results are written as before"
