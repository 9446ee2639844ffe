"""``gitops lint`` as users run it: a real process, real files, exit codes and output."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from gitops.report import REPORTERS
from tests.repo import deployment, focus, write_repo

REPO = Path(__file__).parents[2]


def gitops(
    *args: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gitops", *args],
        cwd=cwd,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_repo(
        tmp_path,
        {
            "rendered/dev/shop/deployment.api.yaml": deployment(name="api", image="api:latest"),
            "rendered/dev/shop/deployment.web.yaml": deployment(),
        },
        "[tool.gitops.lint]\n" + focus("images"),
    )
    return tmp_path


@pytest.mark.parametrize("output_format", sorted(REPORTERS))
def test_every_format_reports_the_same_finding(repo: Path, output_format: str) -> None:
    done = gitops("lint", "--format", output_format, cwd=repo)
    assert done.returncode == 1, done.stderr
    out = done.stdout
    where = "rendered/dev/shop/deployment.api.yaml"
    # Other rule families report on the same fixture too; each format must carry this one.
    if output_format == "json":
        findings = [f for f in json.loads(out)["findings"] if f["code"] == "IM001"]
        assert [(f["path"], f["line"]) for f in findings] == [(where, 13)]
    elif output_format == "sarif":
        results = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "IM001"]
        assert len(results) == 1
        location = results[0]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == where
        assert location["region"]["startLine"] == 13
    elif output_format == "github":
        assert f"::error file={where},line=13,col=9,title=IM001 mutable-image-tag::" in out
    else:
        assert f"{where}\n" in out
        assert "  13:9  error   IM001 mutable-image-tag" in out
        assert out.rstrip().splitlines()[-1].endswith("; 0 suppressed; 2 objects in 2 files")


def test_exit_codes_follow_fail_on(repo: Path) -> None:
    assert gitops("lint", cwd=repo).returncode == 1
    assert gitops("lint", "--fail-on", "never", cwd=repo).returncode == 0
    clean = ["rendered/dev/shop/deployment.web.yaml"]
    assert gitops("lint", *clean, cwd=repo).returncode == 0
    # IM002 (a warning under strict) fails only from --fail-on warning up.
    assert gitops("lint", "--preset", "strict", *clean, cwd=repo).returncode == 0
    strict_warning = gitops("lint", "--preset", "strict", "--fail-on", "warning", *clean, cwd=repo)
    assert strict_warning.returncode == 1
    assert "IM002 image-not-pinned-by-digest" in strict_warning.stdout


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_output_that_cannot_be_written_is_an_error_not_a_silent_success(repo: Path) -> None:
    """Lint ends its process without the interpreter's teardown; the report is still flushed
    first, and a full disk (/dev/full) is reported with Python's own exit status, 120."""
    clean = ["--format", "json", "rendered/dev/shop/deployment.web.yaml"]
    assert gitops("lint", *clean, cwd=repo).returncode == 0

    def lint_into(stdout: int) -> tuple[int, str]:
        done = subprocess.run(
            [sys.executable, "-m", "gitops", "lint", *clean],
            cwd=repo,
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
        return done.returncode, done.stderr

    with open("/dev/full", "w") as full:
        written = lint_into(full.fileno())
    assert written == (120, "error: could not write the output: No space left on device\n")
    # A reader that stopped reading (`| head`) meant to: the same status, nothing to say.
    read, write = os.pipe()
    os.close(read)
    try:
        assert lint_into(write) == (120, "")
    finally:
        os.close(write)


def test_config_fail_on_and_flag_override(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {"rendered/dev/shop/deployment.web.yaml": deployment()},
        '[tool.gitops.lint]\npreset = "strict"\nfail_on = "warning"\n' + focus("images"),
    )
    assert gitops("lint", cwd=tmp_path).returncode == 1
    assert gitops("lint", "--fail-on", "error", cwd=tmp_path).returncode == 0


def test_usage_and_config_errors_exit_2(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[tool.gitops]\n[tool.gitops.lint]\nfail-on = "warning"\n', encoding="utf-8"
    )
    bad_key = gitops("lint", cwd=repo)
    assert bad_key.returncode == 2 and bad_key.stdout == ""
    assert "unknown key 'fail-on' in [tool.gitops.lint]" in bad_key.stderr
    assert "fix: use one of: disable, enable, fail_on," in bad_key.stderr
    (repo / "pyproject.toml").write_text("[tool.gitops]\n", encoding="utf-8")
    assert gitops("lint", "--format", "xml", cwd=repo).returncode == 2
    unknown = gitops("lint", "--enable", "IM01", cwd=repo)
    assert unknown.returncode == 2 and "did you mean: IM001" in unknown.stderr
    (repo / "rendered").rename(repo / "k8s")
    missing = gitops("lint", cwd=repo)
    assert missing.returncode == 2 and "no rendered/ under" in missing.stderr


def test_input_problems_are_findings_not_usage_errors(repo: Path) -> None:
    (repo / "rendered/dev/shop/broken.yaml").write_bytes(b"kind: [\n")
    done = gitops("lint", "--format", "json", cwd=repo)
    assert done.returncode == 1
    codes = [f["code"] for f in json.loads(done.stdout)["findings"]]
    assert codes == ["IN001", "IM001"]  # broken.yaml sorts before deployment.api.yaml


def test_stdin(tmp_path: Path) -> None:
    write_repo(tmp_path, {}, "[tool.gitops.lint]\n" + focus("images"))
    done = gitops("lint", "-", cwd=tmp_path, stdin=deployment(image="x:latest").encode())
    assert done.returncode == 1
    assert done.stdout.startswith("-\n  13:9  error   IM001")


def test_colour_on_a_terminal_unless_no_color(repo: Path) -> None:
    def on_tty(extra_env: dict[str, str]) -> str:
        leader, follower = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | extra_env
        process = subprocess.Popen(
            [sys.executable, "-m", "gitops", "lint"], cwd=repo, stdout=follower, env=env
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the pty closes when the process exits
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=60)
        os.close(leader)
        return b"".join(chunks).decode()

    assert "\033[31merror" in on_tty({})
    assert "\033[" not in on_tty({"NO_COLOR": "1"})


def test_this_repo_rendered_tree_is_clean() -> None:
    done = gitops("lint", "--format", "json", cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads(done.stdout)
    assert [f for f in document["findings"] if not f["suppressed"]] == []
    assert document["summary"]["files"] > 50
