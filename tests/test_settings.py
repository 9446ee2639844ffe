"""A malformed pyproject.toml is an exit-2 error naming the file and the fix (issue 8, item 9)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gitops.errors import ExitCode
from tests.conftest import gitops

GOOD = '[tool.gitops]\nrepo_url = "https://git.example.com/acme/config.git"\n'


@pytest.mark.parametrize(
    ("content", "expected", "fix"),
    [
        (b'[tool]\ngitops = "x"\n', "tool.gitops must be a table, got str 'x'", "[tool.gitops]"),
        (b'tool = "x"\n', "tool must be a table, got str 'x'", "[tool]"),
        (
            "# café\n".encode("latin-1") + GOOD.encode(),
            "is not UTF-8 text",
            "save the file as UTF-8",
        ),
        (GOOD.encode("utf-16"), "is not UTF-8 text", "save the file as UTF-8"),
        (b"[tool.gitops\n", "pyproject.toml", "fix the TOML syntax"),
    ],
    ids=["gitops-not-a-table", "tool-not-a-table", "latin-1", "utf-16", "bad-toml"],
)
def test_malformed_pyproject_is_a_usage_error(
    tmp_path: Path, content: bytes, expected: str, fix: str
) -> None:
    (tmp_path / "pyproject.toml").write_bytes(content)
    for args in (("synth",), ("lint",), ("check",)):
        run = gitops(tmp_path, *args)
        assert run.code == ExitCode.USAGE, (args, run.err)
        assert f"{tmp_path / 'pyproject.toml'}: " in run.err
        assert expected in run.err
        assert fix in run.err
    # Found from the working directory, without --root.
    done = subprocess.run(
        [sys.executable, "-m", "gitops", "synth"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
