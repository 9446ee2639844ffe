"""Run one input through everything that reads manifests, in-process: the loader, every lint
rule (strict preset, through the real lint run: graph, suppressions, ignore annotations), the
builtin validator (through the real validate run: versions, CRDs, plan, engine), and every
reporter (text with and without colour, json, sarif, github). Any exception is a failure: bad
input must come out as findings."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from gitops.commands.catalog import CATALOG
from gitops.k8s.manifests import LoadProblem, LoadResult, Manifest, load_text
from gitops.lint.config import flags_layer
from gitops.lint.rules import REGISTRY
from gitops.lint.run import lint
from gitops.report import REPORTERS, Report
from gitops.settings import Settings, load_settings
from gitops.validate.config import ValidateSettings
from gitops.validate.run import validate

FILE = "fuzz.yaml"


@cache
def _settings(root: str) -> Settings:
    return load_settings(Path(root))


def make_root(directory: Path) -> Path:
    """A config repo with no apps or environments: only ``[tool.gitops]``."""
    (directory / "pyproject.toml").write_text('[tool.gitops]\nrepo_url = "https://x/y"\n')
    return directory


def exercise(data: str | bytes, root: Path) -> str:
    """Every engine and reporter over ``data`` (one file's text); returns all reports joined
    (for tests that look for what must never be printed)."""
    manifests: list[Manifest] = []
    problems: list[LoadProblem] = []
    load_text(data, FILE, manifests, problems)
    loaded = LoadResult(manifests, problems, 1)
    settings = _settings(str(root))
    run = lint(
        [FILE],
        settings,
        registry=REGISTRY,
        known=CATALOG,
        flags=flags_layer(REGISTRY, preset="strict"),
        loaded=loaded,
    )
    outcome = validate([FILE], root=root, settings=ValidateSettings(), loaded=loaded)
    findings = [*run.findings, *outcome.findings]
    report = Report(
        findings=findings,
        rules=CATALOG.rules,
        files=1,
        objects=len(manifests),
    )
    outputs = [REPORTERS[name](report) for name in sorted(REPORTERS)]
    outputs.append(REPORTERS["text"](Report(findings, CATALOG.rules, color=True)))
    json.loads(outputs[sorted(REPORTERS).index("json")])
    json.loads(outputs[sorted(REPORTERS).index("sarif")])
    return "\n".join(outputs)
