"""Labels, annotations and metadata every gitops construct writes (never Argo CD's own)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MANAGED_BY = "gitops"
NAME_LABEL = "app.kubernetes.io/name"
PART_OF_LABEL = "app.kubernetes.io/part-of"
MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
IGNORE_ANNOTATION = "gitops.dev/ignore"
IGNORE_REASON_ANNOTATION = "gitops.dev/ignore-reason"


def standard_labels(name: str, app: str) -> dict[str, str]:
    """Labels every object of a component carries (never Argo CD's tracking labels)."""
    return {NAME_LABEL: name, PART_OF_LABEL: app, MANAGED_BY_LABEL: MANAGED_BY}


def selector_labels(name: str) -> dict[str, str]:
    """The stable, minimal selector of a component's pods: immutable once deployed."""
    return {NAME_LABEL: name}


def metadata(
    name: str,
    namespace: str | None,
    labels: Mapping[str, str],
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": dict(labels)}
    if namespace is not None:
        meta["namespace"] = namespace
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta
