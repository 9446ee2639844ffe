"""``[tool.gitops.monitoring]``: per-env Prometheus labels and URLs reach the Environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.constructs.environment import Monitoring
from gitops.errors import ConfigError
from gitops.render.envs import load_environments
from gitops.settings import load_settings
from tests.repo import write_repo

ENV = """\
from gitops.envs import Environment

ENVIRONMENT = Environment(name="{name}", cluster="c-{name}", kubernetes_version="1.31")
"""


def repo(tmp_path: Path, toml: str) -> Path:
    write_repo(
        tmp_path,
        {"envs/dev.py": ENV.format(name="dev"), "envs/prod.py": ENV.format(name="prod")},
        toml,
    )
    return tmp_path


def test_shared_values_and_per_env_override(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        """
        [tool.gitops.monitoring]
        labels = { release = "kube-prometheus-stack" }
        runbook_base = "https://runbooks.example.com"

        [tool.gitops.monitoring.env.dev]
        labels = { release = "prometheus-dev", team = "platform" }
        """,
    )
    envs = load_environments(load_settings(root))
    assert envs["prod"].environment.monitoring == Monitoring(
        labels={"release": "kube-prometheus-stack"}, runbook_base="https://runbooks.example.com"
    )
    assert envs["dev"].environment.monitoring == Monitoring(
        labels={"release": "prometheus-dev", "team": "platform"},
        runbook_base="https://runbooks.example.com",
    )


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[tool.gitops.monitoring]\nlabel = {}\n",
            "unknown key 'label' in [tool.gitops.monitoring]",
        ),
        (
            "[tool.gitops.monitoring]\nlabels = { release = 1 }\n",
            "labels must be a table of strings",
        ),
        ("[tool.gitops.monitoring.env.qa]\nlabels = {}\n", "unknown environment(s) qa"),
        (
            "[tool.gitops.monitoring.env.dev]\nenv = {}\n",
            "unknown key 'env' in [tool.gitops.monitoring.env.dev]",
        ),
    ],
)
def test_bad_monitoring_settings_name_the_key(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_environments(load_settings(repo(tmp_path, toml)))
    assert message in str(caught.value)
