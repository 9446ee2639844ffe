"""What the developers' guide asks of the repository itself."""

from __future__ import annotations

import re

from tests.conftest import ROOT

TOP_LEVEL = {"pyproject.toml", "gitops", "apps", "envs", "rendered", "tests", ".github"}


def _setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.DOTALL)


def test_readme_has_exactly_two_setup_commands_main_job_and_tests() -> None:
    commands = _setup_commands()
    assert len(commands) == 2, commands
    main, tests = commands
    assert "\n" not in main and "\n" not in tests
    assert "gitops synth" in main
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command() -> None:
    test_command = _setup_commands()[1]
    assert test_command in (ROOT / ".ci" / "run").read_text()
    assert test_command in (ROOT / ".github" / "workflows" / "ci.yml").read_text()


def test_design_card_top_level_exists() -> None:
    present = {p.name for p in ROOT.iterdir()}
    assert present >= TOP_LEVEL
