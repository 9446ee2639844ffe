"""Python's cycle collector, paused or narrowed for one command run.

Loading and rendering allocate millions of long-lived objects (parsed manifests, compiled
schemas, rendered bodies) and make no garbage cycles; each collection of the oldest generation
walks all of them, so its cost grows with the input.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Keep the collector on (users' code runs inside, and may make cycles) but out of what
    is alive already: imported modules and loaded sources move to the permanent generation,
    so a collection walks only what the code inside allocates. They move back afterwards, so
    a process that renders many times (the tests) collects them as before."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
