#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/run.sh: run bpfgate's test suite; one line per test, a summary at the end.
#
#   tests/run.sh [-t GLOB] [-l]
#     -t GLOB   run only tests whose name matches GLOB (e.g. 'unit/*', '*reproducible*')
#     -l        list the tests, run nothing
#
# Environment (set by `make check`): O (output folder), BPFGATE (the binary).
# A test's output is shown, indented, only when it fails; a Check unit test's own
# summary line is always shown. Each test has a deadline (TEST_TIMEOUT, default 900 s).
# Exit status: 0 all passed or skipped, 1 a test failed, 2 usage error.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
export O=${O:-$top/build} BPFGATE=${BPFGATE:-$top/build/bpfgate} TOP=$top
filter='*' list=0
while getopts 't:lh' opt; do
	case $opt in
	t) filter=$OPTARG ;;
	l) list=1 ;;
	h) sed -n '3,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
timeout_s=${TEST_TIMEOUT:-900}

tests=()
for b in "$O"/tests/unit/test_*; do
	[ -x "$b" ] && [ "${b%.d}" = "$b" ] && tests+=("unit/$(basename "$b")")
done
for b in "$O"/tests/functional/test_*; do
	[ -x "$b" ] && [ "${b%.d}" = "$b" ] && tests+=("functional/$(basename "$b")")
done
for s in tests/*/test_*.sh; do
	[ -f "$s" ] && tests+=("${s#tests/}")
done
for f in "$O"/tests/fuzz/fuzz_*; do
	[ -x "$f" ] && [ "${f%.d}" = "$f" ] && tests+=("fuzz/$(basename "$f")")
done

pass=0 fail=0 skip=0 failed=()
for t in "${tests[@]}"; do
	# shellcheck disable=SC2053
	[[ $t == $filter ]] || continue
	if [ $list = 1 ]; then echo "$t"; continue; fi
	out=$(mktemp)
	start=$(date +%s)
	case $t in
	*.sh)
		# Shell tests in any folder, functional/ included.
		timeout "$timeout_s" bash "tests/$t" >"$out" 2>&1
		rc=$?
		;;
	unit/*)
		timeout "$timeout_s" "$O/tests/$t" >"$out" 2>&1
		rc=$?
		# The same test again under ASan/UBSan when that build exists.
		if [ $rc -eq 0 ] && [ -x "$O/san/tests/$t" ]; then
			echo "--- under ASan/UBSan" >>"$out"
			ASAN_OPTIONS=detect_leaks=1 timeout "$timeout_s" "$O/san/tests/$t" >>"$out" 2>&1
			rc=$?
		fi
		;;
	functional/*)
		timeout "$timeout_s" "$O/tests/$t" >"$out" 2>&1
		rc=$?
		;;
	fuzz/*)
		# Replay the seed corpus (regression), then a short bounded exploration.
		n=${t#fuzz/}
		mkdir -p "$O/fuzz-corpus/$n"
		# (libFuzzer's own failure status is 77, the suite's "skip": use 1)
		timeout "$timeout_s" "$O/tests/$t" -error_exitcode=1 -runs=0 "tests/fuzz/corpus/$n" \
			>"$out" 2>&1 &&
			timeout "$timeout_s" "$O/tests/$t" -error_exitcode=1 \
				-max_total_time="${FUZZ_SECONDS:-10}" \
				-seed=1 -artifact_prefix="$O/fuzz-corpus/$n-" \
				"$O/fuzz-corpus/$n" "tests/fuzz/corpus/$n" >>"$out" 2>&1
		rc=$?
		# libFuzzer adds new inputs to the first folder: the scratch one in $O, not the
		# committed seeds; crash inputs go there too
		;;
	*)
		timeout "$timeout_s" bash "tests/$t" >"$out" 2>&1
		rc=$?
		;;
	esac
	secs=$(($(date +%s) - start))
	case $rc in
	0)
		pass=$((pass + 1))
		printf '[%s] PASS (%ss)\n' "$t" "$secs"
		[[ $t == unit/* || $t == functional/* ]] && grep -E '^[0-9]+%: Checks:' "$out" | sed 's/^/    /'
		;;
	77)
		skip=$((skip + 1))
		printf '[%s] SKIP: %s\n' "$t" "$(tail -n 1 "$out")"
		;;
	*)
		fail=$((fail + 1))
		failed+=("$t")
		[ $rc -eq 124 ] && echo "timed out after ${timeout_s}s" >>"$out"
		printf '[%s] FAIL (exit %s, %ss)\n' "$t" "$rc" "$secs"
		tail -n 60 "$out" | sed 's/^/    /'
		;;
	esac
	rm -f "$out"
done
[ $list = 1 ] && exit 0

total=$((pass + fail + skip))
echo "Summary: $pass/$total PASSED, $skip SKIPPED, $fail FAILED"
[ $fail -eq 0 ] || printf 'Failed: %s\n' "${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
