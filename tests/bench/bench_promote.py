"""Wall-clock benchmark of ``gitops promote`` of one app in the generated 100 apps x 3 envs
repo (issue #12 target: <= 2 s), and of ``gitops set-image`` for comparison.

Each run is a fresh ``python -m gitops`` process in a fresh git repository (so every promote
has something to do): whole-process wall time, and the CPU time (user + sys) of the process
and its children (Node.js, git), from ``getrusage``. Min and median of RUNS (default 5) are
printed, as the environment is (this sandbox sets PYTHONDONTWRITEBYTECODE=1: every module, the
100 apps included, is compiled on every run) and with bytecode caching on (what Python does on
a user's machine; one warm-up run first). The gates (drift of the app in staging, schema and
lint of its files) are part of what is timed. Each run clones a seed repository (``git clone``)
so that the copy is not timed.
Usage: python tests/bench/bench_promote.py [RUNS] [--as-is-only | --cached-only] (both
series take about two minutes on the shared 2-core machine; one takes one).
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_repo import generate

GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]


def _cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def _run(
    argv: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """Wall, user CPU and system CPU seconds of one process (and its children)."""
    user, system = _cpu()
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    after_user, after_system = _cpu()
    return elapsed, after_user - user, after_system - system


def _series(
    seed: Path, tmp: Path, runs: int, env: dict[str, str], warm: int
) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """set-image then promote of app-042, each in a fresh clone of ``seed``; the first
    ``warm`` runs are not kept (they write the bytecode caches)."""
    gitops = [sys.executable, "-m", "gitops"]
    promote, set_image = [], []
    for index in range(runs + warm):
        repo = tmp / f"run{index}"
        _run(["git", "clone", "-q", str(seed), str(repo)], tmp)
        digest = "sha256:" + f"{index:x}".rjust(64, "e")
        image = f"ghcr.io/acme/app-042:2.0.{index}@{digest}"
        timed = _run([*gitops, "set-image", "app-042", image, "--env", "staging"], repo, env)
        _run([*GIT, "commit", "-qam", "staging"], repo)
        promoted = _run([*gitops, "promote", "--to", "prod", "--app", "app-042"], repo, env)
        if index >= warm:
            set_image.append(timed)
            promote.append(promoted)
        shutil.rmtree(repo)
    return set_image, promote


def _report(label: str, times: list[tuple[float, float, float]]) -> None:
    walls = [t[0] for t in times]
    print(
        f"{label:<40} wall min {min(walls):.2f} median {statistics.median(walls):.2f}  "
        f"cpu median {statistics.median(t[1] + t[2] for t in times):.2f} "
        f"(user {statistics.median(t[1] for t in times):.2f}, "
        f"sys {statistics.median(t[2] for t in times):.2f})"
    )


def main() -> None:
    numbers = [a for a in sys.argv[1:] if a.isdecimal()]
    runs = int(numbers[0]) if numbers else 5
    with tempfile.TemporaryDirectory() as tmp:
        seed = generate(Path(tmp) / "seed", 100)
        _run([sys.executable, "-m", "gitops", "synth"], seed)
        _run(["git", "init", "-q", "-b", "main"], seed)
        _run([*GIT, "add", "-A"], seed)
        _run([*GIT, "commit", "-qm", "seed"], seed)
        as_is = dict(os.environ)
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        print(f"{runs} runs each; seconds; CPU = user + sys of the process and its children")
        series = [("as is", as_is, 0), ("bytecode cached", cached, 1)]
        if "--as-is-only" in sys.argv:
            series = series[:1]
        elif "--cached-only" in sys.argv:
            series = series[1:]
        for label, env, warm in series:
            set_image, promote = _series(seed, Path(tmp), runs, env, warm)
            _report(f"set-image, 1 app ({label})", set_image)
            _report(f"promote, 1 app ({label}) [<= 2 s]", promote)


if __name__ == "__main__":
    main()
