"""The rendered tree on disk: the only module that writes ``rendered/`` and ``.gitops/``.

Paths. Every path written or deleted is named through :class:`Guard`: built from validated
parts, normalised and proven to lie inside the real ``rendered/`` or ``.gitops/`` before any
syscall. ``rendered/``, ``.gitops/``, and any symbolic link or special file under
``rendered/`` are refused before anything is touched (a pull request can commit a symlink).

Writes. Each top-level directory that is rendered (``rendered/<env>``, ``rendered/argocd``) is
first written complete into a work directory beside it, and the new index into a work file in
``.gitops/``. Only then is the journal ``.gitops/synth-journal.json`` written, listing the
renames that publish them; the renames follow, the index replaces the old one, and the journal
is deleted. A failure before the journal leaves both trees as they were; a failure or a kill
after it leaves the journal, which the next ``gitops synth`` completes (under its lock) and
which ``check``, ``lint`` and ``validate`` refuse to pass over. A render is done only when
the journal is gone.

A render of some apps (``synth --app``, ``set-image``, ``promote``) publishes file by file
instead: only the files whose bytes change are staged (in one work directory), and the
journal lists each rename onto its target and each file to delete. Rewriting a 1,200-file
environment to change one Deployment cost seconds; this writes one file. The same rules
hold: nothing is visible before the journal, and the journal's steps can be carried out
again after any interruption.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from gitops.errors import RenderError
from gitops.settings import INDEX_PATH, JOURNAL_PATH, RENDERED_DIR, STATE_DIR

WORK_PREFIX = ".gitops-"
"""Names under ``rendered/`` that only gitops creates (work and swapped-out directories)."""
_TMP = ".gitops-tmp-"
_OLD = ".gitops-old-"
_GONE = ".gitops-removed-"
_STAGED_INDEX = ".render-index.json."
_JOURNAL_TMP = ".synth-journal.json."
_WRITERS = 8
_JOURNAL_VERSION = 2
"""Version 2 adds file-by-file steps (``writes``, ``deletes``); version 1 journals (swaps and
removals only) are still carried out."""
_JOURNAL_VERSIONS = (1, 2)
_FILES = "files"
"""Name of the work directory of a file-by-file render (``rendered/.gitops-tmp-files.<token>``)."""
_GITIGNORE = (
    "# Written by gitops synth: its lock and work files are not part of the repository.\n"
    "/synth.lock\n/synth-journal.json\n/.synth-journal.json.*\n/.render-index.json.*\n"
)
_SYNTH_AGAIN = "run gitops synth (it completes or discards what an interrupted run left)"


class Guard:
    """The real ``rendered/`` and ``.gitops/`` of one repository, and the only way to name a
    path inside them."""

    def __init__(self, root: Path) -> None:
        self.root = os.path.realpath(root)
        self.tops = {top: os.path.join(self.root, top) for top in (RENDERED_DIR, STATE_DIR)}

    def path(self, rel: str) -> Path:
        """``rel`` (repo-relative, ``/``-separated) as an absolute path, once it is proven to lie
        inside ``rendered/`` or ``.gitops/``."""
        parts = rel.split("/")
        top = self.tops.get(parts[0])
        bad = any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts[1:])
        full = os.path.normpath(os.path.join(self.root, rel))
        if top is None or len(parts) < 2 or bad or not full.startswith(top + os.sep):
            raise RenderError(
                f"refusing to write {rel!r}: it is not a path inside {RENDERED_DIR}/ or "
                f"{STATE_DIR}/",
                fix="this is a bug in gitops; please report it with the command you ran",
            )
        return Path(full)

    def refuse_links(self) -> None:
        """``rendered/`` and ``.gitops/`` must be real directories (or absent)."""
        for top, full in self.tops.items():
            if os.path.islink(full):
                raise _link_error(top, full)
            if os.path.lexists(full) and not os.path.isdir(full):
                raise RenderError(
                    f"{top} is not a directory",
                    fix=f"remove it (git rm {top}), then {_SYNTH_AGAIN}",
                )

    def files(self) -> list[str]:
        """Repo-relative paths of the files under ``rendered/``, sorted, gitops' work
        directories excluded; a symbolic link or special file anywhere is an error."""
        self.refuse_links()
        found: list[str] = []
        if os.path.isdir(self.tops[RENDERED_DIR]):
            self._walk(self.tops[RENDERED_DIR], RENDERED_DIR, found)
        return sorted(found)

    def _walk(self, directory: str, rel: str, found: list[str]) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                name = f"{rel}/{entry.name}"
                if rel == RENDERED_DIR and entry.name.startswith(WORK_PREFIX):
                    continue
                if entry.is_symlink():
                    raise _link_error(name, entry.path)
                if entry.is_dir(follow_symlinks=False):
                    self._walk(entry.path, name, found)
                elif entry.is_file(follow_symlinks=False):
                    found.append(name)
                else:
                    raise RenderError(
                        f"{name} is not a regular file (a FIFO, socket or device)",
                        fix=f"remove it; {RENDERED_DIR}/ holds only what gitops synth writes",
                    )


def _link_error(rel: str, full: str) -> RenderError:
    return RenderError(
        f"{rel} is a symbolic link (to {os.readlink(full)!r}); gitops never writes or deletes "
        "through links, so nothing was changed",
        fix=f"replace it with a real directory: git rm {rel}, then {_SYNTH_AGAIN}",
    )


def list_tree(root: Path) -> list[str]:
    """Repo-relative paths of the files under ``rendered/`` (see :meth:`Guard.files`)."""
    return Guard(root).files()


def prepare_state_dir(root: Path) -> Path:
    """Make sure ``.gitops/`` is a real directory that ignores gitops' own work files; returns
    the path of the synth lock inside it."""
    guard = Guard(root)
    guard.refuse_links()
    try:
        guard.path(f"{STATE_DIR}/x").parent.mkdir(exist_ok=True)
        ignore = guard.path(f"{STATE_DIR}/.gitignore")
        if not ignore.exists():
            _write_new(ignore, _GITIGNORE.encode())
    except OSError as exc:
        raise _os_error(exc, "nothing was changed") from exc
    return guard.path(f"{STATE_DIR}/synth.lock")


def refuse_interrupted(root: Path, paths: Sequence[str] = ()) -> None:
    """An interrupted synth (its journal is present) leaves ``rendered/`` half-published:
    commands that read it (``paths`` inside, around or, when empty, defaulting to it) must not
    pass over it."""
    if not os.path.lexists(Path(root) / JOURNAL_PATH):
        return
    rendered = os.path.realpath(Path(root) / RENDERED_DIR)

    def overlaps(path: str) -> bool:
        real = os.path.realpath(path)
        return (
            real == rendered
            or (real + os.sep).startswith(rendered + os.sep)
            or (rendered.startswith(real.rstrip(os.sep) + os.sep))
        )

    if not paths or any(p != "-" and overlaps(p) for p in paths):
        raise RenderError(
            f"{JOURNAL_PATH}: a gitops synth was interrupted while publishing {RENDERED_DIR}/, "
            "which may be half-updated",
            fix="run gitops synth (it completes the interrupted render), then run this again",
        )


def write_render(
    root: Path,
    desired: Mapping[str, bytes],
    dirs: Iterable[str],
    remove: Iterable[str],
    index: bytes,
    *,
    current: Mapping[str, bytes] | None = None,
) -> None:
    """Make each directory in ``dirs`` (``rendered/<name>``) hold exactly the ``desired`` files
    under it, delete the directories in ``remove`` and write ``index``, crash-safely.

    ``current``: every file under ``dirs`` as it is on disk (read under the synth lock). Given,
    only what differs from it is written and deleted, file by file; otherwise each directory
    is written complete and swapped in."""
    guard = Guard(root)
    guard.refuse_links()
    staged: list[Path] = []
    token = os.urandom(4).hex()
    try:
        guard.path(f"{RENDERED_DIR}/x").parent.mkdir(exist_ok=True)
        swaps = []
        writes: list[dict[str, str]] = []
        deletes: list[str] = []
        if current is not None:
            writes, deletes = _file_steps(guard, sorted(dirs), desired, current, token, staged)
            dirs = ()
        for directory in sorted(dirs):
            name = _top_name(directory)
            new = f"{RENDERED_DIR}/{_TMP}{name}.{token}"
            staged.append(guard.path(new))
            _stage_dir(guard, directory, new, desired)
            swaps.append(
                {"target": directory, "new": new, "old": f"{RENDERED_DIR}/{_OLD}{name}.{token}"}
            )
        staged_index = f"{STATE_DIR}/{_STAGED_INDEX}{token}"
        staged.append(guard.path(staged_index))
        _write_new(guard.path(staged_index), index)
        file_steps = {"writes": writes, "deletes": deletes} if writes or deletes else {}
        journal = {
            "generator": "gitops synth",
            "version": _JOURNAL_VERSION if file_steps else 1,
            **file_steps,
            "swaps": swaps,
            "removals": [
                {"target": r, "old": f"{RENDERED_DIR}/{_GONE}{_top_name(r)}.{token}"}
                for r in sorted(remove)
            ],
            "index": staged_index,
        }
        _write_journal(guard, journal)
    except BaseException as exc:
        for path in staged:
            _remove(path, missing_ok=True)
        if isinstance(exc, OSError):
            raise _os_error(exc, f"nothing in {RENDERED_DIR}/ or {STATE_DIR}/ was changed") from exc
        raise
    _publish(guard, journal)


def recover(root: Path) -> str | None:
    """Complete what an interrupted run published halfway (its journal) and drop work files of
    runs that died before publishing. Only under the synth lock. Returns what was done."""
    guard = Guard(root)
    guard.refuse_links()
    done = None
    journal_path = guard.path(JOURNAL_PATH)
    if os.path.lexists(journal_path):
        _publish(guard, _read_journal(guard, journal_path))
        done = f"completed a gitops synth that was interrupted while publishing {RENDERED_DIR}/"
    try:
        rendered = guard.path(f"{RENDERED_DIR}/x").parent
        for entry in sorted(rendered.iterdir()) if rendered.is_dir() else []:
            if not entry.name.startswith(WORK_PREFIX):
                continue
            name = entry.name[len(_OLD) :].split(".", 1)[0]
            target = guard.path(f"{RENDERED_DIR}/{name}") if name else None
            if entry.name.startswith(_OLD) and target and not os.path.lexists(target):
                # Without a journal, only a run of an older gitops that died between its two
                # renames leaves a swapped-out directory with no replacement: put it back.
                os.rename(entry, target)
            else:
                _remove(entry)
        state = guard.path(f"{STATE_DIR}/x").parent
        for entry in sorted(state.iterdir()) if state.is_dir() else []:
            if entry.name.startswith((_STAGED_INDEX, _JOURNAL_TMP)):
                _remove(entry)
    except OSError as exc:
        raise _os_error(exc, "leftovers of an earlier run could not be removed") from exc
    return done


def _top_name(directory: str) -> str:
    parts = directory.split("/")
    if len(parts) != 2 or parts[0] != RENDERED_DIR or parts[1].startswith(WORK_PREFIX):
        raise RenderError(
            f"refusing to replace {directory!r}: not a directory of {RENDERED_DIR}/",
            fix="this is a bug in gitops; please report it with the command you ran",
        )
    return parts[1]


def _stage_dir(guard: Guard, directory: str, new: str, desired: Mapping[str, bytes]) -> None:
    work = guard.path(new)
    os.mkdir(work)  # not mkdtemp: its 0700 would be published; this follows the umask
    prefix = directory + "/"
    outputs = [
        (guard.path(new + "/" + path[len(prefix) :]), content)
        for path, content in desired.items()
        if path.startswith(prefix)
    ]
    for folder in sorted({out.parent for out, _ in outputs}):
        folder.mkdir(parents=True, exist_ok=True)
    # File creation is syscall-bound (0.4-0.6 ms each on a sandboxed VM, measured); the
    # syscalls release the GIL, so a few threads overlap them. Order does not matter:
    # nothing is visible until the directory is published.
    # Only a render writes: lint, validate and check import this module for refuse_interrupted.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
        for _ in pool.map(lambda item: item[0].write_bytes(item[1]), outputs):
            pass


def _file_steps(
    guard: Guard,
    dirs: Sequence[str],
    desired: Mapping[str, bytes],
    current: Mapping[str, bytes],
    token: str,
    staged: list[Path],
) -> tuple[list[dict[str, str]], list[str]]:
    """Stage the files under ``dirs`` whose bytes change; return the journal's renames
    (``target`` <- ``new``) and the files to delete."""
    prefixes = tuple(f"{_top_name(d)}/" for d in dirs)

    def under(path: str) -> bool:
        return path.startswith(RENDERED_DIR + "/") and path[len(RENDERED_DIR) + 1 :].startswith(
            prefixes
        )

    changed = sorted(p for p, c in desired.items() if under(p) and current.get(p) != c)
    deletes = sorted(p for p in current if under(p) and p not in desired)
    if not changed:
        return [], deletes
    work = f"{RENDERED_DIR}/{_TMP}{_FILES}.{token}"
    staged.append(guard.path(work))
    os.mkdir(guard.path(work))
    writes = [{"target": path, "new": f"{work}/{n}"} for n, path in enumerate(changed)]
    for step in writes:
        guard.path(step["target"])  # proven inside rendered/ before anything is written
        guard.path(step["new"]).write_bytes(desired[step["target"]])
    return writes, deletes


def _write_new(path: Path, content: bytes) -> None:
    """Create ``path`` (never through an existing file or link), mode per the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        _remove(path, missing_ok=True)
        raise


def _write_journal(guard: Guard, journal: Mapping[str, Any]) -> None:
    temp = guard.path(f"{STATE_DIR}/{_JOURNAL_TMP}{os.urandom(4).hex()}")
    _write_new(temp, (json.dumps(journal, indent=2, sort_keys=True) + "\n").encode())
    try:
        os.replace(temp, guard.path(JOURNAL_PATH))
    except BaseException:
        _remove(temp, missing_ok=True)
        raise


def _read_journal(guard: Guard, path: Path) -> dict[str, Any]:
    fix = (
        f"restore {RENDERED_DIR}/ and {STATE_DIR}/ from git (git checkout -- {RENDERED_DIR} "
        f"{STATE_DIR}), delete {JOURNAL_PATH}, then run gitops synth"
    )
    try:
        journal = json.loads(path.read_bytes())
        swaps = [
            {
                k: _checked(guard, s[k], prefix)
                for k, prefix in (("target", ""), ("new", _TMP), ("old", _OLD))
            }
            for s in journal["swaps"]
        ]
        removals = [
            {k: _checked(guard, r[k], prefix) for k, prefix in (("target", ""), ("old", _GONE))}
            for r in journal["removals"]
        ]
        writes = [
            {k: _checked_file(guard, w[k], k == "new") for k in ("target", "new")}
            for w in journal.get("writes", [])
        ]
        deletes = [_checked_file(guard, d, False) for d in journal.get("deletes", [])]
        index = str(journal["index"])
        name = index.split("/")[-1]
        if index != f"{STATE_DIR}/{name}" or not name.startswith(_STAGED_INDEX):
            raise ValueError(index)
        guard.path(index)
        if journal.get("version") not in _JOURNAL_VERSIONS:
            raise ValueError(journal.get("version"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RenderError) as exc:
        raise RenderError(
            f"{JOURNAL_PATH} is not a journal this gitops wrote ({type(exc).__name__}: {exc})",
            fix=fix,
        ) from None
    return {
        "swaps": swaps,
        "removals": removals,
        "writes": writes,
        "deletes": deletes,
        "index": index,
    }


def _checked(guard: Guard, value: Any, prefix: str) -> str:
    """A journal path: ``rendered/<name>``, with gitops' own prefix for work directories."""
    if not isinstance(value, str):
        raise TypeError(value)
    name = value.split("/")[-1]
    if value != f"{RENDERED_DIR}/{name}" or not name.startswith(prefix):
        raise ValueError(value)
    if not prefix and name.startswith(WORK_PREFIX):
        raise ValueError(value)
    guard.path(value)
    return value


def _checked_file(guard: Guard, value: Any, staged: bool) -> str:
    """A journal file path: ``rendered/<env or argocd>/...``, or (``staged``) a file of this
    run's work directory ``rendered/.gitops-tmp-files.<token>/``."""
    if not isinstance(value, str):
        raise TypeError(value)
    parts = value.split("/")
    if len(parts) < 3 or parts[0] != RENDERED_DIR:
        raise ValueError(value)
    if staged != parts[1].startswith(f"{_TMP}{_FILES}.") or (
        not staged and parts[1].startswith(WORK_PREFIX)
    ):
        raise ValueError(value)
    guard.path(value)
    return value


def _publish(guard: Guard, journal: Mapping[str, Any]) -> None:
    """Carry out a journal; each step is skipped when it is already done, so a journal can be
    carried out again after any interruption."""
    done = [0]
    swaps: Sequence[Mapping[str, str]] = journal["swaps"]
    writes: Sequence[Mapping[str, str]] = journal.get("writes", [])
    deletes: Sequence[str] = journal.get("deletes", [])
    steps, unit = (
        (len(writes) + len(deletes), "files") if writes or deletes else (len(swaps), "directories")
    )
    try:
        for swap in swaps:
            target, new, old = (guard.path(swap[k]) for k in ("target", "new", "old"))
            if os.path.lexists(new):
                if os.path.lexists(target):
                    os.rename(target, old)
                os.rename(new, target)
            done[0] += 1
        for removal in journal["removals"]:
            target, old = guard.path(removal["target"]), guard.path(removal["old"])
            if os.path.lexists(target):
                os.rename(target, old)
        _publish_files(guard, writes, deletes, done)
        staged = guard.path(journal["index"])
        if os.path.lexists(staged):
            os.replace(staged, guard.path(INDEX_PATH))
        os.unlink(guard.path(JOURNAL_PATH))
    except OSError as exc:
        raise RenderError(
            f"{RENDERED_DIR}/ is half-updated: {done[0]} of {steps} {unit} were published "
            f"when {_what(exc)} failed: {exc.strerror or exc}; {JOURNAL_PATH} records the rest, "
            "and check, lint and validate refuse rendered/ until it is completed",
            fix=f"{_fix(exc)}, then run gitops synth: it completes the interrupted render first",
        ) from exc
    for entry in [*swaps, *journal["removals"]]:
        # Published; what is left is garbage the next run also sweeps.
        _remove(guard.path(entry["old"]), missing_ok=True, quiet=True)


def _publish_files(
    guard: Guard, writes: Sequence[Mapping[str, str]], deletes: Sequence[str], done: list[int]
) -> None:
    """Rename each staged file onto its target and delete ``deletes``; a step already done
    (its staged file or its target gone) is skipped. Folders left empty are removed, as a
    swapped-in directory would not have them."""
    for step in writes:
        new, target = guard.path(step["new"]), guard.path(step["target"])
        if os.path.lexists(new):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(new, target)
        done[0] += 1
    emptied: set[Path] = set()
    for path in deletes:
        target = guard.path(path)
        if os.path.lexists(target):
            os.unlink(target)
        emptied.add(target.parent)
        done[0] += 1
    top = Path(guard.tops[RENDERED_DIR])
    for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        while folder != top and folder.is_relative_to(top) and folder.parent != top:
            try:
                folder.rmdir()
            except OSError:  # not empty (or already gone): what a swap would keep
                break
            folder = folder.parent
    if writes:
        _remove(guard.path(writes[0]["new"]).parent, missing_ok=True)


def _remove(path: Path, *, missing_ok: bool = False, quiet: bool = False) -> None:
    """Delete a file, link or directory tree without following links."""
    try:
        if path.is_dir() and not path.is_symlink():
            import shutil  # only a render deletes

            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        if not missing_ok:
            raise
    except OSError:
        if not quiet:
            raise


def _what(exc: OSError) -> str:
    return f"renaming {exc.filename}" if exc.filename else "a rename"


def _fix(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "free disk space"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"make {RENDERED_DIR}/ and {STATE_DIR}/ writable"
    if exc.errno == errno.ENAMETOOLONG:
        return "shorten the directory path of the repository"
    return "fix the cause above"


def _os_error(exc: OSError, outcome: str) -> RenderError:
    where = exc.filename or RENDERED_DIR
    return RenderError(
        f"could not write {where}: {exc.strerror or exc}; {outcome}",
        fix=f"{_fix(exc)}, then run gitops synth again",
    )
