"""Benchmark of the PR review commands on the generated 100 apps x 3 envs repo (issue #10
targets in brackets):

- ``gitops diff`` of a commit touching every app (a shared setting changed in every app
  module) [<= 1.5 s wall] and of a commit touching one app [<= 0.5 s];
- ``gitops lint --new-since BASE`` against a plain ``gitops lint`` [<= 2x].

    .venv/bin/python tests/bench/bench_review.py [--work DIR] [--runs 5]

The repo is generated and rendered once under ``--work`` (real cdk8s synth) and committed
with real git: base, then a branch per change. Each measurement is a fresh CLI process;
min and median of ``--runs`` are printed.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_repo import generate

GITOPS = str(Path(sys.executable).parent / "gitops")
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def sh(cwd: Path, *argv: str) -> str:
    done = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def build(work: Path) -> tuple[Path, dict[str, str]]:
    repo = work / "review-repo"
    marker = repo / ".bench-commits"
    if marker.is_file():
        return repo, dict(line.split("=") for line in marker.read_text().split())
    generate(repo, 100)
    sh(repo, GITOPS, "synth")
    sh(repo, "git", "init", "-q", "-b", "main")
    sh(repo, "git", "add", "-A")
    sh(repo, "git", "commit", "-qm", "base")
    commits = {"base": sh(repo, "git", "rev-parse", "HEAD").strip()}
    # Every app: the same config key added to every app module.
    for module in sorted((repo / "apps").glob("*.py")):
        text = module.read_text()
        module.write_text(text.replace('"FEATURE_FLAGS": "a,b,c"', '"FEATURE_FLAGS": "a,b,c,d"'))
    sh(repo, GITOPS, "synth")
    sh(repo, "git", "commit", "-qam", "every app")
    commits["every"] = sh(repo, "git", "rev-parse", "HEAD").strip()
    sh(repo, "git", "checkout", "-q", commits["base"])
    module = repo / "apps" / "app_042.py"
    module.write_text(re.sub(r"min_replicas=3", "min_replicas=4", module.read_text()))
    sh(repo, GITOPS, "synth", "--app", "app-042")
    sh(repo, "git", "commit", "-qam", "one app")
    commits["one"] = sh(repo, "git", "rev-parse", "HEAD").strip()
    sh(repo, "git", "checkout", "-q", commits["every"])
    marker.write_text("".join(f"{k}={v}\n" for k, v in commits.items()))
    return repo, commits


def timed(repo: Path, runs: int, *argv: str) -> tuple[float, float, float]:
    """(min wall, median wall, median CPU) seconds of ``runs`` fresh processes (git children
    included in CPU). One warm-up run first, so bytecode is cached as on a developer machine."""
    sh(repo, GITOPS, *argv)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        sh(repo, GITOPS, *argv)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path("/tmp/gitops-bench-review"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=("diff", "lint"), help="Run only these cases.")
    args = parser.parse_args()
    repo, c = build(args.work)
    objects = sum(1 for _ in (repo / "rendered").rglob("*.yaml"))
    print(
        f"repo: {objects} rendered files, 100 apps x 3 envs; runs={args.runs}; "
        "wall min / wall median / CPU median"
    )
    cases = [
        (
            "diff, every app (rev..rev) [<= 1.5 s]",
            ("diff", "--base", c["base"], "--head", c["every"]),
        ),
        ("diff, every app (rev..worktree)", ("diff", "--base", c["base"])),
        ("diff, every app, markdown", ("diff", "--base", c["base"], "--format", "markdown")),
        ("diff, one app (rev..rev) [<= 0.5 s]", ("diff", "--base", c["base"], "--head", c["one"])),
    ]
    for label, argv in cases if args.only != "lint" else ():
        low, mid, cpu = timed(repo, args.runs, *argv)
        print(f"  {label:45} {low:6.2f} s / {mid:6.2f} s / {cpu:6.2f} s")
    if args.only == "diff":
        return
    runs = max(3, args.runs // 2)
    lows = {}
    for label, argv in (
        ("lint (plain)", ("lint",)),
        ("lint --new-since base [<= 2x plain]", ("lint", "--new-since", c["base"])),
    ):
        low, mid, cpu = timed(repo, runs, *argv)
        lows[label] = (low, cpu)
        print(f"  {label:45} {low:6.2f} s / {mid:6.2f} s / {cpu:6.2f} s")
    (plain_wall, plain_cpu), (since_wall, since_cpu) = lows.values()
    print(
        f"  new-since / plain: {since_wall / plain_wall:.2f}x wall (min), "
        f"{since_cpu / plain_cpu:.2f}x CPU (median)"
    )


if __name__ == "__main__":
    main()
