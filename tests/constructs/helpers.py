"""Build one app chart with real cdk8s and index what its constructs emitted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gitops.constructs import AppChart, EnvironmentScope
from gitops.constructs.environment import Environment, Features
from gitops.constructs.runtime import cdk8s

ENV = Environment(name="test", cluster="test-cluster", kubernetes_version="1.31")
ENV_NO_PDB = Environment(
    name="test", cluster="test-cluster", kubernetes_version="1.31", features=Features(pdb=False)
)


def build(
    compose: Callable[[AppChart], Any], env: Environment = ENV
) -> dict[tuple[str, str], dict[str, Any]]:
    """Objects by (kind, name) of an app ``demo`` whose body is ``compose(chart)``."""

    class Demo(AppChart):
        app_name = "demo"

        def __init__(self, scope: Any, env: Environment) -> None:
            super().__init__(scope, env)
            compose(self)

    chart = Demo(EnvironmentScope(cdk8s.App(), env), env)
    objects: dict[tuple[str, str], dict[str, Any]] = {}
    for manifest in chart.manifests:
        key = (manifest.kind, manifest.name)
        assert key not in objects, f"{key} emitted twice"
        objects[key] = manifest.body
    return objects


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def container(workload: dict[str, Any]) -> dict[str, Any]:
    containers = pod_spec(workload)["containers"]
    assert len(containers) == 1
    return containers[0]
