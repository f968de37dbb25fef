#!/usr/bin/env bash
# bpfgate verify killed with SIGKILL while its workers load programs: the
# workers die with it (within 2 s), and no program, map or BTF object is left in
# the kernel once it has freed them.
. "$(dirname "$0")/../lib.sh"

B=$O/tests/programs
[ -e "$B/ok_counter.bpf.o" ] || fail "tests/bpf not built (make test-bpf)"
bpf_btf_count() { bpftool btf show 2>/dev/null | grep -c '^[0-9]*:'; }
# processes of the run: the objects are copies under $T, which names them
run_procs() { pgrep -f "verify --jobs 2 $T/" | wc -l; }

# enough programs that the run is still going when it is killed
for i in $(seq 10); do
	for f in "$O"/programs/*.bpf.o "$B"/*.bpf.o; do
		cp "$f" "$T/$i-$(basename "$f")"
	done
done
progs0=$(bpf_prog_count) maps0=$(bpf_map_count) btf0=$(bpf_btf_count)

"$BPFGATE" verify --jobs 2 "$T"/*.bpf.o >"$T/out" 2>&1 &
pid=$!
# wait until both workers run (the listing is done, the loading has begun)
for i in $(seq 400); do
	[ "$(run_procs)" -ge 3 ] && break
	sleep 0.025
done
[ "$(run_procs)" -ge 3 ] || { kill -9 $pid; fail "no workers in 10 s"; }
sleep 0.3
kill -9 $pid
wait $pid 2>/dev/null
grep -q "programs:" "$T/out" && fail "the run finished before it was killed: $(tail -1 "$T/out")"

# the workers die with bpfgate (without that they would go on for seconds)
t0=$(date +%s%N)
while [ "$(run_procs)" -ne 0 ] && [ $(($(date +%s%N) - t0)) -lt 2000000000 ]; do
	sleep 0.05
done
expect_eq "$(run_procs)" 0 "processes of the killed run after 2 s"

# at most as many as before within 5 s (the kernel frees a closed program's
# maps and BTF after an RCU grace period; others may free theirs meanwhile)
settles_at_most() {
	local i
	for i in $(seq 100); do
		[ "$($1)" -le "$2" ] && return 0
		sleep 0.05
	done
	fail "$3: expected at most $2, got $($1)"
}
settles_at_most bpf_prog_count "$progs0" "programs left in the kernel"
settles_at_most bpf_map_count "$maps0" "maps left in the kernel"
settles_at_most bpf_btf_count "$btf0" "BTF objects left in the kernel"
echo "a killed run leaves nothing behind"
