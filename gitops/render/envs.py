"""Loading of ``envs/``: each ``envs/<env>.py`` and its ``<env>.images.yaml`` into an
:class:`~gitops.constructs.environment.Environment`. The model lives beside the constructs that
read it (constructs may not import the render stage); this module does not import cdk8s.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from gitops.constructs.environment import _DNS_LABEL, IMAGES_SUFFIX, Environment, EnvValueError
from gitops.errors import SourceError
from gitops.k8s.image_ref import pinning_problem
from gitops.render.monitoring import check_env_names, monitoring_for
from gitops.render.user_code import (
    forget_user_modules,
    load_module,
    relative,
    reported_as_source_error,
    stdout_to_stderr,
)
from gitops.settings import Settings

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class EnvironmentSource:
    """A loaded ``envs/<env>.py``: its Environment and optional overlay code."""

    environment: Environment
    path: str
    customize: Callable[[Any], None] | None = None
    image_lines: Mapping[str, int] = field(default_factory=dict)
    """Line of each app's entry in the images file, for messages."""
    source_lines: Mapping[str, int] = field(default_factory=dict)
    """Line of each ``Environment(...)`` keyword (``"cluster"``, ``"namespace"``), of each
    overlay (``"apps.my-app"``) and overlay value (``"apps.my-app.replicas"``), for messages."""

    def where(self, *keys: str) -> str:
        """``envs/<env>.py:<line>`` of the first of ``keys`` found (else the file's line 1)."""
        for key in keys:
            if key in self.source_lines:
                return f"{self.path}:{self.source_lines[key]}"
        return f"{self.path}:1"


def environment_files(settings: Settings) -> list[Path]:
    if not settings.envs_dir.is_dir():
        return []
    return sorted(p for p in settings.envs_dir.glob("*.py") if not p.name.startswith("_"))


def load_environments(settings: Settings) -> dict[str, EnvironmentSource]:
    """Every environment in ``envs/``, by name, sorted."""
    with stdout_to_stderr():
        return _load_environments(settings)


def _load_environments(settings: Settings) -> dict[str, EnvironmentSource]:
    forget_user_modules(settings.root)
    monitoring = settings.tables.get("monitoring", {})
    found: dict[str, EnvironmentSource] = {}
    for path in environment_files(settings):
        source = _load_environment(path, settings.root)
        env = replace(source.environment, monitoring=monitoring_for(monitoring, path.stem))
        found[env.name] = replace(source, environment=env)
    check_env_names(monitoring, set(found))
    if not found:
        raise SourceError(
            f"{relative(settings.envs_dir, settings.root)}/ has no environment modules",
            fix="add envs/<name>.py defining ENVIRONMENT = Environment(name=..., cluster=..., "
            "kubernetes_version=...)",
        )
    for source in found.values():
        upstream = source.environment.upstream
        if upstream is not None and upstream not in found:
            raise SourceError(
                f"{source.path}: upstream {upstream!r} is not an environment",
                fix=f"use one of: {', '.join(sorted(found))}",
            )
    return found


def _load_environment(path: Path, root: Path) -> EnvironmentSource:
    rel = relative(path, root)
    fix = "correct the value in that file"
    with reported_as_source_error(root, ("envs",), f"loading environment {rel}", fix):
        try:
            module = load_module(path, root, "envs")
        except EnvValueError as exc:
            lines = environment_lines(path.read_text(encoding="utf-8"))
            key = _field_of(str(exc))
            line = lines.get(key) or lines.get(key.rsplit(".", 1)[0]) or lines.get("ENVIRONMENT")
            if line is None:
                raise
            raise SourceError(f"{rel}:{line}: {exc}", fix=fix) from None
    env = getattr(module, "ENVIRONMENT", None)
    if not isinstance(env, Environment):
        raise SourceError(
            f"{rel}: defines no ENVIRONMENT = Environment(...)",
            fix="assign a gitops.envs.Environment to a module-level name ENVIRONMENT",
        )
    if env.name != path.stem:
        raise SourceError(
            f"{rel}: ENVIRONMENT.name is {env.name!r} but the file is named {path.name!r}",
            fix=f"rename the file to envs/{env.name}.py or set name={path.stem!r}",
        )
    if env.images:
        raise SourceError(
            f"{rel}: ENVIRONMENT sets images in Python",
            fix=f"move them to envs/{env.name}{IMAGES_SUFFIX}, where commands can update them",
        )
    customize = getattr(module, "customize", None)
    if customize is not None and not callable(customize):
        raise SourceError(
            f"{rel}: customize must be a function taking the app chart",
            fix="define def customize(app): ... or remove the name customize",
        )
    source = EnvironmentSource(
        environment=env,
        path=rel,
        customize=customize,
        source_lines=environment_lines(path.read_text(encoding="utf-8")),
    )
    return _with_images(source, path, root)


def _with_images(source: EnvironmentSource, path: Path, root: Path) -> EnvironmentSource:
    """``source`` with the images of ``envs/<env>.images.yaml`` beside ``path``."""
    images_path = path.with_name(f"{path.stem}{IMAGES_SUFFIX}")
    images, lines = load_images(images_path, root) if images_path.exists() else ({}, {})
    env = replace(source.environment, images=images, images_file=relative(images_path, root))
    if env.require_digests:
        _require_digests(env, lines)
    return replace(source, environment=env, image_lines=lines)


def reload_images(source: EnvironmentSource, root: Path) -> EnvironmentSource:
    """``source`` with its images file read again (after a command wrote it), without
    running the env module again."""
    return _with_images(source, root / source.path, root)


def environment_lines(text: str) -> dict[str, int]:
    """Lines of the keywords of the ``Environment(...)`` call in an env module, and of its
    ``apps={"name": AppOverlay(...)}`` entries and their keywords."""
    lines: dict[str, int] = {}
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call) or _called(node) != "Environment":
            continue
        lines.setdefault("ENVIRONMENT", node.lineno)
        for keyword in node.keywords:
            if keyword.arg is None:
                continue
            lines.setdefault(keyword.arg, keyword.value.lineno)
            if keyword.arg == "apps" and isinstance(keyword.value, ast.Dict):
                for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        lines[f"apps.{key.value}"] = key.lineno
                        for inner in value.keywords if isinstance(value, ast.Call) else []:
                            if inner.arg:
                                lines[f"apps.{key.value}.{inner.arg}"] = inner.value.lineno
    return lines


_FIELD = re.compile(r"^(?:apps\['([^']+)'\]\.?(\w*)|namespace rule|(\w+))")


def _field_of(message: str) -> str:
    """The Environment field an EnvValueError message starts with (its messages name the
    field first: ``kubernetes_version '1.99' ...``, ``apps['x'].replicas ...``)."""
    match = _FIELD.match(message)
    if match is None:
        return ""
    if match.group(1):
        return f"apps.{match.group(1)}" + (f".{match.group(2)}" if match.group(2) else "")
    return match.group(3) or "namespace"


def _called(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def load_images(path: Path, root: Path) -> tuple[dict[str, str], dict[str, int]]:
    """Read ``app: image`` lines (and their line numbers), rejecting duplicates and unpinned
    or malformed references."""
    rel = relative(path, root)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=_Loader)
    except UnicodeDecodeError:
        raise SourceError(f"{rel}: is not UTF-8 text", fix="save the file as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{rel}:{mark.line + 1}" if mark else rel
        raise SourceError(
            f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}",
            fix="write one 'app-name: registry/repository:tag' per line",
        ) from None
    if node is None:
        return {}, {}
    if not isinstance(node, yaml.MappingNode):
        raise SourceError(
            f"{rel}:{node.start_mark.line + 1}: must be a mapping of app name to image",
            fix="write one 'app-name: registry/repository:tag' per line",
        )
    images: dict[str, str] = {}
    lines: dict[str, int] = {}
    for key, value in node.value:
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode) or not isinstance(value, yaml.ScalarNode):
            raise SourceError(
                f"{rel}:{line}: each entry must be 'app-name: image'",
                fix="write one 'app-name: registry/repository:tag' per line",
            )
        app, image = key.value, value.value
        if app in images:
            raise SourceError(
                f"{rel}:{line}: app {app!r} is listed twice (first on line {lines[app]})",
                fix="keep one line per app",
            )
        if not _DNS_LABEL.fullmatch(app):
            raise SourceError(
                f"{rel}:{line}: {app!r} is not a valid app name",
                fix="use the app_name of an app in apps/ (lower-case letters, digits, '-')",
            )
        problem = pinning_problem(image)
        if problem:
            raise SourceError(
                f"{rel}:{line}: image {image!r} for {app!r} {problem}",
                fix="pin a release tag (registry/repository:1.4.2) or a digest (@sha256:...)",
            )
        images[app], lines[app] = image, line
    return images, lines


def _require_digests(env: Environment, lines: Mapping[str, int]) -> None:
    for app, image in env.images.items():
        if "@" not in image:
            raise SourceError(
                f"{env.images_file}:{lines.get(app, 1)}: image {image!r} for {app!r} has no "
                f"digest, and environment {env.name!r} sets require_digests=True",
                fix=f"pin it: gitops set-image {app} {image}@sha256:<digest> --env {env.name} "
                "(or promote a digest-pinned image from its upstream environment)",
            )
