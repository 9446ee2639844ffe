"""What shapes the report of a ``gitops check``, in one object: the CLI builds it, the check
cache keys its records on it, and the check reads it. Kept light: a check cache hit imports
this and not the check."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckOptions:
    paths: tuple[str, ...] = ()
    """Narrow the run to the apps these paths belong to (empty: the whole repo)."""
    output_format: str = "text"
    fail_on: str | None = None
    preset: str | None = None
    kubernetes_version: str | None = None
    engine: str | None = None
    ignore_missing_schemas: bool = False
    color: bool = False
