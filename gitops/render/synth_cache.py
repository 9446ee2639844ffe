"""A local cache of "these sources render to this tree", so ``gitops check`` on a developer's
machine proves ``rendered/`` current without starting cdk8s and Node.js (about 3 s) when
nothing it renders from has changed.

The record (``.gitops/cache/synth.json``, ignored by git through its own ``.gitignore``) maps a
description of every input a full render read to the digest of the tree it produced:

- the gitops package (its version and the bytes of every ``.py`` file in it), the Python
  version, the installed cdk8s, constructs and jsii distributions, and the Node.js binary;
- every file under ``apps/`` and ``envs/`` (images files included) and ``pyproject.toml``;
- every module under the repo root that is loaded when the render ends (helpers that apps
  import), and every other file under the root the render opened, and the names in every
  directory under the root it listed (``sys.addaudithook``);
- the environment variables the render looked up by name (their hashes, never the values).

A render that starts a program other than Node.js, or loads a shared library through ctypes
(Helm), is not recorded: what such a program reads cannot be seen. Nor is what Node.js reads
on its own (a cdk8s ``Include`` of a local file): keep such files under ``apps/`` or ``envs/``.

``check`` trusts a record only for a whole-repo run, when the description of the inputs now is
equal to the recorded one *and* the files in ``rendered/`` plus the render index hash to the
recorded digest; then the fresh render would be byte-identical to what is committed, so there
is no drift. Anything else (a changed input, a hand-edited rendered file, no record) runs the
real render, which reports the drift. ``--no-cache``, ``GITOPS_NO_CACHE=1`` and ``CI`` set
(as every CI service sets it) turn the cache off, so CI always renders for real.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitops.errors import GitopsError
from gitops.settings import INDEX_PATH, PYPROJECT, RENDERED_DIR, STATE_DIR

CACHE_PATH = f"{STATE_DIR}/cache/synth.json"
FORMAT = 1
NO_CACHE_ENV = "GITOPS_NO_CACHE"
_DISTRIBUTIONS = ("cdk8s", "constructs", "jsii")
_FOUND_BY_WATCHING = ("files", "listings", "env")
_SKIPPED_TOPS = (RENDERED_DIR, STATE_DIR, ".git")


def enabled(no_cache: bool = False) -> bool:
    """Off with ``--no-cache``, ``GITOPS_NO_CACHE`` (not empty or 0) or ``CI`` set (not empty,
    0 or false)."""
    return off_reason(no_cache) is None


def off_reason(no_cache: bool = False) -> str | None:
    """Why gitops' local caches are off (see :func:`enabled`), or None."""
    if no_cache:
        return "--no-cache"
    if os.environ.get(NO_CACHE_ENV, "") not in ("", "0"):
        return f"{NO_CACHE_ENV} is set"
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        return "CI is set"
    return None


# What a render does, seen from inside the process.


@dataclass
class Recording:
    opened: set[str] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)
    env: set[str] = field(default_factory=set)
    programs: list[str] = field(default_factory=list)
    libraries: list[str] = field(default_factory=list)


_ACTIVE: list[Recording] = []
_HOOKED = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _ACTIVE:
        return
    # Every active recording hears it: a recorded render may run inside a recorded check.
    try:
        if event == "open":
            if isinstance(args[0], (str, bytes)):
                opened = os.path.abspath(os.fsdecode(args[0]))
                for recording in _ACTIVE:
                    recording.opened.add(opened)
        elif event in ("os.listdir", "os.scandir"):
            path = args[0] if args[0] is not None else "."
            if isinstance(path, (str, bytes)):
                listed = os.path.abspath(os.fsdecode(path))
                for recording in _ACTIVE:
                    recording.listed.add(listed)
        elif event == "subprocess.Popen":
            executable, argv = args[0], args[1]
            program = executable or (argv[0] if isinstance(argv, (list, tuple)) else argv)
            for recording in _ACTIVE:
                recording.programs.append(os.fsdecode(program))
        elif event == "ctypes.dlopen":
            for recording in _ACTIVE:
                recording.libraries.append(str(args[0]))
    except Exception:  # an audit hook must never break the operation it watches
        for recording in _ACTIVE:
            recording.programs.append("<unknown>")


class _RecordingEnviron(os._Environ):  # type: ignore[type-arg]
    """``os.environ`` that notes every variable looked up by name (``get``, ``[]``, ``in``)."""

    def __init__(self, recording: Recording, real: Any) -> None:
        super().__init__(
            real._data, real.encodekey, real.decodekey, real.encodevalue, real.decodevalue
        )
        self._recording = recording

    def __getitem__(self, key: str) -> str:
        self._recording.env.add(key)
        for recording in _ACTIVE:
            recording.env.add(key)
        return str(super().__getitem__(key))


@contextmanager
def recording() -> Iterator[Recording]:
    """Record what the code run inside reads (files, directory listings, environment
    variables) and which programs and libraries it starts."""
    global _HOOKED
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED = True
    seen = Recording()
    real = os.environ
    os.environ = _RecordingEnviron(seen, real)  # noqa: B003 (same variables, watched)
    _ACTIVE.append(seen)
    try:
        yield seen
    finally:
        _ACTIVE.remove(seen)
        os.environ = real  # noqa: B003


# The description of the inputs.


def _digest(parts: Iterable[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for name, data in parts:
        encoded = name.encode("utf-8", "surrogateescape")
        h.update(b"%d:%s%d:" % (len(encoded), encoded, len(data)))
        h.update(data)
    return h.hexdigest()


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def file_hash(path: Path) -> str | None:
    """The sha256 of a regular file's bytes; None when it does not exist, and the kind of
    anything else (a device or a pipe is never read)."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat.S_ISREG(mode):
        return "directory" if stat.S_ISDIR(mode) else "special"
    return _file_hash(path)


def _walk(directory: Path, root: Path) -> Iterator[str]:
    """Repo-relative paths of the files under ``directory`` (caches excluded)."""
    if not directory.is_dir():
        return
    start = len(str(root).rstrip(os.sep)) + 1
    for top, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in files:
            if not name.endswith((".pyc", ".pyo")):
                yield os.path.join(top, name)[start:].replace(os.sep, "/")


def _package_source() -> str:
    """The gitops version and every file of the package (code, templates, schemas)."""
    from gitops import __version__

    package = Path(__file__).resolve().parents[1]
    parts = [("version", __version__.encode())]
    for name in sorted(_walk(package, package)):
        with open(os.path.join(package, name), "rb") as handle:
            parts.append((name, handle.read()))
    return _digest(parts)


def _distributions() -> dict[str, str]:
    """Name -> dist-info folder and the package's ``__init__.py`` size and mtime (no import,
    no importlib.metadata scan)."""
    import importlib.util

    found: dict[str, str] = {}
    listings: dict[str, list[str]] = {}
    for name in _DISTRIBUTIONS:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None or spec.origin is None:
            found[name] = "absent"
            continue
        origin = Path(spec.origin)
        site = str(origin.parent.parent)
        if site not in listings:
            listings[site] = sorted(os.listdir(site))
        infos = [n for n in listings[site] if n.lower().startswith(f"{name}-")]
        info = origin.stat()
        found[name] = f"{origin} {info.st_size} {info.st_mtime_ns} {' '.join(infos)}"
    return found


def _node() -> str:
    import shutil

    node = shutil.which(os.environ.get("JSII_NODE", "node"))
    if node is None:
        return "absent"
    real = os.path.realpath(node)
    info = os.stat(real)
    return f"{real} {info.st_size} {info.st_mtime_ns}"


def under(path: str, *folders: str) -> bool:
    """``path`` is one of ``folders`` or lies inside one of them (all real paths)."""
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def in_python_installation(path: str) -> bool:
    """Part of the Python installation (a virtualenv inside the repo is not a source)."""
    return under(path, sys.prefix, sys.base_prefix, sys.exec_prefix)


def _repo_relative(path: str, root: str) -> str | None:
    """``path`` relative to ``root`` when it is a source under it (not rendered/, .gitops/,
    .git/, bytecode or the Python installation), else None."""
    if not path.startswith(root + os.sep) or in_python_installation(path):
        return None
    rel = path[len(root) + 1 :].replace(os.sep, "/")
    if rel.split("/", 1)[0] in _SKIPPED_TOPS or "__pycache__" in rel.split("/"):
        return None
    return rel


def _extra_sources(root: str, seen: Recording) -> tuple[list[str], list[str]]:
    """Files (loaded modules and opened files) and listed directories under ``root``."""
    files: set[str] = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str):
            rel = _repo_relative(os.path.realpath(file), root)
            if rel is not None:
                files.add(rel)
    for path in seen.opened:
        rel = _repo_relative(os.path.realpath(path), root)
        if rel is not None and os.path.isfile(path):
            files.add(rel)
    dirs = {
        rel
        for rel in (_repo_relative(os.path.realpath(p), root) for p in seen.listed)
        if rel is not None
    }
    return sorted(files), sorted(dirs)


def describe(
    root: Path,
    apps_dir: Path,
    envs_dir: Path,
    extra_files: Iterable[str],
    listed: Iterable[str],
    env_names: Iterable[str],
) -> dict[str, Any]:
    """Everything a whole-repo render of ``root`` depends on, as comparable JSON."""
    names = {PYPROJECT, *_walk(apps_dir, root), *_walk(envs_dir, root), *extra_files}
    return {
        **installation(),
        "files": {name: _file_hash(root / name) for name in sorted(names)},
        "listings": listings(root, listed),
        "env": env_digests(env_names),
    }


def installation() -> dict[str, Any]:
    """What is installed rather than in the repo: the gitops package (version and every file),
    the Python version, the cdk8s, constructs and jsii distributions, the Node.js binary."""
    return {
        "gitops": _package_source(),
        "python": sys.version,
        "distributions": _distributions(),
        "node": _node(),
    }


def listings(root: Path, names: Iterable[str]) -> dict[str, list[str] | None]:
    """The sorted names in each of the directories ``names`` (relative to ``root``, or
    absolute); None for one that cannot be listed."""
    found: dict[str, list[str] | None] = {}
    for rel in sorted(set(names)):
        try:
            found[rel] = sorted(os.listdir(root / rel))
        except OSError:
            found[rel] = None
    return found


def env_digests(names: Iterable[str]) -> dict[str, str | None]:
    """The sha256 of each environment variable's value (None when unset), never the value."""
    return {
        name: None
        if name not in os.environ
        else hashlib.sha256(os.environ[name].encode("utf-8", "surrogateescape")).hexdigest()
        for name in sorted(set(names))
    }


def write_json(path: Path, record: Mapping[str, Any]) -> None:
    """Write ``record`` to ``path`` in ``.gitops/cache/`` atomically (a temporary file
    renamed over it), creating the folder and its ``.gitignore`` first. A cache that cannot be
    written is no cache, not an error."""
    import tempfile  # only a miss writes: a hit does not need it

    with suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# gitops' local caches: never committed.\n*\n")
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(record, handle, sort_keys=True)
            os.replace(tmp, path)
        finally:
            with suppress(FileNotFoundError):
                os.unlink(tmp)


def tree_digest(files: Mapping[str, bytes], index: bytes | None) -> str:
    """The digest of a rendered tree (repo-relative path -> bytes) and its render index."""
    parts = [(path, files[path]) for path in sorted(files)]
    parts.append((INDEX_PATH, index if index is not None else b"\0absent"))
    return _digest(parts)


def _tree_on_disk(root: Path) -> str:
    from gitops.render.rendered import list_tree

    files = {path: (root / path).read_bytes() for path in list_tree(root)}
    try:
        index: bytes | None = (root / INDEX_PATH).read_bytes()
    except FileNotFoundError:
        index = None
    return tree_digest(files, index)


# The record.


def save(
    root: Path,
    apps_dir: Path,
    envs_dir: Path,
    seen: Recording,
    digest: str,
    before: Mapping[str, Any],
) -> None:
    """Record that the render just watched (``seen``) produced the tree ``digest``. Not
    recorded (and an older record forgotten): a render that ran other programs or libraries,
    or during which a source changed (``before``: ``describe`` of the sources before it)."""
    path = root / CACHE_PATH
    node = _node().split(" ", 1)[0]
    foreign = [
        p
        for p in seen.programs
        if os.path.realpath(p) != node and os.path.basename(p) not in ("node", "node.exe")
    ]
    if foreign or seen.libraries:
        forget(root)
        return
    real_root = os.path.realpath(root)
    files, dirs = _extra_sources(real_root, seen)
    inputs = describe(root, apps_dir, envs_dir, files, dirs, seen.env)
    if any(inputs[k] != v for k, v in before.items() if k not in _FOUND_BY_WATCHING) or any(
        inputs["files"].get(name) != hashed for name, hashed in before["files"].items()
    ):
        forget(root)
        return
    record = {
        "format": FORMAT,
        "inputs": inputs,
        "extra": {"files": files, "listed": dirs, "env": sorted(seen.env)},
        "digest": digest,
    }
    write_json(path, record)


def forget(root: Path) -> None:
    with suppress(OSError):
        (root / CACHE_PATH).unlink()


def is_current(root: Path, apps_dir: Path, envs_dir: Path) -> bool:
    """True when the record proves a whole-repo render would give exactly what is on disk."""
    try:
        record = json.loads((root / CACHE_PATH).read_text(encoding="utf-8"))
        extra = record["extra"]
        if record.get("format") != FORMAT:
            return False
        now = describe(root, apps_dir, envs_dir, extra["files"], extra["listed"], extra["env"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if now != record["inputs"]:
        return False
    try:
        return bool(_tree_on_disk(root) == record["digest"])
    except (OSError, ValueError, GitopsError):  # the real render reports what is wrong
        return False
