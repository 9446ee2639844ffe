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
