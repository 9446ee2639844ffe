"""The parsed objects with the indexes cross-object questions need, built once.

"Which workloads does this PodDisruptionBudget select?" is answered from an inverted index of
pod-template labels per namespace, so a rule that asks it for every object costs O(n), not
O(n^2) (kube-score and kube-linter compare every pair).

Selector semantics follow Kubernetes, including the cases peers get wrong: an empty
LabelSelector (``{}``) selects every pod of its namespace (NetworkPolicy ``podSelector``,
PodDisruptionBudget ``selector`` in policy/v1), while a Service with no selector selects no
pods (its endpoints are managed by hand).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from gitops.manifests import Manifest
from gitops.pods import pod_template


class SelectorError(ValueError):
    """A label selector that Kubernetes would reject (bad operator, missing values)."""


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Does a LabelSelector (``matchLabels`` / ``matchExpressions``) select ``labels``?"""
    match_labels = selector.get("matchLabels") or {}
    for key, value in match_labels.items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key = expression.get("key")
        operator = expression.get("operator")
        values = expression.get("values") or []
        if operator == "In":
            if labels.get(key) not in values:
                return False
        elif operator == "NotIn":
            if key in labels and labels[key] in values:
                return False
        elif operator == "Exists":
            if key not in labels:
                return False
        elif operator == "DoesNotExist":
            if key in labels:
                return False
        else:
            raise SelectorError(f"unknown selector operator {operator!r}")
    return True


def map_selector(selector: Mapping[str, str]) -> dict[str, Any]:
    """A Service-style plain label map as a LabelSelector."""
    return {"matchLabels": dict(selector)}


class ObjectGraph:
    def __init__(self, manifests: Sequence[Manifest]) -> None:
        self.manifests = list(manifests)
        self._by_kind: dict[str, list[Manifest]] = defaultdict(list)
        self._by_identity: dict[tuple[str, str, str | None, str], list[Manifest]] = defaultdict(
            list
        )
        self._by_name: dict[tuple[str, str | None, str], list[Manifest]] = defaultdict(list)
        self._workloads: dict[str, list[Manifest]] = defaultdict(list)
        self._label_index: dict[str, dict[tuple[str, str], list[Manifest]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.namespaces: set[str] = set()
        self._reverse: dict[str, dict[int, list[Manifest]]] = {}
        for manifest in self.manifests:
            self._by_kind[manifest.kind].append(manifest)
            self._by_identity[manifest.identity].append(manifest)
            self._by_name[(manifest.kind, manifest.namespace, manifest.name)].append(manifest)
            namespace = manifest.namespace
            if namespace is not None:
                self.namespaces.add(namespace)
            if manifest.kind == "Namespace":
                self.namespaces.add(manifest.name)
            template = pod_template(manifest)
            if template is not None and namespace is not None:
                self._workloads[namespace].append(manifest)
                for pair in template.labels.items():
                    self._label_index[namespace][pair].append(manifest)

    def of_kind(self, *kinds: str) -> list[Manifest]:
        found: list[Manifest] = []
        for kind in kinds:
            found += self._by_kind.get(kind, [])
        return found

    def in_namespace(self, namespace: str | None, *kinds: str) -> list[Manifest]:
        return [m for m in self.of_kind(*kinds) if m.namespace == namespace]

    def get(self, kind: str, name: str, namespace: str | None = None) -> Manifest | None:
        """The object of ``kind`` named ``name`` (in ``namespace`` when namespaced)."""
        found = self._by_name.get((kind, namespace, name))
        return found[0] if found else None

    def same_identity(self, manifest: Manifest) -> list[Manifest]:
        """Every object the API server would treat as ``manifest`` (itself included)."""
        return self._by_identity.get(manifest.identity, [])

    def workloads(self, namespace: str | None = None) -> list[Manifest]:
        """Pod-bearing objects, optionally in one namespace."""
        if namespace is not None:
            return list(self._workloads.get(namespace, []))
        return [m for group in self._workloads.values() for m in group]

    def workloads_selected_by(
        self, namespace: str | None, selector: Mapping[str, Any] | None, *, empty_selects_all: bool
    ) -> list[Manifest]:
        """Workloads in ``namespace`` whose pod template labels ``selector`` selects."""
        if namespace is None:
            return []
        candidates = self._workloads.get(namespace, [])
        if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
            return list(candidates) if empty_selects_all else []
        index = self._label_index.get(namespace, {})
        match_labels = selector.get("matchLabels") or {}
        if match_labels:
            # Start from the rarest required label: usually a handful of candidates.
            pools = [index.get(pair, []) for pair in match_labels.items()]
            candidates = min(pools, key=len)
        return [m for m in candidates if selector_matches(selector, _template_labels(m))]

    def selection(self, selector_object: Manifest) -> list[Manifest]:
        """Workloads that ``selector_object`` (a Service, NetworkPolicy or
        PodDisruptionBudget) selects, with each kind's own empty-selector meaning."""
        spec = selector_object.body.get("spec")
        spec = spec if isinstance(spec, dict) else {}
        kind = selector_object.kind
        if kind == "Service":
            raw = spec.get("selector")
            selector = map_selector(raw) if isinstance(raw, dict) and raw else None
            return self.workloads_selected_by(
                selector_object.namespace, selector, empty_selects_all=False
            )
        if kind == "NetworkPolicy":
            raw = spec.get("podSelector")
            return self.workloads_selected_by(
                selector_object.namespace,
                raw if isinstance(raw, dict) else {},
                empty_selects_all=True,
            )
        if kind == "PodDisruptionBudget":
            raw = spec.get("selector")
            # policy/v1: an empty selector selects every pod; policy/v1beta1: none.
            return self.workloads_selected_by(
                selector_object.namespace,
                raw if isinstance(raw, dict) else {},
                empty_selects_all=selector_object.api_version == "policy/v1",
            )
        raise ValueError(f"{kind} does not select pods by label")

    def selected_by(self, workload: Manifest, kind: str) -> list[Manifest]:
        """Objects of ``kind`` (Service, NetworkPolicy, PodDisruptionBudget) that select
        ``workload``'s pods; computed once per kind for the whole graph."""
        reverse = self._reverse.get(kind)
        if reverse is None:
            reverse = self._reverse[kind] = defaultdict(list)
            for selector_object in self.of_kind(kind):
                try:
                    selected = self.selection(selector_object)
                except SelectorError:
                    continue
                for target in selected:
                    reverse[id(target)].append(selector_object)
        return list(reverse.get(id(workload), []))


def _template_labels(manifest: Manifest) -> Mapping[str, str]:
    template = pod_template(manifest)
    return template.labels if template else {}
