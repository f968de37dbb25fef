#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_flow_netns.sh: the flow loader on a veth pair between two fresh network namespaces.
#
# Real packets: ping and a refused TCP connect must show up as flow-start/flow-end events
# in the right direction, a blocklisted source must be dropped at XDP, and nothing may be
# left attached afterwards. Needs root, `ip` (iproute2 or busybox) and busybox (ping, nc).
set -u
. "$(dirname "$0")/lib_progs.sh"
O=${O:-$(pwd)/build}
LOADER=$O/programs/flow
skip() { echo "$1"; exit 77; }
fail() { echo "FAIL: $1"; [ -f "$out" ] && sed 's/^/  | /' "$out"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, XDP)"
[ -x "$LOADER" ] || fail "$LOADER not built"
command -v busybox >/dev/null || skip "busybox not installed (ping, nc)"
IP=ip
command -v ip >/dev/null || IP="busybox ip"

A= B= out=$(mktemp) pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	netns_pair_del
	rm -f "$out"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

netns_pair fl 10.77.0
$IP -n "$A" addr add 10.99.0.1/24 dev "$VA"
$IP -n "$B" route add 10.99.0.0/24 dev "$VB" || fail "route to the blocklisted range"

progs_before=$(progs_count flow_)

# TC the classic way (a clsact qdisc): test_l7_netns.sh covers tcx links
$IP netns exec "$B" env LOADER_TC=clsact "$LOADER" -i "$VB" -B 10.99.0.0/16 -f >"$out" 2>&1 &
pid=$!
wait_attached "$pid" "$out"

# Echo request in (ingress, ICMP type 8), echo reply out (egress, type 0).
$IP netns exec "$A" busybox ping -c 2 -W 2 10.77.0.2 >/dev/null || fail "ping between the namespaces"
# A connect to a closed port: SYN in, RST out.
$IP netns exec "$A" busybox nc -w 1 10.77.0.2 8080 </dev/null >/dev/null 2>&1
# From a blocklisted source: dropped at XDP, so no reply.
if $IP netns exec "$A" busybox ping -c 1 -W 1 -I 10.99.0.1 10.77.0.2 >/dev/null 2>&1; then
	fail "a ping from a blocklisted source got through"
fi
sleep 0.3
kill -TERM "$pid"
wait "$pid" || fail "the loader exited with an error"
pid=

has() { grep -q "$1" "$out" || fail "no line matching: $1"; }
has '"event":"flow_start".*"dir":"ingress","family":"ipv4","proto":"icmp","saddr":"10.77.0.1","daddr":"10.77.0.2","sport":8,"dport":0'
has '"event":"flow_start".*"dir":"egress","family":"ipv4","proto":"icmp","saddr":"10.77.0.2","daddr":"10.77.0.1","sport":0,"dport":0'
has '"event":"flow_start".*"dir":"ingress","family":"ipv4","proto":"tcp","saddr":"10.77.0.1","daddr":"10.77.0.2","sport":[0-9]*,"dport":8080.*"tcp_flags":2'
has '"event":"flow_end".*"dir":"egress","family":"ipv4","proto":"tcp","saddr":"10.77.0.2","daddr":"10.77.0.1","sport":8080.*"reason":"rst"'
# The table dump: the echo requests of both pings went into one ingress flow.
has '"event":"flow","dir":"ingress","family":"ipv4","proto":"icmp","saddr":"10.77.0.1".*"packets":2,'
grep -q '"saddr":"10.99.0.1"' "$out" && fail "a blocklisted source was tracked"
blocked=$(sed -n 's/.*"event":"metrics".*"blocked":\([0-9]*\).*/\1/p' "$out")
[ "${blocked:-0}" -ge 1 ] || fail "metrics: blocked=${blocked:-none}, want >= 1"
malformed=$(sed -n 's/.*"event":"metrics".*"malformed":\([0-9]*\).*/\1/p' "$out")
[ "$malformed" = 0 ] || fail "metrics: malformed=$malformed on clean traffic"

# Nothing left behind: no XDP program on the device, no clsact qdisc, no programs.
$IP -n "$B" link show "$VB" | grep -q xdp && fail "XDP program still attached"
$IP netns exec "$B" tc qdisc show dev "$VB" 2>/dev/null | grep -q clsact && fail "clsact qdisc left"
progs_settle flow_ "$progs_before" ||
	fail "flow programs left loaded ($(progs_count flow_), was $progs_before)"
echo "flow events, blocklist and detach checked on a veth pair"
