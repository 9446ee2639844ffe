"""How the rendered tree on disk differs from a fresh render (used by ``synth --check``)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass
class Drift:
    """How the tree on disk differs from a fresh render."""

    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Rendered but not on disk."""
    extra: list[str] = field(default_factory=list)
    """On disk but no longer rendered."""
    diffs: dict[str, list[str]] = field(default_factory=dict)
    first_lines: dict[str, int] = field(default_factory=dict)
    """For each changed file, the first line of the committed file that differs."""

    @property
    def clean(self) -> bool:
        return not (self.changed or self.missing or self.extra)


def compare(
    desired: Mapping[str, bytes],
    actual: Mapping[str, bytes],
    in_scope: Callable[[str], bool],
    diff_lines: int = 20,
) -> Drift:
    drift = Drift()
    for path in sorted(p for p in set(desired) | set(actual) if in_scope(p)):
        want, have = desired.get(path), actual.get(path)
        if want is None:
            drift.extra.append(path)
        elif have is None:
            drift.missing.append(path)
        elif want != have:
            drift.changed.append(path)
            old = have.decode("utf-8", "replace").splitlines()
            new = want.decode("utf-8", "replace").splitlines()
            drift.first_lines[path] = next(
                (i + 1 for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                min(len(old), len(new)) + 1,
            )
            lines = list(
                difflib.unified_diff(
                    old,
                    new,
                    f"{path} (committed)",
                    f"{path} (fresh render)",
                    lineterm="",
                    n=1,
                )
            )
            if len(lines) > diff_lines:
                lines = [*lines[:diff_lines], f"... {len(lines) - diff_lines} more diff lines"]
            drift.diffs[path] = lines
    return drift
