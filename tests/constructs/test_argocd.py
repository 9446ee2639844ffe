"""The Argo CD bootstrap rendered for this repo: least privilege, per the reference wiring."""

from __future__ import annotations

import yaml

from tests.conftest import ROOT

ARGOCD = ROOT / "rendered" / "argocd"


def _load(name: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ARGOCD / name).read_text())


def test_application_set_generates_one_app_per_rendered_folder() -> None:
    appset = _load("applicationset.prod.yaml")
    assert appset["metadata"]["namespace"] == "argocd"
    spec = appset["spec"]
    git = spec["generators"][0]["git"]
    assert git["repoURL"] == "https://github.com/acme/platform-config.git"
    assert git["directories"] == [
        {"path": "rendered/prod/*"},
        {"path": "rendered/prod/cluster", "exclude": True},
    ]
    template = spec["template"]
    assert template["metadata"]["name"] == "prod-{{.path.basename}}"
    assert template["metadata"]["annotations"] == {
        "argocd.argoproj.io/manifest-generate-paths": "."
    }
    sync = template["spec"]["syncPolicy"]
    assert sync["automated"] == {"prune": True, "selfHeal": True}
    assert "PruneLast=true" in sync["syncOptions"]
    assert sync["retry"] == {
        "limit": 5,
        "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"},
    }
    assert template["spec"]["destination"] == {
        "name": "prod-eu-west-1",
        "namespace": "{{.path.basename}}",
    }
    assert template["spec"]["project"] == "prod"
    assert spec["goTemplateOptions"] == ["missingkey=error"]


def test_app_project_allows_only_the_apps_namespaces_and_no_cluster_objects() -> None:
    spec = _load("appproject.prod.yaml")["spec"]
    apps = ["ml-inference-api", "ml-training-pipeline", "my-app", "nightly-report", "queue-worker"]
    assert spec["destinations"] == [{"name": "prod-eu-west-1", "namespace": app} for app in apps]
    assert spec["clusterResourceWhitelist"] == []
    assert spec["sourceRepos"] == ["https://github.com/acme/platform-config.git"]


def test_cluster_project_allows_exactly_the_rendered_cluster_kinds() -> None:
    spec = _load("appproject.prod-cluster.yaml")["spec"]
    assert spec["clusterResourceWhitelist"] == [{"group": "", "kind": "Namespace"}]
    assert spec["namespaceResourceBlacklist"] == [{"group": "*", "kind": "*"}]
    app = _load("application.prod-cluster.yaml")
    assert app["spec"]["source"]["path"] == "rendered/prod/cluster"
    assert app["spec"]["syncPolicy"]["automated"] == {"prune": False, "selfHeal": True}
    assert app["metadata"]["annotations"] == {"argocd.argoproj.io/sync-wave": "-1"}


def test_root_application_manages_rendered_argocd_itself() -> None:
    app = _load("application.gitops-bootstrap.yaml")
    assert app["spec"]["source"]["path"] == "rendered/argocd"
    assert app["spec"]["destination"] == {
        "server": "https://kubernetes.default.svc",
        "namespace": "argocd",
    }
    project = _load("appproject.gitops-bootstrap.yaml")["spec"]
    assert {k["kind"] for k in project["namespaceResourceWhitelist"]} == {
        "AppProject",
        "ApplicationSet",
        "Application",
    }


def test_nothing_rendered_carries_argo_owned_metadata() -> None:
    for path in (ROOT / "rendered").rglob("*.yaml"):
        text = path.read_text()
        assert "argocd.argoproj.io/tracking-id" not in text, path
        assert "app.kubernetes.io/instance" not in text, path
