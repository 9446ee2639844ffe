"""Wall and CPU time of the commands a developer waits for, on this repo (issue #9):

- ``gitops check`` warm, nothing changed: the check cache replays the last identical check
  (no validator, no rules);
- ``gitops check`` with the check record removed but the synth cache current (cdk8s is not
  started; schemas compiled and rules run);
- ``gitops check --no-cache`` (what CI runs: a real render);
- ``gitops lint --context rendered FILE``, the pre-commit case for one changed file;
- ``python -c pass``, the interpreter's own start-up, for scale.

    .venv/bin/python tests/bench/bench_startup.py [--runs 7]

Each run is a fresh process of the real CLI (bytecode caching on); wall time and the child's
CPU time (user + system, from ``wait4``) are printed as min and median. The target is 0.5 s
of wall time for the warm check and the pre-commit lint. The machine is shared, so quote CPU
time beside wall.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHANGED = "rendered/prod/my-app/rollout.my-app.yaml"


def forget_check_records() -> None:
    for record in (ROOT / ".gitops" / "cache").glob("check-*.json"):
        record.unlink()


def run_once(
    argv: list[str], env: dict[str, str], prepare: Callable[[], None] | None = None
) -> tuple[float, float, int]:
    if prepare is not None:
        prepare()
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    return (
        time.perf_counter() - started,
        usage.ru_utime + usage.ru_stime,
        os.waitstatus_to_exitcode(status),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    gitops = str(Path(sys.executable).with_name("gitops"))
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITOPS_NO_CACHE")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # Warm up: bytecode, a current synth cache record, then a check cache record.
    for _ in range(2):
        subprocess.run(
            [gitops, "check"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True
        )
    cases: dict[str, tuple[list[str], Callable[[], None] | None]] = {
        "check (warm: check cache hit)": ([gitops, "check"], None),
        "check (synth cache hit only)": ([gitops, "check"], forget_check_records),
        "check --no-cache": ([gitops, "check", "--no-cache"], None),
        "lint --context rendered FILE": (
            [gitops, "lint", "--context", "rendered", CHANGED],
            None,
        ),
        "python -c pass": ([sys.executable, "-c", "pass"], None),
    }
    print(
        f"machine: shared ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}); "
        f"{args.runs} runs each; fresh process per run"
    )
    for name, (argv, prepare) in cases.items():
        runs = args.runs if "no-cache" not in name else max(1, args.runs // 3)
        samples = [run_once(argv, env, prepare) for _ in range(runs)]
        codes = {s[2] for s in samples}
        walls = [s[0] for s in samples]
        cpus = [s[1] for s in samples]
        print(
            f"  {name:<32} wall min {min(walls):.3f} median {statistics.median(walls):.3f} s  "
            f"CPU min {min(cpus):.3f} median {statistics.median(cpus):.3f} s  exit {codes}"
        )
    subprocess.run([gitops, "check"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
    print("  target: the warm check and the pre-commit lint <= 0.5 s wall")


if __name__ == "__main__":
    main()
