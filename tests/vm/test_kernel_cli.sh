#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bpfgate kernel list/path/fetch: the matrix as data, unknown kernels are one-line errors (exit 2).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

export BPFGATE_CACHE=$T/cache

# ci/kernels.sh list: what `make matrix` uses
series=$(ci/kernels.sh list)
expect_eq "$series" "$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' ci/kernels.conf | awk '{print $1}' | xargs)" "kernels.sh list"
for s in 5.10 6.1 6.12 7.2 host; do
	expect_contains " $series " " $s " "series $s in the matrix"
done

# list: every series, pinned package versions, nothing cached in an empty cache
run "$BPFGATE" kernel list
expect_eq "$rc" 0 "kernel list"
for s in 5.10 6.1 6.12 7.2; do
	line=$(echo "$out" | awk -v s="$s" '$1 == s')
	expect_contains "$line" "$(release "$s")" "release of $s listed"
	expect_contains "$line" "=" "pinned version of $s listed"
	expect_eq "$(echo "$line" | awk '{print $4}')" "no" "$s not cached in a fresh cache"
done
run "$BPFGATE" kernel list --json
expect_eq "$rc" 0 "kernel list --json"
echo "$out" >"$T/list.json"
expect_eq "$(json_py '[k["series"] for k in d["kernels"]]' "$T/list.json")" "['5.10', '6.1', '6.12', '7.2', 'host']" "JSON series"
expect_eq "$(json_py 'sum(k["cached"] for k in d["kernels"] if k["series"] != "host")' "$T/list.json")" 0 "JSON: nothing cached"
expect_eq "$(json_py '[k for k in d["kernels"] if k["series"] == "7.2"][0]["packages"][0]' "$T/list.json")" \
	"linux-binary-unsigned-7.2.13+deb14-amd64=7.2.13-1" "JSON packages"
expect_eq "$(json_py 'd["cache"]' "$T/list.json")" "$T/cache/kernels" "BPFGATE_CACHE is the cache root"

# XDG_CACHE_HOME when BPFGATE_CACHE is not set
run env -u BPFGATE_CACHE XDG_CACHE_HOME="$T/xdg" "$BPFGATE" kernel list -j
echo "$out" >"$T/xdg.json"
expect_eq "$(json_py 'd["cache"]' "$T/xdg.json")" "$T/xdg/bpfgate/kernels" "XDG_CACHE_HOME"

# unknown kernels and uncached ones: exit 2, one line naming the kernel
for cmd in "path 9.99" "fetch 9.99" "path 6.1" "path $T/nothing-here" "frob 6.1"; do
	# shellcheck disable=SC2086
	run "$BPFGATE" kernel $cmd
	expect_eq "$rc" 2 "kernel $cmd: exit status"
	expect_eq "$(echo "$err" | wc -l)" 1 "kernel $cmd: one line: $err"
	expect_contains "$err" "bpfgate: " "kernel $cmd: error prefix"
	echo "  kernel $cmd: $err"
done
run "$BPFGATE" kernel path 6.1
expect_contains "$err" "bpfgate: 6.1: not in the cache (run 'bpfgate kernel fetch 6.1')" "uncached kernel says how to fetch it"
run "$BPFGATE" kernel fetch host
expect_eq "$rc" 0 "fetch host is a no-op"

# path also takes an image or a build tree (a kernel image: "HdrS" at 0x202)
head -c 4096 /dev/zero >"$T/vmlinuz-9.9.9-test"
run "$BPFGATE" kernel path "$T/vmlinuz-9.9.9-test"
expect_eq "$rc" 2 "a file of zeros is no kernel image"
printf 'HdrS' | dd of="$T/vmlinuz-9.9.9-test" bs=1 seek=$((0x202)) conv=notrunc status=none
run "$BPFGATE" kernel path "$T/vmlinuz-9.9.9-test"
expect_eq "$out" "$T/vmlinuz-9.9.9-test" "an image path"
mkdir -p "$T/tree/arch/x86/boot" && cp "$T/vmlinuz-9.9.9-test" "$T/tree/arch/x86/boot/bzImage"
run "$BPFGATE" kernel path "$T/tree"
expect_eq "$out" "$T/tree/arch/x86/boot/bzImage" "a build tree"

run "$BPFGATE" kernel --help
expect_eq "$rc" 0 "kernel --help"
for w in fetch list path probe --json; do expect_contains "$out" "$w" "--help mentions $w"; done

# probe: the running kernel's program and map types
run "$BPFGATE" kernel probe --json
expect_eq "$rc" 0 "kernel probe"
echo "$out" >"$T/probe.json"
expect_eq "$(json_py 'd["kernel"]' "$T/probe.json")" "$(uname -r)" "probe names the kernel"
expect_eq "$(json_py '"xdp" in d["prog_types"] and "hash" in d["map_types"]' "$T/probe.json")" True "probe finds xdp and hash maps"
[ ! -e "$T/cache" ] || fail "read-only commands created the cache"

# --- untrusted kernels.conf --------------------------------------------------------------
# A release such as /../victim used to make `kernel fetch` remove ROOT/victim recursively.
mkdir -p "$T/cache/victim/precious" "$T/cache/kernels"
echo data >"$T/cache/victim/precious/file"
for rel in /../victim ../../x ../victim 5.10/../../victim; do
	printf '9.9 bullseye %s linux-image-x=1\n' "$rel" >"$T/evil.conf"
	run env BPFGATE_KERNELS_CONF="$T/evil.conf" "$BPFGATE" kernel fetch 9.9
	expect_eq "$rc" 2 "release $rel: exit status"
	expect_contains "$err" "bpfgate: $T/evil.conf:1: release: " "release $rel: FILE:LINE: field"
	expect_eq "$(echo "$err" | wc -l)" 1 "release $rel: one line"
	[ -f "$T/cache/victim/precious/file" ] || fail "release $rel removed a folder outside the cache"
	# the shell side refuses it too, and removes nothing
	mkdir -p "$T/dir" && touch "$T/dir/keep"
	run env BPFGATE_KERNELS_CONF="$T/evil.conf" ci/kernels.sh fetch 9.9 "$T/dir"
	expect_eq "$rc" 2 "kernels.sh fetch, release $rel"
	run ci/kernels.sh fetch-entry "$T/dir" 9.9 bullseye "$rel" linux-image-x=1
	expect_eq "$rc" 2 "kernels.sh fetch-entry, release $rel"
	[ -f "$T/dir/keep" ] || fail "kernels.sh removed what it did not make"
done
# a non-empty folder is not the fetch's to fill (nor to clean up)
run ci/kernels.sh fetch-entry "$T/dir" 9.9 bullseye 9.9.0-1-amd64 linux-image-x=1
expect_eq "$rc" 2 "kernels.sh fetch-entry into a non-empty folder"
expect_contains "$err" "not empty" "kernels.sh says why"
[ -f "$T/dir/keep" ] || fail "kernels.sh removed what it did not make"
# errors name the file read; a folder, an empty file, no kernels: exit 2, never an empty matrix
: >"$T/empty.conf"
printf '# nothing\n' >"$T/comments.conf"
for c in "$T/empty.conf" "$T/comments.conf" "$T" /dev/null "$T/missing.conf"; do
	run env BPFGATE_KERNELS_CONF="$c" "$BPFGATE" kernel list
	expect_eq "$rc" 2 "kernel list with $c"
	expect_contains "$err" "bpfgate: $c: " "the error names $c"
	run "$BPFGATE" kernel list --conf "$c"
	expect_eq "$rc" 2 "kernel list --conf $c"
done
run env BPFGATE_KERNELS_CONF="$T/empty.conf" "$BPFGATE" verify --kernel 6.1 "$O/programs/flow.bpf.o"
expect_eq "$rc" 2 "verify --kernel with an empty matrix"
expect_contains "$err" "$T/empty.conf" "verify names the file read"
run "$BPFGATE" kernel path /etc/passwd
expect_eq "$rc" 2 "kernel path /etc/passwd"
expect_contains "$err" "not a kernel image" "kernel path /etc/passwd says why"
run "$BPFGATE" verify --kernel /etc/passwd "$O/programs/flow.bpf.o"
expect_eq "$rc" 2 "verify --kernel /etc/passwd"
expect_contains "$err" "bpfgate: /etc/passwd: not a kernel image" "verify --kernel /etc/passwd says why"
run "$BPFGATE" kernel --allow-newer list
expect_eq "$rc" 2 "--allow-newer is only for fetch"

# --- stale pins, from apt lists already in the cache (no network) ------------------------
mirror=$(. ci/apt-suites.sh && apt_mirror)
[ -n "$mirror" ] || { echo "ok (no Debian mirror configured: stale pins not checked)"; exit 0; }
lists=$T/cache/apt/sid/lists
mkdir -p "$lists"
m=${mirror#*://}
m=${m%/}
pkg() { printf 'Package: %s\nVersion: %s\nArchitecture: amd64\nFilename: pool/%s.deb\nSize: 1\nDescription: x\n\n' "$1" "$2" "$1"; }
{
	pkg linux-image-6.1.0-56-amd64-unsigned 6.1.192-2
	pkg linux-image-6.1.0-58-amd64-unsigned 6.1.200-1
	pkg linux-image-6.1.0-57-amd64-unsigned 6.1.195-1
	# neither another flavour nor another series is a newer 6.1
	pkg linux-image-6.1.0-99-cloud-amd64-unsigned 6.1.300-1
	pkg linux-image-6.10.0-1-amd64-unsigned 6.10.1-1
} >"$lists/${m//\//_}_dists_sid_main_binary-amd64_Packages"
printf '6.1 sid 6.1.0-56-amd64 linux-image-6.1.0-56-amd64-unsigned=6.1.192-2\n' >"$T/stale.conf"
run ci/kernels.sh newest 6.1 sid 6.1.0-56-amd64 linux-image-6.1.0-56-amd64-unsigned=6.1.192-2 --offline
expect_eq "$out" "6.1.0-58-amd64 linux-image-6.1.0-58-amd64-unsigned=6.1.200-1" "kernels.sh newest"
run "$BPFGATE" kernel list --json --conf "$T/stale.conf"
echo "$out" >"$T/stale.json"
expect_eq "$(json_py '[(k["stale"], k["newest"]) for k in d["kernels"]]' "$T/stale.json")" \
	"[(True, 'linux-image-6.1.0-58-amd64-unsigned=6.1.200-1')]" "kernel list: a stale pin"
printf '6.1 sid 6.1.0-58-amd64 linux-image-6.1.0-58-amd64-unsigned=6.1.200-1\n' >"$T/fresh.conf"
run "$BPFGATE" kernel list --conf "$T/fresh.conf"
expect_eq "$(echo "$out" | awk '$1 == "6.1" {print $5}')" no "kernel list: a current pin"
echo "ok"
