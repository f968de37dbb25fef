#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_l7_netns.sh: the l7 loader on a veth pair between two fresh network namespaces.
#
# Real clients and servers (busybox nslookup, httpd, nc) must produce the DNS query,
# HTTP request/response and Kafka request events, and nothing may stay attached.
# Needs root, `ip` (iproute2 or busybox) and busybox.
set -u
. "$(dirname "$0")/lib_progs.sh"
O=${O:-$(pwd)/build}
LOADER=$O/programs/l7
skip() { echo "$1"; exit 77; }
fail() { echo "FAIL: $1"; [ -f "$out" ] && sed 's/^/  | /' "$out"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TC)"
[ -x "$LOADER" ] || fail "$LOADER not built"
command -v busybox >/dev/null || skip "busybox not installed (nslookup, httpd, nc)"
IP=ip
command -v ip >/dev/null || IP="busybox ip"

A= B= out=$(mktemp) www=$(mktemp -d) pid= pids=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	for p in $pids; do kill "$p" 2>/dev/null; done
	netns_pair_del
	rm -rf "$out" "$www"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

netns_pair l7 10.78.0

# Servers in B: a web server and a listener on the Kafka port.
echo hello >"$www/hello.txt"
$IP netns exec "$B" busybox httpd -f -p 8080 -h "$www" &
pids="$pids $!"
$IP netns exec "$B" busybox nc -l -p 9092 >/dev/null &
pids="$pids $!"

progs_before=$(progs_count l7_tc_)

$IP netns exec "$A" "$LOADER" -i "$VA" >"$out" 2>&1 &
pid=$!
wait_attached "$pid" "$out"
sleep 0.2
# tcx links where the kernel has them (6.6+), a clsact qdisc before
kv=$(uname -r | awk -F. '{print $1 * 1000 + $2}')
if [ "$kv" -ge 6006 ]; then want=tcx; else want=clsact; fi
grep -q "\"event\":\"attached\".*\"tc\":\"$want\"" "$out" || fail "not attached with $want"

# DNS: the query leaves A (nobody answers; the query is what is checked).
$IP netns exec "$A" busybox nslookup -type=a bpfgate.example.org 10.78.0.2 >/dev/null 2>&1 &
pids="$pids $!"
# HTTP: one hit, one miss (requests written with nc: no dependency on a wget build).
reply=$(printf 'GET /hello.txt HTTP/1.0\r\nHost: b\r\n\r\n' |
	$IP netns exec "$A" busybox nc -w 2 10.78.0.2 8080 2>/dev/null)
case $reply in *hello*) ;; *) fail "no reply from the web server" ;; esac
printf 'GET /missing HTTP/1.0\r\nHost: b\r\n\r\n' |
	$IP netns exec "$A" busybox nc -w 2 10.78.0.2 8080 >/dev/null 2>&1
# Kafka: a Metadata v1 request header, correlation id 4660, client id "bg-cli".
# shellcheck disable=SC2059
printf '\000\000\000\020\000\003\000\001\000\000\022\064\000\006bg-cli' |
	$IP netns exec "$A" busybox nc -w 1 10.78.0.2 9092 >/dev/null 2>&1
sleep 0.3
kill -TERM "$pid"
wait "$pid" || fail "the loader exited with an error"
pid=

has() { grep -q "$1" "$out" || fail "no line matching: $1"; }
has '"event":"dns".*"dir":"egress","family":"ipv4","l4":"udp","saddr":"10.78.0.1","daddr":"10.78.0.2",.*"dport":53,"response":false.*"qtype":1,.*"name":"bpfgate.example.org"'
has '"event":"http".*"dir":"egress".*"dport":8080,"response":false.*"method":"GET","path":"/hello.txt"'
has '"event":"http".*"dir":"ingress".*"sport":8080,.*"response":true.*"status":200'
has '"event":"http".*"dir":"egress".*"method":"GET","path":"/missing"'
has '"event":"http".*"dir":"ingress".*"sport":8080,.*"response":true.*"status":404'
has '"event":"kafka".*"dir":"egress".*"dport":9092.*"length":16,"api_key":3,"api_version":1,"correlation_id":4660,"client_id":"bg-cli"'
drops=$(sed -n 's/.*"event":"metrics".*"ringbuf_drops":\([0-9]*\).*/\1/p' "$out")
[ "$drops" = 0 ] || fail "metrics: ringbuf_drops=$drops"

$IP netns exec "$A" tc qdisc show dev "$VA" 2>/dev/null | grep -q clsact && fail "clsact qdisc left"
progs_settle l7_tc_ "$progs_before" ||
	fail "l7 programs left loaded ($(progs_count l7_tc_), was $progs_before)"
echo "DNS, HTTP and Kafka events checked on a veth pair"
