#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/ci/workflow_refs.py: check the structure of bpfgate's GitHub workflows.

    workflow_refs.py REPO_ROOT WORKFLOW.yml CALLER.yml

One line per problem on stdout, exit 1 when there is any. Checks what a workflow
that only runs on GitHub cannot show here: it is a reusable workflow with the
inputs the docs promise; every job runs somewhere; every file a step runs or
names (bpfgate/ci/..., ci/..., compiler/...) exists in the repository, and every
ci/workflow.sh command and make target it uses exists; the kernel cache is keyed by
the hash of the kernel matrix; each job installs a subset (ci/deps.sh --for); the
caller calls it; and no inline Python or jq is left in ci/.
"""
import os
import re
import subprocess
import sys

import yaml

root, workflow, caller = sys.argv[1:4]
problems = []


def problem(msg):
    problems.append(msg)


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


wf = load(workflow)
# YAML reads the key "on" as the boolean True
on = wf.get("on", wf.get(True))
call = (on or {}).get("workflow_call") if isinstance(on, dict) else None
if call is None:
    problem(f"{workflow}: not a reusable workflow (no on: workflow_call)")
    call = {}
inputs = call.get("inputs") or {}
for name in ("programs", "config", "kernels", "baseline"):
    if name not in inputs:
        problem(f"{workflow}: workflow_call has no input '{name}'")
for name, spec in inputs.items():
    if spec.get("type") != "string" or "description" not in spec:
        problem(f"{workflow}: input {name}: needs type string and a description")

# the commands ci/workflow.sh knows, from its own case labels
with open(os.path.join(root, "ci/workflow.sh")) as f:
    script_cmds = set(re.findall(r"^([a-z]+)\)$", f.read(), re.M))
make_db = subprocess.run(["make", "-C", root, "-pnq", "-f", "Makefile", "BPF_CONFIG="],
                         capture_output=True, text=True).stdout
make_targets = set(re.findall(r"^([A-Za-z0-9_.-]+):", make_db, re.M))
deps_sets = set()
cache_keys = []
jobs = wf.get("jobs") or {}
if not jobs:
    problem(f"{workflow}: no jobs")
for jname, job in jobs.items():
    if "runs-on" not in job:
        problem(f"{workflow}: job {jname}: no runs-on")
    for step in job.get("steps") or []:
        uses = step.get("uses", "")
        if uses.startswith("actions/cache"):
            cache_keys.append(step.get("with", {}).get("key", ""))
        run = step.get("run")
        if not run:
            continue
        run = re.sub(r"\$\{\{.*?\}\}", "X", run)
        for path in re.findall(r"(?:bpfgate/)?((?:ci|compiler|tests)/[\w./-]+)", run):
            if not os.path.exists(os.path.join(root, path)):
                problem(f"{workflow}: job {jname}: '{path}' does not exist")
        for cmd in re.findall(r"ci/workflow\.sh\s+([a-z]+)", run):
            if cmd not in script_cmds:
                problem(f"{workflow}: job {jname}: ci/workflow.sh has no command '{cmd}'")
        for target in re.findall(r"(?:^|&&|;|\|\|)[ \t]*make[ \t]+(?:-\S+[ \t]+)*([a-z][\w-]*)",
                                 run, re.M):
            if target not in make_targets:
                problem(f"{workflow}: job {jname}: make has no target '{target}'")
        if "deps.sh" in run:
            sets = re.findall(r"deps\.sh\s+--for\s+(\S+)", run)
            if not sets:
                problem(f"{workflow}: job {jname}: ci/deps.sh without --for installs everything")
            deps_sets.update(sets)
if not any("hashFiles" in k and "kernels-conf" in k for k in cache_keys):
    problem(f"{workflow}: no kernel cache keyed by hashFiles of the kernel matrix")
for s in deps_sets:
    if s != "X" and s not in ("build", "verify", "matrix"):
        problem(f"{workflow}: ci/deps.sh --for {s}: not a set the CI should install")

cw = load(caller)
con = cw.get("on", cw.get(True)) or {}
if "push" not in con or "pull_request" not in con:
    problem(f"{caller}: does not run on push and pull_request")
if not any(j.get("uses") == "./.github/workflows/bpfgate.yml" for j in (cw.get("jobs") or {}).values()):
    problem(f"{caller}: does not call ./.github/workflows/bpfgate.yml")

ci_files = [os.path.join(root, "ci", n) for n in sorted(os.listdir(os.path.join(root, "ci")))]
for path in ci_files + [workflow, caller]:
    with open(path, errors="replace") as f:
        text = f.read()
    if re.search(r"python3?[ \t]+(-c\b|-[ \t]*<<|<<)|(^|[|;&(][ \t]*)jq\b", text, re.M):
        problem(f"{os.path.relpath(path, root)}: inline Python or jq")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
