"""Rendered files (path -> bytes, from git or disk) -> the objects the diff compares.

A file's environment and app come from the render index of the same revision
(``files[path].env/app``), else from its place (``rendered/<env>/<app>/...``). A document
that cannot be read is an error naming the file and line: the diff never drops an object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from gitops.errors import ConfigError
from gitops.k8s.manifests import YAML_SUFFIXES, LoadProblem, Manifest, load_text
from gitops.review.diff import NO_APP, Obj, redact

RENDERED = "rendered"
INDEX = ".gitops/render-index.json"
_NOT_APPS = {"cluster"}


def index_files(raw: bytes | None, where: str) -> Mapping[str, Mapping[str, Any]]:
    """The ``files`` table of a render index (empty without one)."""
    if raw is None:
        return {}
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{INDEX} at {where}: not valid JSON ({exc})") from None
    files = document.get("files") if isinstance(document, dict) else None
    return files if isinstance(files, dict) else {}


def is_rendered_file(path: str) -> bool:
    return path.startswith(RENDERED + "/") and path.endswith(YAML_SUFFIXES)


def objects(
    files: Mapping[str, bytes], index: Mapping[str, Mapping[str, Any]], where: str
) -> list[Obj]:
    """Every object of ``files`` (rendered files at revision ``where``)."""
    found: list[Obj] = []
    for path in sorted(files):
        manifests: list[Manifest] = []
        problems: list[LoadProblem] = []
        load_text(files[path], path, manifests, problems)
        if problems:
            p = problems[0]
            raise ConfigError(
                f"{p.path}:{p.line}:{p.column} at {where}: {p.message}; the diff cannot compare "
                "an object it cannot read",
                fix="run gitops synth (rendered/ is generated) or fix the file",
            )
        env, app = place(path, index.get(path))
        for m in manifests:
            found.append(
                Obj(
                    env=env,
                    app=app,
                    group=m.group,
                    kind=m.kind,
                    namespace=m.namespace,
                    name=m.name,
                    path=path,
                    body=redact(m.group, m.kind, m.name, m.body),
                )
            )
    return found


def place(path: str, entry: Mapping[str, Any] | None) -> tuple[str, str]:
    """(environment, app) of a rendered file."""
    parts = path.split("/")
    env = str(entry["env"]) if entry and entry.get("env") else parts[1]
    if entry is not None:
        app = str(entry["app"]) if entry.get("app") else NO_APP
    elif len(parts) > 3 and parts[2] not in _NOT_APPS:
        app = parts[2]
    else:
        app = NO_APP
    return env, app
