"""Wall-clock benchmark of ``gitops promote`` of one app in the generated 100 apps x 3 envs
repo (issue #12 target: <= 2 s), and of ``gitops set-image`` for comparison.

Each run is a fresh ``python -m gitops`` process in a fresh git repository (so every promote
has something to do); min and median of RUNS are printed. The gates (synth --check of the app
in staging, gitops check of the app) are part of what is timed.
Usage: python tests/bench/bench_promote.py [RUNS]
"""

from __future__ import annotations

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


def _run(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return elapsed


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
            set_image.append(_run([*gitops, "set-image", "app-042", image, "--env", "staging"], repo))
            _run([*GIT, "commit", "-qam", "staging"], repo)
            promote.append(_run([*gitops, "promote", "--to", "prod", "--app", "app-042"], repo))
    for label, times in (("set-image, 1 app", set_image), ("promote, 1 app [<= 2 s]", promote)):
        print(f"{label:<28} min {min(times):.2f} s  median {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()
