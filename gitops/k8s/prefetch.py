"""Parsing started before a command asks for it.

``gitops lint DIR`` knows its paths a tenth of a second before it has imported its rules and
read its settings. ``prefetch`` forks a child at that moment, before even the YAML parser is
imported: the child finds the files, queues them and starts parsing, and ``load`` of the same
paths later joins in (``gitops.k8s.parallel.Shared.planned``). This module imports nothing
heavy, so that the fork comes first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from gitops.k8s.parallel import Shared, default_jobs

STDIN = "-"
PARALLEL_MIN_FILES = 400
"""Below this many files, parsing in a second process costs more than it saves."""

_started: dict[tuple[str, ...], Shared[Any]] = {}


def prefetch(paths: Sequence[str]) -> None:
    """Start finding and parsing ``paths`` in a forked child, if they may be enough files
    for two processes (a directory may be; fewer files than ``PARALLEL_MIN_FILES`` named
    one by one are not) and a second core is free. Nothing is started for stdin. The
    command ends with ``cancel_all``."""
    key = tuple(paths)
    if not paths or STDIN in paths or key in _started:
        return
    if len(paths) < PARALLEL_MIN_FILES and not any(os.path.isdir(p) for p in paths):
        return
    if default_jobs(PARALLEL_MIN_FILES, PARALLEL_MIN_FILES) < 2:
        return
    _started[key] = Shared.planned(_plan(key), minimum=PARALLEL_MIN_FILES)


def cancel_all() -> None:
    """Stop every child whose work was not joined: the command that started it is over (it
    failed before loading, say). Its files may change before the next command loads them."""
    while _started:
        _started.popitem()[1].cancel()


def started(paths: Sequence[str]) -> Shared[Any] | None:
    """The work ``prefetch`` started for exactly ``paths``, handed over once."""
    return _started.pop(tuple(paths), None)


def _plan(paths: tuple[str, ...]) -> Callable[[], tuple[Any, int, Callable[[int], Any]]]:
    def plan() -> tuple[Any, int, Callable[[int], Any]]:
        from gitops.k8s.manifests import discover_files, max_file_bytes, parse_file

        real_paths: dict[str, str] = {}
        files, problems = discover_files(paths, real_paths)
        limit = max_file_bytes()
        found = (files, problems, real_paths)
        return found, len(files), lambda index: parse_file(files[index], limit)

    return plan
