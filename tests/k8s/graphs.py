"""Object graphs built from YAML text, for the graph and rule tests."""

from __future__ import annotations

from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import LoadProblem, Manifest, load_text


def graph_of(text: str) -> ObjectGraph:
    """The graph of the objects in ``text``, which must load without problems."""
    manifests: list[Manifest] = []
    problems: list[LoadProblem] = []
    load_text(text, "test.yaml", manifests, problems)
    assert not problems
    return ObjectGraph(manifests)
