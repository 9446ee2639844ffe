"""Loading of ``apps/``: each ``apps/<module>.py`` defines exactly one AppChart subclass.

Modules whose names start with ``_`` are helpers shared by apps, not apps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gitops.errors import SourceError
from gitops.render.user_code import (
    forget_user_modules,
    load_module,
    relative,
    reported_as_source_error,
    stdout_to_stderr,
)
from gitops.settings import Settings

if TYPE_CHECKING:
    from gitops.constructs.app import AppChart

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
RESERVED_APP_NAMES = frozenset({"cluster", "argocd"})
"""Folder names under ``rendered/`` that are not apps."""


@dataclass(frozen=True)
class AppSource:
    name: str
    chart: type[AppChart]
    path: str


def app_files(settings: Settings) -> list[Path]:
    if not settings.apps_dir.is_dir():
        return []
    return sorted(p for p in settings.apps_dir.glob("*.py") if not p.name.startswith("_"))


def load_apps(settings: Settings) -> dict[str, AppSource]:
    """Every app in ``apps/``, by name, sorted by name."""
    with stdout_to_stderr():
        return _load_apps(settings)


def _load_apps(settings: Settings) -> dict[str, AppSource]:
    from gitops.constructs.app import AppChart

    forget_user_modules(settings.root)
    found: dict[str, AppSource] = {}
    for path in app_files(settings):
        rel = relative(path, settings.root)
        fix = "fix the error in that app module"
        with reported_as_source_error(settings.root, ("apps",), f"loading app {rel}", fix):
            module = load_module(path, settings.root, "apps")
        charts = [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, AppChart)
            and value.__module__ == module.__name__
        ]
        if len(charts) != 1:
            names = ", ".join(sorted(c.__name__ for c in charts)) or "none"
            raise SourceError(
                f"{rel}: an app module must define exactly one AppChart subclass (found {names})",
                fix="keep one app per file; move shared code into apps/_<helpers>.py",
            )
        chart = charts[0]
        name = getattr(chart, "app_name", None)
        if not isinstance(name, str) or not _DNS_LABEL.fullmatch(name):
            raise SourceError(
                f"{rel}: {chart.__name__}.app_name {name!r} is not a DNS label",
                fix='set app_name = "my-app" (lower-case letters, digits, "-")',
            )
        if name in RESERVED_APP_NAMES:
            raise SourceError(
                f"{rel}: app name {name!r} is reserved for rendered/<env>/{name}/",
                fix="choose another app_name",
            )
        if name in found:
            raise SourceError(
                f"{rel}: app name {name!r} is already used by {found[name].path}",
                fix="give each app a unique app_name",
            )
        found[name] = AppSource(name=name, chart=chart, path=rel)
    if not found:
        raise SourceError(
            f"{relative(settings.apps_dir, settings.root)}/ has no app modules",
            fix="add apps/<name>.py with one gitops.constructs.AppChart subclass",
        )
    return dict(sorted(found.items()))
