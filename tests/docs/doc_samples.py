#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run the command samples of the docs and compare what they print with what is shown.

    doc_samples.py [--list] [--update] FILE.md...

A sample is a fenced block whose info string is `console`:

    ```console
    $ bpfgate init
    wrote ./bpfgate.conf: 2 programs in src/bpf
    ```

Lines starting with `$ ` are commands (a trailing backslash continues one); the lines
after a command, up to the next command, are what it prints (stdout and stderr).
All samples of one document run in order in one bash process, in a scratch HOME that
holds `~/bpfgate` (this repository) and `~/myproj` (a copy of
tests/fixtures/project with its programs in src/bpf), so that a document reads as a
session a user could type. A comment line `<!-- doctest: CMD -->` before a block runs
CMD first without showing it (set-up that the prose describes in words).

The comparison is modulo what changes from run to run or machine to machine:
- numbers (`12`, `4.57`, `+1060.00%`) match any number, kernel releases any release,
  the scratch HOME is shown as /home/me, runs of spaces as one space;
- a line `...` matches any number of lines, `...` within a line any text.

Exit 0 when every sample matches, 1 with a diff of the first mismatch of each sample
otherwise, 2 on usage errors. --list prints the samples found; --update rewrites
nothing but prints what each command printed (to copy into the docs).
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\S*)\s*$")
HIDDEN = re.compile(r"^<!--\s*doctest:\s*(.*?)\s*-->\s*$")
# 5.10.0-32-amd64, 6.18.44-fc-v1045, 7.2.13+deb14-amd64, 6.12.117+deb13-amd64
KREL = re.compile(r"\b\d+\.\d+(?:\.\d+)?(?:[-+][A-Za-z0-9.+_~-]*[A-Za-z0-9])\b")
# mkstemp's names: /tmp/bpfgate-explain-pXhF4j.log
TEMPNAME = re.compile(r"(bpfgate-[a-z]+[-.])[A-Za-z0-9]{6}\b")
NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
MARK = "@@doc-sample"


class Sample:
    def __init__(self, path, line, hidden):
        self.path, self.line, self.hidden = path, line, hidden
        self.commands = []  # [(command text, [expected lines], line number)]


def roff_samples(path, text):
    """Man pages: a .nf/.fi block whose first line is a '$ ' command is a sample."""
    out, block = [], None
    for line in text.split("\n"):
        if line.startswith(".nf"):
            block = []
        elif line.startswith(".fi") and block is not None:
            if block and block[0].startswith("$ "):
                out += ["```console"] + block + ["```"]
            else:
                out += ["```"] + block + ["```"]
            block = None
        elif block is not None:
            block.append(line.replace("\\-", "-").replace("\\e", "\\").replace("\\(aq", "'"))
    return out


def parse(path):
    """The console samples of one Markdown file (or man page)."""
    samples, hidden, sample, cmd, prompt_line = [], [], None, None, None
    bench_quote = quote = False
    in_fence = False
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = roff_samples(path, text) if re.search(r"\.\d$", path) else text.split("\n")
    for no, line in enumerate(lines, 1):
        m = FENCE.match(line)
        if m and not in_fence:
            in_fence = True
            quote = bench_quote  # a benchmark record, quoted (bench/sync-docs.sh)
            if m.group(1) == "console":
                sample = Sample(path, no, hidden)
            hidden = []
            continue
        if m and in_fence:
            in_fence = False
            if not sample and prompt_line and not quote:
                raise SystemExit(f"{path}:{prompt_line}: a '$ ' command sample outside a "
                                 "console block (make it ```console so that it is tested)")
            prompt_line = None
            if sample:
                if not sample.commands:
                    raise SystemExit(f"{path}:{sample.line}: a console block without a '$ ' command")
                samples.append(sample)
            sample = cmd = None
            continue
        if not in_fence:
            bench_quote = line.startswith("<!-- bench:") or (bench_quote and not line.strip())
            h = HIDDEN.match(line)
            if h:
                hidden.append(h.group(1))
            elif line.strip():
                hidden = []
            continue
        if not sample:
            if line.startswith("$ ") and prompt_line is None:
                prompt_line = no
            continue
        if cmd is not None and cmd[0].endswith("\\"):
            cmd[0] = cmd[0] + "\n" + line
        elif line.startswith("$ "):
            cmd = [line[2:], [], no]
            sample.commands.append(cmd)
        elif cmd is None:
            raise SystemExit(f"{path}:{no}: output before the first '$ ' command")
        else:
            cmd[1].append(line)
    return samples


def normalize(line, home, top=None):
    if home:
        line = line.replace(home, "/home/me")
    if top:
        line = line.replace(top, "/home/me/bpfgate")
    line = TEMPNAME.sub(r"\1XXXXXX", line)
    line = KREL.sub("KREL", line)
    line = re.sub(r"0x[0-9a-f]{8,}", "HEX", line)
    line = NUMBER.sub("N", line)
    return re.sub(r"\s+", " ", line).strip()


def line_matches(expected, actual):
    if "..." not in expected:
        return expected == actual
    parts = [re.escape(p) for p in expected.split("...")]
    return re.fullmatch(".*".join(parts), actual) is not None


def matches(expected, actual):
    """expected (with `...` lines) against actual, both normalized."""
    # memoized match of expected[i:] against actual[j:]
    memo = {}

    def m(i, j):
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(expected):
            r = j == len(actual)
        elif expected[i] == "...":
            r = any(m(i + 1, k) for k in range(j, len(actual) + 1))
        else:
            r = j < len(actual) and line_matches(expected[i], actual[j]) and m(i + 1, j + 1)
        memo[key] = r
        return r

    return m(0, 0)


def scratch_home(top):
    home = tempfile.mkdtemp(prefix="bpfgate-doc.")
    os.symlink(top, os.path.join(home, "bpfgate"))
    proj = os.path.join(home, "myproj")
    os.makedirs(os.path.join(proj, "src"))
    shutil.copytree(os.path.join(top, "tests/fixtures/project/programs"),
                    os.path.join(proj, "src/bpf"))
    return home


def run_document(samples, top, build):
    """Run one document's samples; return {(sample index, command index): output lines}."""
    home = scratch_home(top)
    script = ["set +e", f"cd {sh_quote(top)}"]
    for si, s in enumerate(samples):
        for h in s.hidden:
            script.append(f"{h} >/dev/null 2>&1 </dev/null")
        for ci, (cmd, _, _) in enumerate(s.commands):
            script.append(f"echo '{MARK} {si} {ci}'")
            script.append(f"{{ {cmd}\n}} 2>&1 </dev/null")
    script.append(f"echo '{MARK} end'")
    env = dict(os.environ)
    env["HOME"] = home
    env.pop("BPFGATE_RESULT_CACHE", None)  # the scratch HOME's, as a user's would be
    env.pop("BPFGATE_CACHE", None)
    env["PATH"] = build + ":" + env.get("PATH", "")
    env.pop("MAKEFLAGS", None)
    env.pop("MAKELEVEL", None)
    env.pop("MFLAGS", None)
    env["COLUMNS"] = "200"
    # explain's full logs go to $TMPDIR as a user's would (the samples show
    # /tmp): the ones these runs made are removed with the scratch HOME
    logs = os.path.join(os.environ.get("TMPDIR") or "/tmp", "bpfgate-explain-*.log")
    tmp_logs = set(glob.glob(logs))
    try:
        p = subprocess.run(["bash", "-c", "\n".join(script)], env=env, cwd=top,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=900)
        out = p.stdout.decode("utf-8", "replace").split("\n")
    finally:
        shutil.rmtree(home, ignore_errors=True)
        for f in set(glob.glob(logs)) - tmp_logs:
            os.unlink(f)
    got, key = {}, None
    for line in out:
        if line.startswith(MARK + " "):
            f = line.split()
            key = None if f[1] == "end" else (int(f[1]), int(f[2]))
            if key:
                got[key] = []
            continue
        if key:
            got[key].append(line)
    return got, home


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    if not args or any(a not in ("--list", "--update") for a in argv if a.startswith("--")):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build = os.path.abspath(os.environ.get("O", os.path.join(top, "build")))
    failed = total = 0
    for path in args:
        samples = parse(path)
        if "--list" in argv:
            for s in samples:
                for cmd, _, no in s.commands:
                    print(f"{path}:{no}: $ {cmd}")
            continue
        if not samples:
            continue
        got, home = run_document(samples, top, build)
        for si, s in enumerate(samples):
            for ci, (cmd, want, no) in enumerate(s.commands):
                total += 1
                actual = got.get((si, ci))
                if actual is None:
                    failed += 1
                    print(f"{path}:{no}: $ {cmd}: did not run (an earlier command ended the shell)")
                    continue
                while actual and not actual[-1].strip():
                    actual.pop()
                if "--update" in argv:
                    print(f"--- {path}:{no}: $ {cmd}")
                    print("\n".join(a.replace(home, "/home/me") for a in actual))
                    continue
                w = [normalize(x, None) for x in want]
                a = [normalize(x, home, top) for x in actual]
                if not matches(w, a):
                    failed += 1
                    print(f"{path}:{no}: $ {cmd}: the output differs from the docs")
                    print("  shown:")
                    print("\n".join("    " + x for x in want))
                    print("  printed:")
                    print("\n".join("    " + x.replace(home, "/home/me") for x in actual))
    if "--list" not in argv and "--update" not in argv:
        print(f"{total} command samples, {failed} differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
