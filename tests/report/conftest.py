"""One real lint run with every kind of finding, for the reporters to render."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.lint.run import lint
from gitops.report import Report
from tests.repo import ENGINE_REGISTRY, deployment, write_repo

MIXED_FILES: dict[str, str | bytes] = {
    "k8s/api.yaml": deployment(name="api", image="api:latest"),
    "k8s/broken.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: {a: [1\n",
    "k8s/legacy.yaml": deployment(
        name="legacy",
        image="legacy:latest",
        annotations={"gitops.dev/ignore": "IM001", "gitops.dev/ignore-reason": "retired in Q3"},
    ),
    "k8s/noreason.yaml": deployment(name="noreason", annotations={"gitops.dev/ignore": "IM001"}),
    "vendor/chart.yaml": deployment(name="chart", image="chart:latest"),
}
MIXED_CONFIG = """
[[tool.gitops.lint.ignore]]
rules = ["IM001"]
paths = ["vendor/**"]
reason = "upstream chart, 100% vendored: do not edit"
"""


@pytest.fixture
def mixed_report(tmp_path: Path) -> Report:
    settings = write_repo(tmp_path, MIXED_FILES, MIXED_CONFIG)
    run = lint(
        [str(tmp_path / "k8s"), str(tmp_path / "vendor")], settings, registry=ENGINE_REGISTRY
    )
    return Report(findings=run.findings, rules=run.rules, files=run.files, objects=run.objects)
