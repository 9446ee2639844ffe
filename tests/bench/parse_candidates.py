"""Parse-only timings of candidate YAML parse paths on the same files (bench_lint_scale.py).

Each candidate turns every file's bytes (read beforehand, so I/O is not counted) into
objects; the result is objects per second, best of ``runs``. Candidates that a machine lacks
(rapidyaml, yaml-rs, ryaml are not our dependencies) are skipped; install them in a throwaway
venv with this package to compare. Only the libyaml-based paths report positions: the others
are shown as the ceiling of what a faster parser could give before positions are added.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import yaml

from gitops.manifests import LoadProblem, Manifest, load_text

Files = list[tuple[str, bytes]]


def gitops_loader(files: Files) -> int:
    """The shipped loader: ``---`` split, libyaml compose, own constructor, checks."""
    manifests: list[Manifest] = []
    problems: list[LoadProblem] = []
    for path, data in files:
        load_text(data, path, manifests, problems)
    return len(manifests)


def libyaml_compose(files: Files) -> int:
    """libyaml's C composer alone (node tree with marks, no data): the floor of our path."""
    count = 0
    for _, data in files:
        try:
            count += sum(1 for _ in yaml.compose_all(data, Loader=yaml.CSafeLoader))
        except yaml.YAMLError:
            continue
    return count


def libyaml_load(files: Files) -> int:
    """``yaml.load_all`` with the C loader: C parser, PyYAML's Python constructor, no marks."""
    count = 0
    for _, data in files:
        try:
            count += sum(1 for d in yaml.load_all(data, Loader=yaml.CSafeLoader) if d)
        except yaml.YAMLError:
            continue
    return count


def _rapidyaml() -> Callable[[Files], int] | None:
    try:
        import ryml  # type: ignore[import-not-found]
    except ImportError:
        return None

    def parse(files: Files) -> int:
        """rapidyaml's C++ tree (no Python objects built; data would cost a call per node)."""
        count = 0
        for _, data in files:
            try:
                tree = ryml.parse_in_arena(data)
            except Exception:
                continue
            root = tree.root_id()
            count += tree.num_children(root) if tree.is_stream(root) else 1
        return count

    return parse


def _yaml_rs() -> Callable[[Files], int] | None:
    try:
        import yaml_rs  # type: ignore[import-not-found]
    except ImportError:
        return None

    def parse(files: Files) -> int:
        """yaml-rs (Rust, YAML 1.2 rules: yes/no/on/off stay strings) to Python data."""
        count = 0
        for _, data in files:
            try:
                loaded: Any = yaml_rs.loads(data.decode("utf-8-sig"))
            except Exception:
                continue
            count += len(loaded) if isinstance(loaded, list) else 1
        return count

    return parse


def _ryaml() -> Callable[[Files], int] | None:
    try:
        import ryaml  # type: ignore[import-not-found]
    except ImportError:
        return None

    def parse(files: Files) -> int:
        """ryaml (Rust serde_yaml) to Python data."""
        count = 0
        for _, data in files:
            try:
                count += sum(1 for d in ryaml.loads_all(data.decode("utf-8-sig")) if d)
            except Exception:
                continue
        return count

    return parse


def candidates() -> dict[str, tuple[Callable[[Files], int], bool]]:
    """Name -> (parse function, gives positions)."""
    found: dict[str, tuple[Callable[[Files], int], bool]] = {
        "gitops loader (libyaml compose + own constructor)": (gitops_loader, True),
        "libyaml compose only (no data)": (libyaml_compose, True),
        "yaml.load_all(CSafeLoader)": (libyaml_load, False),
    }
    for name, factory in (
        ("rapidyaml parse only (no data)", _rapidyaml),
        ("yaml-rs loads", _yaml_rs),
        ("ryaml loads_all", _ryaml),
    ):
        parse = factory()
        if parse is not None:
            found[name] = (parse, False)
    return found


def measure(files: Files, runs: int) -> dict[str, dict[str, float]]:
    """Objects per second of each candidate on ``files`` (best of ``runs``)."""
    results = {}
    for name, (parse, positions) in candidates().items():
        best, objects = float("inf"), 0
        for _ in range(runs):
            start = time.perf_counter()
            objects = parse(files)
            best = min(best, time.perf_counter() - start)
        results[name] = {
            "objects": objects,
            "seconds": best,
            "objects_per_s": objects / best,
            "positions": positions,
        }
    return results
