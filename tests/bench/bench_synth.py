"""Wall-clock benchmark of gitops synth (issue #2 targets, in brackets).

- full render of a generated repo of 100 apps x 3 envs          [<= 2.5 s]
- one app x 3 envs: `synth --check apps/<one app>.py` in that repo (the pre-commit case) [<= 1 s]
- `synth --check` of this repository                            [<= 1.5 s]

Each is a fresh `python -m gitops` process (import, Node.js start, render, write), run 5 times;
min and median are printed. Every case runs twice: as the environment is (this sandbox sets
PYTHONDONTWRITEBYTECODE=1, so every module, the apps included, is compiled on every run) and
with bytecode caching on (what Python does by default on a user's machine; one warm-up run
first). Usage: python tests/bench/bench_synth.py [RUNS]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_repo import ROOT, generate


def timed(argv: list[str], runs: int, env: dict[str, str], before: object = None) -> list[float]:
    times = []
    for _ in range(runs):
        if callable(before):
            before()
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(
                f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )
    return times


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    gitops = [sys.executable, "-m", "gitops"]
    results: dict[str, dict[str, float]] = {}
    as_is = dict(os.environ)
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for label, env in (("as is", as_is), ("bytecode cached", cached)):
        warm = 1 if env is cached else 0
        with tempfile.TemporaryDirectory() as tmp:
            repo = generate(Path(tmp) / "repo100", 100)

            def clean(repo: Path = repo) -> None:
                shutil.rmtree(repo / "rendered", ignore_errors=True)
                shutil.rmtree(repo / ".gitops", ignore_errors=True)

            full = timed([*gitops, "--root", str(repo), "synth"], runs + warm, env, clean)[warm:]
            files = sum(1 for _ in (repo / "rendered").rglob("*.yaml"))
            results[f"[{label}] full render, 100 apps x 3 envs ({files} files)"] = _stats(full)
            argv = [*gitops, "--root", str(repo), "synth", "--check", "apps/app_042.py"]
            one = timed(argv, runs, env)
            results[f"[{label}] synth --check of one app x 3 envs (pre-commit case)"] = _stats(one)
        argv = [*gitops, "--root", str(ROOT), "synth", "--check"]
        here = timed(argv, runs + warm, env)[warm:]
        results[f"[{label}] synth --check of this repository"] = _stats(here)
    for name, stats in results.items():
        print(f"{name}: min {stats['min']:.2f} s, median {stats['median']:.2f} s")
    print(json.dumps(results))


def _stats(times: list[float]) -> dict[str, float]:
    return {"min": min(times), "median": statistics.median(times), "max": max(times)}


if __name__ == "__main__":
    main()
