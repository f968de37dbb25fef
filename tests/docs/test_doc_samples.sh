#!/usr/bin/env bash
# Every command sample of the README and docs/ that shows output (a ```console block)
# is run, and what it prints must match what the docs show (modulo numbers, kernel
# releases and `...`): the docs cannot drift from the tool. See tests/docs/doc_samples.py.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" = 0 ] || skip "the samples load BPF programs: needs root"
[ -e "$O/fixtures/programs/unreleased_ref.bpf.o" ] || fail "no fixture objects in $O/fixtures (make line-info-fixtures)"

docs=(README.md docs/*.md docs/*.8)
run python3 tests/docs/doc_samples.py --list "${docs[@]}"
expect_eq "$rc" 0 "the samples parse ($err)"
n=$(printf '%s\n' "$out" | grep -c .)
[ "$n" -ge 5 ] || fail "only $n command samples found in the docs: $out"

# The comparison itself must be able to fail: a sample whose shown output is wrong.
cat >"$T/wrong.md" <<'MD'
```console
$ bpfgate --version
bpfgate 999 this is not what it prints
```
MD
run python3 tests/docs/doc_samples.py "$T/wrong.md"
expect_eq "$rc" 1 "a wrong sample is reported ($out)"
expect_contains "$out" "the output differs from the docs" "a wrong sample is named"

run python3 tests/docs/doc_samples.py "${docs[@]}"
[ "$rc" = 0 ] || fail "docs samples differ from what the tool prints:
$out"
echo "$out"
