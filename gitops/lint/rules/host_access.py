"""PS (continued): pod security: access to the node itself (namespaces, ports, paths).

Split from ``podsecurity`` to keep modules small; same family, same code series.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from gitops.findings import Severity
from gitops.k8s.graph import ObjectGraph
from gitops.k8s.manifests import Manifest
from gitops.k8s.pods import (
    WORKLOAD_KINDS,
    ContainerRef,
    Path,
    all_containers,
    containers,
    pod_templates,
)
from gitops.rules.registry import Violation, rule

FAMILY = "pod-security"
HOST_NAMESPACES = {
    "hostNetwork": "the node's network namespace: it bypasses NetworkPolicy, can bind node "
    "ports and reach services listening on the node's loopback",
    "hostPID": "the node's process namespace: it can see every process on the node, read "
    "their environment and signal them",
    "hostIPC": "the node's IPC namespace: it can read other processes' shared memory",
}
RUNTIME_SOCKETS = (
    "/run/containerd/containerd.sock",
    "/run/docker.sock",
    "/run/docker/containerd/containerd.sock",
    "/run/docker/containerd/docker-containerd.sock",
    "/run/crio/crio.sock",
    "/run/cri-dockerd.sock",
    "/run/k3s/containerd/containerd.sock",
    "/run/podman/podman.sock",
    "/var/run/containerd/containerd.sock",
    "/var/run/docker.sock",
    "/var/run/docker/containerd/containerd.sock",
    "/var/run/docker/containerd/docker-containerd.sock",
    "/var/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/var/run/dockershim.sock",
)
"""Container runtime API sockets, in /var/run and in /run (a symlink to each other); dockerd
without --containerd starts its own containerd under /var/run/docker, so mounting that
directory exposes a runtime API too."""


@rule(
    "PS007", "host-namespace-shared", family=FAMILY, severity=Severity.ERROR, kinds=WORKLOAD_KINDS
)
def host_namespace_shared(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A pod shares a namespace of its node (hostNetwork, hostPID or hostIPC).

    Why: The namespaces are what separates a container from the node. Sharing one exposes
    the node's network, processes or shared memory to the pod, and to anyone who gets code
    execution in it. The Pod Security Standards baseline forbids all three.
    Fix: Remove hostNetwork, hostPID and hostIPC (or set them false); a node agent that
    needs one should be suppressed with a reason.
    """
    seen: set[Path] = set()
    for template in pod_templates(manifest):
        for field, exposed in HOST_NAMESPACES.items():
            path = template.field_path(field)
            if template.spec.get(field) is True and path not in seen:
                seen.add(path)
                yield Violation(message=f"pod shares {exposed} ({field}: true)", path=path)


@rule("PS008", "host-port-bound", family=FAMILY, severity=Severity.WARNING, kinds=WORKLOAD_KINDS)
def host_port_bound(manifest: Manifest, graph: ObjectGraph, options: Any) -> Iterator[Violation]:
    """A container binds a port on its node's IP address (hostPort).

    Why: A host port is reachable by anything that can reach the node, outside Services and
    around NetworkPolicy on many CNIs; it also allows one such pod per node, so a rollout
    or a second replica can stay Pending. The Pod Security Standards baseline forbids it.
    Fix: Remove hostPort and expose the port through a Service (NodePort or LoadBalancer
    when it must be reachable from outside the cluster).
    """
    for ref in containers(manifest):
        ports = ref.container.get("ports")
        for index, port in enumerate(ports if isinstance(ports, list) else []):
            host_port = port.get("hostPort") if isinstance(port, dict) else None
            if isinstance(host_port, int) and not isinstance(host_port, bool) and host_port:
                yield Violation(
                    message=f'container "{ref.name}" binds host port {host_port} '
                    f"(containerPort {port.get('containerPort')})",
                    path=(*ref.path, "ports", index, "hostPort"),
                    container=ref.name,
                )


def _normalize(path: str) -> str:
    return posixpath.normpath(re.sub(r"/+", "/", path)) if path.startswith("/") else path


def runtime_socket_under(path: str) -> str | None:
    """The first container runtime socket that mounting ``path`` exposes (the socket itself
    or a directory above it, such as /run, /var/run or /), or None."""
    mounted = _normalize(path)
    if mounted == "/var":
        # /var/run is a symlink to /run on current distributions; inside a mounted /var it
        # points at the container's own /run, so /var exposes no socket (PS009 still warns).
        return None
    prefix = mounted.rstrip("/") + "/"
    return next((s for s in RUNTIME_SOCKETS if s == mounted or s.startswith(prefix)), None)


def _mounts(ref: ContainerRef) -> list[dict[str, Any]]:
    mounts = ref.container.get("volumeMounts")
    return [m for m in mounts if isinstance(m, dict)] if isinstance(mounts, list) else []


def _host_paths(manifest: Manifest) -> Iterator[tuple[str, str, Path, str]]:
    """(volume name, host path, path of the field, how containers mount it)."""
    seen: set[Path] = set()
    for template in pod_templates(manifest):
        for volume, volume_path in template.volumes():
            host_path = volume.get("hostPath")
            if not isinstance(host_path, dict) or not isinstance(host_path.get("path"), str):
                continue
            field = (*volume_path, "hostPath", "path")
            if field in seen:
                continue  # a workflow-level volume, shared by several templates' pods
            seen.add(field)
            name = str(volume.get("name") or "")
            writers = sorted(
                {
                    f'"{ref.name}"'
                    for ref in all_containers(manifest)
                    for mount in _mounts(ref)
                    if mount.get("name") == name and not mount.get("readOnly")
                }
            )
            noun = "container" if len(writers) == 1 else "containers"
            mode = f", mounted read-write by {noun} {', '.join(writers)}" if writers else ""
            yield name, host_path["path"], field, mode


@rule("PS009", "host-path-mounted", family=FAMILY, severity=Severity.WARNING, kinds=WORKLOAD_KINDS)
def host_path_mounted(manifest: Manifest, graph: ObjectGraph, options: Any) -> Iterator[Violation]:
    """A pod mounts a directory or file of its node (a hostPath volume).

    Why: A hostPath volume reaches past the container into the node: /etc, /var/lib/kubelet
    or /proc hand over node credentials and configuration, a writable mount can plant files
    that the node executes, and the pod's data is tied to one node. The Pod Security
    Standards baseline forbids hostPath. Container runtime sockets are reported by PS010
    (an error) instead of here.
    Fix: Use an emptyDir, a ConfigMap or a PersistentVolumeClaim; a node agent that needs the
    path should mount it readOnly and be suppressed with a reason.
    """
    for name, host_path, field, mode in _host_paths(manifest):
        if runtime_socket_under(host_path) is None:
            yield Violation(
                message=f'hostPath volume "{name}" mounts {host_path} from the node{mode}',
                path=field,
            )


@rule(
    "PS010",
    "container-runtime-socket-mounted",
    family=FAMILY,
    severity=Severity.ERROR,
    kinds=WORKLOAD_KINDS,
)
def container_runtime_socket_mounted(
    manifest: Manifest, graph: ObjectGraph, options: Any
) -> Iterator[Violation]:
    """A pod mounts the container runtime's socket (docker, containerd, CRI-O).

    Why: The runtime socket is the API that starts containers: whoever can write to it can
    start a privileged container with the node's root filesystem mounted, so the pod is
    root on the node whatever its securityContext says. Mounting a directory that holds the
    socket (/, /var/run, /run/containerd) is the same. An error, separate from PS009, so
    that suppressing an ordinary hostPath never hides it.
    Fix: Remove the volume; build images with a daemonless builder (BuildKit rootless,
    kaniko) and read container metadata from the Kubernetes API instead.
    """
    for name, host_path, field, mode in _host_paths(manifest):
        socket = runtime_socket_under(host_path)
        if socket is None:
            continue
        where = "" if _normalize(host_path) == socket else f", which contains {socket}"
        yield Violation(
            message=f'hostPath volume "{name}" mounts the container runtime socket: '
            f"{host_path}{where}{mode}",
            path=field,
        )


RULES = (
    host_namespace_shared,
    host_port_bound,
    host_path_mounted,
    container_runtime_socket_mounted,
)
