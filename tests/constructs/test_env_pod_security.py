"""An environment's default Pod Security level: the labels of its app namespaces, an app's
own level above it, and what the render index records for the linter."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from gitops.constructs import AppChart, EnvironmentScope
from gitops.constructs.environment import Environment, EnvValueError
from gitops.constructs.runtime import cdk8s
from gitops.k8s.render_index import pod_security_defaults
from tests.constructs.helpers import build

BASELINE_ENV = Environment(
    name="lab", cluster="lab-cluster", kubernetes_version="1.30", pod_security="baseline"
)


def _labels(objects: dict[tuple[str, str], dict[str, Any]]) -> dict[str, str]:
    labels: dict[str, str] = objects[("Namespace", "demo")]["metadata"]["labels"]
    return {k: v for k, v in labels.items() if k.startswith("pod-security.kubernetes.io/")}


def test_app_namespaces_get_the_env_level() -> None:
    assert _labels(build(lambda c: None, BASELINE_ENV)) == {
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/enforce-version": "v1.30",
        "pod-security.kubernetes.io/audit": "baseline",
        "pod-security.kubernetes.io/audit-version": "v1.30",
        "pod-security.kubernetes.io/warn": "baseline",
        "pod-security.kubernetes.io/warn-version": "v1.30",
    }


def test_an_apps_own_level_wins() -> None:
    class Privileged(AppChart):
        app_name = "agent"
        pod_security: ClassVar[str | None] = "privileged"

    chart = Privileged(EnvironmentScope(cdk8s.App(), BASELINE_ENV), BASELINE_ENV)
    [namespace] = [m.body for m in chart.manifests if m.kind == "Namespace"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"


def test_the_default_is_restricted_and_a_bad_level_is_refused() -> None:
    env = Environment(name="x", cluster="c", kubernetes_version="1.31")
    assert env.pod_security == "restricted"
    with pytest.raises(EnvValueError, match="pod_security 'strict' must be one of"):
        Environment(name="x", cluster="c", kubernetes_version="1.31", pod_security="strict")


def test_the_index_records_the_labels_as_the_pa_rules_options() -> None:
    assert pod_security_defaults(BASELINE_ENV.pod_security_labels()) == {
        "enforce": "baseline",
        "audit": "baseline",
        "warn": "baseline",
        "version": "v1.30",
    }
