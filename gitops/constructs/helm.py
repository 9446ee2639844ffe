"""A vendored Helm chart, rendered into the app's objects so that they are linted, validated,
diffed and synced like everything else.

The chart is a directory committed in the config repo (dependencies vendored under its
``charts/``), rendered offline by ``gitops.constructs.helm_engine`` for the environment's
Kubernetes version. What Argo CD would do with a Helm source is done here, at render time:

- ``helm.sh/hook`` becomes ``argocd.argoproj.io/hook``: ``pre-install``/``pre-upgrade`` ->
  ``PreSync``, ``post-install``/``post-upgrade`` -> ``PostSync``, ``post-delete`` ->
  ``PostDelete``; ``crd-install`` makes an ordinary object. ``helm.sh/hook-weight`` becomes
  ``argocd.argoproj.io/sync-wave`` and ``helm.sh/hook-delete-policy`` becomes
  ``argocd.argoproj.io/hook-delete-policy`` (``before-hook-creation`` ->
  ``BeforeHookCreation``, ``hook-succeeded`` -> ``HookSucceeded``, ``hook-failed`` ->
  ``HookFailed``). Hooks with no Argo CD phase (``test``, ``pre-delete``, ``pre-rollback``,
  ``post-rollback``) are dropped with a warning on stderr, as Argo CD ignores them.
- The ``app.kubernetes.io/instance`` label, which Argo CD owns (it tracks resources by it), is
  removed wherever the chart sets it: in labels and selectors alike, so they still match.
- Secrets with data are refused like any other object's: reference the secret instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from constructs import Construct

from gitops.constructs.app import GitopsConstruct
from gitops.constructs.helm_engine import HelmError, HelmRequest, render_chart
from gitops.k8s.api_versions import served_api_versions

log = logging.getLogger("gitops.helm")

HOOK = "helm.sh/hook"
HOOK_WEIGHT = "helm.sh/hook-weight"
HOOK_DELETE_POLICY = "helm.sh/hook-delete-policy"
ARGO_HOOK = "argocd.argoproj.io/hook"
ARGO_SYNC_WAVE = "argocd.argoproj.io/sync-wave"
ARGO_HOOK_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
ARGO_OWNED_LABEL = "app.kubernetes.io/instance"
HOOK_PHASES = {
    "pre-install": "PreSync",
    "pre-upgrade": "PreSync",
    "post-install": "PostSync",
    "post-upgrade": "PostSync",
    "post-delete": "PostDelete",
}
"""Helm hooks Argo CD runs, and the sync phase it runs them in."""
PLAIN_HOOKS = frozenset({"crd-install"})
"""Helm hooks Argo CD applies as ordinary objects."""
DELETE_POLICIES = {
    "before-hook-creation": "BeforeHookCreation",
    "hook-succeeded": "HookSucceeded",
    "hook-failed": "HookFailed",
}


@dataclass(frozen=True, kw_only=True)
class HelmChartProps:
    """A chart directory in the config repo and how to render it."""

    chart: str
    """The chart's directory, relative to the config repo root (e.g. ``charts/redis``)."""
    release: str | None = None
    """Release name (``.Release.Name``). Default: the app's name."""
    namespace: str | None = None
    """``.Release.Namespace``. Default: the app's namespace (the only one it may deploy to)."""
    version: str | None = None
    """The chart version this app expects; rendering fails when ``Chart.yaml`` says otherwise
    (a re-vendored chart is then a deliberate change). Default: whatever is vendored."""
    values_files: tuple[str, ...] = ()
    """Values files (relative to the config repo root), merged in order over the chart's
    ``values.yaml``. Default: none."""
    values: Mapping[str, Any] = field(default_factory=dict)
    """Values merged last, over ``values_files`` (per environment: build them from ``env``).
    Default: none."""
    timeout_seconds: float = 60.0
    """Longest a render may take. Default: ``60``."""
    engine: str | None = None
    """``binary`` (``helm template``) or ``sdk`` (helm-python-sdk). Default: ``binary`` when
    ``helm`` is on PATH, else ``sdk``."""


class HelmChart(GitopsConstruct):
    """Render a vendored Helm chart into this app's objects (see the module docstring)."""

    def __init__(self, scope: Construct, id: str, props: HelmChartProps) -> None:
        super().__init__(scope, id)
        where = f"HelmChart {self.gitops_path}"
        chart_dir = Path(props.chart)
        metadata = chart_metadata(chart_dir, where)
        if props.version is not None and str(metadata.get("version")) != props.version:
            raise HelmError(
                f"{where}: {chart_dir}/Chart.yaml is version {metadata.get('version')!r}, "
                f"the app expects {props.version!r}",
                fix="set version= to the vendored chart's version, or vendor the expected one",
            )
        values: dict[str, Any] = {}
        for values_file in props.values_files:
            values = merge_values(values, _read_mapping(Path(values_file), where, "values file"))
        values = merge_values(values, props.values)
        request = HelmRequest(
            chart_dir=chart_dir,
            release=props.release or self.chart.app_name,
            namespace=props.namespace or self.namespace,
            values=values,
            kube_version=self.env.kubernetes_version,
            api_versions=served_api_versions(self.env.kubernetes_version),
            timeout_seconds=props.timeout_seconds,
            where=where,
        )
        self.objects: list[dict[str, Any]] = []
        for document in render_chart(request, props.engine):
            body = as_argocd_object(document.body, f"{where} ({document.source})")
            if body is not None:
                self.objects.append(self.emit(body))


def chart_metadata(chart_dir: Path, where: str) -> dict[str, Any]:
    """``Chart.yaml`` of ``chart_dir``, or an error naming the directory."""
    if not (chart_dir / "Chart.yaml").is_file():
        raise HelmError(
            f"{where}: no chart at {chart_dir} (no Chart.yaml there; paths are relative to the "
            "config repo root)",
            fix="vendor the chart into that directory (helm pull --untar) or correct chart=",
        )
    return _read_mapping(chart_dir / "Chart.yaml", where, "Chart.yaml")


def merge_values(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's coalescing: maps merge key by key, anything else replaces, ``None`` deletes."""
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_values(merged[key], value)
        else:
            merged[key] = value
    return merged


def as_argocd_object(body: dict[str, Any], where: str) -> dict[str, Any] | None:
    """``body`` with Helm's hook annotations as Argo CD's and Argo's tracking label removed;
    None for a hook Argo CD would not run."""
    _drop_label(body, ARGO_OWNED_LABEL)
    metadata = body.get("metadata")
    if not isinstance(metadata, dict):
        return body
    annotations = metadata.get("annotations")
    if not isinstance(annotations, dict) or HOOK not in annotations:
        return body
    kind, name = body.get("kind"), metadata.get("name")
    hooks = [h.strip() for h in str(annotations.pop(HOOK)).split(",") if h.strip()]
    weight = annotations.pop(HOOK_WEIGHT, None)
    policies = [
        p.strip() for p in str(annotations.pop(HOOK_DELETE_POLICY, "")).split(",") if p.strip()
    ]
    phases = sorted({HOOK_PHASES[h] for h in hooks if h in HOOK_PHASES})
    unsupported = [h for h in hooks if h not in HOOK_PHASES and h not in PLAIN_HOOKS]
    if not phases and unsupported and not set(hooks) & PLAIN_HOOKS:
        log.warning(
            "warning: %s: dropped %s %s: Argo CD runs no helm.sh/hook %s",
            where,
            kind,
            name,
            ",".join(unsupported),
        )
        return None
    if unsupported:
        log.warning(
            "warning: %s: %s %s: Argo CD ignores helm.sh/hook %s; kept for %s",
            where,
            kind,
            name,
            ",".join(unsupported),
            ",".join(phases) or "an ordinary sync",
        )
    if phases:
        annotations[ARGO_HOOK] = ",".join(phases)
        mapped = [DELETE_POLICIES[p] for p in policies if p in DELETE_POLICIES]
        if mapped:
            annotations[ARGO_HOOK_DELETE_POLICY] = ",".join(mapped)
    if weight is not None:
        annotations[ARGO_SYNC_WAVE] = str(weight)
    if not annotations:
        del metadata["annotations"]
    return body


def _drop_label(node: Any, key: str) -> None:
    """Remove ``key`` from every mapping in ``node`` that holds it as a label (a string)."""
    if isinstance(node, dict):
        if isinstance(node.get(key), str):
            del node[key]
        for value in node.values():
            _drop_label(value, key)
    elif isinstance(node, list):
        for item in node:
            _drop_label(item, key)


def _read_mapping(path: Path, where: str, what: str) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HelmError(
            f"{where}: {what} {path} does not exist (paths are relative to the config repo root)",
            fix="correct the path",
        ) from None
    except yaml.YAMLError as exc:
        raise HelmError(
            f"{where}: {path} is not valid YAML: {str(exc).splitlines()[0]}",
            fix=f"correct {path}",
        ) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise HelmError(f"{where}: {path} must be a mapping", fix=f"correct {path}")
    return loaded
