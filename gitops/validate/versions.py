"""Which Kubernetes version each file is validated against.

The schemas come from the ``kubernetes-validate`` package, one directory per minor version.
Precedence, highest first: ``--kubernetes-version``; the version of the environment a file was
rendered for (``.gitops/render-index.json``: the file's ``env``, or its ``rendered/<env>/``
folder); ``[tool.gitops.validate] kubernetes_version``; the newest version the installed
``kubernetes-validate`` ships (what kubeconform's ``master`` default is to its schemas).
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from gitops.errors import ConfigError
from gitops.k8s.render_index import RenderIndex
from gitops.settings import INDEX_PATH, RENDERED_DIR

_DIR = re.compile(r"^v1\.(\d+)\.0-local$")
_VERSION = re.compile(r"^v?1\.(\d+)(?:\.\d+)?$")


@cache
def schema_root() -> Path:
    """The installed schemas; found without importing kubernetes_validate (which imports
    jsonschema and more that the validator does not use)."""
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "the kubernetes-validate package is not installed", fix="pip install gitops"
        )
    return Path(spec.submodule_search_locations[0]) / "kubernetes-json-schema"


@cache
def supported_versions() -> tuple[str, ...]:
    """``("1.25", ..., "1.37")``: the minor versions whose schemas are installed."""
    minors = sorted(
        int(m[1]) for m in map(_DIR.match, (p.name for p in schema_root().iterdir())) if m
    )
    return tuple(f"1.{minor}" for minor in minors)


def default_version() -> str:
    return supported_versions()[-1]


def parse_version(text: str, where: str) -> str:
    """``"1.31"``, ``"v1.31"`` or ``"1.31.4"`` -> ``"1.31"``; anything else, or a version
    without installed schemas, is a ConfigError naming ``where`` it came from."""
    supported = supported_versions()
    span = f"{supported[0]} to {supported[-1]}"
    match = _VERSION.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ConfigError(
            f"{where}: {text!r} is not a Kubernetes version; use major.minor, e.g. {supported[-1]}"
        )
    version = f"1.{int(match[1])}"
    if version not in supported:
        raise ConfigError(
            f"{where}: Kubernetes {version} has no schemas in the installed kubernetes-validate "
            f"(it ships {span})",
            fix=f"validate against a version from {span}, or upgrade kubernetes-validate",
        )
    return version


class VersionResolver:
    """The Kubernetes version for each input file (see the module docstring for precedence)."""

    def __init__(
        self,
        root: Path,
        *,
        explicit: str | None,
        configured: str | None,
        index: RenderIndex | None,
    ) -> None:
        self._root = root.resolve()
        self._explicit = explicit
        self._fallback = configured or default_version()
        self._files: Mapping[str, Mapping[str, Any]] = index.files if index else {}
        self._envs: dict[str, str] = {}
        if index is not None and explicit is None:
            for env, facts in sorted(index.environments.items()):
                raw = facts.get("kubernetesVersion") if isinstance(facts, dict) else None
                if isinstance(raw, str):
                    self._envs[env] = parse_version(raw, f"{INDEX_PATH}: environment {env!r}")

    def version_for(self, path: str) -> str:
        if self._explicit is not None:
            return self._explicit
        env = self.env_for(path)
        return self._envs.get(env, self._fallback) if env else self._fallback

    def env_for(self, path: str) -> str | None:
        rel = self._relative(path)
        if rel is None:
            return None
        entry = self._files.get(rel)
        if isinstance(entry, dict) and "env" in entry:
            env = entry["env"]
            return env if isinstance(env, str) else None
        parts = rel.split("/")
        if len(parts) > 2 and parts[0] == RENDERED_DIR and parts[1] in self._envs:
            return parts[1]
        return None

    def _relative(self, path: str) -> str | None:
        if path == "-":
            return None
        rel = os.path.relpath(os.path.abspath(path), self._root)
        return None if rel.startswith("..") else rel.replace(os.sep, "/")
