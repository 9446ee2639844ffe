"""Where one ``gitops lint`` run spends its time, phase by phase, beside the floor under each
phase (issue #9: "the profile that shows where the time goes and why it cannot go lower").

    .venv/bin/python tests/bench/lint_profile.py [--scales 1,10] [--runs 3] [--jobs 1,2]
        [--work DIR]

Input: the scaled corpora of ``bench_scale.py`` (built there, reused here). Each run is a fresh
process of the real CLI (``gitops lint --format json DIR``, output to /dev/null) with a clock
around each stage: imports (up to the rules, imported after the parsing child is forked, as
the CLI does), load (find, read and parse the files: what is left of it when this process
joins the child), graph (the cross-object indexes), rules (every object's rules and its
findings' lines), report (sort, format, write) and the rest (interpreter start and exit,
settings). Medians of ``--runs``.

The floors, measured in this process on the same files:

- ``python -c pass``: the interpreter alone;
- libyaml: composing every document with PyYAML's C parser and its Python resolver (what
  any Python tool pays for YAML with line numbers), without building any data;
- ``json.dumps``: the report's findings as plain dicts, written by the C encoder without
  indentation (the least a JSON report of that many findings costs).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import scaled_input

ROOT = Path(__file__).resolve().parents[2]
PHASES = ("import", "load", "graph", "rules", "report", "rest")
_DRIVER = """
import atexit, json, sys, time
started = time.perf_counter()
import gitops.cli, gitops.k8s.prefetch as prefetch
spent = {}

def clocked(module, name, phase):
    inner = getattr(module, name)
    def wrapper(*args, **kwargs):
        begin = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[phase] = spent.get(phase, 0.0) + time.perf_counter() - begin
    setattr(module, name, wrapper)

def imported_after(paths, inner=prefetch.prefetch):
    # As the CLI does: the child is forked first, the rules are imported while it parses.
    inner(paths)
    import gitops.commands.lint as command, gitops.lint.run as run
    spent["import"] = time.perf_counter() - started
    clocked(run, "_load", "load")
    clocked(run, "_cluster_graphs", "graph")
    clocked(run, "_all_object_findings", "rules")
    render = command.render
    def rendered(*args, **kwargs):  # the report is written as it is formatted: clock both
        begin = time.perf_counter()
        for piece in render(*args, **kwargs):
            yield piece
        spent["report"] = time.perf_counter() - begin
    command.render = rendered
prefetch.prefetch = imported_after
def save(path=sys.argv[1]):  # gitops may end the process without teardown: write it now
    with open(path, "w") as out:
        out.write(json.dumps(spent))
atexit.register(save)
sys.argv = ["gitops", "lint", "--format", "json", sys.argv[2]]
gitops.cli.main()
"""


def one_run(directory: Path, jobs: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = {**os.environ, "GITOPS_JOBS": str(jobs)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", _DRIVER, out.name, str(directory)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            check=False,
        )
        wall = time.perf_counter() - started
        spent: dict[str, float] = json.loads(Path(out.name).read_text())
    spent["rest"] = wall - sum(spent.values())
    spent["total"] = wall
    return spent


def interpreter_floor(runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def libyaml_floor(directory: Path) -> float:
    import yaml

    from gitops.k8s.manifests import discover

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    texts = [Path(p).read_bytes().decode("utf-8", "replace") for p in discover([str(directory)])]
    started = time.process_time()
    for text in texts:
        try:
            for _ in yaml.compose_all(text, Loader=loader):
                pass
        except yaml.YAMLError:
            pass
    return time.process_time() - started


def json_floor(directory: Path) -> tuple[float, int]:
    from gitops.commands.catalog import CATALOG
    from gitops.lint.rules import REGISTRY
    from gitops.lint.run import lint
    from gitops.report.json import finding_record
    from gitops.settings import load_settings

    findings = lint([str(directory)], load_settings(ROOT), registry=REGISTRY, known=CATALOG).findings
    records = [finding_record(f) for f in findings]
    started = time.process_time()
    json.dumps({"findings": records}, ensure_ascii=False)
    return time.process_time() - started, len(findings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--work", type=Path, default=Path("/tmp/gitops-bench-scale"))
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; medians of "
        f"{args.runs} runs; seconds (wall) per phase of one `gitops lint --format json` process"
    )
    print(f"interpreter alone (python -c pass): {interpreter_floor(args.runs):.3f} s")
    for scale in (int(s) for s in args.scales.split(",")):
        directory, objects = scaled_input(args.work, scale)
        header = "  ".join(f"{p:>7}" for p in (*PHASES, "total"))
        print(f"\n{scale}x: {objects} objects\n  jobs  {header}  ms/object")
        for jobs in (int(j) for j in args.jobs.split(",")):
            samples = [one_run(directory, jobs) for _ in range(args.runs)]
            medians = {k: statistics.median(s[k] for s in samples) for k in (*PHASES, "total")}
            cells = "  ".join(f"{medians[k]:7.3f}" for k in (*PHASES, "total"))
            print(f"  {jobs:>4}  {cells}  {1000 * medians['total'] / objects:9.3f}")
        compose = libyaml_floor(directory)
        encode, findings = json_floor(directory)
        print(
            f"  floors (CPU, one process): libyaml compose of every document {compose:.3f} s; "
            f"json.dumps of {findings} findings without indentation {encode:.3f} s"
        )


if __name__ == "__main__":
    main()
