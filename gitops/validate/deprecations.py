"""API versions that Kubernetes deprecated or removed, and what replaces them.

Removal versions are facts of the schemas (a test checks each against kubernetes-validate:
served in the version before, gone from the version given). ``deprecated`` is the release from
which the replacement was served and the old version was marked deprecated; entries removed
before 1.25 (the oldest version with schemas) are removed for every supported target.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApiLifecycle:
    api_version: str
    kind: str
    deprecated: str
    removed: str | None
    """First release that no longer serves it; None while it is still served."""
    replacements: tuple[str, ...]
    """``apiVersion`` (or ``apiVersion Kind`` when the kind changes) to use instead, newest
    first; the validator names the first one the target version serves."""
    note: str = ""


def _entries(
    api_version: str,
    kinds: str,
    deprecated: str,
    removed: str | None,
    *replacements: str,
    note: str = "",
) -> list[ApiLifecycle]:
    return [
        ApiLifecycle(api_version, kind, deprecated, removed, replacements, note)
        for kind in kinds.split()
    ]


_FLOWCONTROL = "flowcontrol.apiserver.k8s.io"
_WORKLOADS = "Deployment DaemonSet ReplicaSet StatefulSet"  # as served by apps/v1beta2
LIFECYCLE: tuple[ApiLifecycle, ...] = tuple(
    [
        *_entries(
            "extensions/v1beta1", "Deployment DaemonSet ReplicaSet", "1.9", "1.16", "apps/v1"
        ),
        *_entries("extensions/v1beta1", "NetworkPolicy", "1.9", "1.16", "networking.k8s.io/v1"),
        *_entries("extensions/v1beta1", "Ingress", "1.14", "1.22", "networking.k8s.io/v1"),
        *_entries(
            "extensions/v1beta1",
            "PodSecurityPolicy",
            "1.11",
            "1.16",
            note="PodSecurityPolicy is gone; use Pod Security Admission namespace labels",
        ),
        *_entries(
            "apps/v1beta1", "Deployment StatefulSet ControllerRevision", "1.9", "1.16", "apps/v1"
        ),
        *_entries("apps/v1beta2", f"{_WORKLOADS} ControllerRevision", "1.9", "1.16", "apps/v1"),
        *_entries(
            "networking.k8s.io/v1beta1",
            "Ingress IngressClass",
            "1.19",
            "1.22",
            "networking.k8s.io/v1",
        ),
        *_entries(
            "admissionregistration.k8s.io/v1beta1",
            "MutatingWebhookConfiguration ValidatingWebhookConfiguration",
            "1.16",
            "1.22",
            "admissionregistration.k8s.io/v1",
        ),
        *_entries(
            "apiextensions.k8s.io/v1beta1",
            "CustomResourceDefinition",
            "1.16",
            "1.22",
            "apiextensions.k8s.io/v1",
        ),
        *_entries(
            "apiregistration.k8s.io/v1beta1",
            "APIService",
            "1.19",
            "1.22",
            "apiregistration.k8s.io/v1",
        ),
        *_entries(
            "authentication.k8s.io/v1beta1",
            "TokenReview",
            "1.19",
            "1.22",
            "authentication.k8s.io/v1",
        ),
        *_entries(
            "authorization.k8s.io/v1beta1",
            "LocalSubjectAccessReview SelfSubjectAccessReview SelfSubjectRulesReview "
            "SubjectAccessReview",
            "1.19",
            "1.22",
            "authorization.k8s.io/v1",
        ),
        *_entries(
            "certificates.k8s.io/v1beta1",
            "CertificateSigningRequest",
            "1.19",
            "1.22",
            "certificates.k8s.io/v1",
        ),
        *_entries("coordination.k8s.io/v1beta1", "Lease", "1.19", "1.22", "coordination.k8s.io/v1"),
        *_entries(
            "rbac.authorization.k8s.io/v1beta1",
            "ClusterRole ClusterRoleBinding Role RoleBinding",
            "1.17",
            "1.22",
            "rbac.authorization.k8s.io/v1",
        ),
        *_entries(
            "rbac.authorization.k8s.io/v1alpha1",
            "ClusterRole ClusterRoleBinding Role RoleBinding",
            "1.17",
            "1.22",
            "rbac.authorization.k8s.io/v1",
        ),
        *_entries(
            "scheduling.k8s.io/v1beta1", "PriorityClass", "1.14", "1.22", "scheduling.k8s.io/v1"
        ),
        *_entries(
            "storage.k8s.io/v1beta1",
            "CSIDriver CSINode StorageClass VolumeAttachment",
            "1.19",
            "1.22",
            "storage.k8s.io/v1",
        ),
        *_entries("batch/v1beta1", "CronJob", "1.21", "1.25", "batch/v1"),
        *_entries(
            "discovery.k8s.io/v1beta1", "EndpointSlice", "1.21", "1.25", "discovery.k8s.io/v1"
        ),
        *_entries("events.k8s.io/v1beta1", "Event", "1.19", "1.25", "events.k8s.io/v1"),
        *_entries(
            "autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.22", "1.25", "autoscaling/v2"
        ),
        *_entries("policy/v1beta1", "PodDisruptionBudget", "1.21", "1.25", "policy/v1"),
        *_entries(
            "policy/v1beta1",
            "PodSecurityPolicy",
            "1.21",
            "1.25",
            note="PodSecurityPolicy is gone; use Pod Security Admission namespace labels",
        ),
        *_entries("node.k8s.io/v1beta1", "RuntimeClass", "1.20", "1.25", "node.k8s.io/v1"),
        *_entries(
            "autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.23", "1.26", "autoscaling/v2"
        ),
        *_entries(
            f"{_FLOWCONTROL}/v1beta1",
            "FlowSchema PriorityLevelConfiguration",
            "1.23",
            "1.26",
            f"{_FLOWCONTROL}/v1",
            f"{_FLOWCONTROL}/v1beta3",
            f"{_FLOWCONTROL}/v1beta2",
        ),
        *_entries(
            "storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.24", "1.27", "storage.k8s.io/v1"
        ),
        *_entries(
            f"{_FLOWCONTROL}/v1beta2",
            "FlowSchema PriorityLevelConfiguration",
            "1.26",
            "1.29",
            f"{_FLOWCONTROL}/v1",
            f"{_FLOWCONTROL}/v1beta3",
        ),
        *_entries(
            f"{_FLOWCONTROL}/v1beta3",
            "FlowSchema PriorityLevelConfiguration",
            "1.29",
            "1.32",
            f"{_FLOWCONTROL}/v1",
        ),
        *_entries(
            "authentication.k8s.io/v1beta1",
            "SelfSubjectReview",
            "1.28",
            "1.33",
            "authentication.k8s.io/v1",
        ),
        *_entries(
            "admissionregistration.k8s.io/v1beta1",
            "ValidatingAdmissionPolicy ValidatingAdmissionPolicyBinding",
            "1.30",
            "1.34",
            "admissionregistration.k8s.io/v1",
        ),
        *_entries(
            "networking.k8s.io/v1beta1",
            "IPAddress ServiceCIDR",
            "1.33",
            "1.37",
            "networking.k8s.io/v1",
        ),
        *_entries(
            "storage.k8s.io/v1beta1", "VolumeAttributesClass", "1.34", "1.37", "storage.k8s.io/v1"
        ),
        *_entries("v1", "Endpoints", "1.33", None, "discovery.k8s.io/v1 EndpointSlice"),
    ]
)

_BY_KEY = {(entry.api_version, entry.kind): entry for entry in LIFECYCLE}


def lifecycle(api_version: str, kind: str) -> ApiLifecycle | None:
    return _BY_KEY.get((api_version, kind))


def minor(version: str) -> int:
    return int(version.split(".")[1])


def is_removed(entry: ApiLifecycle, target: str) -> bool:
    return entry.removed is not None and minor(target) >= minor(entry.removed)


def is_deprecated(entry: ApiLifecycle, target: str) -> bool:
    return minor(target) >= minor(entry.deprecated)
