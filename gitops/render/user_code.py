"""Run the config repo's own Python (apps/*.py, envs/*.py); turn its failures into one clear line.

A user module that raises must not print a traceback: the error names the file and line in the
user's code where it happened (the deepest frame inside ``apps/`` or ``envs/``), the exception,
and what to do.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
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


def describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@contextmanager
def reported_as_source_error(
    root: Path, dirs: tuple[str, ...], what: str, fix: str
) -> Iterator[None]:
    """Re-raise any exception from user code as a SourceError naming file:line and ``what``."""
    try:
        yield
    except GitopsError:
        raise
    except Exception as exc:
        where = user_location(exc, root, dirs) or what
        raise SourceError(f"{where}: {what} failed: {describe(exc)}", fix=fix) from exc


def forget_user_modules(root: Path) -> None:
    """Drop modules loaded from ``root`` so a second run in one process sees fresh sources."""
    base = root.resolve()
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve().is_relative_to(base) and name.startswith(("apps", "envs")):
            del sys.modules[name]


def load_module(path: Path, root: Path, package: str) -> ModuleType:
    """Execute ``path`` as module ``<package>.<stem>``; ``root`` is importable while it runs."""
    name = f"{package}.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SourceError(f"{relative(path, root)}: cannot be loaded as a Python module")
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
