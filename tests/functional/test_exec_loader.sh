#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# test_exec_loader.sh: the exec loader prints a child's exec and exit as JSON lines and leaves nothing attached.
set -u
. "$(dirname "$0")/lib_progs.sh"
loader=$O/programs/exec
[ -x "$loader" ] || { echo "exec loader not built ($loader)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root to load tracing programs"; exit 77; }

tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# A link holds its program, so none loaded means none attached.
before=$(progs_count exec_)

"$loader" -p $$ -d 20 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do
	grep -q attached "$tmp/err" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
if ! grep -q attached "$tmp/err"; then
	cat "$tmp/err"
	if grep -qi 'tp_btf\|not supported\|No such' "$tmp/err"; then
		echo "kernel cannot attach tp_btf programs"
		exit 77
	fi
	exit 1
fi
if [ -n "$before" ] && [ "$(progs_count exec_)" != $((before + 2)) ]; then
	echo "expected 2 exec programs loaded"
	exit 1
fi

# A child of this shell: exec with known arguments, a known exit status.
/bin/sh -c 'exit 3' bpfgate-arg0 "with space" >/dev/null 2>&1
child_rc=$?
[ $child_rc = 3 ] || { echo "child exited $child_rc"; exit 1; }
for _ in $(seq 100); do
	grep -q '"type":"exit".*"exit_status":3' "$tmp/out" && break
	sleep 0.05
done
kill -INT "$pid"
wait "$pid"
rc=$?
pid=
[ $rc = 0 ] || { echo "loader exited $rc"; cat "$tmp/err"; exit 1; }

fail=0
exec_line=$(grep '"type":"exec"' "$tmp/out" | grep '"argv":\["/bin/sh","-c","exit 3","bpfgate-arg0","with space"\]')
[ -n "$exec_line" ] || { echo "no exec event with the child's argv"; fail=1; }
echo "$exec_line" | grep -q "\"ppid\":$$," || { echo "exec event: ppid is not this shell ($$)"; fail=1; }
echo "$exec_line" | grep -q '"filename":"/bin/sh"' || { echo "exec event: filename"; fail=1; }
grep '"type":"exit"' "$tmp/out" | grep -q '"exit_code":768,"exit_status":3,"signal":0' ||
	{ echo "no exit event with status 3"; fail=1; }
grep -q '"type":"stats","execs":[1-9]' "$tmp/out" || { echo "no stats line"; fail=1; }
# Every line is one JSON object.
grep -qv '^{.*}$' "$tmp/out" && { echo "a line is not a JSON object"; fail=1; }

# Nothing left behind.
progs_settle exec_ "$before" || { echo "exec programs left loaded"; fail=1; }
[ $fail = 0 ] || { sed 's/^/out: /' "$tmp/out"; exit 1; }
exit 0
