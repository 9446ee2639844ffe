"""``[tool.gitops.validate]``: the validator's settings, parsed once into a frozen object.

Keys (all optional): ``kubernetes_version`` (``"1.31"``), ``engine`` (``builtin``,
``kubeconform`` or ``auto``), ``ignore_missing_schemas`` (bool), ``strict`` (bool: unknown
fields are errors; default true), ``crds`` (globs of CRD YAML files, relative to the repo
root) and ``schema_dirs`` (directories of JSON schemas, relative to the repo root).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from gitops.errors import ConfigError
from gitops.validate.choices import ENGINES
from gitops.validate.versions import parse_version

TABLE = "[tool.gitops.validate]"


@dataclass(frozen=True)
class ValidateSettings:
    kubernetes_version: str | None = None
    """Version for files that have no environment; None: the newest installed schemas."""
    engine: str = "builtin"
    ignore_missing_schemas: bool = False
    """Report objects of unknown kinds as warnings instead of errors."""
    strict: bool = True
    """Unknown fields are errors, as with ``kubectl apply``'s server-side field validation."""
    crds: tuple[str, ...] = ()
    """Globs of CRD YAML files whose schemas validate custom resources."""
    schema_dirs: tuple[str, ...] = ()
    """Directories of JSON schemas, laid out as kubeconform's schema locations are."""


def parse_validate_settings(table: Mapping[str, Any]) -> ValidateSettings:
    valid = sorted(f.name for f in fields(ValidateSettings))
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in valid:
            raise ConfigError(
                f"unknown key {key!r} in {TABLE}", fix=f"use one of: {', '.join(valid)}"
            )
        values[key] = _check(key, value)
    return ValidateSettings(**values)


def _check(key: str, value: Any) -> Any:
    where = f"{TABLE} {key}"
    if key == "kubernetes_version":
        if not isinstance(value, str):
            raise ConfigError(f'{where} must be a string such as "1.31", got {value!r}')
        return parse_version(value, where)
    if key == "engine":
        if value not in ENGINES:
            raise ConfigError(f"{where} must be one of {', '.join(ENGINES)}, got {value!r}")
        return value
    if key in ("ignore_missing_schemas", "strict"):
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, got {value!r}")
        return value
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a list of strings, got {value!r}")
    return tuple(value)
