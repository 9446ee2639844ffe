"""End-to-end scale benchmark of ``gitops lint --format json`` (issue #3 targets, in brackets).

    .venv/bin/python tests/bench/bench_lint_scale.py [--runs 5] [--sizes 1000,2000,5000,10000]
        [--corpus DIR] [--checkov PATH_TO_CHECKOV] [--work DIR] [--json FILE]

Inputs, per size N (objects), built once under ``--work`` and reused:
- about 80% of N: a config repo from ``gen_repo.py`` (N/34 realistic WebService apps x dev,
  staging, prod) rendered by ``gitops synth``: one object per file, render index included;
- the rest: third-party charts from ``gen_vendor.py`` (``helm template`` style multi-document
  files with missing probes and limits, moving tags, privileged pods, wildcard RBAC).
Plus the peer corpus (``/work/shared/corpus``, or ``../shared/corpus`` next to the repo).

Each run is a fresh ``gitops lint --format json rendered vendor`` process in the repo (the real
CLI: import, load, rules, report); wall time and the child's peak RSS (``wait4``) are recorded,
min and median of ``--runs`` are printed [>= 3,500 objects/s, <= 150 MiB, time linear in
objects]. Every case runs as the environment is (this sandbox sets PYTHONDONTWRITEBYTECODE=1,
so each run compiles every module) and with bytecode caching on (one warm-up run first).
Then parse-only numbers of the candidate parse paths on the largest input and the corpus
(parse_candidates.py), and with ``--checkov``, checkov on the same files (one run each).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_repo import ROOT, generate
from gen_vendor import generate as generate_vendor

OBJECTS_PER_APP = 11.2  # gitops synth renders ~11.2 objects per app and environment
RENDERED_SHARE = 0.8
CORPUS_PLACES = (Path("/work/shared/corpus"), ROOT.parent / "shared" / "corpus")


def build_input(work: Path, size: int) -> Path:
    """A repo of ``size`` objects: rendered apps plus vendored charts (cached in ``work``)."""
    repo = work / f"repo-{size}"
    marker = repo / ".bench-objects"
    if marker.is_file() and marker.read_text() == str(size):
        return repo
    apps = max(1, round(size * RENDERED_SHARE / 3 / OBJECTS_PER_APP))
    generate(repo, apps)
    _run([*_gitops(), "--root", str(repo), "synth"], os.environ.copy(), repo)
    rendered = sum(1 for _ in (repo / "rendered").rglob("*.yaml"))
    if rendered > size:
        raise SystemExit(f"{apps} apps render {rendered} objects, more than {size}")
    generate_vendor(repo / "vendor", size - rendered)
    marker.write_text(str(size))
    return repo


def _gitops() -> list[str]:
    script = Path(sys.executable).parent / "gitops"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "gitops"]


def _run(
    argv: list[str], env: dict[str, str], cwd: Path, failed: list[str] | None = None
) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MiB, stdout) of one process that exits 0 or 1 (findings);
    any other exit is fatal, or with ``failed`` given, noted there (exit code, stderr's end).

    The peak comes from GNU time when it is there: a forked child's own ``ru_maxrss`` starts
    at the parent's size, so ``wait4`` alone would report this script's memory."""
    with tempfile.TemporaryDirectory() as tmp:
        usage_file = Path(tmp) / "rss"
        timed = ["/usr/bin/time", "-f", "%M", "-o", str(usage_file)] if _GNU_TIME else []
        with open(Path(tmp) / "out", "w+b") as out, open(Path(tmp) / "err", "w+b") as err:
            start = time.perf_counter()
            child = subprocess.Popen([*timed, *argv], stdout=out, stderr=err, env=env, cwd=cwd)
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - start
            child.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode()
            if child.returncode not in (0, 1):
                message = err.read().decode()
                if failed is None:
                    raise SystemExit(f"{argv} failed ({child.returncode}):\n{message}")
                failed += [f"exit {child.returncode}", *message.strip().splitlines()[-1:]]
        peak_kib = int(usage_file.read_text().split()[-1]) if _GNU_TIME else usage.ru_maxrss
    return wall, peak_kib / 1024, stdout


_GNU_TIME = Path("/usr/bin/time").is_file()


def lint_runs(argv: list[str], cwd: Path, runs: int, cached: bool) -> dict[str, Any]:
    env = os.environ.copy()
    if cached:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        _run(argv, env, cwd)  # warm-up: writes the bytecode caches
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        _drop_bytecode()
    times, peaks, report = [], [], ""
    for _ in range(runs):
        wall, peak, report = _run(argv, env, cwd)
        times.append(wall)
        peaks.append(peak)
    summary = json.loads(report)["summary"]
    objects = summary["objects"]
    return {
        "objects": objects,
        "files": summary["files"],
        "findings": sum(summary[k] for k in ("error", "warning", "info", "suppressed")),
        "wall_min": min(times),
        "wall_median": statistics.median(times),
        "objects_per_s_min_wall": objects / min(times),
        "objects_per_s_median_wall": objects / statistics.median(times),
        "peak_mib_max": max(peaks),
    }


def _drop_bytecode() -> None:
    """Remove the gitops package's bytecode caches (a cached run writes them into the source
    tree of an editable install), so "as is" runs compile every module as this sandbox does."""
    spec = importlib.util.find_spec("gitops")
    for folder in spec.submodule_search_locations or [] if spec else []:
        for cache in Path(folder).rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)


def growth(rows: dict[int, dict[str, Any]]) -> dict[str, float]:
    """How median wall time grows with objects: time per object at the largest size over the
    smallest (below 1 when the fixed start-up cost dominates small runs), and a least-squares
    line (slope, intercept, R^2, and the largest relative miss of any size)."""
    sizes = sorted(rows)
    small, large = sizes[0], sizes[-1]
    times = [rows[s]["wall_median"] for s in sizes]
    mean_n, mean_t = statistics.fmean(sizes), statistics.fmean(times)
    slope = sum((n - mean_n) * (t - mean_t) for n, t in zip(sizes, times, strict=True)) / sum(
        (n - mean_n) ** 2 for n in sizes
    )
    intercept = mean_t - slope * mean_n
    fitted = [intercept + slope * n for n in sizes]
    residual = sum((t - f) ** 2 for t, f in zip(times, fitted, strict=True))
    total = sum((t - mean_t) ** 2 for t in times)
    return {
        f"per_object_{large}_over_{small}": (times[-1] / large) / (times[0] / small),
        "fit_us_per_object": slope * 1e6,
        "fit_intercept_s": intercept,
        "fit_r2": 1 - residual / total if total else 1.0,
        "fit_worst_miss": max(abs(t - f) / t for t, f in zip(times, fitted, strict=True)),
    }


def checkov_run(checkov: str, dirs: list[Path], objects: int) -> dict[str, Any]:
    argv = [checkov, "--framework", "kubernetes", "--skip-download", "--quiet", "-o", "json"]
    for folder in dirs:
        argv += ["-d", str(folder)]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    crashed: list[str] = []
    wall, peak, stdout = _run(argv, env, dirs[0].parent, crashed)
    failed = resources = 0
    decoder, index = json.JSONDecoder(), 0
    while not crashed and index < len(stdout.rstrip()):  # one JSON document per -d directory
        document, index = decoder.raw_decode(stdout, index)
        index += len(stdout[index:]) - len(stdout[index:].lstrip())
        for part in document if isinstance(document, list) else [document]:
            failed += part.get("summary", {}).get("failed", 0)
            resources += part.get("summary", {}).get("resource_count", 0)
    return {
        "wall": wall,
        "peak_mib": peak,
        "objects_per_s": objects / wall,
        "failed_checks": failed,
        "resources": resources,
        "crashed": ": ".join(crashed),
    }


def _files(folders: list[Path]) -> list[tuple[str, bytes]]:
    """The files ``gitops lint`` reads in ``folders``, with their bytes."""
    from gitops.k8s.manifests import discover

    return [(path, Path(path).read_bytes()) for path in discover([str(f) for f in folders])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,2000,5000,10000")
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--checkov", default=None, help="path to a checkov executable")
    parser.add_argument("--skip-lint", action="store_true", help="no gitops lint runs")
    parser.add_argument("--skip-parse", action="store_true", help="no parse-only timings")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "gitops-bls")
    parser.add_argument("--json", type=Path, default=None, help="write all numbers here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    corpus = args.corpus or next((p for p in CORPUS_PLACES if p.is_dir()), None)
    args.work.mkdir(parents=True, exist_ok=True)
    repos = {size: build_input(args.work, size) for size in sizes}
    largest = repos[max(sizes)]
    inputs = {f"{max(sizes)} objects": [largest / "rendered", largest / "vendor"]}
    if corpus:
        inputs["corpus"] = [corpus]
    results: dict[str, Any] = {"load_average_at_start": os.getloadavg()}
    if not args.skip_lint:
        results["lint"] = lint_section(repos, corpus, args.work, args.runs)
    if not args.skip_parse:
        results["parse_only"] = parse_section(inputs, max(3, args.runs))
    if args.checkov:
        results["checkov"] = checkov_section(args.checkov, inputs)
    results["load_average_at_end"] = os.getloadavg()
    print(f"load average at start {results['load_average_at_start']}, at end {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


def lint_section(
    repos: dict[int, Path], corpus: Path | None, work: Path, runs: int
) -> dict[str, Any]:
    empty = work / "outside-any-repo"
    empty.mkdir(exist_ok=True)
    results: dict[str, Any] = {}
    for label, cached in (("as is (no bytecode cache)", False), ("bytecode cached", True)):
        argv = [*_gitops(), "lint", "--format", "json", "rendered", "vendor"]
        rows = {size: lint_runs(argv, repo, runs, cached) for size, repo in repos.items()}
        section: dict[str, Any] = {str(size): row for size, row in rows.items()}
        if len(rows) > 1:
            section["growth"] = growth(rows)
        if corpus:
            argv = [*_gitops(), "lint", "--format", "json", str(corpus)]
            section["corpus"] = lint_runs(argv, empty, runs, cached)
        results[label] = section
        _print_lint(label, section)
    return results


def parse_section(inputs: dict[str, list[Path]], runs: int) -> dict[str, Any]:
    from parse_candidates import measure

    results = {}
    for name, folders in inputs.items():
        results[name] = measure(_files(folders), runs)
        for candidate, row in results[name].items():
            print(
                f"parse only, {name}: {candidate}: {row['objects']} objects, "
                f"{row['seconds']:.3f} s, {row['objects_per_s']:,.0f} objects/s"
            )
    return results


def checkov_section(checkov: str, inputs: dict[str, list[Path]]) -> dict[str, Any]:
    from gitops.k8s.manifests import load

    results = {}
    for name, folders in inputs.items():
        objects = len(load([str(f) for f in folders]).manifests)
        row = results[name] = checkov_run(checkov, folders, objects)
        outcome = (
            f"crashed ({row['crashed']})"
            if row["crashed"]
            else f"{row['failed_checks']} failed checks on {row['resources']} resources"
        )
        print(
            f"checkov, {name}: {row['wall']:.1f} s, {row['objects_per_s']:,.0f} objects/s "
            f"({objects} objects as gitops counts them), peak {row['peak_mib']:.0f} MiB, "
            f"{outcome}"
        )
    return results


def _print_lint(label: str, section: dict[str, Any]) -> None:
    for name, row in section.items():
        if name == "growth":
            print(f"[{label}] growth: " + ", ".join(f"{k} {v:.3f}" for k, v in row.items()))
            continue
        print(
            f"[{label}] {name}: {row['objects']} objects in {row['files']} files, "
            f"{row['findings']} findings: wall min {row['wall_min']:.2f} s, median "
            f"{row['wall_median']:.2f} s = {row['objects_per_s_min_wall']:,.0f} objects/s "
            f"(median {row['objects_per_s_median_wall']:,.0f}), peak {row['peak_mib_max']:.0f} MiB"
        )


if __name__ == "__main__":
    if shutil.which("node") is None:
        raise SystemExit("gitops synth needs Node.js to build the inputs")
    main()
