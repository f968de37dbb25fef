#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# No orphans: kill -9 of bpfgate in the middle of a matrix run (a kernel fetch, a VM
# under either backend) leaves no QEMU, virtme-ng or fetch process behind 2 s later, and
# the next run removes the dead run's temporary folder.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

need_matrix_verify
obj=$O/tests/programs/ok_counter.bpf.o

# descendants PID: every process below PID, deepest last
descendants() {
	local c
	for c in $(pgrep -P "$1"); do
		echo "$c"
		descendants "$c"
	done
}
# running PID: it exists and is not a zombie
running() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "${st%% *}" != Z ]
}
# kill9 LABEL PID: SIGKILL bpfgate; every process it had started is gone within 2 s
kill9() {
	local tree p left
	tree=$(descendants "$2")
	[ -n "$tree" ] || fail "$1: bpfgate had no children to test with"
	kill -9 "$2"
	wait "$2" 2>/dev/null
	for _ in $(seq 20); do
		left=
		for p in $tree; do running "$p" && left="$left $p"; done
		[ -z "$left" ] && break
		sleep 0.1
	done
	[ -z "$left" ] || fail "$1: still running 2 s after kill -9 of bpfgate:" \
		"$(ps -o pid=,args= -p "${left# }" | tr '\n' ';')"
	echo "  $1: $(echo "$tree" | wc -l) processes, all gone after kill -9"
}

# a kernel fetch (kernels.sh, standing in for apt with a process that never ends)
mkdir -p "$T/ci" "$T/cache"
echo "9.9 sid 9.9.0-1-amd64 linux-image-9.9.0-1-amd64-unsigned=9.9.0-1" >"$T/ci/kernels.conf"
cat >"$T/ci/kernels.sh" <<EOF
#!/usr/bin/env bash
[ "\$1" = fetch-entry ] || exit 2
sleep 300 &
echo \$! >"$T/apt.pid"
wait
EOF
# start_fetch: bpfgate verify on the fake kernel, until its download runs ($pid, $apt)
start_fetch() {
	rm -f "$T/apt.pid"
	BPFGATE_KERNELS_CONF=$T/ci/kernels.conf BPFGATE_DATADIR=$T/ci BPFGATE_CACHE=$T/cache TMPDIR=$T \
		"$BPFGATE" verify --kernel 9.9 "$obj" >/dev/null 2>"$T/fetch.err" &
	pid=$!
	cleanup_hooks+=("kill -9 $pid 2>/dev/null")
	for _ in $(seq 300); do [ -s "$T/apt.pid" ] && break; sleep 0.1; done
	[ -s "$T/apt.pid" ] || fail "the fetch never started: $(cat "$T/fetch.err")"
	apt=$(cat "$T/apt.pid")
}
start_fetch
kill9 "fetch" "$pid"
running "$apt" && fail "fetch: the download outlived bpfgate"
lock=$T/cache/kernels/.9.9.0-1-amd64.lock
flock -n "$lock" true || fail "fetch: the cache lock is still held after kill -9"

# SIGTERM during the fetch: bpfgate dies of it, the download with it, the lock is free,
# and there is no cache entry
start_fetch
kill -TERM "$pid"
wait "$pid"
expect_eq "$?" 143 "fetch: killed by SIGTERM: exit status"
for _ in $(seq 20); do running "$apt" || break; sleep 0.1; done
running "$apt" && fail "fetch: the download outlived SIGTERM of bpfgate by 2 s"
flock -n "$lock" true || fail "fetch: the cache lock is still held after SIGTERM"
[ ! -e "$T/cache/kernels/9.9.0-1-amd64" ] || fail "fetch: a cache entry after SIGTERM"
echo "  fetch: SIGTERM stops the download and frees the lock"

need_vm
read -r _ K <<<"$CI_KERNELS"
"$BPFGATE" kernel path "$K" >/dev/null 2>&1 || "$BPFGATE" kernel fetch "$K" >"$T/k.log" 2>&1 ||
	skip "kernel $K is not cached and cannot be fetched: $(tail -1 "$T/k.log")"

backends=qemu
command -v vng >/dev/null && backends="qemu vng"
for b in $backends; do
	tmp=$T/tmp-$b
	mkdir -p "$tmp"
	TMPDIR=$tmp "$BPFGATE" verify --vm-backend "$b" --kernel "$K" "$obj" >/dev/null 2>"$T/$b.err" &
	pid=$!
	cleanup_hooks+=("kill -9 $pid 2>/dev/null")
	# vng takes seconds of Python before QEMU starts; a loaded machine more
	for _ in $(seq 900); do pgrep -f "qemu-system.*$tmp/" >/dev/null && break; sleep 0.1; done
	pgrep -f "qemu-system.*$tmp/" >/dev/null || fail "$b: QEMU never started: $(cat "$T/$b.err")"
	kill9 "$b" "$pid"
	pgrep -fa "$tmp/" && fail "$b: a process of the run outlived bpfgate"
	# its folder stays (nothing could remove it) until the next run
	expect_eq "$(ls "$tmp" | grep -c '^bpfgate-matrix\.')" 1 "$b: the killed run's folder"
done

# the next run (one that fails at once: a broken image) removes the dead run's folder,
# and vng's own temporary files were in it
# (an ELF file that is no kernel: it passes --kernel's image check, QEMU refuses it)
cp /bin/true "$T/vmlinuz-0.0.1-broken"
TMPDIR=$T/tmp-qemu run "$BPFGATE" verify --vm-backend qemu --kernel "$T/vmlinuz-0.0.1-broken" "$obj"
expect_eq "$rc" 2 "broken image: exit status"
expect_eq "$(ls -A "$T/tmp-qemu")" "" "the next run removed the dead run's folder"
if [ -d "$T/tmp-vng" ]; then
	TMPDIR=$T/tmp-vng run "$BPFGATE" verify --vm-backend qemu --kernel "$T/vmlinuz-0.0.1-broken" "$obj"
	expect_eq "$(ls -A "$T/tmp-vng")" "" "nothing of the killed vng run is left"
fi
[ "$backends" = "qemu vng" ] || skip "vng is not installed: only the qemu backend was checked"
echo "ok"
