#!/usr/bin/env bash
# A skip on the host is justified by the kernel's program types, not the whole
# feature probe: a text run probes about 40 program loads where the whole probe
# (map types, helpers per program type) makes some 500. A run whose result file
# records the probe (--json) still takes the whole one.
. "$(dirname "$0")/../lib.sh"

compile_fentry "$T/trace.bpf.o"

strace -f -qq -e trace=bpf -o "$T/strace" "$BPFGATE" verify --no-cache --jobs 1 \
	"$T/trace.bpf.o" >"$T/out" 2>"$T/err" || true
grep -q '^skip' "$T/out" ||
	skip "this host loads tracing programs: no skip to justify ($(head -1 "$T/out"))"
# the reason names the probe's evidence (the line is cut to the terminal's width:
# the JSON run below holds it whole)
loads=$(grep -c 'BPF_PROG_LOAD' "$T/strace")
[ "$loads" -lt 150 ] || fail "a text run with a skip made $loads program loads (the whole probe)"

"$BPFGATE" verify --no-cache --jobs 1 --json "$T/trace.bpf.o" >"$T/out.json" 2>"$T/err" || true
python3 - "$T/out.json" <<'PY' || fail "the JSON run: $(cat "$T/err")"
import json, sys
d = json.load(open(sys.argv[1]))
r = d["results"][0]
assert r["verdict"] == "skip", r
assert "; probe: program type 'tracing' " in r["reason"], r["reason"]
p = d["kernels"][0]["probe"]
assert p["helpers"] and p["map_types"], "the JSON run's probe is not the whole one"
PY
echo "text run with a skip: $loads program loads; the JSON run records the whole probe"
