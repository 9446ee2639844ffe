"""``[tool.gitops.monitoring]``: the Prometheus labels and URLs of each environment.

::

    [tool.gitops.monitoring]
    labels = { release = "kube-prometheus-stack" }   # every env
    runbook_base = "https://runbooks.example.com/slo"
    prometheus_url = "http://kube-prometheus-stack-prometheus.monitoring.svc:9090"

    [tool.gitops.monitoring.env.dev]                 # per env: replaces the keys it sets
    labels = { release = "prometheus-dev" }
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitops.constructs.environment import Monitoring
from gitops.errors import ConfigError
from gitops.settings import PYPROJECT

_KEYS = ("labels", "runbook_base", "prometheus_url")


def _values(table: Mapping[str, Any], where: str, allow_env: bool) -> dict[str, Any]:
    valid = (*_KEYS, "env") if allow_env else _KEYS
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in valid:
            raise ConfigError(
                f"{PYPROJECT}: unknown key {key!r} in [{where}]",
                fix=f"use one of: {', '.join(valid)}",
            )
        if key == "env":
            continue
        if key == "labels":
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise ConfigError(
                    f"{PYPROJECT}: [{where}] labels must be a table of strings",
                    fix='write labels = { release = "kube-prometheus-stack" }',
                )
            values[key] = dict(sorted(value.items()))
        elif not isinstance(value, str) or not value:
            raise ConfigError(f"{PYPROJECT}: [{where}] {key} must be a non-empty string")
        else:
            values[key] = value
    return values


def monitoring_for(table: Mapping[str, Any], env: str) -> Monitoring:
    """The Monitoring of ``env``: the table's values, then its ``env.<env>`` values."""
    where = "tool.gitops.monitoring"
    values = _values(table, where, allow_env=True)
    per_env = table.get("env", {})
    if not isinstance(per_env, dict):
        raise ConfigError(f"{PYPROJECT}: [{where}] env must be a table of environments")
    own = per_env.get(env)
    if own is not None:
        if not isinstance(own, dict):
            raise ConfigError(f"{PYPROJECT}: [{where}.env.{env}] must be a table")
        values.update(_values(own, f"{where}.env.{env}", allow_env=False))
    return Monitoring(**values)


def check_env_names(table: Mapping[str, Any], envs: set[str]) -> None:
    unknown = sorted(set(table.get("env", {}) or {}) - envs)
    if unknown:
        raise ConfigError(
            f"{PYPROJECT}: [tool.gitops.monitoring.env] names unknown environment(s) "
            f"{', '.join(unknown)}",
            fix=f"use one of: {', '.join(sorted(envs))}",
        )
