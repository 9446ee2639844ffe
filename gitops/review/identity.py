"""A finding's identity across revisions, and which findings are new.

The identity is (rule, env, app, group, kind, namespace, name, container, field path): never a
file path or a line, so moving or reformatting a file changes no identity, and a same-named
object in another app or environment is a different one. Findings of one identity are
counted, so a second violation of the same kind on the same object is still new.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gitops.findings import SUPPRESSED_BY, Finding

FIELDS = ("rule", "env", "app", "group", "kind", "namespace", "name", "container", "path")
FINGERPRINT = "fingerprint"
"""Key in :attr:`Finding.extra`: the identity's hash (SARIF ``partialFingerprints``)."""
BASELINE_STATE = "baselineState"
"""Key in :attr:`Finding.extra`: new, unchanged or absent (SARIF ``baselineState``)."""
FINGERPRINT_NAME = "gitopsIdentity/v1"
JSON_PATH = "jsonPath"

Identity = tuple[str, str, str, str, str, str, str, str, str]


def identity(
    finding: Finding, entry: Mapping[str, Any] | None, groups: Mapping[tuple[str, str, str], str]
) -> Identity:
    """The identity of ``finding``; ``entry`` is its file's render index entry, ``groups``
    maps (file, kind, name) to the API group of the objects loaded from it."""
    parts = finding.path.split("/")
    if entry is not None and entry.get("env"):
        env = str(entry["env"])
    else:
        env = parts[1] if len(parts) > 2 and parts[0] == "rendered" else ""
    if entry is not None:
        app = str(entry.get("app") or "")
    else:
        app = (
            parts[2] if len(parts) > 3 and parts[0] == "rendered" and parts[2] != "cluster" else ""
        )
    group = groups.get((finding.path, finding.kind or "", finding.name or ""), "")
    return (
        finding.code,
        env,
        app,
        group,
        finding.kind or "",
        finding.namespace or "",
        finding.name or "",
        finding.container or "",
        dict(finding.extra).get(JSON_PATH, ""),
    )


def fingerprint(ident: Identity) -> str:
    return hashlib.sha256("\0".join(ident).encode()).hexdigest()[:32]


def as_record(ident: Identity) -> dict[str, str]:
    return dict(zip(FIELDS, ident, strict=True))


def with_fingerprints(findings: Sequence[Finding], identities: Sequence[Identity]) -> list[Finding]:
    return [
        f._replace(extra=(*f.extra, (FINGERPRINT, fingerprint(i))))
        for f, i in zip(findings, identities, strict=True)
    ]


def classify(
    findings: Sequence[Finding],
    identities: Sequence[Identity],
    known: Iterable[Identity],
    *,
    reason: str,
) -> tuple[list[Finding], list[Identity]]:
    """Mark findings whose identity is ``known`` (as often as it is known) unchanged and
    suppressed with ``reason``, the others new; return them and the known identities no
    finding matched (absent: fixed since the base, or stale baseline entries)."""
    left = Counter(known)
    marked: list[Finding] = []
    for f, ident in zip(findings, identities, strict=True):
        extra = (*f.extra, (FINGERPRINT, fingerprint(ident)))
        if f.suppressed:
            # Suppressed by an annotation or config: it may match a known one but stays as is.
            state = "new"
            if left[ident] > 0:
                left[ident] -= 1
                state = "unchanged"
            marked.append(f._replace(extra=(*extra, (BASELINE_STATE, state))))
        elif left[ident] > 0:
            left[ident] -= 1
            marked.append(
                f._replace(
                    suppressed=True,
                    suppression=reason,
                    extra=(*extra, (SUPPRESSED_BY, "baseline"), (BASELINE_STATE, "unchanged")),
                )
            )
        else:
            marked.append(f._replace(extra=(*extra, (BASELINE_STATE, "new"))))
    absent = sorted(ident for ident, n in left.items() for _ in range(n))
    return marked, absent
