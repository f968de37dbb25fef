#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# compiler/release.sh: ship only what was verified, as a reproducible archive.
#
#   release.sh OUTDIR BPFGATE OBJ...
#
# Environment (the Makefile's `release` target sets it):
#   RELEASE_KERNELS  the kernels to verify on and ship minimal BTF for (required; the
#                    build machine only when it says `host`)
#   RELEASE_BTF      a folder of more target kernels' BTF, not booted (release-btf.sh)
#   ALLOW_DIRTY=1    release a work tree with uncommitted changes (the manifest says so)
#   RELEASE_NAME, RELEASE_VERSION   default: the git top folder's name, git describe
#   RELEASE_TESTS    functional test executables run on every kernel
#   RELEASE_VERIFY   more `bpfgate verify` options (the gate: --baseline FILE ...)
#   RELEASE_HEADERS  the headers shared by the programs and their user space
#   RELEASE_CFLAGS   the flags that shaped the objects (recorded)
#   CLANG, BPFTOOL, SOURCE_DATE_EPOCH (default: the commit's time)
#
# Steps: refuse a dirty tree; `bpfgate core-check` against every target kernel's BTF
# (fails fast, nothing booted); the matrix (bpfgate verify with the tests and the
# gate on RELEASE_KERNELS), reused when the objects, tests, kernels, options and
# bpfgate are those of the last successful run (OUTDIR/../matrix.stamp); then
# OUTDIR/NAME-VERSION/ and OUTDIR/NAME-VERSION.tar.gz (layout: docs/releasing.md).
# Everything is written to OUTDIR.tmp and renamed at the end: a refused or failed
# release leaves nothing. Exit 0 released, 1 refused (one line per reason: program,
# kernel and why), 2 usage, input or environment error.
set -euo pipefail
export LC_ALL=C

[ $# -ge 3 ] || { echo "usage: $0 OUTDIR BPFGATE OBJ..." >&2; exit 2; }
out=$1 bpfgate=$2
shift 2
objs=("$@")
here=$(cd "$(dirname "$0")" && pwd)
BPFTOOL=${BPFTOOL:-bpftool}
CLANG=${CLANG:-clang}
die() { echo "bpfgate: $1: $2" >&2; exit "${3:-2}"; }
say() { printf '  %-8s %s\n' "$1" "$2"; }

# any blanks separate them, newlines too (kernels.sh list piped through grep)
read -r -d "" -a kernels <<<"${RELEASE_KERNELS:-}" || true
[ ${#kernels[@]} -gt 0 ] ||
	die release "no target kernels (RELEASE_KERNELS; the matrix's come from kernels.conf)"

# --- the source: commit, dirty flag, name, version, time ---------------------------
top=$(git rev-parse --show-toplevel 2>/dev/null) ||
	die "$PWD" "not a git work tree (a release records its source commit)"
commit=$(git -C "$top" rev-parse HEAD 2>/dev/null) || die "$top" "no commit yet"
dirty=false
changes=$(git -C "$top" status --porcelain --untracked-files=normal)
if [ -n "$changes" ]; then
	dirty=true
	first=$(echo "$changes" | head -n 1 | cut -c4-)
	[ "$(echo "$changes" | wc -l)" -eq 1 ] || first="$first, ..."
	[ "${ALLOW_DIRTY:-}" = 1 ] || die "$top" "the work tree has uncommitted changes \
($first): commit them, or ALLOW_DIRTY=1 to release it (recorded in the manifest)" 1
fi
name=${RELEASE_NAME:-$(basename "$top")}
# (git describe --dirty does not count untracked files; the release does)
version=${RELEASE_VERSION:-$(git -C "$top" describe --always)$([ "$dirty" = false ] || echo -dirty)}
for v in "$name" "$version"; do
	[[ $v =~ ^[A-Za-z0-9][A-Za-z0-9._+~-]*$ ]] ||
		die release "'$v': a release name and version are [A-Za-z0-9._+~-]"
done
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct)}
rel=$name-$version

tmp=$out.tmp
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/work"

# --- 1. offline CO-RE check against every target, before booting anything -----------
rc=0
"$here/release-core-check.sh" "$bpfgate" "$tmp/work" "${kernels[@]}" -- "${objs[@]}" || rc=$?
[ $rc -eq 0 ] || { echo "bpfgate: release: refused: CO-RE relocations fail (above)" >&2; exit $rc; }

# --- 2. the matrix: verification, functional tests and gate, or its last good run ---
read -r -d "" -a tests <<<"${RELEASE_TESTS:-}" || true
read -r -d "" -a vflags <<<"${RELEASE_VERIFY:-}" || true
matrix=$(dirname "$out")/matrix
# what the run depends on: bpfgate, objects, tests, kernels, options and their files
stamp() {
	local k w img
	sha256sum "$bpfgate" "${objs[@]}" ${tests[@]+"${tests[@]}"} | cut -d' ' -f1
	for k in "${kernels[@]}"; do
		if [ "$k" = host ]; then
			echo "host $(uname -r -v) $(sha256sum </sys/kernel/btf/vmlinux)"
		elif [ -e "$k" ]; then
			echo "$k $(sha256sum <"$k")"
		else
			img=$("$bpfgate" kernel path "$k") || return 1
			echo "$k $img $(sha256sum <"$img")"
		fi
	done
	for w in ${vflags[@]+"${vflags[@]}"}; do
		echo "$w"
		if [ -f "$w" ]; then sha256sum <"$w"; fi
	done
}
stamp >"$tmp/work/stamp" || die release "cannot fingerprint the matrix's inputs"
ktext="${kernels[*]}"
if [ -f "$matrix.stamp" ] && [ -f "$matrix.json" ] && cmp -s "$tmp/work/stamp" "$matrix.stamp"; then
	say MATRIX "$matrix.json reused (objects, tests, kernels, options and bpfgate unchanged)"
else
	rm -f "$matrix.stamp"
	say MATRIX "${#objs[@]} objects, ${#tests[@]} tests on $ktext"
	kargs=() targs=()
	for k in "${kernels[@]}"; do kargs+=(--kernel "$k"); done
	for t in ${tests[@]+"${tests[@]}"}; do targs+=(--test "$t"); done
	rc=0
	"$bpfgate" verify --json --markdown "$tmp/work/matrix.md" "${kargs[@]}" \
		${targs[@]+"${targs[@]}"} ${vflags[@]+"${vflags[@]}"} "${objs[@]}" \
		>"$tmp/work/matrix.json" 2> >(tee "$tmp/work/verify.err" >&2) || rc=$?
	wait
	if [ $rc -eq 1 ]; then
		# what is expected to pass and failed, then the gate's regressions
		jq -r '.results[] | select(.verdict == "fail" or .verdict == "error") |
			"bpfgate: \(.object | sub(".*/"; "")):\(.program) on \(.kernel): " +
			(if .prog_type == "test" then "functional test " else "" end) +
			"\(.verdict)s" + (if .error_class then " (\(.error_class))" else "" end) +
			(if .error then ": \(.error)" elif .reason then ": \(.reason)" else "" end)' \
			"$tmp/work/matrix.json" >&2 || true
		sed -n 's/^regression: \([^ ]*\) on \([^:]*\): /bpfgate: \1 on \2: gate regression: /p' \
			"$tmp/work/verify.err" >&2
		echo "bpfgate: release: refused: the matrix failed (above); nothing shipped" >&2
		exit 1
	fi
	[ $rc -eq 0 ] || { echo "bpfgate: release: the matrix could not run" >&2; exit 2; }
	cp "$tmp/work/matrix.json" "$matrix.json.tmp" && mv "$matrix.json.tmp" "$matrix.json"
	cp "$tmp/work/matrix.md" "$matrix.md"
	cp "$tmp/work/stamp" "$matrix.stamp"
fi

# --- 3. the release tree ---------------------------------------------------------------
d=$tmp/$rel
mkdir -p "$d/programs" "$d/include" "$d/btf" "$d/report"
lskel_refused='{}'
for obj in "${objs[@]}"; do
	n=$(basename "$obj" .bpf.o)
	cp "$obj" "$d/programs/"
	skel=${obj%.bpf.o}.skel.h
	[ -f "$skel" ] || die "$skel" "missing (make bpf-skels)"
	cp "$skel" "$d/include/"
	# a light skeleton (loader program, no libbpf at run time) when bpftool can make one
	if ! "$BPFTOOL" gen skeleton -L "$obj" name "${n//-/_}" >"$d/include/$n.lskel.h" \
		2>"$tmp/work/lskel.err"; then
		rm -f "$d/include/$n.lskel.h"
		why=$(grep -v '^libbpf: *$' "$tmp/work/lskel.err" | head -n 1)
		lskel_refused=$(jq -c --arg n "$n" --arg w "${why:-bpftool gen skeleton -L failed}" \
			'. + {($n): $w}' <<<"$lskel_refused")
		say LSKEL "$n: none ($why)"
	fi
done
for h in ${RELEASE_HEADERS:-}; do cp "$h" "$d/include/"; done

# Minimal BTF per target kernel: the types all the objects' CO-RE relocations need.
while IFS=$'\t' read -r k origin size; do
	"$BPFTOOL" gen min_core_btf "$tmp/work/btf/$k" "$d/btf/$k.min.btf" "${objs[@]}" >/dev/null ||
		die "$k" "bpftool gen min_core_btf failed"
done <"$tmp/work/btf.list"

# The matrix report as shipped: paths relative to the archive, no timings (they differ
# from run to run), the Markdown rendered from that JSON.
jq '.results |= map(.object |= (sub(".*/"; "") as $b |
		if ($b | endswith(".bpf.o")) then "programs/" + $b else "tests/" + $b end) |
		.verification_time_us = null) |
	.kernels |= map(.verify_s = null | .boot_s = null)' \
	"$matrix.json" >"$tmp/work/matrix.norm.json"
env -u GITHUB_STEP_SUMMARY "$bpfgate" merge --json --markdown "$d/report/matrix.md" \
	${vflags[@]+"${vflags[@]}"} "$tmp/work/matrix.norm.json" >"$d/report/matrix.json" \
	2>"$tmp/work/merge.err" || {
	cat "$tmp/work/merge.err" >&2
	die release "cannot render the report"
}

# --- 4. MANIFEST.json: provenance, and per program x kernel what was verified ---------
tool_version() { "$@" 2>/dev/null | head -n 1 || true; }
kernels_json=$(while IFS=$'\t' read -r k origin size; do
	jq -cn --arg k "$k" --arg o "$origin" --argjson full "$size" \
		--argjson min "$(stat -c %s "$d/btf/$k.min.btf")" \
		'{release: $k, origin: $o,
		  verified: (if ($o | startswith("btf:")) then "core-check" else "matrix" end),
		  btf_bytes: $full, min_btf: "btf/\($k).min.btf", min_btf_bytes: $min}'
done <"$tmp/work/btf.list" | jq -cs .)
programs_json=$(for obj in "${objs[@]}"; do
	n=$(basename "$obj" .bpf.o)
	jq -cn --arg n "$n" --argjson refused "$lskel_refused" \
		--argjson lskel "$([ -f "$d/include/$n.lskel.h" ] && echo true || echo false)" \
		'{name: $n, object: "programs/\($n).bpf.o", skeleton: "include/\($n).skel.h",
		  light_skeleton: (if $lskel then "include/\($n).lskel.h" else null end)}
		 + (if $refused[$n] then {light_skeleton_refused: $refused[$n]} else {} end)'
done | jq -cs .)
jq -n --arg name "$name" --arg version "$version" --arg commit "$commit" \
	--argjson dirty "$dirty" \
	--argjson allow "$([ "${ALLOW_DIRTY:-}" = 1 ] && echo true || echo false)" \
	--argjson epoch "$SOURCE_DATE_EPOCH" \
	--arg clang "$(tool_version "$CLANG" --version)" \
	--arg bpftool "$(tool_version "$BPFTOOL" --version)" \
	--arg bpftool_libbpf "$("$BPFTOOL" --version 2>/dev/null | sed -n 's/^using libbpf //p')" \
	--arg libbpf "$(pkg-config --modversion libbpf 2>/dev/null || true)" \
	--arg bpfgate "$("$bpfgate" --version | tr '\n' ' ' | sed 's/ $//')" \
	--arg cflags "${RELEASE_CFLAGS:-}" \
	--argjson kernels "$kernels_json" --argjson programs "$programs_json" \
	--slurpfile matrix "$d/report/matrix.json" --slurpfile core "$tmp/work/core-check.json" \
	'{name: $name, version: $version,
	  source: {commit: $commit, dirty: $dirty, allow_dirty: $allow,
		   source_date_epoch: $epoch},
	  tools: {clang: $clang, bpftool: $bpftool, bpftool_libbpf: $bpftool_libbpf,
		  libbpf_dev: $libbpf, bpfgate: $bpfgate},
	  build: {cflags: $cflags},
	  kernels: $kernels,
	  btf_bytes: {full: ($kernels | map(.btf_bytes) | add),
		      min: ($kernels | map(.min_btf_bytes) | add)},
	  programs: $programs,
	  matrix: {summary: $matrix[0].summary,
		   results: $matrix[0].results | map(del(.log_tail, .verification_time_us))},
	  core_check: {summary: $core[0].summary,
		       results: $core[0].results | map(.object |= "programs/" + sub(".*/"; ""))}}' \
	>"$d/MANIFEST.json"

# --- 5. checksums and the archive: sorted entries, fixed times, owners and modes ------
(cd "$d" && find . -type f -printf '%P\n' | sort | xargs sha256sum >../SHA256SUMS)
mv "$tmp/SHA256SUMS" "$d/SHA256SUMS"
tar -C "$tmp" --sort=name --format=gnu --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 \
	--numeric-owner --mode='u=rwX,go=rX' -cf - "$rel" | gzip -n -9 >"$tmp/$rel.tar.gz"

rm -rf "$tmp/work" "$out"
mv "$tmp" "$out"
trap - EXIT
jq -r '.kernels[] | "  BTF      \(.release): \(.min_btf_bytes) bytes (full BTF \(.btf_bytes)), " +
	"\(.verified)"' "$out/$rel/MANIFEST.json"
jq -r '"  BTF      total \(.btf_bytes.min) bytes minimal against \(.btf_bytes.full) full"' \
	"$out/$rel/MANIFEST.json"
say RELEASE "$out/$rel.tar.gz ($(stat -c %s "$out/$rel.tar.gz") bytes, commit ${commit:0:12}$(
	[ "$dirty" = true ] && echo ', dirty'))"
