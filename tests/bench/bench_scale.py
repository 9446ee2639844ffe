"""Scale benchmark of ``gitops lint`` and ``gitops validate`` at 1x, 4x and 10x (issue #9).

    .venv/bin/python tests/bench/bench_scale.py [--scales 1,4,10] [--runs 3]
        [--commands lint,validate] [--work DIR] [--json FILE]

Input at 1x (built once under ``--work``, reused): every YAML file of the peers' corpus
(``../shared/corpus``: real-world fixtures of kube-linter, kube-score, Polaris, checkov,
kubescape, Kyverno, kubeconform; about 2,100 objects of 130 kinds) plus ``gen_vendor.py``
charts (``helm template`` style) up to 2,665 objects, the size of the issue's held-out corpus.
At N x: N renamed copies of it (every ``name:`` value suffixed per copy, so cross-object
references still hold and no two copies collide).

Each run is a fresh process of the real CLI (``gitops lint|validate --format json DIR``):
import, load, check, report. Wall time and the child's peak RSS (``wait4``) are recorded; the
median of ``--runs`` is printed with ms per object, the slope of ms/object from the smallest
to the largest scale, and the issue's targets beside them:

- lint <= 0.45 ms/object at 2.6k objects (start-up included), <= 0.6 ms/object at 26k;
- validate <= 0.8 ms/object at every size;
- validate peak memory flat (<= 150 MiB at 26k); lint <= 12 KB/object beyond a fixed base.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_vendor import generate as generate_vendor

ROOT = Path(__file__).resolve().parents[2]
BASE_OBJECTS = 2665
CORPUS_PLACES = (ROOT.parent / "shared" / "corpus", Path("/work/shared/corpus"))
_NAME = re.compile(r"(^\s*-?\s*name:\s*)([A-Za-z0-9][-A-Za-z0-9.]*)\s*$", re.MULTILINE)
TARGETS = {
    "lint": "<= 0.45 ms/object at 2.6k (start-up included), <= 0.6 at 26k; "
    "memory <= 12 KB/object beyond a fixed base (<= 350 MiB at 26k)",
    "validate": "<= 0.8 ms/object at every size; peak memory flat, <= 150 MiB at 26k",
}


def corpus() -> Path:
    for place in CORPUS_PLACES:
        if place.is_dir():
            return place
    raise SystemExit("the peer corpus (../shared/corpus) is not here")


def base_input(work: Path) -> Path:
    """The 1x input: the corpus's YAML files plus vendor charts up to BASE_OBJECTS."""
    base = work / "base"
    if (base / ".done").is_file():
        return base
    shutil.rmtree(base, ignore_errors=True)
    source = corpus()
    for path in sorted(source.rglob("*")):
        if path.suffix in (".yaml", ".yml") and path.is_file():
            target = base / "corpus" / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    present = _count_objects(base)
    generate_vendor(base / "vendor", max(0, BASE_OBJECTS - present))
    (base / ".done").write_text(str(_count_objects(base)))
    return base


def scaled_input(work: Path, scale: int) -> tuple[Path, int]:
    base = base_input(work)
    if scale == 1:
        return base, int((base / ".done").read_text())
    target = work / f"x{scale}"
    if not (target / ".done").is_file():
        shutil.rmtree(target, ignore_errors=True)
        for copy in range(scale):
            for path in sorted(base.rglob("*.y*ml")):
                out = target / f"c{copy}" / path.relative_to(base)
                out.parent.mkdir(parents=True, exist_ok=True)
                text = path.read_text(errors="surrogateescape")
                renamed = _NAME.sub(lambda m, c=copy: f"{m.group(1)}{m.group(2)}-c{c}", text)
                out.write_text(renamed, errors="surrogateescape")
        (target / ".done").write_text(str(_count_objects(target)))
    return target, int((target / ".done").read_text())


def _count_objects(directory: Path) -> int:
    from gitops.k8s.manifests import load

    return len(load([str(directory)]).manifests)


def run_once(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {code}: {child.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="1,4,10")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--commands", default="lint,validate")
    parser.add_argument("--work", type=Path, default=Path("/tmp/gitops-bench-scale"))
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE as the environment sets it (every run compiles)",
    )
    args = parser.parse_args()
    env = dict(os.environ)
    if not args.no_bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-m", "gitops", "--version"], env=env, check=True)
    gitops = str(Path(sys.executable).with_name("gitops"))
    results: list[dict[str, Any]] = []
    print(
        f"machine: shared ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}); medians of "
        f"{args.runs} runs; fresh process per run; CPU = user + system time of the child"
    )
    for command in args.commands.split(","):
        rows = []
        for scale in (int(s) for s in args.scales.split(",")):
            directory, objects = scaled_input(args.work, scale)
            argv = [gitops, command, "--format", "json", str(directory)]
            if command == "validate":
                argv[2:2] = ["--kubernetes-version", "1.31"]
            samples = [run_once(argv, ROOT, env) for _ in range(args.runs)]
            wall = statistics.median(s[0] for s in samples)
            cpu = statistics.median(s[1] for s in samples)
            peak = statistics.median(s[2] for s in samples)
            row = {
                "command": command,
                "scale": scale,
                "objects": objects,
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
                "ms_per_object": round(1000 * wall / objects, 4),
                "cpu_ms_per_object": round(1000 * cpu / objects, 4),
                "peak_mib": round(peak, 1),
                "kb_per_object": round(peak * 1024 / objects, 2),
            }
            rows.append(row)
            print(
                f"  {command:<8} {scale:>3}x {objects:>7} objects  wall {wall:7.2f} s "
                f"({row['ms_per_object']:.3f} ms/object)  CPU {cpu:7.2f} s "
                f"({row['cpu_ms_per_object']:.3f} ms/object)  peak {peak:6.1f} MiB"
            )
        if len(rows) > 1:
            first, last = rows[0], rows[-1]
            slope = last["ms_per_object"] / first["ms_per_object"]
            cpu_slope = last["cpu_ms_per_object"] / first["cpu_ms_per_object"]
            growth = (
                (last["peak_mib"] - first["peak_mib"]) * 1024 / (last["objects"] - first["objects"])
            )
            print(
                f"  {command}: ms/object {first['scale']}x -> {last['scale']}x: wall x{slope:.2f}, "
                f"CPU x{cpu_slope:.2f}; "
                f"memory beyond the {first['scale']}x run: {growth:.1f} KB/object"
            )
        print(f"  target: {TARGETS[command]}")
        results += rows
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
