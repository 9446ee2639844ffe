"""Pod Security admission checks, table-tested per profile and Kubernetes version against
the allowed values of the upstream checks (k8s.io/pod-security-admission/policy)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import LoadProblem, Manifest, load_text
from gitops.k8s.pod_security import evaluate, namespace_policies, parse_minor

RESTRICTED_CONTAINER = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
}
RESTRICTED_POD = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}


def pod(
    spec: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
    annotations: dict[str, str] | None = None,
) -> Manifest:
    """A Pod that passes restricted, with ``spec``/``container`` fields merged over it."""
    main = {"name": "app", "image": "ghcr.io/acme/app:1.0.0"}
    main["securityContext"] = dict(RESTRICTED_CONTAINER)
    for key, value in (container or {}).items():
        if key == "securityContext":
            main["securityContext"] = {**main["securityContext"], **value}
        else:
            main[key] = value
    body: dict[str, Any] = {"securityContext": dict(RESTRICTED_POD), "containers": [main]}
    for key, value in (spec or {}).items():
        if key == "securityContext":
            body["securityContext"] = {**body["securityContext"], **value}
        else:
            body[key] = value
    metadata: dict[str, Any] = {"name": "p", "namespace": "ns"}
    if annotations:
        metadata["annotations"] = annotations
    document = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": body}
    manifests: list[Manifest] = []
    problems: list[LoadProblem] = []
    load_text(json.dumps(document), "p.yaml", manifests, problems)
    assert not problems
    return manifests[0]


def failed(manifest: Manifest, level: str, minor: int) -> list[str]:
    return sorted({failure.check for failure in evaluate(manifest, level, minor)})


SC = "securityContext"
# (id, pod, level, minor, expected failing check IDs)
TABLE: list[tuple[str, Manifest, str, int, list[str]]] = [
    ("compliant-restricted", pod(), "restricted", 31, []),
    # passes baseline, not restricted
    ("no-security-context-baseline", pod({SC: {"runAsNonRoot": None}}), "baseline", 31, []),
    (
        "no-hardening-restricted",
        pod(
            {SC: {"seccompProfile": None, "runAsNonRoot": None}},
            {SC: {"allowPrivilegeEscalation": None, "capabilities": None}},
        ),
        "restricted",
        31,
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "seccompProfile_restricted",
        ],
    ),
    ("privileged", pod(container={SC: {"privileged": True}}), "baseline", 31, ["privileged"]),
    ("host-network", pod({"hostNetwork": True}), "baseline", 31, ["hostNamespaces"]),
    ("host-pid-false-ok", pod({"hostPID": False}), "baseline", 31, []),
    (
        "host-port",
        pod(container={"ports": [{"containerPort": 80, "hostPort": 80}]}),
        "baseline",
        31,
        ["hostPorts"],
    ),
    (
        "host-port-zero-ok",
        pod(container={"ports": [{"containerPort": 80, "hostPort": 0}]}),
        "baseline",
        31,
        [],
    ),
    # capabilities: the baseline list, exact strings
    (
        "cap-chown-baseline",
        pod(container={SC: {"capabilities": {"add": ["CHOWN"]}}}),
        "baseline",
        31,
        [],
    ),
    (
        "cap-net-raw",
        pod(container={SC: {"capabilities": {"add": ["NET_RAW"]}}}),
        "baseline",
        31,
        ["capabilities_baseline"],
    ),
    (
        "cap-prefixed",
        pod(container={SC: {"capabilities": {"add": ["CAP_CHOWN"]}}}),
        "baseline",
        31,
        ["capabilities_baseline"],
    ),
    (
        "cap-chown-restricted",
        pod(container={SC: {"capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}}}),
        "restricted",
        31,
        ["capabilities_restricted"],
    ),
    (
        "cap-net-bind-restricted",
        pod(container={SC: {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}),
        "restricted",
        31,
        [],
    ),
    (
        "cap-drop-lowercase-all",
        pod(container={SC: {"capabilities": {"drop": ["all"]}}}),
        "restricted",
        31,
        ["capabilities_restricted"],
    ),
    (
        "cap-restricted-before-1.22",
        pod(container={SC: {"capabilities": None}}),
        "restricted",
        21,
        [],
    ),
    # volumes
    (
        "host-path",
        pod({"volumes": [{"name": "h", "hostPath": {"path": "/etc"}}]}),
        "baseline",
        31,
        ["hostPathVolumes"],
    ),
    (
        "host-path-restricted-once",
        pod({"volumes": [{"name": "h", "hostPath": {"path": "/etc"}}]}),
        "restricted",
        31,
        ["restrictedVolumes"],
    ),
    (
        "nfs-baseline-ok",
        pod({"volumes": [{"name": "n", "nfs": {"server": "s", "path": "/"}}]}),
        "baseline",
        31,
        [],
    ),
    (
        "nfs-restricted",
        pod({"volumes": [{"name": "n", "nfs": {"server": "s", "path": "/"}}]}),
        "restricted",
        31,
        ["restrictedVolumes"],
    ),
    (
        "allowed-volumes",
        pod(
            {
                "volumes": [
                    {"name": "a", "emptyDir": {}},
                    {"name": "b", "configMap": {"name": "c"}},
                    {"name": "c", "projected": {"sources": []}},
                    {"name": "d", "persistentVolumeClaim": {"claimName": "x"}},
                    {"name": "e", "csi": {"driver": "d"}},
                    {"name": "f", "ephemeral": {}},
                    {"name": "g", "secret": {"secretName": "s"}},
                    {"name": "h", "downwardAPI": {}},
                ]
            }
        ),
        "restricted",
        31,
        [],
    ),
    # sysctls, by version
    (
        "sysctl-safe",
        pod({SC: {"sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1 2"}]}}),
        "baseline",
        26,
        [],
    ),
    (
        "sysctl-reserved-ports-1.26",
        pod({SC: {"sysctls": [{"name": "net.ipv4.ip_local_reserved_ports", "value": "1"}]}}),
        "baseline",
        26,
        ["sysctls"],
    ),
    (
        "sysctl-reserved-ports-1.27",
        pod({SC: {"sysctls": [{"name": "net.ipv4.ip_local_reserved_ports", "value": "1"}]}}),
        "baseline",
        27,
        [],
    ),
    (
        "sysctl-keepalive-1.28",
        pod({SC: {"sysctls": [{"name": "net.ipv4.tcp_keepalive_time", "value": "1"}]}}),
        "baseline",
        28,
        ["sysctls"],
    ),
    (
        "sysctl-keepalive-1.29",
        pod({SC: {"sysctls": [{"name": "net.ipv4.tcp_keepalive_time", "value": "1"}]}}),
        "baseline",
        29,
        [],
    ),
    (
        "sysctl-unsafe",
        pod({SC: {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]}}),
        "baseline",
        99,
        ["sysctls"],
    ),
    # SELinux
    (
        "selinux-container-t",
        pod(container={SC: {"seLinuxOptions": {"type": "container_t", "level": "s0:c1"}}}),
        "baseline",
        31,
        [],
    ),
    (
        "selinux-spc-t",
        pod(container={SC: {"seLinuxOptions": {"type": "spc_t"}}}),
        "baseline",
        31,
        ["seLinuxOptions"],
    ),
    (
        "selinux-user",
        pod({SC: {"seLinuxOptions": {"user": "system_u"}}}),
        "baseline",
        31,
        ["seLinuxOptions"],
    ),
    (
        "selinux-engine-1.30",
        pod(container={SC: {"seLinuxOptions": {"type": "container_engine_t"}}}),
        "baseline",
        30,
        ["seLinuxOptions"],
    ),
    (
        "selinux-engine-1.31",
        pod(container={SC: {"seLinuxOptions": {"type": "container_engine_t"}}}),
        "baseline",
        31,
        [],
    ),
    # procMount
    (
        "proc-mount-unmasked",
        pod(container={SC: {"procMount": "Unmasked"}}),
        "baseline",
        31,
        ["procMount"],
    ),
    ("proc-mount-default", pod(container={SC: {"procMount": "Default"}}), "baseline", 31, []),
    (
        "proc-mount-user-ns-1.35",
        pod({"hostUsers": False}, {SC: {"procMount": "Unmasked"}}),
        "baseline",
        35,
        [],
    ),
    # AppArmor: annotations and fields
    (
        "apparmor-unconfined-annotation",
        pod(annotations={"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}),
        "baseline",
        31,
        ["appArmorProfile"],
    ),
    (
        "apparmor-localhost-annotation",
        pod(annotations={"container.apparmor.security.beta.kubernetes.io/app": "localhost/p"}),
        "baseline",
        31,
        [],
    ),
    (
        "apparmor-unconfined-field",
        pod({SC: {"appArmorProfile": {"type": "Unconfined"}}}),
        "baseline",
        31,
        ["appArmorProfile"],
    ),
    # Windows
    (
        "host-process",
        pod(container={SC: {"windowsOptions": {"hostProcess": True}}}),
        "baseline",
        31,
        ["windowsHostProcess"],
    ),
    (
        "windows-pod-1.24-still-checked",
        pod(
            {"os": {"name": "windows"}, SC: {"seccompProfile": None}},
            {SC: {"allowPrivilegeEscalation": None, "capabilities": None}},
        ),
        "restricted",
        24,
        ["allowPrivilegeEscalation", "capabilities_restricted", "seccompProfile_restricted"],
    ),
    (
        "windows-pod-1.25-exempt",
        pod(
            {"os": {"name": "windows"}, SC: {"seccompProfile": None}},
            {SC: {"allowPrivilegeEscalation": None, "capabilities": None}},
        ),
        "restricted",
        25,
        [],
    ),
    # runAsUser / runAsNonRoot
    ("run-as-user-0-1.22", pod(container={SC: {"runAsUser": 0}}), "restricted", 22, []),
    ("run-as-user-0-1.23", pod(container={SC: {"runAsUser": 0}}), "restricted", 23, ["runAsUser"]),
    (
        "container-run-as-non-root-false",
        pod(container={SC: {"runAsNonRoot": False}}),
        "restricted",
        31,
        ["runAsNonRoot"],
    ),
    (
        "container-level-run-as-non-root",
        pod({SC: {"runAsNonRoot": None}}, {SC: {"runAsNonRoot": True}}),
        "restricted",
        31,
        [],
    ),
    # allowPrivilegeEscalation exists from 1.8
    ("ape-1.7", pod(container={SC: {"allowPrivilegeEscalation": None}}), "restricted", 7, []),
    (
        "ape-1.8",
        pod(container={SC: {"allowPrivilegeEscalation": None}}),
        "restricted",
        8,
        ["allowPrivilegeEscalation"],
    ),
    # probe/lifecycle host from 1.34
    (
        "probe-host-1.33",
        pod(container={"readinessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}}}),
        "baseline",
        33,
        [],
    ),
    (
        "probe-host-1.34",
        pod(container={"readinessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}}}),
        "baseline",
        34,
        ["hostProbesAndHostLifecycle"],
    ),
    (
        "prestop-host-1.34",
        pod(container={"lifecycle": {"preStop": {"httpGet": {"host": "x", "port": 80}}}}),
        "baseline",
        34,
        ["hostProbesAndHostLifecycle"],
    ),
]

# seccomp: 1.24-style annotations vs fields. Before 1.19 the baseline reads the alpha
# annotations and restricted has no seccomp check; from 1.19 only the fields count.
UNCONFINED = {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}
RUNTIME_DEFAULT = {"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}
TABLE += [
    (
        "seccomp-annotation-unconfined-1.18",
        pod({SC: {"seccompProfile": None}}, annotations=UNCONFINED),
        "baseline",
        18,
        ["seccompProfile_baseline"],
    ),
    (
        "seccomp-annotation-unconfined-1.24",
        pod({SC: {"seccompProfile": None}}, annotations=UNCONFINED),
        "baseline",
        24,
        [],
    ),
    (
        "seccomp-annotation-only-restricted-1.18",
        pod({SC: {"seccompProfile": None}}, annotations=RUNTIME_DEFAULT),
        "restricted",
        18,
        [],
    ),
    (
        "seccomp-annotation-only-restricted-1.24",
        pod({SC: {"seccompProfile": None}}, annotations=RUNTIME_DEFAULT),
        "restricted",
        24,
        ["seccompProfile_restricted"],
    ),
    (
        "seccomp-field-unconfined-baseline-1.24",
        pod({SC: {"seccompProfile": {"type": "Unconfined"}}}),
        "baseline",
        24,
        ["seccompProfile_baseline"],
    ),
    (
        "seccomp-field-unconfined-restricted-once",
        pod({SC: {"seccompProfile": {"type": "Unconfined"}}}),
        "restricted",
        24,
        ["seccompProfile_restricted"],
    ),
    (
        "seccomp-container-level-fields",
        pod(
            {SC: {"seccompProfile": None}},
            {SC: {"seccompProfile": {"type": "Localhost", "localhostProfile": "x"}}},
        ),
        "restricted",
        24,
        [],
    ),
]


def _strip_none(manifest: Manifest) -> None:
    """``None`` in the table means "remove the field" (a restricted default made absent)."""

    def strip(node: Any) -> None:
        if isinstance(node, dict):
            for key in [k for k, v in node.items() if v is None]:
                del node[key]
            for value in node.values():
                strip(value)
        elif isinstance(node, list):
            for value in node:
                strip(value)

    strip(manifest.body)


@pytest.mark.parametrize(
    ("manifest", "level", "minor", "expected"), [t[1:] for t in TABLE], ids=[t[0] for t in TABLE]
)
def test_checks_per_profile_and_version(
    manifest: Manifest, level: str, minor: int, expected: list[str]
) -> None:
    _strip_none(manifest)
    assert failed(manifest, level, minor) == expected


def test_failures_point_at_the_field() -> None:
    manifest = pod(container={SC: {"privileged": True}})
    (failure,) = evaluate(manifest, "baseline", 31)
    assert failure.path == ("spec", "containers", 0, "securityContext", "privileged")
    assert failure.container == "app"


def test_versions_and_namespace_labels() -> None:
    assert parse_minor("v1.31") == 31
    assert parse_minor("latest") == 99
    assert parse_minor("1.31") is None
    manifests: list[Manifest] = []
    load_text(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n  labels:\n"
        "    pod-security.kubernetes.io/enforce: restricted\n"
        "    pod-security.kubernetes.io/enforce-version: bogus\n"
        "    pod-security.kubernetes.io/warn: nonsense\n",
        "ns.yaml",
        manifests,
        [],
    )
    graph = ObjectGraph([*manifests, pod()])
    (policy,) = namespace_policies(graph.manifests[1], graph, ())
    assert (policy.mode, policy.level, policy.version) == ("enforce", "restricted", "latest")
    # without the Namespace, the defaults decide
    alone = ObjectGraph([pod()])
    defaults = {
        "pod-security.kubernetes.io/audit": "baseline",
        "pod-security.kubernetes.io/audit-version": "v1.29",
    }
    (policy,) = namespace_policies(alone.manifests[0], alone, tuple(sorted(defaults.items())))
    assert (policy.mode, policy.level, policy.version) == ("audit", "baseline", "v1.29")
