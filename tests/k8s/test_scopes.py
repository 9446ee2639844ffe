"""Scope of a kind: CRDs (supplied, then packaged), then the built-in list, kept complete
against the packaged Kubernetes schemas."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from gitops.k8s.kinds import BUILTIN_API_GROUPS, CLUSTER_SCOPED, CLUSTER_SCOPED_RESOURCES
from gitops.k8s.scopes import CLUSTER, NAMESPACED, Scopes, builtin_kinds, packaged_crd_scope

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "spec": {"group": "example.com", "names": {"kind": "Gadget"}, "scope": "Cluster"},
}


@pytest.mark.parametrize(
    ("api_version", "kind", "scope"),
    [
        ("v1", "Namespace", CLUSTER),
        ("v1", "ConfigMap", NAMESPACED),
        ("rbac.authorization.k8s.io/v1", "ClusterRole", CLUSTER),
        ("certificates.k8s.io/v1beta1", "ClusterTrustBundle", CLUSTER),
        # From the packaged CRDs' spec.scope.
        ("cert-manager.io/v1", "ClusterIssuer", CLUSTER),
        ("cert-manager.io/v1", "Issuer", NAMESPACED),
        ("external-secrets.io/v1", "ClusterSecretStore", CLUSTER),
        ("argoproj.io/v1alpha1", "Rollout", NAMESPACED),
        # Unknown custom kinds: the fallback list, else namespaced.
        ("kyverno.io/v1", "ClusterPolicy", CLUSTER),
        ("example.com/v1", "Gadget", NAMESPACED),
    ],
)
def test_scope_without_supplied_crds(api_version: str, kind: str, scope: str) -> None:
    assert Scopes().scope(api_version, kind) == scope


def test_a_supplied_crd_decides_its_kinds_scope() -> None:
    scopes = Scopes.from_crds([CRD, {"kind": "ConfigMap", "apiVersion": "v1"}])
    assert scopes.crds == {("example.com", "Gadget"): CLUSTER}
    assert scopes.is_cluster_scoped("example.com/v1", "Gadget")
    namespaced = {**CRD, "spec": {**CRD["spec"], "scope": "Namespaced"}}
    assert not Scopes.from_crds([namespaced]).is_cluster_scoped("example.com/v1", "Gadget")


def test_packaged_crd_lookup_keeps_input_names_out_of_paths() -> None:
    assert packaged_crd_scope("cert-manager.io", "ClusterIssuer") == CLUSTER
    assert packaged_crd_scope("../validate", "ClusterIssuer") is None
    assert packaged_crd_scope("cert-manager.io", "clusterissuer") is None  # case-sensitive


def _schema_kinds() -> set[tuple[str, str]]:
    """(group label, Kind) of every top-level kind in every packaged Kubernetes version."""
    spec = importlib.util.find_spec("kubernetes_validate")
    assert spec is not None and spec.submodule_search_locations
    root = Path(spec.submodule_search_locations[0]) / "kubernetes-json-schema"
    found: set[tuple[str, str]] = set()
    pattern = re.compile(
        r'"x-kubernetes-group-version-kind":\s*\[\s*\{\s*"group":\s*"([^"]*)",\s*"kind":\s*"([^"]*)"'
    )
    for directory in root.glob("v1.*.0-local"):
        text = (directory / "_definitions.json").read_text()
        found |= set(pattern.findall(text))
    return found


def test_builtin_cluster_scoped_list_is_complete_against_the_packaged_schemas() -> None:
    """The schemas name every built-in kind but not its scope: every built-in kind the RBAC
    resource list says is cluster-scoped must be in CLUSTER_SCOPED, and every built-in
    entry of CLUSTER_SCOPED must be a kind the schemas define (no typos)."""
    kinds = _schema_kinds()
    assert len(kinds) > 100
    plural = {(g, k.lower() + ("es" if k.endswith(("s", "ss")) else "s")): (g, k) for g, k in kinds}
    missing = sorted(
        plural[key]
        for key in CLUSTER_SCOPED_RESOURCES
        if key in plural and plural[key] not in CLUSTER_SCOPED
    )
    assert missing == []
    unknown = sorted(
        (g, k) for g, k in CLUSTER_SCOPED if g in BUILTIN_API_GROUPS and (g, k) not in kinds
    )
    assert unknown == []


def test_builtin_kinds_come_from_the_packaged_schema_files() -> None:
    assert ("", "namespace") in builtin_kinds()
    assert ("rbac", "clusterrole") in builtin_kinds()
