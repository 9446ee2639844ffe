"""Promotion data: the images an environment's rendered files run, the append-only record of
promotions (``.gitops/promotions.jsonl``, committed), and the few git facts a record holds.

A record is one JSON object per line (sorted keys), so the file only ever grows by whole lines
and ``git log -p`` of it reads as an audit trail::

    {"app": "my-app", "at": "2026-12-01T12:00:00Z", "by": "Ada <ada@example.com>",
     "from": "staging", "gates": {...}, "image": "...", "previous": "...", "reason": null,
     "sourceCommit": "3f2c...", "to": "prod"}
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gitops.errors import RenderError, SourceError
from gitops.k8s.manifests import load
from gitops.k8s.pods import containers

RECORD_PATH = ".gitops/promotions.jsonl"


@dataclass(frozen=True)
class RunningImages:
    """Every image reference the rendered files of one app in one env run (containers and
    init containers), and the files that hold them."""

    images: tuple[str, ...]
    files: tuple[str, ...]


def running_images(rendered_env: Path, app: str) -> RunningImages:
    folder = rendered_env / app
    if not folder.is_dir():
        return RunningImages((), ())
    loaded = load([str(folder)])
    found: set[str] = set()
    files: set[str] = set()
    for manifest in loaded.manifests:
        for ref in containers(manifest, init=True):
            image = ref.container.get("image")
            if isinstance(image, str):
                found.add(image)
                files.add(manifest.path)
    return RunningImages(tuple(sorted(found)), tuple(sorted(files)))


def read_records(root: Path) -> list[dict[str, Any]]:
    path = root / RECORD_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(
                f"{RECORD_PATH}:{number}: not a JSON promotion record ({exc.msg})",
                fix="restore the line from git (git checkout -- .gitops/promotions.jsonl); "
                "the file is append-only",
            ) from None
        if not isinstance(record, dict):
            raise SourceError(
                f"{RECORD_PATH}:{number}: a record must be a JSON object",
                fix="restore the line from git (git checkout -- .gitops/promotions.jsonl); "
                "the file is append-only",
            )
        records.append(record)
    return records


def append_records(root: Path, records: Iterable[Mapping[str, Any]]) -> None:
    """Append whole lines and flush them to disk; on a failed write, cut the file back, so a
    reader never sees half a record."""
    text = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in records)
    path = root / RECORD_PATH
    size = path.stat().st_size if path.exists() else None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        if size is None:
            path.unlink(missing_ok=True)
        elif path.exists():
            os.truncate(path, size)
        raise RenderError(
            f"cannot append to {RECORD_PATH}: {exc.strerror or exc}",
            fix="free disk space or fix the file's permissions, then promote again "
            "(nothing was changed)",
        ) from None


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
