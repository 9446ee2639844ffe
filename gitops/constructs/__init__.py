"""Reusable cdk8s building blocks that apps in ``apps/`` compose, secure by default.

Every optional prop documents its default, and the defaults pass the gitops linter.
"""

# First: starts cdk8s's Node.js runtime with its banners silenced, before any jsii module
# (including ``constructs``) is imported by the modules below.
from gitops.constructs import runtime as _runtime  # noqa: F401
from gitops.constructs.alerts import AlertRules, Alerts
from gitops.constructs.app import AppChart, EnvironmentScope, GitopsConstruct, Suppress, WorkloadRef
from gitops.constructs.autoscaling import (
    Autoscaler,
    Autoscaling,
    PodsMetric,
    ScalingPolicy,
    ScalingRules,
)
from gitops.constructs.batch import CronJob, CronJobProps, Job, JobProps
from gitops.constructs.disruption import Disruption, DisruptionBudget
from gitops.constructs.external_secrets import (
    ClusterSecretStore,
    ExternalSecret,
    ExternalSecretProps,
    RemoteKey,
    SecretStore,
    SecretStoreProps,
    VaultProvider,
)
from gitops.constructs.helm import HelmChart, HelmChartProps
from gitops.constructs.ingress import Ingress
from gitops.constructs.network import KUBE_DNS, NetworkAccess, NetworkPolicyFor, Peer
from gitops.constructs.pod import Metrics, Probe, Resources, SecretEnv
from gitops.constructs.pod_options import (
    GpuNodes,
    InitContainer,
    Mount,
    PodOptions,
    Toleration,
    Volume,
)
from gitops.constructs.rbac import Access, Rbac, ServiceAccountWithAccess
from gitops.constructs.rollout import Canary, Pause, SetWeight
from gitops.constructs.slo import SLO, CanaryAnalysis, LatencySLI, RatioSLI
from gitops.constructs.stateful import (
    DaemonSet,
    DaemonSetProps,
    StatefulSet,
    StatefulSetProps,
    VolumeClaim,
)
from gitops.constructs.workflows import (
    CronWorkflow,
    CronWorkflowProps,
    Step,
    WorkflowProps,
    WorkflowTemplate,
)
from gitops.constructs.workload import WebService, WebServiceProps, Worker, WorkerProps
from gitops.k8s.burn_rate import BurnWindow

__all__ = [
    "KUBE_DNS",
    "SLO",
    "Access",
    "AlertRules",
    "Alerts",
    "AppChart",
    "Autoscaler",
    "Autoscaling",
    "BurnWindow",
    "Canary",
    "CanaryAnalysis",
    "ClusterSecretStore",
    "CronJob",
    "CronJobProps",
    "CronWorkflow",
    "CronWorkflowProps",
    "DaemonSet",
    "DaemonSetProps",
    "Disruption",
    "DisruptionBudget",
    "EnvironmentScope",
    "ExternalSecret",
    "ExternalSecretProps",
    "GitopsConstruct",
    "GpuNodes",
    "HelmChart",
    "HelmChartProps",
    "Ingress",
    "InitContainer",
    "Job",
    "JobProps",
    "LatencySLI",
    "Metrics",
    "Mount",
    "NetworkAccess",
    "NetworkPolicyFor",
    "Pause",
    "Peer",
    "PodOptions",
    "PodsMetric",
    "Probe",
    "RatioSLI",
    "Rbac",
    "RemoteKey",
    "Resources",
    "ScalingPolicy",
    "ScalingRules",
    "SecretEnv",
    "SecretStore",
    "SecretStoreProps",
    "ServiceAccountWithAccess",
    "SetWeight",
    "StatefulSet",
    "StatefulSetProps",
    "Step",
    "Suppress",
    "Toleration",
    "VaultProvider",
    "Volume",
    "VolumeClaim",
    "WebService",
    "WebServiceProps",
    "Worker",
    "WorkerProps",
    "WorkflowProps",
    "WorkflowTemplate",
    "WorkloadRef",
]
