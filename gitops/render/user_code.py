"""Run the config repo's own Python (apps/*.py, envs/*.py); turn its failures into one clear line.

A user module that raises must not print a traceback: the error names the file and line in the
user's code where it happened (the deepest frame inside ``apps/`` or ``envs/``), the exception,
and what to do. ``SystemExit`` and ``GeneratorExit`` are errors too (user code must not end the
run); only Ctrl-C (``KeyboardInterrupt``) stops it. What user code writes to stdout is moved to
stderr, so it never mixes into a report.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout, suppress
from pathlib import Path
from types import ModuleType

from gitops.errors import GitopsError, SourceError


def relative(path: Path, root: Path) -> str:
    """``path`` relative to the repo root, with forward slashes (stable in messages and files)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def user_location(exc: BaseException, root: Path, dirs: tuple[str, ...]) -> str | None:
    """``file:line`` of the deepest traceback frame inside one of ``dirs`` under ``root``."""
    roots = [(root / d).resolve() for d in dirs]
    found: str | None = None
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename).resolve()
        if any(path.is_relative_to(r) for r in roots):
            found = f"{relative(path, root)}:{frame.lineno}"
    if found is None and isinstance(exc, SyntaxError) and exc.filename:
        found = f"{relative(Path(exc.filename), root)}:{exc.lineno}"
    return found


_JS_ERROR_LINE = re.compile(r"^\s*(?:\w*Error): (?P<message>\S.*)$")
_NOT_A_FILE = re.compile(r"unable to determine protocol from url: (?P<url>\S+)")


def describe(exc: BaseException) -> str:
    """The exception as one line. Errors that come back from cdk8s's Node.js side carry a
    JavaScript stack trace (and the Node.js version) in their text: keep only the JavaScript
    error's own message; the whole of it is printed under GITOPS_DEBUG=1."""
    if isinstance(exc, SystemExit):
        return (
            f"SystemExit({exc.code!r}): it tried to end the process (sys.exit or exit()); app "
            "and environment code must raise an exception instead"
        )
    text = str(exc).strip()
    if "\n" in text:
        lines = text.splitlines()
        messages = [m.group("message") for m in map(_JS_ERROR_LINE.match, lines) if m]
        text = messages[0] if messages else lines[0]
    not_a_file = _NOT_A_FILE.search(text)
    if not_a_file:
        text = (
            f"no file {not_a_file.group('url')!r} (paths are relative to the config repo root) "
            "and it is not a URL"
        )
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@contextmanager
def reported_as_source_error(
    root: Path, dirs: tuple[str, ...], what: str, fix: str
) -> Iterator[None]:
    """Re-raise any exception from user code (``SystemExit`` and ``GeneratorExit`` included,
    Ctrl-C excepted) as a SourceError naming file:line and ``what``."""
    try:
        yield
    except (GitopsError, KeyboardInterrupt):
        raise
    except BaseException as exc:
        where = user_location(exc, root, dirs) or what
        raise SourceError(f"{where}: {what} failed: {describe(exc)}", fix=fix) from exc


@contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Run user code with its stdout (``print``, ``sys.stdout``, ``os.write(1, ...)``, child
    processes) captured, then written to stderr: stdout carries only gitops' own output, such
    as a JSON or SARIF report."""
    buffer = io.StringIO()
    for stream in (sys.stdout, sys.__stdout__):
        _flush(stream)
    try:
        saved = os.dup(1)
    except OSError:  # no fd 1 at all: only the Python-level stream can be captured
        saved = -1
    with tempfile.TemporaryFile() as sink:
        if saved >= 0:
            os.dup2(sink.fileno(), 1)
        try:
            with redirect_stdout(buffer):
                yield
        finally:
            _flush(sys.__stdout__)
            if saved >= 0:
                os.dup2(saved, 1)
                os.close(saved)
            sink.seek(0)
            text = buffer.getvalue() + sink.read().decode("utf-8", "replace")
            if text:
                sys.stderr.write(text if text.endswith("\n") else text + "\n")
                sys.stderr.flush()


def _flush(stream: object) -> None:
    with suppress(AttributeError, OSError, ValueError):
        stream.flush()  # type: ignore[attr-defined]


def forget_user_modules(root: Path) -> None:
    """Drop modules loaded from ``root`` so a second run in one process sees fresh sources."""
    base = root.resolve()
    for name, module in list(sys.modules.items()):
        if not name.startswith(("apps", "envs")):
            continue  # first: resolving the file of each of ~1,300 modules took 0.1 s a call
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve().is_relative_to(base):
            del sys.modules[name]


def load_module(path: Path, root: Path, package: str) -> ModuleType:
    """Execute ``path`` as module ``<package>.<stem>``; ``root`` is importable while it runs."""
    name = f"{package}.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SourceError(
            f"{relative(path, root)}: cannot be loaded as a Python module",
            fix="give the module a .py name that is a valid Python identifier",
        )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    root_str = str(root.resolve())
    added = root_str not in sys.path
    if added:
        sys.path.insert(0, root_str)
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    finally:
        if added:
            sys.path.remove(root_str)
    return module
