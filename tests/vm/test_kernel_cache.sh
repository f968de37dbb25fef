#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Kernel cache: a fetch killed at any stage leaves nothing a later run would use, and two
# fetches of one kernel at once (a lock) give one complete entry. Real downloads (5.10).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (apt-get, like ci/deps.sh)"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || skip "needs apt-get and dpkg-deb (Debian)"
command -v depmod >/dev/null || [ -x /sbin/depmod ] || skip "needs depmod (kmod)"

export BPFGATE_CACHE=$T/cache
S=5.10
REL=$(release $S)
entry=$T/cache/kernels/$REL

# nothing of a killed fetch may be usable
expect_no_entry() {
	[ ! -e "$entry" ] || fail "$1: an entry exists after a killed fetch: $(ls "$entry")"
	run "$BPFGATE" kernel path $S
	expect_eq "$rc" 2 "$1: kernel path after a killed fetch"
	run "$BPFGATE" kernel list --json
	echo "$out" >"$T/list.json"
	expect_eq "$(json_py "[k['cached'] for k in d['kernels'] if k['series'] == '$S'][0]" "$T/list.json")" \
		False "$1: listed as not cached"
}

# wait_log FILE TEXT PID: until TEXT is in FILE (or the fetch ended, or 300 s)
wait_log() {
	local i
	for ((i = 0; i < 3000; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Kill -9 at each stage: the lists update, the download, the extraction, depmod.
for stage in "updating the package lists" "downloading" "extracting" "depmod"; do
	"$BPFGATE" kernel fetch $S >"$T/fetch.log" 2>&1 &
	pid=$!
	cleanup_hooks+=("kill -9 $pid 2>/dev/null")
	wait_log "$T/fetch.log" "$stage" $pid || fail "fetch never reached '$stage': $(cat "$T/fetch.log")"
	kill -9 $pid
	wait $pid 2>/dev/null
	echo "  killed during '$stage'"
	expect_no_entry "killed during '$stage'"
done

# Two fetches at once: one downloads, the other waits for it and finds it cached.
"$BPFGATE" kernel fetch $S >"$T/a.log" 2>&1 &
a=$!
"$BPFGATE" kernel fetch $S >"$T/b.log" 2>&1 &
b=$!
cleanup_hooks+=("kill -9 $a $b 2>/dev/null")
wait $a
ra=$?
wait $b
rb=$?
expect_eq "$ra/$rb" "0/0" "both fetches succeed ($(cat "$T/a.log" "$T/b.log"))"
downloads=$(cat "$T/a.log" "$T/b.log" | grep -c "depmod")
expect_eq "$downloads" 1 "one of the two fetched, the other waited"
cat "$T/a.log" "$T/b.log" | grep -q "waiting for another fetch" || fail "no fetch waited for the lock"

# one complete entry, nothing left of the killed fetches
for f in vmlinuz vmlinux config manifest stamp "lib/modules/$REL/modules.dep"; do
	[ -s "$entry/$f" ] || fail "entry lacks $f"
done
left=$(find "$T/cache/kernels" -maxdepth 1 -name '.tmp-*')
expect_eq "$left" "" "no temporary folders left"
run "$BPFGATE" kernel path $S
expect_eq "$out" "$entry/vmlinuz" "kernel path"
run "$BPFGATE" kernel fetch $S
expect_contains "$err" "already cached" "a third fetch does nothing"
# the stamp covers the real entry (thousands of modules, no links left in it)
run "$BPFGATE" kernel verify $S
expect_eq "$rc" 0 "kernel verify of a fetched kernel ($err)"
[ ! -e "$T/cache/kernels/$REL.fetch.log" ] || fail "the log of a fetch that worked is left"
echo "ok"
