#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ci/workflow.sh: the steps of the CI workflow (ci/github-workflow.yml), as commands
# that run the same on a developer's machine.
#
#   ci/workflow.sh kernels     the kernels to verify on, as a JSON array (the job matrix)
#   ci/workflow.sh build       build bpfgate, the project's programs and its tests
#   ci/workflow.sh verify K    verify every program (and run the tests) on kernel K,
#                              gated against the baseline: $OUT/K.json; exit like verify
#   ci/workflow.sh merge       merge $OUT/*.json, gate them, write $OUT/merged.json,
#                              $OUT/junit.xml, the HTML report $OUT/report.html and the
#                              Markdown summary $SUMMARY (bpfgate also appends it to
#                              $GITHUB_STEP_SUMMARY); exit like verify
#   ci/workflow.sh settings    print what the steps use (from inputs, config, defaults)
#
# Environment (the workflow's inputs; all optional):
#   PROJECT_DIR   the project's checkout (default: the current folder)
#   BPFGATE_DIR   bpfgate's sources (default: the folder above this script)
#   CONFIG        the project's bpfgate.conf, relative to PROJECT_DIR (default:
#                 bpfgate.conf when it exists)
#   PROGRAMS      the programs folder, relative to PROJECT_DIR (default: the config's;
#                 without a config, bpfgate's own programs)
#   KERNELS       kernels, space separated (default: the config's, else ci/kernels.conf)
#   BASELINE      the baseline, relative to PROJECT_DIR (default: the config's; bpfgate's
#                 own ci/baseline.json for bpfgate itself)
#   OUT           where results go (default: PROJECT_DIR/bpfgate-results)
#   SUMMARY       the Markdown summary (default: OUT/summary.md)
#   O             bpfgate's build folder (default: BPFGATE_DIR/build)
#   BPFGATE       a bpfgate already built (default: O/bpfgate, built when missing)
# Exit status: 0 ok, 1 a program failed or regressed, 2 usage or environment error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BPFGATE_DIR=$(cd "${BPFGATE_DIR:-$here/..}" && pwd)
PROJECT_DIR=$(cd "${PROJECT_DIR:-.}" && pwd)
O=${O:-$BPFGATE_DIR/build}
OUT=${OUT:-$PROJECT_DIR/bpfgate-results}
bpfgate=${BPFGATE:-$O/bpfgate}

die() {
	echo "bpfgate: $1: $2" >&2
	exit "${3:-2}"
}

# The project is bpfgate itself when it has no config and names no programs folder.
config=
if [ -n "${CONFIG:-}" ]; then
	config=$PROJECT_DIR/$CONFIG
	[ -f "$config" ] || die "$CONFIG" "config not found in $PROJECT_DIR"
elif [ -f "$PROJECT_DIR/bpfgate.conf" ]; then
	config=$PROJECT_DIR/bpfgate.conf
fi
self=false
[ -z "$config" ] && [ -z "${PROGRAMS:-}" ] && self=true

# conf KEY: a value of the config, empty when unset (or without a config)
conf() {
	[ -n "$config" ] || return 0
	"$bpfgate" config -c "$config" get "$1" || [ $? -eq 1 ]
}

# The project's own kernel matrix, when its config names one.
kernels_conf() {
	local kc
	[ -n "$config" ] || return 0
	need_bpfgate
	kc=$(conf project.kernels_conf)
	[ -z "$kc" ] || export BPFGATE_KERNELS_CONF=$kc
}

# make ARGS: bpfgate's Makefile on the project's programs
make_project() {
	local args=(-C "$BPFGATE_DIR" O="$O" BPFGATE="$bpfgate")
	[ -n "${PROGRAMS:-}" ] && args+=(PROGRAMS_DIR="$PROJECT_DIR/$PROGRAMS")
	[ -n "$config" ] && args+=(BPF_CONFIG="$config")
	make "${args[@]}" "$@"
}

need_bpfgate() {
	[ -x "$bpfgate" ] || make -C "$BPFGATE_DIR" O="$O" "$bpfgate" >&2
}

kernels() {
	local k=${KERNELS:-}
	if [ -z "$k" ] && [ -n "$config" ]; then
		need_bpfgate
		k=$(conf project.kernels)
	fi
	if [ -z "$k" ]; then
		kernels_conf
		k=$("$BPFGATE_DIR/ci/kernels.sh" list)
	fi
	echo "$k"
}

baseline() {
	local b=${BASELINE:-}
	if [ -n "$b" ]; then
		[ -f "$PROJECT_DIR/$b" ] || die "$b" "baseline not found in $PROJECT_DIR"
		echo "$PROJECT_DIR/$b"
		return
	fi
	if [ -n "$config" ]; then
		b=$(conf project.baseline)
	elif $self; then
		b=$BPFGATE_DIR/ci/baseline.json
	fi
	[ -n "$b" ] || return 0
	# a path from the config is relative to the current folder as given: the project's
	case $b in /*) ;; *) b=$PROJECT_DIR/$b ;; esac
	if [ -f "$b" ]; then
		echo "$b"
	else
		echo "::warning::bpfgate: $b: no baseline yet, nothing to gate (write one with" \
			"'make baseline' and check it in)" >&2
	fi
}

# The objects built and the tests to run in each kernel, one per line.
objects() { find "$O/programs" -maxdepth 1 -name '*.bpf.o' | sort; }
tests() {
	if $self; then
		find "$O/tests/functional-static" -maxdepth 1 -type f -name 'test_*' ! -name '*.d' | sort
	elif [ -n "$config" ]; then
		"$bpfgate" config -c "$config" make | sed -n 's/^BPF_CONFIG_TESTS := //p' | tr ' ' '\n'
	fi
}

cmd=${1:-}
case $cmd in
kernels)
	printf '['
	sep=
	for k in $(kernels); do
		printf '%s"%s"' "$sep" "$k"
		sep=,
	done
	printf ']\n'
	;;
build)
	need_bpfgate
	if $self; then
		# bpfgate's own programs, their loaders, and the functional tests for the VMs
		make -C "$BPFGATE_DIR" O="$O" all functional-static
	else
		make_project bpf-objs bpf-skels
	fi
	;;
verify)
	[ $# -eq 2 ] || die workflow.sh "verify needs one kernel (try --help)"
	need_bpfgate
	kernels_conf
	mkdir -p "$OUT"
	args=(--json --kernel "$2")
	b=$(baseline)
	[ -n "$b" ] && args+=(--baseline "$b")
	while read -r t; do [ -n "$t" ] && args+=(--test "$t"); done < <(tests)
	mapfile -t objs < <(objects)
	[ ${#objs[@]} -gt 0 ] || die "$O/programs" "no objects built (run ci/workflow.sh build)"
	status=0
	BPFGATE_RESULT_DIR="$OUT/run-$2" "$bpfgate" verify "${args[@]}" "${objs[@]}" \
		>"$OUT/$2.json.tmp" || status=$?
	# no result at all (exit 2 before verifying) leaves no file for merge to misread
	if [ -s "$OUT/$2.json.tmp" ]; then
		mv "$OUT/$2.json.tmp" "$OUT/$2.json"
	else
		rm -f "$OUT/$2.json.tmp"
	fi
	exit $status
	;;
merge)
	need_bpfgate
	summary=${SUMMARY:-$OUT/summary.md}
	shopt -s nullglob
	results=()
	for r in "$OUT"/*.json; do
		[ "$r" = "$OUT/merged.json" ] || results+=("$r")
	done
	[ ${#results[@]} -gt 0 ] || die "$OUT" "no results to merge"
	args=(--json --junit "$OUT/junit.xml" --html "$OUT/report.html" --markdown "$summary")
	b=$(baseline)
	[ -n "$b" ] && args+=(--baseline "$b")
	"$bpfgate" merge "${args[@]}" "${results[@]}" >"$OUT/merged.json.tmp" && status=0 || status=$?
	mv "$OUT/merged.json.tmp" "$OUT/merged.json"
	exit $status
	;;
settings)
	need_bpfgate
	echo "project:  $PROJECT_DIR$($self && echo " (bpfgate itself)")"
	echo "config:   ${config:-none}"
	echo "kernels:  $(kernels)"
	echo "baseline: $(baseline)"
	echo "tests:    $(tests | tr '\n' ' ')"
	;;
-h | --help)
	sed -n '3,29s/^# \{0,1\}//p' "$0"
	;;
*)
	die workflow.sh "unknown command '$cmd' (try --help)"
	;;
esac
