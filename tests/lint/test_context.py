"""The per-app lint context of the promotion gate (``gitops.lint.context``) gives the same
findings on an app's files as the whole environment does: on every app of this repository
and of a generated repository, and on hand-made environments where the finding depends on an
object outside the app's folder (a RoleBinding of another namespace, an object of a shared
namespace, the mere existence of a kind, a hand-edited file)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from gitops.commands.catalog import CATALOG
from gitops.findings import Finding
from gitops.k8s.manifests import discover, load
from gitops.k8s.render_index import RenderIndex, read_index
from gitops.lint.context import app_context
from gitops.lint.rules import REGISTRY
from gitops.lint.run import lint
from gitops.settings import INDEX_PATH, load_settings
from tests.conftest import ROOT, gitops

sys.path.insert(0, str(ROOT / "tests" / "bench"))
from gen_repo import generate


def _findings(root: Path, env: str, app: str, *, narrowed: bool) -> tuple[list[Finding], int]:
    """What ``gitops check``'s lint reports on the app's files with the app's context (or the
    whole environment), and how many context files that was."""
    settings = load_settings(root)
    env_dir = settings.rendered_dir / env
    targets = [str(p) for p in sorted((env_dir / app).glob("*.yaml"))]
    loaded = load(targets)
    index = read_index(settings.index_path, INDEX_PATH) or RenderIndex()
    context = (
        app_context(env_dir, settings.root, index.files, loaded.manifests)
        if narrowed
        else [str(env_dir)]
    )
    run = lint(targets, settings, registry=REGISTRY, known=CATALOG, context=context, loaded=loaded)
    size = len(context) if narrowed else len(discover(context))
    return list(run.findings), size


def _apps(root: Path) -> list[tuple[str, str]]:
    rendered = root / "rendered"
    return [
        (env.name, app.name)
        for env in sorted(rendered.iterdir())
        if env.is_dir() and env.name != "argocd"
        for app in sorted(env.iterdir())
        if app.is_dir()
    ]


@pytest.mark.parametrize(("env", "app"), _apps(ROOT))
def test_this_repos_apps_get_the_same_findings_as_with_the_whole_environment(
    env: str, app: str
) -> None:
    narrowed, size = _findings(ROOT, env, app, narrowed=True)
    full, everything = _findings(ROOT, env, app, narrowed=False)
    assert narrowed == full
    assert size < everything  # the context is narrower, or this proves nothing


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 generated apps (RBAC every third, Ingress every third, a canary every fifth)."""
    root = generate(tmp_path_factory.mktemp("gen") / "repo", 12)
    assert gitops(root, "synth").code == 0
    return root


def test_generated_apps_get_the_same_findings_as_with_the_whole_environment(
    generated: Path,
) -> None:
    pairs = _apps(generated)
    assert len(pairs) == 36
    for env, app in pairs:
        narrowed, size = _findings(generated, env, app, narrowed=True)
        full, everything = _findings(generated, env, app, narrowed=False)
        assert narrowed == full, (env, app)
        assert size < everything / 2, (env, app, size, everything)


# Hand-made environments: app "mine" (namespace "mine") and app "other" (namespace "other").

PYPROJECT = '[tool.gitops]\nrepo_url = "https://github.com/acme/config.git"\n'
LABELS = {"app.kubernetes.io/name": "web"}


def _deployment(namespace: str = "mine", probe: bool = True) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": "web",
        "image": "ghcr.io/acme/web:1.0.0@sha256:" + "a" * 64,
        "ports": [{"name": "http", "containerPort": 8080}],
        "resources": {
            "requests": {"cpu": "100m", "memory": "64Mi"},
            "limits": {"cpu": "1", "memory": "128Mi"},
        },
    }
    if probe:
        container["readinessProbe"] = {"httpGet": {"path": "/", "port": "http"}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": namespace, "labels": LABELS},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": LABELS},
            "template": {
                "metadata": {"labels": LABELS},
                "spec": {"serviceAccountName": "web", "containers": [container]},
            },
        },
    }


def _object(kind: str, name: str, namespace: str | None, **rest: Any) -> dict[str, Any]:
    api = {
        "ServiceAccount": "v1",
        "Service": "v1",
        "ConfigMap": "v1",
        "Namespace": "v1",
        "NetworkPolicy": "networking.k8s.io/v1",
        "Role": "rbac.authorization.k8s.io/v1",
        "RoleBinding": "rbac.authorization.k8s.io/v1",
        "HorizontalPodAutoscaler": "autoscaling/v2",
        "ServiceMonitor": "monitoring.coreos.com/v1",
    }.get(kind, "example.com/v1")
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    return {"apiVersion": api, "kind": kind, "metadata": meta, **rest}


def _web_service() -> dict[str, Any]:
    """Service "web" of namespace "mine", sending traffic to the Deployment's pods."""
    return _object(
        "Service",
        "web",
        "mine",
        spec={"selector": LABELS, "ports": [{"port": 80, "targetPort": 8080}]},
    )


def _decoy(kind: str, **rest: Any) -> dict[str, Any]:
    """An object of ``kind`` in namespace "other" that sorts first among the files of its kind,
    so the one a test is about is not kept only as the first of its kind."""
    return _object(kind, "a-decoy", "other", **rest)


def _egress_dns_only(namespace: str) -> dict[str, Any]:
    return _object(
        "NetworkPolicy",
        "egress",
        namespace,
        spec={
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}],
        },
    )


def _environment(
    tmp_path: Path,
    mine: list[dict[str, Any]],
    other: list[dict[str, Any]],
    edit: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """A repo whose rendered/prod holds apps "mine" and "other" and an index describing them;
    ``edit`` replaces files of "other" after indexing (a hand edit)."""
    root = tmp_path / "repo"
    (root / "rendered" / "prod").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    files: dict[str, Any] = {}
    for app, objects in (("mine", mine), ("other", other)):
        for body in [_object("Namespace", app, None), *objects]:
            rel = f"rendered/prod/{app}/{body['kind'].lower()}.{body['metadata']['name']}.yaml"
            data = json.dumps(body, indent=2).encode()
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
            meta = body["metadata"]
            files[rel] = {
                "env": "prod",
                "app": app,
                "source": f"apps/{app}.py",
                "construct": None,
                "apiVersion": body["apiVersion"],
                "kind": body["kind"],
                "namespace": meta.get("namespace"),
                "name": meta["name"],
                "sha256": hashlib.sha256(data).hexdigest(),
            }
    for rel, body in (edit or {}).items():
        (root / rel).write_text(json.dumps(body))
    environments = {"prod": {"cluster": "prod", "kubernetesVersion": "1.31", "source": "-"}}
    (root / ".gitops").mkdir()
    (root / INDEX_PATH).write_bytes(RenderIndex(files=files, environments=environments).dumps())
    return root


def _same_findings(root: Path, code: str) -> int:
    """Assert both contexts give the same findings on "mine", one of them ``code``; return
    how many context files the app's context has."""
    narrowed, size = _findings(root, "prod", "mine", narrowed=True)
    full, _ = _findings(root, "prod", "mine", narrowed=False)
    assert narrowed == full
    assert code in {f.code for f in narrowed}, [f.code for f in narrowed]
    return size


def test_a_rolebinding_of_another_namespace_granting_every_service_account(
    tmp_path: Path,
) -> None:
    """NC002 on "mine" exists only because of a RoleBinding in namespace "other"."""
    everyone = [
        {"kind": "Group", "name": "system:serviceaccounts", "apiGroup": "rbac.authorization.k8s.io"}
    ]
    root = _environment(
        tmp_path,
        mine=[_deployment(), _object("ServiceAccount", "web", "mine"), _egress_dns_only("mine")],
        other=[
            _decoy("Role"),
            _decoy(
                "RoleBinding",
                roleRef={
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "Role",
                    "name": "a-decoy",
                },
            ),
            _object(
                "Role",
                "reader",
                "other",
                rules=[{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
            ),
            _object(
                "RoleBinding",
                "everyone-reads",
                "other",
                subjects=everyone,
                roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
            ),
            _object("ConfigMap", "settings", "other", data={"a": "b"}),
        ],
    )
    _same_findings(root, "NC002")


def test_an_object_of_another_app_in_a_shared_namespace(tmp_path: Path) -> None:
    """PR001 on "mine": a Service that app "other" puts in namespace "mine" sends traffic to
    a container without a readiness probe."""
    service = _web_service()
    root = _environment(
        tmp_path,
        mine=[_deployment(probe=False), _object("ServiceAccount", "web", "mine")],
        other=[
            _decoy("Service"),
            service,
            _object("ConfigMap", "settings", "other", data={"a": "b"}),
        ],
    )
    _same_findings(root, "PR001")


def test_whether_a_kind_exists_at_all(tmp_path: Path) -> None:
    """PC007 on "mine": its autoscaler targets a Widget; that kind exists (only in namespace
    "other"), so the missing Widget of "mine" is reported."""
    hpa = _object(
        "HorizontalPodAutoscaler",
        "web",
        "mine",
        spec={
            "scaleTargetRef": {"apiVersion": "example.com/v1", "kind": "Widget", "name": "web"},
            "minReplicas": 1,
            "maxReplicas": 2,
        },
    )
    root = _environment(
        tmp_path,
        mine=[hpa],
        other=[_object("Widget", f"w{i}", "other") for i in range(3)],
    )
    # The app's own two files, the Namespace of "other", and one Widget of three.
    assert _same_findings(root, "PC007") == 4


def test_a_hand_edited_file_is_read_whatever_the_index_says(tmp_path: Path) -> None:
    """The index says other/configmap.settings.yaml is a ConfigMap of namespace "other"; a hand
    edit made it a Service of namespace "mine" (PR001 on "mine")."""
    service = _web_service()
    root = _environment(
        tmp_path,
        mine=[_deployment(probe=False), _object("ServiceAccount", "web", "mine")],
        other=[_decoy("ConfigMap"), _object("ConfigMap", "settings", "other", data={"a": "b"})],
        edit={"rendered/prod/other/configmap.settings.yaml": service},
    )
    _same_findings(root, "PR001")


def test_a_service_monitor_of_any_namespace_gets_the_whole_environment(tmp_path: Path) -> None:
    monitor = _object(
        "ServiceMonitor",
        "web",
        "mine",
        spec={
            "selector": {"matchLabels": {"team": "nobody"}},
            "namespaceSelector": {"any": True},
            "endpoints": [{"port": "http"}],
        },
    )
    root = _environment(
        tmp_path,
        mine=[monitor],
        other=[_object("ConfigMap", f"c{i}", "other", data={"a": "b"}) for i in range(3)],
    )
    size = _same_findings(root, "PC010")
    assert size == len(discover([str(root / "rendered" / "prod")]))


def test_objects_of_other_namespaces_are_left_out(tmp_path: Path) -> None:
    root = _environment(
        tmp_path,
        mine=[_deployment(), _object("ServiceAccount", "web", "mine")],
        other=[_object("ConfigMap", f"c{i}", "other", data={"a": "b"}) for i in range(5)],
    )
    settings = load_settings(root)
    env_dir = settings.rendered_dir / "prod"
    index = read_index(settings.index_path, INDEX_PATH)
    assert index is not None
    mine = load([str(p) for p in sorted((env_dir / "mine").glob("*.yaml"))]).manifests
    kept = app_context(env_dir, root, index.files, mine)
    other = sorted(str(p) for p in (env_dir / "other").glob("configmap.*.yaml"))
    # The Namespaces (cluster-scoped) and the first ConfigMap (the kind exists) only.
    assert [p for p in kept if "/other/" in p] == [
        str(env_dir / "other" / "configmap.c0.yaml"),
        str(env_dir / "other" / "namespace.other.yaml"),
    ]
    assert other[1:] == [p for p in other if p not in kept]
    shutil.rmtree(root)
