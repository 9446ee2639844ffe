"""One synth at a time per repository (issue 8, item 5): real second processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from gitops.errors import ExitCode
from tests.conftest import gitops, tree

HOLDER = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
sys.stdin.read()  # hold until the test closes stdin
"""


def _hold_lock(repo: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(repo / ".gitops" / "synth.lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def _release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)


def test_no_wait_fails_fast_while_another_process_holds_the_lock(config_repo: Path) -> None:
    app = config_repo / "apps" / "my_app.py"
    app.write_text(app.read_text().replace('"REDIS_PORT": "6379"', '"REDIS_PORT": "6380"'))
    before = tree(config_repo)
    holder = _hold_lock(config_repo)
    try:
        run = gitops(config_repo, "synth", "--no-wait")
    finally:
        _release(holder)
    assert run.code == ExitCode.USAGE
    assert "another gitops synth is running in this repository" in run.err
    assert "nothing was changed" in run.err
    assert tree(config_repo) == before
    assert gitops(config_repo, "synth", "--no-wait").code == ExitCode.OK


def test_a_second_synth_waits_with_a_message_then_renders(
    config_repo: Path, tmp_path: Path
) -> None:
    app = config_repo / "apps" / "my_app.py"
    app.write_text(app.read_text().replace('"REDIS_PORT": "6379"', '"REDIS_PORT": "6380"'))
    holder = _hold_lock(config_repo)
    stderr = tmp_path / "stderr"
    try:
        with stderr.open("w") as err:
            waiter = subprocess.Popen(
                [sys.executable, "-m", "gitops", "--root", str(config_repo), "synth"],
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )
        deadline = time.monotonic() + 120
        while "waiting for another gitops synth" not in stderr.read_text():
            assert waiter.poll() is None, stderr.read_text()
            assert time.monotonic() < deadline, "the second synth never said it waits"
            time.sleep(0.2)
        assert waiter.poll() is None  # still waiting while the lock is held
        assert (
            "6380"
            not in (config_repo / "rendered" / "dev" / "my-app")
            .joinpath("configmap.my-app-config.yaml")
            .read_text()
        )
    finally:
        _release(holder)
    out, _ = waiter.communicate(timeout=120)
    assert waiter.returncode == ExitCode.OK, stderr.read_text()
    apps = len(list((config_repo / "apps").glob("[!_]*.py")))
    assert f"rendered {apps} app(s) x 3 env(s)" in out
    assert gitops(config_repo, "synth", "--check").code == ExitCode.OK


def test_two_synths_at_once_both_finish_with_a_complete_tree(config_repo: Path) -> None:
    app = config_repo / "apps" / "my_app.py"
    app.write_text(app.read_text().replace('"REDIS_PORT": "6379"', '"REDIS_PORT": "6380"'))
    argv = [sys.executable, "-m", "gitops", "--root", str(config_repo), "synth"]
    env = {**os.environ}
    runs = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    results = [run.communicate(timeout=300) for run in runs]
    for run, (_, err) in zip(runs, results, strict=True):
        assert run.returncode == ExitCode.OK, err
    counts = {out.split(": ", 1)[1].split(" files", 1)[0] for out, _ in results}
    assert len(counts) == 1, results  # both saw the complete render
    assert gitops(config_repo, "synth", "--check").code == ExitCode.OK
    assert not list((config_repo / "rendered").glob(".gitops-*"))
    assert len([p for p in tree(config_repo) if p.startswith("rendered/dev/")]) > 10
