"""Argo Workflows: ``WorkflowTemplate`` and ``CronWorkflow`` running a DAG of container steps.

Every step is a pod with the restricted securityContext of every workload (the container is
rendered by ``render_container``; the pod-level context is the workflow's), its own requests
and limits and, with ``gpus``, GPUs with the GPU nodes' selector and toleration. The workflow
runs under its own ServiceAccount with the least privilege the emissary executor needs
(``workflowtaskresults`` create/patch in its namespace), a NetworkPolicy allowing DNS, the
API server (``env.api_server_cidrs``) and the declared peers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from gitops.constructs.app import GitopsConstruct, Suppress, WorkloadRef
from gitops.constructs.cron import check_schedule
from gitops.constructs.meta import metadata, selector_labels, standard_labels
from gitops.constructs.network import NetworkAccess, Peer, network_policy
from gitops.constructs.pod import (
    Container,
    Resources,
    SecretEnv,
    pod_security_context,
    render_container,
    volume_name,
)
from gitops.constructs.pod_options import GpuNodes, PodOptions, apply_pod_options
from gitops.constructs.rbac import Access, Rbac, rbac_manifests
from gitops.k8s.image_ref import pinning_problem

API_VERSION = "argoproj.io/v1alpha1"
EXECUTOR_ACCESS = Access(
    resources=("workflowtaskresults",), verbs=("create", "patch"), api_groups=("argoproj.io",)
)
"""What the emissary executor of every step needs: it reports the step's outputs as a
WorkflowTaskResult (Argo Workflows 3.4+)."""
ENTRYPOINT = "pipeline"
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True, kw_only=True)
class Step:
    """One task of the DAG: a container run to completion in its own pod."""

    name: str
    """Task name (a DNS label), also its template's."""
    image: str
    """Image pinned by tag or digest."""
    command: tuple[str, ...] = ()
    """Entrypoint override. Default: the image's."""
    args: tuple[str, ...] = ()
    """Arguments. Default: the image's."""
    depends_on: tuple[str, ...] = ()
    """Steps that must succeed first. Default: none (starts at once)."""
    resources: Resources = field(default_factory=Resources)
    """Requests and limits. Default: ``Resources()``."""
    gpus: int = 0
    """GPUs of the step (``nvidia.com/gpu`` by default), with the GPU nodes' selector and
    toleration. Default: ``0``."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Literal environment variables. Default: none."""
    secret_env: tuple[SecretEnv, ...] = ()
    """Env vars from Secrets (e.g. an ``ExternalSecret``'s). Default: none."""
    writable_paths: tuple[str, ...] = ("/tmp",)
    """Paths backed by emptyDir (the root filesystem is read-only). Default: ``("/tmp",)``."""
    retries: int = 1
    """Retries of a failed step. Default: ``1``."""
    timeout_seconds: int | None = 3600
    """Seconds the step may run; ``None`` for the workflow's limit. Default: ``3600``."""

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name) or len(self.name) > 63:
            raise ValueError(f"step name {self.name!r} must be a DNS label")
        problem = pinning_problem(self.image)
        if problem:
            raise ValueError(f"step {self.name!r}: image {self.image!r} {problem}")
        PodOptions(gpus=self.gpus)  # the same gpus check as every workload
        if self.gpus and self.resources.cpu_limit is None:
            raise ValueError(f"step {self.name!r}: gpus={self.gpus} needs a cpu_limit")


def check_dag(steps: tuple[Step, ...]) -> None:
    """Unique names, known dependencies, no cycles: what Argo rejects at submit time."""
    if not steps:
        raise ValueError("steps must list at least one step")
    names = [s.name for s in steps]
    if len(set(names)) != len(names):
        raise ValueError(f"steps: a name is used twice in {names}")
    known = set(names)
    for step in steps:
        unknown = [d for d in step.depends_on if d not in known]
        if unknown:
            raise ValueError(
                f"step {step.name!r} depends_on unknown steps {unknown} (steps: {names})"
            )
    graph = {s.name: s.depends_on for s in steps}
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = [*trail[trail.index(name) :], name]
            raise ValueError(f"steps: depends_on forms a cycle: {' -> '.join(cycle)}")
        state[name] = 1
        for dependency in graph[name]:
            visit(dependency, [*trail, name])
        state[name] = 2

    for name in names:
        visit(name, [])


@dataclass(frozen=True, kw_only=True)
class WorkflowProps:
    """A DAG of container steps."""

    steps: tuple[Step, ...]
    """The tasks, with their dependencies."""
    name: str | None = None
    """Name of the template (and its ServiceAccount, Role, NetworkPolicy). Default: the app's."""
    run_as_user: int = 10001
    """Non-root UID (and GID, fsGroup) every step runs as. Default: ``10001``."""
    network: NetworkAccess = field(default_factory=NetworkAccess)
    """Egress the steps need besides DNS and the API server. Default: none."""
    gpu: GpuNodes = field(default_factory=GpuNodes)
    """Where GPU steps run. Default: ``GpuNodes()`` (NVIDIA)."""
    active_deadline_seconds: int = 6 * 3600
    """Seconds a whole run may take. Default: ``21600`` (6 h)."""
    ttl_seconds_after_completion: int = 86400
    """Seconds a finished run is kept. Default: ``86400``."""
    suppress: Suppress | None = None
    """Lint rules to silence, with the reason. Default: none."""

    def __post_init__(self) -> None:
        check_dag(self.steps)
        if self.run_as_user <= 0:
            raise ValueError("run_as_user must be a non-root UID (> 0)")


@dataclass(frozen=True, kw_only=True)
class CronWorkflowProps(WorkflowProps):
    """A DAG of container steps run on a schedule."""

    schedule: str
    """Cron schedule, e.g. ``"0 2 * * *"``."""
    timezone: str = "Etc/UTC"
    """IANA time zone of the schedule. Default: ``"Etc/UTC"``."""
    concurrency_policy: str = "Forbid"
    """``Allow``, ``Forbid`` or ``Replace`` a run still going. Default: ``"Forbid"``."""
    starting_deadline_seconds: int = 300
    """A run not started this long after its time is skipped. Default: ``300``."""
    history_limit: int = 3
    """Successful and failed runs kept. Default: ``3``."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_schedule(self.schedule, self.timezone)
        if self.concurrency_policy not in ("Allow", "Forbid", "Replace"):
            raise ValueError(f"concurrency_policy {self.concurrency_policy!r} is not valid")


class WorkflowTemplate(GitopsConstruct):
    """An Argo WorkflowTemplate (with its ServiceAccount, Role and NetworkPolicy)."""

    kind = "WorkflowTemplate"

    def __init__(self, scope: Construct, id: str, props: WorkflowProps) -> None:
        super().__init__(scope, id)
        self.props = props
        self.name = props.name or self.chart.app_name
        self.target = WorkloadRef(
            api_version=API_VERSION,
            kind=self.kind,
            name=self.name,
            namespace=self.namespace,
            app=self.chart.app_name,
            selector=selector_labels(self.name),
        )
        self.labels = standard_labels(self.name, self.chart.app_name)
        for body in rbac_manifests(self.target, Rbac(access=(EXECUTOR_ACCESS,))):
            self.emit(body)
        self._emit_workflow(self._workflow_spec(props))
        api_server = tuple(Peer(cidr=cidr, ports=(443, 6443)) for cidr in self.env.api_server_cidrs)
        access = NetworkAccess(
            egress_to=(*api_server, *props.network.egress_to), dns=props.network.dns
        )
        self.emit(network_policy(self.target, access))

    def _emit_workflow(self, spec: dict[str, Any]) -> None:
        annotations = self.props.suppress.annotations() if self.props.suppress else None
        self.emit(
            {
                "apiVersion": API_VERSION,
                "kind": self.kind,
                "metadata": metadata(self.name, self.namespace, self.labels, annotations),
                "spec": spec,
            }
        )

    def _workflow_spec(self, props: WorkflowProps) -> dict[str, Any]:
        paths = sorted({p for s in props.steps for p in s.writable_paths})
        tasks = []
        for step in props.steps:
            task: dict[str, Any] = {"name": step.name, "template": step.name}
            if step.depends_on:
                task["depends"] = " && ".join(step.depends_on)
            tasks.append(task)
        templates: list[dict[str, Any]] = [{"name": ENTRYPOINT, "dag": {"tasks": tasks}}]
        templates += [self._step_template(step, props.gpu) for step in props.steps]
        spec: dict[str, Any] = {
            "entrypoint": ENTRYPOINT,
            "serviceAccountName": self.name,
            # The emissary executor reports results through the API: it needs the token.
            "automountServiceAccountToken": True,
            "activeDeadlineSeconds": props.active_deadline_seconds,
            "ttlStrategy": {"secondsAfterCompletion": props.ttl_seconds_after_completion},
            "podGC": {"strategy": "OnPodSuccess"},
            "podMetadata": {"labels": {**self.labels, **self.target.selector}},
            "securityContext": pod_security_context(props.run_as_user),
            "templates": templates,
        }
        if paths:
            spec["volumes"] = [
                {"name": volume_name(path), "emptyDir": {"sizeLimit": "1Gi"}} for path in paths
            ]
        return spec

    def _step_template(self, step: Step, gpu: GpuNodes) -> dict[str, Any]:
        container = render_container(
            "main",
            Container(
                image=step.image,
                resources=step.resources,
                env=step.env,
                secret_env=step.secret_env,
                command=step.command,
                args=step.args,
                writable_paths=step.writable_paths,
            ),
        )
        pod: dict[str, Any] = {}
        apply_pod_options(pod, container, PodOptions(gpus=step.gpus, gpu=gpu))
        template: dict[str, Any] = {
            "name": step.name,
            "container": container,
            "retryStrategy": {"limit": str(step.retries), "retryPolicy": "OnFailure"},
        }
        if step.timeout_seconds is not None:
            template["activeDeadlineSeconds"] = step.timeout_seconds
        template.update(pod)
        return template


class CronWorkflow(WorkflowTemplate):
    """An Argo CronWorkflow: the same workflow, run on a schedule."""

    kind = "CronWorkflow"

    def __init__(self, scope: Construct, id: str, props: CronWorkflowProps) -> None:
        self.cron = props
        super().__init__(scope, id, props)

    def _emit_workflow(self, spec: dict[str, Any]) -> None:
        props = self.cron
        super()._emit_workflow(
            {
                "schedules": [props.schedule],
                "timezone": props.timezone,
                "concurrencyPolicy": props.concurrency_policy,
                "startingDeadlineSeconds": props.starting_deadline_seconds,
                "successfulJobsHistoryLimit": props.history_limit,
                "failedJobsHistoryLimit": props.history_limit,
                "workflowSpec": spec,
            }
        )
