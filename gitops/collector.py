"""Python's cycle collector, paused or narrowed for one command run.

Loading and rendering allocate millions of long-lived objects (parsed manifests, compiled
schemas, rendered bodies) and make no garbage cycles; each collection of the oldest generation
walks all of them, so its cost grows with the input.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

COMMAND_THRESHOLDS = (200_000, 30, 30)
"""Collector thresholds for one command run (what mypy sets, for the same reason): a command
builds object graphs that stay alive until it exits, and Python's default (700 allocations
between young collections) made a synth of 100 apps x 3 envs spend 0.3 s in collections that
freed nothing."""


_left: list[object] | None = None
"""What the command left to the end of the process (None: this process does not run just
one command, e.g. the tests, which run many in one interpreter)."""


def tune_for_one_command() -> None:
    """Collect young objects every :data:`COMMAND_THRESHOLDS` allocations, not every 700; and
    let the command leave what it built to the end of the process (:func:`leave_to_exit`)."""
    global _left
    gc.set_threshold(*COMMAND_THRESHOLDS)
    _left = []


def leave_to_exit(*objects: object) -> None:
    """Keep ``objects`` alive until the process ends, in a process that runs one command:
    freeing a lint run's objects one by one took 0.45 s after a 26,650-object report was
    written (parsed manifests, their graph, 150,000 findings), time the operating system
    saves by reclaiming the memory at once. Elsewhere (the tests) this does nothing."""
    if _left is not None:
        _left.extend(objects)


def objects_left() -> bool:
    """Did the command leave objects to the end of the process (:func:`leave_to_exit`)? The
    process should then end without the interpreter's teardown, which would free them."""
    return bool(_left)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector for code that makes no garbage cycles (ours, not users'):
    a fifth of a 10,000-object lint run went to collections, and a cost that grows with the
    input in validate. Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _left is not None:
            # What the command built stays until the process ends, and every object made
            # during the pause counts as young: the first collection after it walked them
            # all (0.27 s after a 10,660-object lint). Out of the collector's sight instead.
            gc.freeze()
        if enabled:
            gc.enable()


_USER_CODE_GEN0 = 50_000
"""Allocations between two young collections while users' code runs (Python's default: 700):
a render builds hundreds of thousands of objects that all stay alive, and collections found
nothing to free in them while costing a tenth of a render (measured on 100 apps x 3 envs)."""


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Keep the collector on (users' code runs inside, and may make cycles) but spare it what
    cannot be garbage: what is alive already (imported modules, loaded sources) moves to the
    permanent generation, so a collection walks only what the code inside allocates, and young
    collections run every :data:`_USER_CODE_GEN0` allocations. Both are undone afterwards, so
    a process that renders many times (the tests) collects as before."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], _USER_CODE_GEN0), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
