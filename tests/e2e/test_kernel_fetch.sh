#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bpfgate kernel fetch without a download: kernels.sh is replaced (BPFGATE_DATADIR) by a
# stand-in that lays out a small entry, fails, says the pin is gone, or hangs. Checks: a
# custom kernels.conf needs nothing beside it; entries are stamped and a damaged one is
# noticed (path, list, verify) and fetched again; a failed fetch keeps its log where the
# error says; SIGINT/SIGTERM stop a fetch within 2 s (children gone, lock free, nothing
# left) and kill -9 of bpfgate takes its children along.
. "$(dirname "$0")/../lib.sh"

export BPFGATE_CACHE=$T/cache
export BPFGATE_DATADIR=$T/data
REL=9.9.0-1-fake
mkdir -p "$T/data" "$T/custom"
printf '# a custom matrix\n9.9 sid %s linux-image-%s=9.9.1-1  # pinned\nhost - - -\n' $REL $REL \
	>"$T/custom/k.conf"
export BPFGATE_KERNELS_CONF=$T/custom/k.conf
cat >"$T/data/kernels.sh" <<'SH'
#!/usr/bin/env bash
# stand-in for ci/kernels.sh fetch-entry DIR SERIES SUITE RELEASE PACKAGES, and for
# newest SERIES SUITE RELEASE PACKAGES MODE: 9.9.0-2-fake is the newest 9.9
if [ "$1" = newest ]; then
	echo "9.9.0-2-fake linux-image-9.9.0-2-fake=9.9.2-1"
	exit 0
fi
[ "$1" = fetch-entry ] || exit 2
dir=$2 series=$3 release=$5
[ "${FAKE:-}" != gone ] || [ "$release" = 9.9.0-1-fake ] || FAKE=ok
echo "fetch: $series: downloading" >&2
echo "Get:1 fake" >>"$BPFGATE_FETCH_LOG"
case ${FAKE:-ok} in
hang)
	echo $$ >"$FAKE_PIDS"
	setpriv --pdeathsig KILL sleep 300 &
	echo $! >>"$FAKE_PIDS"
	wait
	;;
fail)
	echo "E: nope" >>"$BPFGATE_FETCH_LOG"
	echo "bpfgate: $series: download failed: E: nope" >&2
	exit 1
	;;
gone) exit 3 ;;
esac
head -c 4096 /dev/zero >"$dir/vmlinuz"
printf 'HdrS' | dd of="$dir/vmlinuz" bs=1 seek=$((0x202)) conv=notrunc status=none
echo CONFIG_BPF_SYSCALL=y >"$dir/config"
mkdir -p "$dir/lib/modules/$release"
echo "kernel/x.ko:" >"$dir/lib/modules/$release/modules.dep"
SH
entry=$T/cache/kernels/$REL
# the stand-in hangs: its shell and its child are both running
started() { [ -f "$T/pids" ] && [ "$(wc -l <"$T/pids")" = 2 ]; }

# a custom kernels.conf with nothing beside it: kernels.sh comes from the data folder
run "$BPFGATE" kernel fetch 9.9
expect_eq "$rc" 0 "fetch with a custom conf ($err)"
[ -s "$entry/stamp" ] || fail "no stamp in the entry"
expect_eq "$(head -n 1 "$entry/stamp")" "bpfgate-stamp 1" "stamp format"
grep -q " config$" "$entry/stamp" || fail "stamp lacks config: $(cat "$entry/stamp")"
grep -q "^series 9.9$" "$entry/manifest" || fail "manifest"
[ ! -e "$T/cache/kernels/$REL.fetch.log" ] || fail "the log of a fetch that worked is left"
run "$BPFGATE" kernel path 9.9
expect_eq "$out" "$entry/vmlinuz" "kernel path of the fetched entry"
run "$BPFGATE" kernel verify
expect_eq "$rc" 0 "kernel verify of a whole entry ($err)"

# damage that changes a size: every use sees it, fetch repairs it
echo "CONFIG_BPF_SYSCALL=n # damaged" >"$entry/config"
run "$BPFGATE" kernel path 9.9
expect_eq "$rc" 2 "kernel path of a damaged entry"
expect_contains "$err" "damaged (config: size differs)" "kernel path says what is damaged"
run "$BPFGATE" kernel list --json
echo "$out" >"$T/list.json"
expect_eq "$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["kernels"][0]["state"])' "$T/list.json")" damaged \
	"kernel list shows the damage"
run "$BPFGATE" kernel fetch 9.9
expect_eq "$rc" 0 "fetch repairs a damaged entry"
expect_contains "$err" "damaged (config: size differs): fetching it again" \
	"fetch says why it fetches again"
expect_eq "$(cat "$entry/config")" "CONFIG_BPF_SYSCALL=y" "entry repaired"

# damage of the same size: only verify's hashes see it; then every use does
echo "CONFIG_BPF_SYSCALL=m" >"$entry/config"
run "$BPFGATE" kernel verify 9.9
expect_eq "$rc" 1 "kernel verify finds the altered file"
expect_contains "$err" "config: SHA-256 differs" "verify says which file"
run "$BPFGATE" kernel path 9.9
expect_eq "$rc" 2 "after verify, the damaged entry is not used"
run "$BPFGATE" kernel fetch 9.9
expect_eq "$rc" 0 "fetch repairs it"
expect_contains "$err" "fetching it again" "an entry verify found damaged is fetched, not stamped"
run "$BPFGATE" kernel verify 9.9
expect_eq "$rc" 0 "whole again"

# an entry of an older bpfgate (no stamp, the packages' links): stamped, not downloaded
rm "$entry/stamp"
ln -s /usr/src/linux-headers-$REL "$entry/lib/modules/$REL/build"
run "$BPFGATE" kernel path 9.9
expect_eq "$rc" 2 "an unstamped entry is not used"
run env FAKE=fail "$BPFGATE" kernel fetch 9.9
expect_eq "$rc" 0 "fetch stamps an entry of an older bpfgate ($err)"
expect_contains "$err" "stamped the entry of an older bpfgate" "said"
[ ! -L "$entry/lib/modules/$REL/build" ] || fail "the link out of the entry stays"
run "$BPFGATE" kernel verify 9.9
expect_eq "$rc" 0 "the stamped entry is whole"

# a failed fetch keeps its log where the error says
rm -rf "$entry"
run env FAKE=fail "$BPFGATE" kernel fetch 9.9
expect_eq "$rc" 2 "failed fetch"
expect_contains "$err" "(log: $T/cache/kernels/$REL.fetch.log)" "the error names the log"
grep -q "E: nope" "$T/cache/kernels/$REL.fetch.log" || fail "the log lacks apt's error"
[ ! -e "$entry" ] || fail "a failed fetch left an entry"
expect_eq "$(find "$T/cache/kernels" -name '.tmp-*')" "" "no temporary folder left"

# a pin that left the mirror: said, with the way out
run env FAKE=gone "$BPFGATE" kernel fetch 9.9
expect_eq "$rc" 2 "pin gone"
expect_contains "$err" "no longer on the mirror of sid" "pin gone: said"
expect_contains "$err" "--allow-newer" "pin gone: the way out"

# --allow-newer: the newest of the series stands in, said and recorded
run env FAKE=gone "$BPFGATE" kernel fetch --allow-newer 9.9
expect_eq "$rc" 0 "fetch --allow-newer ($err)"
expect_contains "$err" "9.9.0-2-fake stands in for the pinned $REL" "the substitution is said"
grep -q "^pinned-release $REL$" "$T/cache/kernels/9.9.0-2-fake/manifest" ||
	fail "the manifest records the pin it replaces"
run "$BPFGATE" kernel path 9.9
expect_eq "$out" "$T/cache/kernels/9.9.0-2-fake/vmlinuz" "later runs of 9.9 use the newer kernel"
run "$BPFGATE" kernel list --json
echo "$out" >"$T/list.json"
expect_eq "$(python3 -c 'import json,sys; k = json.load(open(sys.argv[1]))["kernels"][0]
print(k["substitute"], k["cached"], k["stale"])' "$T/list.json")" "9.9.0-2-fake True None" \
	"list: the substitute; staleness unknown without apt lists"
run "$BPFGATE" kernel list --refresh
expect_contains "$out" "newest: linux-image-9.9.0-2-fake=9.9.2-1" "list --refresh: the stale pin"
expect_eq "$(echo "$out" | awk '$1 == "9.9" {print $5}')" yes "list --refresh: STALE column"
rm -rf "$T/cache/kernels/9.9.0-2-fake" "$T/cache/kernels/$REL.substitute"

# update: only the pins move, atomically; --dry-run changes nothing
cp "$T/custom/k.conf" "$T/k.before"
run "$BPFGATE" kernel update --dry-run
expect_eq "$rc" 0 "update --dry-run ($err)"
expect_contains "$out" "-> linux-image-9.9.0-2-fake=9.9.2-1" "update --dry-run says the change"
cmp -s "$T/custom/k.conf" "$T/k.before" || fail "update --dry-run changed the file"
run "$BPFGATE" kernel update --conf "$T/custom/k.conf"
expect_eq "$rc" 0 "update ($err)"
want='9.9 sid 9.9.0-2-fake linux-image-9.9.0-2-fake=9.9.2-1  # pinned'
expect_eq "$(cat "$T/custom/k.conf")" "$(printf '# a custom matrix\n%s\nhost - - -' "$want")" \
	"update rewrites the pin and keeps the rest"
expect_eq "$(ls -A "$T/custom")" "k.conf" "update leaves no temporary file"
cp "$T/k.before" "$T/custom/k.conf"

# SIGINT and SIGTERM stop a fetch within 2 s: children gone, lock free, nothing left
for sig in INT TERM; do
	rm -f "$T/pids"
	# a background job of a script ignores SIGINT: start bpfgate with the default action
	FAKE=hang FAKE_PIDS=$T/pids python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$BPFGATE" kernel fetch 9.9 2>"$T/sig.err" &
	pid=$!
	cleanup_hooks+=("kill -9 $pid 2>/dev/null")
	for _ in $(seq 200); do started && break; sleep 0.05; done
	started || fail "SIG$sig: the fetch never started: $(cat "$T/sig.err")"
	t0=$(date +%s%N)
	kill -$sig $pid
	for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
	! kill -0 $pid 2>/dev/null || fail "SIG$sig: bpfgate still runs 5 s later"
	wait $pid
	st=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "  SIG$sig: bpfgate gone after $ms ms (status $st)"
	[ $ms -lt 2000 ] || fail "SIG$sig: took $ms ms"
	expect_eq "$st" $((128 + $(kill -l $sig))) "SIG$sig: bpfgate dies of the signal"
	for p in $(cat "$T/pids"); do
		! kill -0 "$p" 2>/dev/null || fail "SIG$sig: child $p still runs"
	done
	flock -n "$T/cache/kernels/.$REL.lock" true || fail "SIG$sig: the cache lock is still held"
	[ ! -e "$entry" ] || fail "SIG$sig: an entry exists"
	expect_eq "$(find "$T/cache/kernels" -name '.tmp-*')" "" "SIG$sig: no temporary folder"
done

# kill -9 of bpfgate: its children die with it (PR_SET_PDEATHSIG)
rm -f "$T/pids"
FAKE=hang FAKE_PIDS=$T/pids "$BPFGATE" kernel fetch 9.9 2>/dev/null &
pid=$!
for _ in $(seq 200); do started && break; sleep 0.05; done
{
	kill -9 $pid
	wait $pid
} 2>/dev/null
for p in $(cat "$T/pids"); do
	for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$p" 2>/dev/null || fail "kill -9: child $p outlived bpfgate"
done
flock -n "$T/cache/kernels/.$REL.lock" true || fail "kill -9: the cache lock is still held"
# the next fetch removes what the killed one left and works
run "$BPFGATE" kernel fetch 9.9
expect_eq "$rc" 0 "fetch after a killed one"
expect_eq "$(find "$T/cache/kernels" -name '.tmp-*')" "" "no temporary folder left"
echo "ok"
