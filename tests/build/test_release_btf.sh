#!/usr/bin/env bash
# Minimal CO-RE BTF for kernels that are never booted: RELEASE_BTF names a BTFHub-like
# tree (DISTRO/VERSION/ARCH/RELEASE.btf.tar.xz) mixed with a vmlinux ELF; the release
# checks every program against each of them (bpfgate core-check), cuts one minimal BTF
# per kernel and records origin and sizes. The tree is made of the BTF of the cached
# matrix kernels (when the cache has them) and of the host's, under other names.
# compiler/release.sh is run directly, on the host kernel without functional tests
# (test_release.sh runs them), to keep this in seconds.
. "$(dirname "$0")/../lib.sh"

cache=${BPFGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bpfgate}/kernels
tree=$T/btfhub
# pack DISTRO/VERSION/ARCH RELEASE SRC: SRC (raw BTF) as BTFHub ships it
pack() {
	mkdir -p "$tree/$1" "$T/pack"
	cp "$2" "$T/pack/$3.btf"
	# (xz's fastest level: the default takes over 10 s per kernel here)
	XZ_OPT=-0 tar -C "$T/pack" -cJf "$tree/$1/$3.btf.tar.xz" "$3.btf" || fail "tar -J"
	rm "$T/pack/$3.btf"
}
pack ubuntu/20.04/x86_64 /sys/kernel/btf/vmlinux 5.4.0-fake-generic
pack centos/8/x86_64 /sys/kernel/btf/vmlinux 4.18.0-fake.el8.x86_64
want="5.4.0-fake-generic 4.18.0-fake.el8.x86_64"
old=''
for v in $(find "$cache" -mindepth 2 -maxdepth 2 -name vmlinux 2>/dev/null | sort | head -n 3); do
	k=$(basename "$(dirname "$v")")
	if [ -z "$old" ]; then
		# the first cached kernel as a vmlinux ELF (named by its folder)
		mkdir -p "$tree/elf/$k"
		ln "$v" "$tree/elf/$k/vmlinux" 2>/dev/null || cp "$v" "$tree/elf/$k/vmlinux"
		old=$k
	else
		"$TOP/compiler/kernel-btf.sh" --raw "$v" "$T/raw.btf" || fail "no raw BTF from $v"
		pack debian/x/x86_64 "$T/raw.btf" "$k"
	fi
	want="$want $k"
done
echo "not BTF" >"$tree/README"

objs=("$O"/programs/*.bpf.o)
run env RELEASE_KERNELS=host RELEASE_BTF="$tree" ALLOW_DIRTY=1 \
	compiler/release.sh "$T/out/release" "$BPFGATE" "${objs[@]}"
expect_eq "$rc" 0 "release with RELEASE_BTF ($err)"
m=$(find "$T/out/release" -name MANIFEST.json)
d=$(dirname "$m")
host=$(uname -r)
for k in $want; do
	[ -s "$d/btf/$k.min.btf" ] || fail "no minimal BTF for $k"
	bpftool btf dump file "$d/btf/$k.min.btf" >/dev/null || fail "$k.min.btf is not BTF"
	jq -e --arg k "$k" '.kernels[] | select(.release == $k) | .verified == "core-check" and
		(.origin | startswith("btf:")) and .min_btf_bytes * 100 < .btf_bytes' "$m" >/dev/null ||
		fail "manifest entry of $k: $(jq -c --arg k "$k" '.kernels[] | select(.release == $k)' "$m")"
	# every program has a CO-RE verdict on it
	expect_eq "$(jq --arg k "$k" '[.core_check.results[] | select(.kernel == $k)] | length' "$m")" \
		"$(jq --arg k "$host" '[.core_check.results[] | select(.kernel == $k)] | length' "$m")" \
		"core-check results on $k"
done
expect_eq "$(jq -r '.kernels[] | select(.release == "5.4.0-fake-generic") | .origin' "$m")" \
	btf:ubuntu/20.04/x86_64/5.4.0-fake-generic.btf.tar.xz "origin of a BTFHub kernel"
expect_eq "$(jq '.kernels | length' "$m")" "$(($(echo "$want" | wc -w) + 1))" \
	"kernels: the host and the tree's"
# cut from the right BTF: the host's under another name gives the host's minimal BTF
cmp -s "$d/btf/5.4.0-fake-generic.min.btf" "$d/btf/$host.min.btf" ||
	fail "the minimal BTF of a copy of the host's BTF differs from the host's"
jq -e '.btf_bytes.min * 100 < .btf_bytes.full' "$m" >/dev/null || fail "total sizes"
total="total $(jq .btf_bytes.min "$m") bytes minimal against $(jq .btf_bytes.full "$m") full"
expect_contains "$out" "$total" \
	"the total printed"

# bad trees: one line, exit 2, nothing left
mkdir -p "$T/bad/a/b/c" "$T/pk"
echo x >"$T/pk/one.btf"
echo y >"$T/pk/two.btf"
tar -C "$T/pk" -cJf "$T/bad/a/b/c/two.btf.tar.xz" one.btf two.btf
run env RELEASE_BTF="$T/bad" compiler/release-btf.sh "$BPFGATE" "$T/b1"
expect_eq "$rc" 2 "an archive of two files"
expect_contains "$err" "two.btf.tar.xz: expected one file RELEASE.btf inside" "its line"
mkdir -p "$T/dup/x" "$T/dup/y"
cp /sys/kernel/btf/vmlinux "$T/dup/x/k1.btf"
cp /sys/kernel/btf/vmlinux "$T/dup/y/k1"
run env RELEASE_BTF="$T/dup" compiler/release-btf.sh "$BPFGATE" "$T/b2"
expect_eq "$rc" 2 "two kernels of one name"
expect_contains "$err" "a second kernel named k1" "its line"
# a booted kernel given again as a BTF file: the booted one's BTF, and a note
mkdir -p "$T/again"
cp /sys/kernel/btf/vmlinux "$T/again/$(uname -r)"
run env RELEASE_BTF="$T/again" compiler/release-btf.sh "$BPFGATE" "$T/b4" host
expect_eq "$rc" 0 "a target kernel given again ($err)"
expect_contains "$err" "is a kernel of the matrix already" "the note"
expect_eq "$(cut -f2 "$T/b4.list")" "host" "the booted kernel's BTF is kept"
run env RELEASE_BTF="$T/pk" compiler/release-btf.sh "$BPFGATE" "$T/b3"
expect_eq "$rc" 2 "a folder without BTF"
jq -r '"\(.kernels | length) kernels: \(.btf_bytes.min) bytes of minimal BTF for " +
	"\(.btf_bytes.full) of full BTF"' "$m"
