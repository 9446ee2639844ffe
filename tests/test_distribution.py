"""The published distribution: a name free on PyPI (``gitops`` is an unrelated project's),
installing the ``gitops`` import package and the ``gitops`` command."""

from __future__ import annotations

import tomllib
from importlib import metadata

from tests.conftest import ROOT

DISTRIBUTION = "gitops-rendered"


def test_pyproject_names_the_distribution() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == DISTRIBUTION


def test_the_installed_distribution_provides_import_gitops_and_the_gitops_command() -> None:
    dist = metadata.distribution(DISTRIBUTION)
    scripts = {e.name: e.value for e in dist.entry_points if e.group == "console_scripts"}
    assert scripts == {"gitops": "gitops.cli:main"}
    import gitops

    assert dist.version == gitops.__version__


def test_readme_and_hook_docs_install_the_distribution_by_its_name() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"pip install {DISTRIBUTION}" in readme
    assert "pip install gitops " not in readme and "pip install gitops\n" not in readme
