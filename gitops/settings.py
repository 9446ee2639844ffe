"""Project settings: ``[tool.gitops]`` in the config repo's ``pyproject.toml``, parsed once.

Precedence is defaults < ``[tool.gitops]`` < command-line flags. Unknown keys are errors that
name the key and list the valid ones, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitops.errors import ConfigError

PYPROJECT = "pyproject.toml"
APPS_DIR = "apps"
ENVS_DIR = "envs"
RENDERED_DIR = "rendered"
STATE_DIR = ".gitops"
INDEX_PATH = f"{STATE_DIR}/render-index.json"
JOURNAL_PATH = f"{STATE_DIR}/synth-journal.json"
"""Present only while a synth publishes rendered/ (or after one was interrupted doing so)."""

# Sub-tables owned by other parts of the tool; each validates its own keys.
_SUBTABLES = ("lint", "validate", "monitoring")
ARGOCD_LAYOUTS = ("hub", "per-cluster")
APP_REMOVAL = ("orphan", "prune")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about the config repo it runs in."""

    root: Path
    repo_url: str | None = None
    """Git URL Argo CD pulls ``rendered/`` from. Required to render ``rendered/argocd``."""
    revision: str = "main"
    """Branch, tag or commit Argo CD tracks."""
    argocd_namespace: str = "argocd"
    """Namespace Argo CD runs in; its AppProjects and Applications go there."""
    argocd_layout: str = "hub"
    """``hub``: one Argo CD manages every cluster, bootstrap in ``rendered/argocd/``;
    ``per-cluster``: one Argo CD per cluster, each bootstrapped from
    ``rendered/argocd/<cluster>/`` with only the environments on that cluster."""
    on_app_removal: str = "orphan"
    """What Argo CD does with a removed app's running objects: ``orphan`` leaves them running
    without an owner; ``prune`` deletes them (the Application carries Argo CD's
    ``resources-finalizer``)."""
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Raw ``[tool.gitops.<table>]`` sub-tables, parsed by the part of the tool that owns them."""

    @property
    def apps_dir(self) -> Path:
        return self.root / APPS_DIR

    @property
    def envs_dir(self) -> Path:
        return self.root / ENVS_DIR

    @property
    def rendered_dir(self) -> Path:
        return self.root / RENDERED_DIR

    @property
    def index_path(self) -> Path:
        return self.root / INDEX_PATH

    def require_repo_url(self) -> str:
        if not self.repo_url:
            raise ConfigError(
                f"{self.root / PYPROJECT}: [tool.gitops] has no repo_url; Argo CD needs it "
                "to know which repository to sync rendered/ from",
                fix='add repo_url = "https://git.example.com/org/config.git" under [tool.gitops]',
            )
        return self.repo_url


_KEYS: dict[str, type] = {
    "repo_url": str,
    "revision": str,
    "argocd_namespace": str,
    "argocd_layout": str,
    "on_app_removal": str,
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "argocd_layout": ARGOCD_LAYOUTS,
    "on_app_removal": APP_REMOVAL,
}
_TOML_TYPES: dict[type, str] = {str: 'string in quotes ("...")'}


def find_root(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` holding a pyproject.toml with [tool.gitops],
    or None when there is none (``start`` is not inside a config repo)."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if is_config_repo(candidate):
            return candidate
    return None


def is_config_repo(directory: Path) -> bool:
    """Whether ``directory`` holds a pyproject.toml with a [tool.gitops] table."""
    pyproject = directory / PYPROJECT
    return pyproject.is_file() and "gitops" in _tool_table(pyproject, _read_toml(pyproject))


def no_config_repo(start: Path) -> ConfigError:
    """The one-line usage error of a command that needs a config repo and finds none."""
    return ConfigError(
        f"no config repo at {start}: no pyproject.toml with [tool.gitops] there or in any "
        "parent directory; run 'gitops init' to create one, or pass --root DIR"
    )


def load_settings(root: Path, **overrides: Any) -> Settings:
    """Read ``[tool.gitops]`` under ``root`` and apply command-line ``overrides`` (None = unset)."""
    pyproject = root / PYPROJECT
    table: dict[str, Any] = {}
    if pyproject.is_file():
        table = _table(pyproject, _tool_table(pyproject, _read_toml(pyproject)), "gitops")
    valid = sorted([*_KEYS, *_SUBTABLES])
    values: dict[str, Any] = {}
    tables: dict[str, Mapping[str, Any]] = {}
    for key, value in table.items():
        if key in _SUBTABLES:
            if not isinstance(value, dict):
                raise ConfigError(
                    f"{pyproject}: [tool.gitops] {key} must be a table",
                    fix=f"write it as a [tool.gitops.{key}] section",
                )
            tables[key] = value
        elif key in _KEYS:
            if not isinstance(value, _KEYS[key]):
                raise ConfigError(
                    f"{pyproject}: [tool.gitops] {key} must be a {_KEYS[key].__name__}, "
                    f"got {value!r}",
                    fix=f"write {key} as a TOML {_TOML_TYPES[_KEYS[key]]}",
                )
            if key in _CHOICES and value not in _CHOICES[key]:
                raise ConfigError(
                    f"{pyproject}: [tool.gitops] {key} {value!r} is not one of "
                    f"{', '.join(_CHOICES[key])}",
                    fix=f"set {key} to one of: {', '.join(_CHOICES[key])}",
                )
            values[key] = value
        else:
            raise ConfigError(
                f"{pyproject}: unknown key {key!r} in [tool.gitops]",
                fix=f"use one of: {', '.join(valid)}",
            )
    values.update({k: v for k, v in overrides.items() if v is not None})
    namespace = values.get("argocd_namespace", "argocd")
    if not _DNS_LABEL.fullmatch(namespace):
        raise ConfigError(
            f"{pyproject}: [tool.gitops] argocd_namespace {namespace!r} is not a valid "
            "namespace name (lower-case letters, digits and '-', at most 63 characters)",
            fix='set argocd_namespace = "argocd" (the namespace Argo CD runs in)',
        )
    return Settings(root=root, tables=tables, **values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: is not UTF-8 text (byte {exc.start}: {exc.reason})",
            fix="save the file as UTF-8 without a byte-order mark, as TOML requires",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}", fix="fix the TOML syntax") from None
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot be read: {exc.strerror or exc}",
            fix="make the file readable, or pass --root with the config repo's directory",
        ) from None


def _tool_table(path: Path, document: Mapping[str, Any]) -> Mapping[str, Any]:
    return _table(path, document, "tool")


def _table(path: Path, parent: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``parent[key]`` as a table (empty when absent); any other value is an error."""
    value = parent.get(key, {})
    if not isinstance(value, dict):
        name = "tool" if key == "tool" else f"tool.{key}"
        raise ConfigError(
            f"{path}: {name} must be a table, got {type(value).__name__} {value!r}",
            fix=f"write it as a [{name}] section (see README.md, Set up)",
        )
    return value
