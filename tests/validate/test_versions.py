"""Which Kubernetes version each file is validated against, and the settings that decide it."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.errors import ConfigError
from gitops.k8s.render_index import RenderIndex
from gitops.validate.config import ValidateSettings, parse_validate_settings
from gitops.validate.versions import (
    VersionResolver,
    default_version,
    parse_version,
    supported_versions,
)

INDEX = RenderIndex(
    files={
        "rendered/prod/web/deployment.web.yaml": {"env": "prod"},
        "rendered/argocd/application.dev.yaml": {"env": "dev"},
        "rendered/argocd/application.root.yaml": {"env": None},
    },
    environments={"prod": {"kubernetesVersion": "1.29"}, "dev": {"kubernetesVersion": "1.32"}},
)


def test_supported_versions_are_what_kubernetes_validate_ships() -> None:
    versions = supported_versions()
    assert versions[0] == "1.25" and "1.31" in versions
    assert default_version() == versions[-1]


@pytest.mark.parametrize(
    ("text", "expected"), [("1.31", "1.31"), ("v1.30", "1.30"), ("1.29.4", "1.29")]
)
def test_versions_parse(text: str, expected: str) -> None:
    assert parse_version(text, "here") == expected


@pytest.mark.parametrize("text", ["1.24", "1.99", "2.0", "latest", ""])
def test_unsupported_versions_are_clear_errors(text: str) -> None:
    with pytest.raises(ConfigError, match="here"):
        parse_version(text, "here")


def test_precedence_flag_then_env_then_config_then_default(tmp_path: Path) -> None:
    def version(path: str, **kwargs: object) -> str:
        args = {"explicit": None, "configured": None, "index": INDEX} | kwargs
        return VersionResolver(tmp_path, **args).version_for(str(tmp_path / path))  # type: ignore[arg-type]

    assert version("rendered/prod/web/deployment.web.yaml", explicit="1.27") == "1.27"
    assert version("rendered/prod/web/deployment.web.yaml") == "1.29"  # files[path].env
    assert version("rendered/prod/web/other.yaml") == "1.29"  # rendered/<env>/ prefix
    assert version("rendered/argocd/application.dev.yaml") == "1.32"
    assert version("rendered/argocd/application.root.yaml", configured="1.30") == "1.30"
    assert version("elsewhere/x.yaml", configured="1.30") == "1.30"
    assert version("elsewhere/x.yaml") == default_version()


def test_an_unsupported_environment_version_is_an_error(tmp_path: Path) -> None:
    index = RenderIndex(files={}, environments={"old": {"kubernetesVersion": "1.20"}})
    with pytest.raises(ConfigError, match="environment 'old'"):
        VersionResolver(tmp_path, explicit=None, configured=None, index=index)


def test_settings_parse_and_reject_unknown_keys() -> None:
    settings = parse_validate_settings(
        {"kubernetes_version": "1.30", "engine": "auto", "crds": ["crds/*.yaml"], "strict": False}
    )
    assert settings == ValidateSettings(
        kubernetes_version="1.30", engine="auto", crds=("crds/*.yaml",), strict=False
    )
    with pytest.raises(ConfigError) as error:
        parse_validate_settings({"kubernetes-version": "1.30"})
    assert "kubernetes_version" in (error.value.fix or "")
    for bad in (
        {"engine": "fast"},
        {"strict": "yes"},
        {"crds": "x.yaml"},
        {"kubernetes_version": 1.3},
    ):
        with pytest.raises(ConfigError):
            parse_validate_settings(bad)
