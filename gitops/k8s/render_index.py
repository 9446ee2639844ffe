"""``.gitops/render-index.json``: which source, env, app and construct produced each file.

It lives outside ``rendered/`` because Argo CD would parse a ``.json`` file there as a
manifest. The linter reads it to point findings at the app module instead of generated YAML, and
for each environment's default Pod Security labels (``podSecurity``); the validator reads
each environment's Kubernetes version from it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitops.errors import RenderError

INDEX_VERSION = 1
ARGOCD_DIR = "argocd"
"""``rendered/argocd/``: the Argo CD bootstrap (gitops.constructs.argocd)."""
BOOTSTRAP = "gitops-bootstrap"
"""Name of the root Application (and its AppProject) of each Argo CD instance."""


def argocd_instance(rel: str, files: Mapping[str, Any]) -> str | None:
    """The folder of the Argo CD instance a ``rendered/argocd/...`` file belongs to:
    ``rendered/argocd`` (hub layout), or ``rendered/argocd/<cluster>`` when the index holds
    that folder's own root Application (per-cluster layout); None for other files."""
    parts = rel.split("/")
    if len(parts) < 3 or parts[1] != ARGOCD_DIR:
        return None
    if len(parts) > 3:
        instance = "/".join(parts[:3])
        if f"{instance}/application.{BOOTSTRAP}.yaml" in files:
            return instance
    return "/".join(parts[:2])


@dataclass(frozen=True)
class RenderIndex:
    files: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    environments: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def dumps(self) -> bytes:
        """JSON with one line per file: a change to one file is a one-line diff, and the C
        encoder writes 3,000 entries in milliseconds (indented output is pure Python)."""

        def line(key: str, value: Any) -> str:
            return f"    {_compact(key)}: {_compact(value)}"

        def section(entries: Mapping[str, Any]) -> str:
            if not entries:
                return "{}"
            return "{\n" + ",\n".join(line(k, v) for k, v in sorted(entries.items())) + "\n  }"

        text = (
            "{\n"
            f'  "environments": {section(self.environments)},\n'
            f'  "files": {section(self.files)},\n'
            '  "generator": "gitops synth",\n'
            f'  "version": {INDEX_VERSION}\n'
            "}\n"
        )
        return text.encode()


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
"""One encoder for every entry: ``json.dumps`` with options builds a new one per call, a third
of the time of writing 4,000 entries."""


def _compact(value: Any) -> str:
    return _ENCODER.encode(value)


_LAST_READ: dict[str, tuple[bytes, RenderIndex]] = {}
"""The last index parsed, by path, with its bytes: one command reads the index up to four
times (synth, check, validate, lint), and parsing and checking 4,000 entries took ~40 ms each
time. Comparing the bytes (~0.1 ms) keeps it exact. Readers never modify a RenderIndex."""


def read_index(path: Path, display: str) -> RenderIndex | None:
    """The index at ``path``, or None when there is none; a malformed index is an error."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    last = _LAST_READ.get(str(path))
    if last is not None and last[0] == raw:
        return last[1]
    index = _parse_index(raw, display)
    _LAST_READ.clear()
    _LAST_READ[str(path)] = (raw, index)
    return index


def _parse_index(raw: bytes, display: str) -> RenderIndex:
    fix = "delete it and run gitops synth to regenerate it"
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RenderError(f"{display}: not valid JSON ({exc})", fix=fix) from None
    if not isinstance(document, dict) or document.get("version") != INDEX_VERSION:
        raise RenderError(
            f"{display}: expected a render index with version {INDEX_VERSION}", fix=fix
        )
    files = document.get("files")
    environments = document.get("environments", {})
    if not isinstance(files, dict) or not isinstance(environments, dict):
        raise RenderError(f"{display}: 'files' and 'environments' must be objects", fix=fix)
    for section, entries in (("files", files), ("environments", environments)):
        for key, entry in entries.items():
            problem = _entry_problem(entry, section)
            if problem:
                raise RenderError(f"{display}: {section} entry {key!r} {problem}", fix=fix)
    return RenderIndex(files=files, environments=environments)


POD_SECURITY_LABEL = "pod-security.kubernetes.io/"
POD_SECURITY_KEYS = ("enforce", "audit", "warn", "version")
"""``podSecurity`` of an environment entry: the level of each mode its namespaces get, and
the policy version (``v1.N``) all three are pinned to."""


def pod_security_defaults(labels: Mapping[str, str]) -> dict[str, str]:
    """An environment's namespace labels (``pod-security.kubernetes.io/<mode>[-version]``) as
    the index records them: ``{"enforce": level, "audit": ..., "warn": ..., "version": v1.N}``
    (one version: the environment pins every mode to its Kubernetes version)."""
    found = {mode: labels.get(POD_SECURITY_LABEL + mode, "") for mode in POD_SECURITY_KEYS[:3]}
    found["version"] = labels.get(f"{POD_SECURITY_LABEL}enforce-version", "latest")
    return found


def environment_pod_security(entry: Mapping[str, Any] | None) -> dict[str, str] | None:
    """The ``podSecurity`` of an environment's index entry (checked on reading), or None."""
    found = entry.get("podSecurity") if entry else None
    return dict(found) if isinstance(found, dict) else None


_TEXT_FIELDS = {
    "files": ("env", "app", "source", "construct", "apiVersion", "kind", "namespace", "name"),
    "environments": ("cluster", "kubernetesVersion", "source"),
}
"""Fields readers use as strings: each must be a string or null when present."""


def _entry_problem(entry: Any, section: str) -> str | None:
    """What makes an index entry unusable (a hand edit): not an object, or a text field that
    is not text."""
    if not isinstance(entry, dict):
        return f"is {type(entry).__name__} {entry!r}, not an object"
    for field_name in _TEXT_FIELDS[section]:
        value = entry.get(field_name)
        if value is not None and not isinstance(value, str):
            return f"has {field_name} = {value!r}, not a string"
    pod_security = entry.get("podSecurity") if section == "environments" else None
    if pod_security is not None and (
        not isinstance(pod_security, dict)
        or set(pod_security) - set(POD_SECURITY_KEYS)
        or not all(isinstance(v, str) for v in pod_security.values())
    ):
        return (
            f"has podSecurity = {pod_security!r}, not an object of "
            f"{', '.join(POD_SECURITY_KEYS)} strings"
        )
    return None
