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


def tune_for_one_command() -> None:
    """Collect young objects every :data:`COMMAND_THRESHOLDS` allocations, not every 700."""
    gc.set_threshold(*COMMAND_THRESHOLDS)


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
