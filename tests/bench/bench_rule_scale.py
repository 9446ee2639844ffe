"""Per-object lint rule time at several sizes of one corpus: it must not grow with the input
(issue #9, "time per object must not grow with size").

    .venv/bin/python tests/bench/bench_rule_scale.py [--inputs DIR,DIR,...] [--runs 3] [--top 12]

Inputs default to the 1x, 4x and 10x corpora ``bench_scale.py`` builds under
/tmp/gitops-bench-scale (``base``, ``x4``, ``x10``; run it first). Each run is a fresh
process: load the input, build the object graph (timed), then run every rule of the default
configuration over every object in one graph, as ``gitops lint`` does with one job (timed per
rule; the cyclic GC paused, as lint pauses it). Printed: medians of ``--runs`` in ms per
object at each size with the slope from the smallest to the largest, and the rules whose
time per object grows most. A flat line is O(n); a slope near the size ratio is O(n^2).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

WORK = Path("/tmp/gitops-bench-scale")


def measure(directory: Path) -> dict[str, Any]:
    from gitops.k8s.graph import ObjectGraph
    from gitops.k8s.manifests import load
    from gitops.lint.engine import ActiveRule, run_rules
    from gitops.lint.rules import REGISTRY

    loaded = load([str(directory)])
    gc.disable()
    started = time.perf_counter()
    graph = ObjectGraph(loaded.manifests)
    graph_seconds = time.perf_counter() - started
    spent: dict[str, float] = {}

    def timed(code: str, check: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        def run(*args: Any) -> Iterator[Any]:
            begun = time.perf_counter()
            found = list(check(*args))
            spent[code] = spent.get(code, 0.0) + time.perf_counter() - begun
            return iter(found)

        return run

    active = [
        ActiveRule(dataclasses.replace(r, check=timed(r.code, r.check)), r.severity, r.options)
        for r in REGISTRY.rules
        if r.enabled and r.engine == "lint"
    ]
    started = time.perf_counter()
    findings = run_rules(graph, active)
    rules_seconds = time.perf_counter() - started
    return {
        "objects": len(loaded.manifests),
        "findings": len(findings),
        "graph_s": graph_seconds,
        "rules_s": rules_seconds,
        "per_rule_s": spent,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inputs", default=",".join(str(WORK / n) for n in ("base", "x4", "x10")))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one)))
        return
    inputs = [Path(p) for p in args.inputs.split(",")]
    for directory in inputs:
        if not directory.is_dir():
            raise SystemExit(f"{directory} is missing: build it with tests/bench/bench_scale.py")
    results: dict[Path, list[dict[str, Any]]] = {d: [] for d in inputs}
    for _ in range(args.runs):  # sizes alternate, so a noisy minute hits all of them
        for directory in inputs:
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(directory)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[directory].append(json.loads(out))
    rows = []
    print(f"{'input':<40} {'objects':>8} {'graph ms/obj':>13} {'rules ms/obj':>13} {'findings':>9}")
    for directory, runs in results.items():
        objects = runs[0]["objects"]
        graph_ms = statistics.median(r["graph_s"] for r in runs) * 1000 / objects
        rules_ms = statistics.median(r["rules_s"] for r in runs) * 1000 / objects
        rows.append((directory, objects, rules_ms, runs))
        print(
            f"{directory!s:<40} {objects:>8} {graph_ms:>13.4f} {rules_ms:>13.4f} "
            f"{runs[0]['findings']:>9}"
        )
    small, large = rows[0], rows[-1]
    print(
        f"rules ms/object slope {small[1]} -> {large[1]} objects: "
        f"{large[2] / small[2]:.2f}x (1.00 is linear; medians of {args.runs} runs)"
    )

    def per_object(runs: list[dict[str, Any]], objects: int, code: str) -> float:
        return statistics.median(r["per_rule_s"].get(code, 0.0) for r in runs) * 1000 / objects

    codes = sorted({c for r in large[3] for c in r["per_rule_s"]})
    growth = sorted(
        codes,
        key=lambda c: per_object(large[3], large[1], c) - per_object(small[3], small[1], c),
        reverse=True,
    )
    print(f"\nrules whose ms/object grows most ({small[1]} -> {large[1]} objects):")
    for code in growth[: args.top]:
        before, after = per_object(small[3], small[1], code), per_object(large[3], large[1], code)
        print(f"  {code}  {before:.4f} -> {after:.4f} ms/object")


if __name__ == "__main__":
    main()
