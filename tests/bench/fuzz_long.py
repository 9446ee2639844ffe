"""The long fuzz run (run by hand; the default suite runs a bounded one, tests/fuzz).

    .venv/bin/python -m tests.bench.fuzz_long [--examples 2000]

Runs tests/fuzz (loader, every lint rule, the builtin validator, every reporter, in-process,
on mutated Kubernetes objects and on random YAML text) with ``--examples`` examples per test
and a fresh random seed, then prints examples per minute. A failure is reported by pytest
with hypothesis's shrunk input.
"""

from __future__ import annotations

import argparse
import os
import time

import pytest

TESTS = 2
"""Property tests in tests/fuzz/test_fuzz.py (each runs ``--examples`` examples)."""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=2000, help="examples per test")
    args = parser.parse_args()
    os.environ["GITOPS_FUZZ_EXAMPLES"] = str(args.examples)
    os.environ["GITOPS_FUZZ_RANDOM"] = "1"
    start = time.perf_counter()
    code = pytest.main(["-q", "-x", "-p", "no:cacheprovider", "tests/fuzz"])
    minutes = (time.perf_counter() - start) / 60
    total = args.examples * TESTS
    print(f"{total} examples in {minutes:.1f} min: {total / minutes:.0f} per minute")
    raise SystemExit(code)


if __name__ == "__main__":
    main()
