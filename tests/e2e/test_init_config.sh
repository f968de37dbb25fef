#!/usr/bin/env bash
# bpfgate init writes a bpfgate.conf that its own parser reads back, finds the
# programs folder, never replaces a file unless --force, and leaves nothing half
# written; bpfgate config check/get/make read it; --help and the man pages agree.
. "$(dirname "$0")/../lib.sh"

# help and man pages
opts() { grep -oE -- '--[a-z][a-z0-9-]+' | sort -u; }
for cmd in init config; do
	page=docs/bpfgate-$cmd.8
	run "$BPFGATE" $cmd --help
	expect_eq "$rc" 0 "bpfgate $cmd --help"
	h=$(echo "$out" | opts)
	m=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$page" | opts)
	[ "$h" = "$m" ] || fail "bpfgate $cmd: --help and $page differ: $(diff <(echo "$h") <(echo "$m") | grep '^[<>]' | tr '\n' ' ')"
	run "$BPFGATE" --help
	expect_contains "$out" "  $cmd " "bpfgate --help lists $cmd"
done

# a project: programs two levels down, a smaller folder and a hidden one beside them
P=$T/proj
mkdir -p "$P/src/bpf" "$P/tools" "$P/.cache/many"
cp -r tests/build/ownproject/src/. "$P/src/bpf/"
touch "$P/tools/one.bpf.c" "$P/.cache/many/"{a,b,c,d,e,f}.bpf.c
run "$BPFGATE" init "$P"
expect_eq "$rc" 0 "init: $err"
expect_eq "$out" "wrote $P/bpfgate.conf: 5 programs in src/bpf" "init's summary"
conf=$(cat "$P/bpfgate.conf")
expect_contains "$conf" "programs = src/bpf" "programs folder found"
for n in broken flagged own_vmlinux plain split; do
	grep -qx "#   $n" "$P/bpfgate.conf" || fail "program $n not listed"
done
expect_contains "$conf" "kernels = $(ci/kernels.sh list)" "kernels of the matrix"
expect_eq "$(ls -A "$P")" "$(printf '.cache\nbpfgate.conf\nsrc\ntools')" "nothing else left in the folder"
# read back by config
run "$BPFGATE" config -c "$P/bpfgate.conf" check
expect_eq "$rc" 0 "check: $err"
run "$BPFGATE" config -c "$P/bpfgate.conf" get project.programs
expect_eq "$out" "$P/src/bpf" "get project.programs"
run "$BPFGATE" config -c "$P/bpfgate.conf" get gate.max_growth
expect_eq "$out" "10%" "get gate.max_growth"
run "$BPFGATE" config -c "$P/bpfgate.conf" get gate.allow_removed
expect_eq "$rc" 1 "get of an unset key"
expect_eq "$out$err" "" "unset key: silent"
run "$BPFGATE" config -c "$P/bpfgate.conf" get gate.nope
expect_eq "$rc" 2 "get of an unknown key"
expect_contains "$err" "bpfgate: gate.nope: no such key" "unknown key message"
# from the project's folder: the default file, paths relative to it
run bash -c "cd '$P' && '$BPFGATE' config get project.baseline"
expect_eq "$out" "src/bpf/bpfgate-baseline.json" "relative path from the project's folder"

# never replaced without --force; with it, replaced whole
sum=$(sha256sum <"$P/bpfgate.conf")
echo "# edited" >>"$P/bpfgate.conf"
sum=$(sha256sum <"$P/bpfgate.conf")
run "$BPFGATE" init "$P"
expect_eq "$rc" 2 "init over an existing file"
expect_eq "$err" "bpfgate: $P/bpfgate.conf: exists (use --force to replace it)" "exists message"
expect_eq "$(sha256sum <"$P/bpfgate.conf")" "$sum" "existing file untouched"
run "$BPFGATE" init --force --programs tools "$P"
expect_eq "$rc" 0 "init --force: $err"
expect_eq "$out" "wrote $P/bpfgate.conf: 1 program in tools" "forced summary"
grep -q '^# edited' "$P/bpfgate.conf" && fail "--force kept the old content"
expect_eq "$(ls -A "$P" | grep -c '^\.bpfgate')" 0 "no temporary file left"
run "$BPFGATE" init --stdout "$P"
expect_eq "$rc" 0 "init --stdout"
expect_contains "$out" "[project]" "--stdout prints the config"

# refusals: no programs, a programs folder outside, bad usage
mkdir -p "$T/empty"
run "$BPFGATE" init "$T/empty"
expect_eq "$rc" 2 "init without programs"
expect_contains "$err" "no eBPF programs (*.bpf.c) found" "no programs message"
[ -e "$T/empty/bpfgate.conf" ] && fail "a config was written without programs"
run "$BPFGATE" init --programs ../proj/src/bpf "$T/empty"
expect_eq "$rc" 2 "init --programs outside the project"
expect_contains "$err" "programs: '../proj/src/bpf' leaves the folder" "outside message"
[ -e "$T/empty/bpfgate.conf" ] && fail "a config was written for a folder outside"
run "$BPFGATE" init "$T/nosuch"
expect_eq "$rc" 2 "init of a folder that does not exist"
expect_eq "$err" "bpfgate: $T/nosuch: not a folder" "not a folder message"
run "$BPFGATE" init --programs nosuch "$P"
expect_eq "$rc" 2 "init --programs of a folder that does not exist"
expect_contains "$err" "cannot read the programs folder: No such file or directory" "message"
run "$BPFGATE" init a b
expect_eq "$rc" 2 "two folders"
run "$BPFGATE" init --bogus
expect_eq "$rc" 2 "unknown option"
expect_contains "$err" "--bogus: unknown option" "unknown option message"

# config: errors at FILE:LINE, exit 2
printf '[project]\nprograms = src\n[gate]\nmax_share = 200%%\n' >"$T/bad.conf"
run "$BPFGATE" config -c "$T/bad.conf" check
expect_eq "$rc" 2 "invalid config"
expect_eq "$err" "bpfgate: $T/bad.conf:4: max_share: '200%' is not a percentage from 0 to 100%" \
	"error at FILE:LINE"
run "$BPFGATE" config -c "$T/none.conf" check
expect_eq "$rc" 2 "missing config"
expect_contains "$err" "none.conf: No such file or directory" "missing config message"
run "$BPFGATE" config
expect_eq "$rc" 2 "config without a verb"

# config make: the variables bpf.mk includes, make-escaped
cat >"$T/m.conf" <<'CONF'
[project]
programs = src/bpf
[build]
cflags = "-DA='x y' -DB=#"
includes = inc other/inc
[program "fl*"]
cflags = -DFLAGGED=1
[program "broken"]
exclude = yes
[test "t"]
exe = build/t
CONF
mkdir -p "$T/src"
cp -r "$P/src/bpf" "$T/src/"
run "$BPFGATE" config -c "$T/m.conf" make
expect_eq "$rc" 0 "config make: $err"
expect_contains "$out" "PROGRAMS_DIR := $T/src/bpf" "PROGRAMS_DIR"
expect_contains "$out" "BPF_CONFIG_CFLAGS := -DA='x y' -DB=\\#" "escaped cflags"
expect_contains "$out" "BPF_CONFIG_INCLUDES := -I$T/inc -I$T/other/inc" "includes"
expect_contains "$out" "BPF_CONFIG_CFLAGS_flagged := -DFLAGGED=1" "per-program flags"
expect_contains "$out" "BPF_EXCLUDE := broken" "exclusions"
expect_contains "$out" "BPF_CONFIG_TESTS := $T/build/t" "tests"
# make reads the escaped values back as they were written
echo "$out" >"$T/vars.mk"
printf 'include %s\n$(info $(BPF_CONFIG_CFLAGS))\nall: ;\n' "$T/vars.mk" >"$T/read.mk"
run make -s -f "$T/read.mk"
expect_eq "$out" "-DA='x y' -DB=#" "make sees the value as written"
echo "init writes a config that reads back; config check/get/make agree with it"
