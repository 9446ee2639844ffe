"""Pod Security admission as the API server applies it: a namespace's levels, and the pods
of an object evaluated against them.

A namespace chooses a level (``privileged``, ``baseline``, ``restricted``) and the policy
version per mode with the labels ``pod-security.kubernetes.io/<mode>`` and
``<mode>-version`` (``v1.31`` or ``latest``); ``enforce`` rejects a pod, ``audit`` and
``warn`` only record or warn. The checks themselves are in ``pod_security_checks``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.k8s.pod_security_checks import BASELINE, CHECKS, RESTRICTED, Failure
from gitops.k8s.pods import all_containers, pod_templates

LABEL_PREFIX = "pod-security.kubernetes.io/"
MODES = ("enforce", "audit", "warn")
LEVELS = ("privileged", BASELINE, RESTRICTED)
LATEST = 99
"""``latest``: every check at its newest variant."""
_VERSION = re.compile(r"^v1\.(\d+)$")


@dataclass(frozen=True)
class Policy:
    mode: str
    level: str
    minor: int
    """Kubernetes 1.``minor`` (``LATEST`` for latest)."""
    path: tuple[str | int, ...] | None
    """Where the namespace label is, when the Namespace is in the input."""

    @property
    def version(self) -> str:
        return "latest" if self.minor == LATEST else f"v1.{self.minor}"


def parse_minor(text: str) -> int | None:
    """``latest`` or ``v1.N`` -> the minor version; None when it is neither."""
    if text == "latest":
        return LATEST
    match = _VERSION.match(text)
    return int(match[1]) if match else None


def namespace_policies(
    manifest: Manifest, graph: ObjectGraph, defaults: tuple[tuple[str, str], ...]
) -> list[Policy]:
    """The enforce/audit/warn policies of ``manifest``'s namespace: from the Namespace's labels
    when the input has it, else from ``defaults`` (label name -> value). A mode without a
    valid level is absent (the API server then uses its own default, usually privileged);
    a missing or malformed version means ``latest``, as the API server reads it."""
    if not manifest.namespace:
        return []
    known: dict[tuple[str, tuple[tuple[str, str], ...]], list[Policy]]
    known = graph.cached("pod_security.policies", lambda g: {})
    key = (manifest.namespace, defaults)
    found = known.get(key)
    if found is None:
        found = known[key] = _policies(graph, manifest.namespace, dict(defaults))
    return found


def _policies(graph: ObjectGraph, name: str, defaults: Mapping[str, str]) -> list[Policy]:
    namespace = graph.get("Namespace", name)
    labels: Mapping[str, object] = defaults
    if namespace is not None:
        raw = namespace.labels
        labels = raw if isinstance(raw, dict) else {}
    policies = []
    for mode in MODES:
        level = labels.get(LABEL_PREFIX + mode)
        if level not in (BASELINE, RESTRICTED):
            continue
        version = labels.get(f"{LABEL_PREFIX}{mode}-version")
        minor = parse_minor(version) if isinstance(version, str) else None
        path = None
        if namespace is not None:
            path = ("metadata", "labels", LABEL_PREFIX + mode)
        policies.append(Policy(mode, str(level), LATEST if minor is None else minor, path))
    return policies


def evaluate(manifest: Manifest, level: str, minor: int) -> list[Failure]:
    """Every check failure of every pod ``manifest`` makes, at ``level`` and Kubernetes
    1.``minor``, in check order; a pod-level field shared by several pods (an Argo
    workflow's) is reported once."""
    if level not in (BASELINE, RESTRICTED):
        return []
    return manifest.cached(f"pod_security.{level}.{minor}", lambda m: _evaluate(m, level, minor))


def _evaluate(manifest: Manifest, level: str, minor: int) -> list[Failure]:
    active = [c for c in CHECKS if c.level == BASELINE or level == RESTRICTED]
    overridden = {c.overrides for c in active if c.overrides and c.at(minor) is not None}
    failures: list[Failure] = []
    seen: set[tuple[str, tuple[str | int, ...]]] = set()
    for pod in pod_templates(manifest):
        refs = [ref for ref in all_containers(manifest) if ref.pod is pod]
        for check in active:
            variant = check.at(minor)
            if variant is None or check.id in overridden:
                continue
            for failure in variant(pod, refs):
                key = (failure.check, failure.path)
                if key not in seen:
                    seen.add(key)
                    failures.append(failure)
    return failures
