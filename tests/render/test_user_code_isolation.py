"""User code cannot end the run or write into a report (issue 8, items 4 and 14)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from gitops.errors import ExitCode
from tests.conftest import gitops, gitops_process, tree

Write = Callable[[Path, str], Path]

APP = """
import os
import sys

from cdk8s import ApiObject, ApiObjectMetadata
from constructs import Construct

from gitops.constructs import AppChart
from gitops.constructs.environment import Environment

{at_import}


class Operator(AppChart):
    app_name = "operator"

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env)
        ApiObject(self, "settings", api_version="v1", kind="ConfigMap",
                  metadata=ApiObjectMetadata(name="operator-settings"))
        {in_chart}
"""


def _app(write: Write, repo: Path, at_import: str = "", in_chart: str = "pass") -> None:
    write(repo / "apps" / "operator.py", APP.format(at_import=at_import, in_chart=in_chart))


def _line_of(repo: Path, text: str) -> int:
    lines = (repo / "apps" / "operator.py").read_text().splitlines()
    return next(i + 1 for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize(
    ("at_import", "in_chart", "expected"),
    [
        ("sys.exit(0)", "pass", "SystemExit(0): it tried to end the process"),
        ("exit()", "pass", "SystemExit(None)"),
        ("", "sys.exit(0)", "SystemExit(0)"),
        ("", "raise GeneratorExit", "GeneratorExit"),
        ("", "raise SystemExit('done')", "SystemExit('done')"),
    ],
    ids=["exit-at-import", "builtin-exit", "exit-in-chart", "generator-exit", "exit-message"],
)
@pytest.mark.parametrize("args", [("synth",), ("synth", "--check"), ("check", "--format", "json")])
def test_an_app_ending_the_process_is_an_error_naming_file_and_line(
    config_repo: Path,
    write: Write,
    at_import: str,
    in_chart: str,
    expected: str,
    args: tuple[str, ...],
) -> None:
    _app(write, config_repo, at_import, in_chart)
    before = tree(config_repo)
    run = gitops(config_repo, *args)
    line = _line_of(config_repo, at_import or in_chart)
    assert run.code == ExitCode.USAGE, run.out + run.err
    assert run.err.startswith(f"error: apps/operator.py:{line}: "), run.err
    assert expected in run.err
    assert "Traceback" not in run.err
    if "json" in args:  # a failure document, never half a report or the app's output
        assert expected in json.loads(run.out)["errors"][0]["message"]
    else:
        assert run.out == ""
    assert tree(config_repo) == before


def test_ctrl_c_in_an_app_still_means_interrupted(config_repo: Path, write: Write) -> None:
    _app(write, config_repo, in_chart="raise KeyboardInterrupt")
    run = gitops(config_repo, "synth")
    assert run.code == ExitCode.INTERRUPTED
    assert "interrupted" in run.err


def test_what_apps_print_goes_to_stderr_and_json_stays_parseable(
    config_repo: Path, write: Write
) -> None:
    _app(
        write,
        config_repo,
        at_import='print("hello from print at import")\nos.write(1, b"hello from fd 1\\n")',
        in_chart='print("hello from the chart"); sys.stdout.flush()',
    )
    assert gitops(config_repo, "synth").code == ExitCode.OK
    for output_format in ("json", "sarif"):
        run = gitops_process(config_repo, "check", "--no-cache", "--format", output_format)
        assert run.code in (ExitCode.OK, ExitCode.FINDINGS), run.err
        json.loads(run.out)
        assert "hello" not in run.out
        for text in ("hello from print at import", "hello from fd 1", "hello from the chart"):
            assert text in run.err
    run = gitops(config_repo, "synth")
    assert run.out.startswith("rendered "), run.out
    assert "hello from the chart" in run.err
