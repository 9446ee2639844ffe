"""Benchmark a whole lint run (load, graph, rules, suppression, source mapping, sort, report).

    .venv/bin/python -m tests.bench.bench_lint [OBJECTS]

Writes OBJECTS Deployments (default 9,000: 3 envs x 3,000, one file each, every tenth with an
ignore annotation, every fifth with a moving tag) to a temporary repo, then times
``gitops.lint.run.lint`` and the text and SARIF reporters (best of 3).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from gitops.commands.catalog import CATALOG
from gitops.lint.rules import REGISTRY
from gitops.lint.run import lint
from gitops.report import REPORTERS, Report
from tests.repo import deployment, write_repo


def main(objects: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files: dict[str, str | bytes] = {}
        for i in range(objects):
            env = ("dev", "staging", "prod")[i % 3]
            annotations = (
                {"gitops.dev/ignore": "IM001", "gitops.dev/ignore-reason": "bench"}
                if i % 10 == 0
                else None
            )
            image = f"ghcr.io/acme/app{i}:latest" if i % 5 == 0 else f"ghcr.io/acme/app{i}:1.0.{i}"
            files[f"rendered/{env}/app{i % 50}/deployment.app{i}.yaml"] = deployment(
                name=f"app{i}", image=image, annotations=annotations
            )
        settings = write_repo(Path(tmp), files, '[tool.gitops.lint.env.prod]\nenable = ["IM002"]\n')
        for label, work in (
            ("lint", lambda: lint([], settings, registry=REGISTRY, known=CATALOG)),
        ):
            best = min(_timed(work) for _ in range(3))
            print(f"{label}: {best * 1000:.0f} ms for {objects} objects")
        run = lint([], settings, registry=REGISTRY, known=CATALOG)
        report = Report(run.findings, run.rules, run.files, run.objects)
        for name in ("text", "sarif"):
            best = min(_timed(lambda n=name: REPORTERS[n](report)) for _ in range(3))
            print(f"report {name}: {best * 1000:.0f} ms for {len(run.findings)} findings")


def _timed(work: object) -> float:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - start


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9000)
