#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ci/json-same.sh: whether two bpfgate JSON reports say the same thing, timings aside.
#
#   ci/json-same.sh A.json B.json       print `same`, or a diff of the normalised reports
#   ci/json-same.sh --normalise FILE    print FILE normalised (keys sorted, pretty)
#
# Normalising keeps every verdict, statistic, error, probe and the order of results;
# it only masks what differs from run to run: the values of timing keys (names ending
# in _s, _ms, _us, _ns, _sec or _seconds, and duration, elapsed, date, timestamp),
# dates and times written as ISO 8601 inside strings, /tmp/... paths inside strings,
# and kernel addresses inside strings (0xffff... in a verifier log: a map's address
# differs at every boot). A masked value stays null when it was null, so a timing that appears or
# disappears is still a difference.
#
# Exit status: 0 same (or normalised), 1 different, 2 usage error or a file that is
# not JSON (one line on stderr).
set -eu

die() {
	echo "json-same: $*" >&2
	exit 2
}

usage() {
	sed -n '4,5p' "$0" | sed 's/^#  *//' >&2
	exit 2
}

command -v jq >/dev/null || die "jq: not found (make deps)"

# The jq program that masks the timings.
NORMALISE='
def timing_key:
	test("(_s|_ms|_us|_ns|_sec|_seconds)$") or
	test("^(duration|elapsed|date|timestamp)$");
def mask_string:
	gsub("[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?"; "<date>")
	| gsub("/tmp/[^ \"'\'':,)]*"; "/tmp/<path>")
	| gsub("0xffff[0-9a-f]{12}"; "<kernel address>");
walk(if type == "object" then
	with_entries(if (.key | timing_key) and .value != null then .value = "<timing>" else . end)
     elif type == "string" then mask_string
     else . end)
'

# normalise FILE: the report normalised on stdout; dies when FILE is not JSON.
normalise() {
	[ -r "$1" ] || die "$1: cannot read"
	jq -S "$NORMALISE" "$1" 2>/dev/null || die "$1: not a JSON document"
}

case "${1:-}" in
--normalise)
	[ $# -eq 2 ] || usage
	normalise "$2"
	exit 0
	;;
-h | --help)
	usage
	;;
esac
[ $# -eq 2 ] || usage

a=$(normalise "$1")
b=$(normalise "$2")
if [ "$a" = "$b" ]; then
	echo same
	exit 0
fi
diff -u --label "$1" --label "$2" <(printf '%s\n' "$a") <(printf '%s\n' "$b") || true
exit 1
