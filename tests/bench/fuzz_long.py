"""The long fuzz run (run by hand; the default suite runs a bounded one, tests/fuzz).

    .venv/bin/python -m tests.bench.fuzz_long [--minutes 5] [--seed N]

Runs the harness of ``tests/fuzz`` (loader, every lint rule, the builtin validator, every
reporter, in-process) on mutated Kubernetes objects and random YAML text, alternating, until
the time is up; prints examples per minute and stops at the first failure (hypothesis then
prints the shrunk input).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import exercise, make_root
from tests.fuzz.objects import k8s_documents, yaml_text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = make_root(Path(tmp))
        count = 0
        start = time.perf_counter()
        deadline = start + args.minutes * 60

        @settings(
            max_examples=10**9,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(text=st.one_of(k8s_documents(), yaml_text))
        def run(text: str) -> None:
            nonlocal count
            if time.perf_counter() > deadline:
                return
            exercise(text, root)
            count += 1

        if args.seed is not None:
            run = settings(derandomize=False)(run)
        try:
            run()
        finally:
            minutes = (time.perf_counter() - start) / 60
            print(f"{count} examples in {minutes:.1f} min: {count / minutes:.0f} per minute")


if __name__ == "__main__":
    main()
