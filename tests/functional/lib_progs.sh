# SPDX-License-Identifier: BSD-2-Clause
# lib_progs.sh: what the functional shell tests share: counting a loader's programs
# (the "nothing left loaded" checks), the two-namespace network, waiting for attach.
# Sourced by the functional shell tests (POSIX sh).

# progs_count PREFIX: how many loaded programs have a name starting with PREFIX;
# empty without bpftool (minimal VM images), so the check is then not made.
progs_count() {
	command -v bpftool >/dev/null || return 0
	bpftool prog show | grep -c " name $1" || true
}

# progs_settle PREFIX BEFORE: wait up to 5 s for the count to return to BEFORE.
# The kernel frees a detached TC or XDP program only after an RCU grace period
# and a deferred work item, so the count can lag the loader's exit.
progs_settle() {
	[ -n "$2" ] || return 0
	i=0
	while [ "$(progs_count "$1")" != "$2" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.05
	done
}

# The functional shell tests' network: two fresh namespaces joined by a veth pair.
# netns_pair TAG NET: namespaces A=${TAG}a$$ and B=${TAG}b$$, veth ends VA (in A,
# NET.1/24) and VB (in B, NET.2/24), both up; sets A, B, VA and VB. Skips (the test's
# skip) where namespaces or veth pairs cannot be made. netns_pair_del removes both
# (from the test's cleanup).
netns_pair() {
	A=${1}a$$ B=${1}b$$ VA=${1}va$$ VB=${1}vb$$
	$IP netns add "$A" && $IP netns add "$B" || skip "cannot create network namespaces"
	$IP link add "$VA" netns "$A" type veth peer name "$VB" netns "$B" 2>/dev/null ||
		skip "cannot create a veth pair (no veth support)"
	$IP -n "$A" addr add "$2.1/24" dev "$VA"
	$IP -n "$B" addr add "$2.2/24" dev "$VB"
	$IP -n "$A" link set "$VA" up
	$IP -n "$B" link set "$VB" up
}
netns_pair_del() {
	[ -n "${A:-}" ] && $IP netns del "$A" 2>/dev/null
	[ -n "${B:-}" ] && $IP netns del "$B" 2>/dev/null
	return 0
}

# wait_attached PID OUT: until the loader PID has written its "attached" event to OUT
# (10 s at most; the test fails if it exits or never attaches).
wait_attached() {
	i=0
	until grep -q '"event":"attached"' "$2"; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "the loader did not attach"
		kill -0 "$1" 2>/dev/null || fail "the loader exited"
		sleep 0.1
	done
}
