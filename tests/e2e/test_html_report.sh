#!/usr/bin/env bash
# bpfgate verify --html and bpfgate merge --html, looked at in a real headless
# browser (Debian's chromium): the page renders and its script runs, the matrix
# has one cell per result with its verdict, #fail-N opens a failure at its
# source line with the register state before the failing instruction, the log
# search finds its lines, the baseline's bars are drawn, names and log lines
# holding markup are shown as text, and the page loads nothing from outside;
# a page with full logs is for its owner only.
. "$(dirname "$0")/../lib.sh"

TB=$O/tests/programs
[ -e "$TB/bug_oob.bpf.o" ] || fail "no test objects in $TB (make test-bpf)"
[ "$(id -u)" = 0 ] || skip "loading BPF programs needs root"
CHROME=
for c in chromium-headless-shell chromium chromium-browser; do
	command -v "$c" >/dev/null && CHROME=$(command -v "$c") && break
done
[ -n "$CHROME" ] || skip "no chromium found (ci/deps.sh --for check installs chromium-headless-shell)"

# browser URL MODE OUT: the page after its script ran (--dump-dom) or a screenshot
browser() {
	local mode=$2 out=$3
	case $mode in
	dom) set -- --dump-dom "$1" ;;
	png) set -- --hide-scrollbars --window-size=1000,1400 --screenshot="$out" "$1" ;;
	esac
	# root needs --no-sandbox; its own profile, nothing shared with other runs
	timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$T/profile" "$@" >"$T/.dom" 2>"$T/.chrome.err" ||
		fail "$CHROME on $1: $(tail -3 "$T/.chrome.err")"
	[ "$mode" = png ] || cp "$T/.dom" "$out"
}

# A rejection whose source line holds markup, in an object whose name does too.
cat >"$T/inject.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("xdp")
int inject(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;

	return data[20]; /* </script><script>document.body.dataset.pwned=1</script><b>x */
}
char LICENSE[] SEC("license") = "GPL";
C
${CLANG:-clang} -g -O2 -target bpf -Icompiler -c "$T/inject.bpf.c" -o "$T/inject.bpf.o" ||
	fail "compile inject.bpf.c"
evil="$T/<img src=x onerror=document.body.dataset.pwned=2>.bpf.o"
cp "$T/inject.bpf.o" "$evil"

objs=("$TB/ok_counter.bpf.o" "$TB/bug_oob.bpf.o" "$TB/needs_future.bpf.o" "$evil")
run "$BPFGATE" verify --json "${objs[@]}"
expect_eq "$rc" 1 "verify --json: exit status ($err)"
echo "$out" >"$T/run.json"
run "$BPFGATE" verify --html "$T/r.html" "${objs[@]}"
expect_eq "$rc" 1 "verify --html: exit status ($err)"
[ -s "$T/r.html" ] || fail "verify --html wrote nothing"
# it holds full logs (this kernel's addresses): for its owner only, as explain's log
expect_eq "$(stat -c %a "$T/r.html")" 600 "the mode of a page with full logs"
browser "file://$T/r.html#fail-0" dom "$T/r.dom"
browser "file://$T/r.html#fail-1&q=r1" dom "$T/q.dom"
browser "file://$T/r.html#fail-1" png "$T/r.png"
[ "$(head -c 8 "$T/r.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] ||
	fail "the screenshot is not a PNG"
[ "$(stat -c %s "$T/r.png")" -gt 20000 ] || fail "the screenshot is (nearly) blank"

# The same results read back: merge shows their log tails.
run "$BPFGATE" merge --html "$T/m.html" "$T/run.json"
expect_eq "$rc" 1 "merge --html: exit status ($err)"
browser "file://$T/m.html#fail-0" dom "$T/m.dom"

# With --full-log the JSON carries the full logs, and merge's page shows them.
run "$BPFGATE" verify --json --full-log "${objs[@]}"
expect_eq "$rc" 1 "verify --json --full-log: exit status ($err)"
echo "$out" >"$T/full.json"
run "$BPFGATE" merge --html "$T/f.html" "$T/full.json"
expect_eq "$rc" 1 "merge --html of full logs: exit status ($err)"
browser "file://$T/f.html#fail-0" dom "$T/f.dom"

# Against a baseline (this run's own results): its bars beside the run's.
run "$BPFGATE" verify --baseline "$T/run.json" --html "$T/b.html" "${objs[@]}"
expect_eq "$rc" 1 "verify --baseline --html: exit status ($err)"
browser "file://$T/b.html" dom "$T/b.dom"

python3 - "$T" <<'PY' || exit 1
import json, sys
from html.parser import HTMLParser

t = sys.argv[1]
run = json.load(open(f"{t}/run.json"))["results"]

class Page(HTMLParser):
    """Elements with their attributes, text and enclosing elements."""
    def __init__(self, text):
        super().__init__()
        self.els, self.stack = [], []
        self.feed(text)
    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": list(self.stack)}
        self.els.append(el)
        if tag not in ("meta", "input", "br", "rect", "img", "link"):
            self.stack.append(el)
    def handle_endtag(self, tag):
        if all(e["tag"] != tag for e in self.stack):
            return  # a void element's end tag (the DOM writes <rect ...></rect>)
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break
    def handle_data(self, data):
        for el in self.stack:
            el["text"] += data
    def find(self, tag=None, cls=None, **attrs):
        return [e for e in self.els if (tag is None or e["tag"] == tag)
                and (cls is None or cls in e["attrs"].get("class", "").split())
                and all(e["attrs"].get(k) == v for k, v in attrs.items())]

def fail(msg):
    sys.exit(f"FAIL: {msg}")

def check_page(name, expect_open, log_kind):
    p = Page(open(f"{t}/{name}.dom").read())
    sc = p.find("output", id="selfcheck")
    if len(sc) != 1 or sc[0]["attrs"].get("data-js") != "ok":
        fail(f"{name}: the page's script did not run: {sc}")
    sc = sc[0]["attrs"]
    # the matrix: a row per program, one cell (one kernel) with the run's verdict
    rows = [e for e in p.find("tr") if any(q["attrs"].get("id") == "matrix"
                                           for q in e["parents"])]
    cells = p.find("td", cls="cell")
    if len(cells) != len(run) or sc.get("data-cells") != str(len(run)):
        fail(f"{name}: {len(cells)} cells ({sc.get('data-cells')} seen by the script), "
             f"{len(run)} results")
    for r, cell in zip(run, cells):
        v = r["verdict"]
        label = r["object"].rsplit("/", 1)[-1] + ":" + r["program"]
        row = cell["parents"][-1]
        if f"v-{v}" not in cell["attrs"]["class"].split() or cell["attrs"]["data-verdict"] != v:
            fail(f"{name}: {label}: cell {cell['attrs']} is not '{v}'")
        if not row["text"].startswith(label):
            fail(f"{name}: the row of {label} reads '{row['text'][:60]}'")
    fails = [r for r in run if r["verdict"] in ("fail", "error")]
    dets = p.find("details", cls="failure")
    if len(dets) != len(fails):
        fail(f"{name}: {len(dets)} failures shown, {len(fails)} in the run")
    # #fail-N opened failure N at its source line, the state before its failing insn
    d = p.find("details", id=f"fail-{expect_open}")[0]
    r = fails[expect_open]
    if "open" not in d["attrs"] or sc.get("data-open") != f"fail-{expect_open}":
        fail(f"{name}: #fail-{expect_open} did not open it ({sc})")
    if f"{r['source']}: {r['source_text']}" not in d["text"]:
        fail(f"{name}: failure {expect_open} lacks its source line {r['source']}")
    if log_kind not in d["text"]:
        fail(f"{name}: the viewer does not show the {log_kind}")
    sel = [e for e in p.find("div", cls="sel") if d in e["parents"]]
    if len(sel) != 1 or "insn" not in sel[0]["attrs"]["class"].split():
        fail(f"{name}: no failing instruction selected in the log")
    if sel[0]["attrs"].get("data-insn") != sc.get("data-insn"):
        fail(f"{name}: the state is not that of the selected instruction")
    # the failing instruction reads R1, a packet pointer the verifier tracked
    if "R1=pkt" not in sc.get("data-state", ""):
        fail(f"{name}: the state before the failing instruction lacks R1: {sc}")
    return p, sc

p, sc = check_page("r", 0, "full")
check_page("m", 0, "its last lines")
check_page("f", 0, "full")
full = json.load(open(f"{t}/full.json"))["results"]
if [bool(r.get("log")) for r in full] != [r["verdict"] == "fail" for r in run] or \
        any("log" in r for r in run):
    fail("--full-log: a log for each failure and only then; none without it")

# markup in a name and in log lines is text; nothing ran; nothing comes from outside
text = open(f"{t}/r.html").read()
for q in (p, Page(open(f"{t}/q.dom").read())):
    if any("data-pwned" in e["attrs"] for e in q.find("body")):
        fail("an object name or a log line ran as a script")
    if q.find("img") or q.find("b") or len(q.find("script")) != 1:
        fail("an object name or a log line was parsed as markup")
if "</script><script>document.body.dataset.pwned=1</script><b>x" not in p.find("body")[0]["text"]:
    fail("the source line with markup is not shown as it is")
if "<img src=x onerror=document.body.dataset.pwned=2>.bpf.o:inject" not in p.find("body")[0]["text"]:
    fail("the object name with markup is not shown as it is")
for e in Page(text).els:
    a = e["attrs"]
    if e["tag"] in ("link", "img", "iframe") or "src" in a or \
       (a.get("href") and not a["href"].startswith("#")):
        fail(f"the page refers to something outside itself: {e['tag']} {a}")

# the search: every line holding "r1" of failure 1's log, none other
q = Page(open(f"{t}/q.dom").read())
d = q.find("details", id="fail-1")[0]
lines = [e for e in q.find("div", cls="l") if d in e["parents"]]
want = sum("r1" in e["text"].lower() for e in lines)
hits = [e for e in lines if "hit" in e["attrs"]["class"].split()]
if not want or len(hits) != want or q.find("output", id="selfcheck")[0]["attrs"].get(
        "data-hits") != str(want):
    fail(f"search 'r1': {len(hits)} lines marked, {want} hold it")

# the baseline: two bars (insns, states) beside each result's two
b = Page(open(f"{t}/b.dom").read())
base, cur = b.find("rect", cls="b-base"), [e for e in b.find("rect")
                                           if "b-base" not in e["attrs"]["class"]]
if len(cur) != 2 * len(run) or len(base) != len(cur):
    fail(f"charts: {len(cur)} bars of the run, {len(base)} of the baseline, "
         f"{len(run)} results")
PY

# a report that cannot be written: one line, exit 2, nothing left
run "$BPFGATE" verify --html "$T/no/such/dir/r.html" "$TB/ok_counter.bpf.o"
expect_eq "$rc" 2 "an unwritable --html: exit status"
expect_contains "$err" "bpfgate: $T/no/such/dir/r.html: cannot write the HTML report:" "its error"
[ -z "$(find "$T" -name '.r.html.*')" ] || fail "a temp file was left behind"
echo "ok"
