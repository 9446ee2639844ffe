"""Parse-only timings of candidate YAML parse paths on the same files (bench_lint_scale.py).

Each candidate turns every file's bytes (read beforehand, so I/O is not counted) into
objects (documents, for parsers that do not check for Kubernetes objects); the result is objects per second, best of ``runs``. Candidates that a machine lacks
(rapidyaml, yaml-rs, ryaml are not our dependencies) are skipped; install them in a throwaway
venv with this package to compare. Only the libyaml-based paths report positions: the others
are shown as the ceiling of what a faster parser could give before positions are added.

On the 1x corpus of bench_scale.py (2026-12-01, best of 3): the shipped loader 0.507 s with
positions; rapidyaml to JSON 0.068 s without them; rapidyaml's tree walked from Python (the
only way to positions with its binding) 0.369 s before any position, YAML 1.1 scalar or
check is added, against 0.230 s for libyaml's composer with our Loader: a call into the
binding per node costs more than libyaml's C composer builds, so no rapidyaml path with
positions beats the shipped one.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from typing import Any

import yaml

from gitops.k8s.manifests import LoadProblem, Manifest, load_text
from gitops.k8s.yaml_data import Loader

Files = list[tuple[str, bytes]]


def gitops_loader(files: Files) -> int:
    """The shipped loader: ``---`` split, libyaml compose, own constructor, checks."""
    manifests: list[Manifest] = []
    problems: list[LoadProblem] = []
    for path, data in files:
        load_text(data, path, manifests, problems)
    return len(manifests)


def libyaml_compose(files: Files, loader: Any = yaml.CSafeLoader) -> int:
    """libyaml's C composer alone (node tree with marks, no data): the floor of our path."""
    count = 0
    for _, data in files:
        try:
            count += sum(1 for _ in yaml.compose_all(data, Loader=loader))
        except yaml.YAMLError:
            continue
    return count


def gitops_compose(files: Files) -> int:
    """The same with gitops' Loader (each distinct plain scalar's tag resolved once)."""
    return libyaml_compose(files, Loader)


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
        """rapidyaml (C++) emitting JSON for ``json.loads``: the cheapest way from its tree to
        Python data (walking the tree costs a call per node). YAML 1.2 scalars: yes, on and
        0755 stay strings, unlike PyYAML and Kubernetes' YAML 1.1 readers."""
        count = 0
        for _, data in files:
            try:
                loaded = json.loads(ryml.emit_json(ryml.parse_in_arena(data)))
            except Exception:
                continue
            count += len(loaded) if isinstance(loaded, list) else 1
        return count

    return parse


def _rapidyaml_walk() -> Callable[[Files], int] | None:
    try:
        import ryml
    except ImportError:
        return None

    def parse(files: Files) -> int:
        """rapidyaml's tree walked from Python into data, the only way to positions with its
        binding (it has no location API: a node's offset would come from where its key's
        bytes sit in the parsed buffer): the floor of such a path, before positions and
        YAML 1.1 scalars are added."""
        count = 0
        for _, data in files:
            try:
                tree = ryml.parse_in_arena(data)
            except Exception:
                continue
            root = tree.root_id()
            docs = list(ryml.children(tree, root)) if tree.is_stream(root) else [root]
            count += sum(1 for doc in docs if _ryml_data(tree, doc, ryml.NONE))
        return count

    return parse


def _ryml_data(tree: Any, node: int, none: int) -> Any:
    """One node's data: a call into the binding per question asked of each node."""
    if tree.is_map(node):
        out = {}
        child = tree.first_child(node)
        while child != none:
            out[bytes(tree.key(child)).decode()] = _ryml_data(tree, child, none)
            child = tree.next_sibling(child)
        return out
    if tree.is_seq(node):
        items = []
        child = tree.first_child(node)
        while child != none:
            items.append(_ryml_data(tree, child, none))
            child = tree.next_sibling(child)
        return items
    value = tree.val(node)
    return None if value is None else bytes(value).decode()


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
        "libyaml compose only, gitops Loader (no data)": (gitops_compose, True),
        "yaml.load_all(CSafeLoader)": (libyaml_load, False),
    }
    for name, factory in (
        ("rapidyaml to JSON, json.loads", _rapidyaml),
        ("rapidyaml tree walked from Python", _rapidyaml_walk),
        ("yaml-rs loads", _yaml_rs),
        ("ryaml loads_all", _ryaml),
    ):
        parse = factory()
        if parse is not None:
            found[name] = (parse, False)
    return found


def measure(files: Files, runs: int) -> dict[str, dict[str, float]]:
    """Objects per second of each candidate on ``files`` (best of ``runs``), with the cycle
    collector paused as ``gitops lint`` pauses it."""
    results = {}
    for name, (parse, positions) in candidates().items():
        best, objects = float("inf"), 0
        for _ in range(runs):
            gc.collect()
            gc.disable()
            start = time.perf_counter()
            objects = parse(files)
            best = min(best, time.perf_counter() - start)
            gc.enable()
        results[name] = {
            "objects": objects,
            "seconds": best,
            "objects_per_s": objects / best,
            "positions": positions,
        }
    return results
