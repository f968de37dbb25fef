#!/usr/bin/env bash
# The CI workflow is a reusable workflow with the promised inputs, whose steps name
# only files, ci/workflow.sh commands and make targets that exist, that keys the
# kernel cache by the kernel matrix's hash, installs subsets of the dependencies,
# and leaves no inline Python or jq in ci/ (tests/ci/workflow_refs.py).
. "$(dirname "$0")/../lib.sh"

python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml not installed (ci/deps.sh installs it)"
check() { python3 tests/ci/workflow_refs.py "$TOP" "$@"; }
run check ci/github-workflow.yml ci/github-ci.yml
[ $rc -eq 0 ] || fail "workflow structure: $out $err"
# the checker fails where it should: a missing file, script command and make target,
# the old inline-Python workflow
sed -e 's|bpfgate/ci/workflow.sh build|bpfgate/ci/nosuch.sh build|' \
	-e 's|workflow.sh merge|workflow.sh mangle|' \
	-e 's|deps.sh --for build|deps.sh --for build \&\& make nosuchtarget|' \
	ci/github-workflow.yml >"$T/broken.yml"
run check "$T/broken.yml" ci/github-ci.yml
expect_eq "$rc" 1 "broken workflow"
expect_contains "$out" "'ci/nosuch.sh' does not exist" "missing file"
expect_contains "$out" "ci/workflow.sh has no command 'mangle'" "missing command"
expect_contains "$out" "make has no target 'nosuchtarget'" "missing target"
printf 'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: python3 - <<PY\n' >"$T/old.yml"
run check "$T/old.yml" ci/github-ci.yml
expect_eq "$rc" 1 "a plain push workflow"
expect_contains "$out" "not a reusable workflow" "workflow_call required"
expect_contains "$out" "old.yml: inline Python or jq" "inline Python found"
echo "workflow: reusable, its steps' files, commands and targets exist, no inline Python"
