"""The cdk8s tree gitops builds: one EnvironmentScope per env, one AppChart per app under it.

Why our constructs hold their manifests in Python: every call across the jsii bridge to the
Node.js process costs about 0.35 ms, and handing cdk8s a whole object takes three calls in
Python (``ApiObject`` drops unknown props, so the body needs a ``JsonPatch``) plus ~0.4 ms of
token resolution at synth. Measured: ~1.7 ms per object, over 3 s for the 100-apps x 3-envs
benchmark. So a gitops construct is a real cdk8s construct (one bridge call: it has a path,
an id, a place in the tree) whose objects are plain dicts registered on its AppChart. Native
cdk8s objects (``ApiObject``, imported CRDs, cdk8s-plus) added to an AppChart still render
through ``Chart.to_json()``, side by side with ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from constructs import Construct

from gitops.constructs.environment import Environment
from gitops.constructs.meta import (
    IGNORE_ANNOTATION,
    IGNORE_REASON_ANNOTATION,
    standard_labels,
)
from gitops.constructs.namespace import app_namespace_manifests
from gitops.constructs.runtime import cdk8s


@dataclass
class Manifest:
    """One Kubernetes object a gitops construct emitted, and the construct that emitted it."""

    body: dict[str, Any]
    construct_path: str

    @property
    def kind(self) -> str:
        return str(self.body.get("kind", ""))

    @property
    def name(self) -> str:
        return str(self.body.get("metadata", {}).get("name", ""))


@dataclass(frozen=True, kw_only=True)
class Suppress:
    """Silence named lint rules on an object, with the reason reviewers will read."""

    rules: tuple[str, ...]
    """Rule codes or names, e.g. ``("PR002",)`` or ``("missing-liveness-probe",)``."""
    reason: str
    """Why the rule does not apply here; required and shown in every report."""

    def __post_init__(self) -> None:
        if not self.rules or not self.reason.strip():
            raise ValueError("Suppress needs at least one rule and a non-empty reason")

    def annotations(self) -> dict[str, str]:
        return {
            IGNORE_ANNOTATION: ",".join(self.rules),
            IGNORE_REASON_ANNOTATION: self.reason.strip(),
        }


@dataclass(frozen=True)
class WorkloadRef:
    """What companion objects (HPA, PDB, NetworkPolicy, alerts) need to know about a workload."""

    api_version: str
    kind: str
    name: str
    namespace: str
    app: str
    selector: Mapping[str, str]

    def labels(self) -> dict[str, str]:
        return standard_labels(self.name, self.app)

    def pod_name_pattern(self) -> str:
        """A PromQL regex (fully anchored, as Prometheus matches) for the names of this
        workload's pods and of no other workload's of the same kind (names are DNS labels,
        which need no escaping): see ``POD_NAME_PATTERNS``."""
        pattern = POD_NAME_PATTERNS.get(self.kind, POD_NAME_PATTERNS["Deployment"])
        return self.name + pattern


_SAFE = "[bcdfghjklmnpqrstvwxz2456789]"
"""The alphabet of the random and hashed parts controllers put in pod names (no vowels, no
0/1/3: k8s.io/apimachinery's ``util/rand`` alphanums, used by ``SafeEncodeString`` for the
pod-template-hash and by ``String(5)`` for generateName), so a suffix like ``-api-0`` (a
StatefulSet ``web-api``'s pod) is never taken for a Deployment ``web``'s pod."""

POD_NAME_PATTERNS = {
    # <name>-<pod-template-hash (1-10)>-<5 random>: the ReplicaSet is <name>-<hash>.
    "Deployment": f"-{_SAFE}{{1,10}}-{_SAFE}{{5}}",
    "Rollout": f"-{_SAFE}{{1,10}}-{_SAFE}{{5}}",
    # <name>-<ordinal>: digits only, so web-0 is not a pod of web-api (web-api-0).
    "StatefulSet": "-[0-9]+",
    # <name>-<5 random> (generateName).
    "DaemonSet": f"-{_SAFE}{{5}}",
    "Job": f"-{_SAFE}{{5}}",
    # The CronJob's Job is <name>-<scheduled time in minutes>, its pod <job>-<5 random>.
    "CronJob": f"-[0-9]+-{_SAFE}{{5}}",
}
"""The suffix each controller gives its pods' names after the workload name. Any other kind
(a workload built outside the constructs) is taken to be Deployment-shaped."""


class EnvironmentScope(Construct):
    """The construct every app chart of one environment is built under; holds its values."""

    def __init__(self, scope: Construct, environment: Environment) -> None:
        super().__init__(scope, environment.name)
        self.environment = environment
        self.gitops_path = environment.name


class AppChart(cdk8s.Chart):  # type: ignore[misc]
    """Base class of every app in ``apps/``: one chart per app per environment.

    Subclasses set ``app_name`` and build their objects in ``__init__(self, scope, env)``
    after calling ``super().__init__(scope, env)``. The app's namespace comes from the
    environment's namespace rule (``{app}`` by default, e.g. ``{app}-{env}`` on a shared
    cluster), so ``rendered/<env>/<app>/`` is one Argo CD Application deploying into one
    namespace; the chart creates that Namespace, with Pod Security Admission labels, and a
    default-deny NetworkPolicy in it.
    """

    app_name: ClassVar[str]
    """The app's name: its ``rendered/<env>/<app>/`` folder, its Argo CD app, and (through the
    environment's namespace rule) its namespace."""
    pod_security: ClassVar[str | None] = None
    """Pod Security Admission level enforced on the namespace. Default: the environment's
    ``pod_security`` (``"restricted"`` unless the environment says otherwise)."""

    def __init__(self, scope: Construct, env: Environment) -> None:
        namespace = env.namespace_for(self.app_name)
        super().__init__(
            scope, self.app_name, namespace=namespace, disable_resource_name_hashes=True
        )
        self.env = env
        self.namespace_name = namespace
        self.manifests: list[Manifest] = []
        parent = getattr(scope, "gitops_path", None)
        self.gitops_path = f"{parent}/{self.app_name}" if parent else self.app_name
        for body in app_namespace_manifests(namespace, self.app_name, self.pod_security, env):
            self.add_manifest(body, self.gitops_path)

    def add_manifest(self, body: dict[str, Any], construct_path: str) -> dict[str, Any]:
        self.manifests.append(Manifest(body=body, construct_path=construct_path))
        return body

    def find(self, kind: str, name: str) -> dict[str, Any]:
        """The body of the object ``kind``/``name`` this chart's constructs emitted, to patch
        in an environment's ``customize(app)``."""
        for manifest in self.manifests:
            if manifest.kind == kind and manifest.name == name:
                return manifest.body
        known = ", ".join(sorted(f"{m.kind}/{m.name}" for m in self.manifests))
        raise KeyError(f"app {self.app_name!r} has no {kind}/{name}; it has: {known}")


def chart_of(scope: Construct) -> AppChart:
    """The AppChart ``scope`` belongs to, found without a bridge call when possible."""
    node: Any = scope
    while node is not None:
        if isinstance(node, AppChart):
            return node
        node = getattr(node, "gitops_parent", None)
    found = cdk8s.Chart.of(scope)
    if not isinstance(found, AppChart):
        raise TypeError("gitops constructs must be created inside an AppChart")
    return found


class GitopsConstruct(Construct):
    """A construct whose objects are registered on its AppChart (see the module docstring)."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.gitops_parent = scope
        self.chart = chart_of(scope)
        parent = getattr(scope, "gitops_path", None) or scope.node.path
        self.gitops_path = f"{parent}/{id}"

    @property
    def env(self) -> Environment:
        return self.chart.env

    @property
    def namespace(self) -> str:
        return self.chart.namespace_name

    def emit(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.chart.add_manifest(body, self.gitops_path)
