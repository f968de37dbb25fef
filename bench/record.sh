#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/record.sh: run a benchmark and keep its output as the record the docs quote.
#
#   bench/record.sh NAME BENCH-SCRIPT [ARG...]
#
# Runs BENCH-SCRIPT with its arguments and, when it succeeds, writes
# bench/results/NAME.txt: a header (date, kernel, CPUs, load average before the run,
# the command line with any path outside this repository cut to its last component,
# since a peer such as veristat lives elsewhere) and everything the script printed on
# stdout, with this repository's folder left out of its paths. The file is written whole or not at all. Then the docs that quote the record
# (a `<!-- bench: bench/results/NAME.txt -->` line before a fenced block) get the new
# text: `bench/sync-docs.sh` does that, and tests/docs/test_doc_timings.sh checks that
# the docs quote every record as it is.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { sed -n '3,14s/^# \{0,1\}//p' "$0" >&2; exit 2; }
name=$1
shift
case $name in
*[!A-Za-z0-9_-]* | "") echo "bpfgate: $name: a record name is letters, digits, - and _" >&2; exit 2 ;;
esac
[ -x "$1" ] || { echo "bpfgate: $1: not an executable benchmark script" >&2; exit 2; }

shown=
for a in "$@"; do
	case $a in
	/*) case $a in "$top"/*) a=${a#"$top"/} ;; *) a=.../$(basename "$a") ;; esac ;;
	esac
	shown+=${shown:+ }$a
done

out=$top/bench/results/$name.txt
mkdir -p "$top/bench/results"
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
	printf 'recorded %s on %s, %s CPUs, load %s before the run\n' \
		"$(date -u '+%Y-%m-%d %H:%M UTC')" "$(uname -r)" "$(nproc)" \
		"$(cut -d' ' -f1 /proc/loadavg)"
	printf '$ %s\n' "$shown"
} >"$tmp"
"$@" | sed "s|$top/||g" >>"$tmp"
chmod 0644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
"$top/bench/sync-docs.sh"
echo "recorded bench/results/$name.txt"
