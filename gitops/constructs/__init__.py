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
from gitops.constructs.disruption import Disruption, DisruptionBudget
from gitops.constructs.helm import HelmChart, HelmChartProps
from gitops.constructs.ingress import Ingress
from gitops.constructs.network import KUBE_DNS, NetworkAccess, NetworkPolicyFor, Peer
from gitops.constructs.pod import Metrics, Probe, Resources, SecretEnv
from gitops.constructs.rbac import Access, Rbac, ServiceAccountWithAccess
from gitops.constructs.rollout import Canary, Pause, SetWeight
from gitops.constructs.slo import SLO, CanaryAnalysis, LatencySLI, RatioSLI
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
    "Disruption",
    "DisruptionBudget",
    "EnvironmentScope",
    "GitopsConstruct",
    "HelmChart",
    "HelmChartProps",
    "Ingress",
    "LatencySLI",
    "Metrics",
    "NetworkAccess",
    "NetworkPolicyFor",
    "Pause",
    "Peer",
    "PodsMetric",
    "Probe",
    "RatioSLI",
    "Rbac",
    "Resources",
    "ScalingPolicy",
    "ScalingRules",
    "SecretEnv",
    "ServiceAccountWithAccess",
    "SetWeight",
    "Suppress",
    "WebService",
    "WebServiceProps",
    "Worker",
    "WorkerProps",
    "WorkloadRef",
]
