"""One ``gitops synth`` at a time per repository: an exclusive lock on ``.gitops/synth.lock``,
held from before the first read of the sources until the render index is written.

The lock is an OS file lock (``filelock``): the kernel drops it when its holder exits or is
killed, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from gitops.errors import RenderError
from gitops.render.rendered import prepare_state_dir
from gitops.settings import STATE_DIR

LOCK_NAME = "synth.lock"


@contextmanager
def synth_lock(root: Path, *, wait: bool, notify: Callable[[str], None]) -> Iterator[None]:
    """Hold the repository's synth lock; wait for another holder (saying so through
    ``notify``) or, with ``wait=False``, fail at once."""
    path = prepare_state_dir(root)
    lock = FileLock(str(path))
    try:
        lock.acquire(blocking=False)
    except Timeout:
        if not wait:
            raise RenderError(
                f"another gitops synth is running in this repository (it holds "
                f"{STATE_DIR}/{LOCK_NAME}); nothing was changed",
                fix="wait for it to finish and run gitops synth again, or drop --no-wait to "
                "wait for it",
            ) from None
        notify(
            f"waiting for another gitops synth in this repository to finish "
            f"({STATE_DIR}/{LOCK_NAME}) ..."
        )
        lock.acquire()
    except OSError as exc:  # after Timeout, which is one too
        raise RenderError(
            f"cannot lock {STATE_DIR}/{LOCK_NAME}: {exc.strerror or exc}; nothing was changed",
            fix=f"make {STATE_DIR}/ writable, then run gitops synth again",
        ) from None
    try:
        yield
    finally:
        lock.release()
