#!/usr/bin/env bash
# A whole bpfgate verify run under ASan and UBSan (the build make check makes in
# $O/san): every object of the project and of tests/bpf, third-party CO-RE
# programs (per-object BTF subsets), objects that fail before the verifier, and
# no sanitizer report. (Leaks of the worker processes, which end with _exit,
# are valgrind's part: test_valgrind.sh.)
. "$(dirname "$0")/../lib.sh"

SAN=$O/san/bpfgate
[ -x "$SAN" ] || fail "$SAN was not built (make sanitize)"
B=$O/tests/programs
compile_thirdparty "$T"
${CLANG:-clang} -g -O2 -target bpf -Icompiler -c tests/fixtures/object_faults/unsized_maps.bpf.c \
	-o "$T/unsized_maps.bpf.o" || fail "compile unsized_maps.bpf.c"
${CLANG:-clang} -g -O2 -target bpf -Icompiler -c tests/fixtures/object_faults/bad_map_def.bpf.c \
	-o "$T/bad_map_def.bpf.o" || fail "compile bad_map_def.bpf.c"
all=("$O"/programs/*.bpf.o "$B"/*.bpf.o "$T"/*.bpf.o)
for jobs in 1 2; do
	ASAN_OPTIONS=detect_leaks=1 run "$SAN" verify --jobs $jobs --json "${all[@]}"
	expect_eq "$rc" 2 "--jobs $jobs: exit status (bad_map_def is an error)"
	grep -q "Sanitizer\|runtime error" <<<"$err" && fail "--jobs $jobs: sanitizer report: $err"
	python3 -c 'import json, sys; d = json.load(sys.stdin); assert len(d["results"]) > 30' \
		<<<"$out" || fail "--jobs $jobs: too few results"
done
echo "ASan and UBSan clean"
