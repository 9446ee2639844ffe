"""Wall-clock benchmark of ``gitops promote`` of one app in the generated 100 apps x 3 envs
repo (issue #12 target: <= 2 s), and of ``gitops set-image`` for comparison.

Each run is a fresh ``python -m gitops`` process in a fresh git repository (so every promote
has something to do): whole-process wall time, and the CPU time (user + sys) of the process
and its children (Node.js, git), from ``getrusage``. Min and median of RUNS (default 5) are
printed. The gates (drift of the app in staging, schema and lint of its files) are part of
what is timed.
Usage: python tests/bench/bench_promote.py [RUNS]
"""

from __future__ import annotations

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


def _run(argv: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall, user CPU and system CPU seconds of one process (and its children)."""
    user, system = _cpu()
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    after_user, after_system = _cpu()
    return elapsed, after_user - user, after_system - system


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    gitops = [sys.executable, "-m", "gitops"]
    with tempfile.TemporaryDirectory() as tmp:
        seed = generate(Path(tmp) / "seed", 100)
        _run([*gitops, "synth"], seed)
        promote, set_image = [], []
        for index in range(runs):
            repo = Path(tmp) / f"run{index}"
            shutil.copytree(seed, repo)
            _run(["git", "init", "-q", "-b", "main"], repo)
            _run([*GIT, "add", "-A"], repo)
            _run([*GIT, "commit", "-qm", "seed"], repo)
            digest = "sha256:" + f"{index:x}".rjust(64, "e")
            image = f"ghcr.io/acme/app-042:2.0.{index}@{digest}"
            set_image.append(
                _run([*gitops, "set-image", "app-042", image, "--env", "staging"], repo)
            )
            _run([*GIT, "commit", "-qam", "staging"], repo)
            promote.append(_run([*gitops, "promote", "--to", "prod", "--app", "app-042"], repo))
    print(f"{runs} runs each; seconds; CPU = user + sys of the process and its children")
    for label, times in (("set-image, 1 app", set_image), ("promote, 1 app [<= 2 s]", promote)):
        walls = [t[0] for t in times]
        cpus = [t[1] + t[2] for t in times]
        users = [t[1] for t in times]
        systems = [t[2] for t in times]
        print(
            f"{label:<26} wall min {min(walls):.2f} median {statistics.median(walls):.2f}  "
            f"cpu median {statistics.median(cpus):.2f} (user {statistics.median(users):.2f}, "
            f"sys {statistics.median(systems):.2f})"
        )


if __name__ == "__main__":
    main()
