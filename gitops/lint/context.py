"""The lint context one app's objects need: the objects of its environment that cross-object
rules can look up from them, instead of the whole environment (1,200 files for 100 apps).

Findings on an object depend only on the graph lookups its rules make. Lookups keyed by
namespace (``get``, ``in_namespace``, ``selection``, ``selected_by``, ``autoscalers_of``,
``same_identity``, the per-namespace indexes of ``cached``) see only the app's namespaces;
the others reach further:

- RBAC: ``bindings_for_service_account`` finds RoleBindings in *any* namespace (a subject may
  name the app's ServiceAccount, or the group of all ServiceAccounts), and those bind Roles
  of their own namespace: every Role, RoleBinding, ClusterRole, ClusterRoleBinding is kept;
- ``of_kind(kind)`` asks whether the input has any object of a kind at all (an autoscaler's
  target kind): the first file of each kind is kept, so the answer is the same;
- cluster-scoped objects (Namespaces with their Pod Security labels, CRDs, cluster-wide
  policies) are kept;
- a ServiceMonitor or PodMonitor of the app may select Services in other namespaces
  (``namespaceSelector.matchNames``: those namespaces are kept; ``any: true``) and a
  CiliumClusterwideNetworkPolicy selects pods in every namespace: then the whole
  environment is the context.

A file is left out only when the render index describes it (its kind and namespace) and its
bytes are the ones the index hashed; anything else (a hand edit, a file synth did not write)
is kept. ``tests/lint/test_context.py`` compares the findings with the whole-environment
context for every app of this repository and of the benchmark repository.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from gitops.k8s.manifests import Manifest, discover

RBAC_KINDS = frozenset({"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"})
"""Kinds a lookup from the app's objects can reach in any namespace."""
MONITOR_KINDS = frozenset({"ServiceMonitor", "PodMonitor"})
CLUSTER_WIDE_SELECTORS = frozenset({"CiliumClusterwideNetworkPolicy"})


def app_context(
    env_dir: Path,
    root: Path,
    index: Mapping[str, Mapping[str, Any]],
    targets: Sequence[Manifest],
) -> list[str]:
    """Files of ``env_dir`` (``rendered/<env>``) that ``targets`` (the objects of one or more
    apps in that environment) need as lint context; in the order of the whole directory."""
    namespaces = _namespaces(targets)
    everything = discover([str(env_dir)])
    if namespaces is None:
        return everything
    kinds_seen: set[str] = set()
    kept: list[str] = []
    top = str(env_dir)
    top_rel = Path(os.path.relpath(top, root)).as_posix()
    for path in everything:  # each under ``top``, as discover() joins them
        entry = index.get(top_rel + path[len(top) :].replace(os.sep, "/"))
        if entry is None or not _as_indexed(path, entry):
            kept.append(path)  # what the file holds is known only by parsing it
            continue
        kind, namespace = str(entry.get("kind")), entry.get("namespace")
        if (
            kind in RBAC_KINDS
            or kind not in kinds_seen
            or namespace is None
            or namespace in namespaces
        ):
            kept.append(path)
        kinds_seen.add(kind)
    return kept


def _namespaces(targets: Sequence[Manifest]) -> set[str] | None:
    """The namespaces whose objects ``targets`` can look up; None for every namespace."""
    found: set[str] = set()
    for manifest in targets:
        if manifest.kind in CLUSTER_WIDE_SELECTORS:
            return None
        if manifest.namespace:
            found.add(manifest.namespace)
        if manifest.kind == "Namespace" and manifest.name:
            found.add(manifest.name)
        if manifest.kind in MONITOR_KINDS:
            spec = manifest.body.get("spec")
            scope = spec.get("namespaceSelector") if isinstance(spec, dict) else None
            if isinstance(scope, dict):
                if scope.get("any") is True:  # as coverage_services reads it
                    return None
                names = scope.get("matchNames")
                if isinstance(names, list):
                    found.update(str(n) for n in names)
    return found


def _as_indexed(path: str, entry: Mapping[str, Any]) -> bool:
    """Are the file's bytes the ones the render index hashed (so its kind and namespace in
    the index are the file's)?"""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return False
    return hashlib.sha256(data).hexdigest() == entry.get("sha256")
