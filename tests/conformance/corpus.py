"""Where the peers' own test suites live: ``<repo>/../shared/corpus`` (CI) or the workplace copy."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CANDIDATES = (REPO.parent / "shared" / "corpus", Path("/work/shared/corpus"))


@functools.cache
def corpus_dir() -> Path | None:
    """The corpus directory, or None when neither candidate exists (tests then skip)."""
    return next((c for c in CANDIDATES if c.is_dir()), None)


def require_corpus() -> Path:
    found = corpus_dir()
    if found is None:
        raise FileNotFoundError(
            "peer corpus not found at " + " or ".join(str(c) for c in CANDIDATES)
        )
    return found


@functools.cache
def expected(peer: str) -> dict[str, Any]:
    """A peer's ``expected.json`` (its test suite's expectations, derived from its tests)."""
    data: dict[str, Any] = json.loads((require_corpus() / peer / "expected.json").read_text())
    return data


def peer_dir(peer: str) -> Path:
    return require_corpus() / peer
