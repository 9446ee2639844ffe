"""A registry with a rule that has options, and helpers to parse and resolve config text."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.lint.config import flags_layer, parse_lint_settings
from gitops.lint.rules import REGISTRY
from gitops.lint.selection import resolve
from gitops.rules.registry import Registry, Violation, rule


@dataclass(frozen=True)
class ReplicaOptions:
    minimum: int = 2
    """Fewest replicas accepted."""
    kinds: tuple[str, ...] = ("Deployment",)
    """Kinds checked."""
    ratio: float = 1.5


@rule(
    "TS001",
    "too-few-replicas",
    family="testing",
    severity=Severity.WARNING,
    strict_severity=Severity.ERROR,
    options=ReplicaOptions(),
)
def too_few_replicas(manifest: Manifest, graph: ObjectGraph, options: Any) -> Iterator[Violation]:
    """A workload runs fewer replicas than the minimum.

    Why: One pod means every node drain and every crash is an outage for its users.
    Fix: Raise spec.replicas.
    """
    yield from ()


TEST_REGISTRY = Registry.collect(REGISTRY.rules, (too_few_replicas,))


def parse(text: str, registry: Registry = TEST_REGISTRY, known_envs: tuple[str, ...] = ()) -> Any:
    table = tomllib.loads(text).get("tool", {}).get("gitops", {}).get("lint", {})
    return parse_lint_settings(table, registry, where="pyproject.toml", known_envs=known_envs)


def active(settings: Any, env: str | None = None, **flags: Any) -> dict[str, Severity]:
    layer = flags_layer(TEST_REGISTRY, **flags) if flags else None
    return {a.rule.code: a.severity for a in resolve(settings, TEST_REGISTRY, env, layer).active}
