"""Helpers the peer adapters share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gitops.k8s.manifests import Manifest
from gitops.k8s.rbac import role_ref
from gitops.lint.rules import REGISTRY
from tests.conformance.mapping import Mapped

FAIL, PASS = "fail", "pass"


def scored_kinds(check: Mapped) -> frozenset[str]:
    """Kinds the peer check scores: ``kinds`` in the mapping entry, else every kind the
    mapped rules apply to (empty: every kind)."""
    kinds = check.extra.get("kinds")
    if kinds is not None:
        return frozenset(str(k) for k in kinds)
    found: set[str] = set()
    for code in check.rules:
        rule_kinds = REGISTRY.by_code[code].kinds
        if not rule_kinds:
            return frozenset()
        found |= rule_kinds
    return frozenset(found)


def is_scored(manifest: Manifest, kinds: frozenset[str]) -> bool:
    return is_scored_kind(manifest.kind, kinds)


def is_scored_kind(kind: str, kinds: frozenset[str]) -> bool:
    return not kinds or kind in kinds


def unique_names(names: Iterable[str]) -> list[str]:
    """``names`` with a ``#n`` suffix on repeats, so case ids stay unique and readable."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return unique


def check_extra(check: Mapped, allowed: Iterable[str]) -> None:
    unknown = sorted(set(check.extra) - set(allowed))
    if unknown:
        raise ValueError(f"{check.peer} {check.check}: unknown keys {', '.join(unknown)}")


def bound_role(binding: Manifest, manifests: Sequence[Manifest]) -> Manifest | None:
    """The Role or ClusterRole among ``manifests`` that a binding references (a peer that
    reports the binding where our rule reports the role it grants)."""
    ref = role_ref(binding)
    if ref is None:
        return None
    kind, name = ref
    for manifest in manifests:
        same_namespace = kind != "Role" or manifest.namespace == binding.namespace
        if manifest.kind == kind and manifest.name == name and same_namespace:
            return manifest
    return None
