"""The Pod Security Standards checks, as Kubernetes' pod-security admission defines them.

One function per upstream check (``k8s.io/pod-security-admission/policy/check_*.go``), with
the upstream check ID, level and the minor version each variant starts at. A check returns
one ``Failure`` per offending field, with the upstream reason, so a finding can point at the
line; the admission plugin joins them into one message per check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from gitops.k8s.pods import ContainerRef, Path, PodTemplate

BASELINE, RESTRICTED = "baseline", "restricted"


@dataclass(frozen=True)
class Failure:
    check: str
    """Upstream check ID, e.g. ``capabilities_restricted``."""
    reason: str
    """What is forbidden, with the offending value."""
    path: Path
    container: str | None = None


CheckFn = Callable[[PodTemplate, list[ContainerRef]], Iterator[Failure]]


@dataclass(frozen=True)
class Check:
    id: str
    level: str
    versions: tuple[tuple[int, CheckFn], ...]
    """(first minor version of Kubernetes 1.x, function), oldest first."""
    overrides: str = ""
    """The baseline check a restricted check replaces at the restricted level."""

    def at(self, minor: int) -> CheckFn | None:
        """The variant in force at Kubernetes 1.``minor`` (None before the first)."""
        found = None
        for first, check in self.versions:
            if minor >= first:
                found = check
        return found


def _context(holder: Mapping[str, Any]) -> Mapping[str, Any]:
    value = holder.get("securityContext")
    return value if isinstance(value, dict) else {}


def _sub(holder: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = holder.get(key)
    return value if isinstance(value, dict) else {}


def _pod_context_path(pod: PodTemplate) -> Path:
    return pod.field_path("securityContext")


def _ctx_path(ref: ContainerRef, *rest: str) -> Path:
    return (*ref.path, "securityContext", *rest)


def _containers(refs: list[ContainerRef]) -> str:
    names = ", ".join(f'"{ref.name}"' for ref in refs)
    return f"container {names}" if len(refs) == 1 else f"containers {names}"


def _is_windows(pod: PodTemplate) -> bool:
    return _sub(pod.spec, "os").get("name") == "windows"


def _user_namespace(pod: PodTemplate) -> bool:
    return pod.spec.get("hostUsers") is False


# -- baseline -----------------------------------------------------------------------------

HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")


def host_namespaces(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    for field in HOST_NAMESPACES:
        if pod.spec.get(field) is True:
            yield Failure("hostNamespaces", f"{field}=true", pod.field_path(field))


def privileged(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    for ref in refs:
        if _context(ref.container).get("privileged") is True:
            path = _ctx_path(ref, "privileged")
            yield Failure("privileged", "privileged=true", path, ref.name)


BASELINE_CAPABILITIES = frozenset(
    {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD"}
    | {"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
)
"""Upstream compares exact strings: ``CAP_CHOWN`` or ``chown`` is not in the list."""


def _capabilities(ref: ContainerRef, field: str) -> list[str]:
    names = _sub(_context(ref.container), "capabilities").get(field)
    return [str(name) for name in names] if isinstance(names, list) else []


def capabilities_baseline(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    for ref in refs:
        extra = [c for c in _capabilities(ref, "add") if c not in BASELINE_CAPABILITIES]
        if extra:
            path = _ctx_path(ref, "capabilities", "add")
            yield Failure(
                "capabilities_baseline", f"non-default capabilities {extra}", path, ref.name
            )


def _host_path(volume: Mapping[str, Any]) -> str:
    where = _sub(volume, "hostPath").get("path")
    return f'hostPath volume "{volume.get("name")}"' + (f" ({where})" if where else "")


def _source_path(volume: Mapping[str, Any], path: Path, source: str) -> Path:
    """The volume source's field; a hostPath's ``path`` (where PS009/PS010 report it)."""
    if source == "hostPath" and "path" in _sub(volume, "hostPath"):
        return (*path, source, "path")
    return (*path, source)


def host_path_volumes(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    for volume, path in pod.volumes():
        if "hostPath" in volume:
            yield Failure(
                "hostPathVolumes", _host_path(volume), _source_path(volume, path, "hostPath")
            )


def host_ports(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    for ref in refs:
        ports = ref.container.get("ports")
        for index, port in enumerate(ports if isinstance(ports, list) else []):
            host_port = port.get("hostPort") if isinstance(port, dict) else None
            if isinstance(host_port, int) and host_port != 0:
                path = (*ref.path, "ports", index, "hostPort")
                yield Failure("hostPorts", f"hostPort {host_port}", path, ref.name)


APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
APPARMOR_TYPES = ("RuntimeDefault", "Localhost")


def app_armor_profile(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    kind = _sub(_context(pod.spec), "appArmorProfile").get("type")
    if kind is not None and kind not in APPARMOR_TYPES:
        path = (*_pod_context_path(pod), "appArmorProfile", "type")
        yield Failure("appArmorProfile", f"AppArmor profile type {kind}", path)
    for ref in refs:
        kind = _sub(_context(ref.container), "appArmorProfile").get("type")
        if kind is not None and kind not in APPARMOR_TYPES:
            path = _ctx_path(ref, "appArmorProfile", "type")
            yield Failure("appArmorProfile", f"AppArmor profile type {kind}", path, ref.name)
    for key, value in pod.annotations.items():
        text = "" if value is None else str(value)
        allowed = not text or text == "runtime/default" or text.startswith("localhost/")
        if str(key).startswith(APPARMOR_ANNOTATION) and not allowed:
            path = (*pod.path, "metadata", "annotations", key)
            yield Failure("appArmorProfile", f'{key}="{text}"', path)


SELINUX_TYPES = {0: frozenset({"", "container_t", "container_init_t", "container_kvm_t"})}
SELINUX_TYPES[31] = SELINUX_TYPES[0] | {"container_engine_t"}


def _selinux(options: Mapping[str, Any], allowed: frozenset[str]) -> list[str]:
    bad = []
    if str(options.get("type") or "") not in allowed:
        bad.append(f"type {options.get('type')}")
    bad += [f"{field} may not be set" for field in ("user", "role") if options.get(field)]
    return bad


def _se_linux_options(minor: int) -> CheckFn:
    allowed = SELINUX_TYPES[31 if minor >= 31 else 0]

    def check(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
        options = _sub(_context(pod.spec), "seLinuxOptions")
        for bad in _selinux(options, allowed):
            path = (*_pod_context_path(pod), "seLinuxOptions")
            yield Failure("seLinuxOptions", f"seLinuxOptions {bad}", path)
        for ref in refs:
            options = _sub(_context(ref.container), "seLinuxOptions")
            for bad in _selinux(options, allowed):
                path = _ctx_path(ref, "seLinuxOptions")
                yield Failure("seLinuxOptions", f"seLinuxOptions {bad}", path, ref.name)

    return check


def _proc_mount(relax_for_user_namespace: bool) -> CheckFn:
    def check(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
        if relax_for_user_namespace and _user_namespace(pod):
            return
        for ref in refs:
            value = _context(ref.container).get("procMount")
            if value is not None and value != "Default":
                path = _ctx_path(ref, "procMount")
                yield Failure("procMount", f"procMount {value}", path, ref.name)

    return check


SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"
SECCOMP_TYPES = ("RuntimeDefault", "Localhost")


def _seccomp_annotation_ok(value: Any) -> bool:
    text = str(value)
    return text in ("runtime/default", "docker/default") or text.startswith("localhost/")


def seccomp_baseline_annotations(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    """Kubernetes 1.0-1.18: the alpha annotations."""
    annotations = pod.annotations
    keys = [SECCOMP_POD_ANNOTATION] + [SECCOMP_CONTAINER_ANNOTATION + ref.name for ref in refs]
    for key in keys:
        if key in annotations and not _seccomp_annotation_ok(annotations[key]):
            path = (*pod.path, "metadata", "annotations", key)
            yield Failure("seccompProfile_baseline", f'{key}="{annotations[key]}"', path)


def _seccomp_type(holder: Mapping[str, Any]) -> Any:
    return _sub(_context(holder), "seccompProfile").get("type")


def seccomp_baseline_fields(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    """Kubernetes 1.19+: the seccompProfile fields (the annotations no longer count)."""
    kind = _seccomp_type(pod.spec)
    if kind is not None and kind not in SECCOMP_TYPES:
        path = (*_pod_context_path(pod), "seccompProfile", "type")
        yield Failure("seccompProfile_baseline", f"seccompProfile.type {kind}", path)
    for ref in refs:
        kind = _seccomp_type(ref.container)
        if kind is not None and kind not in SECCOMP_TYPES:
            path = _ctx_path(ref, "seccompProfile", "type")
            yield Failure("seccompProfile_baseline", f"seccompProfile.type {kind}", path, ref.name)


SAFE_SYSCTLS = {
    0: frozenset(
        {
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_unprivileged_port_start",
        }
    )
}
SAFE_SYSCTLS[27] = SAFE_SYSCTLS[0] | {"net.ipv4.ip_local_reserved_ports"}
SAFE_SYSCTLS[29] = SAFE_SYSCTLS[27] | {
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SAFE_SYSCTLS[32] = SAFE_SYSCTLS[29] | {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}


def _sysctls(allowed: frozenset[str]) -> CheckFn:
    def check(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
        entries = _context(pod.spec).get("sysctls")
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            name = entry.get("name") if isinstance(entry, dict) else None
            if name not in allowed:
                path = (*_pod_context_path(pod), "sysctls", index, "name")
                yield Failure("sysctls", f"forbidden sysctl {name}", path)

    return check


def windows_host_process(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    if _sub(_context(pod.spec), "windowsOptions").get("hostProcess") is True:
        path = (*_pod_context_path(pod), "windowsOptions", "hostProcess")
        yield Failure("windowsHostProcess", "hostProcess=true", path)
    for ref in refs:
        if _sub(_context(ref.container), "windowsOptions").get("hostProcess") is True:
            path = _ctx_path(ref, "windowsOptions", "hostProcess")
            yield Failure("windowsHostProcess", "hostProcess=true", path, ref.name)


def host_probes_and_lifecycle(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    for ref in refs:
        handlers: list[tuple[Path, Any]] = [
            ((probe,), ref.container.get(probe))
            for probe in ("livenessProbe", "readinessProbe", "startupProbe")
        ]
        lifecycle = _sub(ref.container, "lifecycle")
        handlers += [
            (("lifecycle", hook), lifecycle.get(hook)) for hook in ("postStart", "preStop")
        ]
        for where, handler in handlers:
            for action in ("httpGet", "tcpSocket"):
                host = _sub(handler, action).get("host") if isinstance(handler, dict) else None
                if host:
                    path = (*ref.path, *where, action, "host")
                    reason = f'probe or lifecycle host "{host}"'
                    yield Failure("hostProbesAndHostLifecycle", reason, path, ref.name)


# -- restricted ---------------------------------------------------------------------------

RESTRICTED_VOLUME_SOURCES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral"}
    | {"persistentVolumeClaim", "projected", "secret"}
)


def restricted_volumes(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    for volume, path in pod.volumes():
        for source in sorted(set(volume) - {"name"} - RESTRICTED_VOLUME_SOURCES):
            name = volume.get("name")
            reason = (
                _host_path(volume) if source == "hostPath" else f'volume "{name}" uses {source}'
            )
            yield Failure("restrictedVolumes", reason, _source_path(volume, path, source))


def _windows_skipped(check: CheckFn) -> CheckFn:
    """The 1.25+ variant of a Linux-only check: pods for Windows nodes are exempt."""

    def skipped(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
        if not _is_windows(pod):
            yield from check(pod, refs)

    return skipped


def allow_privilege_escalation(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    for ref in refs:
        value = _context(ref.container).get("allowPrivilegeEscalation")
        if value is not False:
            said = "true" if value is True else "unset"
            path = _ctx_path(ref, "allowPrivilegeEscalation")
            reason = f"allowPrivilegeEscalation is {said} (must be false)"
            yield Failure("allowPrivilegeEscalation", reason, path, ref.name)


def _run_as_non_root(relax: bool) -> CheckFn:
    def check(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
        if relax and _user_namespace(pod):
            return
        pod_value = _context(pod.spec).get("runAsNonRoot")
        pod_path = (*_pod_context_path(pod), "runAsNonRoot")
        if pod_value is False:
            yield Failure("runAsNonRoot", "runAsNonRoot=false", pod_path)
        implicit = []
        for ref in refs:
            value = _context(ref.container).get("runAsNonRoot")
            if value is False:
                path = _ctx_path(ref, "runAsNonRoot")
                yield Failure("runAsNonRoot", "runAsNonRoot=false", path, ref.name)
            elif value is None and pod_value is not True:
                implicit.append(ref)
        if implicit and pod_value is None:
            reason = f"runAsNonRoot is not true on the pod or on {_containers(implicit)}"
            container = implicit[0].name if len(implicit) == 1 else None
            yield Failure("runAsNonRoot", reason, pod_path, container)

    return check


def _run_as_user(relax: bool) -> CheckFn:
    def check(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
        if relax and _user_namespace(pod):
            return
        if _context(pod.spec).get("runAsUser") == 0:
            yield Failure("runAsUser", "runAsUser=0", (*_pod_context_path(pod), "runAsUser"))
        for ref in refs:
            if _context(ref.container).get("runAsUser") == 0:
                path = _ctx_path(ref, "runAsUser")
                yield Failure("runAsUser", "runAsUser=0", path, ref.name)

    return check


def seccomp_restricted(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    kind = _seccomp_type(pod.spec)
    pod_path = (*_pod_context_path(pod), "seccompProfile")
    if kind is not None and kind not in SECCOMP_TYPES:
        yield Failure(
            "seccompProfile_restricted", f"seccompProfile.type {kind}", (*pod_path, "type")
        )
    implicit = []
    for ref in refs:
        own = _seccomp_type(ref.container)
        if own is not None and own not in SECCOMP_TYPES:
            path = _ctx_path(ref, "seccompProfile", "type")
            yield Failure("seccompProfile_restricted", f"seccompProfile.type {own}", path, ref.name)
        elif own is None and kind is None:
            implicit.append(ref)
    if implicit:
        reason = (
            "seccompProfile.type is not RuntimeDefault or Localhost on the pod or on "
            + _containers(implicit)
        )
        container = implicit[0].name if len(implicit) == 1 else None
        yield Failure("seccompProfile_restricted", reason, pod_path, container)


def capabilities_restricted(pod: PodTemplate, refs: list[ContainerRef]) -> Iterator[Failure]:
    for ref in refs:
        if "ALL" not in _capabilities(ref, "drop"):
            path = _ctx_path(ref, "capabilities", "drop")
            reason = 'capabilities.drop does not include "ALL"'
            yield Failure("capabilities_restricted", reason, path, ref.name)
        extra = [c for c in _capabilities(ref, "add") if c != "NET_BIND_SERVICE"]
        if extra:
            path = _ctx_path(ref, "capabilities", "add")
            reason = f"capabilities.add {extra} (only NET_BIND_SERVICE is allowed)"
            yield Failure("capabilities_restricted", reason, path, ref.name)


CHECKS: tuple[Check, ...] = (
    Check("hostNamespaces", BASELINE, ((0, host_namespaces),)),
    Check("privileged", BASELINE, ((0, privileged),)),
    Check("capabilities_baseline", BASELINE, ((0, capabilities_baseline),)),
    Check("hostPathVolumes", BASELINE, ((0, host_path_volumes),)),
    Check("hostPorts", BASELINE, ((0, host_ports),)),
    Check("appArmorProfile", BASELINE, ((0, app_armor_profile),)),
    Check("seLinuxOptions", BASELINE, ((0, _se_linux_options(0)), (31, _se_linux_options(31)))),
    Check("procMount", BASELINE, ((0, _proc_mount(False)), (35, _proc_mount(True)))),
    Check(
        "seccompProfile_baseline",
        BASELINE,
        ((0, seccomp_baseline_annotations), (19, seccomp_baseline_fields)),
    ),
    Check(
        "sysctls",
        BASELINE,
        tuple((minor, _sysctls(allowed)) for minor, allowed in sorted(SAFE_SYSCTLS.items())),
    ),
    Check("windowsHostProcess", BASELINE, ((0, windows_host_process),)),
    Check("hostProbesAndHostLifecycle", BASELINE, ((34, host_probes_and_lifecycle),)),
    Check("restrictedVolumes", RESTRICTED, ((0, restricted_volumes),), overrides="hostPathVolumes"),
    Check(
        "allowPrivilegeEscalation",
        RESTRICTED,
        ((8, allow_privilege_escalation), (25, _windows_skipped(allow_privilege_escalation))),
    ),
    Check("runAsNonRoot", RESTRICTED, ((0, _run_as_non_root(False)), (35, _run_as_non_root(True)))),
    Check("runAsUser", RESTRICTED, ((23, _run_as_user(False)), (35, _run_as_user(True)))),
    Check(
        "seccompProfile_restricted",
        RESTRICTED,
        ((19, seccomp_restricted), (25, _windows_skipped(seccomp_restricted))),
        overrides="seccompProfile_baseline",
    ),
    Check(
        "capabilities_restricted",
        RESTRICTED,
        ((22, capabilities_restricted), (25, _windows_skipped(capabilities_restricted))),
        overrides="capabilities_baseline",
    ),
)
"""Every check, baseline first (upstream IDs; restricted includes every baseline check)."""
