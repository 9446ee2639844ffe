"""``envs/`` and ``apps/`` loaded once, for a command that renders or checks several times in
one process (``gitops promote``: the gate's drift check of the source environment, then the
re-render of the target). Loading runs every app module (100 modules: ~0.3 s); a command that
loads once and passes :class:`Sources` down runs each module once.

Only an environment's images file changes during such a command (``set-image``, ``promote``
write it), so :func:`with_images_reloaded` re-reads that file, not the env modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from gitops.render.apps import AppSource, load_apps
from gitops.render.envs import EnvironmentSource, load_environments, reload_images
from gitops.settings import Settings


@dataclass(frozen=True)
class Sources:
    """Every environment and app of the repo, by name (sorted), as loaded from disk."""

    envs: Mapping[str, EnvironmentSource]
    apps: Mapping[str, AppSource]


def load_sources(settings: Settings) -> Sources:
    return Sources(envs=load_environments(settings), apps=load_apps(settings))


def with_images_reloaded(sources: Sources, settings: Settings, env: str) -> Sources:
    """``sources`` with environment ``env``'s images read again from its images file."""
    envs = dict(sources.envs)
    envs[env] = reload_images(envs[env], settings.root)
    return replace(sources, envs=envs)
