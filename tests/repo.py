"""Temporary config repos for tests: a pyproject.toml with [tool.gitops], files, settings."""

from __future__ import annotations

import textwrap
from pathlib import Path

from gitops.lint.rules import REGISTRY, images, suppression
from gitops.rules import input
from gitops.rules.registry import Registry
from gitops.settings import Settings, load_settings

ENGINE_REGISTRY = Registry.collect(input.RULES, images.RULES, suppression.RULES)
"""The rules engine tests run: fixed, so the engine is tested apart from the rule catalog,
which keeps growing (rule families are tested by their case files)."""


def focus(*families: str) -> str:
    """A ``disable = [...]`` line for [tool.gitops.lint] turning off every family but these
    (and input problems), for end-to-end tests through the real CLI."""
    others = sorted(set(REGISTRY.families) - {"input", *families})
    return "disable = [" + ", ".join(f'"{f}"' for f in others) + "]\n"


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
{annotations}spec:
  template:
    metadata:
      labels: {{app: {name}}}
{template_annotations}    spec:
      containers:
      - name: {name}
        image: {image}
"""


def deployment(
    name: str = "web",
    image: str = "ghcr.io/acme/web:1.4.2",
    annotations: dict[str, str] | None = None,
    template_annotations: dict[str, str] | None = None,
) -> str:
    def block(values: dict[str, str] | None, indent: str) -> str:
        if not values:
            return ""
        lines = [f"{indent}annotations:"]
        lines += [f'{indent}  {key}: "{value}"' for key, value in values.items()]
        return "\n".join(lines) + "\n"

    return DEPLOYMENT.format(
        name=name,
        image=image,
        annotations=block(annotations, "  "),
        template_annotations=block(template_annotations, "      "),
    )


def write_repo(root: Path, files: dict[str, str | bytes], lint_toml: str = "") -> Settings:
    """Write ``files`` under ``root`` plus a pyproject.toml whose [tool.gitops.lint] part is
    ``lint_toml`` (TOML text, dedented); return the settings gitops loads from it."""
    pyproject = '[tool.gitops]\nrepo_url = "https://git.example.com/acme/config.git"\n'
    pyproject += textwrap.dedent(lint_toml)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return load_settings(root)
