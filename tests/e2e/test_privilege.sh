#!/usr/bin/env bash
# Without the privilege to load programs, bpfgate says once what it needs (and
# which capabilities are missing) and exits 2, instead of reporting programs as
# refused; with exactly the capabilities it names, it verifies.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to drop privileges"
command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
P=$O/tests/programs
# copies that user nobody can read, outside any private folder
mkdir "$T/objs"
cp "$P/ok_counter.bpf.o" "$P/bug_oob.bpf.o" "$T/objs/"
chmod 0755 "$T" "$T/objs"
chmod 0644 "$T"/objs/*
OBJS=("$T/objs/ok_counter.bpf.o" "$T/objs/bug_oob.bpf.o")
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
need="loading BPF programs needs root, or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN"

# no capability at all: one line naming all three, exit 2, no table
run "${nobody[@]}" --inh-caps=-all --bounding-set=-all "$BPFGATE" verify "${OBJS[@]}"
expect_eq "$rc" 2 "unprivileged exit status"
expect_eq "$(echo "$err" | wc -l)" 1 "one line: $err"
expect_contains "$err" "bpfgate: $need" "says what it needs"
expect_contains "$err" "missing CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN" "names the missing ones"
case $out in *ok_counter*|*refused*) fail "programs reported as refused: $out" ;; esac
# the same with JSON and several objects: still once
run "${nobody[@]}" --inh-caps=-all --bounding-set=-all \
	"$BPFGATE" verify --json "${OBJS[@]}" "${OBJS[@]}"
expect_eq "$rc" 2 "unprivileged --json"
expect_eq "$(echo "$err" | grep -c 'needs root')" 1 "said once: $err"
case $out in *'"verdict"'*) fail "programs reported without privilege: $out" ;; esac

# some of the capabilities: the message names only the missing one
caps=+bpf,+perfmon
run "${nobody[@]}" --inh-caps=-all,$caps --ambient-caps=$caps "$BPFGATE" verify "${OBJS[@]}"
expect_eq "$rc" 2 "CAP_BPF + CAP_PERFMON only"
expect_eq "$err" "bpfgate: $need (CAP_SYS_ADMIN before Linux 5.8); missing CAP_NET_ADMIN" \
	"names the missing capability"
caps=+net_admin
run "${nobody[@]}" --inh-caps=-all,$caps --ambient-caps=$caps "$BPFGATE" verify "${OBJS[@]}"
expect_eq "$rc" 2 "CAP_NET_ADMIN only"
expect_contains "$err" "missing CAP_BPF, CAP_PERFMON" "names the missing capabilities"
case $err in
*"missing CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN"*) fail "CAP_NET_ADMIN is held: $err" ;;
esac

# exactly what it names is enough: a real verdict on each program
caps=+bpf,+perfmon,+net_admin
run "${nobody[@]}" --inh-caps=-all,$caps --ambient-caps=$caps "$BPFGATE" verify --json "${OBJS[@]}"
expect_eq "$rc" 1 "with CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN (bug_oob fails): $err"
expect_contains "$out" '"program":"ok_counter","section":"xdp","prog_type":"xdp","verdict":"pass"' \
	"ok_counter verified"
expect_contains "$out" '"summary":{"pass":2,"fail":1,"skip":0,"error":0}' \
	"every program has a verdict"
expect_contains "$out" '"error_class":"invalid_mem_access"' "bug_oob rejected by the verifier"
echo "privilege is checked once, naming what is missing"
