"""Environment values are validated where they are written."""

from __future__ import annotations

import pytest

from gitops.constructs.environment import AppOverlay, Environment, EnvValueError, Sizing


def _env(**kwargs: object) -> Environment:
    values: dict[str, object] = {"name": "prod", "cluster": "prod-1", "kubernetes_version": "1.31"}
    values.update(kwargs)
    return Environment(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Prod"}, "name 'Prod' must be a DNS label"),
        ({"kubernetes_version": "1.24"}, "use one of 1.25 to 1.37"),
        ({"kubernetes_version": "v1.31"}, "kubernetes_version 'v1.31'"),
        ({"resource_scale": 0}, "resource_scale 0 must be a number above 0"),
        ({"resource_scale": float("nan")}, "resource_scale nan"),
        ({"api_server_cidrs": ("10.0.0.300/32",)}, "is not a CIDR"),
        (
            {"apps": {"web": AppOverlay(replicas=-1)}},
            "apps['web'].replicas -1 must be an integer >= 0",
        ),
        ({"apps": {"web": AppOverlay(min_replicas=0)}}, "min_replicas 0 must be an integer >= 1"),
        ({"apps": {"web": AppOverlay(hostname="not a host")}}, "is not a DNS name"),
        ({"apps": {"web": {"replicas": 2}}}, "must be an AppOverlay"),
        ({"name": "argocd"}, "name 'argocd' is reserved: rendered/argocd/ holds the Argo CD"),
        ({"name": "default"}, "Argo CD's built-in AppProject is named 'default'"),
        ({"namespace": "team-a"}, "must contain {app}"),
        ({"namespace": "{app}_{env}"}, "does not make namespace names"),
        ({"include_apps": ["web"]}, "include_apps must be a tuple of app names"),
        ({"exclude_apps": ("web", "web")}, "exclude_apps lists an app twice"),
        ({"cluster_server": "kubernetes.default.svc"}, "must be an https:// URL"),
    ],
)
def test_bad_values_name_the_field(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(EnvValueError, match=message.replace("[", r"\[").replace("(", r"\(")):
        _env(**kwargs)


def test_overlays_override_app_defaults_field_by_field() -> None:
    env = _env(
        resource_scale=0.5,
        apps={"web": AppOverlay(min_replicas=1, hostname="web.dev.example.com", resource_scale=2)},
    )
    assert env.sizing("web", Sizing(min_replicas=3, max_replicas=20)) == Sizing(
        min_replicas=1, max_replicas=20
    )
    assert env.sizing("other", Sizing(replicas=2)) == Sizing(replicas=2)
    assert env.hostname("web", "web.example.com") == "web.dev.example.com"
    assert env.hostname("other", "other.example.com") == "other.example.com"
    assert env.resource_scale_for("web") == 2
    assert env.resource_scale_for("other") == 0.5


def test_app_subsets_namespaces_and_destinations() -> None:
    env = _env(name="staging", namespace="{app}-{env}", exclude_apps=("batch",))
    assert env.runs("web") and not env.runs("batch")
    assert env.namespace_for("web") == "web-staging"
    assert env.destination == {"name": "prod-1"}
    only = _env(include_apps=("web",), cluster_server="https://10.0.0.1:6443")
    assert only.runs("web") and not only.runs("batch")
    assert only.namespace_for("web") == "web"
    assert only.destination == {"server": "https://10.0.0.1:6443"}
    with pytest.raises(EnvValueError, match=r"gives 'a{62}-staging' for app"):
        env.namespace_for("a" * 62)
