"""A local cache of ``gitops check`` results, as ``mypy``, ``ruff`` and ``eslint --cache`` keep
one: when nothing a check read has changed, the next identical check prints the recorded report
(the same bytes) and exits with the recorded code, without importing the validator or the
linter (about 1 s on this repo).

A record (``.gitops/cache/check-<key>.json``, ignored by git like the synth cache) is keyed by
the command's options (format, fail_on, preset, Kubernetes version, engine, ignore-missing-
schemas, colour, paths, where it was started) and holds:

- what is installed, as :func:`gitops.render.synth_cache.installation` describes it (the
  gitops package's version and every file, the Python version, cdk8s/constructs/jsii, Node.js),
  plus the Python prefix, the module search path and the names of the distributions in
  ``site-packages`` (versions included: a new jsonschema-rs or PyYAML changes them);
- everything the run read, recorded while it ran (``synth_cache.recording()``): the sha256 of
  every file it opened under the repo root (``rendered/``, the render index, ``apps/`` and
  ``envs/`` when the synth cache was consulted, a module's source for its bytecode) and outside
  it (not the Python installation), ``pyproject.toml`` always, the names in every directory it
  listed and in the root and every folder it opened a file in, and the hashes (never the
  values) of the environment variables it looked up;
- the text it printed on stdout and stderr, and its exit code.

A record is written only for a run that exits 0 or 1 whose drift check needed no render (the
synth cache proved ``rendered/`` current, or there is no ``apps/``), with the built-in engine,
that started no program and loaded no library, logged no warning, and during which nothing it
read changed (modification times). Never with ``--new-since``/``--baseline`` (git state and a
baseline file). ``--no-cache``, ``GITOPS_NO_CACHE`` and ``CI`` turn it off, as for the synth
cache. The last :data:`KEEP` records are kept; an unreadable record is a miss.

Known blind spots, as for any such cache: a file the run only tested for (``stat``) in a
folder it neither listed nor read a file from, and whatever a C extension reads on its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitops.commands.check_options import CheckOptions
from gitops.render import synth_cache
from gitops.settings import PYPROJECT, STATE_DIR, Settings

if TYPE_CHECKING:
    from gitops.commands.review_findings import ReviewOptions

_CACHE_NAME = "cache"
CACHE_DIR = f"{STATE_DIR}/{_CACHE_NAME}"
PREFIX = "check-"
FORMAT = 1
KEEP = 8
"""Records kept (one per set of options), the most recently used first."""
_CHANGED_WHILE_RUNNING_NS = 20_000_000
"""A file modified this long before the run started may have been modified during it (file
times come from a clock that ticks every few milliseconds)."""
NO_CACHE = synth_cache.NO_CACHE_ENV
_DESCRIBED_OTHERWISE = frozenset({"PATH", "JSII_NODE", "CI", NO_CACHE})
"""Looked up by the run, but described otherwise: PATH and JSII_NODE by the Node.js binary
they resolve to (``installation()``; the built-in engine runs nothing else), CI and
GITOPS_NO_CACHE by the cache being on at all."""
_IGNORED_ENV = frozenset({"GITOPS_DEBUG"})
"""Changes only the debug lines on stderr, which are not part of the record."""


@dataclass
class RunFacts:
    """What ``run_check`` tells the cache about how it reached its result."""

    drift: str | None = None
    """How rendered/ was proved current: ``synth cache hit``, ``no apps/`` or ``rendered``."""
    engine: str | None = None
    """The validation engine asked for (flag over config): only ``builtin`` is cached."""
    schema_dirs: tuple[Path, ...] = ()
    """[tool.gitops.validate] schema_dirs: their whole trees are part of the record."""


def off_reason(no_cache: bool, review: ReviewOptions | None, engine: str | None) -> str | None:
    """Why this check must neither read nor write a record, or None."""
    off = synth_cache.off_reason(no_cache)
    if off is not None:
        return off
    if review is not None:
        return "--new-since/--baseline read git and the baseline file"
    if engine not in (None, "builtin"):
        return f"--engine {engine} runs a program"
    return None


def run_check_cached(
    settings: Settings,
    options: CheckOptions,
    *,
    echo: Callable[[str], None],
    warn: Callable[[str], None],
    debug: Callable[[str], None],
    review: ReviewOptions | None = None,
    no_cache: bool = False,
    started_in: str | None = None,
) -> int:
    """``gitops check`` from the command line: from a current record when there is one, else
    run (:func:`gitops.commands.check.run_check`) and record it when it may be."""

    def run(
        echo: Callable[[str], None], warn: Callable[[str], None], facts: RunFacts | None
    ) -> int:
        from gitops.commands.check import run_check

        return run_check(
            settings,
            options,
            echo=echo,
            review=review,
            warn=warn,
            cache=not no_cache,
            debug=debug,
            facts=facts,
        )

    off = off_reason(no_cache, review, options.engine)
    if off is not None:
        debug(f"check cache: off ({off})")
        return run(echo, warn, None)
    key = {
        **asdict(options),
        "paths": list(options.paths),
        "env": None,
        "root": str(settings.root),
        "started_in": started_in,
    }
    return cached(settings.root, key, run, echo=echo, warn=warn, debug=debug)


def cached(
    root: Path,
    options: Mapping[str, Any],
    run: Callable[[Callable[[str], None], Callable[[str], None], RunFacts | None], int],
    *,
    echo: Callable[[str], None],
    warn: Callable[[str], None],
    debug: Callable[[str], None],
) -> int:
    """Replay the record for ``options`` when every input it describes is unchanged; else
    ``run`` (given echo and warn to tee, and a ``RunFacts`` to fill) and record it."""
    path = record_path(root, options)
    installed = _installation()
    record, why = _lookup(root, path, options, installed)
    if record is not None:
        debug("check cache: hit (no input of the last identical check changed)")
        with suppress(OSError):
            os.utime(path)  # the most recently used records are the ones kept
        for text in record["stderr"]:
            warn(text)
        echo(record["stdout"])
        return int(record["exit_code"])
    out: list[str] = []
    err: list[str] = []
    facts = RunFacts()
    started = time.time_ns()
    stored: str | None = "the run failed"
    try:
        with synth_cache.recording() as seen, _LoggedWarnings() as logged:

            def tee_out(text: str) -> None:
                out.append(text)
                echo(text)

            def tee_err(text: str) -> None:
                err.append(text)
                warn(text)

            code = run(tee_out, tee_err, facts)
        stored = _not_cacheable(code, seen, facts, logged.count)
        if stored is None:
            stored = _store(root, path, options, installed, seen, facts, started, out, err, code)
        return code
    finally:
        outcome = "recorded" if stored is None else f"not recorded: {stored}"
        debug(f"check cache: miss ({why}; {outcome})")


def record_path(root: Path, options: Mapping[str, Any]) -> Path:
    key = hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()[:20]
    return root / CACHE_DIR / f"{PREFIX}{key}.json"


def _installation() -> dict[str, Any]:
    return {
        **synth_cache.installation(),
        "prefix": sys.prefix,
        # Not sys.path[0]: the script's folder or the working directory, which differ between
        # `gitops check` and `python -m gitops check` (the same code either way).
        "path": sys.path[1:],
        "site": _site_distributions(),
    }


def _site_distributions() -> list[str]:
    """The dist-info (and egg-info) names in every site-packages folder on ``sys.path``."""
    found: list[str] = []
    for entry in sys.path:
        if os.path.basename(entry) not in ("site-packages", "dist-packages"):
            continue
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        found += sorted(
            f"{entry}/{n}" for n in names if n.endswith((".dist-info", ".egg-info", ".pth"))
        )
    return found


def _lookup(
    root: Path, path: Path, options: Mapping[str, Any], installed: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, str]:
    """The record when it is current, else None and why not."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("format") != FORMAT or record.get("options") != options:
            return None, "no record for these options"
        for key, value in installed.items():
            if record["installed"].get(key) != value:
                return None, f"{_INSTALLED_NAMES.get(key, key)} changed"
        watched = record["watched"]
        now = _describe(root, watched["files"], watched["listed"], watched["env"])
        recorded = record["inputs"]
        if now != recorded:
            return None, _difference(recorded, now)
        if not isinstance(record["stdout"], str) or not isinstance(record["exit_code"], int):
            return None, "unreadable record"
        if not all(isinstance(t, str) for t in record["stderr"]):
            return None, "unreadable record"
    except FileNotFoundError:
        return None, "no record for these options"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, "unreadable record"
    return record, ""


_INSTALLED_NAMES = {
    "gitops": "the gitops package",
    "python": "the Python version",
    "distributions": "cdk8s, constructs or jsii",
    "node": "the Node.js binary",
    "prefix": "the Python environment",
    "path": "the module search path",
    "site": "an installed distribution",
}


_DIFFERENCES = (
    ("files", "{} changed"),
    ("listings", "the files in {} changed"),
    ("env", "${} changed"),
)


def _difference(recorded: Mapping[str, Any], now: Mapping[str, Any]) -> str:
    for kind, what in _DIFFERENCES:
        was, _is = recorded.get(kind, {}), now.get(kind, {})
        for name in sorted(set(was) | set(_is)):
            if was.get(name) != _is.get(name):
                return what.format(name or ".")
    return "an input changed"


def _describe(
    root: Path, files: Iterable[str], listed: Iterable[str], env: Iterable[str]
) -> dict[str, Any]:
    listings = synth_cache.listings(root, listed)
    state = listings.get(STATE_DIR)
    if state is not None:  # the caches come and go with every run
        listings[STATE_DIR] = [n for n in state if n != _CACHE_NAME]
    return {
        "files": {name: synth_cache.file_hash(root / name) for name in sorted(set(files))},
        "listings": listings,
        "env": synth_cache.env_digests(env),
    }


def _not_cacheable(
    code: int, seen: synth_cache.Recording, facts: RunFacts, warnings: int
) -> str | None:
    if code not in (0, 1):
        return f"exit code {code}"
    if facts.drift not in ("synth cache hit", "no apps/"):
        return "a render ran" if facts.drift == "rendered" else "drift was not checked"
    if facts.engine != "builtin":
        return f"engine {facts.engine}"
    if seen.programs:
        return f"it started {os.path.basename(seen.programs[0])}"
    if seen.libraries:
        return f"it loaded {seen.libraries[0]}"
    if warnings:
        return "it logged warnings"
    return None


def _watched(
    root: Path, seen: synth_cache.Recording, facts: RunFacts
) -> tuple[list[str], list[str], list[str]]:
    """Files, folders and environment variables the run read, as the record names them:
    repo-relative under the root, absolute elsewhere."""
    real_root = os.path.realpath(root)
    package = str(Path(synth_cache.__file__).resolve().parents[1])
    own = os.path.realpath(root / CACHE_DIR)
    files: set[str] = {PYPROJECT}
    dirs: set[str] = {""}
    for opened in seen.opened:
        path = _source_of(os.path.realpath(opened))
        name = _name(path, real_root, package, own)
        if name is None:
            continue
        files.add(name)
        if not os.path.isabs(name):
            dirs.add(os.path.dirname(name))
    for listed in seen.listed:
        name = _name(os.path.realpath(listed), real_root, package, own)
        if name is not None and not os.path.isabs(name):
            dirs.add(name)
            # What is in a folder the run listed may have been read where the audit hook does
            # not hear it: a forked child parses part of a large rendered/ (k8s.parallel).
            files.update(_files_in(root, name))
    for directory in facts.schema_dirs:
        for top, subdirs, _ in os.walk(directory):
            subdirs.sort()
            name = _name(os.path.realpath(top), real_root, package, own)
            if name is not None:
                dirs.add(name)
    env = sorted(seen.env - _DESCRIBED_OTHERWISE - _IGNORED_ENV)
    return sorted(files), sorted(dirs), env


def _files_in(root: Path, name: str) -> list[str]:
    """The regular files directly in the folder ``name`` (repo-relative), bytecode aside."""
    try:
        with os.scandir(root / name) as entries:
            return [
                f"{name}/{entry.name}" if name else entry.name
                for entry in entries
                if entry.is_file() and not entry.name.endswith(".pyc")
            ]
    except OSError:
        return []


def _source_of(path: str) -> str:
    """A module's source for its bytecode (``pkg/__pycache__/mod.cpython-311.pyc``)."""
    head, tail = os.path.split(path)
    if os.path.basename(head) == "__pycache__" and tail.endswith(".pyc"):
        return os.path.join(os.path.dirname(head), tail.split(".", 1)[0] + ".py")
    return path


def _name(path: str, root: str, package: str, own: str) -> str | None:
    """How the record names ``path``; None for what is described otherwise (the Python
    installation, the gitops package, the caches) or never an input (git's own files)."""
    if synth_cache.under(path, package, own) or synth_cache.in_python_installation(path):
        return None
    if not synth_cache.under(path, root):
        # Not the root's own tree: a device, /proc, a temporary file, or a real input.
        if path.startswith(("/dev/", "/proc/", "/sys/")):
            return None
        return path
    rel = path[len(root) + 1 :].replace(os.sep, "/")
    parts = rel.split("/")
    if parts[0] == ".git" or "__pycache__" in parts:
        return None
    return rel


def _store(
    root: Path,
    path: Path,
    options: Mapping[str, Any],
    installed: Mapping[str, Any],
    seen: synth_cache.Recording,
    facts: RunFacts,
    started: int,
    out: Sequence[str],
    err: Sequence[str],
    code: int,
) -> str | None:
    """Write the record; or why not (an input changed while the run read it)."""
    files, listed, env = _watched(root, seen, facts)
    since = started - _CHANGED_WHILE_RUNNING_NS
    for name in (*files, *listed):
        try:
            if os.stat(root / name).st_mtime_ns >= since:
                return f"{name or '.'} changed during the run"
        except OSError:
            continue
    record = {
        "format": FORMAT,
        "options": dict(options),
        "installed": dict(installed),
        "watched": {"files": files, "listed": listed, "env": env},
        "inputs": _describe(root, files, listed, env),
        "stdout": "".join(out),
        "stderr": list(err),
        "exit_code": code,
    }
    synth_cache.write_json(path, record)
    _prune(path.parent)
    return None


def _prune(folder: Path) -> None:
    """Keep the :data:`KEEP` most recently used records."""
    records = []
    with suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith(PREFIX) and entry.name.endswith(".json"):
                with suppress(OSError):
                    records.append((entry.stat().st_mtime_ns, entry.path))
    for _, old in sorted(records, reverse=True)[KEEP:]:
        with suppress(OSError):
            os.unlink(old)


class _LoggedWarnings:
    """Counts the warnings gitops logs while a check runs (they go to stderr as they happen,
    so a replay could not repeat them: such a run is not recorded)."""

    def __init__(self) -> None:
        self.count = 0
        self._handler: Any = None

    def __enter__(self) -> _LoggedWarnings:
        import logging

        counter = self

        class _Counter(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                counter.count += 1

        self._handler = _Counter(logging.WARNING)
        logging.getLogger("gitops").addHandler(self._handler)
        return self

    def __exit__(self, *_: object) -> None:
        if self._handler is not None:
            import logging

            logging.getLogger("gitops").removeHandler(self._handler)
