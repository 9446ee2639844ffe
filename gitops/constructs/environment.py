"""The Environment model: what an environment declares, validated on construction.

Each environment is two files:

- ``envs/<env>.py`` defines ``ENVIRONMENT = Environment(...)``: the target cluster, its
  Kubernetes version, which apps run there and in which namespaces, feature switches and
  per-app overlays (replicas, autoscaling bounds, hostnames, resource scaling). It may also
  define ``customize(app)``, overlay code that runs on every app chart after the app has
  built itself (add or patch objects for this env only).
- ``envs/<env>.images.yaml`` maps each app to the image it runs in that env. It is data, so a
  command (or a promotion bot) can change an image without editing Python.

The model lives beside the constructs that read it; ``gitops.render.envs`` loads ``envs/``
into it. This module does not import cdk8s: lint and validate read env data without starting
Node.js.

Where an environment's apps land: app ``a`` of env ``e`` runs in namespace
``namespace.format(app=a, env=e, cluster=...)`` on cluster ``cluster``. Several environments
may share a cluster (give them a namespace rule with ``{env}``); the render refuses two
environments that would own the same (cluster, namespace) or the same cluster-scoped object.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gitops.errors import SourceError

IMAGES_SUFFIX = ".images.yaml"
SUPPORTED_KUBERNETES_MINORS = range(25, 38)
"""Kubernetes 1.25 to 1.37: the versions whose schemas the built-in validator ships."""

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DNS_NAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_GIT_REF = re.compile(r"^(?!.*\.\.)(?!.*//)[A-Za-z0-9][A-Za-z0-9._/-]{0,199}(?<![./])$")
_K8S_VERSION = re.compile(r"^1\.(\d+)$")
_MAX_SCALE = 8.0
_SERVER = re.compile(r"^https://[^\s/]+(/[^\s]*)?$")
_PLACEHOLDERS = ("app", "env", "cluster")

RESERVED_ENV_NAMES: Mapping[str, str] = {
    "argocd": "rendered/argocd/ holds the Argo CD bootstrap; an env of that name would mix its "
    "apps into it",
    "cluster": "'cluster' is the folder of cluster-scoped objects inside every env and the "
    "suffix of each env's cluster project",
    "default": "Argo CD's built-in AppProject is named 'default'; the env's project would "
    "replace it",
    "gitops-bootstrap": "the root Argo CD Application and its project are named 'gitops-bootstrap'",
}
"""Names an environment may not take, and why."""


class EnvValueError(ValueError):
    """An Environment value is out of range; the message names the field and the fix."""


POD_SECURITY_LEVELS = ("privileged", "baseline", "restricted")
POD_SECURITY_LABEL = "pod-security.kubernetes.io/"


@dataclass(frozen=True, kw_only=True)
class Features:
    """Switches an environment turns on or off for all of its apps."""

    canary: bool = False
    """Deliver web services through an Argo Rollouts canary instead of a Deployment rolling
    update. Default: ``False``."""
    pdb: bool = True
    """Give replicated workloads a PodDisruptionBudget. Default: ``True`` (turning it off makes
    node drains able to take down every replica at once, and the linter will say so)."""


@dataclass(frozen=True, kw_only=True)
class Monitoring:
    """How an environment's Prometheus finds rules and monitors: from ``[tool.gitops.monitoring]``
    (and its ``env.<name>`` sub-table), set by the loader, not in ``envs/<env>.py``."""

    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels on every PrometheusRule, ServiceMonitor and PodMonitor, matching the Prometheus
    ``ruleSelector`` and monitor selectors (e.g. ``release: kube-prometheus-stack``).
    Default: none."""
    runbook_base: str | None = None
    """Base URL of SLO runbooks: ``<base>/<app>/<slo>``. Default: none."""
    prometheus_url: str | None = None
    """Prometheus URL canary analysis queries. Default:
    ``http://prometheus-operated.monitoring.svc:9090``."""


@dataclass(frozen=True, kw_only=True)
class Sizing:
    """How many replicas a workload runs: static ``replicas``, or autoscaling bounds."""

    replicas: int | None = None
    """Static replica count, used when the workload does not autoscale. Default: unset."""
    min_replicas: int | None = None
    """Autoscaling lower bound. Default: unset."""
    max_replicas: int | None = None
    """Autoscaling upper bound. Default: unset."""


@dataclass(frozen=True, kw_only=True)
class AppOverlay:
    """Per-app values an environment overrides; ``None`` keeps the app's own default."""

    replicas: int | None = None
    """Static replica count. Default: the app's."""
    min_replicas: int | None = None
    """Autoscaling lower bound. Default: the app's."""
    max_replicas: int | None = None
    """Autoscaling upper bound. Default: the app's."""
    hostname: str | None = None
    """Public hostname of the app's Ingress. Default: the app's."""
    resource_scale: float | None = None
    """Multiplier for this app's requests and limits. Default: the environment's."""


@dataclass(frozen=True, kw_only=True)
class Environment:
    """One deployment target: a cluster, its Kubernetes version and what differs there."""

    name: str
    """Environment name (``dev``, ``staging``, ``prod``); also ``rendered/<name>/``. Not one of
    :data:`RESERVED_ENV_NAMES`."""
    cluster: str
    """Name under which the target cluster is registered in Argo CD (its destination
    ``name``). Environments with the same ``cluster`` share that cluster."""
    cluster_server: str | None = None
    """API server URL of the cluster, for Argo CD destinations by ``server`` instead of by
    ``name``. Default: unset (destinations use ``cluster``). With the per-cluster Argo CD
    layout every destination is the local ``https://kubernetes.default.svc`` instead."""
    include_apps: tuple[str, ...] = ()
    """The only apps this environment runs. Default: ``()``, every app in ``apps/``."""
    exclude_apps: tuple[str, ...] = ()
    """Apps this environment does not run. Default: ``()``. Not together with
    ``include_apps``."""
    namespace: str = "{app}"
    """Namespace rule: ``{app}``, ``{env}`` and ``{cluster}`` are replaced. Default:
    ``"{app}"``; environments sharing a cluster need ``{env}`` in it, e.g. ``"{app}-{env}"``."""
    kubernetes_version: str
    """Kubernetes ``major.minor`` of the cluster, e.g. ``"1.31"``; the validator uses it."""
    resource_scale: float = 1.0
    """Multiplier for every app's CPU and memory requests and limits. Default: ``1.0``."""
    features: Features = field(default_factory=Features)
    """Feature switches. Default: ``Features()``."""
    apps: Mapping[str, AppOverlay] = field(default_factory=dict)
    """Per-app overlays, keyed by app name. Default: none."""
    api_server_cidrs: tuple[str, ...] = ()
    """IP ranges of the cluster's API server endpoints (``kubectl get endpoints kubernetes -n
    default``), not the ``kubernetes`` Service ClusterIP: Calico and Cilium evaluate
    NetworkPolicy after the Service DNAT, so only the endpoint IPs match. Workloads that call
    the Kubernetes API need egress to them through the namespace's default-deny policy.
    Default: none."""
    require_digests: bool = False
    """Every image this environment runs must be pinned by digest (``@sha256:...``): an image
    with a tag only is a synth error, ``gitops promote`` refuses to bring one here, and the
    linter's IM002 (image-not-pinned-by-digest) is an error for this environment's files.
    Default: ``False``."""
    upstream: str | None = None
    """The environment releases come from (``gitops promote --to <this>`` takes them from
    there unless ``--from`` says otherwise, and refuses any other source), e.g. ``"staging"``
    for prod. Default: none (any source may be promoted here)."""
    revision: str | None = None
    """The git ref Argo CD syncs this environment's apps from, e.g. ``"env/prod"``: with its
    own ref an environment receives a change (source or image) only when
    ``gitops promote --to <env> --source`` moves that ref, and ``--rollback`` moves it back.
    Default: none (the repo's ``[tool.gitops] revision``, so every merge reaches it)."""
    images: Mapping[str, str] = field(default_factory=dict)
    """Image per app, read from ``envs/<name>.images.yaml``; set by the loader, not in Python."""
    images_file: str = ""
    """Repo-relative path of the images file; set by the loader."""
    monitoring: Monitoring = field(default_factory=Monitoring)
    """Prometheus labels and URLs, from ``[tool.gitops.monitoring]``; set by the loader."""
    pod_security: str = "restricted"
    """Pod Security level (``privileged``, ``baseline``, ``restricted``) every app namespace of
    this environment enforces, audits and warns at, at the environment's Kubernetes version
    (an app's ``AppChart.pod_security`` overrides it for its own namespace). Recorded in the
    render index: the linter's PA rules assume it for a namespace whose Namespace object is
    not among the linted files. Default: ``"restricted"``."""

    def __post_init__(self) -> None:
        _check_dns_label("name", self.name)
        if self.name in RESERVED_ENV_NAMES:
            raise EnvValueError(
                f"name {self.name!r} is reserved: {RESERVED_ENV_NAMES[self.name]}; "
                "choose another environment name"
            )
        _check_dns_label("cluster", self.cluster)
        if self.cluster_server is not None and not _SERVER.fullmatch(str(self.cluster_server)):
            raise EnvValueError(
                f"cluster_server {self.cluster_server!r} must be an https:// URL of the "
                "cluster's API server, as registered in Argo CD"
            )
        _check_app_list("include_apps", self.include_apps)
        _check_app_list("exclude_apps", self.exclude_apps)
        if self.include_apps and self.exclude_apps:
            raise EnvValueError(
                "set include_apps or exclude_apps, not both: one list says which apps run"
            )
        _check_namespace_rule(self.namespace)
        match = _K8S_VERSION.fullmatch(self.kubernetes_version)
        if not match or int(match.group(1)) not in SUPPORTED_KUBERNETES_MINORS:
            lo, hi = SUPPORTED_KUBERNETES_MINORS[0], SUPPORTED_KUBERNETES_MINORS[-1]
            raise EnvValueError(
                f"kubernetes_version {self.kubernetes_version!r} is not a supported "
                f"'major.minor' version; use one of 1.{lo} to 1.{hi}"
            )
        _check_scale("resource_scale", self.resource_scale)
        if self.revision is not None and not _GIT_REF.fullmatch(self.revision):
            raise EnvValueError(
                f"revision {self.revision!r} is not a branch name like 'env/{self.name}'"
            )
        if self.upstream is not None:
            _check_dns_label("upstream", self.upstream)
            if self.upstream == self.name:
                raise EnvValueError(f"upstream {self.upstream!r} is this environment itself")
        for cidr in self.api_server_cidrs:
            try:
                ipaddress.ip_network(cidr)
            except ValueError:
                raise EnvValueError(f"api_server_cidrs entry {cidr!r} is not a CIDR") from None
        for app, overlay in self.apps.items():
            _check_dns_label(f"apps key {app!r}", app)
            _check_overlay(app, overlay)
        if self.pod_security not in POD_SECURITY_LEVELS:
            raise EnvValueError(
                f"pod_security {self.pod_security!r} must be one of "
                f"{', '.join(POD_SECURITY_LEVELS)}"
            )

    @property
    def kubernetes_minor(self) -> int:
        return int(self.kubernetes_version.split(".")[1])

    def pod_security_labels(self, level: str | None = None) -> dict[str, str]:
        """The ``pod-security.kubernetes.io`` labels of a namespace here: ``level`` (default
        ``pod_security``) for enforce, audit and warn, each pinned to the environment's
        Kubernetes version, so a control-plane upgrade does not tighten the policy under
        running workloads without a reviewed change."""
        level = level or self.pod_security
        if level not in POD_SECURITY_LEVELS:
            raise ValueError(
                f"pod_security {level!r} must be one of {', '.join(POD_SECURITY_LEVELS)}"
            )
        labels = {}
        for mode in ("enforce", "audit", "warn"):
            labels[f"{POD_SECURITY_LABEL}{mode}"] = level
            labels[f"{POD_SECURITY_LABEL}{mode}-version"] = f"v{self.kubernetes_version}"
        return labels

    @property
    def destination(self) -> dict[str, str]:
        """The cluster part of an Argo CD destination for this environment (hub layout)."""
        if self.cluster_server:
            return {"server": self.cluster_server}
        return {"name": self.cluster}

    def runs(self, app: str) -> bool:
        """Whether ``app`` is deployed in this environment (``include_apps``/``exclude_apps``)."""
        if self.include_apps:
            return app in self.include_apps
        return app not in self.exclude_apps

    def namespace_for(self, app: str) -> str:
        """The namespace ``app`` runs in here, by the namespace rule."""
        namespace = self.namespace.format(app=app, env=self.name, cluster=self.cluster)
        if not _DNS_LABEL.fullmatch(namespace):
            raise EnvValueError(
                f"namespace rule {self.namespace!r} gives {namespace!r} for app {app!r}, which "
                "is not a namespace name (a DNS label of at most 63 characters)"
            )
        return namespace

    def overlay(self, app: str) -> AppOverlay:
        return self.apps.get(app, AppOverlay())

    def image(self, app: str) -> str:
        """The image ``app`` runs in this environment, from ``envs/<env>.images.yaml``."""
        try:
            return self.images[app]
        except KeyError:
            raise SourceError(
                f"{self.images_file or f'envs/{self.name}{IMAGES_SUFFIX}'}: no image for app "
                f"{app!r} in environment {self.name!r}",
                fix=f"add a line '{app}: <registry>/<repository>:<tag>' to that file",
            ) from None

    def sizing(self, app: str, default: Sizing) -> Sizing:
        """``default`` with this environment's overlay values for ``app`` applied."""
        overlay = self.overlay(app)
        return Sizing(
            replicas=_first(overlay.replicas, default.replicas),
            min_replicas=_first(overlay.min_replicas, default.min_replicas),
            max_replicas=_first(overlay.max_replicas, default.max_replicas),
        )

    def hostname(self, app: str, default: str) -> str:
        return self.overlay(app).hostname or default

    def resource_scale_for(self, app: str) -> float:
        scale = self.overlay(app).resource_scale
        return self.resource_scale if scale is None else scale


def _first(value: Any, default: Any) -> Any:
    return default if value is None else value


def _check_dns_label(what: str, value: object) -> None:
    if not isinstance(value, str) or not _DNS_LABEL.fullmatch(value):
        raise EnvValueError(
            f"{what} {value!r} must be a DNS label: lower-case letters, digits and '-', "
            "starting and ending with a letter or digit, at most 63 characters"
        )


def _check_app_list(what: str, value: object) -> None:
    if not isinstance(value, tuple):
        raise EnvValueError(f"{what} must be a tuple of app names, e.g. ('my-app',)")
    for app in value:
        _check_dns_label(f"{what} entry", app)
    if len(set(value)) != len(value):
        raise EnvValueError(f"{what} lists an app twice")


def _check_namespace_rule(rule: object) -> None:
    if not isinstance(rule, str) or "{app}" not in rule:
        raise EnvValueError(
            f"namespace rule {rule!r} must contain {{app}}: each app owns its namespace"
        )
    try:
        sample = rule.format(**{key: "a" for key in _PLACEHOLDERS})
    except (KeyError, IndexError, ValueError):
        raise EnvValueError(
            f"namespace rule {rule!r} may use only {{app}}, {{env}} and {{cluster}}"
        ) from None
    if not _DNS_LABEL.fullmatch(sample):
        raise EnvValueError(
            f"namespace rule {rule!r} does not make namespace names: use lower-case letters, "
            "digits, '-' and the placeholders {app}, {env}, {cluster}"
        )


def _check_scale(what: str, value: object) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)) or not 0 < float(value) <= _MAX_SCALE:  # type: ignore[arg-type]
        raise EnvValueError(f"{what} {value!r} must be a number above 0 and at most {_MAX_SCALE}")


def _check_overlay(app: str, overlay: AppOverlay) -> None:
    if not isinstance(overlay, AppOverlay):
        raise EnvValueError(f"apps[{app!r}] must be an AppOverlay(...), got {overlay!r}")
    for name in ("replicas", "min_replicas", "max_replicas"):
        value = getattr(overlay, name)
        low = 0 if name == "replicas" else 1
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < low
        ):
            raise EnvValueError(f"apps[{app!r}].{name} {value!r} must be an integer >= {low}")
    bottom, top = overlay.min_replicas, overlay.max_replicas
    if bottom is not None and top is not None and bottom > top:
        raise EnvValueError(
            f"apps[{app!r}] has min_replicas {bottom} above max_replicas {top}; "
            "the autoscaler could never satisfy both"
        )
    if overlay.hostname is not None and not _DNS_NAME.fullmatch(overlay.hostname):
        raise EnvValueError(f"apps[{app!r}].hostname {overlay.hostname!r} is not a DNS name")
    if overlay.resource_scale is not None:
        _check_scale(f"apps[{app!r}].resource_scale", overlay.resource_scale)
