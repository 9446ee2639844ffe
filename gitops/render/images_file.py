"""Edits of ``envs/<env>.images.yaml`` that keep its comments, order and layout.

The file is data so that commands and bots change images without running Python: one
``app: image`` entry per line, for example::

    # Image each app runs in prod, pinned by digest.
    my-app: ghcr.io/acme/my-app:1.8.3@sha256:93545a37...

Renovate's regex manager can bump it (``matchStrings``:
``["(?<depName>[a-z0-9-]+): (?<currentValue>\\S+)"]``);
``gitops synth --check`` then tells CI that ``rendered/`` must be regenerated. Within gitops,
``gitops set-image`` and ``gitops promote`` write it through this module (ruamel.yaml's
round-trip mode), never with a regular expression.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from gitops.render.compare import Drift
from gitops.render.envs import EnvironmentSource
from gitops.render.sources import Sources, with_images_reloaded
from gitops.settings import Settings


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096  # an image reference is never folded onto a second line
    yaml.preserve_quotes = True
    return yaml


def with_images(text: str, images: dict[str, str]) -> str:
    """``text`` (an images file) with each ``app: image`` of ``images`` set: existing entries
    change in place, new apps are appended; comments, order and other entries are kept."""
    yaml = _yaml()
    data = yaml.load(text) if text.strip() else None
    header = ""
    if data is None:  # empty, or only comments: keep them above the new entries
        header = text.rstrip("\n") + "\n" if text.strip() else ""
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        raise ValueError("must be a mapping of app name to image")
    for app, image in images.items():
        data[app] = image
    out = io.StringIO()
    yaml.dump(data, out)
    return header + out.getvalue()


def write_text_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename (a reader sees the old or the new file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@dataclass(frozen=True)
class ImagesChange:
    """What setting images in one environment changed: ``app -> (old, new)`` and the
    re-render's drift (the rendered files that changed)."""

    env: str
    images_file: str
    changes: Mapping[str, tuple[str | None, str]]
    drift: Drift


def apply_images(
    settings: Settings,
    env: EnvironmentSource,
    images: Mapping[str, str],
    *,
    then: Callable[[ImagesChange], None] | None = None,
    sources: Sources | None = None,
) -> ImagesChange:
    """Write ``images`` into ``env``'s images file and re-render only those apps in that env
    (from ``sources`` when the caller loaded them: only the images file is read again).

    The images file, ``rendered/`` and whatever ``then`` writes change together or not at all:
    on any error (a render error, an interrupted or failing write in ``then``) the images
    file is restored and the apps are rendered again from it.
    """
    from gitops.render.synth import Selection, synth

    environment = env.environment
    path = settings.root / environment.images_file
    old_text = path.read_text(encoding="utf-8") if path.exists() else ""
    changes = {
        app: (environment.images.get(app), image)
        for app, image in images.items()
        if environment.images.get(app) != image
    }
    if not changes:
        return ImagesChange(environment.name, environment.images_file, {}, Drift())
    new_text = with_images(old_text, {app: new for app, (_, new) in changes.items()})
    selection = Selection(envs=(environment.name,), apps=tuple(sorted(changes)))
    write_text_atomically(path, new_text)
    rendered = False
    try:
        if sources is not None:
            sources = with_images_reloaded(sources, settings, environment.name)
        summary = synth(settings, selection, sources=sources)
        rendered = True
        change = ImagesChange(environment.name, environment.images_file, changes, summary.drift)
        if then is not None:
            then(change)
        return change
    except BaseException:
        write_text_atomically(path, old_text)
        if rendered:
            synth(settings, selection)  # from disk: the restored file, whatever failed
        raise
