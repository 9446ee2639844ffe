"""Findings new in this change: ``--new-since REV`` and ``--baseline FILE`` for lint and check.

``--new-since REV`` reads ``rendered/`` and the render index at REV with git (nothing is
checked out; only the index is written, to a temporary directory), lints those objects with
the same rules and settings, and marks every head finding whose identity (see
``gitops.review.identity``) was already there as unchanged: counted and suppressed, not
failing. ``--baseline FILE`` does the same against a file of identities;
``--update-baseline`` records today's findings in it (keeping reasons),
``--prune-baseline`` drops entries that no longer match (always reported as stale).
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from gitops import git
from gitops.findings import SUPPRESSED_BY, Finding
from gitops.k8s.manifests import LoadProblem, LoadResult, Manifest, load_text
from gitops.k8s.render_index import read_index
from gitops.review import baseline
from gitops.review.identity import Identity, classify, identity, with_fingerprints
from gitops.review.objects import INDEX, RENDERED, is_rendered_file
from gitops.settings import INDEX_PATH, Settings

BaseFindings = Callable[[Settings, LoadResult], Sequence[Finding]]
"""Lint (and, for check, validate) objects already loaded, under other settings."""


@dataclass(frozen=True)
class ReviewOptions:
    new_since: str | None = None
    baseline: Path | None = None
    update_baseline: bool = False
    prune_baseline: bool = False
    fingerprints: bool = False
    """Add identity fingerprints even without a base (SARIF output)."""

    @property
    def active(self) -> bool:
        return bool(self.new_since or self.baseline or self.fingerprints)


@dataclass
class Reviewer:
    """Marks a run's findings against a base revision and/or a baseline file."""

    settings: Settings
    options: ReviewOptions
    base_findings: BaseFindings
    warn: Callable[[str], None]
    absent: list[Finding] = field(default_factory=list)

    def adjust(self, findings: list[Finding], loaded: LoadResult) -> list[Finding]:
        identities = identities_of(self.settings, findings, loaded)
        known: list[Identity] = []
        reasons: list[str] = []
        base: dict[Identity, Finding] = {}
        if self.options.new_since:
            rev, base_found, base_ids = self._at_revision(self.options.new_since, loaded)
            known += base_ids
            base = dict(zip(base_ids, base_found, strict=True))
            reasons.append(f"already at {rev.spec} ({rev.short})")
        entries: list[tuple[Identity, str | None]] = []
        if self.options.baseline:
            entries = self._baseline(findings, identities)
            known += [ident for ident, _ in entries]
            reasons.append(f"in baseline {self.options.baseline}")
        if not known and not (self.options.new_since or self.options.baseline):
            return with_fingerprints(findings, identities)
        marked, absent = classify(findings, identities, known, reason="; ".join(reasons) or "")
        self.absent = [
            base[ident]._replace(
                suppressed=True,
                suppression="fixed since the base revision",
                extra=(
                    *base[ident].extra,
                    (SUPPRESSED_BY, "baseline"),
                    ("baselineState", "absent"),
                ),
            )
            for ident in dict.fromkeys(absent)
            if ident in base
        ]
        return marked

    def _at_revision(
        self, spec: str, head: LoadResult
    ) -> tuple[git.Revision, list[Finding], list[Identity]]:
        root = self.settings.root
        rev = git.resolve(root, spec, what="--new-since revision")
        listing = git.tree(root, rev.commit, [RENDERED, INDEX])
        rendered = sorted(p for p in listing if is_rendered_file(p))
        if not rendered:
            return rev, [], []
        # Files equal in the working tree and at REV keep the head's parse; only the others
        # are read from git and parsed.
        changed = git.changed_in_worktree(root, rev.commit, [RENDERED])
        head_objects = _by_rel_path(self.settings.root, head)
        broken = {_rel(self.settings.root, p.path) for p in head.problems}
        reused = {
            p for p in rendered if p not in changed and p in head_objects and p not in broken
        }
        contents = git.blobs(root, [b for p, b in listing.items() if p not in reused])
        with tempfile.TemporaryDirectory(prefix="gitops-base-") as tmp:
            base_root = Path(tmp)
            if INDEX in listing:
                (base_root / INDEX).parent.mkdir(parents=True)
                (base_root / INDEX).write_bytes(contents[listing[INDEX]])
            manifests: list[Manifest] = []
            problems: list[LoadProblem] = []
            for path in rendered:
                where = f"{base_root}/{path}"
                if path in reused:
                    manifests += [m.at(where) for m in head_objects[path]]
                else:
                    load_text(contents[listing[path]], where, manifests, problems)
            loaded = LoadResult(manifests=manifests, problems=problems, files=len(rendered))
            base_settings = replace(self.settings, root=base_root)
            found = list(self.base_findings(base_settings, loaded))
            found = [f for f in found if not f.suppressed]
            return rev, found, identities_of(base_settings, found, loaded)

    def _baseline(
        self, findings: Sequence[Finding], identities: Sequence[Identity]
    ) -> list[tuple[Identity, str | None]]:
        path = self.options.baseline
        assert path is not None
        updating = self.options.update_baseline
        entries = [] if updating and not path.exists() else baseline.read(path)
        current = Counter(i for f, i in zip(findings, identities, strict=True) if not f.suppressed)
        matched = Counter(
            {i: min(n, current[i]) for i, n in Counter(e for e, _ in entries).items()}
        )
        stale = Counter(e for e, _ in entries) - matched
        if stale:
            action = (
                "removed" if self.options.prune_baseline else "remove them with --prune-baseline"
            )
            self.warn(
                f"baseline {path}: {sum(stale.values())} stale entries (no longer found; {action}):"
            )
            for ident in sorted(stale.elements()):
                self.warn(f"  {baseline.describe(ident)}")
        if self.options.prune_baseline:
            left = Counter(stale)
            kept = []
            for ident, reason in entries:
                if left[ident] > 0:
                    left[ident] -= 1
                    continue
                kept.append((ident, reason))
            entries = kept
        if updating:
            reasons: dict[Identity, str | None] = {}
            for ident, reason in entries:
                reasons.setdefault(ident, reason)
            have = Counter(e for e, _ in entries)
            for ident, n in current.items():
                entries += [(ident, reasons.get(ident))] * max(0, n - have[ident])
        if updating or self.options.prune_baseline:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(baseline.dumps(entries), encoding="utf-8")
        return entries


def identities_of(
    settings: Settings, findings: Sequence[Finding], loaded: LoadResult
) -> list[Identity]:
    index = read_index(settings.index_path, INDEX_PATH)
    files = index.files if index else {}
    wanted = {f.path for f in findings}
    groups: dict[tuple[str, str, str], str] = {}
    for rel, found in _by_rel_path(settings.root, loaded).items():
        if rel in wanted:
            for m in found:
                groups.setdefault((rel, m.kind, m.name), m.group)
    return [identity(f, files.get(f.path), groups) for f in findings]


def _by_rel_path(root: Path, loaded: LoadResult) -> dict[str, list[Manifest]]:
    """Loaded objects by repo-relative file path."""
    by_path: dict[str, list[Manifest]] = {}
    for m in loaded.manifests:
        by_path.setdefault(m.path, []).append(m)
    return {_rel(root, path): found for path, found in by_path.items()}


def _rel(root: Path, path: str) -> str:
    prefix = str(root).rstrip("/") + "/"
    if path.startswith(prefix):
        return path[len(prefix) :]
    return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(root))).as_posix()
